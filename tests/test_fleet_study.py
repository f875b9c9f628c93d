"""zkwork.studies.fleet without its measurements: the validation against a synthetic load-test
Result (whose percentiles come from zkwork.queueing's independent M/G/c simulation), the
verdicts and the cost/SLA frontier."""
import json

import numpy as np
import pytest

pytest.importorskip("simpy")

from zkwork import queueing  # noqa: E402
from zkwork.studies import fleet, load_test  # noqa: E402
from zkwork.studies.base import Run  # noqa: E402


def _synthetic_load_test(proof_ms, verify_ms, workers, fractions, skew=None):
    """A load_test.Result of a service with these calibration times: each step's P95 as
    zkwork.queueing simulates it (times `skew[fraction]` where given), capacity at SLA by
    queueing.sla_rate."""
    skew = skew or {}
    calibration, steps, at_sla = {}, [], {}
    for kind, times_ms, servers, quantile, bound in (("proof", proof_ms, workers, 95, 1000),
                                                     ("verification", verify_ms, 1, 99, 50)):
        service_s = np.asarray(times_ms) / 1e3
        capacity = servers / service_s.mean()
        calibration[kind] = {"service_ms": list(times_ms), "servers": servers, "saturation": {"capacity": capacity}}
        for fraction in fractions:
            rate = fraction * capacity
            latencies, _ = queueing.simulate(rate, service_s, servers, requests=8000, seed=3)
            steps.append({"kind": kind, "fraction": fraction, "offered_rate": rate,
                          "p95_ms": 1e3 * float(np.percentile(latencies, 95)) * skew.get(fraction, 1.0),
                          "generator_cpu_share": 0.05})
        at_sla[kind] = {"rate": queueing.sla_rate(service_s, servers, quantile, bound, requests=8000, seed=3)}
    run = Run({"cpu_model": "synthetic"}, "", "", 1.0, 1.0, 0.0, 0.0, workers)
    return load_test.Result({}, run, "synthetic", "synthetic", workers, workers, 4 * workers, {}, {}, calibration,
                            {}, steps, at_sla, {}, {}, {}, {}, {})


def test_the_one_server_model_reproduces_a_consistent_load_test_and_its_sizing():
    rng = np.random.default_rng(1)
    load = _synthetic_load_test(rng.normal(400, 20, 40).tolist(), rng.normal(4, 0.3, 60).tolist(), 2,
                                (0.1, 0.5, 0.7, 0.85))
    again = load_test.Result.from_json(json.loads(json.dumps(load.to_json())))  # as read from the JSON file
    validation = fleet.validate_with_load_test(again, requests=6000)
    assert {row["fraction"] for row in validation["steps"]} == {0.1, 0.5, 0.7}  # 0.85 > 80 % left out
    assert validation["all_within"], validation["steps"]
    for kind, sizing in validation["sizing"].items():
        assert sizing["agrees"], (kind, sizing)
        assert sizing["model_servers"] is not None and sizing["measured_servers"] is not None
    assert len(validation["notes"]) == 1  # the general caveat only: calibration and saturation agree


def test_a_load_test_slower_than_the_model_is_flagged():
    rng = np.random.default_rng(2)
    load = _synthetic_load_test(rng.normal(400, 20, 40).tolist(), rng.normal(4, 0.3, 60).tolist(), 2,
                                (0.1, 0.7), skew={0.7: 1.6})
    validation = fleet.validate_with_load_test(load, requests=4000)
    within = {(row["kind"], row["fraction"]): row["within"] for row in validation["steps"]}
    assert within[("proof", 0.1)] and not within[("proof", 0.7)] and not validation["all_within"]


def test_a_service_slower_under_load_than_alone_is_named_and_a_lower_bound_is_met_from_above():
    rng = np.random.default_rng(3)
    load = _synthetic_load_test(rng.normal(400, 20, 40).tolist(), rng.normal(4, 0.3, 60).tolist(), 2, (0.1,))
    load.calibration["proof"]["saturation"]["capacity"] /= 2  # the saturating step sustained half the rate
    load.capacity_at_sla["proof"] = {"rate": 0.5 * load.capacity_at_sla["proof"]["rate"],
                                     "method": "lower bound: every step holds"}
    validation = fleet.validate_with_load_test(load, requests=2000)
    (note,) = [note for note in validation["notes"] if note.startswith("proof:")]
    assert "slower under load than alone" in note
    assert validation["sizing"]["proof"]["ratio"] > 1.5 and validation["sizing"]["proof"]["agrees"]


def test_a_missing_load_test_file_is_none(tmp_path):
    assert fleet.read_load_test(tmp_path / "load-test.json") is None


def test_a_tier_meets_its_sla_with_every_minute_and_errors_within_the_guides_rate():
    good = {"requests": 1e6, "minutes_within_sla": 1.0, "requests_within_sla": 1.0, "rejected": 0.0, "lost": 0.0,
            "worst_minute_ms": 700.0, "sla": "P95 <= 1000 ms"}
    assert fleet.verdict("proof", good)["meets"]
    assert not fleet.verdict("proof", {**good, "minutes_within_sla": 0.99})["latency_ok"]
    assert not fleet.verdict("proof", {**good, "minutes_within_sla": None})["meets"]
    assert fleet.verdict("proof", {**good, "lost": 1000.0})["meets"]  # 0.1 %: the guide's proof error rate
    lost = fleet.verdict("proof", {**good, "lost": 1001.0})
    assert lost["latency_ok"] and not lost["errors_ok"] and not lost["meets"]
    assert not fleet.verdict("verification", {**good, "rejected": 101.0})["meets"]  # above 0.01 %


def test_the_frontier_keeps_the_cases_nothing_beats_on_cost_and_compliance():
    rows = [{"id": "a", "compute_cost_month_usd": 10, "proof.minutes_within_sla": 0.90},
            {"id": "b", "compute_cost_month_usd": 12, "proof.minutes_within_sla": 0.85},  # beaten by a
            {"id": "c", "compute_cost_month_usd": 15, "proof.minutes_within_sla": 1.0},
            {"id": "d", "compute_cost_month_usd": 20, "proof.minutes_within_sla": 1.0}]  # beaten by c
    assert [row["id"] for row in fleet.frontier(rows)] == ["a", "c"]
