"""zkwork.studies.setup_steps: zkwork against the pinned snarkjs per setup step, at its small
size (Structure k4's circom twin, power 10) with real snarkjs: every step of both tools
measured, deterministic outputs byte-identical, each tool's contribution accepted by the
other's verify, the Result through JSON, the table and the figure; and its registration as
a study of the ceremony notebook."""
import json

import matplotlib.pyplot
import pytest

from zkwork.studies import EMBEDDED, STUDIES, get_study, setup_steps


@pytest.fixture(scope="module")
def small_result():
    return setup_steps.run(setup_steps.Params.small())


@pytest.mark.node
@pytest.mark.slow
def test_every_step_of_both_tools_is_measured_and_agrees(small_result):
    result = small_result
    assert result.circuit == "structure_reference_k4" and result.constraints > 0
    assert [(row["power"], row["step"]) for row in result.rows] == [(10, step) for step in setup_steps.STEPS]
    for row in result.rows:
        for tool in ("zkwork", "snarkjs"):
            run = row[tool]
            assert run["wall_s"] > 0 and run["cpu_s"] > 0 and 0 < run["peak_rss_mb"] < 4096
        assert row["agree"] is True
        assert row["ratio_wall"] == pytest.approx(row["snarkjs"]["wall_s"] / row["zkwork"]["wall_s"], abs=0.006)
        # the resident process's run beside the fresh one, for every step but prepare
        assert ("daemon" in row) == (row["step"] != "prepare phase2")
        if "daemon" in row:
            assert row["daemon"]["wall_s"] > 0 and row["daemon"]["daemon_cpu_s"] > 0
            assert row["ratio_wall_daemon"] == pytest.approx(row["snarkjs"]["wall_s"] / row["daemon"]["wall_s"],
                                                             abs=0.006)
    checks = [row["check"] for row in result.rows]
    assert checks[:2] == ["sha256 identical"] * 2 and "accepts" in checks[3]
    assert "agree" in result.headline()


@pytest.mark.node
@pytest.mark.slow
def test_the_result_round_trips_and_makes_its_table_and_figure(small_result):
    data = json.loads(json.dumps(small_result.to_json(), allow_nan=False))
    again = setup_steps.Result.from_json(data)
    assert again.to_json() == data and again.params == setup_steps.Params.small().to_json()
    table = setup_steps.table(again)
    assert [row["step"] for row in table] == list(setup_steps.STEPS)
    assert setup_steps.markdown(again).count("\n") == len(table) + 1
    figures = setup_steps.figures(again)
    assert list(figures) == ["setup-steps-ratios"]
    matplotlib.pyplot.close("all")


def test_it_is_registered_as_embedded_in_the_ceremony_notebook():
    assert get_study("setup_steps") is setup_steps and EMBEDDED["setup_steps"] is setup_steps
    assert setup_steps.NAME not in STUDIES and get_study(setup_steps.NOTEBOOK).NAME == "ceremony"
    assert set(setup_steps.TIME_BUDGET_S) == {"default", "quick"}
