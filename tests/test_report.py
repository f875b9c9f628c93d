"""`zkwork report`: the artefacts of a quick report, constraint counts equal to the library's,
and how a missing or failing notebook is reported."""
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from zkwork.cli import main
from zkwork.patterns import PATTERNS, VARIANTS, get_pattern
from zkwork.report import NOTEBOOK_DIR, NOTEBOOKS, NotebookSpec, collect_results, run_report
from zkwork.report_summary import format_summary, study_result
from zkwork.studies import latency as latency_study
from zkwork.studies import ceremony as ceremony_study
from zkwork.studies import monitoring as monitoring_study
from zkwork.studies import setup_steps as setup_steps_study
from zkwork.studies import throughput as throughput_study
from zkwork.studies.base import Run


def write_notebook(path, *sources):
    """A notebook whose first cell is the papermill parameters cell, then `sources`."""
    cells = [new_code_cell("quick = False\nresults_path = None\nfigures_dir = None",
                           metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(source) for source in sources]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                      "display_name": "Python 3"}}), path)


def test_a_failing_and_a_missing_notebook_are_reported_and_the_rest_is_written(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "good.ipynb",
                   "import json, pathlib\npathlib.Path(results_path).write_text(json.dumps({'value': 1}))")
    write_notebook(notebooks / "bad.ipynb", "raise RuntimeError('this notebook breaks')")
    specs = [NotebookSpec("good", "writes results"), NotebookSpec("bad", "fails"), NotebookSpec("absent", "is missing")]

    run_dir, complete = run_report(out=tmp_path / "reports", quick=True, notebooks_dir=notebooks, notebooks=specs)

    assert not complete
    results = json.loads((run_dir / "results.json").read_text())
    status = {name: record["status"] for name, record in results["notebooks"].items()}
    assert status == {"good": "ok", "bad": "failed", "absent": "missing"}
    assert "RuntimeError" in results["notebooks"]["bad"]["error"]
    assert results["results"] == {"good": {"value": 1}}
    assert (run_dir / "bad.ipynb").exists() and (run_dir / "bad.html").exists()
    summary = (run_dir / "summary.md").read_text()
    assert "bad failed" in summary and "absent missing" in summary
    assert (tmp_path / "reports" / "latest").resolve() == run_dir.resolve()


