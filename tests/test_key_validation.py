"""Keys a prover or verifier reads from files must be valid and safe (zkwork.groth16.key_checks):

- a proving-key directory with a point off the curve (any array) fails `zkwork prove` with
  exit status 2 naming the array and the point; a b2_query point on the twist but outside G2
  is named after the prover's own verification fails; so are a key whose valid points do not
  belong together and points at infinity where the protocol needs a non-trivial one;
- gamma_2 == delta_2, gamma_2 == -delta_2 and delta = [1] are shown to be forgeable, and
  `zkwork prove` and `zkwork verify` refuse such keys by name (exit 2), while the library's
  prove and verify keep taking in-memory keys as given (the ceremony's initial keys);
- a .zkey with an A or B2 point off the curve is refused by read_zkey naming the section and
  the point, a B2 point outside G2 is named when the proof fails, and `zkwork prove-zkey`
  refuses a zkey without a phase-2 contribution.
"""
import json
import shutil
from dataclasses import replace

import numpy as np
import pytest
from test_curve import twist_point_outside_subgroup
from test_formats import toy_zkey

from zkwork.cli import main
from zkwork.curve import G1Point, G2Point, g2_affine_array
from zkwork.errors import InvalidKeyError, InvalidValueError, UnsatisfiedConstraintError
from zkwork.field import FQ, Fr
from zkwork.formats import read_zkey, write_wtns, write_zkey
from zkwork.groth16 import Proof, ToxicWaste, prove, setup_from_toxic_waste, verify
from zkwork.workspace import read_circuit_dir, write_circuit_dir
from zkwork.groth16.key_checks import check_proving_key
from zkwork.groth16.snarkjs_json import g1_to_json, proof_to_json, public_to_json, write_json
from zkwork.interop.zkey_prover import prove_zkey
from zkwork.patterns import get_pattern

PATTERN = get_pattern("membership", "hardened", depth=4)
ONE = FQ.to_mont_limbs(1)
# (1, 1) and ((1, 0), (1, 0)): y^2 = 1 but x^3 + b = 1 + b; limbs below p, so only the curve check sees them
OFF_CURVE = {3: np.array([ONE, ONE], dtype=np.uint64), 4: np.array([[ONE, [0] * 4]] * 2, dtype=np.uint64)}


@pytest.fixture(scope="module")
def setup_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("keys")
    assert main(["setup", "membership", "--variant", "hardened", "--param", "depth=4", "--out", str(directory)]) == 0
    return directory


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    path = tmp_path_factory.mktemp("inputs") / "input.json"
    path.write_text(json.dumps({k: [str(x) for x in v] if isinstance(v, list) else str(v)
                                for k, v in PATTERN.sample_inputs().items()}))
    return path


def run_prove(directory, inputs, tmp_path, capsys):
    """`zkwork prove`'s exit status and its standard error."""
    capsys.readouterr()
    code = main(["prove", str(directory), "--input", str(inputs), "--proof", str(tmp_path / "proof.json"),
                 "--public", str(tmp_path / "public.json")])
    return code, capsys.readouterr().err


def with_point(directory, tmp_path, name, index, row):
    """A copy of a circuit directory whose proving-key array `name` has `row` at `index`."""
    copy = tmp_path / "copy"
    shutil.copytree(directory, copy)
    path = copy / "proving_key" / f"{name}.npy"
    array = np.load(path)
    array[index] = row
    np.save(path, array)
    return copy


def test_setup_keys_pass_and_prove(setup_dir, inputs, tmp_path, capsys):
    # `zkwork setup` draws gamma and delta independently from `secrets`: equal with probability 1/r
    check_proving_key(read_circuit_dir(setup_dir)[1], setup_dir)
    assert run_prove(setup_dir, inputs, tmp_path, capsys)[0] == 0


@pytest.mark.parametrize("name", ["a_query", "b1_query", "b2_query", "l_query", "h_query"])
def test_a_point_off_the_curve_is_named(setup_dir, inputs, tmp_path, capsys, name):
    array = np.load(setup_dir / "proving_key" / f"{name}.npy")
    copy = with_point(setup_dir, tmp_path, name, 3, OFF_CURVE[array.ndim])
    code, err = run_prove(copy, inputs, tmp_path, capsys)
    assert code == 2 and f"{name} point 3 is not on the curve" in err
    assert not (tmp_path / "proof.json").exists()


