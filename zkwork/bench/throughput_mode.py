"""`zkwork bench throughput`: the throughput mode a server uses (one process per core, one numba
thread each, every core busy) against a quiet single process, in proofs/s per core.

Three windows of `seconds` each, every one in fresh processes (multiprocessing's spawn, as
zkwork.service.workers starts its workers; NUMBA_NUM_THREADS set in the process before numba is
imported), each process proving back to back from the window's start to its end:

  * "single process, all cores": one process, numba threads = cores (the reference of the target);
  * "single process, one thread": one process, one numba thread, the other cores idle (the
    per-core rate with no neighbour: what the server mode would reach with no contention at all);
  * "server mode": `cores` processes, one numba thread each, every core busy.

Each is run without and with fixed-base tables (zkwork.groth16.prover.precompute within
`precompute_mb`, built before the window). A proof is end to end (zkwork.bench.throughput.end_to_end:
input.json's text parsed, the witness computed, the proof with fresh randomness, proof.json and
public.json as text). A process counts the proofs finished inside the window, its rate is that
count over the time from the window's start to its last finished proof, and the window's rate is
the sum over its processes; per core is that over processes x threads. After the window each
process verifies every proof it made; a window whose proofs do not all verify raises.

The target: server mode's proofs/s per core >= TARGET_RATIO x the all-cores single process's.
Beside each window: the processes' CPU seconds (proofs per CPU-second hold on a busy machine),
the cores the whole machine kept busy (/proc/stat) and the others' share of them, and the load
average before and after; `contended` names the windows where other work held more than
CONTENDED_OTHER_CORES cores.
"""
import json
import os
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

from zkwork.bench.contention import machine_cpu_ticks
from zkwork.bench.memory import write_keys
from zkwork.bench.timing import load_average
from zkwork.errors import InvariantError, UsageError

DEFAULT_CIRCUIT = ("membership", "hardened", {"depth": 20})
TARGET_RATIO = 0.9
CONTENDED_OTHER_CORES = 0.25
READY_TIMEOUT_S = 900  # a process imports numba, loads the cached kernels, records, builds tables, proves once
START_DELAY_S = 0.2  # every process has its start time before the window opens
VERIFY_TIMEOUT_S = 900


