"""Each study of zkwork.studies runs at its small size, its Result survives a JSON round
trip, its figures are drawn, and the Run record flags contention the way summary.md says."""
import json

import matplotlib
import pytest

from zkwork.audit import ATTACKS
from zkwork.cli import main
from zkwork.errors import JsonFormatError
from zkwork.patterns import PATTERNS, VARIANTS, get_pattern
from zkwork.studies import STUDIES, StudyError, get_study
from zkwork.studies.base import Run, spread

matplotlib.use("Agg")
# Over ~4 s each at their small sizes: in the slow run, so that the fast suite stays under 5 minutes.
SLOW = {"ceremony", "load_test", "fleet", "budgets", "throughput", "audit"}


def check_budgets(result):
    library = {(name, variant): get_pattern(name, variant).build().num_constraints
               for name in PATTERNS for variant in VARIANTS}
    assert {(row["pattern"], row["variant"]): row["constraints"] for row in result.patterns} == library
    assert set(result.passes) == set(PATTERNS) and set(result.scaling) == {"membership", "locker", "structure",
                                                                           "selective_reveal"}


def check_latency(result):
    assert [(row["pattern"], row["variant"]) for row in result.rows] == [("membership", v) for v in VARIANTS]
    assert all(len(row["prove_ms"]) == len(row["witness_ms"]) == len(row["end_to_end_ms"]) == 3
               and len(row["verify_ms"]) == 10 for row in result.rows)
    assert (result.prove_sla_ms, result.verify_sla_ms) == (1000, 50)  # the guide's, via GUIDE_PLAN
    for row in result.sla_rows:
        assert isinstance(row["end_to_end_pass"], bool) and isinstance(row["prove_pass"], bool)
        assert 0 < row["witness_p50_ms"] < row["end_to_end_p50_ms"] and row["prove_p50_ms"] < row["end_to_end_p50_ms"]
        assert "end to end" in row["witness"]
    assert set(result.buckets) == {"end_to_end", "prove", "verify"}


def test_the_latency_sla_judges_the_proof_end_to_end():
    latency = STUDIES["latency"]
    row = {"pattern": "membership", "variant": "hardened", "params": {"depth": 20}, "constraints": 5101,
           "witness": latency.WITNESS["circuit"], "witness_ms": [300.0] * 20, "prove_ms": [800.0] * 20,
           "end_to_end_ms": [1101.0] * 20, "verify_ms": [4.0] * 100}
    entry = latency.sla_row(row, 1000, 50)
    assert entry["prove_pass"] and not entry["end_to_end_pass"] and not latency.proof_pass(entry)
    assert (entry["witness_p95_ms"], entry["end_to_end_p95_ms"]) == (300.0, 1101.0)
    # a zkey row proves on circom's untimed witness: its verdict is the prove stage's
    zkey = {key: value for key, value in row.items() if key not in ("witness_ms", "end_to_end_ms")}
    entry = latency.sla_row({**zkey, "witness": latency.WITNESS["zkey"]}, 1000, 50)
    assert "end_to_end_p95_ms" not in entry and latency.proof_pass(entry)


def check_throughput(result):
    assert [row["workers"] for row in result.throughput] == [1]
    assert result.capacity["proof_servers"] > 0 and result.guide["proof_servers"] == [50, 100]
    # every timed proof is end to end: the witness is computed (and timed) in every task
    (row,) = result.throughput
    assert row["witness_cpu_s"] > 0 and row["end_to_end_cpu_s"] >= row["prove_cpu_s"]
    assert row["proofs_per_cpu_s"] == pytest.approx(row["proofs"] / row["end_to_end_cpu_s"])
    assert row["end_to_end_median_ms"] >= row["prove_median_ms"] and row["witness_median_ms"] > 0
    # the plan counts the CPU-seconds of an end-to-end proof, witness included
    assert result.capacity["cpu_s_per_proof"] == pytest.approx(1 / row["proofs_per_cpu_s"])
    assert result.capacity["witness_share"] == pytest.approx(row["witness_share"]) and row["witness_share"] > 0
    assert "CPU-seconds per end-to-end proof" in result.headline()


def check_monitoring(result):
    assert set(result.latencies) == {get_pattern(name, variant, **PATTERNS[name].small_params()).main_name
                                     for name in ("membership", "version") for variant in VARIANTS}
    assert all({"name", "fires", "value", "threshold"} <= set(alert) for alert in result.alerts)
    assert all(len(run["prove_cpu_s"]) == len(run["prove_s"]) == len(run["witness_s"]) == 2
               for run in result.latencies.values())
    # prove_s is end to end: it covers the witness stage recorded apart
    assert all(0 < w < p for run in result.latencies.values() for w, p in zip(run["witness_s"], run["prove_s"]))


def check_audit(result):
    assert result.sizes == "small" and result.as_expected() and result.summary["weaknesses"] == len(ATTACKS)
    for cost in result.fix_costs:
        counts = [get_pattern(cost["pattern"], v, **PATTERNS[cost["pattern"]].small_params()).build().num_constraints
                  for v in VARIANTS]
        assert [cost["reference_constraints"], cost["hardened_constraints"]] == counts


