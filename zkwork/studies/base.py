"""What every study shares: its Params (the guide's figures as defaults, a quick and a small
size), the Run record of a measurement (machine, commit, load, timestamps, CPU beside wall
time), the Result base with to_json/from_json by dataclass fields, and one way to save
figures and write results.

A study module defines `NAME`, `NOTEBOOK`, `PURPOSE`, `TIME_BUDGET_S` (seconds allowed in
the default report and with --quick), `Params`, `Result`, `run(params) -> Result` and
`figures(result) -> {name: matplotlib figure}`."""
import dataclasses
import json
import statistics
import sys
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from zkwork.bench.machine import describe
from zkwork.bench.timing import Span
from zkwork.errors import JsonFormatError, ZkworkError

# pyperf's warning threshold: repeated runs whose standard deviation exceeds 10% of their
# mean are unstable.
SPREAD_LIMIT = 0.10


class StudyError(ZkworkError, ValueError):
    """A study asked for something it cannot do (an unknown study, a parameter out of range)."""


def say(message):
    """Progress of a study, on stderr (stdout holds a notebook's output or --json)."""
    print(message, file=sys.stderr, flush=True)


def now_utc():
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class StudyParams:
    """Mixin of every study's frozen Params: the default, quick and small sizes, overrides."""

    @classmethod
    def quick(cls):
        """The size of `zkwork report --quick`: the default unless the study says otherwise."""
        return cls()

    @classmethod
    def small(cls):
        """The size the tests run: the quick one unless the study says otherwise."""
        return cls.quick()

    @classmethod
    def from_notebook(cls, quick, **overrides):
        """The quick or default Params with the notebook's parameters that are not None."""
        base = cls.quick() if quick else cls()
        return dataclasses.replace(base, **{k: v for k, v in overrides.items() if v is not None})

    def to_json(self):
        """The parameters as a JSON object."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}


@dataclass
class Run:
    """Where and how a study ran: machine, commit, UTC start and end, wall and CPU seconds,
    the 1-minute load average before and after, and the threads the work keeps busy at
    least (None: not CPU-bound in this process, e.g. it waits on worker processes)."""

    machine: dict
    started_utc: str
    finished_utc: str
    wall_s: float
    cpu_s: float
    load_before: float
    load_after: float
    cpu_count: int
    threads: int = None

    def contention(self):
        """Why this run was measured under contention: a load above the cores, or CPU/wall
        below half the threads it keeps busy (it waited for a core); [] when neither."""
        notes = []
        loads = [load for load in (self.load_before, self.load_after) if load is not None]
        if loads and self.cpu_count and max(loads) > self.cpu_count:
            notes.append(f"load {max(loads):.1f} above the {self.cpu_count} cores")
        if self.threads and self.wall_s > 0:
            ratio = self.cpu_s / self.wall_s
            if ratio < 0.5 * self.threads:
                notes.append(f"CPU/wall {ratio:.2f} for {self.threads} thread(s)")
        return notes

    def describe(self):
        """One line: machine, commit, time, wall and CPU seconds, load, and any contention."""
        loads = "→".join("?" if load is None else f"{load:.1f}" for load in (self.load_before, self.load_after))
        contention = self.contention()
        return (f"measured on {self.machine['cpu_model']} ({self.cpu_count} cores), git "
                f"{(self.machine.get('git_commit') or 'unknown')[:12]}, {self.started_utc}: {self.wall_s:.1f} s wall, "
                f"{self.cpu_s:.1f} s CPU, load {loads}"
                + (f"; **under contention**: {', '.join(contention)}" if contention else ""))

    def to_json(self):
        """The record as a JSON object."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data):
        """A Run from its JSON object."""
        return cls(**_field_values(cls, data))


def measured(work, threads=None):
    """(work(), Run): the value of `work()` and the record of how it ran."""
    started, machine = now_utc(), describe()
    with Span() as span:
        value = work()
    return value, Run(machine, started, now_utc(), span.wall_s, span.cpu_s, span.load_before, span.load_after,
                      span.cpu_count, threads)


def spread(values):
    """Standard deviation over mean of repeated runs (None for fewer than two)."""
    if len(values) < 2 or not statistics.fmean(values):
        return None
    return statistics.stdev(values) / statistics.fmean(values)


@dataclass
class Result:
    """Base of every study's Result: the study's fields, its parameters and its Run."""

    params: dict
    run: Run

    def to_json(self):
        """The result as a JSON object (field by field)."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls, data):
        """A Result from its JSON object; JsonFormatError if a field is missing."""
        values = _field_values(cls, data)
        values["run"] = Run.from_json(values["run"])
        return cls(**values)

    def spreads(self):
        """{series: stdev/mean} of the study's repeated timings ({} when it repeats none)."""
        return {}

    def unstable(self):
        """The series whose spread exceeds SPREAD_LIMIT, as text."""
        return [f"{name} spread {value:.0%}" for name, value in self.spreads().items()
                if value is not None and value > SPREAD_LIMIT]


def _field_values(cls, data):
    if not isinstance(data, dict):
        raise JsonFormatError(f"{cls.__qualname__}: expected a JSON object, got {type(data).__name__}")
    missing = [f.name for f in fields(cls) if f.name not in data and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise JsonFormatError(f"{cls.__qualname__}: missing field(s) {', '.join(missing)}")
    return {f.name: data[f.name] for f in fields(cls) if f.name in data}


def _jsonable(value):
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, tuple):
        return list(value)
    return value


def write_result(result, path):
    """Write `result` as JSON to `path` (nothing when path is None); returns the path."""
    if path is None:
        return None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_json(), indent=1, allow_nan=False) + "\n")
    return path


def write_figures(figs, figures_dir):
    """Save each figure of {name: figure} as figures_dir/<name>.png (nothing when None)."""
    if not figures_dir:
        return []
    Path(figures_dir).mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figs.items():
        paths.append(Path(figures_dir) / f"{name}.png")
        fig.savefig(paths[-1], dpi=120, bbox_inches="tight")
    return paths


def size_text(params):
    """'depth=20', or '-' for a pattern without a size parameter."""
    return ", ".join(f"{key}={value}" for key, value in params.items()) or "-"


def verdict(passed):
    """PASS or FAIL."""
    return "PASS" if passed else "FAIL"
