"""snarkjs's proofs checked by zkwork: a small Circom circuit goes through the whole snarkjs
pipeline (circom2 --O2, a power-8 powers of tau made here, groth16 setup, one zkey
contribution, witness, prove), and zkwork's verifier, reading snarkjs's JSON files, accepts
the proof and rejects it with a changed public input, with x + r in place of x, and with
pi_a changed. The ceremony is test-only (one contribution, throwaway entropy).
"""
import copy
import json

import pytest
from node_tools import run_node_tool

from zkwork.errors import JsonFormatError
from zkwork.field import P, R
from zkwork.groth16 import verify
from zkwork.groth16.snarkjs_json import (
    read_json_as,
    proof_from_json,
    public_from_json,
    vk_from_json,
    vk_to_json,
)

pytestmark = pytest.mark.node

# x is public, w private: w is a cube root of x; square = w^2 is a public output, so the
# public signals are [square, x] (outputs first, as circom orders them).
CIRCUIT = """pragma circom 2.1.6;
template CubeRoot() {
    signal input x;
    signal input w;
    signal output square;
    square <== w * w;
    x === square * w;
}
component main {public [x]} = CubeRoot();
"""
X, W = 125, 5


@pytest.fixture(scope="module")
def snarkjs_files(tmp_path_factory):
    """Directory holding snarkjs's verification_key.json, proof.json and public.json."""
    work = tmp_path_factory.mktemp("snarkjs_interop")
    (work / "cube.circom").write_text(CIRCUIT)
    run_node_tool("circom2", work / "cube.circom", "--O2", "--r1cs", "--wasm", "-o", work)

    def snarkjs(*args):
        return run_node_tool("snarkjs", *args)

    snarkjs("powersoftau", "new", "bn128", 8, work / "pot_0.ptau")
    snarkjs("powersoftau", "contribute", work / "pot_0.ptau", work / "pot_1.ptau", "--name=test", "-e=zkwork interop test")
    snarkjs("powersoftau", "prepare", "phase2", work / "pot_1.ptau", work / "pot.ptau")
    snarkjs("groth16", "setup", work / "cube.r1cs", work / "pot.ptau", work / "cube_0.zkey")
    snarkjs("zkey", "contribute", work / "cube_0.zkey", work / "cube.zkey", "--name=test", "-e=zkwork interop zkey")
    snarkjs("zkey", "export", "verificationkey", work / "cube.zkey", work / "verification_key.json")
    (work / "input.json").write_text(json.dumps({"x": str(X), "w": str(W)}))
    snarkjs("wtns", "calculate", work / "cube_js" / "cube.wasm", work / "input.json", work / "witness.wtns")
    snarkjs("groth16", "prove", work / "cube.zkey", work / "witness.wtns", work / "proof.json", work / "public.json")
    return work


@pytest.fixture(scope="module")
def parsed(snarkjs_files):
    return (read_json_as(snarkjs_files / "verification_key.json", vk_from_json),
            read_json_as(snarkjs_files / "public.json", public_from_json),
            read_json_as(snarkjs_files / "proof.json", proof_from_json))


def _json(path):
    return json.loads(path.read_text())


def test_zkwork_accepts_the_snarkjs_proof(snarkjs_files, parsed):
    vk, public, proof = parsed
    assert public == [W * W, X]
    assert vk.num_public == 2
    assert verify(vk, public, proof)
    # snarkjs's e(alpha, beta) in the same Fq12 tower zkwork writes.
    vk_json = _json(snarkjs_files / "verification_key.json")
    assert (vk_json["protocol"], vk_json["curve"], vk_json["nPublic"]) == ("groth16", "bn128", 2)
    # zkwork writes e(alpha, beta) in snarkjs's convention (see zkwork.groth16.snarkjs_json)
    assert vk_to_json(vk)["vk_alphabeta_12"] == vk_json["vk_alphabeta_12"]


def test_a_changed_public_input_is_rejected(snarkjs_files, parsed):
    vk, public, proof = parsed
    assert not verify(vk, [public[0], public[1] + 1], proof)
    assert not verify(vk, [public[0] + 1, public[1]], proof)
    assert not verify(vk, public[::-1], proof)


def test_x_plus_r_is_refused(snarkjs_files, parsed):
    vk, public, proof = parsed
    aliased = [str(public[0]), str(public[1] + R)]
    with pytest.raises(JsonFormatError, match=r"public\[1\]: .* not below the group order r"):
        public_from_json(aliased)
    assert not verify(vk, [public[0], public[1] + R], proof)


def test_a_changed_pi_a_is_rejected(snarkjs_files, parsed):
    vk, public, _ = parsed
    proof_json = _json(snarkjs_files / "proof.json")
    # -A: still a valid curve point, so only the pairing check can catch it.
    negated = copy.deepcopy(proof_json)
    negated["pi_a"][1] = str(P - int(proof_json["pi_a"][1]))
    assert not verify(vk, public, proof_from_json(negated))
    # x + 1: off the curve, refused by the reader already.
    shifted = copy.deepcopy(proof_json)
    shifted["pi_a"][0] = str((int(proof_json["pi_a"][0]) + 1) % P)
    with pytest.raises(JsonFormatError, match=r"proof\.pi_a: .*not on the G1 curve"):
        proof_from_json(shifted)

