"""`zkwork bench service`: what `zkwork serve` adds to a proof and to a verification (issue #15's
"Speed": at low load, service overhead <= 3 ms per prove request and <= 1 ms per verify request,
server-side CPU-seconds per verification <= 1.5x the in-process verification).

One run starts `zkwork serve` on a free loopback port (one worker process: numba gets every core
in it, as in this process) over a circuit directory (given, or made by `zkwork setup` of
membership/hardened at `depth`, default the production 20), and sends one request at a time,
after a warm-up, over one keep-alive connection of http.client (a lean client, so that little of
the client's own work counts as the service's). Requests alternate with the same work done in
this process, so that both see the same machine:

  * prove: the client's latency of POST /v1/prove beside the worker's own timings of that proof
    (witness_s + prove_s: Prover.prove_json) -> overhead = latency - worker compute (HTTP, JSON,
    admission, the dispatcher thread, the pipe's pickling); and beside the in-process end to end
    (zkwork.bench.throughput.end_to_end: input text in, proof text out) of the same input.
  * verify: the client's latency of POST /v1/verify beside the in-process parse + verify of the
    same body, as the server does it (json.loads, proof_from_json, public_from_json, verify) ->
    overhead = latency - in-process; and the server process's CPU (utime + stime of
    /proc/PID/stat over the batch) / N beside the in-process CPU per verification.
  * GET /health: the bare HTTP round trip, the floor under both overheads.

Also measured, for the placement of verification (zkwork.service.app runs it on one thread
beside the event loop): see verify_placement.

Contention: the machine may be shared. `core_share` (the in-process proofs' CPU / wall / numba
threads) is ~0.95 on an idle machine; below CONTENDED_CORE_SHARE, or with a load average above
half the cores before the run, the result says why in "contention" and the table flags it.
"""
import asyncio
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from zkwork.bench.machine import describe
from zkwork.bench.throughput import end_to_end
from zkwork.bench.timing import Span
from zkwork.errors import InvariantError, ZkworkError
from zkwork.groth16 import prepare_verifying_key, verify
from zkwork.groth16.prover import DEFAULT_PRECOMPUTE_MB
from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json
from zkwork.prover import compile_prover
from zkwork.service.metrics import proc_cpu_seconds
from zkwork.service.serve_process import ServeProcess
from zkwork.workspace import read_circuit_dir

TARGETS = {"prove_overhead_median_ms": 3.0, "verify_overhead_median_ms": 1.0, "verify_cpu_ratio": 1.5}
REQUEST_TIMEOUT_S = 60
CONTENDED_CORE_SHARE = 0.8
TICK_S = 0.001  # the period of the ticker that measures how long the event loop is blocked


def make_circuit_dir(directory, depth):
    """`directory` made a circuit directory of membership/hardened at `depth` by `zkwork setup`."""
    done = subprocess.run([sys.executable, "-m", "zkwork.cli", "setup", "membership", "--variant", "hardened",
                           "--param", f"depth={depth}", "--out", str(directory)], capture_output=True, text=True)
    if done.returncode != 0:
        raise ZkworkError(f"zkwork setup failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return Path(directory)


class Connection:
    """One keep-alive HTTP/1.1 connection to the server (http.client), a context manager."""

    def __init__(self, url):
        """`url`: the server's base URL (http://127.0.0.1:PORT)."""
        parts = urlsplit(url)
        self.http = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT_S)

    def request(self, method, path, body=None):
        """(status, body bytes, seconds from sending the request to the last byte of the answer)."""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        start = time.perf_counter()
        self.http.request(method, path, body, headers)
        response = self.http.getresponse()
        data = response.read()
        return response.status, data, time.perf_counter() - start

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.http.close()
        return False


def _parse_and_verify(pvk, num_public, body):
    """What the verify endpoint does with a request's body, in this process: the verdict."""
    request = json.loads(body)
    proof, public = proof_from_json(request["proof"]), public_from_json(request["public"])
    return len(public) == num_public and verify(pvk, public, proof)


def _ms(seconds):
    return [s * 1e3 for s in seconds]


def summary(values_ms):
    """{"median", "p95", "mean"} of a list of milliseconds."""
    return {"median": float(np.median(values_ms)), "p95": float(np.percentile(values_ms, 95)),
            "mean": float(np.mean(values_ms))}


def _checked(status, data, what):
    if status != 200:
        raise InvariantError(f"{what}: HTTP {status}: {data[:300]!r}")
    return json.loads(data)


