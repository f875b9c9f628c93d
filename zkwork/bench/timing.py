"""Timing helpers: medians over repeated runs after a warm-up, with the first (cold)
call kept apart because it includes numba compilation or loading the JIT cache.

Every timing keeps the process's CPU time beside the wall time, and `Span` records the
machine's load average around a stretch of work, so that a report can tell a slow
machine from a busy one (as pyperf does): CPU/wall far below the threads used means the
work waited for a core, a load above the cores means others were running."""
import os
import statistics
import time
from dataclasses import asdict, dataclass, field


def load_average():
    """The 1-minute load average (None where the OS does not report one)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


@dataclass
class Timing:
    """Seconds of one operation: the cold first call and the warm runs, wall and CPU."""

    first_call_s: float
    runs_s: list = field(default_factory=list)
    cpu_runs_s: list = field(default_factory=list)

    @property
    def median_s(self):
        """The median wall seconds of the timed runs."""
        return statistics.median(self.runs_s)

    @property
    def cpu_over_wall(self):
        """Process CPU seconds per wall second over the timed runs (about the threads busy)."""
        wall = sum(self.runs_s)
        return sum(self.cpu_runs_s) / wall if wall else None

    def as_dict(self):
        """The timing as a dict, with its median and CPU/wall ratio."""
        return {**asdict(self), "median_s": self.median_s, "cpu_over_wall": self.cpu_over_wall}


def cpu_seconds():
    """CPU seconds of this process and of its finished child processes (a peer such as
    snarkjs runs as a child: its work is the measurement's too)."""
    children = os.times()  # clock ticks (10 ms) for children; process_time is finer for our own
    return time.process_time() + children.children_user + children.children_system


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
        start, cpu_start = time.perf_counter(), cpu_seconds()
        fn()
        elapsed = time.perf_counter() - start
        timing.cpu_runs_s.append(cpu_seconds() - cpu_start)
        timing.runs_s.append(elapsed)
        spent += elapsed
    return timing


@dataclass
class Span:
    """Wall and CPU seconds of a stretch of work, with the load average before and after."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    load_before: float = None
    load_after: float = None
    cpu_count: int = field(default_factory=os.cpu_count)

    def __enter__(self):
        self.load_before = load_average()
        self._start = (time.perf_counter(), cpu_seconds())
        return self

    def __exit__(self, *exc):
        self.wall_s = time.perf_counter() - self._start[0]
        self.cpu_s = cpu_seconds() - self._start[1]
        self.load_after = load_average()
        return False

    def load_contention(self):
        """Why the load average says others ran (None if it does not): above half the cores
        before the span, or above the cores after it (the 1-minute average lags: a hint)."""
        cores = self.cpu_count or 1
        if self.load_before is not None and self.load_before > cores / 2:
            return f"load average {self.load_before:.2f} before the run on {cores} cores: others were running"
        if self.load_after is not None and self.load_after > cores:
            return f"load average {self.load_after:.2f} after the run, above the {cores} cores"
        return None

    def as_dict(self):
        """The span's wall and CPU seconds, load averages and core count as a dict."""
        return {key: getattr(self, key) for key in ("wall_s", "cpu_s", "load_before", "load_after", "cpu_count")}
