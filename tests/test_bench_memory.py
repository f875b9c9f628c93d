"""zkwork bench memory (a prove's resident memory and its growth over many proves) and zkwork bench
throughput (the server's throughput mode): the leak detector on synthetic series, the breakdown and
the throughput windows measured for real on the small circuit, and no growth over 1,000 proves."""
import argparse
import json
import random

import pytest

from zkwork.bench.memory import GROWTH_THRESHOLD_MB_PER_1000, growth, process_memory, theil_sen_slope
from zkwork.commands import bench_memory, bench_throughput
from zkwork.errors import UsageError


def _series(per_proof_mb, proves=1000, every=50, noise_mb=1.0, step_at=None, step_mb=0.0, seed=1):
    """[(proofs, RSS MB)]: 300 MB plus a leak of `per_proof_mb` a proof, uniform noise of +-noise_mb
    and one allocator step of `step_mb` from proof `step_at` on."""
    rng = random.Random(seed)
    return [(p, 300 + per_proof_mb * p + rng.uniform(-noise_mb, noise_mb) + (step_mb if step_at and p >= step_at
                                                                            else 0.0))
            for p in range(0, proves + 1, every)]


def test_growth_flags_a_leak_and_not_the_allocators_noise():
    leak = growth(_series(0.010))  # 10 KB a proof: 10 MB per 1,000 proves
    assert leak["leak"] and 7 < leak["slope_mb_per_1000"] < 13
    assert not growth(_series(0.0))["leak"]
    # one step of the allocator (an arena grown once) is no trend
    stepped = growth(_series(0.0, noise_mb=0.2, step_at=550, step_mb=1.8))
    assert not stepped["leak"] and stepped["growth_mb"] > 0.5
    # a leak just under the threshold is not flagged, just over it is
    assert not growth(_series(0.8 * GROWTH_THRESHOLD_MB_PER_1000 / 1000, noise_mb=0.1))["leak"]
    assert growth(_series(1.5 * GROWTH_THRESHOLD_MB_PER_1000 / 1000, noise_mb=0.1))["leak"]


def test_the_leaks_found_so_far_are_flagged():
    """A thread started per prove (24 MB per 1,000) and a reference cycle per prove (4.7 MB per
    1,000 over 5,000 proves, in the allocator's steps)."""
    assert growth(_series(0.024, noise_mb=2.0))["leak"]
    cycle = [(p, 246 + 0.0047 * p + (1.5 if p % 300 == 0 else 0)) for p in range(0, 5001, 50)]
    assert growth(cycle)["leak"]


def test_growth_starts_at_proof_100_and_needs_two_samples():
    series = [(0, 100.0), (50, 200.0), (100, 300.0), (150, 300.0), (200, 300.0)]  # warm-up climb ignored
    result = growth(series)
    assert result["from_proof"] == 100 and result["growth_mb"] == 0 and not result["leak"]
    with pytest.raises(UsageError):
        growth(series[:3])
    with pytest.raises(UsageError):
        theil_sen_slope([5, 5], [1.0, 2.0])


def test_process_memory_reads_this_process():
    memory = process_memory()
    assert set(memory) == {"rss_mb", "anon_mb", "file_mb", "hwm_mb"}
    assert 0 < memory["rss_mb"] <= memory["hwm_mb"]


def _args(add_arguments, argv):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_usage_errors_before_any_work():
    with pytest.raises(UsageError):
        bench_memory.run(_args(bench_memory.arguments, ["--proves", "120"]))  # no sample after proof 100 + 50
    with pytest.raises(UsageError):
        bench_memory.run(_args(bench_memory.arguments, ["--zkey", "x.zkey"]))  # without its --wtns
    with pytest.raises(UsageError):
        bench_throughput.run(_args(bench_throughput.arguments, ["--cores", "0"]))


@pytest.mark.slow
def test_memory_breakdown_of_the_small_circuit(tmp_path, capsys):
    out = tmp_path / "memory.json"
    status = bench_memory.run(_args(bench_memory.arguments, ["--quick", "--proves", "150", "--out", str(out),
                                                             "--markdown", str(tmp_path / "memory.md")]))
    results = json.loads(out.read_text())
    assert status == (1 if results["growth"]["leak"] else 0)
    steps = [step["step"] for step in results["steps"]]
    assert steps[:4] == ["Python started", "numpy imported", "numba imported", "zkwork's prover imported"]
    assert steps[5:] == ["proving key read (memory-mapped)", "witness program recorded", "fixed-base tables built",
                         "real circuit proved once"]
    rss = [step["rss_mb"] for step in results["steps"]]
    assert all(a < b for a, b in zip(rss[:5], rss[1:5])), rss  # every import and the JIT kernels add memory
    assert all(b > a - 1.0 for a, b in zip(rss[4:], rss[5:])), rss  # later steps hold what they read
    tables = results["steps"][7]
    assert tables["tables_mb"] > 0 and tables["rss_mb"] - results["steps"][6]["rss_mb"] > 0.5 * tables["tables_mb"]
    assert results["prove_peak"]["peak_mb"] >= results["prove_peak"]["before_mb"] > rss[0]
    assert results["traced_peak_mb"] > 0 and results["process_peak_mb"] >= max(rss)
    assert [p for p, _ in results["samples"]] == [0, 50, 100, 150]
    assert results["first_and_last_verified"] == [True, True]
    assert results["span"]["load_before"] is not None and "contention" in results
    assert "| numba imported |" in (tmp_path / "memory.md").read_text()


@pytest.mark.slow
def test_no_growth_over_1000_proves():
    """The guarantee: 1,000 proves of the small circuit in one process, no leak."""
    from zkwork.bench.memory import bench_memory
    from zkwork.patterns import PATTERNS

    results = bench_memory(("membership", "hardened", PATTERNS["membership"].small_params()), proves=1000)
    assert len(results["samples"]) == 21
    assert not results["growth"]["leak"], results["growth"]


@pytest.mark.slow
def test_throughput_mode_windows_of_the_small_circuit(tmp_path):
    out = tmp_path / "throughput.json"
    status = bench_throughput.run(_args(bench_throughput.arguments, ["--quick", "--seconds", "2", "--cores", "2",
                                                                     "--precompute-mb", "0", "--out", str(out)]))
    results = json.loads(out.read_text())
    assert status == 0 and results["cores"] == 2 and results["seconds"] == 2
    (run,) = results["runs"]
    shapes = {mode: (w["processes"], w["numba_threads"]) for mode, w in run["windows"].items()}
    assert shapes == {"all": (1, 2), "one": (1, 1), "server": (2, 1)}
    for window in run["windows"].values():
        assert window["proofs"] >= window["proofs_in_window"] > 0
        assert window["verified"] == window["proofs"]
        assert window["proofs_per_s_per_core"] == pytest.approx(window["proofs_per_s"] / window["cores"])
        assert window["proofs_per_cpu_s"] > 0 and window["tables_mb"] == 0
    assert run["server_over_all_cores"] == pytest.approx(
        run["windows"]["server"]["proofs_per_s_per_core"] / run["windows"]["all"]["proofs_per_s_per_core"])
    assert run["target_met"] == (run["server_over_all_cores"] >= results["target_ratio"])
