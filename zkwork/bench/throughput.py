"""Throughput: end-to-end proofs/s and verifications/s of one pattern with 1..N worker
processes of a dask.distributed cluster, and of one process proving with every core, for
comparison. End to end means what a server does with a request: a prove task takes
input.json's text and returns proof.json's and public.json's texts (json.loads, the
witness program, the Groth16 prove, json.dumps; zkwork.prover.Prover.prove_json), a
verification takes those texts and returns the verdict. Each proof's witness stage (input
JSON parsed, witness computed) and prove stage (proof and its JSON) are timed apart, in
wall and CPU seconds, beside the whole.

How a run goes (the result says how long each untimed step took):

  1. The client turns the pattern's sample inputs into input.json's text. It does no numba
     work itself: every kernel a process uses is compiled in that process (zkwork's
     kernels built by factory closures miss numba's on-disk cache in every new process,
     ~30 s of CPU each), so the client leaves recording, setup and proving to the workers.
  2. JIT warm-up, on every worker at once: the whole pipeline on a throwaway key of the
     pattern at its `small_size` (numba compiles per argument type, not per circuit
     size), on the same code path as the timed tasks: the witness program recorded, the
     key saved and loaded back memory-mapped (read-only arrays), an end-to-end proof from
     input JSON text to proof JSON text, then verified from that text.
  3. The first worker records the circuit's witness program, generates the proving key,
     once, and saves it with `write_proving_key` to `key_dir`, a directory every worker
     reads (a temporary directory by default; for a multi-machine cluster pass one on a
     shared filesystem).
  4. Every worker builds its own Prover (`_prover`: the witness program recorded in the
     worker, the key loaded memory-mapped) and runs one end-to-end proof and one
     verification, untimed.
  5. Single process: the first worker runs end-to-end proofs and verifications back to
     back inside one task with every thread of numba's pool (the prover's prange loops on
     all cores) while the other workers are idle.
  6. For k = 1..N, the timed windows: k * proofs_per_worker prove tasks restricted to
     the first k workers; wall time from the first submission until every proof's JSON
     is back -> proofs/s. Then k * verifications_per_worker verifications of those proofs
     in tasks of `verify_chunk` (a 2-10 ms verification would otherwise measure the
     scheduler's per-task overhead) -> verifications/s. Every prove task computes the
     witness from the input JSON again and proves with fresh randomness (r, s), so the
     witness is in every rate; every verification must accept.

Cores: workers run one task thread each, and every scaling task limits numba to
`numba_threads` (default 1) with numba.set_num_threads; that has the effect of
NUMBA_NUM_THREADS=1 on everything the task runs, while the worker's pool keeps its
default size (every core) for step 5, so both figures come from the same warmed
processes without a second compilation. k workers therefore use k * numba_threads cores,
per-core rates are rate / (k * numba_threads), and scaling efficiency is
rate(k) / (k * rate(1)). Each task also reports the CPU seconds its worker process spent
on it (time.process_time), so every window has a second per-core rate, end-to-end proofs
per CPU-second, that holds on a busy machine: a process that other work keeps off a core
accrues no CPU time, while its wall-clock rate drops (`core_share`, their ratio, says by
how much). `witness_share` is the witness stage's part of those CPU-seconds.
"""
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time

import numba

from zkwork.bench.timing import measure
from zkwork.errors import ZkworkError
from zkwork.groth16 import prepare_verifying_key, setup, verify
from zkwork.groth16.key_files import read_proving_key, write_proving_key
from zkwork.groth16.prover import DEFAULT_PRECOMPUTE_MB
from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json
from zkwork.patterns import get_pattern
from zkwork.prover import Prover
from zkwork.r1cs.inputs import inputs_to_json
from zkwork.r1cs.witness_program import WitnessProgram

_LOADED = {}  # in a worker process: key directory -> (Prover, PreparedVerifyingKey)


class ClusterSizeError(ZkworkError, RuntimeError):
    """An existing cluster with fewer workers than the measurement asks for."""


def _say(message):
    print(f"[throughput] {message}", file=sys.stderr, flush=True)


def input_text(pattern):
    """input.json's text for the pattern's sample inputs (what a client would send)."""
    return json.dumps(inputs_to_json(pattern.sample_inputs()))


