"""The load-test study: the M/G/c model against the M/M/c closed forms, the capacity at SLA
interpolated between load steps, the percentiles' confidence intervals, the report's capacity
plan from a Result read back from JSON, and (slow) the quick study end to end against a real
`zkwork serve` and a real Prometheus."""
import json
import math

import matplotlib
import numpy as np
import pytest

from zkwork import queueing
from zkwork.capacity import CapacityInputError, guide_value, plan_at_sla
from zkwork.report_summary import format_summary
from zkwork.studies import load_test
from zkwork.studies.base import Run
from zkwork.studies.throughput import Params as ThroughputParams
from zkwork.studies.throughput import Result as ThroughputResult

matplotlib.use("Agg")
RUN = dict(machine={"cpu_model": "test CPU"}, started_utc="", finished_utc="", wall_s=200.0, cpu_s=50.0,
           load_before=0.5, load_after=1.0, cpu_count=2, threads=None)


def exponential(mean, count=50_000, seed=1):
    return np.random.default_rng(seed).exponential(mean, count)


@pytest.mark.parametrize("servers, rate", [(1, 3.0), (2, 5.0), (3, 7.0)])
def test_the_simulated_mean_wait_matches_erlang_c(servers, rate):
    service_rate = 4.0
    latencies, rejected = queueing.simulate(rate, exponential(1 / service_rate), servers, requests=60_000, seed=2)
    expected = queueing.mmc_mean_wait(rate, service_rate, servers)
    assert rejected == 0
    assert latencies.mean() - 1 / service_rate == pytest.approx(expected, rel=0.12)


def test_the_mm1_latency_percentile_matches_its_closed_form():
    # M/M/1: the time in system is exponential with rate mu - lambda
    latencies, _ = queueing.simulate(2.0, exponential(0.25), 1, requests=60_000, seed=3)
    assert np.percentile(latencies, 95) == pytest.approx(math.log(20) / (4.0 - 2.0), rel=0.08)


def test_a_full_queue_rejects_as_erlang_b_says():
    # one server and no waiting room: an arrival is lost while the server is busy, a share
    # rho / (1 + rho) whatever the service-time distribution (Erlang B is insensitive to it)
    service = np.random.default_rng(4).uniform(0.1, 0.3, 50_000)  # mean 0.2 s
    _, rejected = queueing.simulate(5.0, service, 1, queue=0, requests=40_000, seed=5)
    assert rejected == pytest.approx(1.0 / 2.0, abs=0.02)


def test_erlang_c_refuses_an_unstable_queue_and_knows_mm1():
    assert queueing.erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    with pytest.raises(CapacityInputError):
        queueing.erlang_c(2, 2.0)


def test_the_sla_rate_is_where_the_percentile_crosses_the_bound():
    service = np.full(1000, 0.1)  # M/D/1, 100 ms
    rate = queueing.sla_rate(service, 1, 95, 500, requests=20_000)
    assert 0 < rate < 10
    below, _ = queueing.simulate(rate * 0.97, service, 1, requests=20_000)
    above, _ = queueing.simulate(rate * 1.05, service, 1, requests=20_000)
    assert np.percentile(below, 95) * 1e3 < 500 < np.percentile(above, 95) * 1e3
    assert queueing.sla_rate(np.full(10, 0.6), 1, 95, 500) is None  # a service time alone misses it
    rows = queueing.predict([5.0, 12.0], service, 1)
    assert rows[0]["p95_ms"] > 100 and rows[1]["p95_ms"] is None  # no steady state beyond saturation


def test_the_order_statistic_interval_is_the_textbook_one():
    values = np.arange(1, 101)[::-1]  # order does not matter
    assert queueing.order_statistic_interval(values, 0.5) == [40.0, 61.0]
    low, high = queueing.order_statistic_interval(values, 0.99)
    assert low is not None and high is None  # 100 samples cannot bound a P99 from above
    assert queueing.order_statistic_interval([], 0.5) == [None, None]


def step(offered, p95, share_503=0.0, goodput=None, sent=20):
    return {"offered_rate": offered, "goodput": offered if goodput is None else goodput, "p95_ms": p95,
            "share_503": share_503, "sent": sent, "ok": sent}


def test_capacity_at_sla_interpolates_between_the_steps_around_the_crossing():
    rows = [step(4.0, 600), step(1.0, 300), step(6.0, 1400), step(8.0, 2000)]
    at_sla = load_test.capacity_at_sla(rows, "p95_ms", 1000, 0.001)
    assert at_sla["rate"] == pytest.approx(4.0 + 2.0 * (1000 - 600) / (1400 - 600))
    assert "interpolated" in at_sla["method"] and (at_sla["from_step"], at_sla["to_step"]) == (1, 2)


