"""The proving workers: a process pool in which every process compiles its own Prover of each
circuit and proves each circuit's sample input once before it takes requests (warm: numba's
kernels loaded from the disk cache, the witness program recorded).

Processes, not threads: proving is CPU-bound Python and numba code that holds the GIL for
most of a proof. Each process gets NUMBA_NUM_THREADS = cores // workers (at least 1), so that
workers x numba threads never oversubscribes the cores. The start method is spawn: the
server process may already run numba's thread pool and the event loop's threads, which a
fork would copy in an undefined state.
"""
import json
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

# One Prover per circuit name, built by _init_worker in each worker process.
_PROVERS = {}


def available_cores():
    """The cores this process may run on (its affinity mask, which a container or taskset narrows)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def numba_threads_per_worker(workers, cores=None):
    """Numba threads for each of `workers` processes so that their product stays within the cores."""
    return max(1, (cores or available_cores()) // max(1, workers))


def _init_worker(circuit_dirs, numba_threads, warm_queue):
    """Worker-process initializer: caps numba's threads, compiles every circuit's Prover, proves
    its sample input.json once (warm-up) and reports its pid on `warm_queue`."""
    os.environ["NUMBA_NUM_THREADS"] = str(numba_threads)  # before numba starts its thread pool
    import numba

    from zkwork.prover import compile_prover
    from zkwork.workspace import read_circuit_dir

    numba.set_num_threads(min(numba_threads, numba.config.NUMBA_NUM_THREADS))
    for name, directory in circuit_dirs.items():
        pattern, pk = read_circuit_dir(directory)
        _PROVERS[name] = compile_prover(pattern, pk)
        _PROVERS[name].prove_json(json.loads((Path(directory) / "input.json").read_text()))
    warm_queue.put(os.getpid())


def _prove(name, input_json):
    """Runs in a worker: (proof.json, public.json, stage timings) of `input_json` for circuit `name`.
    CircuitInputError and UnsatisfiedConstraintError pickle back to the server as themselves."""
    timings = {}
    proof, public = _PROVERS[name].prove_json(input_json, timings)
    return proof, public, timings


def _noop():
    """A task that makes ProcessPoolExecutor start one more process (it starts them on demand)."""


class ProverPool:
    """`workers` proving processes over the circuits {name: directory}; `prove` returns a
    concurrent.futures.Future. `wait_warm` blocks until every worker has proved each circuit once."""

    def __init__(self, circuit_dirs, workers):
        """Starts the processes at once; their warm-up runs in the background."""
        context = get_context("spawn")
        self.workers = workers
        self.numba_threads = numba_threads_per_worker(workers)
        self._warm_queue = context.Queue()
        self._executor = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker,
            initargs=({name: str(path) for name, path in circuit_dirs.items()}, self.numba_threads,
                      self._warm_queue))
        # With spawn, the executor starts a process per submission that finds no idle one:
        # `workers` submissions at once start them all.
        for _ in range(workers):
            self._executor.submit(_noop)
        self._warm = set()

    def wait_warm(self, timeout=None):
        """Blocks until every worker has warmed up (True), or `timeout` seconds pass (False)."""
        import queue

        while len(self._warm) < self.workers:
            try:
                self._warm.add(self._warm_queue.get(timeout=timeout))
            except queue.Empty:
                return False
        return True

    @property
    def warm(self):
        """Whether every worker has proved once."""
        return len(self._warm) >= self.workers

    def prove(self, name, input_json):
        """A Future of (proof.json, public.json, timings) for `input_json` on circuit `name`."""
        return self._executor.submit(_prove, name, input_json)

    def shutdown(self):
        """Waits for the submitted proofs to finish, then stops the processes."""
        self._executor.shutdown(wait=True, cancel_futures=False)
        self._warm_queue.close()
