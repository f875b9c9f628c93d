"""`zkwork bench zkey` on a small circuit: zkwork, snarkjs and arkworks (groth16py) on the
same zkey and witness in one run, every peer proof checked by zkwork's verifier."""
import importlib.util

import pytest

from zkwork.bench import arkworks_peer
from zkwork.bench.arkworks_peer import arkworks_figures, check_proofs, proof_json_from_bytes
from zkwork.bench.zkey import bench_zkey, format_markdown
from zkwork.curve import G1Point, G2Point
from zkwork.errors import InvariantError
from zkwork.formats.zkey_file import read_zkey
from zkwork.groth16.snarkjs_json import proof_from_json


def ethereum_proof_bytes(a, b, c):
    """The EVM layout groth16py returns: A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y."""
    (ax, ay), ((bx0, bx1), (by0, by1)), (cx, cy) = a.to_affine(), b.to_affine(), c.to_affine()
    return b"".join(v.to_bytes(32, "big") for v in (ax, ay, bx1, bx0, by1, by0, cx, cy))


def test_groth16py_proof_bytes_read_as_the_same_points():
    a, b, c = G1Point.generator() * 11, G2Point.generator() * 12, G1Point.generator() * 13
    proof = proof_from_json(proof_json_from_bytes(ethereum_proof_bytes(a, b, c)))
    assert (proof.a, proof.b, proof.c) == (a, b, c)
    with pytest.raises(arkworks_peer.ArkworksPeerError):
        proof_json_from_bytes(b"\0" * 255)


def test_without_groth16py_the_bench_says_so_and_goes_on(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(arkworks_peer, "available", lambda: False)
    figures = arkworks_figures(tmp_path / "none.zkey", tmp_path / "none.wtns", runs=1)
    assert list(figures) == ["arkworks_error"] and "groth16py is not installed" in figures["arkworks_error"]
    assert "arkworks peer not measured" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.node
def test_bench_zkey_quick(tmp_path):
    results = bench_zkey(patterns=["membership"], quick=True, cache_dir=tmp_path)
    (row,) = results["rows"]
    assert row["circuit"] == "membership_reference_d4" and row["constraints"] == 1181
    assert len(row["zkwork_prove_ms"]) >= 3 and all(t > 0 for t in row["snarkjs_prove_ms"])
    assert row["ratio"] == pytest.approx(row["zkwork_prove_median_ms"] / row["snarkjs_prove_median_ms"])
    text = format_markdown(results)
    assert "| membership_reference_d4 | 1,181 |" in text
    if importlib.util.find_spec("groth16py") is None:
        assert "groth16py is not installed" in row["arkworks_error"] and "arkworks not measured" in text
        return
    assert len(row["arkworks_prove_cpu_ms"]) == len(row["zkwork_1t_prove_cpu_ms"]) == 3
    assert row["cpu_ratio_1t"] == pytest.approx(row["zkwork_1t_prove_cpu_median_ms"] /
                                                row["arkworks_prove_cpu_median_ms"])
    assert "n/a" not in text and "Beside" not in text


@pytest.mark.slow
@pytest.mark.node
def test_arkworks_proofs_are_checked_and_a_wrong_one_fails(tmp_path):
    pytest.importorskip("groth16py")
    from zkwork.bench.zkey import zkey_latency_row
    from zkwork.patterns import PATTERNS, get_pattern

    pattern = get_pattern("membership", "reference", **PATTERNS["membership"].small_params())
    row = zkey_latency_row(pattern, runs=2, verify_runs=1, cache_dir=tmp_path, arkworks=True, contention=1)
    assert "arkworks_error" not in row, row
    for key in ("contention", "snarkjs_contention", "arkworks_contention"):
        figures = row[key]
        assert figures["window"]["competitors"] == 1 and figures["window"]["all_stopped"]
        assert len(figures["busy_ms"]) == 2 and figures["busy_p95_over_quiet_median"] > 0
    (zkey_path,) = (tmp_path / "circuits").rglob("*.zkey")
    zkey = read_zkey(zkey_path)
    a, b, c = G1Point.generator() * 2, G2Point.generator() * 3, G1Point.generator() * 6
    with pytest.raises(InvariantError, match="arkworks"):
        check_proofs(zkey, [1] * zkey.num_public, [proof_json_from_bytes(ethereum_proof_bytes(a, b, c))], "arkworks")
