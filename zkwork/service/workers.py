"""The proving workers: processes in which every process compiles its own Prover of each
circuit and proves each circuit's sample input once before it takes requests (warm: numba's
kernels loaded from the disk cache, the witness program recorded).

Processes, not threads: proving is CPU-bound Python and numba code that holds the GIL for
most of a proof. Each process gets NUMBA_NUM_THREADS = cores // workers (at least 1), so that
workers x numba threads never oversubscribes the cores. The start method is spawn: the
server process may already run numba's thread pool and the event loop's threads, which a
fork would copy in an undefined state.

Why not concurrent.futures.ProcessPoolExecutor: when one of its processes dies, the executor
is broken for good (BrokenProcessPool): it fails every pending future, the other workers'
included, and every later submission. A service must lose only the dead worker's request.

Design: the parent owns each worker through one duplex Pipe and one dispatcher thread.
  * `prove` puts (Future, circuit, inputs) on a deque in the parent and wakes the dispatcher;
    requests wait there, not in a worker, so a death can only take the one request its
    worker holds.
  * The dispatcher blocks in multiprocessing.connection.wait on every worker's pipe, every
    worker's process sentinel (readable once it has ended) and a wake-up pipe. It hands a
    waiting request to a warm idle worker (one at a time per worker), sets Futures from the
    workers' answers and, when a sentinel fires, fails that worker's request with
    WorkerDiedError and starts a replacement, which is not warm (so `warm`, hence /ready, is
    false) until it has proved each circuit once. A worker that dies before it is warm is
    replaced after RESPAWN_DELAY_S, so that a worker that cannot start does not spin.
  * A Future is marked running (set_running_or_notify_cancel) only when a worker takes it,
    so a request whose deadline passed while it waited is cancelled and never proved.
  * Workers ignore SIGINT (Ctrl-C reaches the whole process group; the parent decides when
    they stop) and exit when their pipe closes, so they do not outlive the parent.
"""
import json
import os
import pickle
import signal
import threading
import time
from collections import deque
from concurrent.futures import Future
from multiprocessing import get_context
from multiprocessing.connection import wait
from pathlib import Path

from zkwork.errors import InvariantError, WorkerDiedError

RESPAWN_DELAY_S = 1.0


def available_cores():
    """The cores this process may run on (its affinity mask, which a container or taskset narrows)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def numba_threads_per_worker(workers, cores=None):
    """Numba threads for each of `workers` processes so that their product stays within the cores."""
    return max(1, (cores or available_cores()) // max(1, workers))


def _sendable(error):
    """`error` if it survives pickling (an exception whose __init__ takes other arguments than
    its args may not), else an InvariantError with its type and message."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001 -- any pickling failure: send the words instead
        return InvariantError(f"{type(error).__name__}: {error}")


def _worker_main(conn, circuit_dirs, numba_threads, precompute_mb):
    """A worker process: caps numba's threads, compiles every circuit's Prover (fixed-base
    tables within `precompute_mb` MB per circuit: a worker proves with the same keys for its
    whole life, so the tables' one-off build pays for itself within tens of proofs), proves its
    sample input.json once, says ("warm", pid), then answers (circuit, inputs) requests with
    ("done", (proof.json, public.json, timings)) or ("failed", error) until its pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["NUMBA_NUM_THREADS"] = str(numba_threads)  # before numba starts its thread pool
    import numba

    from zkwork.prover import compile_prover
    from zkwork.workspace import read_circuit_dir

    numba.set_num_threads(min(numba_threads, numba.config.NUMBA_NUM_THREADS))
    provers = {}
    for name, directory in circuit_dirs.items():
        pattern, pk = read_circuit_dir(directory)
        provers[name] = compile_prover(pattern, pk, precompute_mb=precompute_mb)
        provers[name].prove_json(json.loads((Path(directory) / "input.json").read_text()))
    conn.send(("warm", os.getpid()))
    while True:
        try:
            request = conn.recv()
        except EOFError:  # the parent is gone
            return
        if request is None:
            return
        name, input_json = request
        timings = {}
        try:
            proof, public = provers[name].prove_json(input_json, timings)
        except Exception as error:  # noqa: BLE001 -- CircuitInputError and the like travel back typed
            conn.send(("failed", _sendable(error)))
        else:
            conn.send(("done", (proof, public, timings)))


class _Worker:
    """The parent's view of one worker process: its pipe, whether it is warm, its request."""

    def __init__(self, context, circuit_dirs, numba_threads, precompute_mb):
        """Starts the process; its warm-up runs in the background."""
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, circuit_dirs, numba_threads, precompute_mb),
                                       daemon=True)
        self.process.start()
        child.close()  # the parent's copy: only the worker's end may keep the pipe open
        self.warm = False
        self.job = None  # the Future of the request this worker is proving


