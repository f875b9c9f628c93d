"""The command line: `zkwork info` and `zkwork bench arith`."""
import json
import subprocess
import sys

import pytest

from zkwork.bench.timing import Span, measure
from zkwork.cli import main


def test_info_reports_versions_threading_and_cache(capsys):
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["cpu_count"] >= 1
    assert info["versions"]["numba"] and info["versions"]["py_ecc"]
    assert info["numba_threading_layer"] in {"tbb", "omp", "workqueue"}
    assert isinstance(info["jit_cache"]["warm"], bool)
    assert main(["info"]) == 0
    assert "JIT cache" in capsys.readouterr().out


def test_measure_separates_the_first_call():
    calls = []
    timing = measure(lambda: calls.append(1), runs=4, warmup=2)
    assert len(calls) == 1 + 2 + 4
    assert len(timing.runs_s) == 4 and timing.median_s >= 0


@pytest.mark.slow
def test_bench_arith_quick_writes_json_and_markdown(tmp_path, capsys):
    out_json, out_md = tmp_path / "arith.json", tmp_path / "arith.md"
    assert main(["bench", "arith", "--quick", "--runs", "2", "--out", str(out_json), "--markdown", str(out_md)]) == 0
    results = json.loads(out_json.read_text())
    names = [row["name"] for row in results["rows"]]
    assert "pairing_check, 4 pairs" in names and "NTT 2^12" in names and "G1 MSM 2^12" in names
    for row in results["rows"]:
        assert row["zkwork"] > 0 and row["zkwork_runs"] >= 2
    peered = [row for row in results["rows"] if row["peer"]]
    assert peered and all(row["ratio"] > 0 for row in peered)
    assert results["machine"]["cpu_count"] >= 1
    assert "| pairing_check, 4 pairs |" in out_md.read_text()


def test_cpu_time_includes_a_peer_run_as_a_child_process():
    """snarkjs runs as a child process: its CPU seconds belong to the measurement, or a
    study waiting on it looks starved of CPU (contention) when it is not."""
    burn = [sys.executable, "-c", "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass"]
    with Span() as span:
        subprocess.run(burn, check=True)
    assert span.cpu_s >= 0.3
    timing = measure(lambda: subprocess.run(burn, check=True), runs=1, warmup=0)
    assert timing.cpu_runs_s[0] >= 0.3
