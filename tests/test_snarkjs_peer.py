"""The snarkjs benchmark harness (zkwork.bench.snarkjs_peer + tools/snarkjs_peer.mjs) on the
small Membership circuit (depth 4, power 11), from a cold cache in tmp_path: report shape,
positive timings of every run (witness, prove, fullprove, verify), a second call served from the cache, the exported snarkjs proof
accepted by zkwork's verifier, and the keys made by zkwork's fast path: `snarkjs powersoftau
verify` accepts zkwork's phase-1 file, the prepared ptau is snarkjs's `prepare phase2` of it
byte for byte, and `snarkjs zkey verify` accepts the zkey."""
import json
import statistics
import subprocess
from pathlib import Path

import pytest
from node_tools import ROOT

from zkwork.bench import snarkjs_peer
from zkwork.bench.snarkjs_peer import SnarkjsPeerError, measure_snarkjs
from zkwork.gadgets.merkle import SparseMerkleTree
from zkwork.gadgets.native_poseidon import poseidon
from zkwork.groth16 import verify
from zkwork.groth16.snarkjs_json import (
    read_json_as,
    proof_from_json,
    public_from_json,
    vk_from_json,
)
from zkwork.patterns.encoding import encode_pid

MAIN = ROOT / "circuits" / "main" / "membership_reference_d4.circom"
SNARKJS = ROOT / "node_modules" / ".bin" / "snarkjs"
DEPTH, INDEX = 4, 5


def membership_input():
    """Input of MembershipReference(4) (signals: see circuits/membership_reference.circom)
    for a PID registered at leaf INDEX among other leaves, and the tree's root."""
    pid = encode_pid("JP-13-113-01-T07-B12-BN02-R342")
    others = {1: encode_pid("JP-13-101-02"), 12: encode_pid("JP-27-100-01-T01")}
    tree = SparseMerkleTree(DEPTH, {INDEX: poseidon([pid]), **{i: poseidon([p]) for i, p in others.items()}})
    siblings, bits = tree.path(INDEX)
    return {"pid": pid, "pathElements": siblings, "pathIndices": bits}, tree.root


@pytest.fixture(scope="module")
def cold_and_warm(tmp_path_factory):
    cache = tmp_path_factory.mktemp("snarkjs_cache")
    inputs, root = membership_input()
    cold = measure_snarkjs(MAIN, inputs, runs=3, verify_runs=5, cache_dir=cache,
                           export_dir=tmp_path_factory.mktemp("cold_proof"))
    warm = measure_snarkjs(MAIN, inputs, runs=2, verify_runs=3, cache_dir=cache)
    return cold, warm, root, cache


@pytest.mark.node
@pytest.mark.slow
def test_report_shape_and_timings(cold_and_warm):
    cold, _, _, cache = cold_and_warm
    expected = json.loads((ROOT / "circuits" / "expected_counts.json").read_text())["circuits"][MAIN.stem]
    assert cold["circuit"] == MAIN.stem and cold["snarkjs"] == "0.7.6"
    assert cold["constraints"] == expected["constraints"]
    assert cold["public"] == 1
    # The smallest domain holding constraints + public signals + 1: 1181 + 1 + 1 -> 2^11.
    domain = cold["constraints"] + cold["public"] + 1
    assert 2 ** (cold["domain_power"] - 1) < domain <= 2 ** cold["domain_power"] == 2 ** cold["ptau_power"]
    runs = ("witness_ms", "prove_ms", "fullprove_ms")
    assert [len(cold[key]) for key in runs] == [3, 3, 3] and len(cold["verify_ms"]) == 5
    assert all(ms > 0 for key in (*runs, "verify_ms") for ms in cold[key])
    assert statistics.median(cold["verify_ms"]) < statistics.median(cold["prove_ms"])
    assert cold["zkey_bytes"] > 0
    assert set(cold["setup_steps_s"]) == {"compile", "phase1", "prepare", "zkey", "vk"}
    assert cold["setup_s"] == pytest.approx(sum(cold["setup_steps_s"].values()))
    assert all(s > 0 for s in cold["setup_steps_s"].values())
    paths = cold["paths"]
    assert Path(paths["zkey"]).name == "p11-zkwork.zkey"  # the recipe in the name: older snarkjs-made keys are not taken
    for key in ("r1cs", "wasm", "ptau", "zkey", "verification_key", "proof", "public"):
        assert Path(paths[key]).is_file(), key
    assert paths["ptau"].startswith(str(cache)) and paths["zkey"].startswith(str(cache))