def test_capacity_at_sla_reads_a_noisy_dip_on_the_monotone_fit():
    # the 1200 ms blip at 2/s pools with the steps after it (mean 800 ms): the SLA holds to 4/s
    rows = [step(1.0, 300), step(2.0, 1200), step(3.0, 500), step(4.0, 700), step(5.0, 1400), step(0.5, None, sent=0)]
    assert queueing.monotone_fit([300, 1200, 500, 700, 1400], [1] * 5) == pytest.approx([300, 800, 800, 800, 1400])
    at_sla = load_test.capacity_at_sla(rows, "p95_ms", 1000, 0.001)
    assert at_sla["rate"] == pytest.approx(4.0 + (1000 - 800) / (1400 - 800))
    assert at_sla["fitted_ms"] == pytest.approx([300, 800, 800, 800, 1400])  # the step that sent nothing left out
    nothing = load_test.capacity_at_sla([step(1.0, 300), step(2.0, None)], "p95_ms", 1000, 0.001)
    assert nothing["rate"] == 1.0 and nothing["fitted_ms"] == [300, None]  # no 2xx at all: a miss


def test_capacity_at_sla_when_every_step_holds_none_does_or_503s_break_it():
    every = load_test.capacity_at_sla([step(1.0, 100), step(2.0, 200, goodput=1.9)], "p95_ms", 1000, 0.001)
    assert every["rate"] == 1.9 and every["method"].startswith("lower bound")
    none = load_test.capacity_at_sla([step(1.0, 1500), step(2.0, 2000)], "p95_ms", 1000, 0.001)
    assert none["rate"] is None
    shed = load_test.capacity_at_sla([step(1.0, 100), step(2.0, 400), step(3.0, 500, share_503=0.2)],
                                     "p95_ms", 1000, 0.001)
    assert shed["rate"] == 2.0 and "503" in shed["method"]


def test_a_step_stretches_to_expect_its_minimum_of_requests_within_a_bound():
    assert load_test.step_duration(14.0, 7.0, 10) == 14.0
    assert load_test.step_duration(14.0, 0.5, 10) == 20.0
    assert load_test.step_duration(14.0, 0.1, 10) == load_test.STRETCH * 14.0


def load_test_json(with_plan=True):
    """A load-test Result's JSON shape, the values arbitrary test data."""
    steps = []
    for kind, rates, p95s in (("proof", (1.0, 4.0, 6.0), (300.0, 700.0, 1300.0)),
                              ("verification", (20.0, 80.0, 120.0), (6.0, 20.0, 90.0))):
        for rate, p95 in zip(rates, p95s):
            steps.append({"kind": kind, "fraction": rate / rates[-1], "offered_rate": rate, "duration_s": 10.0,
                          "wall_s": 10.5, "scheduled": 10, "sent": 10, "ok": 10, "statuses": {"200": 10},
                          "goodput": rate, "share_503": 0.0, "p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 1.1,
                          "confidence": {"p50": [1.0, 2.0], "p95": [p95 * 0.9, None], "p99": [p95, None]},
                          "lateness_p99_ms": 1.0, "server_cpu_s": 5.0, "server_cpu_s_per_request": 0.25,
                          "server_cpu_cores": 1.5, "generator_cpu_s": 0.2, "generator_cpu_share": 0.05,
                          "prometheus": {"window_s": 11.0, "p95_ms": 480.0, "p95_error_bound_ms": 400.0,
                                         "p95_within_bound": True, "p99_ms": 496.0, "p99_error_bound_ms": 400.0,
                                         "p99_within_bound": True},
                          "alerts": {"HighProofGenerationLatency": "pending"}})
    plan = plan_at_sla(2.5, 40.0, "test") if with_plan else None
    result = load_test.Result(
        load_test.Params().to_json(), Run(**RUN), "membership/hardened/depth=20", "membership_hardened_d20", 2, 2, 8,
        {"proof": {"percentile": 95, "bound_ms": 1000, "max_error_share": 0.001},
         "verification": {"percentile": 99, "bound_ms": 50, "max_error_share": 0.0001}},
        {"proof": [100, 500], "verification": [5, 50]}, {}, {"proof": 6.5, "verification": 150.0}, steps,
        {"proof": {"rate": 5.0, "method": "interpolated in the percentile", "from_step": 1, "to_step": 2,
                   "per_core": 2.5},
         "verification": {"rate": 80.0, "method": "interpolated", "from_step": 1, "to_step": 2, "per_core": 40.0}},
        {kind: {"sla_rate": 6.0, "sla_rate_per_core": 3.0, "rows": []} for kind in ("proof", "verification")},
        {kind: {"step_offered_rate": 4.0, "server_cpu_s_per_request": 0.25, "generator_cpu_share": 0.05,
                "cpu_bound_rate": 7.6, "per_machine_core": 2.4} for kind in ("proof", "verification")},
        {"available": True, "scrape_interval_s": 1.0,
         "alerts_end": [{"name": "HighProofGenerationLatency", "state": "pending"}]},
        plan.summary() if plan else {}, {})
    return json.loads(json.dumps(result.to_json(), allow_nan=False))


