"""Every notebook in notebooks/ runs, under nbval, with small parameters.

How: nbval executes a notebook cell by cell in a fresh kernel and fails on any error, but it
cannot pass parameters, and our notebooks are saved without outputs (their outputs are
timings, different on every run, so there is nothing stable to compare). So each test
1. lets papermill *prepare* a copy of the notebook with small parameters
   (`prepare_only=True`: papermill injects the parameters cell after the cell tagged
   `parameters`, and executes nothing), into tmp_path;
2. runs `pytest --nbval-lax` on that copy in a subprocess: nbval executes every cell once,
   with the small parameters, and reports the first failing cell (lax mode compares no
   output, since none is stored);
3. reads the JSON the notebook wrote to its `results_path` with its study's
   `Result.from_json` (as zkwork.report does), checks it against what the report relies
   on, and that its figures were saved.
Notebooks that take longer than a few seconds with small parameters are marked slow.
"""
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from zkwork.audit import ATTACKS
from zkwork.patterns import PATTERNS, VARIANTS, get_pattern
from zkwork.studies import get_study

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# Small parameters per notebook (beyond quick, results_path and figures_dir).
SMALL = {
    "latency": {"patterns": ["membership", "locker"], "variants": list(VARIANTS), "runs": 3, "verify_runs": 10,
                "batch": 5, "peers": False},
    "fleet-simulation": {"window_h": [13.8, 14.4], "n_workers": 1, "proof_runs": 3},
}


def contract_constraint_budgets(result):
    library = {(name, variant): get_pattern(name, variant).build().num_constraints
               for name in PATTERNS for variant in VARIANTS}
    assert {(row["pattern"], row["variant"]): row["constraints"] for row in result.patterns} == library
    assert set(result.passes) == set(PATTERNS)
    assert isinstance(result.budget, int)
    assert {"membership", "locker", "structure", "selective_reveal"} <= set(result.scaling)


def contract_latency(result):
    assert [(row["pattern"], row["variant"]) for row in result.rows] == [
        (name, variant) for name in SMALL["latency"]["patterns"] for variant in VARIANTS]
    for row in result.rows:
        assert len(row["prove_ms"]) == len(row["end_to_end_ms"]) == 3 and len(row["verify_ms"]) == 10
        assert row["prove_p95_ms"] > 0 and row["witness_median_ms"] > 0 and row["verify_p99_ms"] > 0
    assert result.prove_sla_ms == 1000 and result.verify_sla_ms == 50
    assert all(isinstance(row["end_to_end_pass"], bool) for row in result.sla_rows)


def contract_throughput_and_capacity(result):
    assert {"workers", "proofs_per_s", "verifications_per_s", "efficiency"} <= set(result.throughput[0])
    assert {"proof_servers", "verification_servers", "cost_per_month_usd"} <= set(result.capacity)
    assert len(result.guide["proof_servers"]) == 2


def contract_security_audit(result):
    assert result.sizes == "small" and result.params["sizes"] == "small"
    assert result.summary == {"weaknesses": len(ATTACKS), "accepted_by_reference": len(ATTACKS),
                              "tampered_accepted": 0, "resisted_by_hardened": len(ATTACKS)}
    assert [row["attack"] for row in result.findings] == [attack.__name__ for _, attack in ATTACKS]
    assert all(row["attack result"].startswith("accepted: ") for row in result.findings)
    costs = {row["pattern"]: row for row in result.fix_costs}
    assert set(costs) == set(PATTERNS)
    for name, row in costs.items():
        counts = [get_pattern(name, v, **PATTERNS[name].small_params()).build().num_constraints for v in VARIANTS]
        assert [row["reference_constraints"], row["hardened_constraints"]] == counts
        assert row["fix_cost"] == counts[1] - counts[0] >= 0
    assert all(record["proof"]["protocol"] == "groth16" for record in result.attacks)


def contract_setup_ceremony(result):
    assert result.contributors == 3 and [row["power"] for row in result.scaling] == [6, 7, 8, 9]
    assert result.verified() and result.phase1["failed"] == 0
    assert len(result.phase1["contribution_s"]) == len(result.phase2["contribution_s"]) == 4  # + beacon
    assert all(row["verified"] and row["state_bytes"] > 0 for row in result.scaling)
    assert result.constraints == get_pattern("structure", "hardened", components=4).build().num_constraints


def contract_monitoring(result):
    assert all({"name", "fires", "value", "threshold"} <= set(alert) for alert in result.alerts)
    assert result.latencies and result.metrics_path


def contract_load_test(result):
    assert len(result.steps) == 2 * len(result.params["fractions"])
    assert all({"p95_ms", "p99_ms", "goodput", "share_503", "confidence", "prometheus"} <= set(row)
               for row in result.steps)
    assert set(result.capacity_at_sla) == {"proof", "verification"}