def test_a_b2_point_outside_g2_is_named(setup_dir, inputs, tmp_path, capsys):
    outside = twist_point_outside_subgroup()
    assert outside.is_on_curve() and not outside.is_in_subgroup()
    copy = with_point(setup_dir, tmp_path, "b2_query", 0, g2_affine_array([outside])[0])  # wire 0 is the one
    _, pk = read_circuit_dir(copy)  # on the curve: loads
    r1cs, witness = PATTERN.solve(PATTERN.sample_inputs())
    leaky = prove(pk, witness)  # unchecked, B leaves G2 (its cofactor part depends on the witness)
    assert not leaky.b.is_in_subgroup() and not verify(pk.vk, r1cs.public_signals(witness), leaky)
    with pytest.raises(InvalidKeyError, match="b2_query: G2 point 0 of the array is not in the subgroup") as raised:
        prove(pk, witness, check=True)
    assert raised.value.field == "b2_query"
    code, err = run_prove(copy, inputs, tmp_path, capsys)
    assert code == 2 and "b2_query: G2 point 0 of the array is not in the subgroup" in err


def edit_header(directory, tmp_path, edit):
    copy = tmp_path / "copy"
    shutil.copytree(directory, copy)
    path = copy / "proving_key" / "header.json"
    header = json.loads(path.read_text())
    edit(header)
    path.write_text(json.dumps(header))
    return copy


def test_points_that_do_not_belong_together_are_refused(setup_dir, inputs, tmp_path, capsys):
    copy = edit_header(setup_dir, tmp_path, lambda h: h.update(beta_1=g1_to_json(G1Point.generator() * 5)))
    code, err = run_prove(copy, inputs, tmp_path, capsys)
    assert code == 2 and "points do not belong together" in err


@pytest.mark.parametrize("field", ["delta_1", "beta_1", "vk_alpha_1", "vk_delta_2"])
def test_points_at_infinity_are_refused(setup_dir, inputs, tmp_path, capsys, field):
    def edit(header):
        holder, key = (header["vk"], field) if field.startswith("vk_") else (header, field)
        holder[key] = ["0", "1", "0"] if field.endswith("_1") else [["0", "0"], ["1", "0"], ["0", "0"]]

    code, err = run_prove(edit_header(setup_dir, tmp_path, edit), inputs, tmp_path, capsys)
    assert code == 2 and f"{field} is the point at infinity" in err


# -- unsafe keys ------------------------------------------------------------------------------

def input_commitment(vk, x):
    acc = vk.ic[0]
    for point, value in zip(vk.ic[1:], x):
        acc = acc + point * value
    return acc


GAMMA = Fr.random()
UNSAFE = {  # gamma, delta, and a forged C for public signals x
    "gamma == delta": (GAMMA, GAMMA, lambda vk, x: -input_commitment(vk, x), "equals vk_gamma_2"),
    "gamma == -delta": (GAMMA, -GAMMA, lambda vk, x: input_commitment(vk, x), "equals -vk_gamma_2"),
    # gamma IC_i = [beta u_i + alpha v_i + w_i](tau): a combination of the public powers of tau
    "delta == 1": (GAMMA, Fr(1), lambda vk, x: -(input_commitment(vk, x) * GAMMA), "no phase-2 contribution"),
}


@pytest.mark.parametrize("case", list(UNSAFE))
def test_forgeable_keys_are_refused_by_prove_and_verify(inputs, tmp_path, capsys, case):
    gamma, delta, forged_c, why = UNSAFE[case]
    r1cs = PATTERN.build()
    pk = setup_from_toxic_waste(r1cs, ToxicWaste(Fr.random(), Fr.random(), Fr.random(), gamma, delta))
    vk = pk.vk
    # the threat: a proof of arbitrary public signals, made from the verifying key alone
    x = [Fr.random().value for _ in range(vk.num_public)]
    forged = Proof(vk.alpha_1, vk.beta_2, forged_c(vk, x))
    assert verify(vk, x, forged)  # the library's verify takes the key as given
    directory = tmp_path / "keys"
    write_circuit_dir(directory, PATTERN, r1cs, pk)
    code, err = run_prove(directory, inputs, tmp_path, capsys)
    assert code == 2 and "vk_delta_2" in err and why in err
    assert not (tmp_path / "proof.json").exists()
    write_json(tmp_path / "forged.json", proof_to_json(forged))
    write_json(tmp_path / "x.json", public_to_json(x))
    code = main(["verify", str(directory / "verification_key.json"), str(tmp_path / "x.json"),
                 str(tmp_path / "forged.json")])
    assert code == 2 and "vk_delta_2" in capsys.readouterr().err