@pytest.mark.node
@pytest.mark.slow
def test_second_call_uses_the_cache(cold_and_warm):
    cold, warm, _, _ = cold_and_warm
    assert warm["setup_s"] == 0
    assert warm["setup_steps_s"] == {"compile": 0, "phase1": 0, "prepare": 0, "zkey": 0, "vk": 0}
    for key in ("ptau", "zkey", "verification_key"):
        assert warm["paths"][key] == cold["paths"][key]
    assert len(warm["prove_ms"]) == len(warm["fullprove_ms"]) == len(warm["witness_ms"]) == 2
    assert len(warm["verify_ms"]) == 3
    # Without export_dir the proof lands in the circuit's cache directory.
    assert warm["paths"]["proof"].startswith(warm["paths"]["circuit_dir"])


@pytest.mark.node
@pytest.mark.slow
@pytest.mark.parametrize("which", [0, 1], ids=["cold", "warm"])
def test_zkwork_verifies_the_exported_proof(cold_and_warm, which):
    report, root = cold_and_warm[which], cold_and_warm[2]
    paths = report["paths"]
    vk = read_json_as(paths["verification_key"], vk_from_json)
    public = read_json_as(paths["public"], public_from_json)
    proof = read_json_as(paths["proof"], proof_from_json)
    assert public == [root]
    assert verify(vk, public, proof)
    assert not verify(vk, [root + 1], proof)


@pytest.mark.node
@pytest.mark.slow
def test_the_fast_path_keys_are_snarkjs_s(cold_and_warm, tmp_path):
    paths = cold_and_warm[0]["paths"]
    phase1 = Path(paths["cache"]) / "ptau" / "pot11.phase1.ptau"
    verdict = subprocess.run([SNARKJS, "powersoftau", "verify", phase1], capture_output=True, text=True)
    assert verdict.returncode == 0 and "Powers of Tau Ok!" in verdict.stdout, verdict.stdout[-2000:]
    theirs = tmp_path / "snarkjs.ptau"
    subprocess.run([SNARKJS, "powersoftau", "prepare", "phase2", phase1, theirs], check=True, capture_output=True)
    assert theirs.read_bytes() == Path(paths["ptau"]).read_bytes()
    verdict = subprocess.run([SNARKJS, "zkey", "verify", paths["r1cs"], paths["ptau"], paths["zkey"]],
                             capture_output=True, text=True)
    assert verdict.returncode == 0 and "ZKey Ok!" in verdict.stdout, verdict.stdout[-2000:]


@pytest.mark.node
@pytest.mark.slow  # compiles the circuit
def test_too_small_a_power_is_refused_before_any_key(tmp_path):
    with pytest.raises(SnarkjsPeerError, match="needs a ptau of power >= 11, not 10"):
        snarkjs_peer.peer_keys(MAIN, tmp_path, power=10)
    assert not (tmp_path / "ptau").exists()


def test_a_circuit_shares_the_smallest_prepared_ptau_it_fits_in(tmp_path):
    (tmp_path / "ptau").mkdir()
    for name in ("pot9.ptau", "pot12.ptau", "pot14.ptau", "pot10.phase1.ptau"):
        (tmp_path / "ptau" / name).write_bytes(b"")
    assert [snarkjs_peer._shared_ptau_power(tmp_path, power) for power in (8, 10, 12, 13, 15)] == [9, 12, 12, 14, 15]


def test_the_circuit_hash_covers_the_included_files():
    files = snarkjs_peer.source_files(MAIN)
    assert MAIN in files and len(files) > 1 and files == sorted(files, key=str)
    assert all(file.is_file() for file in files)


def test_missing_node_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(snarkjs_peer.shutil, "which", lambda name: None)
    with pytest.raises(SnarkjsPeerError, match="node is not on PATH"):
        measure_snarkjs(MAIN, {})


def test_missing_node_modules_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(snarkjs_peer.shutil, "which", lambda name: "/usr/bin/node")
    monkeypatch.setattr(snarkjs_peer, "NODE_MODULES", tmp_path / "node_modules")
    with pytest.raises(SnarkjsPeerError, match=r"snarkjs.*missing; run `make install`"):
        measure_snarkjs(MAIN, {})


def test_inputs_must_be_integers(tmp_path):
    with pytest.raises(TypeError, match="int or a list"):
        measure_snarkjs(MAIN, {"pid": 1.5}, cache_dir=tmp_path)