def throughput_json():
    plan = ThroughputParams().plan(4.0, 500.0, "test")
    result = ThroughputResult({}, Run(**RUN), "membership", "hardened", {"label": "m"}, [], {}, plan.summary(),
                              {"proof_servers": [50, 100], "verification_servers": [10, 25],
                               "cost_per_month_usd": 15000}, [], [], [])
    return result.to_json()


def report(results):
    return {"run": "r1", "quick": False, "machine": {"cpu_model": "c", "cpu_count": 2, "git_commit": None},
            "notebooks": {name: {"status": "ok", "seconds": 1.0} for name in results}, "results": results}


def test_the_report_plans_on_the_capacity_at_sla_with_the_70_percent_rule_beside_it():
    summary = format_summary(report({"load-test": load_test_json(), "throughput-and-capacity": throughput_json()}))
    answer = summary[summary.index("## The answer"):summary.index("## Load test")]
    plan = load_test.Result.from_json(load_test_json()).plan
    assert "canonically from the capacity at SLA" in answer
    assert f"| proof servers | {plan['proof_servers']:,} | " in answer
    # 1000 proofs/s at 2.5/s per core on the guide's 8-core servers: 50 + 1 spare
    assert plan["proof_servers"] == math.ceil(guide_value("proof_peak_rate") / (2.5 * 8)) + 1
    assert "70 % rule (throughput study)" in answer and "How they differ" in answer
    assert "the 70 % rule counts 2.8/s per core (4 per CPU-second × 70%)" in answer
    load = summary[summary.index("## Load test"):summary.index("## Constraint budgets")]
    assert "| proof | 6 | 6 | 0.0% | 650 | 1300 [1170–?] | 1430 [1300–?] | 480 (±400) |" in load
    assert "480 (±400)" in load and "HighProofGenerationLatency pending" in load


def test_without_the_load_test_the_report_falls_back_to_the_throughput_plan_and_says_so():
    summary = format_summary(report({"throughput-and-capacity": throughput_json()}))
    assert "the plan falls back to the throughput study's 70 % rule" in summary
    assert "Load test **not run**" in summary
    summary = format_summary(report({"load-test": load_test_json(with_plan=False),
                                     "throughput-and-capacity": throughput_json()}))
    assert "measured no capacity at SLA" in summary


@pytest.mark.slow
def test_the_quick_study_runs_end_to_end_against_serve_and_prometheus():
    result = load_test.run(load_test.Params.quick())
    again = load_test.Result.from_json(json.loads(json.dumps(result.to_json(), allow_nan=False)))
    params = load_test.Params.quick()
    assert len(again.steps) == 2 * len(params.fractions)
    for row in again.steps:
        # every scheduled request was sent or, at the generator's concurrency cap, counted as dropped
        # (the verification steps at 130 % of a fast server drop some on a loaded 2-core machine)
        assert row["sent"] + row["statuses"].get("dropped", 0) == row["scheduled"] > 0
        assert row["sent"] > 0 and row["ok"] > 0 and row["server_cpu_s"] > 0
        assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]
        assert 0 <= row["generator_cpu_share"] < 1 and set(row["confidence"]) == {"p50", "p95", "p99"}
    if again.prometheus["available"]:  # a step whose scrape failed on a loaded machine says so instead
        assert any(row["prometheus"].get("p95_ms") is not None and row["alerts"] for row in again.steps)
        assert all(row["prometheus"].get("p95_ms") is not None or row["prometheus"]["error"] for row in again.steps)
    assert again.sla["proof"]["bound_ms"] == guide_value("proof_latency_p95_ms")
    assert all(again.capacity[kind] > 0 for kind in ("proof", "verification"))
    assert again.model["proof"]["rows"] and again.accounting["proof"]["server_cpu_s_per_request"] > 0
    figures = load_test.figures(again)
    assert set(figures) == {"load-test-latency", "load-test-goodput"}
    matplotlib.pyplot.close("all")
