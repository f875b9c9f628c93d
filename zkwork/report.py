"""`zkwork report`: run the notebooks of `notebooks/` with papermill and gather what they
measured into one dated report directory.

    reports/<UTC timestamp>/
        <notebook>.ipynb     the executed notebook (outputs included, also when it failed)
        <notebook>.html      the same, converted by nbconvert (no browser needed)
        data/<notebook>.json the JSON results the notebook wrote (its `results_path`)
        figures/<notebook>/  the PNG figures the notebook saved (its `figures_dir`)
        results.json         the notebooks' JSONs merged, with the machine and who measured what
        summary.md           the answer first: SLAs and servers/dollars, then the constraint budgets
    reports/latest           a symlink to the newest run (a one-line file where symlinks fail)

Each notebook runs one study of zkwork.studies (parameters -> run -> Result -> figures) and
writes its Result as JSON; the report reads it back with that study's `Result.from_json`.
Every number in the report is measured in the run that wrote it: the studies measure, the
report only copies and compares. summary.md also gives each study's seconds against its time
budget, and flags a study measured under contention (load above the cores, CPU/wall below the
threads used) or with unstable repeated timings. A notebook that is missing or fails is named in
summary.md and results.json, the rest of the report is still written, and `run_report`
says that the run is incomplete (the command's exit status is then non-zero). summary.md is
written by zkwork.report_summary.
"""
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from zkwork.bench.machine import describe
from zkwork.errors import JsonFormatError
from zkwork.resources import require_extra, resource_dir

# Before the studies: they import the extras' packages, and the message should name the extra.
require_extra("report")

from zkwork.report_summary import format_summary
from zkwork.studies import EMBEDDED, STUDIES

NOTEBOOK_DIR = resource_dir("notebooks")
DEFAULT_OUT = "reports"


@dataclass(frozen=True)
class NotebookSpec:
    """A notebook of the report: its name, its purpose, and the study (a module of
    zkwork.studies) whose Result it writes; None for a notebook that is no study's, whose
    JSON is copied as it is. Every notebook takes `quick`, `results_path` and
    `figures_dir`; the study's Params say what a default and a quick run measure."""

    name: str
    purpose: str
    study: str = None
    uses_peers: bool = False
    writes_metrics: bool = False

    @property
    def module(self):
        """The study's module (None for a notebook that is no study's)."""
        return STUDIES[self.study] if self.study else None

    @property
    def embedded(self):
        """The modules of the studies that run inside this notebook after its own (EMBEDDED)."""
        return [module for module in EMBEDDED.values() if module.NOTEBOOK == self.name]

    def time_budget_s(self, quick):
        """Seconds this notebook's studies may take in a default or a quick report (None: no budget)."""
        if not self.module:
            return None
        key = "quick" if quick else "default"
        return self.module.TIME_BUDGET_S[key] + sum(module.TIME_BUDGET_S[key] for module in self.embedded)

    def embedded_results_path(self, run_dir, module):
        """Where this notebook writes an embedded study's Result: beside its own results."""
        return run_dir / "data" / f"{self.name}-{module.NAME.replace('_', '-')}.json"

    def parameters(self, run_dir, quick, peers):
        """The parameters of this notebook for a run into `run_dir`."""
        params = {
            "quick": quick,
            "results_path": str(run_dir / "data" / f"{self.name}.json"),
            "figures_dir": str(run_dir / "figures" / self.name),
        }
        if self.uses_peers:
            params["peers"] = peers and not quick
        if self.writes_metrics:
            params["metrics_path"] = str(run_dir / "data" / f"{self.name}-metrics.prom")
        if self.study == "fleet":  # the fleet model is validated against this run's load test
            params["load_test_path"] = str(run_dir / "data" / f"{STUDIES['load_test'].NOTEBOOK}.json")
        return params


NOTEBOOKS = tuple(NotebookSpec(module.NOTEBOOK, module.PURPOSE, name, uses_peers=name in ("latency", "fleet"),
                               writes_metrics=name == "monitoring") for name, module in STUDIES.items())


def run_id_now():
    """The UTC timestamp naming a report directory, e.g. 20250101T120000Z."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def new_run_dir(out):
    """A fresh `out/<UTC timestamp>` directory (suffixed -2, -3, ... if that second is taken),
    as an absolute path: the notebooks run inside it, so a relative results path would land
    in a copy of `out` below it."""
    base, out = run_id_now(), Path(out).resolve()
    candidate, n = out / base, 1
    while candidate.exists():
        n += 1
        candidate = out / f"{base}-{n}"
    candidate.mkdir(parents=True)
    return candidate


def to_html(executed, html_path):
    """Convert an executed notebook to a self-contained HTML page (figures embedded)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_filename(str(executed))
    html_path.write_text(body, encoding="utf-8")


