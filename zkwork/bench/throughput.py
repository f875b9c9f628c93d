"""Throughput: proofs/s and verifications/s of one pattern with 1..N worker processes of
a dask.distributed cluster, and of one process proving with every core, for comparison.

How a run goes (the result says how long each untimed step took):

  1. The client solves the witness once. It does no numba work itself: every kernel a
     process uses is compiled in that process (zkwork's kernels built by factory closures
     miss numba's on-disk cache in every new process, ~30 s of CPU each), so the client
     leaves proving to the workers.
  2. JIT warm-up, on every worker at once: the whole pipeline on a throwaway key of the
     pattern at its `small_size` (numba compiles per argument type, not per circuit
     size), on the same code path as the timed tasks: the key saved and loaded back
     memory-mapped (read-only arrays), the proof pickled and unpickled as if it came over
     the network, then verified.
  3. The first worker generates the proving key, once, and saves it with
     `write_proving_key` to `key_dir`, a directory every worker reads (a temporary
     directory by default; for a multi-machine cluster pass one on a shared filesystem).
  4. The witness and public signals go to every worker once (`client.scatter`,
     broadcast); every worker loads the key memory-mapped (`read_proving_key`) and runs
     one prove task and one verify task, untimed.
  5. Single process: the first worker proves and verifies back to back inside one task
     with every thread of numba's pool (the prover's prange loops on all cores) while
     the other workers are idle.
  6. For k = 1..N, the timed windows: k * proofs_per_worker prove tasks restricted to
     the first k workers; wall time from the first submission until every proof is back
     -> proofs/s. Then k * verifications_per_worker verifications of those proofs in
     tasks of `verify_chunk` (a 2-10 ms verification would otherwise measure the
     scheduler's per-task overhead) -> verifications/s. Every prove task proves the same
     precomputed witness with fresh randomness (r, s), so witness computation is not in
     the rates; every verification must accept.

Cores: workers run one task thread each, and every scaling task limits numba to
`numba_threads` (default 1) with numba.set_num_threads; that has the effect of
NUMBA_NUM_THREADS=1 on everything the task runs, while the worker's pool keeps its
default size (every core) for step 5, so both figures come from the same warmed
processes without a second compilation. k workers therefore use k * numba_threads cores,
per-core rates are rate / (k * numba_threads), and scaling efficiency is
rate(k) / (k * rate(1)). Each task also reports the CPU seconds its worker process spent
on it (time.process_time), so every window has a second per-core rate, tasks per
CPU-second, that holds on a busy machine: a process that other work keeps off a core
accrues no CPU time, while its wall-clock rate drops (`core_share`, their ratio, says by
how much).
"""
import contextlib
import os
import pickle
import sys
import tempfile
import time

import numba

from zkwork.bench.timing import measure
from zkwork.errors import ZkworkError
from zkwork.groth16 import prepare_verifying_key, prove, setup, verify
from zkwork.groth16.key_files import read_proving_key, write_proving_key
from zkwork.patterns import get_pattern

_LOADED = {}  # in a worker process: key directory -> (ProvingKey, PreparedVerifyingKey)


class ClusterSizeError(ZkworkError, RuntimeError):
    """An existing cluster with fewer workers than the measurement asks for."""


def _say(message):
    print(f"[throughput] {message}", file=sys.stderr, flush=True)


# -- tasks run on the workers ------------------------------------------------------------

def _jit_warm_up(name, variant, params):
    """Compile every kernel the timed tasks use, in this worker: solve, setup, save, load
    (memory-mapped), prove, pickle round trip of the proof, verify, at `params` (the
    pattern's small size), on a throwaway key in a temporary directory."""
    start = time.perf_counter()
    pattern = get_pattern(name, variant, **params)
    r1cs, witness = pattern.solve(pattern.sample_inputs())
    with tempfile.TemporaryDirectory(prefix="zkwork-jit-warm-up-") as directory:
        write_proving_key(setup(r1cs), directory)
        pk = read_proving_key(directory)
        proof = pickle.loads(pickle.dumps(prove(pk, witness)))
        accepted = verify(prepare_verifying_key(pk.vk), r1cs.public_signals(witness), proof)
    return {"pid": os.getpid(), "pool_threads": numba.config.NUMBA_NUM_THREADS, "accepted": accepted,
            "seconds": time.perf_counter() - start}