def check_ceremony(result):
    assert result.verified() and result.contributors == 2 and [row["power"] for row in result.scaling] == [6, 7]
    assert len(result.phase1["contribution_s"]) == len(result.phase2["contribution_s"]) == 3  # + the beacon


def check_load_test(result):
    assert {row["kind"] for row in result.steps} == {"proof", "verification"}
    assert all(row["ok"] > 0 and row["p95_ms"] > 0 and row["server_cpu_s_per_request"] > 0 for row in result.steps)
    assert (result.sla["proof"]["bound_ms"], result.sla["verification"]["bound_ms"]) == (1000, 50)  # GUIDE_PLAN
    assert set(result.capacity_at_sla) == set(result.model) == {"proof", "verification"}


def check_fleet(result):
    assert [scenario["name"] for scenario in result.scenarios] == ["flash crowd"]
    (scenario,) = result.scenarios
    assert scenario["peak_rates"]["proof"] == pytest.approx(3000)  # the flash crowd's 3x the guide's peak
    assert all(row["proof_cpu_ms"] and all(ms > 0 for ms in row["proof_cpu_ms"]) for row in result.circuits)
    assert {tier: len(rows) for tier, rows in scenario["minutes"].items()} == {"proof": 42, "verification": 42}
    assert len(result.sweep["rows"]) == 4 and result.whatifs[0]["servers_at_70pct_cpu"] > 0
    assert "per-core rates hold" in result.assumption


CHECKS = {"budgets": check_budgets, "fleet": check_fleet, "latency": check_latency, "throughput": check_throughput,
          "monitoring": check_monitoring, "audit": check_audit, "ceremony": check_ceremony,
          "load_test": check_load_test}


@pytest.fixture(scope="module")
def small_results():
    """Each study's small result, run once for the tests that need it."""
    cache = {}

    def result(name):
        if name not in cache:
            study = STUDIES[name]
            cache[name] = study.run(study.Params.small())
        return cache[name]

    return result


def study_params():
    return [pytest.param(name, marks=pytest.mark.slow if name in SLOW else ()) for name in STUDIES]


def test_every_study_has_a_check_here_and_a_time_budget():
    assert set(CHECKS) == set(STUDIES)
    assert all(set(study.TIME_BUDGET_S) == {"default", "quick"} for study in STUDIES.values())


@pytest.mark.parametrize("name", study_params())
def test_a_study_runs_at_its_small_size_and_round_trips_through_json(name, small_results, tmp_path):
    study = STUDIES[name]
    result = small_results(name)
    CHECKS[name](result)
    assert result.run.machine["cpu_model"] and result.run.wall_s > 0 and result.run.cpu_s > 0
    data = json.loads(json.dumps(result.to_json(), allow_nan=False))
    again = study.Result.from_json(data)
    assert again.to_json() == data and isinstance(again.run, Run)
    assert again.params == study.Params.small().to_json()
    figures = study.figures(again)
    assert figures and all(hasattr(figure, "savefig") for figure in figures.values())
    assert name != "latency" or "latency-stages" in figures
    matplotlib.pyplot.close("all")


def test_a_result_missing_a_field_is_a_typed_error(small_results):
    data = small_results("budgets").to_json()
    del data["passes"]
    with pytest.raises(JsonFormatError, match="passes"):
        STUDIES["budgets"].Result.from_json(data)


def test_notebook_parameters_override_the_quick_or_default_params_unless_none():
    latency = STUDIES["latency"]
    assert latency.Params.from_notebook(False, runs=None) == latency.Params()
    assert latency.Params.from_notebook(True, runs=7).runs == 7
    assert latency.Params.from_notebook(True).small_sizes and not latency.Params().small_sizes


def test_studies_are_found_by_name_or_notebook():
    assert get_study("security-audit") is get_study("audit")
    with pytest.raises(StudyError):
        get_study("nope")


def test_contention_is_a_load_above_the_cores_or_cpu_far_below_the_threads():
    def run(**changes):
        values = dict(machine={}, started_utc="", finished_utc="", wall_s=10.0, cpu_s=9.0, load_before=0.5,
                      load_after=1.0, cpu_count=2, threads=1)
        return Run(**{**values, **changes})

    assert run().contention() == []
    assert run(load_after=3.0).contention() == ["load 3.0 above the 2 cores"]
    assert run(cpu_s=3.0).contention() == ["CPU/wall 0.30 for 1 thread(s)"]
    assert run(cpu_s=0.1, threads=None).contention() == []
    assert spread([1.0]) is None and spread([1.0, 1.0]) == 0


@pytest.mark.slow  # 6 s: the budgets study through the command line
def test_the_study_command_prints_a_result_as_json(capsys):
    assert main(["study", "budgets", "--quick", "--json"]) == 0
    result = STUDIES["budgets"].Result.from_json(json.loads(capsys.readouterr().out))
    assert result.budget == 8192 and result.params["depth_step"] == 8
