"""`zkwork bench service` on membership hardened depth 4 with a few requests: the JSON's shape
and sanity (the timing targets are the benchmark's to judge, never a test's)."""
import json
import math

import pytest

from zkwork.cli import main as zkwork_main

pytestmark = pytest.mark.slow  # a server's start and warm-up, ~10 s


def _finite(summary):
    return all(math.isfinite(summary[key]) for key in ("median", "p95", "mean"))


def test_bench_service_reports_every_figure(tmp_path):
    out = tmp_path / "service.json"
    assert zkwork_main(["bench", "service", "--depth", "4", "--prove-runs", "3", "--verify-runs", "10",
                        "--warmup", "1", "--out", str(out), "--markdown", str(tmp_path / "service.md")]) == 0
    results = json.loads(out.read_text())
    assert results["circuit"]["name"] == "membership_hardened_d4"
    assert results["runs"] == {"prove": 3, "verify": 10, "health": 10, "warmup": 1}

    assert len(results["prove"]) == 3
    for row in results["prove"]:
        assert row["latency_s"] > row["worker_s"] > 0  # the client waits for the worker's proof
        assert {"witness_s", "witness_cpu_s", "prove_s", "prove_cpu_s"} <= set(row["worker_timings"])
    verify = results["verify"]
    assert verify["all_valid"] is True
    assert len(verify["latency_ms"]) == len(verify["in_process_ms"]) == 10
    assert verify["server_cpu_s"] > 0 and all(cpu > 0 for cpu in verify["in_process_cpu_ms"])

    figures = results["figures"]
    summaries = [value for value in figures.values() if isinstance(value, dict) and "median" in value]
    assert len(summaries) == 8 and all(_finite(s) for s in summaries)
    assert figures["verify_server_cpu_ms"] > 0 and figures["verify_in_process_cpu_ms"] > 0
    assert math.isfinite(figures["verify_cpu_ratio"])
    assert set(figures["targets"]) == set(results["targets"]) == {
        "prove_overhead_median_ms", "verify_overhead_median_ms", "verify_cpu_ratio"}
    assert all(isinstance(t["met"], bool) for t in figures["targets"].values())

    placement = results["verify_placement"]
    assert placement["one_thread_per_s"] > 0 and placement["two_threads_per_s"] > 0
    assert all(_finite(placement[where]["ticker_lag_ms"]) for where in ("on_loop", "on_thread"))
    assert results["span"]["load_before"] is not None and 0 < results["core_share"] <= 1.5
    assert "| target | limit | measured | met |" in (tmp_path / "service.md").read_text()
