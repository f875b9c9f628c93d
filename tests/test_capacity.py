"""zkwork.capacity: server counts, headroom, threshold and costs on hand-computed cases."""
import pytest

from zkwork.capacity import (GUIDE_PLAN, CapacityInputError, compare_with_guide, guide_implied_servers,
                             guide_summary, plan_at_sla, plan_capacity, plan_deployment)
from zkwork.errors import ZkworkError


def test_server_count_rounds_up():
    # 1000 / (2.5 * 8 * 0.7) = 1000 / 14 = 71.43 -> 72, plus one spare
    plan = plan_capacity(1000, 2.5, 8, cpu_threshold=0.7, headroom=1, price_per_server_month=200)
    assert plan.rate_per_server == 20.0
    assert plan.rate_per_server_at_threshold == pytest.approx(14.0)
    assert (plan.base_servers, plan.servers) == (72, 73)
    assert plan.cost_per_month == 73 * 200


def test_an_exact_division_is_not_rounded_up():
    # 1000 / (1.25 * 8 * 1.0) = 100 exactly; 5000 / (125 * 4 * 0.7) = 14.29 -> 15;
    # in floats 3 * 0.7 is 2.0999999999999996 and 21 / that is 10.000000000000002, whose
    # ceiling is 11: the exact 21 / 2.1 = 10 must stay 10
    assert plan_capacity(1000, 1.25, 8, cpu_threshold=1.0, headroom=0).servers == 100
    assert plan_capacity(5000, 125, 4, cpu_threshold=0.7, headroom=0).servers == 15
    assert plan_capacity(21, 1, 3, cpu_threshold=0.7, headroom=0).servers == 10


def test_the_threshold_scales_the_count():
    # 100 / (1 * 10 * t): t = 1 -> 10, t = 0.5 -> 20, t = 0.3 -> 33.3 -> 34
    counts = [plan_capacity(100, 1, 10, cpu_threshold=t, headroom=0).servers for t in (1.0, 0.5, 0.3)]
    assert counts == [10, 20, 34]


def test_headroom_adds_spare_servers():
    plans = [plan_capacity(100, 1, 10, cpu_threshold=1.0, headroom=h, price_per_server_month=50) for h in (0, 1, 3)]
    assert [p.servers for p in plans] == [10, 11, 13]
    assert [p.cost_per_month for p in plans] == [500, 550, 650]
    assert [round(p.peak_utilisation, 4) for p in plans] == [1.0, round(10 / 11, 4), round(10 / 13, 4)]
    assert plans[1].assumptions["headroom_rule"]["value"] == "N+1"


def test_every_input_is_listed_with_its_source():
    plan = plan_capacity(10, 1, 4, sources={"rate_per_core": "measured: test"})
    assert set(plan.assumptions) == {"peak_rate", "rate_per_core", "cores_per_server", "cpu_threshold", "headroom",
                                     "price_per_server_month", "headroom_rule"}
    assert plan.assumptions["rate_per_core"] == {"value": 1, "source": "measured: test"}
    assert plan.assumptions["peak_rate"]["source"] == "given by the caller"


@pytest.mark.parametrize("kwargs", [
    {"peak_rate": 0}, {"peak_rate": -5}, {"rate_per_core": 0}, {"rate_per_core": -1.0},
    {"rate_per_core": "fast"}, {"cores_per_server": 0}, {"cores_per_server": 2.5}, {"cores_per_server": True},
    {"cpu_threshold": 0}, {"cpu_threshold": 1.2}, {"cpu_threshold": -0.7}, {"headroom": -1}, {"headroom": 0.5},
    {"price_per_server_month": -1},
])
def test_bad_inputs_raise_a_typed_error(kwargs):
    args = {"peak_rate": 100, "rate_per_core": 1, "cores_per_server": 8, **kwargs}
    with pytest.raises(CapacityInputError) as info:
        plan_capacity(**args)
    assert isinstance(info.value, ZkworkError) and isinstance(info.value, ValueError)


def test_the_guide_plan_carries_its_sections():
    assert GUIDE_PLAN["proof_peak_rate"].value == 1000 and GUIDE_PLAN["verification_peak_rate"].value == 5000
    assert GUIDE_PLAN["proof_servers"].value == (50, 100) and GUIDE_PLAN["verification_servers"].value == (10, 25)
    assert GUIDE_PLAN["scale_up_cpu_threshold"].value == 0.70
    # the guide's cost lines add up to its compute and total figures
    assert 50 * GUIDE_PLAN["proof_server_price_month"].value + 10 * GUIDE_PLAN["verification_server_price_month"].value \
        == GUIDE_PLAN["compute_cost_month"].value
    assert abs(GUIDE_PLAN["compute_cost_month"].value + GUIDE_PLAN["non_compute_cost_month"].value
               - GUIDE_PLAN["total_cost_month"].value) <= 100
    assert all(figure.section and figure.quote for figure in GUIDE_PLAN.values())
    assert guide_summary()["proof_servers"] == [50, 100]


