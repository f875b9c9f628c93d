"""`zkwork groth16 setup` / `zkey new` (zkwork.ceremony.zkey_new).

Without Node: a hand-written circuit (coefficients other than 1, constants, a public
output and input) on powers of known secrets: the header points are alpha, beta and the
generators, A is u_i(tau) over snarkjs's domain (binding rows included) and H the odd
points of the next Lagrange block, both computed here with field arithmetic; zkwork's
prover proves with the key and the proof verifies; snarkjs's domain rule and H-hash
count; malformed or unsuitable inputs refused with typed errors (exit 2), nothing written.

With Node (marked slow): for a circom circuit with constants and linear terms, and for a
pattern circuit, zkwork's .zkey has the sha256 of snarkjs's `groth16 setup` from the same
prepared ptau, and `snarkjs zkey verify` accepts it.
"""
import hashlib

import numpy as np
import pytest
from node_tools import run_node_tool

from zkwork.ceremony.phase2 import CircuitTooLargeError
from zkwork.ceremony.powers import PowersOfTau
from zkwork.ceremony.prepare_phase2 import prepare_phase2
from zkwork.ceremony.snarkjs_ptau import export_ptau
from zkwork.ceremony.zkey_new import circuit_power, hashed_h_count, new_zkey
from zkwork.cli import main
from zkwork.curve import G1Point, G2Point, g1_affine_array
from zkwork.errors import InvalidValueError, MissingSectionError, SectionSizeError
from zkwork.field import Fr, R
from zkwork.formats import read_zkey, write_r1cs
from zkwork.formats.binfile import read_bin_file, write_bin_file
from zkwork.interop.zkey_prover import prove_zkey
from zkwork.poly import Domain, lagrange_basis_at
from zkwork.r1cs import R1CS

TAU, ALPHA, BETA = Fr(98765), Fr(43), Fr(21)
# one, o (output), x (public input), w (private input), sq, t:
#   w * w = sq,   sq * (3 w + 5) = t,   (t - 7 x) * 1 = o
CIRCUIT = R1CS(A=[{3: 1}, {4: 1}, {5: 1, 2: R - 7}], B=[{3: 1}, {3: 3, 0: 5}, {0: 1}], C=[{4: 1}, {5: 1}, {1: 1}],
               labels=["sq", "t", "o"], wire_names=["one", "o", "x", "w", "sq", "t"], num_outputs=1,
               num_public_inputs=1, num_private_inputs=1)
WITNESS = [1, 112, 2, 3, 9, 126]  # w = 3, x = 2


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Paths of the circuit, a prepared ptau of power 3 of known secrets, and the new zkey."""
    work = tmp_path_factory.mktemp("zkey_new")
    write_r1cs(CIRCUIT, work / "circuit.r1cs")
    export_ptau(PowersOfTau.from_secrets(3, TAU, ALPHA, BETA), work / "phase1.ptau")
    prepare_phase2(work / "phase1.ptau", work / "prepared.ptau")
    assert main(["groth16", "setup", str(work / "circuit.r1cs"), str(work / "prepared.ptau"),
                 str(work / "circuit.zkey")]) == 0
    return {"circuit": work / "circuit.r1cs", "phase1": work / "phase1.ptau", "prepared": work / "prepared.ptau",
            "zkey": work / "circuit.zkey"}


def test_snarkjs_domain_rules():
    assert [circuit_power(c, p) for c, p in ((0, 0), (3, 2), (5, 2), (6, 2), (5101, 2))] == [1, 3, 3, 4, 13]
    assert [hashed_h_count(1 << m) for m in (1, 14, 15, 16)] == [1, (1 << 14) - 1, 1 << 15, 1 << 16]


def test_key_of_known_secrets(files):
    zkey = read_zkey(files["zkey"])
    g1, g2 = G1Point.generator(), G2Point.generator()
    assert (zkey.num_vars, zkey.num_public, zkey.domain_size) == (6, 2, 8)
    assert (zkey.vk.alpha_1, zkey.beta_1, zkey.vk.beta_2) == (g1 * ALPHA.value, g1 * BETA.value, g2 * BETA.value)
    assert (zkey.vk.gamma_2, zkey.vk.delta_2, zkey.delta_1) == (g2, g2, g1)
    basis = [Fr(v) for v in lagrange_basis_at(Domain(8), TAU).to_ints()]
    rows = CIRCUIT.A + [{0: 1}, {1: 1}, {2: 1}]  # snarkjs's binding rows for the one and the public signals
    u = [sum((basis[j] * Fr(row.get(i, 0)) for j, row in enumerate(rows)), Fr(0)) for i in range(6)]
    assert zkey.a_query.tobytes() == g1_affine_array([g1 * value.value for value in u]).tobytes()
    # H: the odd points of block 4 of section 12, which at power 3 transforms the 15 powers
    # of tauG1 and a missing tau^15 (prepare_phase2)
    domain = Domain(16)
    odd = [Fr(value) - domain.element(-15 * j) * TAU ** 15 * domain.size_inv
           for j, value in enumerate(lagrange_basis_at(domain, TAU).to_ints())][1::2]
    assert zkey.h_query.tobytes() == g1_affine_array([g1 * value.value for value in odd]).tobytes()
    assert len(zkey.coefficients) == 4 + 4 + 3  # A and B terms, then the binding rows
    assert zkey.contributions[64:] == bytes(4)  # the circuit hash, then no contribution


def test_zkwork_proves_with_the_key(files):
    zkey = read_zkey(files["zkey"])
    proof = prove_zkey(zkey, WITNESS, r1cs=CIRCUIT)  # verified against the key's vk before it returns
    assert proof is not None


def _with_first_wire(data, wire):
    """The .r1cs bytes with the wire of constraint 0's first A term replaced."""
    binfile = read_bin_file(data, "r1cs", 1, {})
    sections = [(t, bytes(binfile.sections[t][0])) for t in (1, 2, 3)]
    constraints = bytearray(sections[1][1])
    constraints[4:8] = wire.to_bytes(4, "little")
    return [sections[0], (2, bytes(constraints)), sections[2]]