def test_a_relative_out_directory_as_make_report_passes_it(tmp_path, monkeypatch):
    """`make report` runs `zkwork report --out reports`; the notebooks run inside the run
    directory, so the results paths they get must not be relative to the caller's."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "good.ipynb",
                   "import json, pathlib\npathlib.Path(results_path).write_text(json.dumps({'value': 2}))")
    monkeypatch.chdir(tmp_path)
    run_dir, complete = run_report(out="reports", quick=True, notebooks_dir=notebooks,
                                   notebooks=[NotebookSpec("good", "writes results")])
    assert complete and run_dir.is_absolute() and run_dir.parent == tmp_path / "reports"
    assert json.loads((run_dir / "results.json").read_text())["results"] == {"good": {"value": 2}}


def test_a_hosted_study_adds_its_budget_and_its_results_to_its_notebooks(tmp_path):
    spec = next(spec for spec in NOTEBOOKS if spec.name == setup_steps_study.NOTEBOOK)
    assert spec.embedded == [setup_steps_study]
    assert spec.time_budget_s(quick=False) == (ceremony_study.TIME_BUDGET_S["default"]
                                               + setup_steps_study.TIME_BUDGET_S["default"])
    (tmp_path / "data").mkdir()
    hosted = spec.embedded_results_path(tmp_path, setup_steps_study)
    hosted.write_text(json.dumps({"rows": []}))
    (tmp_path / "data" / f"{spec.name}.json").write_text(json.dumps({"value": 3}))
    records = {spec.name: {"notebook": "n", "executed": "e", "results_file": f"data/{spec.name}.json",
                           "embedded_results": {setup_steps_study.NAME: hosted.relative_to(tmp_path).as_posix()}}}
    collected = collect_results(tmp_path, {}, False, True, records)
    assert collected["results"] == {spec.name: {"value": 3}, setup_steps_study.NAME: {"rows": []}}
    assert tmp_path.name in collected["notebooks"][spec.name]["measured"]


RUN = {"machine": {"cpu_model": "test CPU"}, "started_utc": "2025-01-01T00:00:00+00:00",
       "finished_utc": "2025-01-01T00:01:00+00:00", "wall_s": 60.0, "cpu_s": 20.0, "load_before": 3.5,
       "load_after": 4.0, "cpu_count": 2, "threads": 1}


def test_the_summary_opens_with_the_slas_and_the_capacity_against_the_guide():
    # The studies' Result shapes; the values are arbitrary test data.
    sla_row = {"pattern": "membership", "variant": "hardened", "size": "depth=20", "constraints": 5101,
               "prove_p95_ms": 1200.0, "prove_pass": False, "verify_p99_ms": 4.0, "verify_pass": True}
    latency = latency_study.Result(
        {"runs": 20, "verify_runs": 100, "peers": True, "peer_runs": 5, "peer_verify_runs": 20}, Run(**RUN),
        "production", 1000, 50, [100], [5],
        [{"pattern": "membership", "variant": "hardened", "prove_ms": [1000.0, 1400.0], "witness_median_ms": 2.5,
          "end_to_end_p95_ms": 1203.0}], [sla_row], {})
    capacity = throughput_study.Result(
        {}, Run(**{**RUN, "threads": None, "load_after": 1.0, "load_before": 1.0}), "membership", "hardened",
        {"label": "membership/hardened/depth=20"},
        [{"workers": 1, "proofs_per_s": 2.0, "proofs_per_cpu_s": 2.5, "witness_median_ms": 2.0,
          "prove_median_ms": 398.0, "witness_share": 0.005, "core_share": 0.8}], {},
        {"proof_servers": 120, "verification_servers": 12, "cost_per_month_usd": 30000, "cpu_s_per_proof": 0.4,
         "witness_cpu_s_per_proof": 0.002, "witness_share": 0.005, "assumptions": {"peak_proofs_per_s": 1000}},
        {"proof_servers": [50, 100], "verification_servers": [10, 25], "cost_per_month_usd": 15000}, [], [], [])
    monitoring = monitoring_study.Result(
        {}, Run(**RUN), {"membership_hardened_d20": {"prove_s": [0.4, 0.5], "witness_s": [0.002, 0.003]}},
        [{"name": "ProofLatencyHigh", "fires": True, "value": 1200, "threshold": 1000}], {}, "",
        {})
    results = {
        "run": "20250101T000000Z", "quick": False,
        "machine": {"cpu_model": "test CPU", "cpu_count": 2, "git_commit": "abc"},
        "notebooks": {name: {"status": "ok", "seconds": 500.0} for name in (
            "constraint-budgets", "latency", "throughput-and-capacity", "monitoring")},
        "results": {"latency": latency.to_json(), "throughput-and-capacity": capacity.to_json(),
                    "monitoring": monitoring.to_json()},
    }
    summary = format_summary(results)
    answer = summary[summary.index("## The answer"):summary.index("## Constraint budgets")]
    # witness time beside prove time; the SLA judged on the end-to-end P95, read from the bench row
    assert "| membership | hardened | depth=20 | 5,101 | 2.5 | 1200 | 1203 | FAIL | 4.0 | PASS |" in answer
    assert ("Latency, throughput, monitoring and capacity figures are measured end to end (input JSON in, proof "
            "JSON out), with witness time as its own column beside prove time.") in summary
    assert "The 70 %-rule plan counts 0.4 CPU-seconds per end-to-end proof, of which the witness 0.002 s (0.5%)." \
        in answer
    assert "the plan falls back to the throughput study's 70 % rule" in answer  # no load-test results here
    assert "| 1 | 2.00 | 2.50 | 2.0 | 398 | 0.5% | 80% |" in answer
    assert "membership_hardened_d20 2.5 of 450 ms" in summary
    assert "(20 proofs and 100 verifications per circuit; snarkjs 5 proofs and 20 verifications, so" in summary
    assert "| proof servers | 120 | 50–100 | above the guide's range |" in answer
    assert "| verification servers | 12 | 10–25 | within the guide's range |" in answer
    assert "$30,000" in answer and "200% of the guide's estimate" in answer
    assert "ProofLatencyHigh: **fires**" in summary
    assert "not computed" in summary  # no constraint-budgets results in this record
    times = summary[summary.index("## Time and contention"):]
    assert ("| latency | 500.0 **over budget** | 420 | 60.0 | 20.0 | 3.5 → 4.0 | load 4.0 above the 2 cores; "
            "CPU/wall 0.33 for 1 thread(s); membership/hardened prove spread 24% |") in times
    assert "| throughput-and-capacity | 500.0 **over budget** | 240 | 60.0 | 20.0 | 1.0 → 1.0 | - |" in times


def test_latency_rows_without_end_to_end_figures_are_judged_on_the_prove_and_say_so():
    sla_row = {"pattern": "membership", "variant": "hardened", "size": "depth=4", "constraints": 1000,
               "prove_p95_ms": 90.0, "prove_pass": True, "verify_p99_ms": 4.0, "verify_pass": True}
    latency = latency_study.Result({"runs": 3, "verify_runs": 10}, Run(**RUN), "small", 1000, 50, [100], [5],
                                   [{"pattern": "membership", "variant": "hardened"}], [sla_row], {})
    results = {"run": "r", "quick": True, "machine": {"cpu_model": "c", "cpu_count": 2, "git_commit": None},
               "notebooks": {"latency": {"status": "ok", "seconds": 1.0}}, "results": {"latency": latency.to_json()}}
    assert "| membership | hardened | depth=4 | 1,000 | n/a | 90 | n/a | PASS (prove only) | 4.0 | PASS |" \
        in format_summary(results)


@pytest.mark.slow
def test_quick_report_writes_every_artefact_and_the_library_counts(tmp_path, capsys):
    status = main(["report", "--quick", "--out", str(tmp_path)])

    run_dir = (tmp_path / "latest").resolve()
    results = json.loads((run_dir / "results.json").read_text())
    present = {spec.name for spec in NOTEBOOKS if (NOTEBOOK_DIR / f"{spec.name}.ipynb").exists()}
    for spec in NOTEBOOKS:
        record = results["notebooks"][spec.name]
        if spec.name not in present:
            assert record["status"] == "missing"
            continue
        assert record["status"] == "ok", record
        assert (run_dir / f"{spec.name}.ipynb").exists() and (run_dir / f"{spec.name}.html").exists()
        assert record["figures"] and all((run_dir / figure).exists() for figure in record["figures"])
        assert spec.name in results["results"] and run_dir.name in record["measured"]
    assert status == (0 if present == {spec.name for spec in NOTEBOOKS} else 1)
    assert list((run_dir / "figures").rglob("*.png"))
    assert results["machine"]["cpu_model"] and results["machine"]["versions"]["zkwork"]

    budgets = study_result(results, "constraint-budgets")
    counts = {(row["pattern"], row["variant"]): row["constraints"] for row in budgets.patterns}
    assert counts == {(name, variant): get_pattern(name, variant).build().num_constraints
                      for name in PATTERNS for variant in VARIANTS}

    summary = (run_dir / "summary.md").read_text()
    assert summary.index("## The answer") < summary.index("## Constraint budgets") < summary.index("## Time and")
    assert f"measured in this run ({run_dir.name})" in summary
    assert Path(capsys.readouterr().out.split()[1]).parent == run_dir


def test_the_summary_shows_each_setup_step_with_both_tools_peak_memory():
    def tool(wall, cpu, mb):
        return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": mb, "load_before": 1.0, "load_after": 1.5}

    row = {"power": 12, "step": "prepare phase2", "zkwork": tool(6.0, 11.0, 180.4), "snarkjs": tool(60.0, 100.0, 512.0),
           "ratio_wall": 10.0, "ratio_cpu": 9.09, "check": "sha256 identical", "agree": True}
    served = {**row, "step": "zkey new", "daemon": tool(0.5, 0.1, 40.0), "ratio_wall_daemon": 120.0}
    steps = setup_steps_study.Result(setup_steps_study.Params().to_json(), Run(**RUN), "structure_reference_k8", 300,
                                     [row, served])
    results = {"run": "r", "quick": False, "machine": {"cpu_model": "c", "cpu_count": 2, "git_commit": None},
               "notebooks": {"setup-ceremony": {"status": "ok", "seconds": 1.0}},
               "results": {setup_steps_study.NAME: steps.to_json()}}
    summary = format_summary(results)
    assert ("| 2^12 | prepare phase2 | 6.00 | 11.00 | 180 | 60.00 | 100.00 | 512 | 10.0x | - | - | 1.0 → 1.5 | "
            "sha256 identical |") in summary
    assert "| 2^12 | zkey new | 6.00 | 11.00 | 180 | 60.00 | 100.00 | 512 | 10.0x | 0.50 | 120.0x | 1.0 → 1.5 |" in summary
    assert "every one agrees" in summary
    results["results"] = {}
    assert "zkwork against snarkjs per setup step: **not run**" in format_summary(results)