def _measure_prove(connection, path, prover, input_text, warmup, runs, bar):
    """Per timed run: the client's latency, the worker's compute and the in-process end to end
    (wall and CPU); also the last proof's verify body."""
    body = input_text.encode()
    rows = []
    for index in range(warmup + runs):
        _, stages = end_to_end(prover, input_text)
        status, data, latency = connection.request("POST", path, body)
        answer = _checked(status, data, "prove")
        worker = answer["timings"]["witness_s"] + answer["timings"]["prove_s"]
        if index >= warmup:
            rows.append({"latency_s": latency, "worker_s": worker, "worker_timings": answer["timings"],
                         "in_process_s": stages["end_to_end_s"], "in_process_cpu_s": stages["end_to_end_cpu_s"]})
        bar.update()
    return rows, json.dumps({"proof": answer["proof"], "public": answer["public"]}).encode()


def _measure_verify(connection, path, server_pid, pvk, num_public, body, warmup, runs, bar):
    """Per timed request: its latency, the in-process parse + verify of its body (wall, CPU) and
    both verdicts; and the server's CPU seconds over the timed requests (lists of seconds)."""
    latencies, in_process, in_process_cpu, verdicts = [], [], [], []
    for index in range(warmup + runs):
        if index == warmup:
            server_cpu = proc_cpu_seconds(server_pid)
        wall, cpu = time.perf_counter(), time.process_time()
        local = _parse_and_verify(pvk, num_public, body)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        status, data, latency = connection.request("POST", path, body)
        if index >= warmup:
            latencies.append(latency)
            in_process.append(wall)
            in_process_cpu.append(cpu)
            verdicts.append((bool(local), _checked(status, data, "verify")["valid"]))
        bar.update()
    return {"latency_s": latencies, "in_process_s": in_process, "in_process_cpu_s": in_process_cpu,
            "verdicts": verdicts, "server_cpu_s": proc_cpu_seconds(server_pid) - server_cpu}


def _measure_health(connection, warmup, runs, bar):
    latencies = []
    for index in range(warmup + runs):
        status, data, latency = connection.request("GET", "/health")
        _checked(status, data, "health")
        if index >= warmup:
            latencies.append(latency)
        bar.update()
    return latencies


async def _verifies(verify_one, count, executor, tick):
    """(wall seconds of each of `count` verifications, run on the event loop if `executor` is
    None else handed to it as the service does; the lags of a 1 ms asyncio ticker meanwhile if
    `tick`, else [])."""
    loop = asyncio.get_running_loop()
    lags, walls, running = [], [], True

    async def ticker():
        while running:
            start = time.perf_counter()
            await asyncio.sleep(TICK_S)
            lags.append(time.perf_counter() - start - TICK_S)

    task = asyncio.create_task(ticker()) if tick else None
    await asyncio.sleep(5 * TICK_S)
    for _ in range(count):
        start = time.perf_counter()
        if executor is None:
            verify_one()
        else:
            await loop.run_in_executor(executor, verify_one)
        walls.append(time.perf_counter() - start)
        await asyncio.sleep(0)  # between two requests the loop runs its other callbacks
    running = False
    if task:
        await task
    return walls, lags


