"""`zkwork bench groth16`: proofs timed end to end (input JSON in, proof JSON out), the
witness and the prove as columns of their own, snarkjs's fullProve beside them."""
import importlib.util
import json

import pytest

from zkwork.bench.groth16 import _end_to_end, bench_pattern, format_markdown
from zkwork.cli import main
from zkwork.groth16 import prepare_verifying_key, setup, verify
from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json
from zkwork.patterns import PATTERNS, get_pattern
from zkwork.prover import Prover
from zkwork.r1cs.inputs import inputs_to_json
from zkwork.r1cs.witness_program import WitnessProgram


def small_membership():
    return get_pattern("membership", "hardened", **PATTERNS["membership"].small_params())


def test_the_cli_reports_witness_and_end_to_end_beside_the_prove(tmp_path, capsys):
    out, markdown = tmp_path / "bench.json", tmp_path / "bench.md"
    assert main(["bench", "groth16", "--quick", "--pattern", "membership", "--variant", "hardened", "--no-peers",
                 "--prove-runs", "3", "--verify-runs", "3", "--out", str(out), "--markdown", str(markdown)]) == 0
    results = json.loads(out.read_text())
    (row,) = results["rows"]
    assert (row["pattern"], row["variant"]) == ("membership", "hardened")
    assert len(row["end_to_end_ms"]) == len(row["witness_ms"]) == len(row["prove_ms"]) == 3
    # each run's end to end holds its witness and its prove (and the JSON around them)
    assert all(total >= witness + prove for total, witness, prove in
               zip(row["end_to_end_ms"], row["witness_ms"], row["prove_ms"]))
    assert 0 < row["witness_median_ms"] < row["end_to_end_median_ms"] <= row["end_to_end_p95_ms"]
    assert row["prove_median_ms"] <= row["end_to_end_median_ms"] and row["compile_s"] > 0
    assert "witness_s" not in row and "load_before" in results["span"]
    text = markdown.read_text()
    assert "end to end (input JSON in, proof JSON out)" in text and "| snarkjs fullprove |" in text
    assert "| membership | hardened | 1,213 |" in text


def test_proofs_made_end_to_end_verify_and_a_changed_public_signal_does_not():
    pattern = small_membership()
    program = WitnessProgram.record(pattern.circuit)
    pk = setup(program.r1cs)
    prover = Prover(program, pk, label=pattern.label)
    timing, stages, outputs = _end_to_end(prover, json.dumps(inputs_to_json(pattern.sample_inputs())), 2,
                                          lambda message: None)
    assert len(timing.runs_s) == len(stages) == len(outputs) == 2
    assert all({"witness_s", "prove_s", "witness_cpu_s", "prove_cpu_s"} <= set(stage) for stage in stages)
    pvk = prepare_verifying_key(pk.vk)
    proof_text, public_text = outputs[-1]
    proof, public = proof_from_json(json.loads(proof_text)), public_from_json(json.loads(public_text))
    assert verify(pvk, public, proof)
    assert not verify(pvk, [public[0] + 1] + public[1:], proof)


@pytest.mark.slow
@pytest.mark.node
def test_snarkjs_fullprove_and_both_wasm_witnesses_in_the_same_run(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKWORK_SNARKJS_CACHE", str(tmp_path / "snarkjs-cache"))
    row = bench_pattern(small_membership(), prove_runs=3, verify_runs=3, batch=3, peer=True, peer_runs=(2, 4))
    assert "snarkjs_error" not in row and "wasm_witness_error" not in row, row
    assert row["snarkjs_constraints"] == row["constraints"]
    assert 0 < row["snarkjs_witness_median_ms"] < row["snarkjs_fullprove_median_ms"] <= row["snarkjs_fullprove_p95_ms"]
    assert row["end_to_end_ratio"] == pytest.approx(row["end_to_end_median_ms"] / row["snarkjs_fullprove_median_ms"])
    assert len(row["end_to_end_ms"]) == 3 and len(row["snarkjs_fullprove_ms"]) == 2  # the peers' own run count
    assert len(row["wasm_witness_ms"]) == 2 and row["wasm_witness_median_ms"] > 0
    if importlib.util.find_spec("groth16py") is None:
        assert "groth16py is not installed" in row["arkworks_error"]
    else:  # arkworks and zkwork on one thread, the Circom twin's zkey, every proof checked
        assert len(row["arkworks_prove_ms"]) == len(row["zkwork_1t_prove_ms"]) == 2
        assert row["cpu_ratio_1t"] > 0
    text = format_markdown({"machine": {"cpu_model": "test", "cpu_count": 1, "git_commit": None}, "rows": [row]})
    assert "n/a" not in text and ("Per core: arkworks" in text) == ("arkworks_error" not in row)


@pytest.mark.slow
def test_contention_times_the_proofs_again_beside_competitors_after_the_quiet_runs(tmp_path):
    out = tmp_path / "bench.json"
    assert main(["bench", "groth16", "--quick", "--pattern", "membership", "--variant", "hardened", "--no-peers",
                 "--prove-runs", "3", "--verify-runs", "2", "--contention", "1", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    (row,) = results["rows"]
    busy = row["contention"]
    assert results["contention"] == 1 and busy["window"]["competitors"] == 1 and busy["window"]["all_stopped"]
    assert busy["window"]["competitor_cpu_s"] > 0 and len(busy["busy_ms"]) == 3
    assert busy["quiet_median_ms"] == pytest.approx(row["end_to_end_median_ms"])
    assert busy["busy_p95_over_quiet_median"] == pytest.approx(busy["busy_p95_ms"] / busy["quiet_median_ms"])


def test_a_negative_contention_is_a_usage_error():
    assert main(["bench", "groth16", "--quick", "--no-peers", "--contention", "-1"]) == 64
