"""run_tasks: a prove's work items on a few threads, each item single-threaded, costliest first.

A prove is a quotient (three independent sparse products and NTT pairs, then one more NTT) and
five MSMs, each a few kernels. Run one after another, each kernel's numba parallel loop splits its
work over the cores and ends at a barrier: tens of barriers per prove, at each of which a core
waits for the slowest (and for a descheduled one, beside another process). Here the kernels run
with one numba thread each, on `workers` Python threads that take whole items from one queue:
no barrier inside the prove, and a core that is slowed down simply takes fewer items. The heavy
kernels release the GIL, so the threads run them side by side.

An item is (priority, function); the function may return more items (what its result makes
runnable: the quotient's last part returns the H MSM's). The ready item of highest priority runs
first: the quotient's parts (they gate H), then the MSMs' parts by cost, longest first, so that
the last items to finish are short.
"""
import heapq
import itertools
import queue
import threading

import numba

SAFE_LAYERS = ("omp", "tbb")  # numba's workqueue layer aborts on launches from two threads at once


def usable_workers(workers):
    """`workers`, or 1 unless numba's threading layer is known to accept parallel launches from
    several threads (it is chosen at the first parallel launch of the process)."""
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet
        return 1
    return workers if layer in SAFE_LAYERS else 1


def after(count, function):
    """A function that returns [function's item...] on its count-th call (from any thread) and []
    before: the join of count items, each of which calls it once at its end."""
    lock, calls = threading.Lock(), [0]

    def arrive():
        with lock:
            calls[0] += 1
            last = calls[0] == count
        return function() if last else []

    return arrive


# Helper threads live as long as the process: a thread started per prove (and the malloc arena
# glibc gives each new thread) grew a prover's RSS by ~25 MB per 1,000 proves (zkwork bench memory).
_helpers = []
_helpers_lock = threading.Lock()
_jobs = queue.SimpleQueue()


def _helper_loop():
    numba.set_num_threads(1)  # thread-local, once: this thread only ever runs single-threaded items
    while True:
        _jobs.get()()


def _start_helpers(count):
    """At least `count` helper threads running (started once, reused by every run_tasks)."""
    with _helpers_lock:
        while len(_helpers) < count:
            thread = threading.Thread(target=_helper_loop, name=f"zkwork-prove-{len(_helpers) + 1}", daemon=True)
            thread.start()
            _helpers.append(thread)


def run_tasks(items, workers):
    """Runs every (priority, function) item, and the items each function returns, on `workers`
    threads (the calling one and workers - 1 of the process's helper threads) with one numba
    thread each (with one worker, the kernels keep their parallel loops). The first exception
    raised by an item stops the threads (after their current item) and is raised here, once no
    item runs any more."""
    heap, order = [], itertools.count()
    ready = threading.Condition()
    state = {"unfinished": 0, "running": 0, "error": None}

    def push(new_items):
        for priority, function in new_items:
            heapq.heappush(heap, (-priority, next(order), function))
            state["unfinished"] += 1

    def work():
        while True:
            with ready:
                while not heap and state["unfinished"] and state["error"] is None:
                    ready.wait()
                if state["error"] is not None or not heap:
                    return
                function = heapq.heappop(heap)[2]
                state["running"] += 1
            follow, error = [], None
            try:
                follow = function() or []
            except BaseException as raised:  # noqa: B902 (re-raised in the calling thread)
                error = raised
            with ready:
                state["running"] -= 1
                state["unfinished"] -= 1
                if error is None:
                    push(follow)
                else:
                    state["error"] = state["error"] or error
                ready.notify_all()

    push(items)
    helpers = usable_workers(workers) - 1
    before = numba.get_num_threads()
    if helpers:
        _start_helpers(helpers)
        numba.set_num_threads(1)  # thread-local: restored below
        for _ in range(helpers):
            _jobs.put(work)
    try:
        work()
    except BaseException as error:  # noqa: B902 (an interrupt here: stop the helpers' items too)
        with ready:
            state["error"] = state["error"] or error
    finally:
        numba.set_num_threads(before)
        with ready:  # a helper may still run an item (or pick its job later: it then returns at once)
            while state["running"] or (state["unfinished"] and state["error"] is None):
                ready.wait()
    if state["error"] is not None:
        raise state["error"]