class ProverPool:
    """`workers` proving processes over the circuits {name: directory}, each replaced if it
    dies; `prove` returns a concurrent.futures.Future. `warm` is true while every worker has
    proved each circuit once."""

    def __init__(self, circuit_dirs, workers, precompute_mb=None):
        """Starts the processes and the dispatcher at once; the warm-up runs in the background.
        `precompute_mb`: each worker's fixed-base table budget per circuit (0: none; None:
        zkwork.groth16.prover.DEFAULT_PRECOMPUTE_MB)."""
        if precompute_mb is None:
            # Imported here, never at the top: a spawned worker imports this module before
            # _worker_main sets NUMBA_NUM_THREADS, and numba must not be loaded by then.
            from zkwork.groth16.prover import DEFAULT_PRECOMPUTE_MB as precompute_mb
        self._context = get_context("spawn")
        self.workers = workers
        self.precompute_mb = precompute_mb
        self.numba_threads = numba_threads_per_worker(workers)
        self.restarts = 0  # workers replaced after they died
        self._circuit_dirs = {name: str(path) for name, path in circuit_dirs.items()}
        self._pending = deque()
        self._lock = threading.Lock()  # guards _pending and _closing against the dispatcher
        self._closing = False
        self._wake_r, self._wake_w = self._context.Pipe(duplex=False)
        self._slots = [self._start() for _ in range(workers)]
        self._respawn_at = []  # monotonic times at which to start a replacement
        self._dispatcher = threading.Thread(target=self._dispatch, name="prover-pool", daemon=True)
        self._dispatcher.start()

    def _start(self):
        return _Worker(self._context, self._circuit_dirs, self.numba_threads, self.precompute_mb)

    @property
    def warm_workers(self):
        """How many workers are alive and have proved once."""
        return sum(slot.warm for slot in list(self._slots))  # a copy: the dispatcher may replace one

    @property
    def warm(self):
        """Whether every worker is alive and has proved once."""
        return self.warm_workers >= self.workers

    @property
    def pids(self):
        """The worker processes' pids (replacements included, dead ones not)."""
        return [slot.process.pid for slot in list(self._slots)]

    def prove(self, name, input_json):
        """A Future of (proof.json, public.json, timings) for `input_json` on circuit `name`;
        WorkerDiedError if the worker proving it dies."""
        future = Future()
        with self._lock:
            if self._closing:
                raise InvariantError("prove after shutdown")
            self._pending.append((future, name, input_json))
        self._wake_w.send(None)
        return future

    def shutdown(self):
        """Waits for the requests handed over to finish, then stops the processes."""
        with self._lock:
            self._closing = True
        self._wake_w.send(None)
        self._dispatcher.join()
        for slot in self._slots:
            try:
                slot.conn.send(None)
            except OSError:  # it died meanwhile
                pass
        for slot in self._slots:
            slot.process.join(10)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join()
            slot.conn.close()
        self._wake_r.close()
        self._wake_w.close()

    # The dispatcher thread: the only one that touches the slots after __init__.

    def _dispatch(self):
        while True:
            self._assign()
            with self._lock:
                done = (self._closing and all(future.cancelled() for future, _, _ in self._pending)
                        and not any(slot.job for slot in self._slots))
            if done:
                return
            owners = {}
            for slot in self._slots:
                owners[slot.conn] = owners[slot.process.sentinel] = slot
            timeout = max(0.0, min(self._respawn_at) - time.monotonic()) if self._respawn_at else None
            for ready in wait([self._wake_r, *owners], timeout):
                if ready is self._wake_r:
                    while self._wake_r.poll():
                        self._wake_r.recv()
                elif owners[ready] in self._slots:  # not replaced by an earlier item of this batch
                    self._service(owners[ready])
            self._respawn_due()

    def _assign(self):
        """Hands waiting requests to warm idle workers, skipping the cancelled ones."""
        for slot in self._slots:
            while slot.warm and slot.job is None:
                with self._lock:
                    if not self._pending:
                        return
                    future, name, input_json = self._pending.popleft()
                if not future.set_running_or_notify_cancel():
                    continue  # its deadline passed while it waited
                try:
                    slot.conn.send((name, input_json))
                except OSError:  # the worker just died: its sentinel is (or will be) ready
                    pass
                slot.job = future

    def _service(self, slot):
        """Reads what the worker said; if it has ended, replaces it."""
        try:
            while slot.conn.poll():  # an answer sent just before dying still counts
                kind, value = slot.conn.recv()
                if kind == "warm":
                    slot.warm = True
                elif kind == "done":
                    slot.job, job = None, slot.job
                    job.set_result(value)
                else:
                    slot.job, job = None, slot.job
                    job.set_exception(value)
        except (EOFError, OSError):
            pass  # the pipe closed: the process has ended, its sentinel says so too
        if slot.process.is_alive():
            return
        slot.process.join()
        if slot.job is not None:
            slot.job.set_exception(WorkerDiedError(
                f"worker {slot.process.pid} died (exit code {slot.process.exitcode}) while proving"))
        slot.conn.close()
        self._slots.remove(slot)
        # Replaced during a shutdown too: requests accepted before it may still wait for a worker.
        self._respawn_at.append(time.monotonic() + (0 if slot.warm else RESPAWN_DELAY_S))

    def _respawn_due(self):
        now = time.monotonic()
        for due in [t for t in self._respawn_at if t <= now]:
            self._respawn_at.remove(due)
            self._slots.append(self._start())
            self.restarts += 1