def _generate_key(r1cs, key_dir):
    """The proving key of `r1cs`, saved to `key_dir`; returns the seconds setup took."""
    start = time.perf_counter()
    pk = setup(r1cs)
    seconds = time.perf_counter() - start
    write_proving_key(pk, key_dir)
    return seconds


def _loaded(key_dir):
    if key_dir not in _LOADED:
        pk = read_proving_key(key_dir)
        _LOADED[key_dir] = (pk, prepare_verifying_key(pk.vk))
    return _LOADED[key_dir]


def _prove_task(key_dir, witness, numba_threads):
    """(a proof of `witness`, the CPU seconds this worker process spent on it)."""
    numba.set_num_threads(numba_threads)
    pk, _ = _loaded(key_dir)
    started = time.process_time()
    proof = prove(pk, witness)
    return proof, time.process_time() - started


def _verify_task(key_dir, public, proofs, numba_threads):
    """(how many of `proofs` verify against `public`, the CPU seconds spent on them)."""
    numba.set_num_threads(numba_threads)
    _, pvk = _loaded(key_dir)
    started = time.process_time()
    accepted = sum(bool(verify(pvk, public, proof)) for proof in proofs)
    return accepted, time.process_time() - started


def _single_process_task(key_dir, witness, public, proof, proofs, verifications):
    """Back-to-back proofs and verifications in this worker with every thread of numba's
    pool (zkwork.bench.timing.measure, no warm-up: the caller has warmed this worker)."""
    threads = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(threads)
    pk, pvk = _loaded(key_dir)
    prove_t = measure(lambda: prove(pk, witness), runs=proofs, warmup=0)
    verify_t = measure(lambda: verify(pvk, public, proof), runs=verifications, warmup=0)
    proofs_per_s = proofs / sum(prove_t.runs_s)
    verifications_per_s = verifications / sum(verify_t.runs_s)
    return {
        "numba_threads": threads, "proofs": proofs, "proofs_per_s": proofs_per_s,
        "proofs_per_s_per_core": proofs_per_s / threads, "prove_median_s": prove_t.median_s,
        "verifications": verifications, "verifications_per_s": verifications_per_s,
        "verifications_per_s_per_core": verifications_per_s / threads, "verify_median_s": verify_t.median_s,
    }


# -- the client side ---------------------------------------------------------------------

@contextlib.contextmanager
def _client(scheduler_address, n_workers):
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