def _failure_text(error):
    """A one-line account of why a notebook run failed."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        return f"cell {error.exec_count}: {error.ename}: {error.evalue}".strip()
    return f"{type(error).__name__}: {error}"


def run_notebook(spec, run_dir, quick, peers, notebooks_dir=NOTEBOOK_DIR, position=1):
    """Execute one notebook into run_dir and convert it to HTML; returns its status record:
    status ('ok', 'failed' or 'missing'), seconds, parameters, file names, figures, error."""
    import papermill

    source = Path(notebooks_dir) / f"{spec.name}.ipynb"
    record = {"notebook": f"notebooks/{spec.name}.ipynb", "purpose": spec.purpose}
    if not source.exists():
        return {**record, "status": "missing", "error": f"{source} does not exist"}
    params = spec.parameters(run_dir, quick, peers)
    executed = run_dir / f"{spec.name}.ipynb"
    record.update(parameters=params, executed=executed.name)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=params, cwd=str(run_dir),
            progress_bar={"desc": f"{spec.name} cells", "position": position, "leave": False, "file": sys.stderr},
        )
        record.update(status="ok")
    except Exception as error:  # a failed notebook is reported, and the others still run
        record.update(status="failed", error=_failure_text(error))
    record["seconds"] = round(time.perf_counter() - start, 1)
    if executed.exists():
        html = run_dir / f"{spec.name}.html"
        try:
            to_html(executed, html)
            record["html"] = html.name
        except Exception as error:  # the executed notebook stays; the missing HTML is reported
            record["html_error"] = f"{type(error).__name__}: {error}"
    results_file = Path(params["results_path"])
    if results_file.exists():
        record["results_file"] = results_file.relative_to(run_dir).as_posix()
        if spec.module:
            try:
                spec.module.Result.from_json(json.loads(results_file.read_text()))
            except (JsonFormatError, ValueError) as error:  # reported; the other notebooks still count
                record.update(status="failed", error=f"unreadable {spec.study} result: {error}")
    elif record["status"] == "ok":
        record.update(status="failed", error=f"the notebook wrote no results to {params['results_path']}")
    for module in spec.embedded:  # absent when the notebook skipped it (it prints why)
        embedded_file = spec.embedded_results_path(run_dir, module)
        if embedded_file.exists():
            try:
                module.Result.from_json(json.loads(embedded_file.read_text()))
                record.setdefault("embedded_results", {})[module.NAME] = embedded_file.relative_to(run_dir).as_posix()
            except (JsonFormatError, ValueError) as error:
                record.update(status="failed", error=f"unreadable {module.NAME} result: {error}")
    figures = sorted(Path(params["figures_dir"]).glob("*.png"))
    record["figures"] = [figure.relative_to(run_dir).as_posix() for figure in figures]
    return record


def point_latest(out, run_dir):
    """Make out/latest point at run_dir: a relative symlink, or a file holding its name."""
    latest = Path(out) / "latest"
    if latest.is_symlink() or latest.is_file():
        latest.unlink()
    try:
        latest.symlink_to(run_dir.name, target_is_directory=True)
    except OSError:
        latest.write_text(run_dir.name + "\n")
    return latest


def run_report(out=DEFAULT_OUT, quick=False, peers=True, notebooks_dir=NOTEBOOK_DIR, notebooks=NOTEBOOKS):
    """Run every notebook into a new out/<timestamp>/ directory and write results.json and
    summary.md there; returns (run_dir, complete) where complete is False when a notebook
    was missing or failed."""
    run_dir = new_run_dir(out)
    (run_dir / "data").mkdir()
    machine = describe()
    records = {}
    bar = tqdm(notebooks, desc="zkwork report", unit="notebook", file=sys.stderr, position=0)
    for spec in bar:
        bar.set_postfix_str(spec.name)
        records[spec.name] = run_notebook(spec, run_dir, quick, peers, notebooks_dir)
        bar.write(f"{spec.name}: {records[spec.name]['status']} ({records[spec.name].get('seconds', 0)} s)",
                  file=sys.stderr)
    bar.close()
    results = collect_results(run_dir, machine, quick, peers, records)
    (run_dir / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (run_dir / "summary.md").write_text(format_summary(results) + "\n")
    point_latest(out, run_dir)
    return run_dir, all(record["status"] == "ok" for record in records.values())


def collect_results(run_dir, machine, quick, peers, records):
    """results.json: the machine, each notebook's status and provenance, and its results."""
    run = run_dir.name
    merged = {}
    for name, record in records.items():
        if "results_file" in record:
            merged[name] = json.loads((run_dir / record["results_file"]).read_text())
            record["measured"] = (f"measured in run {run} by {record['notebook']} "
                                  f"(executed copy {record['executed']}, results {record['results_file']})")
        for study, path in record.get("embedded_results", {}).items():
            merged[study] = json.loads((run_dir / path).read_text())
    return {
        "run": run,
        "generated_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "peers": peers,
        "machine": machine,
        "notebooks": records,
        "results": merged,
    }
