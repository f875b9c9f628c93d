"""zkwork's proofs in snarkjs's JSON files, accepted by snarkjs itself; malformed files
rejected with errors naming the field."""
import copy
import json

import pytest

from node_tools import run_node_tool
from zkwork.errors import JsonFormatError, KeyFormatError
from zkwork.field import P, R
from zkwork.groth16 import prove, setup, verify
from zkwork.groth16.snarkjs_json import (
    MAX_JSON_DEPTH, proof_from_json, proof_to_json, public_from_json, public_to_json, read_json, write_json,
    vk_from_json, vk_to_json,
)
from zkwork.r1cs import solve


def circuit(cs):
    x = cs.public_input("x")
    y = cs.private_input("y")
    cs.assert_equal(y * y, x)
    cs.public_output("cube", y * y * y)


@pytest.fixture(scope="module")
def artefacts():
    r1cs, witness = solve(circuit, {"x": 25, "y": 5})
    pk = setup(r1cs)
    proof = prove(pk, witness)
    return pk.vk, r1cs.public_signals(witness), proof


def test_round_trip(artefacts):
    vk, public, proof = artefacts
    vk_json, proof_json, public_json = vk_to_json(vk), proof_to_json(proof), public_to_json(public)
    assert json.loads(json.dumps(vk_json)) == vk_json
    assert vk_from_json(vk_json) == vk
    assert proof_from_json(proof_json) == proof
    assert public_from_json(public_json) == public == [125, 25]
    assert vk_json["nPublic"] == 2 and len(vk_json["IC"]) == 3
    assert verify(vk_from_json(vk_json), public_from_json(public_json), proof_from_json(proof_json))


@pytest.mark.node
def test_snarkjs_accepts_zkwork_proofs_and_rejects_a_changed_input(artefacts, tmp_path):
    vk, public, proof = artefacts
    write_json(tmp_path / "vk.json", vk_to_json(vk))
    write_json(tmp_path / "proof.json", proof_to_json(proof))
    write_json(tmp_path / "public.json", public_to_json(public))
    ok = run_node_tool("snarkjs", "groth16", "verify", tmp_path / "vk.json", tmp_path / "public.json", tmp_path / "proof.json")
    assert "OK" in ok.stdout
    write_json(tmp_path / "public.json", public_to_json([public[0], public[1] + 1]))
    bad = run_node_tool("snarkjs", "groth16", "verify", tmp_path / "vk.json", tmp_path / "public.json",
                        tmp_path / "proof.json", check=False)
    assert bad.returncode != 0 and "Invalid proof" in bad.stdout + bad.stderr


def _mutate(obj, path, value):
    obj = copy.deepcopy(obj)
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("pi_a", 0), str(P), r"proof\.pi_a\[0\]: .* not below the base field modulus"),
        (("pi_a", 1), "12x", r"proof\.pi_a\[1\]: expected a decimal string"),
        (("pi_a", 1), "5", r"proof\.pi_a: .*not on the G1 curve"),
        (("pi_a", 2), "2", r"proof\.pi_a: the z coordinate must be 1"),
        (("pi_b", 0), ["1"], r"proof\.pi_b\[0\]: expected a list of 2"),
        (("pi_b", 1, 0), "7", r"proof\.pi_b: .*not on the G2 curve"),
        (("pi_c",), ["1", "2"], r"proof\.pi_c: expected a list of 3"),
        (("protocol",), "plonk", r"proof\.protocol: expected 'groth16'"),
    ],
)
def test_malformed_proofs_name_the_field(artefacts, path, value, message):
    proof_json = proof_to_json(artefacts[2])
    with pytest.raises(JsonFormatError, match=message):
        proof_from_json(_mutate(proof_json, path, value))


def test_missing_fields_and_bad_keys(artefacts):
    vk_json = vk_to_json(artefacts[0])
    with pytest.raises(JsonFormatError, match="missing 'pi_b'"):
        proof_from_json({"pi_a": ["1", "2", "1"], "pi_c": ["1", "2", "1"]})
    with pytest.raises(JsonFormatError, match=r"verification_key\.nPublic: 3 but IC has 3 points"):
        vk_from_json(_mutate(vk_json, ("nPublic",), 3))
    with pytest.raises(JsonFormatError, match=r"verification_key\.IC\[1\]"):
        vk_from_json(_mutate(vk_json, ("IC", 1, 0), "1"))
    with pytest.raises(JsonFormatError, match="expected a JSON object"):
        vk_from_json([1, 2])
    with pytest.raises(JsonFormatError, match=r"public\[1\]: .* not below the group order r"):
        public_from_json(["1", str(R)])
    with pytest.raises(JsonFormatError, match=r"public\[0\]: expected a decimal string"):
        public_from_json(["-1"])


def test_numbers_are_ascii_digits_leading_zeros_allowed_and_bounded_before_int():
    assert public_from_json(["007", "0" * 5000 + "12", "0"]) == [7, 12, 0]
    for bad in ["\u0663", "\u00b2", "\uff11", "1e3", " 1", "+1", "0x10", "", 7]:  # Arabic-Indic, superscript, fullwidth
        with pytest.raises(JsonFormatError, match=r"public\[0\]: expected a decimal string"):
            public_from_json([bad])
    with pytest.raises(JsonFormatError, match=r"public\[0\]: a number of 78 digits is not below the group order r"):
        public_from_json(["1" * 78])
    with pytest.raises(JsonFormatError, match=r"proof\.pi_a\[0\]: a number of 9000 digits is not below the base field"):
        proof_from_json({"pi_a": ["9" * 9000, "2", "1"], "pi_b": [], "pi_c": []})


def test_read_json_refuses_deep_nesting_before_parsing(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)
    deepest = read_json(path)
    for _ in range(MAX_JSON_DEPTH - 1):
        deepest = deepest[0]
    assert deepest == []
    path.write_text('{"a": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}")
    with pytest.raises(JsonFormatError, match=rf"x\.json: arrays and objects nested deeper than {MAX_JSON_DEPTH} "
                                              rf"levels \(character {6 + MAX_JSON_DEPTH - 1}\)"):
        read_json(path)
    path.write_text("[" * 100_000)  # unterminated, and too deep long before its end
    with pytest.raises(KeyFormatError, match="nested deeper"):
        read_json(path, KeyFormatError)
    brackets = "[{" * 100 + '\\"' + "]}" * 3  # inside strings, an escaped quote among them: no nesting
    path.write_text(json.dumps([brackets, {"k[": "]"}]))
    assert read_json(path) == [brackets, {"k[": "]"}]


def test_read_json_names_the_file_it_cannot_read(tmp_path):
    for data, message in ((b'["\xff"]', "can't decode byte 0xff"), (b"[1,", "Expecting value"),
                          (b"[" + b"1" * 5000 + b"]", "Exceeds the limit")):
        (tmp_path / "x.json").write_bytes(data)
        with pytest.raises(JsonFormatError, match=rf"x\.json: .*{message}"):
            read_json(tmp_path / "x.json")
    with pytest.raises(JsonFormatError, match="missing.json"):
        read_json(tmp_path / "missing.json")