def cores_available():
    """The cores this process may run on (its affinity mask)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _say(message):
    print(f"[throughput] {message}", file=sys.stderr, flush=True)


def _worker_main(conn, circuit_dir, numba_threads, precompute_mb):
    """One proving process: numba capped before it loads, the Prover compiled and warmed, then one
    window of back-to-back proofs when the parent says (start, seconds); then every proof verified."""
    os.environ["NUMBA_NUM_THREADS"] = str(numba_threads)  # before numba starts its thread pool
    import numba

    from zkwork.bench.throughput import end_to_end, input_text
    from zkwork.groth16 import prepare_verifying_key, verify
    from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json
    from zkwork.prover import compile_prover
    from zkwork.workspace import read_circuit_dir

    numba.set_num_threads(min(numba_threads, numba.config.NUMBA_NUM_THREADS))
    pattern, pk = read_circuit_dir(circuit_dir)
    prover = compile_prover(pattern, pk, precompute_mb=precompute_mb)
    request = input_text(pattern)
    end_to_end(prover, request)  # warm: every kernel loaded, the tables' pages touched
    conn.send({"threads": numba.get_num_threads(), "tables_mb": prover.tables_bytes / 2**20,
               "precompute_s": prover.precompute_s, "constraints": prover.r1cs.num_constraints})
    start, seconds = conn.recv()
    time.sleep(max(0.0, start - time.monotonic()))
    deadline, texts, finished = start + seconds, [], []
    cpu = time.process_time()
    while time.monotonic() < deadline:
        texts.append(end_to_end(prover, request)[0])
        finished.append(time.monotonic())
    cpu = time.process_time() - cpu
    pvk = prepare_verifying_key(pk.vk)
    verified = sum(bool(verify(pvk, public_from_json(json.loads(public)), proof_from_json(json.loads(proof))))
                   for proof, public in texts)
    inside = [t for t in finished if t <= deadline]
    conn.send({"proofs": len(texts), "proofs_in_window": len(inside), "verified": verified,
               "rate": len(inside) / (inside[-1] - start) if inside else 0.0, "cpu_s": cpu,
               "loop_s": finished[-1] - start if finished else 0.0})


def _receive(conn, process, timeout, what):
    if not conn.poll(timeout):
        raise InvariantError(f"a proving process (pid {process.pid}) did not {what} within {timeout:.0f} s")
    try:
        return conn.recv()
    except EOFError:
        raise InvariantError(f"a proving process (pid {process.pid}) died (exit code {process.exitcode}) "
                             f"before it could {what}") from None


def run_window(circuit_dir, processes, numba_threads, precompute_mb, seconds):
    """One window: `processes` fresh processes of `numba_threads` threads each proving back to
    back for `seconds` (see the module docstring); its figures."""
    context = get_context("spawn")
    started = []
    try:
        for _ in range(processes):
            conn, child = context.Pipe()
            process = context.Process(target=_worker_main, args=(child, str(circuit_dir), numba_threads,
                                                                  precompute_mb), daemon=True)
            process.start()
            child.close()
            started.append((conn, process))
        ready = [_receive(conn, process, READY_TIMEOUT_S, "get ready") for conn, process in started]
        load_before, ticks_before = load_average(), machine_cpu_ticks()
        start = time.monotonic() + START_DELAY_S
        for conn, _ in started:
            conn.send((start, seconds))
        results = [_receive(conn, process, seconds + VERIFY_TIMEOUT_S, "finish its window")
                   for conn, process in started]
        ticks_after, load_after = machine_cpu_ticks(), load_average()
    finally:
        for conn, process in started:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()
            conn.close()
    return _window_figures(processes, ready, results, (load_before, load_after), (ticks_before, ticks_after), seconds)


def _window_figures(processes, ready, results, loads, ticks, seconds):
    cores = processes * ready[0]["threads"]
    proofs, verified = sum(r["proofs"] for r in results), sum(r["verified"] for r in results)
    if verified != proofs:
        raise InvariantError(f"{proofs - verified} of {proofs} proofs did not verify")
    if any(r["proofs_in_window"] == 0 for r in results):
        raise UsageError(f"a process finished no proof within the {seconds} s window: make it longer")
    rate, cpu_s = sum(r["rate"] for r in results), sum(r["cpu_s"] for r in results)
    busy = None
    if ticks[0] and ticks[1] and ticks[1][1] > ticks[0][1]:
        busy = (ticks[1][0] - ticks[0][0]) / (ticks[1][1] - ticks[0][1]) * (os.cpu_count() or 1)
    loop_s = max(r["loop_s"] for r in results)
    others = None if busy is None else max(0.0, busy - cpu_s / loop_s)
    return {"processes": processes, "numba_threads": ready[0]["threads"], "cores": cores, "seconds": seconds,
            "proofs": proofs, "proofs_in_window": sum(r["proofs_in_window"] for r in results), "verified": verified,
            "proofs_per_s": rate, "proofs_per_s_per_core": rate / cores, "cpu_s": cpu_s,
            "proofs_per_cpu_s": proofs / cpu_s, "core_share": cpu_s / loop_s / cores,
            "tables_mb": ready[0]["tables_mb"], "precompute_s": max(r["precompute_s"] for r in ready),
            "constraints": ready[0]["constraints"], "machine_busy_cores": busy, "others_busy_cores": others,
            "contended": others is not None and others > CONTENDED_OTHER_CORES,
            "load_before": loads[0], "load_after": loads[1]}


MODES = (("single process, all cores", "all"), ("single process, one thread", "one"), ("server mode", "server"))


def bench_throughput_mode(pattern=DEFAULT_CIRCUIT, seconds=20.0, precompute_mbs=(0, 64), cores=None,
                          circuit_dir=None):
    """The three windows of the module docstring for each table budget in `precompute_mbs`, on
    `cores` cores (default: this process's affinity), with the ratios against the target."""
    from zkwork.bench.machine import describe

    cores = cores or cores_available()
    if seconds <= 0 or cores < 1 or any(mb < 0 for mb in precompute_mbs):
        raise UsageError("seconds > 0, cores >= 1 and table budgets >= 0 are required")
    shapes = {"all": (1, cores), "one": (1, 1), "server": (cores, 1)}
    runs = []
    with tempfile.TemporaryDirectory(prefix="zkwork-bench-throughput-") as scratch:
        if circuit_dir is None:
            circuit_dir = Path(scratch) / "circuit"
            _say(f"keys of {pattern[0]}/{pattern[1]} {pattern[2]}")
            label = write_keys(circuit_dir, *pattern)
        else:
            from zkwork.workspace import read_circuit_dir

            label = read_circuit_dir(circuit_dir)[0].label  # here, for its typed errors
        for mb in precompute_mbs:
            windows = {}
            for title, mode in MODES:
                processes, threads = shapes[mode]
                _say(f"tables {mb} MB, {title}: {processes} process(es) x {threads} thread(s), {seconds} s")
                windows[mode] = run_window(circuit_dir, processes, threads, mb, seconds)
            per_core = {mode: windows[mode]["proofs_per_s_per_core"] for mode in windows}
            per_cpu_s = {mode: windows[mode]["proofs_per_cpu_s"] for mode in windows}
            runs.append({"precompute_mb": mb, "windows": windows,
                         "server_over_all_cores": per_core["server"] / per_core["all"],
                         "server_over_one_thread": per_core["server"] / per_core["one"],
                         "server_over_all_cores_per_cpu_s": per_cpu_s["server"] / per_cpu_s["all"],
                         "target_met": per_core["server"] >= TARGET_RATIO * per_core["all"]})
    return {"machine": describe(), "pattern": label, "cores": cores, "seconds": seconds, "target_ratio": TARGET_RATIO,
            "runs": runs, "contended": any(w["contended"] for run in runs for w in run["windows"].values())}


def _number(value, spec):
    return "n/a" if value is None else format(value, spec)


def format_markdown(results):
    """One table per table budget: each window's rates and the machine around it; the ratios."""
    lines = [f"# Throughput mode: {results['pattern']}, {results['cores']} cores, {results['seconds']:g} s windows",
             "", f"On {results['machine']['cpu_model']}. Every proof end to end with fresh randomness, all verified "
             "after their window. Target: server mode (one single-thread process per core) >= "
             f"{results['target_ratio']} x the single all-cores process, in proofs/s per core."
             + (" CONTENDED: other work held cores during a window (others' busy cores below); the wall-clock "
                "rates are low by that much, proofs per CPU-second are not." if results["contended"] else ""), ""]
    for run in results["runs"]:
        lines += [f"## Fixed-base tables: {run['precompute_mb']} MB budget "
                  f"({run['windows']['all']['tables_mb']:.1f} MB built)", "",
                  "| mode | processes x threads | proofs (verified) | proofs/s | per core | proofs per CPU-s | "
                  "core share | machine busy cores | others' cores | load average |",
                  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for title, mode in MODES:
            w = run["windows"][mode]
            lines.append(f"| {title} | {w['processes']} x {w['numba_threads']} | {w['proofs']} ({w['verified']}) | "
                         f"{w['proofs_per_s']:.2f} | {w['proofs_per_s_per_core']:.2f} | {w['proofs_per_cpu_s']:.2f} | "
                         f"{w['core_share']:.2f} | {_number(w['machine_busy_cores'], '.2f')} | "
                         f"{_number(w['others_busy_cores'], '.2f')} | {_number(w['load_before'], '.2f')} -> "
                         f"{_number(w['load_after'], '.2f')} |")
        lines += ["", f"Server mode per core / single all-cores process per core: {run['server_over_all_cores']:.2f} "
                      f"(target {results['target_ratio']}: {'met' if run['target_met'] else 'NOT met'}); "
                      f"/ single one-thread process per core: {run['server_over_one_thread']:.2f}. "
                      "In proofs per CPU-second (what the cores did when they ran, whoever else held them): "
                      f"server mode / all-cores process {run['server_over_all_cores_per_cpu_s']:.2f}.", ""]
    return "\n".join(lines)
