"""zkwork.bench.throughput: an end-to-end proof request in one process, and the whole
measurement on a LocalCluster of two worker processes and a small pattern."""
import json

import pytest

from zkwork.bench.throughput import _chunks, _verify_texts, end_to_end, input_text, measure_throughput, throughput_frame
from zkwork.groth16 import prepare_verifying_key, setup
from zkwork.patterns import get_pattern
from zkwork.prover import Prover
from zkwork.r1cs.witness_program import WitnessProgram


def test_verification_chunks_cycle_through_the_proofs():
    assert _chunks(["a", "b", "c"], 7, 3) == [["a", "b", "c"], ["a", "b", "c"], ["a"]]
    assert sum(map(len, _chunks(list(range(5)), 200, 25))) == 200


def test_an_end_to_end_request_times_the_witness_beside_the_prove():
    pattern = get_pattern("structure", "reference", components=4)
    program = WitnessProgram.record(pattern.circuit)
    prover = Prover(program, setup(program.r1cs), label=pattern.label)
    request = input_text(pattern)
    assert json.loads(request) == {name: [str(v) for v in value] if isinstance(value, list) else str(value)
                                   for name, value in pattern.sample_inputs().items()}
    (proof_text, public_text), stages = end_to_end(prover, request)
    assert _verify_texts(prepare_verifying_key(prover.pk.vk), proof_text, public_text)
    assert stages["witness_cpu_s"] > 0 and stages["witness_s"] > 0 and stages["prove_s"] > 0
    # the stages partition the request: input JSON text in, proof JSON text out
    assert stages["end_to_end_s"] == pytest.approx(stages["witness_s"] + stages["prove_s"])
    assert stages["end_to_end_cpu_s"] == pytest.approx(stages["witness_cpu_s"] + stages["prove_cpu_s"])
    assert stages["end_to_end_s"] >= stages["prove_s"]


@pytest.mark.slow
def test_throughput_with_one_and_two_workers(tmp_path):
    result = measure_throughput("structure", "reference", {"components": 4}, max_workers=2, proofs_per_worker=2,
                                verifications_per_worker=10, verify_chunk=4, key_dir=tmp_path / "key")
    rows = result["rows"]
    assert [row["workers"] for row in rows] == [1, 2] and [row["cores"] for row in rows] == [1, 2]
    assert [row["proofs"] for row in rows] == [2, 4] and [row["verifications"] for row in rows] == [10, 20]
    for row in rows:
        assert row["proofs_per_s"] == pytest.approx(row["proofs"] / row["proofs_wall_s"])
        assert row["proofs_per_s_per_core"] == pytest.approx(row["proofs_per_s"] / row["cores"])
        assert row["verifications_per_s"] > 0 and row["verify_wall_s"] > 0
        # CPU seconds of the workers: a wall-clock window includes scheduling and any other
        # job's use of the cores, so the CPU-second rate is at least the wall-clock one
        # (with slack for the client's share of a process's CPU time)
        # end-to-end proofs per CPU-second: the witness's CPU-seconds are in them
        assert row["proofs_per_cpu_s"] == pytest.approx(row["proofs"] / row["end_to_end_cpu_s"])
        assert row["end_to_end_cpu_s"] == pytest.approx(row["witness_cpu_s"] + row["prove_cpu_s"])
        assert row["witness_cpu_s"] > 0 and 0 < row["witness_share"] < 1
        assert row["end_to_end_median_ms"] >= row["prove_median_ms"] > 0 and row["witness_median_ms"] > 0
        assert row["verifications_per_cpu_s"] == pytest.approx(row["verifications"] / row["verify_cpu_s"])
        assert 0 < row["core_share"] <= 1.25
    assert rows[0]["efficiency"] == 1.0
    assert rows[1]["efficiency"] == pytest.approx(rows[1]["proofs_per_s"] / (2 * rows[0]["proofs_per_s"]))
    # the key was generated once and saved where the workers read it
    assert (tmp_path / "key" / "header.json").is_file()
    assert result["constraints"] == 410 and result["setup_s"] > 0
    assert len(result["jit_warm_up_s"]) == 2
    single = result["single_process"]
    assert single["numba_threads"] == result["worker_pool_threads"][0] and single["proofs_per_s"] > 0
    assert single["end_to_end_median_s"] >= single["prove_median_s"] and single["witness_median_s"] > 0
    assert list(throughput_frame(result).index) == [1, 2]
