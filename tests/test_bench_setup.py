"""`zkwork bench setup` (zkwork.bench.setup): the table's rows, speed-ups and targets from a
results dict, with and without the daemon's column; which daemon answers count; a command's
peak RSS its own, not the bench process's; and (slow, Node) a real run on a small pattern
circuit: prepare and zkey new identical to snarkjs's in-process and through the daemon,
contribute and verify timed for both tools, snarkjs accepting zkwork's contribution."""
import sys

import numpy as np
import pytest

from zkwork.bench.setup import TARGETS, answered_once, bench_setup, daemon_cell, format_markdown, run_measured
from zkwork.bench.snarkjs_peer import SnarkjsPeerError


def _run(wall, cpu):
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": 200.0, "load_before": 1.0, "load_after": 1.5}


def test_table_names_every_step_with_its_target():
    results = {"circuit": "c", "prepare": [{"power": 12, "zkwork": _run(1, 1), "snarkjs": _run(3, 3),
                                            "identical": True, "speedup_wall": 3.0, "speedup_cpu": 3.0,
                                            "target_speedup": 20, "target_met": False}],
               "zkey_new": {"power": 12, "zkwork": _run(2, 3), "snarkjs": _run(28, 30), "identical": True,
                            "speedup_wall": 14.0, "speedup_cpu": 10.0, "target_speedup": 10, "target_met": True},
               "zkey_contribute": {"power": 12, "zkwork": _run(1, 1), "snarkjs": None, "target_speedup": 5},
               "zkey_verify": None}
    lines = format_markdown(results).splitlines()
    assert len(lines) == 2 + 3
    assert "| 20x | 3.0x: not met | - | yes |" in lines[2] and "| 10x | 14.0x: met | - | yes |" in lines[3]
    assert lines[4].startswith("| zkey contribute c, power 12 | 1.00 s (1.00 s CPU, 200 MB) | - | - | - | 5x | - |")


def test_daemon_column_shows_client_and_daemon_cost():
    served = {**_run(0.5, 0.1), "daemon_cpu_s": 1.25, "daemon_rss_mb": 310.4}
    row = {"power": 13, "zkwork": _run(3, 3), "daemon": served, "snarkjs": _run(60, 70), "identical": True,
           "identical_daemon": False, "speedup_wall": 20.0, "speedup_cpu": 23.33, "target_speedup": 20,
           "target_met": True, "speedup_wall_daemon": 120.0, "target_met_daemon": True}
    assert daemon_cell(row) == "0.50 s (0.10 s CPU + 1.25 s daemon's, daemon 310 MB)" and daemon_cell({}) == "-"
    line = format_markdown({"circuit": "c", "prepare": [row], "daemon_restarts": 2}).splitlines()[2]
    assert "| 20x | 20.0x: met | 120.0x: met | yes/NO |" in line
    assert "started again 2 times" in format_markdown({"circuit": "c", "prepare": [row], "daemon_restarts": 2})


def test_only_one_daemon_answering_both_runs_counts():
    before = {"pid": 7, "requests": 3}
    assert answered_once(before, {"pid": 7, "requests": 5})
    assert not answered_once(before, {"pid": 7, "requests": 4})  # one ran in-process: the daemon refused it
    assert not answered_once(before, {"pid": 8, "requests": 5})  # another daemon
    assert not answered_once(None, {"pid": 7, "requests": 5}) and not answered_once(before, None)


def test_peak_rss_is_the_commands_own():
    ballast = np.ones(10_000_000)  # 80 MB more in this process (already ~200 MB), which a child would inherit
    row = run_measured([sys.executable, "-I", "-S", "-c", "pass"])
    assert ballast[-1] == 1 and 0 < row["peak_rss_mb"] < 60 and row["wall_s"] > 0
    with pytest.raises(SnarkjsPeerError, match="exit 3"):
        run_measured([sys.executable, "-I", "-S", "-c", "import sys; sys.exit(3)"])


@pytest.mark.slow
def test_small_circuit_run_times_every_step(tmp_path):
    results = bench_setup(powers=(10,), circuit="structure_reference_k4", work_dir=tmp_path, say=lambda _: None)
    for row in (results["zkey_new"], results["prepare"][0]):
        assert row["identical"] is True and row["identical_daemon"] is True
    for step in ("zkey_new", "zkey_contribute", "zkey_verify"):
        row = results[step]
        assert row["target_speedup"] == TARGETS[step] and row["target_met"] == (row["speedup_wall"] >= TARGETS[step])
        assert row["zkwork"]["peak_rss_mb"] > 0 and row["snarkjs"]["cpu_s"] > 0
        served = row["daemon"]
        assert row["target_met_daemon"] == (row["speedup_wall_daemon"] >= TARGETS[step])
        assert served["daemon_cpu_s"] > 0 and served["daemon_rss_mb"] > 50 and served["wall_s"] > 0
    assert "identical" not in results["zkey_contribute"]  # random secrets: the files differ
    for tool in ("zkwork", "snarkjs", "daemon"):
        assert (tmp_path / f"{tool}_contributed.zkey").exists()
    assert results["daemon_restarts"] >= 0 and "zkwork via daemon" in format_markdown(results)
