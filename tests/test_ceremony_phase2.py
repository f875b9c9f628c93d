"""Phase 2 in snarkjs's MPC (zkwork.ceremony.phase2): zkwork's proving key of a .zkey is, for
known secrets, setup_from_toxic_waste's key (every pattern: slow), and proves after
contributions and a beacon; the ceremony's checks of a key (its contributors, delta = gamma,
the beacon's place); a .zkey of another circuit is refused."""
import numpy as np
import pytest
from test_zkey_new import ALPHA, BETA, CIRCUIT, TAU, WITNESS

from zkwork.ceremony.consistency import Checker
from zkwork.ceremony.phase2 import check_ceremony, contributor_names, proving_key
from zkwork.ceremony.powers import PowersOfTau
from zkwork.ceremony.prepare_phase2 import prepare_phase2
from zkwork.ceremony.records import VerificationReport
from zkwork.ceremony.snarkjs_ptau import export_ptau
from zkwork.ceremony.zkey_mpc import beacon, contribute, read_mpc, verify_zkey
from zkwork.ceremony.zkey_new import new_zkey
from zkwork.errors import KeyFormatError
from zkwork.field import Fr, R
from zkwork.formats import read_zkey, write_r1cs
from zkwork.groth16 import prove, verify
from zkwork.groth16.generator import ToxicWaste, setup_from_toxic_waste
from zkwork.patterns import PATTERNS, get_pattern
from zkwork.r1cs import R1CS

BEACON_HASH = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071"


def assert_same_keys(pk, expected):
    """Every field of two proving keys, compared directly."""
    for name in ("alpha_1", "beta_2", "gamma_2", "delta_2"):
        assert getattr(pk.vk, name) == getattr(expected.vk, name), name
    assert len(pk.vk.ic) == len(expected.vk.ic) and all(p == q for p, q in zip(pk.vk.ic, expected.vk.ic))
    assert pk.beta_1 == expected.beta_1 and pk.delta_1 == expected.delta_1
    for name in ("a_query", "b1_query", "b2_query", "l_query", "h_query"):
        a, b = getattr(pk, name), getattr(expected, name)
        assert a.shape == b.shape and np.array_equal(a, b), name


def assert_proves(pk, r1cs, witness):
    public = r1cs.public_signals(witness)
    proof = prove(pk, witness)
    assert verify(pk.vk, public, proof)
    assert not verify(pk.vk, [(public[0] + 1) % R] + public[1:], proof)


def initial_key_of_known_secrets(r1cs):
    return setup_from_toxic_waste(r1cs, ToxicWaste(TAU, ALPHA, BETA, Fr(1), Fr(1)))


def prepared_ptau(work, power):
    """The path of a prepared ptau of power `power` of known secrets, written in `work`."""
    export_ptau(PowersOfTau.from_secrets(power, TAU, ALPHA, BETA), work / "phase1.ptau")
    prepare_phase2(work / "phase1.ptau", work / "prepared.ptau")
    return work / "prepared.ptau"


def make_chain(work, r1cs, ptau):
    """Paths of the prepared `ptau`, the circuit, its new key k0, k1 (alice), k2 (unnamed)
    and k3 (the beacon)."""
    write_r1cs(r1cs, work / "circuit.r1cs")
    new_zkey(work / "circuit.r1cs", ptau, work / "k0.zkey")
    contribute(work / "k0.zkey", work / "k1.zkey", name="alice")
    contribute(work / "k1.zkey", work / "k2.zkey")
    beacon(work / "k2.zkey", work / "k3.zkey", BEACON_HASH, 10, name="beacon")
    return {"r1cs": work / "circuit.r1cs", "ptau": ptau, **{f"k{i}": work / f"k{i}.zkey" for i in range(4)}}


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    work = tmp_path_factory.mktemp("phase2")
    return make_chain(work, CIRCUIT, prepared_ptau(work, 3))


@pytest.fixture(scope="module")
def ptau_11(tmp_path_factory):
    """A prepared ptau of power 11 (the small patterns need domains of up to 2^11 points)."""
    return prepared_ptau(tmp_path_factory.mktemp("ptau11"), 11)


def test_the_key_of_a_new_zkey_is_the_toxic_waste_key(chain):
    assert_same_keys(proving_key(read_zkey(chain["k0"]), CIRCUIT), initial_key_of_known_secrets(CIRCUIT))


def test_the_key_after_contributions_and_beacon_proves(chain):
    zkey = read_zkey(chain["k3"])
    pk = proving_key(zkey, CIRCUIT)
    assert pk.delta_1 == zkey.delta_1 != initial_key_of_known_secrets(CIRCUIT).delta_1
    assert_proves(pk, CIRCUIT, WITNESS)


def ceremony_failures(path, **options):
    report = VerificationReport()
    zkey = read_zkey(path)
    check_ceremony(Checker(report, "final", ""), zkey, read_mpc(zkey), **options)
    return report.failed()


def test_the_ceremony_checks_of_a_key(chain, tmp_path):
    # No contribution: delta = gamma = 1, which forges proofs.
    assert ceremony_failures(chain["k0"]) == {("final", f) for f in ("contributors", "delta_not_gamma", "beacon_last")}
    assert ceremony_failures(chain["k2"], require_sealed=False) == set()
    assert ceremony_failures(chain["k2"]) == {("final", "beacon_last")}
    assert ceremony_failures(chain["k3"]) == set()
    assert contributor_names(read_mpc(read_zkey(chain["k3"]))) == ["alice", "unnamed #2"]
    assert ceremony_failures(chain["k3"], min_contributors=3) == {("final", "contributors")}
    contribute(chain["k3"], tmp_path / "late.zkey", name="late")
    assert ceremony_failures(tmp_path / "late.zkey") == {("final", "beacon_position"), ("final", "beacon_last")}


def test_a_zkey_of_another_circuit_is_refused(chain):
    other = R1CS(A=[{3: 1}], B=[{3: 1}], C=[{1: 1}], labels=["sq"], wire_names=["one", "o", "x", "w"],
                 num_outputs=1, num_public_inputs=1, num_private_inputs=1)
    with pytest.raises(KeyFormatError, match="nVars"):
        proving_key(read_zkey(chain["k3"]), other)


@pytest.mark.slow  # a prepared ptau of power 11, then a key per pattern: up to a minute each on 2 cores
@pytest.mark.parametrize("name", list(PATTERNS))
def test_every_pattern_keys_match_toxic_waste_and_prove(name, ptau_11, tmp_path):
    pattern = get_pattern(name, "hardened", **PATTERNS[name].small_params())
    r1cs, witness = pattern.solve(pattern.sample_inputs())
    paths = make_chain(tmp_path, r1cs, ptau_11)
    assert_same_keys(proving_key(read_zkey(paths["k0"]), r1cs), initial_key_of_known_secrets(r1cs))
    assert_proves(proving_key(read_zkey(paths["k3"]), r1cs), r1cs, witness)
    report = verify_zkey(paths["r1cs"], paths["ptau"], paths["k3"])
    assert report.ok, str(report)