def end_to_end(prover, request):
    """((proof.json text, public.json text), stages) for input.json's text `request`: what a
    proving server does with one request. `stages` holds wall and CPU seconds of the
    witness stage (the request parsed, the witness computed: witness_s, witness_cpu_s), of
    the prove stage (the proof and its JSON text: prove_s, prove_cpu_s) and of the whole
    (end_to_end_s, end_to_end_cpu_s, their sums)."""
    wall, cpu = time.perf_counter(), time.process_time()
    inputs = json.loads(request)
    parsed, parsed_cpu = time.perf_counter() - wall, time.process_time() - cpu
    timings = {}
    proof, public = prover.prove_json(inputs, timings)
    texts = json.dumps(proof), json.dumps(public)
    total, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
    # the witness stage starts at the request's text: parsing it is the server's work too
    witness_s, witness_cpu_s = parsed + timings["witness_s"], parsed_cpu + timings["witness_cpu_s"]
    return texts, {"witness_s": witness_s, "witness_cpu_s": witness_cpu_s, "prove_s": total - witness_s,
                   "prove_cpu_s": total_cpu - witness_cpu_s, "end_to_end_s": total, "end_to_end_cpu_s": total_cpu}


def _verify_texts(pvk, proof_text, public_text):
    """Whether proof.json's text verifies against public.json's (a verification request)."""
    return bool(verify(pvk, public_from_json(json.loads(public_text)), proof_from_json(json.loads(proof_text))))


# -- tasks run on the workers ------------------------------------------------------------

def _jit_warm_up(name, variant, params):
    """Compile every kernel the timed tasks use, in this worker: record, setup, save, load
    (memory-mapped), an end-to-end proof from input JSON text, its verification from the
    proof's JSON text, at `params` (the pattern's small size), on a throwaway key in a
    temporary directory."""
    start = time.perf_counter()
    pattern = get_pattern(name, variant, **params)
    program = WitnessProgram.record(pattern.circuit)
    with tempfile.TemporaryDirectory(prefix="zkwork-jit-warm-up-") as directory:
        write_proving_key(setup(program.r1cs), directory)
        prover = Prover(program, read_proving_key(directory), label=pattern.label, precompute_mb=DEFAULT_PRECOMPUTE_MB)
        texts, _ = end_to_end(prover, input_text(pattern))
        accepted = _verify_texts(prepare_verifying_key(prover.pk.vk), *texts)
    return {"pid": os.getpid(), "pool_threads": numba.config.NUMBA_NUM_THREADS, "accepted": accepted,
            "seconds": time.perf_counter() - start}


def _generate_key(name, variant, params, key_dir):
    """Record the circuit, generate its proving key and save it to `key_dir`; returns
    (seconds the recording took, seconds setup took, constraints)."""
    start = time.perf_counter()
    program = WitnessProgram.record(get_pattern(name, variant, **params).circuit)
    recorded = time.perf_counter()
    pk = setup(program.r1cs)
    setup_s = time.perf_counter() - recorded
    write_proving_key(pk, key_dir)
    return recorded - start, setup_s, program.r1cs.num_constraints


def _prover(key_dir, name, variant, params):
    """This worker's (Prover, prepared verifying key). Built in the worker rather than
    pickled from the client: the key stays memory-mapped from `key_dir` (shared by the
    workers of a machine, one page cache) instead of ~16 MB per worker at depth 20 over the
    scheduler, and recording the witness program costs 0.1-0.5 s once per worker."""
    if key_dir not in _LOADED:
        pattern = get_pattern(name, variant, **params)
        # fixed-base tables, as a server's workers build them (zkwork.service.workers)
        prover = Prover(WitnessProgram.record(pattern.circuit), read_proving_key(key_dir), label=pattern.label,
                        precompute_mb=DEFAULT_PRECOMPUTE_MB)
        _LOADED[key_dir] = (prover, prepare_verifying_key(prover.pk.vk))
    return _LOADED[key_dir]


def _prove_task(key_dir, spec, request, numba_threads):
    """(proof.json and public.json texts, stages) of one end-to-end proof of `request`."""
    numba.set_num_threads(numba_threads)
    prover, _ = _prover(key_dir, *spec)
    return end_to_end(prover, request)


def _verify_task(key_dir, spec, statements, numba_threads):
    """(how many of `statements`, (proof text, public text) pairs, verify; the CPU seconds
    spent on them)."""
    numba.set_num_threads(numba_threads)
    _, pvk = _prover(key_dir, *spec)
    started = time.process_time()
    accepted = sum(_verify_texts(pvk, *statement) for statement in statements)
    return accepted, time.process_time() - started


