"""zkwork.monitoring: the guide's metrics hold exactly the latencies given, the exposition
parses, histogram_quantile follows Prometheus, and the alert rules fire on constructed runs."""
import math

import pytest
from prometheus_client.parser import text_string_to_metric_families

from zkwork.monitoring import (PROOF_BUCKETS_MS, VERIFICATION_BUCKETS_MS, bucket_counts, evaluate_alerts, exposition,
                               histogram_quantile, measure_latencies, record_latencies, write_exposition)
from zkwork.patterns import get_pattern

# seconds; proof buckets 100, 500, 1000, 2000, 5000 ms; verification 5, 10, 20, 50, 100 ms
PROVE_S = [0.05, 0.1, 0.3, 0.7, 0.99, 1.5, 3.0, 7.0]
VERIFY_S = [0.002, 0.004, 0.006, 0.015, 0.03, 0.2]


def _run(prove_s=PROVE_S, verify_s=VERIFY_S, invalid_s=(0.003,), errors=0):
    return {"prove_s": list(prove_s), "verify_s": list(verify_s), "verify_invalid_s": list(invalid_s),
            "prove_errors": errors}


def _expected_cumulative(values_ms, bounds):
    return [sum(v <= bound for v in values_ms) for bound in bounds] + [len(values_ms)]


def _families(text):
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_bucket_counts_equal_the_latencies_per_bucket():
    metrics = record_latencies({"membership_hardened_d20": _run()})
    proof = bucket_counts(metrics.registry, "proof_generation_duration")["membership_hardened_d20"]
    assert [le for le, _ in proof] == [*map(float, PROOF_BUCKETS_MS), math.inf]
    assert [count for _, count in proof] == _expected_cumulative([s * 1e3 for s in PROVE_S], PROOF_BUCKETS_MS)
    assert [count for _, count in proof] == [2, 3, 5, 6, 7, 8]  # by hand: 50, 100 | 300 | 700, 990 | 1500 | 3000 | 7000
    verification = bucket_counts(metrics.registry, "verification_duration")["membership_hardened_d20"]
    # valid and invalid (status label) summed: 2, 3, 4 | 6 | 15 | 30 | - | 200
    assert [count for _, count in verification] == [3, 4, 5, 6, 6, 7]
    assert [count for _, count in verification] == _expected_cumulative(
        [s * 1e3 for s in VERIFY_S + [0.003]], VERIFICATION_BUCKETS_MS)


def test_the_exposition_parses_with_the_guide_names_labels_and_buckets(tmp_path):
    metrics = record_latencies({"structure_reference_k8": _run(), "version_hardened": _run(errors=1)})
    text = exposition(metrics.registry)
    families = _families(text)
    assert {"proof_generation_duration", "verification_duration", "proof_generation_rate",
            "proof_generation_errors", "verification_rate", "verification_errors"} <= set(families)
    buckets = [s for s in families["proof_generation_duration"].samples if s.name.endswith("_bucket")]
    assert {s.labels["le"] for s in buckets} == {"100.0", "500.0", "1000.0", "2000.0", "5000.0", "+Inf"}
    assert all(set(s.labels) == {"circuit_type", "status", "le"} for s in buckets)
    count = {s.labels["circuit_type"]: s.value for s in families["proof_generation_rate"].samples
             if s.name == "proof_generation_rate_total"}
    assert count == {"structure_reference_k8": len(PROVE_S), "version_hardened": len(PROVE_S)}
    errors = [s for s in families["verification_errors"].samples if s.name == "verification_errors_total"]
    assert [(s.labels, s.value) for s in errors] == [({"error_type": "invalid_proof"}, 2.0)]
    total = [s for s in families["proof_generation_duration"].samples
             if s.name == "proof_generation_duration_sum" and s.labels["circuit_type"] == "version_hardened"]
    assert total[0].value == pytest.approx(sum(PROVE_S) * 1e3)
    path = write_exposition(metrics.registry, tmp_path / "out" / "metrics.prom")
    assert path.read_text() == text


def test_histogram_quantile_follows_prometheus():
    buckets = [(100.0, 2), (500.0, 3), (1000.0, 5), (2000.0, 6), (5000.0, 7), (math.inf, 8)]
    # rank 0.5 * 8 = 4: in (500, 1000], 1 of its 2 observations -> 500 + 500 * 1/2
    assert histogram_quantile(0.5, buckets) == 750.0
    # rank 1: in the first bucket, from 0 -> 100 * 1/2
    assert histogram_quantile(0.125, buckets) == 50.0
    # rank 7.6 lies in +Inf: the highest finite bound
    assert histogram_quantile(0.95, buckets) == 5000.0
    assert math.isnan(histogram_quantile(0.95, [(100.0, 0), (math.inf, 0)]))


def _by_name(alerts, name, circuit_type=None):
    return [a for a in alerts if a["name"] == name and a["labels"].get("circuit_type") == circuit_type]