def test_in_memory_keys_with_gamma_equal_to_delta_still_prove():
    # the ceremony's initial keys (gamma = delta = [1]) prove with the library; only files are refused
    r1cs, witness = PATTERN.solve(PATTERN.sample_inputs())
    pk = setup_from_toxic_waste(r1cs, ToxicWaste(Fr.random(), Fr.random(), Fr.random(), Fr(1), Fr(1)))
    assert verify(pk.vk, r1cs.public_signals(witness), prove(pk, witness, check=True))
    with pytest.raises(InvalidKeyError, match="vk_delta_2 equals vk_gamma_2") as raised:
        check_proving_key(pk, "initial keys")
    assert raised.value.field == "vk_delta_2"


# -- zkeys ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, section", [("a_query", "points A"), ("b2_query", "points B2"),
                                           ("h_query", "points H")])
def test_a_zkey_point_off_the_curve_is_named(tmp_path, capsys, name, section):
    zkey = toy_zkey()
    array = getattr(zkey, name)
    array[2] = OFF_CURVE[array.ndim]
    write_zkey(zkey, tmp_path / "bad.zkey")
    with pytest.raises(InvalidValueError, match="point 2 is not on the curve") as raised:
        read_zkey(tmp_path / "bad.zkey")
    assert raised.value.section == section
    write_wtns([1, 2, 3, 4], tmp_path / "w.wtns")
    capsys.readouterr()
    code = main(["prove-zkey", str(tmp_path / "bad.zkey"), str(tmp_path / "w.wtns"), str(tmp_path / "proof.json"),
                 str(tmp_path / "public.json")])
    err = capsys.readouterr().err
    assert code == 2 and f"({section}): point 2 is not on the curve" in err and "witness" not in err


def test_a_zkey_b2_point_outside_g2_is_named_not_the_witness():
    zkey = toy_zkey()  # its points do not belong together: every proof fails, blamed on the witness
    with pytest.raises(UnsatisfiedConstraintError, match="witness does not satisfy"):
        prove_zkey(zkey, [1, 2, 3, 4])
    zkey.b2_query[1] = g2_affine_array([twist_point_outside_subgroup()])[0]
    with pytest.raises(InvalidKeyError, match=r"\(points B2\): G2 point 1 of the array is not in the subgroup"):
        prove_zkey(zkey, [1, 2, 3, 4])


def test_prove_zkey_refuses_a_zkey_without_phase2_contribution(tmp_path, capsys):
    zkey = toy_zkey()
    g1, g2 = G1Point.generator(), G2Point.generator()
    # snarkjs's zkey_0000: gamma_2 = delta_2 = [1]_2, delta_1 = [1]_1
    unsafe = replace(zkey, vk=replace(zkey.vk, gamma_2=g2, delta_2=g2), delta_1=g1)
    write_zkey(unsafe, tmp_path / "k0.zkey")
    write_wtns([1, 2, 3, 4], tmp_path / "w.wtns")
    capsys.readouterr()
    code = main(["prove-zkey", str(tmp_path / "k0.zkey"), str(tmp_path / "w.wtns"), str(tmp_path / "proof.json"),
                 str(tmp_path / "public.json")])
    assert code == 2 and "vk_delta_2 equals vk_gamma_2" in capsys.readouterr().err
    assert not (tmp_path / "proof.json").exists()


def test_verify_refuses_a_malformed_key_but_not_bad_proofs(setup_dir, tmp_path, capsys):
    vk_json = json.loads((setup_dir / "verification_key.json").read_text())
    proof = Proof(G1Point.generator(), G2Point.generator(), G1Point.generator())
    write_json(tmp_path / "proof.json", proof_to_json(proof))
    write_json(tmp_path / "public.json", public_to_json([1] * (len(vk_json["IC"]) - 1)))
    args = [str(setup_dir / "verification_key.json"), str(tmp_path / "public.json"), str(tmp_path / "proof.json")]
    assert main(["verify", *args]) == 1  # an attacker's proof: invalid, not an error
    vk_json["vk_alpha_1"] = ["0", "1", "0"]
    (tmp_path / "vk.json").write_text(json.dumps(vk_json))
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "vk.json"), *args[1:]]) == 2
    assert "vk_alpha_1 is the point at infinity" in capsys.readouterr().err
