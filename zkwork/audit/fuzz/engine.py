"""The fuzzing engine: cases and targets, the registry, and campaigns that run every case
and classify it.

Each target first runs its deterministic edge cases, then random mutations drawn from
`random.Random(f"{seed}/{target}/{i}")`: fuzz cases need reproducibility, not secrecy, so
the non-cryptographic generator is the right tool here (case i of a campaign can be
replayed alone). Inputs that can kill the interpreter itself (JSON nested 10^5 deep, since
py_ecc raises Python's recursion limit to 10^5 at import) run in a child process. Cases
that inflate a count run under tracemalloc, so that a reader allocating what the count
claims before checking it against the bytes left is caught even when it then fails
cleanly. Kernels run on one thread during a campaign: the inputs are tiny, and starting a
parallel kernel's threads costs more than its work.
"""
import random
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numba

from zkwork.errors import UnknownNameError, WrongTypeError, ZkworkError

OUTCOMES = ("rejected", "equivalent", "variant", "accepted", "crash", "hang")
DEFAULT_TIME_LIMIT = 5.0  # seconds per case; a verify takes a few milliseconds
MEMORY_SLACK = 32 << 20  # bytes a parse may allocate beyond 16 times its input
EXAMPLES_PER_OUTCOME = 5  # bad cases kept as examples, per target and outcome


@dataclass(frozen=True)
class Case:
    """One mutated input: the mutation's name, the input as the target takes it, whether
    the mutation makes it malformed by construction, whether it must run in a child
    process, and whether its memory use is watched (inflated counts)."""

    mutation: str
    value: object
    must_reject: bool = True
    isolate: bool = False
    watch_memory: bool = False


@dataclass(frozen=True)
class Target:
    """A fuzz target: `build()` makes the valid seed (once per process), `edges(seed)` the
    deterministic edge cases, `mutate(seed, rng)` one random case, `run(seed, case,
    scratch)` calls the code under test (scratch: a directory for files) and `judge(seed,
    case, result)` classifies a run that returned. Targets that read files also give
    `prepare(seed, case, scratch) -> path` and `read(path)`, a module-level function that a
    child process imports to run a case that could kill the interpreter."""

    name: str
    description: str
    build: object
    edges: object
    mutate: object
    run: object
    judge: object
    prepare: object = None
    read: object = None

    def __post_init__(self):
        if self.read is not None and "<" in self.read.__qualname__:
            raise WrongTypeError(f"fuzz target {self.name}: `read` must be a module-level function, a child "
                             "process imports it to run the cases that could kill the interpreter")


TARGETS = {}


def register(target):
    """Add a target to the registry (a later one with the same name replaces it)."""
    TARGETS[target.name] = target
    return target


# == running cases ================================================================================


class _CaseTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _CaseTimeout()


@dataclass
class Tally:
    """Counts of one target's campaign."""

    target: str
    cases: int = 0
    outcomes: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # typed errors (rejections) by class name
    crash_types: Counter = field(default_factory=Counter)
    examples: list = field(default_factory=list)  # the first bad cases: index, mutation, outcome, detail
    bad: Counter = field(default_factory=Counter)  # (outcome, mutation) of every accepted, crash, hang
    slowest: float = 0.0
    slowest_case: str = ""
    seconds: float = 0.0

    def row(self):
        """The tally as one report row: counts by outcome, errors and crashes by class, slowest case, seconds."""
        return {"target": self.target, "cases": self.cases, **{k: self.outcomes[k] for k in OUTCOMES[:4]},
                "crashes": self.outcomes["crash"], "hangs": self.outcomes["hang"],
                "errors": dict(self.errors.most_common()), "crash_types": dict(self.crash_types.most_common()),
                "slowest_ms": round(1000 * self.slowest, 2), "slowest_case": self.slowest_case,
                "seconds": round(self.seconds, 2)}


def _run_isolated(target, seed, case, scratch, time_limit):
    """Outcome of a case run in a child process: the parent writes the input, the child
    imports the target's reader and only reads it."""
    path = target.prepare(seed, case, scratch)
    code = (f"from zkwork.audit.fuzz.engine import _child\n"
            f"_child({target.read.__module__!r}, {target.read.__qualname__!r}, {str(path)!r})")
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                              timeout=max(time_limit, 120))
    except subprocess.TimeoutExpired:
        return "hang", None, "child process timed out"
    if done.returncode < 0:
        return "crash", f"killed by {signal.Signals(-done.returncode).name}", done.stderr[-200:]
    status, _, detail = done.stdout.strip().rpartition("\n")[-1].partition(" ")
    if status == "typed":
        return "rejected", detail, None
    if status == "parsed":
        return ("accepted" if case.must_reject else "variant"), None, None
    return "crash", detail or f"exit status {done.returncode}", done.stderr[-200:]


def _child(module, qualname, path):
    import importlib

    read = importlib.import_module(module)
    for name in qualname.split("."):
        read = getattr(read, name)
    try:
        read(Path(path))
    except ZkworkError as error:
        print(f"typed {type(error).__name__}")
    except Exception as error:  # noqa: BLE001 (reporting any exception is the point)
        print(f"crash {type(error).__name__}")
    else:
        print("parsed ok")