def test_latency_alerts_fire_only_above_the_guide_thresholds():
    slow = _run(prove_s=[1.5] * 20)  # P95 in (1000, 2000]
    fast = _run(prove_s=[0.2] * 20, verify_s=[0.002] * 20, invalid_s=[])
    slow_verify = _run(prove_s=[0.2] * 20, verify_s=[0.07] * 100, invalid_s=[])
    latencies = {"slow": slow, "fast": fast, "slow_verify": slow_verify}
    alerts = evaluate_alerts(record_latencies(latencies), latencies)
    (high,) = _by_name(alerts, "HighProofGenerationLatency", "slow")
    assert high["fires"] and high["threshold"] == 1000
    assert high["value"] == pytest.approx(1000 + 1000 * 0.95)  # rank 19 of 20 in (1000, 2000]
    assert high["exact_value"] == pytest.approx(1500)
    (ok,) = _by_name(alerts, "HighProofGenerationLatency", "fast")
    assert not ok["fires"] and ok["value"] < 1000
    (sla_ok,) = _by_name(alerts, "VerificationLatencySLA", "fast")
    assert not sla_ok["fires"] and sla_ok["value"] <= 5
    (sla_slow,) = _by_name(alerts, "VerificationLatencySLA", "slow_verify")
    assert sla_slow["fires"] and sla_slow["threshold"] == 50 and 50 < sla_slow["value"] <= 100


def test_verification_failure_spike_counts_invalid_proofs():
    # 1 invalid of 10 verifications = 10%: not above 10%
    at = {"a": _run(verify_s=[0.002] * 9, invalid_s=[0.002])}
    (row,) = _by_name(evaluate_alerts(record_latencies(at)), "VerificationFailureSpike")
    assert row["value"] == pytest.approx(0.10) and not row["fires"]
    # 2 invalid of 10 across two circuit types = 20%: fires (the metric has no circuit_type label)
    above = {"a": _run(verify_s=[0.002] * 4, invalid_s=[0.002]), "b": _run(verify_s=[0.002] * 4, invalid_s=[0.002])}
    (row,) = _by_name(evaluate_alerts(record_latencies(above)), "VerificationFailureSpike")
    assert row["value"] == pytest.approx(0.20) and row["fires"]


def test_proof_generation_down_and_the_error_rate():
    latencies = {"idle": _run(prove_s=[], errors=3), "busy": _run(prove_s=[0.2] * 999, errors=1)}
    alerts = evaluate_alerts(record_latencies(latencies))
    (idle,) = _by_name(alerts, "ProofGenerationDown", "idle")
    (busy,) = _by_name(alerts, "ProofGenerationDown", "busy")
    assert idle["fires"] and idle["value"] == 0
    assert not busy["fires"] and busy["value"] == 999
    (idle_err,) = _by_name(alerts, "ProofErrorRateSLA", "idle")
    (busy_err,) = _by_name(alerts, "ProofErrorRateSLA", "busy")
    assert idle_err["fires"] and idle_err["value"] == 1.0
    assert not busy_err["fires"] and busy_err["value"] == pytest.approx(0.001)  # 1 of 1000: not above 0.1%
    # no proofs, no histogram series: nothing for the latency rule to evaluate
    assert _by_name(alerts, "HighProofGenerationLatency", "idle") == []


def test_a_run_without_verifications_has_no_failure_rate():
    alerts = evaluate_alerts(record_latencies({"a": _run(verify_s=[], invalid_s=[])}))
    (row,) = _by_name(alerts, "VerificationFailureSpike")
    assert row["value"] is None and not row["fires"]


def test_measured_latencies_reject_the_invalid_proofs():
    pattern = get_pattern("structure", "reference", components=4)
    run = measure_latencies(pattern, prove_runs=2, verify_runs=3, invalid_proofs=2)
    assert run["circuit_type"] == "structure_reference_k4"
    assert len(run["prove_s"]) == 2 and len(run["verify_s"]) == 3 and len(run["verify_invalid_s"]) == 2
    # prove_s is end to end (input JSON in, proof JSON out): the witness stage, recorded apart, is in it
    assert len(run["witness_s"]) == len(run["witness_cpu_s"]) == len(run["prove_stage_s"]) == 2
    assert all(w > 0 for w in run["witness_cpu_s"]) and run["first_witness_s"] > 0
    for total, witness, prove in zip(run["prove_s"], run["witness_s"], run["prove_stage_s"]):
        assert witness > 0 and prove > 0 and total >= witness + prove
    alerts = evaluate_alerts(record_latencies({run["circuit_type"]: run}), {run["circuit_type"]: run})
    (spike,) = _by_name(alerts, "VerificationFailureSpike")
    assert spike["value"] == pytest.approx(2 / 5) and spike["fires"]
