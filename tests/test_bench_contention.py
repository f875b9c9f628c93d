"""`--contention N` (zkwork.bench.contention): the competitor processes spin while the block
runs, the window records them, and none outlives the block: not after an error, not after
Ctrl-C, not after the benchmark itself is killed."""
import os
import signal
import subprocess
import sys
import time

import pytest

from zkwork.bench.contention import competitors, contention_figures, contention_text
from zkwork.bench.timing import Span, Timing
from zkwork.errors import UsageError

# A benchmark that opens a window of 2 competitors, prints their ids and waits in it.
HOLDER = """
import signal
import time
# Ctrl-C as in a terminal, even when this test runs under a shell that started it with SIGINT ignored
signal.signal(signal.SIGINT, signal.default_int_handler)
from zkwork.bench.contention import competitors
import zkwork.bench.contention as contention
started = []
real_popen = contention.subprocess.Popen
def popen(*args, **kwargs):
    process = real_popen(*args, **kwargs)
    started.append(process.pid)
    return process
contention.subprocess.Popen = popen
with competitors(2, max_seconds=60):
    print(*started, flush=True)
    time.sleep(60)
"""


def alive(pid):
    """Whether pid is a live process (a zombie, finished but not reaped, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pids, seconds=5.0):
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(alive(pid) for pid in pids)


def start_holder():
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True)
    pids = [int(pid) for pid in holder.stdout.readline().split()]
    assert len(pids) == 2 and all(alive(pid) for pid in pids)
    return holder, pids


def test_competitors_spin_during_the_window_and_are_stopped_after_it():
    with competitors(2, max_seconds=30) as window:
        time.sleep(0.4)
    assert window["competitors"] == 2 and window["all_stopped"]
    assert window["competitor_cpu_s"] > 0.05  # they ran (on a busy machine, for a share of the cores)
    assert window["wall_s"] >= 0.4 and window["machine_busy_cores"] > 0
    with competitors(0) as quiet:
        pass
    assert quiet["competitor_cpu_s"] == 0 and quiet["all_stopped"]


def test_an_error_in_the_window_still_stops_the_competitors():
    with pytest.raises(RuntimeError, match="boom"):
        with competitors(1, max_seconds=30) as window:
            raise RuntimeError("boom")
    assert window["all_stopped"] and "wall_s" not in window


def test_ctrl_c_in_the_benchmark_stops_the_competitors():
    holder, pids = start_holder()
    holder.send_signal(signal.SIGINT)
    assert holder.wait(timeout=10) != 0
    assert wait_gone(pids)


def test_competitors_of_a_killed_benchmark_stop_by_themselves():
    holder, pids = start_holder()
    holder.kill()  # no finally runs: the competitors notice their parent is gone
    holder.wait(timeout=10)
    assert wait_gone(pids)


def test_the_number_of_competitors_is_bounded():
    with pytest.raises(UsageError):
        with competitors(-1):
            pass


def test_figures_compare_busy_p95_with_the_quiet_median():
    window = {"competitors": 2, "wall_s": 2.0, "competitor_cpu_s": 3.5, "machine_busy_cores": 1.9,
              "load_before": 1.0, "load_after": 2.5, "all_stopped": True}
    busy = Timing(0.1, [0.2, 0.3, 0.4], [0.1, 0.1, 0.1])
    figures = contention_figures([0.1, 0.1, 0.2], busy, window)
    assert figures["quiet_median_ms"] == pytest.approx(100)
    assert figures["busy_median_ms"] == pytest.approx(300)
    assert figures["busy_p95_over_quiet_median"] == pytest.approx(figures["busy_p95_ms"] / 100)
    assert figures["busy_cpu_over_wall"] == pytest.approx(0.3 / 0.9)
    text = contention_text(figures, "membership: zkwork")
    assert text.startswith("| membership: zkwork | 2 | 100 | 300 |") and "3.5 / 2.0" in text
    no_cpu = contention_figures([0.1], Timing(0.0, [0.2]), window)
    assert no_cpu["busy_cpu_over_wall"] is None and "| n/a |" in contention_text(no_cpu, "snarkjs")


def test_no_competitor_is_left_over_by_these_tests():
    mine = subprocess.run(["pgrep", "-P", str(os.getpid())], capture_output=True, text=True).stdout.split()
    assert mine == []


def test_a_span_blames_the_load_average_before_or_after_it():
    """Shared by bench memory and bench service: half the cores busy before, or more than all after."""
    assert Span(load_before=0.9, load_after=2.0, cpu_count=2).load_contention() is None
    assert "1.20 before the run on 2 cores" in Span(load_before=1.2, load_after=1.0, cpu_count=2).load_contention()
    assert "2.50 after the run, above the 2 cores" in Span(load_before=0.5, load_after=2.5,
                                                           cpu_count=2).load_contention()
    assert Span(load_before=None, load_after=None, cpu_count=2).load_contention() is None
