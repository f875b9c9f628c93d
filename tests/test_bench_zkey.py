"""`zkwork bench zkey` on a small circuit: both provers on the same zkey, in one run."""
import pytest

from zkwork.bench.zkey import bench_zkey, format_markdown


@pytest.mark.slow
@pytest.mark.node
def test_bench_zkey_quick(tmp_path):
    results = bench_zkey(patterns=["membership"], quick=True, cache_dir=tmp_path)
    (row,) = results["rows"]
    assert row["circuit"] == "membership_reference_d4" and row["constraints"] == 1181
    assert len(row["zkwork_prove_ms"]) >= 3 and all(t > 0 for t in row["snarkjs_prove_ms"])
    assert row["ratio"] == pytest.approx(row["zkwork_prove_median_ms"] / row["snarkjs_prove_median_ms"])
    assert "| membership_reference_d4 | 1,181 |" in format_markdown(results)