def verify_placement(pvk, num_public, body, count=100):
    """The measurements behind where the service verifies (zkwork.service.app): verifications/s
    of one thread and of two at once (a `speedup` near 2 means the kernels release the GIL,
    near 1 that they hold it); and, in an asyncio loop, each verification run on the loop or
    handed to one executor thread: wall ms per verification alone (their difference is the
    hand-off's cost) and beside a 1 ms ticker, with the ticker's lag (how long the loop was
    blocked; on the thread, the GIL makes the loop wait for the verifier's next release)."""
    def verify_one():
        _parse_and_verify(pvk, num_public, body)

    def batch(n):
        for _ in range(n):
            verify_one()

    start = time.perf_counter()
    batch(count)
    one = count / (time.perf_counter() - start)
    with ThreadPoolExecutor(2) as pool:
        start = time.perf_counter()
        list(pool.map(batch, [count // 2, count - count // 2]))
        two = count / (time.perf_counter() - start)
    placement = {"verifications": count, "one_thread_per_s": one, "two_threads_per_s": two, "speedup": two / one}
    with ThreadPoolExecutor(1) as thread:
        for where, executor in (("on_loop", None), ("on_thread", thread)):
            alone, _ = asyncio.run(_verifies(verify_one, count, executor, tick=False))
            walls, lags = asyncio.run(_verifies(verify_one, count, executor, tick=True))
            placement[where] = {"verify_ms": summary(_ms(alone)), "verify_beside_ticker_ms": summary(_ms(walls)),
                                "ticker_lag_ms": summary(_ms(lags)), "ticker_max_lag_ms": max(lags) * 1e3}
    placement["hand_off_ms"] = (placement["on_thread"]["verify_ms"]["median"]
                                - placement["on_loop"]["verify_ms"]["median"])
    return placement


def _figures(prove_rows, verified, health_s):
    """The derived figures (ms unless named otherwise) and the targets' verdicts."""
    latencies, in_process = verified["latency_s"], verified["in_process_s"]
    verify_runs = len(latencies)
    prove_latency = _ms(r["latency_s"] for r in prove_rows)
    prove_overhead = [lat - w * 1e3 for lat, w in zip(prove_latency, (r["worker_s"] for r in prove_rows))]
    verify_overhead = [(lat - local) * 1e3 for lat, local in zip(latencies, in_process)]
    in_process_cpu_per = sum(verified["in_process_cpu_s"]) / verify_runs
    server_cpu_per = verified["server_cpu_s"] / verify_runs
    figures = {
        "prove_latency_ms": summary(prove_latency),
        "prove_worker_ms": summary(_ms(r["worker_s"] for r in prove_rows)),
        "prove_in_process_ms": summary(_ms(r["in_process_s"] for r in prove_rows)),
        "prove_overhead_ms": summary(prove_overhead),
        "prove_over_in_process_ms": statistics.median(prove_latency)
        - statistics.median(_ms(r["in_process_s"] for r in prove_rows)),
        "verify_latency_ms": summary(_ms(latencies)),
        "verify_in_process_ms": summary(_ms(in_process)),
        "verify_overhead_ms": summary(verify_overhead),
        "verify_in_process_cpu_ms": in_process_cpu_per * 1e3,
        "verify_server_cpu_ms": server_cpu_per * 1e3,
        "verify_cpu_ratio": server_cpu_per / in_process_cpu_per,
        "health_latency_ms": summary(_ms(health_s)),
    }
    measured = {"prove_overhead_median_ms": figures["prove_overhead_ms"]["median"],
                "verify_overhead_median_ms": figures["verify_overhead_ms"]["median"],
                "verify_cpu_ratio": figures["verify_cpu_ratio"]}
    figures["targets"] = {key: {"target": TARGETS[key], "measured": value, "met": value <= TARGETS[key]}
                          for key, value in measured.items()}
    return figures


def _core_share(prove_rows):
    """The median share of the cores an in-process proof ran on: its CPU / wall / numba's
    threads (about 0.95 on an idle machine; far less when other processes held the cores)."""
    import numba

    return statistics.median(r["in_process_cpu_s"] / r["in_process_s"] for r in prove_rows) / numba.get_num_threads()


def _contention(span, core_share):
    """Why the run may have been contended (None if not): the in-process proofs got under
    CONTENDED_CORE_SHARE of their cores, others' load before the run, or a load above the
    cores during it (the 1-minute average lags: read the load as a hint)."""
    if core_share < CONTENDED_CORE_SHARE:
        return f"the in-process proofs ran on {core_share:.0%} of their cores' time: others held them"
    return span.load_contention()


def bench_service(circuit_dir=None, depth=20, prove_runs=30, verify_runs=300, health_runs=300, warmup=5):
    """The service's overheads at low load (see the module docstring): a dict with the raw
    per-request figures ("prove", "verify", "health"), their summaries and the targets' verdicts
    ("figures"), the measurements behind verification's placement ("verify_placement"), the
    circuit, the machine, the span (load before and after) and "contention" (None, or why the
    figures may be inflated)."""
    from tqdm import tqdm

    with tempfile.TemporaryDirectory(prefix="zkwork-bench-service-") as scratch:
        if circuit_dir is None:
            print(f"[service] zkwork setup membership hardened depth={depth}", file=sys.stderr, flush=True)
            circuit_dir = make_circuit_dir(Path(scratch) / "circuit", depth)
        pattern, pk = read_circuit_dir(circuit_dir)
        print(f"[service] {pattern.label}: compiling the in-process prover, starting zkwork serve",
              file=sys.stderr, flush=True)
        prover = compile_prover(pattern, pk, precompute_mb=DEFAULT_PRECOMPUTE_MB)  # as the server's worker
        pvk, num_public = prepare_verifying_key(pk.vk), pk.vk.num_public
        input_text = (Path(circuit_dir) / "input.json").read_text()
        end_to_end(prover, input_text)  # the JIT's first call, outside the measurement
        with ServeProcess([circuit_dir], "--workers", 1) as server:
            server.wait_ready()
            with Connection(server.url) as connection, Span() as span:
                total = prove_runs + verify_runs + health_runs + 3 * warmup
                with tqdm(total=total, desc="zkwork bench service", unit="request", file=sys.stderr) as bar:
                    prove_rows, verify_body = _measure_prove(connection, f"/v1/prove/{pattern.main_name}", prover,
                                                             input_text, warmup, prove_runs, bar)
                    verified = _measure_verify(connection, f"/v1/verify/{pattern.main_name}", server.pid,
                                               pvk, num_public, verify_body, warmup, verify_runs, bar)
                    health_s = _measure_health(connection, warmup, health_runs, bar)
    rejected = sum(not (local and served) for local, served in verified["verdicts"])
    if rejected:
        raise InvariantError(f"{rejected} valid proofs were rejected (in process or by the server)")
    core_share = _core_share(prove_rows)
    return {
        "circuit": {"label": pattern.label, "name": pattern.main_name, "pattern": pattern.name,
                    "variant": pattern.variant, "params": dict(pattern.params),
                    "constraints": prover.r1cs.num_constraints},
        "machine": describe(), "span": span.as_dict(), "core_share": core_share,
        "contention": _contention(span, core_share),
        "runs": {"prove": prove_runs, "verify": verify_runs, "health": health_runs, "warmup": warmup},
        "prove": prove_rows,
        "verify": {"latency_ms": _ms(verified["latency_s"]), "in_process_ms": _ms(verified["in_process_s"]),
                   "in_process_cpu_ms": _ms(verified["in_process_cpu_s"]), "server_cpu_s": verified["server_cpu_s"],
                   "all_valid": True},
        "health": {"latency_ms": _ms(health_s)},
        "figures": _figures(prove_rows, verified, health_s),
        "verify_placement": verify_placement(pvk, num_public, verify_body, count=min(100, verify_runs)),
        "targets": TARGETS,
    }


def format_table(results):
    """The figures as Markdown: latencies and overheads (median, P95), CPU, targets met."""
    f, c = results["figures"], results["circuit"]
    span, placement = results["span"], results["verify_placement"]
    loop, thread = placement["on_loop"], placement["on_thread"]
    rows = [
        ("prove: client latency", f["prove_latency_ms"]),
        ("prove: worker compute (its timings)", f["prove_worker_ms"]),
        ("prove: in-process end to end", f["prove_in_process_ms"]),
        ("prove: overhead = latency - worker", f["prove_overhead_ms"]),
        ("verify: client latency", f["verify_latency_ms"]),
        ("verify: in-process parse + verify", f["verify_in_process_ms"]),
        ("verify: overhead = latency - in-process", f["verify_overhead_ms"]),
        ("GET /health: client latency (HTTP floor)", f["health_latency_ms"]),
    ]
    lines = [
        "# zkwork serve: service overhead at low load",
        "",
        f"{c['label']} ({c['constraints']:,} constraints), one request at a time over one keep-alive "
        f"connection, {results['runs']['prove']} proofs, {results['runs']['verify']} verifications after "
        f"{results['runs']['warmup']} warm-up requests each; {results['machine']['cpu_model']} "
        f"({results['machine']['cpu_count']} cores), load average {span['load_before']:.2f} before and "
        f"{span['load_after']:.2f} after; the in-process proofs had {results['core_share']:.0%} of their cores. "
        "Times in ms.",
        "",
        "| measured | median | P95 |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {s['median']:.2f} | {s['p95']:.2f} |" for name, s in rows),
        "",
        f"Prove latency - in-process end to end (medians): {f['prove_over_in_process_ms']:.2f} ms. "
        f"CPU per verification: server process {f['verify_server_cpu_ms']:.2f} ms, in process "
        f"{f['verify_in_process_cpu_ms']:.2f} ms.",
        "",
        f"Verification's placement: two threads verify at {placement['speedup']:.2f}x one thread's rate (2x "
        "would mean the kernels release the GIL). On the event loop a verification takes "
        f"{loop['verify_ms']['median']:.2f} ms and lags a 1 ms asyncio ticker "
        f"by up to {loop['ticker_max_lag_ms']:.1f} ms "
        f"(P95 {loop['ticker_lag_ms']['p95']:.2f}); on one executor thread {thread['verify_ms']['median']:.2f} ms "
        f"(minus the loop's: {placement['hand_off_ms']:.2f} ms, the hand-off; beside the ticker "
        f"{thread['verify_beside_ticker_ms']['median']:.2f} ms), ticker lag up to {thread['ticker_max_lag_ms']:.1f} ms "
        f"(P95 {thread['ticker_lag_ms']['p95']:.2f}).",
        "",
        "| target | limit | measured | met |",
        "| --- | ---: | ---: | --- |",
        *(f"| {key} | {t['target']} | {t['measured']:.2f} | {'yes' if t['met'] else 'NO'} |"
          for key, t in f["targets"].items()),
    ]
    if results["contention"]:
        lines += ["", f"CONTENDED: {results['contention']}; the overheads may be inflated."]
    return "\n".join(lines)
