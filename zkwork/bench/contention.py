"""`--contention N`: N CPU-bound competitor processes during a benchmark's timed window,
so that figures of a busy machine are reproducible by anyone.

    with competitors(2) as window:
        busy = measure(prove, runs=20)
    window["machine_busy_cores"], window["competitor_cpu_s"]
    contention_figures(quiet.runs_s, busy, window)["busy_p95_over_quiet_median"]

Each competitor is a Python process spinning in a loop (no memory traffic, no I/O: it
takes a core and nothing else), started before the window and stopped after it. They
never outlive the window: stopped (SIGTERM, then SIGKILL) in a `finally`, so on errors
and on Ctrl-C too; each also stops by itself after `max_seconds` or when its parent is
gone (it polls its parent's id), so even a killed benchmark leaves none behind.

What the window records: N, the OpenMP wait policy in force (zkwork.jit), its wall seconds,
the CPU seconds the competitors got, the cores the whole machine kept busy over the window
(/proc/stat; N + the benchmark's own threads when nothing else runs) and the 1-minute load
average before and after.
"""
import os
import subprocess
import sys
import time
from contextlib import contextmanager

import numpy as np

from zkwork.bench.timing import load_average
from zkwork.errors import UsageError

# The competitor: spin until the deadline or until the parent is gone (checked every
# ~1 ms of spinning, so it costs nothing beside the spin itself).
SPIN = """
import os, sys, time
parent, deadline = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while os.getppid() == parent and time.monotonic() < deadline:
    for _ in range(20000):
        pass
"""
START_S = 0.3  # a Python process takes ~50 ms to start spinning; the window opens after this
STOP_GRACE_S = 5.0
MAX_COMPETITORS = 256


def machine_cpu_ticks():
    """(busy, total) clock ticks of all cores since boot from /proc/stat; None where absent."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _stop(process):
    """SIGTERM, then SIGKILL after STOP_GRACE_S; the process's CPU seconds (rusage). Reaped here
    with os.wait4 (never Popen.poll, which would reap it first and lose its rusage)."""
    process.terminate()  # a competitor past its deadline is a zombie until reaped: the signal is harmless
    deadline = time.monotonic() + STOP_GRACE_S
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.01)
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    return usage.ru_utime + usage.ru_stime


@contextmanager
def competitors(n, max_seconds=600.0):
    """Run `n` spinning processes around the block (none for n = 0); yields a dict that is
    filled on exit with the window's record (see the module docstring)."""
    if not 0 <= n <= MAX_COMPETITORS:
        raise UsageError(f"--contention takes 0 to {MAX_COMPETITORS} competitor processes, got {n}")
    record = {"competitors": n, "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}
    processes = []
    try:
        for _ in range(n):
            processes.append(subprocess.Popen(
                [sys.executable, "-c", SPIN, str(os.getpid()), str(max_seconds)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if n:
            time.sleep(START_S)
        record["load_before"] = load_average()
        ticks_before, start = machine_cpu_ticks(), time.perf_counter()
        yield record
        ticks_after, record["wall_s"] = machine_cpu_ticks(), time.perf_counter() - start
        record["load_after"] = load_average()
        if ticks_before and ticks_after and ticks_after[1] > ticks_before[1]:
            busy = (ticks_after[0] - ticks_before[0]) / (ticks_after[1] - ticks_before[1])
            record["machine_busy_cores"] = busy * os.cpu_count()
    finally:
        record["competitor_cpu_s"] = sum(_stop(process) for process in processes)
        record["all_stopped"] = all(process.returncode is not None for process in processes)


def contention_figures(quiet_runs_s, busy_timing, window):
    """Quiet against busy runs of one operation measured in the same run, in ms: medians, P95,
    the busy runs' CPU/wall (None for a peer whose CPU time is not measured), the window's record,
    and busy P95 / quiet median (the target's ratio: a prover that simply loses half the machine
    to competitors lands near 2)."""
    quiet_ms = np.asarray(quiet_runs_s) * 1e3
    busy_ms = np.asarray(busy_timing.runs_s) * 1e3
    figures = {
        "quiet_median_ms": float(np.median(quiet_ms)), "quiet_p95_ms": float(np.percentile(quiet_ms, 95)),
        "busy_ms": busy_ms.tolist(), "busy_median_ms": float(np.median(busy_ms)),
        "busy_p95_ms": float(np.percentile(busy_ms, 95)),
        "busy_cpu_over_wall": busy_timing.cpu_over_wall if busy_timing.cpu_runs_s else None,
        "window": dict(window),
    }
    figures["busy_p95_over_quiet_median"] = figures["busy_p95_ms"] / figures["quiet_median_ms"]
    figures["busy_median_over_quiet_median"] = figures["busy_median_ms"] / figures["quiet_median_ms"]
    return figures


def contention_text(figures, name):
    """One Markdown table row of contention_figures for the operation `name`."""
    window = figures["window"]
    return (f"| {name} | {window['competitors']} | {figures['quiet_median_ms']:.0f} | "
            f"{figures['busy_median_ms']:.0f} | {figures['busy_p95_ms']:.0f} | "
            f"{figures['busy_p95_over_quiet_median']:.2f} | "
            f"{_number(figures['busy_cpu_over_wall'])} | {_number(window.get('machine_busy_cores'))} | "
            f"{window['competitor_cpu_s']:.1f} / {window['wall_s']:.1f} | "
            f"{_number(window['load_before'], '.1f')} -> {_number(window['load_after'], '.1f')} |")


def _number(value, spec=".2f"):
    return "n/a" if value is None else format(value, spec)


def contention_title(n):
    """The Markdown heading of a busy section: N competitors and the OpenMP wait policy in force."""
    return (f"## Beside {n} CPU-bound competitor processes (quiet runs first, same run; "
            f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY') or 'unset'})")


CONTENTION_HEADER = [
    "| operation | competitors | quiet median | busy median | busy P95 | busy P95 / quiet median | "
    "busy CPU/wall | machine busy cores | competitors' CPU s / window s | load average |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
]