def _single_process_task(key_dir, spec, request, statement, proofs, verifications):
    """Back-to-back end-to-end proofs and verifications in this worker with every thread of
    numba's pool (zkwork.bench.timing.measure, no warm-up: the caller has warmed this
    worker; its cold call is left out of the stage medians as of the rates)."""
    threads = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(threads)
    prover, pvk = _prover(key_dir, *spec)
    stages = []
    prove_t = measure(lambda: stages.append(end_to_end(prover, request)[1]), runs=proofs, warmup=0)
    verify_t = measure(lambda: _verify_texts(pvk, *statement), runs=verifications, warmup=0)
    timed = stages[1:]
    proofs_per_s = proofs / sum(prove_t.runs_s)
    verifications_per_s = verifications / sum(verify_t.runs_s)
    return {
        "numba_threads": threads, "proofs": proofs, "proofs_per_s": proofs_per_s,
        "proofs_per_s_per_core": proofs_per_s / threads, "end_to_end_median_s": prove_t.median_s,
        "witness_median_s": statistics.median(s["witness_s"] for s in timed),
        "prove_median_s": statistics.median(s["prove_s"] for s in timed),
        "witness_share": sum(s["witness_cpu_s"] for s in timed) / sum(s["end_to_end_cpu_s"] for s in timed),
        "verifications": verifications, "verifications_per_s": verifications_per_s,
        "verifications_per_s_per_core": verifications_per_s / threads, "verify_median_s": verify_t.median_s,
    }


# -- the client side ---------------------------------------------------------------------

@contextlib.contextmanager
def dask_client(scheduler_address, n_workers):
    """(client, description) of the scheduler at `scheduler_address`, else of a LocalCluster of
    `n_workers` single-threaded worker processes (closed when the `with` block ends)."""
    from dask.distributed import Client, LocalCluster

    if scheduler_address:
        with Client(scheduler_address) as client:
            yield client, f"existing scheduler at {scheduler_address}"
        return
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client, f"LocalCluster(n_workers={n_workers}, threads_per_worker=1, processes=True)"


def _workers(client, wanted):
    client.wait_for_workers(wanted, timeout=120)
    addresses = sorted(client.scheduler_info(n_workers=-1)["workers"])
    if len(addresses) < wanted:
        raise ClusterSizeError(f"the cluster has {len(addresses)} workers, the measurement needs {wanted}")
    return addresses[:wanted]


def _run(client, fn, args_list, workers):
    """Submit fn(*args) for every args, restricted to `workers`; (results, wall seconds
    from the first submission until the last result is back)."""
    start = time.perf_counter()
    futures = [client.submit(fn, *args, workers=workers, allow_other_workers=False, pure=False)
               for args in args_list]
    results = client.gather(futures)
    return results, time.perf_counter() - start


def _chunks(proofs, count, size):
    """`count` proofs taken cyclically from `proofs`, in lists of at most `size`."""
    return [[proofs[(i + j) % len(proofs)] for j in range(min(size, count - i))] for i in range(0, count, size)]


def _proof_row(k, cores, stages, wall_s):
    """The proof columns of the window of `k` workers: rates over the window's wall time
    and over the CPU-seconds of its end-to-end proofs, each stage's CPU-seconds and share,
    and the per-proof medians of the workers' wall times."""
    n = len(stages)
    cpu = {key: sum(s[key] for s in stages) for key in ("end_to_end_cpu_s", "witness_cpu_s", "prove_cpu_s")}
    return {
        "workers": k, "cores": cores, "proofs": n, "proofs_wall_s": wall_s, "proofs_per_s": n / wall_s,
        "proofs_per_s_per_core": n / wall_s / cores, **cpu, "proofs_per_cpu_s": n / cpu["end_to_end_cpu_s"],
        "witness_share": cpu["witness_cpu_s"] / cpu["end_to_end_cpu_s"],
        **{f"{stage}_median_ms": 1e3 * statistics.median(s[f"{stage}_s"] for s in stages)
           for stage in ("witness", "prove", "end_to_end")},
    }


