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


def run_tasks(items, workers):
    """Runs every (priority, function) item, and the items each function returns, on `workers`
    threads (the calling one among them) with one numba thread each (with one worker, the
    kernels keep their parallel loops). The first exception raised by an item stops the threads
    (after their current item) and is raised here."""
    heap, order = [], itertools.count()
    ready = threading.Condition()
    state = {"unfinished": 0, "error": None}

    def push(new_items):
        for priority, function in new_items:
            heapq.heappush(heap, (-priority, next(order), function))
            state["unfinished"] += 1

    def work():
        if threads:
            numba.set_num_threads(1)  # thread-local: the caller's setting is restored below
        while True:
            with ready:
                while not heap and state["unfinished"] and state["error"] is None:
                    ready.wait()
                if state["error"] is not None or not heap:
                    return
                function = heapq.heappop(heap)[2]
            try:
                follow = function() or []
            except BaseException as error:  # noqa: B902 (re-raised in the calling thread)
                with ready:
                    state["error"] = state["error"] or error
                    ready.notify_all()
                return
            with ready:
                push(follow)
                state["unfinished"] -= 1
                ready.notify_all()

    push(items)
    threads = [threading.Thread(target=work, daemon=True) for _ in range(usable_workers(workers) - 1)]
    for thread in threads:
        thread.start()
    before = numba.get_num_threads()
    try:
        work()
    except BaseException as error:  # noqa: B902 (an interrupt here: stop the other threads too)
        with ready:
            state["error"] = state["error"] or error
            ready.notify_all()
    finally:
        numba.set_num_threads(before)
        for thread in threads:
            thread.join()
    if state["error"] is not None:
        raise state["error"]