def contract_fleet_simulation(result):
    assert [scenario["name"] for scenario in result.scenarios] == ["diurnal day", "flash crowd", "zone failure"]
    assert all(set(scenario["verdicts"]) == {"proof", "verification"} for scenario in result.scenarios)
    assert [row["role"] for row in result.circuits] == ["mix", "reference"]  # quick: no depth or snarkjs what-ifs
    assert len(result.circuits[0]["proof_cpu_ms"]) == 3 and result.sweep["cases"] == len(result.sweep["rows"]) == 4
    assert "per-core rates hold" in result.assumption and result.validation is None


CONTRACTS = {
    "load-test": contract_load_test,
    "fleet-simulation": contract_fleet_simulation,
    "constraint-budgets": contract_constraint_budgets,
    "latency": contract_latency,
    "throughput-and-capacity": contract_throughput_and_capacity,
    "monitoring": contract_monitoring,
    "security-audit": contract_security_audit,
    "setup-ceremony": contract_setup_ceremony,
}


def notebook_params():
    # every notebook is slow-marked: even constraint-budgets, the quickest, takes 14 s of the fast suite's 5 minutes
    return [pytest.param(path, id=path.stem, marks=pytest.mark.slow)
            for path in sorted(NOTEBOOKS.glob("*.ipynb"))]


def test_the_report_notebooks_are_there():
    assert {path.stem for path in NOTEBOOKS.glob("*.ipynb")} >= {"constraint-budgets", "latency"}


@pytest.mark.parametrize("path", notebook_params())
def test_notebook_is_saved_clean_with_a_parameters_cell(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell is not tagged 'parameters'"
    assert all(not cell.outputs and cell.execution_count is None for cell in code), "saved with outputs"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda path: path.stem)
def test_notebook_is_a_thin_one_that_cites_the_guide_by_name(path):
    """Parameters -> its study's run -> tables and figures: at most 60 code lines, and the
    guide cited by name and section, never by a path on some machine."""
    notebook = nbformat.read(path, as_version=4)
    code_lines = [line for cell in notebook.cells if cell.cell_type == "code"
                  for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(code_lines) <= 60, f"{len(code_lines)} code lines"
    assert f"zkwork.studies import {get_study(path.stem).NAME}" in "\n".join(code_lines)
    text = "\n".join(cell.source for cell in notebook.cells)
    assert "/work/" not in text and "production-migration.md" not in text
    assert "guide" not in text or "the production-migration guide, section" in " ".join(text.lower().split())


@pytest.mark.parametrize("path", notebook_params())
def test_notebook_runs_under_nbval_with_small_parameters(path, tmp_path):
    results_path, figures_dir = tmp_path / "results.json", tmp_path / "figures"
    params = {"quick": True, "results_path": str(results_path), "figures_dir": str(figures_dir),
              **SMALL.get(path.stem, {})}
    if path.stem == "monitoring":
        params["metrics_path"] = str(tmp_path / "metrics.prom")
    prepared = tmp_path / path.name
    papermill.execute_notebook(str(path), str(prepared), parameters=params, prepare_only=True, progress_bar=False)

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider", "-q",
         prepared.name],
        cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False,
    )
    assert run.returncode == 0, f"nbval failed on {path.name}:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"

    result = get_study(path.stem).Result.from_json(json.loads(results_path.read_text()))
    assert result.run.machine["cpu_model"] and result.run.wall_s > 0
    CONTRACTS[path.stem](result)
    assert list(figures_dir.glob("*.png")), f"{path.name} saved no figure into figures_dir"


@pytest.mark.slow
@pytest.mark.node
def test_latency_notebook_measures_zkwork_on_snarkjs_zkeys(tmp_path, monkeypatch):
    """prover="zkey": zkwork proves the snarkjs zkey of the Circom twin, snarkjs beside it."""
    monkeypatch.setenv("ZKWORK_SNARKJS_CACHE", str(tmp_path / "snarkjs-cache"))
    results_path = tmp_path / "results.json"
    params = {"quick": True, "prover": "zkey", "patterns": ["structure"], "variants": ["reference"], "runs": 3,
              "verify_runs": 5, "results_path": str(results_path), "figures_dir": str(tmp_path / "figures")}
    papermill.execute_notebook(str(NOTEBOOKS / "latency.ipynb"), str(tmp_path / "latency.ipynb"),
                               parameters=params, progress_bar=False, cwd=str(tmp_path))
    (row,) = get_study("latency").Result.from_json(json.loads(results_path.read_text())).rows
    assert (row["pattern"], row["variant"]) == ("structure", "reference")
    assert row["prove_p95_ms"] > 0 and row["snarkjs_prove_p95_ms"] > 0
