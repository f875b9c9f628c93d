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
says that the run is incomplete (the command's exit status is then non-zero).
"""
import json
import statistics
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

from zkwork.studies import STUDIES, get_study
from zkwork.studies.base import SPREAD_LIMIT, size_text, verdict

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

    def time_budget_s(self, quick):
        """Seconds this notebook's study may take in a default or a quick report (None: no budget)."""
        return self.module.TIME_BUDGET_S["quick" if quick else "default"] if self.module else None

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
        return params


NOTEBOOKS = tuple(NotebookSpec(module.NOTEBOOK, module.PURPOSE, name, uses_peers=name == "latency",
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
    return {
        "run": run,
        "generated_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "peers": peers,
        "machine": machine,
        "notebooks": records,
        "results": merged,
    }


def study_result(results, notebook):
    """The typed Result the study of `notebook` wrote in this run (None if it wrote none)."""
    data = results["results"].get(notebook)
    return None if data is None else get_study(notebook).Result.from_json(data)


def _status(results, name):
    """How the notebook `name` ended in this run ('not part of this report' if it was not run)."""
    return results["notebooks"].get(name, {}).get("status", "not part of this report")


def _range_text(bounds):
    low, high = bounds
    return f"{low:,}–{high:,}"


def _within(value, bounds):
    low, high = bounds
    if value < low:
        return "below the guide's range"
    if value > high:
        return "above the guide's range"
    return "within the guide's range"


END_TO_END = ("Latency, throughput, monitoring and capacity figures are measured end to end (input JSON in, proof "
              "JSON out), with witness time as its own column beside prove time.")


def _ms(value, digits=0):
    """A millisecond figure, or n/a when the study did not record it."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def _latency_columns(latency, row):
    """(witness median ms, prove-stage P95 ms, end-to-end P95 ms, SLA verdict) of an SLA row,
    read defensively: the keys may sit on the SLA row or on its bench row, and a study
    without end-to-end figures is judged on its prove P95 (the verdict says so)."""
    bench = next((r for r in latency.rows if (r.get("pattern"), r.get("variant")) == (row["pattern"], row["variant"])),
                 {})

    def get(key):
        return row.get(key, bench.get(key))

    end_to_end = get("end_to_end_p95_ms")
    passed = verdict(end_to_end < latency.prove_sla_ms) if end_to_end is not None \
        else f"{verdict(row['prove_pass'])} (prove only)"
    return get("witness_median_ms"), get("prove_p95_ms"), end_to_end, passed


def _latency_lines(results, run):
    latency = study_result(results, "latency")
    if latency is None:
        return [f"- Latency: **not measured** (the latency notebook: {_status(results, 'latency')})."]
    params = latency.params
    lines = [f"Latency, measured in run {run} ({params['runs']} proofs and {params['verify_runs']} "
             f"verifications per circuit, {latency.sizes} circuit sizes). SLAs from the guide: proof P95 < "
             f"{latency.prove_sla_ms:g} ms (end to end), verification P99 < {latency.verify_sla_ms:g} ms.", ""]
    if latency.sizes != "production":
        lines += ["> Quick run: these are the small circuits, not the production sizes; the verdicts below "
                  "say nothing about production. Run `zkwork report` without --quick for the answer.", ""]
    peer = any("snarkjs_prove_p95_ms" in row for row in latency.sla_rows)
    header = ("| pattern | variant | size | constraints | witness median ms | prove P95 ms | end-to-end P95 ms | SLA "
              "| verify P99 ms | SLA |")
    rule = "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- |"
    if peer:
        header += " snarkjs proof P95 ms | snarkjs verify P99 ms |"
        rule += " ---: | ---: |"
    lines += [header, rule]
    for row in latency.sla_rows:
        witness, prove, end_to_end, passed = _latency_columns(latency, row)
        line = (f"| {row['pattern']} | {row['variant']} | {row['size']} | {row['constraints']:,} | "
                f"{_ms(witness, 1)} | {_ms(prove)} | {_ms(end_to_end)} | {passed} | {row['verify_p99_ms']:.1f} | "
                f"{verdict(row['verify_pass'])} |")
        if peer:
            line += (f" {row['snarkjs_prove_p95_ms']:.0f} | {row['snarkjs_verify_p99_ms']:.1f} |"
                     if "snarkjs_prove_p95_ms" in row else " n/a | n/a |")
        lines.append(line)
    errors = sorted({row["snarkjs_error"] for row in latency.rows if "snarkjs_error" in row})
    lines += [f"\nsnarkjs not measured: {error}" for error in errors]
    return lines


def _throughput_lines(capacity):
    """The measured windows: end-to-end proofs per second and per CPU-second, with the
    witness and prove medians side by side and the witness's share of the CPU-seconds."""
    lines = ["| workers | end-to-end proofs/s | end-to-end proofs per CPU-s per core | witness median ms | "
             "prove median ms | witness share of CPU | core share |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in capacity.throughput:
        share = row.get("witness_share")
        lines.append(f"| {row['workers']} | {row['proofs_per_s']:.2f} | {row['proofs_per_cpu_s']:.2f} | "
                     f"{_ms(row.get('witness_median_ms'), 1)} | {_ms(row.get('prove_median_ms'))} | "
                     f"{'n/a' if share is None else f'{share:.1%}'} | {row['core_share']:.0%} |")
    return lines


def _capacity_lines(results, run):
    capacity = study_result(results, "throughput-and-capacity")
    if capacity is None:
        return ["- Servers and cost: **not measured** (the throughput-and-capacity notebook: "
                f"{_status(results, 'throughput-and-capacity')})."]
    plan, guide = capacity.capacity, capacity.guide
    lines = [
        f"Servers and cost, from the throughput measured in run {run} on {capacity.pattern}/{capacity.variant}, "
        "against the guide's plan:", "",
        "| | measured plan | guide | |", "| --- | ---: | ---: | --- |",
        f"| proof servers | {plan['proof_servers']:,} | {_range_text(guide['proof_servers'])} | "
        f"{_within(plan['proof_servers'], guide['proof_servers'])} |",
        f"| verification servers | {plan['verification_servers']:,} | {_range_text(guide['verification_servers'])} | "
        f"{_within(plan['verification_servers'], guide['verification_servers'])} |",
        f"| dollars per month | ${plan['cost_per_month_usd']:,.0f} | ~${guide['cost_per_month_usd']:,.0f} | "
        f"{plan['cost_per_month_usd'] / guide['cost_per_month_usd']:.0%} of the guide's estimate |",
    ]
    if plan.get("cpu_s_per_proof") is not None:
        witness = plan.get("witness_cpu_s_per_proof")
        share = "" if witness is None else f", of which the witness {witness:.3g} s ({plan['witness_share']:.1%})"
        lines += ["", f"The plan counts {plan['cpu_s_per_proof']:.3g} CPU-seconds per end-to-end proof{share}."]
    if capacity.throughput:
        lines += ["", "The measured throughput windows:", ""] + _throughput_lines(capacity)
    assumptions = plan.get("assumptions") or {}
    if assumptions:
        lines += ["", "Assumptions of the plan:", ""]
        lines += [f"- {key}: {_assumption_text(value)}" for key, value in assumptions.items()]
    return lines


def _assumption_text(value):
    """An assumption of the capacity plan: its value, and where it comes from when stated."""
    if isinstance(value, dict) and "value" in value:
        source = f" ({value['source']})" if value.get("source") else ""
        return f"{value['value']:,.4g}{source}" if isinstance(value["value"], float) else f"{value['value']}{source}"
    return str(value)


def _alert_lines(results, run):
    monitoring = study_result(results, "monitoring")
    if monitoring is None:
        return [f"- Alerts: **not evaluated** (the monitoring notebook: {_status(results, 'monitoring')})."]
    lines = [f"The guide's alerts evaluated on the metrics measured in run {run} (monitoring notebook), "
             "one line per alert over its series (e.g. one per circuit):", ""]
    witness = [(circuit, statistics.median(latencies["witness_s"]), statistics.median(latencies["prove_s"]))
               for circuit, latencies in monitoring.latencies.items()
               if latencies.get("witness_s") and latencies.get("prove_s")]
    if witness:
        lines[0] += (" proof_generation_duration observes end-to-end proofs; witness median of end-to-end median "
                     "per circuit: " + ", ".join(f"{circuit} {1e3 * w:.1f} of {1e3 * e:.0f} ms"
                                                 for circuit, w, e in witness) + ".")
    by_name = {}
    for alert in monitoring.alerts:
        by_name.setdefault(alert["name"], []).append(alert)
    for name, series in by_name.items():
        firing = [alert for alert in series if alert["fires"]]
        where = ", ".join(_labels_text(alert) for alert in firing)
        state = f"**fires** for {len(firing)} of {len(series)}" + (f" ({where})" if where else "") if firing \
            else f"quiet for all {len(series)}"
        values = [alert["value"] for alert in series if isinstance(alert["value"], (int, float))]
        extreme = f"largest value {max(values):.4g}, " if values else ""
        lines.append(f"- {name}: {state} ({extreme}threshold {series[0]['threshold']})")
    return lines


def _labels_text(alert):
    """An alert series' labels, e.g. 'circuit_type=membership_hardened_d20'."""
    return ",".join(f"{key}={value}" for key, value in (alert.get("labels") or {}).items())


def _budget_lines(results, run):
    budgets = study_result(results, "constraint-budgets")
    if budgets is None:
        return [f"Constraint budgets **not computed** (the constraint-budgets notebook: "
                f"{_status(results, 'constraint-budgets')})."]
    lines = [f"Built in run {run} (counts equal circom --O2's); budget: {budgets.budget:,} constraints per circuit.",
             "", "| pattern | variant | size | constraints | wires | public signals | within budget |",
             "| --- | --- | --- | ---: | ---: | ---: | --- |"]
    for row in budgets.patterns:
        lines.append(f"| {row['pattern']} | {row['variant']} | {size_text(row['params'])} | {row['constraints']:,} | "
                     f"{row['wires']:,} | {row['public_signals']} | "
                     f"{verdict(budgets.passes[row['pattern']][row['variant']])} |")
    claims = budgets.claims.get("rows", [])
    if claims:
        lines += ["", "The reference design's claims beside the counts built in this run:", ""]
        for claim in claims:
            lines.append(f"- {claim['pattern']} ({claim['size']}): claimed ~{claim['claimed']:,}, measured "
                         f"{claim['measured_reference']:,} (reference) and {claim['measured_hardened']:,} (hardened), "
                         f"{claim['measured_over_claimed']:.1f}x the claim")
    return lines


def _security_lines(results, run):
    audit = study_result(results, "security-audit")
    if audit is None:
        return [f"Attacks **not run** (the security-audit notebook: {_status(results, 'security-audit')})."]
    summary = audit.summary
    lines = [f"Run {run}, {audit.sizes} sizes: {summary['accepted_by_reference']} of {summary['weaknesses']} "
             f"attacks produced a proof the reference verifier accepts; the hardened variants resisted "
             f"{summary['resisted_by_hardened']} of {summary['weaknesses']}; tampered proofs accepted: "
             f"{summary['tampered_accepted']}.", "",
             "| pattern | attack | reference | hardened | fix cost (constraints) |",
             "| --- | --- | --- | --- | ---: |"]
    for row in audit.findings:
        lines.append(f"| {row['pattern']} | {row['attack']} | {row['attack result']} | {row['hardened result']} | "
                     f"{row['fix cost (constraints)']:+,} |")
    return lines


def _ceremony_lines(results, run):
    ceremony = study_result(results, "setup-ceremony")
    if ceremony is None:
        return [f"Ceremony **not run** (the setup-ceremony notebook: {_status(results, 'setup-ceremony')})."]
    phase1, phase2, proof = ceremony.phase1, ceremony.phase2, ceremony.proof
    lines = [
        f"Run {run}: {ceremony.contributors} contributors and a beacon in phase 1 (2^{ceremony.power} powers "
        f"of tau) and in phase 2 of {ceremony.label} ({ceremony.constraints:,} constraints). Transcript "
        f"verification: phase 1 {verdict(phase1['ok'])} ({phase1['checks']} checks, {phase1['verify_s']:.1f} s), "
        f"phase 2 {verdict(phase2['ok'])} ({phase2['checks']} checks, {phase2['verify_s']:.1f} s); a proof with the "
        f"ceremony's keys verifies: {verdict(proof['verified'] and not proof['tampered_verified'])}.",
        f"Median contribution: {statistics.median(phase1['contribution_s'][:-1]):.2f} s (phase 1), "
        f"{statistics.median(phase2['contribution_s'][:-1]):.2f} s (phase 2); initial keys "
        f"{phase2['initial_keys_s']:.1f} s.",
        "", "| power | contribution (s) | verification (s) | state (MiB) |", "| ---: | ---: | ---: | ---: |"]
    for row in ceremony.scaling:
        lines.append(f"| 2^{row['power']} | {row['contribution_s']:.2f} | {row['verify_s']:.2f} | "
                     f"{row['state_bytes'] / 2**20:.1f} |")
    return lines


def _figure_lines(results, run):
    lines = []
    for name, record in results["notebooks"].items():
        for figure in record.get("figures", []):
            caption = f"{Path(figure).stem} ({name}), measured in run {run}"
            lines += [f"![{caption}]({figure})", "", f"*{caption}.*", ""]
    return lines or ["No figures were written."]


def _time_lines(results):
    """Per study: the notebook's seconds against its budget, the measured wall and CPU seconds,
    the load, and the flags of a measurement under contention or with unstable repeats."""
    quick = results["quick"]
    lines = [f"Seconds per notebook (papermill, kernel start and HTML included) against the study's budget in a "
             f"{'quick' if quick else 'default'} report, and the study's own measurement record. Flagged: a load "
             "above the cores or CPU/wall below half the threads kept busy (contention), and repeated timings "
             f"whose standard deviation exceeds {SPREAD_LIMIT:.0%} of their mean (as pyperf warns).", "",
             "| notebook | seconds | budget | measured wall s | CPU s | load before → after | flags |",
             "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
    total = budget_total = 0
    for name, record in results["notebooks"].items():
        spec = next((spec for spec in NOTEBOOKS if spec.name == name), None)
        budget = spec.time_budget_s(quick) if spec else None
        seconds = record.get("seconds")
        total += seconds or 0
        budget_total += budget or 0
        over = " **over budget**" if budget and seconds and seconds > budget else ""
        try:
            result = study_result(results, name) if spec else None
        except JsonFormatError:
            result = None
        if result is None:
            lines.append(f"| {name} | {seconds if seconds is not None else '-'}{over} | {budget or '-'} | - | - | - | "
                         f"{record['status']} |")
            continue
        measured_run = result.run
        loads = " → ".join("?" if load is None else f"{load:.1f}" for load in (measured_run.load_before,
                                                                                measured_run.load_after))
        unstable = result.unstable()
        if len(unstable) > 2:
            unstable = [f"{len(unstable)} of {len(result.spreads())} timing series spread over {SPREAD_LIMIT:.0%} "
                        f"(largest {max(value for value in result.spreads().values() if value):.0%})"]
        flags = "; ".join(measured_run.contention() + unstable) or "-"
        lines.append(f"| {name} | {seconds}{over} | {budget} | {measured_run.wall_s:.1f} | {measured_run.cpu_s:.1f} | "
                     f"{loads} | {flags} |")
    lines.append(f"| total | {total:.1f} | {budget_total} | | | | |")
    return lines


def _notebook_lines(results):
    lines = ["| notebook | status | seconds | executed | HTML | note |", "| --- | --- | ---: | --- | --- | --- |"]
    for name, record in results["notebooks"].items():
        executed = f"[{record['executed']}]({record['executed']})" if "executed" in record else "-"
        html = f"[{record['html']}]({record['html']})" if "html" in record else "-"
        note = record.get("error", record.get("html_error", ""))
        lines.append(f"| {name} | {record['status']} | {record.get('seconds', '-')} | {executed} | {html} | {note} |")
    return lines


def format_summary(results):
    """summary.md: the answer first (SLAs per pattern, servers and dollars against the guide),
    then the constraint budgets, the alerts, the audit, the ceremony, the figures, the time
    and contention of each study and the notebooks' run record."""
    run, machine = results["run"], results["machine"]
    problems = [f"**{name} {record['status']}**: {record.get('error', '')}"
                for name, record in results["notebooks"].items() if record["status"] != "ok"]
    lines = [
        f"# zkwork report {run}",
        "",
        f"Every figure here was measured in this run ({run}) on {machine['cpu_model']} "
        f"({machine['cpu_count']} logical cores), zkwork git {machine['git_commit'] or 'unknown'}"
        + (", **quick** run (small sizes, few runs)" if results["quick"] else "") + ". " + END_TO_END,
        "",
    ]
    if problems:
        lines += ["> Incomplete report: " + "; ".join(problems), ""]
    lines += ["## The answer", ""]
    lines += _latency_lines(results, run) + [""] + _capacity_lines(results, run) + [""]
    lines += ["## Constraint budgets", ""] + _budget_lines(results, run) + [""]
    lines += ["## Alerts", ""] + _alert_lines(results, run) + [""]
    lines += ["## Security audit", ""] + _security_lines(results, run) + [""]
    lines += ["## Trusted-setup ceremony", ""] + _ceremony_lines(results, run) + [""]
    lines += ["## Figures", ""] + _figure_lines(results, run)
    lines += ["## Time and contention", ""] + _time_lines(results) + [""]
    lines += ["## Notebooks of this run", ""] + _notebook_lines(results)
    lines += ["", "Machine and versions: see `results.json` (`machine`); each notebook's results are under "
              "`results.<notebook>` (its study's Result, with the study's own `run` record), and "
              "`notebooks.<notebook>.measured` says which run measured them."]
    return "\n".join(lines)
