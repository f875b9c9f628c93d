"""`zkwork bench floor`: the multiplication counts follow the MSM code's own choices (GLV halves,
window, signed digits) and the real witness's scalars; the CLI prices them and times each stage."""
import json

import numpy as np
import pytest

from zkwork.bench.floor import msm_count, quotient_count
from zkwork.cli import main
from zkwork.curve import G1Point
from zkwork.curve.msm import fixed_base_mul_g1
from zkwork.field import FR, FieldVector
from zkwork.groth16.qap import QAP
from zkwork.patterns import PATTERNS, get_pattern
from zkwork.r1cs.witness_program import WitnessProgram


def points(n):
    return fixed_base_mul_g1(G1Point.generator().affine_mont(), FieldVector.random(FR, n))


def test_zero_and_one_scalars_and_infinity_points_cost_what_the_msm_spends_on_them():
    bases = points(64)
    bases[::2] = 0  # every other point at infinity, as in a proving key's queries
    ones = msm_count("G1", bases, FieldVector.from_ints(FR, [1] * 64), cores=2)
    # k = 1 splits into the halves (1, 0): one live pair, one nonzero digit, per finite point
    assert ones["live_pairs"] == ones["accumulations"] == 32
    zeros = msm_count("G1", bases, FieldVector.from_ints(FR, [0] * 64), cores=2)
    assert zeros["live_pairs"] == zeros["accumulations"] == 0
    assert zeros["fq_muls"] > 0  # the buckets are still reduced, window by window


def test_random_scalars_fill_nearly_every_window_and_precomputation_saves_the_reductions():
    bases = points(256)
    row = msm_count("G1", bases, FieldVector.random(FR, 256), cores=2)
    assert row["live_pairs"] == 512
    assert 0.9 * 512 * row["windows"] <= row["accumulations"] <= 512 * row["windows"]
    assert row["precomputed_fq_muls"] < row["fq_muls"] and row["precomputed_table_mb"] > 0
    g2 = msm_count("G2", np.zeros((256, 2, 2, 4), dtype=np.uint64), FieldVector.random(FR, 256), cores=2)
    assert g2["live_pairs"] == 0


@pytest.mark.slow
def test_the_quotient_count_is_seven_ntts_and_the_sparse_products():
    pattern = get_pattern("membership", "hardened", **PATTERNS["membership"].small_params())
    qap = QAP.from_r1cs(WitnessProgram.record(pattern.circuit).r1cs)
    count = quotient_count(qap)
    n = qap.domain.size
    assert count["ntt_butterflies"] == 7 * n // 2 * (n.bit_length() - 1)
    assert count["sparse_products"] == len(qap.A.coeffs) + len(qap.B.coeffs) + len(qap.C.coeffs)


@pytest.mark.slow
def test_the_cli_prices_every_stage_of_a_real_prove(tmp_path):
    out = tmp_path / "floor.json"
    assert main(["bench", "floor", "--quick", "--runs", "1", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["ns_per_mul"]["fq"] > 0 and results["ns_per_mul"]["fr"] > 0
    for row in results["rows"]:
        stages = [stage["stage"] for stage in row["stages"]]
        assert [s for s in stages if s.startswith("MSM")] == ["MSM A (G1)", "MSM B1 (G1)", "MSM B2 (G2)",
                                                              "MSM L (G1)", "MSM H (G1)"]
        assert 0 < row["precomputed_floor_ms"] < row["floor_ms"] and row["prove_median_ms"] > 0
        assert all(stage["measured_ms"] > 0 for stage in row["stages"])