def run_case(target, seed, case, scratch, time_limit=DEFAULT_TIME_LIMIT):
    """(outcome, error or crash type, detail) of one case."""
    if case.isolate:
        return _run_isolated(target, seed, case, scratch, time_limit)
    alarm = threading.current_thread() is threading.main_thread()
    if alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, time_limit)
    if case.watch_memory:
        tracemalloc.start()
    try:
        result = target.run(seed, case, scratch)
        outcome = None
    except _CaseTimeout:
        outcome = ("hang", None, "interrupted at the time limit")
    except ZkworkError as error:
        outcome = ("rejected", type(error).__name__, None)
    except Exception as error:  # noqa: BLE001 (any other exception is a crash to report)
        outcome = ("crash", type(error).__name__, str(error)[:200])
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if case.watch_memory:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    if case.watch_memory and peak > MEMORY_SLACK + 16 * _size(case.value):
        return "crash", "AllocationBeforeSizeCheck", f"peak {peak / 2**20:.0f} MiB"
    return outcome or (target.judge(seed, case, result), None, None)


def _size(value):
    return len(value) if isinstance(value, (bytes, bytearray)) else 0


def cases_of(target, seed, n, campaign_seed):
    """The first n cases of a target: its edge cases, then random mutations, case i drawn
    from random.Random(f"{campaign_seed}/{target.name}/{i}")."""
    edges = target.edges(seed)
    for i in range(n):
        if i < len(edges):
            yield edges[i]
        else:
            yield target.mutate(seed, random.Random(f"{campaign_seed}/{target.name}/{i}"))


def run_target(target, n, seed=0, time_limit=DEFAULT_TIME_LIMIT, scratch=None, progress=None):
    """The Tally of n cases of one target."""
    import tempfile

    built = target.build()
    tally = Tally(target.name)
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(scratch or directory)
        start = time.perf_counter()
        for index, case in enumerate(cases_of(target, built, n, seed)):
            began = time.perf_counter()
            outcome, kind, detail = run_case(target, built, case, scratch, time_limit)
            elapsed = time.perf_counter() - began
            if outcome == "rejected" and kind:
                tally.errors[kind] += 1
            if elapsed > time_limit and outcome != "crash":
                outcome, detail = "hang", f"{elapsed:.1f} s"
            tally.outcomes[outcome] += 1
            tally.cases += 1
            if outcome in ("crash", "accepted", "hang"):
                tally.bad[(outcome, case.mutation)] += 1
                if kind and outcome == "crash":
                    tally.crash_types[kind] += 1
                if sum(e["outcome"] == outcome for e in tally.examples) < EXAMPLES_PER_OUTCOME:
                    tally.examples.append({"case": index, "mutation": case.mutation, "outcome": outcome,
                                           "type": kind, "detail": detail})
            if elapsed > tally.slowest:
                tally.slowest, tally.slowest_case = elapsed, f"#{index} {case.mutation}"
            if progress is not None:
                progress.update(1)
        tally.seconds = time.perf_counter() - start
    return tally


def run_campaign(n_per_target, seed=0, targets=None, time_limit=DEFAULT_TIME_LIMIT, progress=False):
    """Fuzz every registered target (or those named) with n_per_target cases; a DataFrame
    with one row per target (cases, the outcome counts, errors and crashes by type, the
    slowest case, seconds), `attrs["examples"]`: the first bad cases of each target, and
    `attrs["bad"]`: {target: {(outcome, mutation): count}} for every bad case."""
    import pandas as pd

    names = list(TARGETS) if targets is None else list(targets)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        raise UnknownNameError(f"unknown fuzz targets {unknown}; the targets are {', '.join(TARGETS)}")
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n_per_target * len(names), unit="case", file=sys.stderr)
    tallies = []
    # Cases are tiny: a parallel kernel's thread start costs more than its work (13 ms
    # against 1 us for one point's validity, measured on 2 busy cores), so one thread.
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        for name in names:
            if bar is not None:
                bar.set_description(name)
            tallies.append(run_target(TARGETS[name], n_per_target, seed, time_limit, progress=bar))
    finally:
        numba.set_num_threads(threads)
        if bar is not None:
            bar.close()
    frame = pd.DataFrame([t.row() for t in tallies])
    frame.attrs["examples"] = {t.target: t.examples for t in tallies if t.examples}
    frame.attrs["bad"] = {t.target: dict(t.bad) for t in tallies if t.bad}
    frame.attrs["seed"] = seed
    return frame


def format_campaign(frame):
    """The campaign table as text, then the bad cases with how to replay them."""
    lines = [(f"{'target':<14} {'cases':>7} {'rejected':>8} {'equiv.':>6} {'variant':>7} {'accepted':>8} "
              f"{'crashes':>7} {'hangs':>5} {'slowest':>9} {'seconds':>8}  errors by type")]
    lines.append("-" * len(lines[0]))
    for row in frame.itertuples():
        errors = ", ".join(f"{k} {v}" for k, v in list(row.errors.items())[:5])
        lines.append(f"{row.target:<14} {row.cases:>7} {row.rejected:>8} {row.equivalent:>6} {row.variant:>7} "
                     f"{row.accepted:>8} {row.crashes:>7} {row.hangs:>5} {row.slowest_ms:>7.1f}ms "
                     f"{row.seconds:>8.1f}  {errors}")
    for row in frame.itertuples():
        if row.crash_types:
            lines.append(f"crashes of {row.target}: " + ", ".join(f"{k} {v}" for k, v in row.crash_types.items()))
    lines.append("slowest cases: " + "; ".join(f"{row.target} {row.slowest_case} ({row.slowest_ms:.1f} ms)"
                                               for row in frame.itertuples()))
    for target, examples in frame.attrs.get("examples", {}).items():
        for example in examples:
            lines.append(f"{example['outcome'].upper()} {target} case {example['case']} "
                         f"(seed {frame.attrs.get('seed')}): {example['mutation']}: "
                         f"{example['type'] or ''} {example['detail'] or ''}".rstrip())
    return "\n".join(lines)
