"""Timing helpers: medians over repeated runs after a warm-up, with the first (cold)
call kept apart because it includes numba compilation or loading the JIT cache."""
import statistics
import time
from dataclasses import asdict, dataclass, field


@dataclass
class Timing:
    """Wall-clock seconds of one operation: the cold first call and the warm runs."""

    first_call_s: float
    runs_s: list = field(default_factory=list)

    @property
    def median_s(self):
        return statistics.median(self.runs_s)

    def as_dict(self):
        return {**asdict(self), "median_s": self.median_s}


def measure(fn, runs=5, warmup=1, min_runs_seconds=None):
    """Time `fn()`: one cold call, `warmup` untimed calls, then `runs` timed calls.

    With `min_runs_seconds`, keeps timing past `runs` until that much time was spent,
    so that very fast operations still get a stable median."""
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    for _ in range(warmup):
        fn()
    timing = Timing(first)
    spent = 0.0
    while len(timing.runs_s) < runs or (min_runs_seconds and spent < min_runs_seconds):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        timing.runs_s.append(elapsed)
        spent += elapsed
    return timing