def measure_throughput(pattern="membership", variant="reference", params=None, max_workers=None,
                       proofs_per_worker=8, verifications_per_worker=200, verify_chunk=25,
                       scheduler_address=None, key_dir=None, numba_threads=1, single_process=True):
    """Proofs/s and verifications/s of `pattern`/`variant` (size `params`, e.g.
    {"depth": 4}; default the pattern's production size) with 1..max_workers workers
    (default os.cpu_count() // numba_threads), as the module docstring describes.
    `scheduler_address` measures an existing cluster instead of a LocalCluster (its
    workers must read `key_dir`). Progress goes to stderr.

    Returns a dict: "rows" (one per worker count: workers, cores, proofs, prove_wall_s,
    proofs_per_s, proofs_per_s_per_core, efficiency (of proofs/s), verifications,
    verify_wall_s, verifications_per_s, verifications_per_s_per_core,
    verification_efficiency), "single_process" (None unless asked), and what was measured
    how: pattern, variant, params, label, constraints, cluster, witness, setup_s and the
    untimed warm-up times.
    """
    max_workers = max_workers or max(1, (os.cpu_count() or 1) // numba_threads)
    target = get_pattern(pattern, variant, **(params or {}))
    cls = type(target)
    small = cls.small_params()
    _say(f"{target.label}: witness")
    r1cs, witness = target.solve(target.sample_inputs())
    public = r1cs.public_signals(witness)

    with contextlib.ExitStack() as stack:
        if key_dir is None:
            key_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="zkwork-throughput-key-"))
        key_dir = os.path.abspath(key_dir)
        _say(f"connecting to {scheduler_address}" if scheduler_address else f"starting {max_workers} workers")
        client, cluster = stack.enter_context(_client(scheduler_address, max_workers))
        workers = _workers(client, max_workers)
        first = workers[:1]

        _say(f"JIT warm-up on {len(workers)} workers at {small or 'the same size'} (numba compiles in each process)")
        jit = client.gather([client.submit(_jit_warm_up, target.name, variant, small, workers=[w], pure=False)
                             for w in workers])
        assert all(r["accepted"] for r in jit), "a worker's warm-up proof did not verify"
        _say(f"key generation on the first worker, saved to {key_dir}")
        (setup_s,), _ = _run(client, _generate_key, [(r1cs, key_dir)], first)

        witness_f, public_f = client.scatter([witness, public], broadcast=True)
        start = time.perf_counter()
        warm_proofs = [proof for proof, _ in client.gather([
            client.submit(_prove_task, key_dir, witness_f, numba_threads, workers=[w], pure=False) for w in workers])]
        warm_ok = client.gather([client.submit(_verify_task, key_dir, public_f, [proof], numba_threads,
                                               workers=[w], pure=False) for w, proof in zip(workers, warm_proofs)])
        assert sum(ok for ok, _ in warm_ok) == len(workers), "a worker's proof with the shared key did not verify"
        key_warm_up_s = time.perf_counter() - start

        single = None
        if single_process:
            _say(f"single process: {proofs_per_worker} proofs, {verifications_per_worker} verifications, all threads")
            (single,), _ = _run(client, _single_process_task, [(key_dir, witness_f, public_f, warm_proofs[0],
                                                                 proofs_per_worker, verifications_per_worker)], first)

        rows = []
        for k in range(1, max_workers + 1):
            n_proofs, n_verify = k * proofs_per_worker, k * verifications_per_worker
            _say(f"{k} worker(s): {n_proofs} proofs")
            proved, prove_s = _run(client, _prove_task, [(key_dir, witness_f, numba_threads)] * n_proofs, workers[:k])
            proofs, prove_cpu_s = [proof for proof, _ in proved], sum(cpu for _, cpu in proved)
            chunks = _chunks(proofs, n_verify, verify_chunk)
            _say(f"{k} worker(s): {n_verify} verifications in {len(chunks)} tasks")
            verified, verify_s = _run(client, _verify_task,
                                      [(key_dir, public_f, chunk, numba_threads) for chunk in chunks], workers[:k])
            accepted, verify_cpu_s = sum(ok for ok, _ in verified), sum(cpu for _, cpu in verified)
            assert accepted == n_verify, f"{n_verify - accepted} valid proofs were rejected"
            cores = k * numba_threads
            rows.append({
                "workers": k, "cores": cores,
                "proofs": n_proofs, "prove_wall_s": prove_s, "proofs_per_s": n_proofs / prove_s,
                "proofs_per_s_per_core": n_proofs / prove_s / cores,
                "prove_cpu_s": prove_cpu_s, "proofs_per_cpu_s": n_proofs / prove_cpu_s,
                "verifications": n_verify, "verify_wall_s": verify_s, "verifications_per_s": n_verify / verify_s,
                "verifications_per_s_per_core": n_verify / verify_s / cores,
                "verify_cpu_s": verify_cpu_s, "verifications_per_cpu_s": n_verify / verify_cpu_s,
                # the wall-clock rate per core over the CPU-second rate: near 1 when the cores were
                # the workers' own, lower when other work (or the client) took them
                "core_share": (n_proofs / prove_s / cores) / (n_proofs / prove_cpu_s),
            })
    for row in rows:
        row["efficiency"] = row["proofs_per_s"] / (row["workers"] * rows[0]["proofs_per_s"])
        row["verification_efficiency"] = row["verifications_per_s"] / (row["workers"] * rows[0]["verifications_per_s"])
    return {
        "pattern": target.name, "variant": variant, "params": dict(target.params), "label": target.label,
        "constraints": r1cs.num_constraints, "cluster": cluster, "numba_threads_per_worker": numba_threads,
        "worker_pool_threads": [r["pool_threads"] for r in jit],
        "witness": "solved once in the client and sent to every worker once (scatter, broadcast); every "
                   "prove task proves it with fresh randomness, so witness computation is not in the rates",
        "setup_s": setup_s, "jit_warm_up_s": [r["seconds"] for r in jit], "key_warm_up_s": key_warm_up_s,
        "rows": rows, "single_process": single,
    }


def throughput_frame(result):
    """The rows of a measure_throughput result as a pandas DataFrame indexed by workers."""
    import pandas as pd

    return pd.DataFrame(result["rows"]).set_index("workers")