def measure_throughput(pattern="membership", variant="reference", params=None, max_workers=None,
                       proofs_per_worker=8, verifications_per_worker=200, verify_chunk=25,
                       scheduler_address=None, key_dir=None, numba_threads=1, single_process=True):
    """End-to-end proofs/s and verifications/s of `pattern`/`variant` (size `params`, e.g.
    {"depth": 4}; default the pattern's production size) with 1..max_workers workers
    (default os.cpu_count() // numba_threads), as the module docstring describes.
    `scheduler_address` measures an existing cluster instead of a LocalCluster (its
    workers must read `key_dir`). Progress goes to stderr.

    Returns a dict: "rows" (one per worker count: workers, cores, proofs, proofs_wall_s,
    proofs_per_s, proofs_per_s_per_core, end_to_end_cpu_s, witness_cpu_s, prove_cpu_s,
    proofs_per_cpu_s (end-to-end proofs per CPU-second), witness_share,
    witness_median_ms, prove_median_ms, end_to_end_median_ms, efficiency (of proofs/s),
    verifications, verify_wall_s, verifications_per_s, verifications_per_s_per_core,
    verify_cpu_s, verifications_per_cpu_s, verification_efficiency, core_share),
    "single_process" (None unless asked), and what was measured how: pattern, variant,
    params, label, constraints, cluster, witness, record_s, setup_s and the untimed
    warm-up times.
    """
    max_workers = max_workers or max(1, (os.cpu_count() or 1) // numba_threads)
    target = get_pattern(pattern, variant, **(params or {}))
    spec = (target.name, variant, dict(target.params))
    small = type(target).small_params()
    request = input_text(target)

    with contextlib.ExitStack() as stack:
        if key_dir is None:
            key_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="zkwork-throughput-key-"))
        key_dir = os.path.abspath(key_dir)
        _say(f"connecting to {scheduler_address}" if scheduler_address else f"starting {max_workers} workers")
        client, cluster = stack.enter_context(dask_client(scheduler_address, max_workers))
        workers = _workers(client, max_workers)
        first = workers[:1]

        _say(f"JIT warm-up on {len(workers)} workers at {small or 'the same size'} (numba compiles in each process)")
        jit = client.gather([client.submit(_jit_warm_up, target.name, variant, small, workers=[w], pure=False)
                             for w in workers])
        assert all(r["accepted"] for r in jit), "a worker's warm-up proof did not verify"
        _say(f"{target.label}: witness program and key generation on the first worker, saved to {key_dir}")
        ((record_s, setup_s, constraints),), _ = _run(client, _generate_key, [(*spec, key_dir)], first)

        start = time.perf_counter()
        warm = client.gather([client.submit(_prove_task, key_dir, spec, request, numba_threads, workers=[w],
                                            pure=False) for w in workers])
        warm_ok = client.gather([client.submit(_verify_task, key_dir, spec, [texts], numba_threads,
                                               workers=[w], pure=False) for w, (texts, _) in zip(workers, warm)])
        assert sum(ok for ok, _ in warm_ok) == len(workers), "a worker's proof with the shared key did not verify"
        key_warm_up_s = time.perf_counter() - start

        single = None
        if single_process:
            _say(f"single process: {proofs_per_worker} proofs, {verifications_per_worker} verifications, all threads")
            (single,), _ = _run(client, _single_process_task, [(key_dir, spec, request, warm[0][0],
                                                                 proofs_per_worker, verifications_per_worker)], first)

        rows = []
        for k in range(1, max_workers + 1):
            n_proofs, n_verify = k * proofs_per_worker, k * verifications_per_worker
            _say(f"{k} worker(s): {n_proofs} end-to-end proofs")
            proved, prove_s = _run(client, _prove_task, [(key_dir, spec, request, numba_threads)] * n_proofs,
                                   workers[:k])
            chunks = _chunks([texts for texts, _ in proved], n_verify, verify_chunk)
            _say(f"{k} worker(s): {n_verify} verifications in {len(chunks)} tasks")
            verified, verify_s = _run(client, _verify_task,
                                      [(key_dir, spec, chunk, numba_threads) for chunk in chunks], workers[:k])
            accepted, verify_cpu_s = sum(ok for ok, _ in verified), sum(cpu for _, cpu in verified)
            assert accepted == n_verify, f"{n_verify - accepted} valid proofs were rejected"
            cores = k * numba_threads
            row = _proof_row(k, cores, [stages for _, stages in proved], prove_s)
            row.update({
                "verifications": n_verify, "verify_wall_s": verify_s, "verifications_per_s": n_verify / verify_s,
                "verifications_per_s_per_core": n_verify / verify_s / cores,
                "verify_cpu_s": verify_cpu_s, "verifications_per_cpu_s": n_verify / verify_cpu_s,
                # the wall-clock rate per core over the CPU-second rate: near 1 when the cores were
                # the workers' own, lower when other work (or the client) took them
                "core_share": row["proofs_per_s_per_core"] / row["proofs_per_cpu_s"],
            })
            rows.append(row)
    for row in rows:
        row["efficiency"] = row["proofs_per_s"] / (row["workers"] * rows[0]["proofs_per_s"])
        row["verification_efficiency"] = row["verifications_per_s"] / (row["workers"] * rows[0]["verifications_per_s"])
    return {
        "pattern": target.name, "variant": variant, "params": dict(target.params), "label": target.label,
        "constraints": constraints, "cluster": cluster, "numba_threads_per_worker": numba_threads,
        "worker_pool_threads": [r["pool_threads"] for r in jit],
        "witness": "end to end: every prove task parses input.json's text, computes the witness with the "
                   "worker's witness program and proves with fresh randomness, returning proof.json's and "
                   "public.json's texts; verifications parse those texts. Witness and prove stages are timed apart",
        "record_s": record_s, "setup_s": setup_s, "jit_warm_up_s": [r["seconds"] for r in jit],
        "key_warm_up_s": key_warm_up_s, "rows": rows, "single_process": single,
    }


def throughput_frame(result):
    """The rows of a measure_throughput result as a pandas DataFrame indexed by workers."""
    import pandas as pd

    return pd.DataFrame(result["rows"]).set_index("workers")
