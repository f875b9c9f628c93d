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
3. checks the JSON the notebook wrote to its `results_path` against the contract the report
   relies on (zkwork.report reads these keys), and that its figures were saved.
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

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# Small parameters per notebook (beyond quick, results_path and figures_dir).
SMALL = {
    "latency": {"patterns": ["membership", "locker"], "runs": 3, "verify_runs": 10, "batch": 5, "peers": False},
}
FAST = {"constraint-budgets"}


def contract_constraint_budgets(results):
    library = {(name, variant): get_pattern(name, variant).build().num_constraints
               for name in PATTERNS for variant in VARIANTS}
    assert {(row["pattern"], row["variant"]): row["constraints"] for row in results["patterns"]} == library
    assert set(results["pass"]) == set(PATTERNS)
    assert isinstance(results["budget"], int)
    assert {"membership", "locker", "structure", "selective_reveal"} <= set(results["scaling"])


def contract_latency(results):
    assert [(row["pattern"], row["variant"]) for row in results["rows"]] == [
        (name, variant) for name in SMALL["latency"]["patterns"] for variant in VARIANTS]
    for row in results["rows"]:
        assert len(row["prove_ms"]) == 3 and len(row["verify_ms"]) == 10
        assert row["prove_p95_ms"] > 0 and row["verify_p99_ms"] > 0
    assert results["sla"]["prove_p95_ms"] == 1000 and results["sla"]["verify_p99_ms"] == 50
    assert all(isinstance(row["prove_pass"], bool) for row in results["sla"]["rows"])
    assert results["measured_on"]["cpu_model"]


def contract_throughput_and_capacity(results):
    assert {"workers", "proofs_per_s", "verifications_per_s", "efficiency"} <= set(results["throughput"][0])
    assert {"proof_servers", "verification_servers", "cost_per_month_usd"} <= set(results["capacity"])
    assert len(results["guide"]["proof_servers"]) == 2 and results["measured_on"]


def contract_security_audit(results):
    assert results["sizes"] == "small" and results["quick"] is True
    assert results["summary"] == {"weaknesses": len(ATTACKS), "accepted_by_reference": len(ATTACKS),
                                  "tampered_accepted": 0, "resisted_by_hardened": len(ATTACKS)}
    assert [row["attack"] for row in results["findings"]] == [attack.__name__ for _, attack in ATTACKS]
    assert all(row["attack result"].startswith("accepted: ") for row in results["findings"])
    costs = {row["pattern"]: row for row in results["fix_costs"]}
    assert set(costs) == set(PATTERNS)
    for name, row in costs.items():
        cls = PATTERNS[name]
        params = {cls.size_param: cls.small_size} if cls.size_param else {}
        counts = [get_pattern(name, v, **params).build().num_constraints for v in VARIANTS]
        assert [row["reference_constraints"], row["hardened_constraints"]] == counts
        assert row["fix_cost"] == counts[1] - counts[0] >= 0
    assert all(record["proof"]["protocol"] == "groth16" for record in results["attacks"])
    assert results["measured_on"]["cpu_model"]


def contract_setup_ceremony(results):
    assert results["contributors"] == 3 and [row["power"] for row in results["scaling"]] == [6, 7, 8, 9]
    assert results["phase1"]["ok"] and results["phase2"]["ok"] and results["phase1"]["failed"] == 0
    assert len(results["phase1"]["contribution_s"]) == len(results["phase2"]["contribution_s"]) == 4  # + beacon
    assert results["proof"]["verified"] and not results["proof"]["tampered_verified"]
    assert all(row["verified"] and row["state_bytes"] > 0 for row in results["scaling"])
    assert results["constraints"] == get_pattern("membership", "hardened", depth=4).build().num_constraints


def contract_monitoring(results):
    assert all({"name", "fires", "value", "threshold"} <= set(alert) for alert in results["alerts"])
    assert "latencies" in results and "metrics_path" in results


CONTRACTS = {
    "constraint-budgets": contract_constraint_budgets,
    "latency": contract_latency,
    "throughput-and-capacity": contract_throughput_and_capacity,
    "monitoring": contract_monitoring,
    "security-audit": contract_security_audit,
    "setup-ceremony": contract_setup_ceremony,
}


def notebook_params():
    return [pytest.param(path, id=path.stem, marks=() if path.stem in FAST else pytest.mark.slow)
            for path in sorted(NOTEBOOKS.glob("*.ipynb"))]


def test_the_report_notebooks_are_there():
    assert {path.stem for path in NOTEBOOKS.glob("*.ipynb")} >= {"constraint-budgets", "latency"}


@pytest.mark.parametrize("path", notebook_params())
def test_notebook_is_saved_clean_with_a_parameters_cell(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell is not tagged 'parameters'"
    assert all(not cell.outputs and cell.execution_count is None for cell in code), "saved with outputs"


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

    results = json.loads(results_path.read_text())
    if path.stem in CONTRACTS:
        CONTRACTS[path.stem](results)
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
    (row,) = json.loads(results_path.read_text())["rows"]
    assert (row["pattern"], row["variant"]) == ("structure", "reference")
    assert row["prove_p95_ms"] > 0 and row["snarkjs_prove_p95_ms"] > 0