def test_deployment_plan_takes_the_guide_defaults():
    # proofs: 1000 / (2 * 8 * 0.7) = 89.3 -> 90 + 1; verifications: 5000 / (100 * 4 * 0.7) = 17.9 -> 18 + 1
    plan = plan_deployment(2.0, 100.0, "a test")
    assert (plan.proof.servers, plan.verification.servers) == (91, 19)
    assert plan.compute_cost_per_month == 91 * 200 + 19 * 100
    assert plan.cost_per_month == plan.compute_cost_per_month + 4050
    assumptions = plan.assumptions()
    assert assumptions["proof.rate_per_core"]["source"] == \
        "measured: end-to-end proofs (input JSON in, proof JSON out) per core, a test"
    assert assumptions["proof.peak_rate"]["source"].startswith("guide (")
    summary = plan.summary()
    assert {"proof_servers", "verification_servers", "cost_per_month_usd", "assumptions"} <= set(summary)


def test_deployment_plan_overrides_are_marked_as_assumptions():
    plan = plan_deployment(2.0, 100.0, "a test", proof_cores=16, headroom=0, proof_price_month=300)
    # 1000 / (2 * 16 * 0.7) = 44.6 -> 45
    assert plan.proof.servers == 45 and plan.proof.cost_per_month == 45 * 300
    assert plan.assumptions()["proof.cores_per_server"]["source"] == "assumption: set by the caller"


def test_guide_implied_servers_are_at_full_cpu():
    rows = {row["tier"]: row for row in guide_implied_servers()}
    assert rows["proof"]["implied_at_100pct_cpu"] == [50, 100]  # 1000 / 20, 1000 / 10
    assert rows["proof"]["implied_at_threshold"] == [72, 143]  # 1000 / 14, 1000 / 7
    assert rows["verification"]["implied_at_100pct_cpu"] == [10, 25]
    assert rows["verification"]["implied_at_threshold"] == [15, 36]  # 5000 / 350, 5000 / 140


def test_comparison_with_the_guide():
    plan = plan_deployment(2.0, 100.0, "a test")
    rows = {row["quantity"]: row for row in compare_with_guide(plan)}
    assert rows["proof servers"]["verdict"] == "within the guide's range"
    assert rows["verification servers"]["verdict"] == "within the guide's range"
    assert rows["verification rate per server (100% CPU)"]["verdict"] == "within the guide's range"  # 400
    assert rows["compute cost per month (USD)"]["verdict"] == f"{(91 * 200 + 19 * 100) / 11000:.2f}x the guide's"
    slow = {row["quantity"]: row for row in compare_with_guide(plan_deployment(0.5, 10.0, "slow"))}
    assert slow["proof servers"]["verdict"] == "above the guide's range"
    assert slow["verification rate per server (100% CPU)"]["verdict"] == "below the guide's range"


def test_the_plan_counts_cpu_seconds_per_end_to_end_proof_with_the_witness_share():
    # 0.1 s of witness + 0.4 s of prove = 0.5 CPU-seconds per end-to-end proof: 2 proofs/s per core;
    # 1000 / (2 * 8 * 0.7) = 89.3 -> 90 + 1, as from the rate alone
    plan = plan_deployment(1 / (0.1 + 0.4), 100.0, "a test", proof_witness_cpu_s=0.1)
    assert plan.proof.cpu_s_per_operation == pytest.approx(0.5)
    assert plan.proof.witness_share == pytest.approx(0.2) and plan.proof.servers == 91
    summary = plan.summary()
    assert summary["cpu_s_per_proof"] == pytest.approx(0.5) and summary["witness_cpu_s_per_proof"] == 0.1
    assert summary["witness_share"] == pytest.approx(0.2)
    assert "of which the witness 0.1 s (20%)" in summary["assumptions"]["proof.cpu_s_per_operation"]["source"]
    assert plan.verification.witness_share is None
    # the witness stage is part of the end-to-end CPU-seconds, never more than all of them
    for witness in (0.5, 0.6, -0.1, True):
        with pytest.raises(CapacityInputError):
            plan_deployment(2.0, 100.0, "a test", proof_witness_cpu_s=witness)


def test_the_plan_at_sla_puts_no_cpu_threshold_on_top_and_says_why():
    # 1000 / (2.5 * 8) = 50 + 1 spare; 5000 / (40 * 4) = 31.25 -> 32 + 1
    plan = plan_at_sla(2.5, 40.0, "a load test")
    assert (plan.proof.servers, plan.verification.servers) == (51, 33)
    assert plan.proof.cpu_threshold == 1.0 and plan.proof.peak_utilisation == pytest.approx(1000 / (20 * 51))
    assert "SLAs hold" in plan.assumptions()["proof.cpu_threshold"]["source"]
    assert "a load test" in plan.assumptions()["verification.rate_per_core"]["source"]


def test_the_guide_error_rate_slas_are_quoted():
    assert GUIDE_PLAN["proof_error_rate"].value == 0.001 and "0.1%" in GUIDE_PLAN["proof_error_rate"].quote
    assert GUIDE_PLAN["verification_error_rate"].value == 0.0001