def test_unsuitable_inputs_are_refused(files, tmp_path):
    out = tmp_path / "out.zkey"
    with pytest.raises(MissingSectionError, match="prepare it first"):
        new_zkey(files["circuit"], files["phase1"], out)
    export_ptau(PowersOfTau.from_secrets(2, TAU, ALPHA, BETA), tmp_path / "small.ptau")
    prepare_phase2(tmp_path / "small.ptau", tmp_path / "small_prepared.ptau")
    with pytest.raises(CircuitTooLargeError, match="2\\^3 points"):
        new_zkey(files["circuit"], tmp_path / "small_prepared.ptau", out)
    write_bin_file(tmp_path / "bad_wire.r1cs", "r1cs", 1, _with_first_wire(files["circuit"], 6))
    with pytest.raises(InvalidValueError, match="constraint 0"):
        new_zkey(tmp_path / "bad_wire.r1cs", files["prepared"], out)
    sections = _with_first_wire(files["circuit"], 3)
    write_bin_file(tmp_path / "short.r1cs", "r1cs", 1, [sections[0], (2, sections[1][1][:-10]), sections[2]])
    with pytest.raises(SectionSizeError, match="constraint 2"):
        new_zkey(tmp_path / "short.r1cs", files["prepared"], out)
    assert main(["zkey", "new", str(tmp_path / "short.r1cs"), str(files["prepared"]), str(out)]) == 2
    assert not out.exists()


# -- against snarkjs -------------------------------------------------------------------------------
def snarkjs(*args, check=True):
    return run_node_tool("snarkjs", *args, check=check)


CIRCOM = """pragma circom 2.1.6;
template T() {
    signal input x;
    signal input w;
    signal input v[3];
    signal output square;
    signal output o2;
    signal t[3];
    square <== w * w;
    x === square * w;
    t[0] <== v[0] * (3 * v[1] + 7);
    t[1] <== (t[0] - 5 * w) * (v[2] + 12345678901234567890123);
    t[2] <== t[1] * t[1] + 2 * x;
    o2 <== t[2] * 4 - v[0] + 9;
}
component main {public [x]} = T();
"""


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _same_as_snarkjs(r1cs, ptau, work):
    snarkjs("groth16", "setup", r1cs, ptau, work / "snarkjs.zkey")
    assert main(["groth16", "setup", str(r1cs), str(ptau), str(work / "zkwork.zkey")]) == 0
    assert _sha256(work / "zkwork.zkey") == _sha256(work / "snarkjs.zkey")
    result = snarkjs("zkey", "verify", r1cs, ptau, work / "zkwork.zkey", check=False)
    assert result.returncode == 0 and "ZKey Ok!" in result.stdout + result.stderr, result.stdout + result.stderr


@pytest.mark.node
@pytest.mark.slow
def test_circom_circuit_zkey_is_snarkjs_byte_for_byte(tmp_path):
    (tmp_path / "t.circom").write_text(CIRCOM)
    run_node_tool("circom2", tmp_path / "t.circom", "--O2", "--r1cs", "-o", tmp_path)
    snarkjs("powersoftau", "new", "bn128", 5, tmp_path / "new.ptau")
    snarkjs("powersoftau", "contribute", tmp_path / "new.ptau", tmp_path / "first.ptau", "--name=first", "-e=zkey new")
    snarkjs("powersoftau", "prepare", "phase2", tmp_path / "first.ptau", tmp_path / "prepared.ptau")
    _same_as_snarkjs(tmp_path / "t.r1cs", tmp_path / "prepared.ptau", tmp_path)


@pytest.mark.node
@pytest.mark.slow
def test_pattern_circuit_zkey_is_snarkjs_byte_for_byte(compiled, tmp_path):
    counts, build = compiled("structure_hardened_k4")
    snarkjs("powersoftau", "new", "bn128", 9, tmp_path / "new.ptau")
    snarkjs("powersoftau", "contribute", tmp_path / "new.ptau", tmp_path / "first.ptau", "--name=first", "-e=pattern")
    prepare_phase2(tmp_path / "first.ptau", tmp_path / "prepared.ptau")  # byte for byte snarkjs's (test_prepare_phase2)
    _same_as_snarkjs(build / "structure_hardened_k4.r1cs", tmp_path / "prepared.ptau", tmp_path)
    assert np.array_equal(read_zkey(tmp_path / "zkwork.zkey").h_query.shape, (512, 2, 4))
