"""`zkwork bench arith`: the speed of the arithmetic engine, against py_ecc (and galois
for the NTT) measured in the same run on the same machine.

Each row is a median over several runs after a warm-up; the first call, which compiles
the numba kernels or loads them from the JIT cache, is reported apart. Peers run only
where they finish in reasonable time; a peer row then says which size it measured.
"""
import sys

import numpy as np

from zkwork.bench.machine import describe
from zkwork.bench.timing import measure
from zkwork.curve.kernels import G1
from zkwork.field import FQ, FR, FieldVector
from zkwork.jit import njit

TARGETS_MS = {  # issue #2's targets for this 2-core machine
    "G1 MSM 2^16": 300.0,
    "G2 MSM 2^12": 150.0,
    "NTT 2^16": 30.0,
    "pairing_check, 4 pairs": 6.0,
}

_g1_add = G1.add


def make_mul_chain(mul):
    """A kernel (a, steps) -> x <- x * a, `steps` times, with the field multiplication `mul`:
    the latency of one dependent multiplication. a: two Montgomery rows, x's start and a."""

    @njit(cache=True)
    def mul_chain(a, steps):
        x = (a[0, 0], a[0, 1], a[0, 2], a[0, 3])
        y = (a[1, 0], a[1, 1], a[1, 2], a[1, 3])
        for _ in range(steps):
            x = mul(x, y)
        return x[0]

    return mul_chain


fr_mul_chain, fq_mul_chain = make_mul_chain(FR.kernels.mul), make_mul_chain(FQ.kernels.mul)


@njit(cache=True)
def _g1_add_chain(p, q, steps):
    """acc <- acc + q in Jacobian coordinates, `steps` times."""
    acc = ((p[0, 0], p[0, 1], p[0, 2], p[0, 3]), (p[1, 0], p[1, 1], p[1, 2], p[1, 3]),
           (p[2, 0], p[2, 1], p[2, 2], p[2, 3]))
    r = ((q[0, 0], q[0, 1], q[0, 2], q[0, 3]), (q[1, 0], q[1, 1], q[1, 2], q[1, 3]),
         (q[2, 0], q[2, 1], q[2, 2], q[2, 3]))
    for _ in range(steps):
        acc = _g1_add(acc, r)
    return acc[0][0]


UNITS = {"ns": 1e9, "us": 1e6, "ms": 1e3}


class _Report:
    """Collects rows and tells the user which one is running (on stderr)."""

    def __init__(self, total, runs):
        self.rows, self.total, self.runs = [], total, runs

    def row(self, name, unit, ours, peer=None, peer_name=None, ours_ops=1, peer_ops=1, note=""):
        """Time `ours` (and `peer`), each call doing `*_ops` operations; report per operation."""
        print(f"[{len(self.rows) + 1}/{self.total}] {name} ...", file=sys.stderr, flush=True)
        scale = UNITS[unit]
        ours_t = measure(ours, runs=self.runs, min_runs_seconds=0.2)
        row = {
            "name": name, "unit": unit,
            "zkwork": ours_t.median_s * scale / ours_ops, "zkwork_first_call_s": ours_t.first_call_s,
            "zkwork_runs": len(ours_t.runs_s), "peer": None, "peer_value": None, "ratio": None, "note": note,
        }
        if peer is not None:
            peer_t = measure(peer, runs=1, warmup=0)
            row["peer"], row["peer_value"] = peer_name, peer_t.median_s * scale / peer_ops
            row["ratio"] = row["peer_value"] / row["zkwork"]
        target = TARGETS_MS.get(name)
        if target is not None:
            row["target"], row["target_met"] = target, row["zkwork"] <= target
        self.rows.append(row)


def _random_points(fixed_base_mul, generator, n):
    """n random group elements, as fixed-base multiples of the generator."""
    return fixed_base_mul(generator.affine_mont(), FieldVector.random(FR, n))


def _naive_msm(bn, py_gen, scalars):
    """py_ecc's sum of products over random multiples of py_gen, as a call to time."""
    points = [bn.multiply(py_gen, s) for s in FieldVector.random(FR, len(scalars)).to_ints()]
    ints = scalars.to_ints()

    def run():
        acc = None
        for point, k in zip(points, ints):
            term = bn.multiply(point, k)
            acc = term if acc is None else bn.add(acc, term)

    return run


def bench_arith(runs=5, quick=False, peers=True):
    """Measure the engine; returns {"machine": ..., "rows": [...]} (times in the row's unit)."""
    from py_ecc import optimized_bn128 as bn

    from zkwork.curve import G1Point, G2Point
    from zkwork.curve.msm import fixed_base_mul_g1, fixed_base_mul_g2, msm_g1, msm_g2
    from zkwork.pairing import pairing, pairing_check
    from zkwork.poly import Domain, ntt

    g1_sizes = (8, 12) if quick else (8, 12, 14, 16)
    g2_sizes = (6, 10) if quick else (6, 12)
    ntt_sizes = (12,) if quick else (12, 16, 20)
    report = _Report(total=5 + len(g1_sizes) + len(g2_sizes) + 1 + len(ntt_sizes) + 2, runs=runs)
    peer = (lambda fn: fn) if peers else (lambda fn: None)

    pair = FieldVector.random(FR, 2).mont
    x, y = bn.FQ(FieldVector(FR, pair).to_ints()[0]), bn.FQ(3)

    def py_ecc_mul_chain():
        z = x
        for _ in range(10_000):
            z = z * y

    report.row("Fr multiplication (dependent chain)", "ns", lambda: fr_mul_chain(pair, 1_000_000),
               peer(py_ecc_mul_chain), "py_ecc FQ", ours_ops=1_000_000, peer_ops=10_000)

    big_a, big_b = FieldVector.random(FR, 1 << 20), FieldVector.random(FR, 1 << 20)
    report.row("Fr multiplication (vector of 2^20, both cores)", "ns", lambda: big_a * big_b, ours_ops=1 << 20)

    g, h = G1Point.generator(), G1Point.generator() * 5
    g_jac, h_jac = np.ascontiguousarray(g.jacobian), np.ascontiguousarray((h + h).jacobian)
    py_g, py_h = bn.G1, bn.multiply(bn.G1, 5)

    def py_ecc_add_chain():
        acc = py_g
        for _ in range(1_000):
            acc = bn.add(acc, py_h)

    report.row("G1 addition (Jacobian)", "ns", lambda: _g1_add_chain(g_jac, h_jac, 100_000),
               peer(py_ecc_add_chain), "py_ecc", ours_ops=100_000, peer_ops=1_000)

    k = FieldVector.random(FR, 1)[0].value
    report.row("G1 scalar multiplication", "us", lambda: g * k, peer(lambda: bn.multiply(bn.G1, k)), "py_ecc")
    report.row("G2 scalar multiplication", "us", lambda: G2Point.generator() * k,
               peer(lambda: bn.multiply(bn.G2, k)), "py_ecc")

    for group, sizes, fixed_base_mul, msm, generator, py_gen in (
        ("G1", g1_sizes, fixed_base_mul_g1, msm_g1, G1Point.generator(), bn.G1),
        ("G2", g2_sizes, fixed_base_mul_g2, msm_g2, G2Point.generator(), bn.G2),
    ):
        n_max = 1 << max(sizes)
        points = _random_points(fixed_base_mul, generator, n_max)
        scalars = FieldVector.random(FR, n_max)
        small = 1 << min(sizes)
        # py_ecc has no MSM: its peer is the naive sum of products, run at the smallest size only.
        for log_n in sizes:
            n = 1 << log_n
            run_peer = _naive_msm(bn, py_gen, scalars[:n]) if peers and n == small else None
            report.row(f"{group} MSM 2^{log_n}", "ms", lambda n=n, m=msm: m(points[:n], scalars[:n]),
                       run_peer, "py_ecc (naive sum of products)")

    base_scalars = FieldVector.random(FR, 1 << (12 if quick else 16))
    report.row(f"G1 fixed-base multiplication 2^{12 if quick else 16}", "ms",
               lambda: fixed_base_mul_g1(G1Point.generator().affine_mont(), base_scalars))

    for log_n in ntt_sizes:
        coeffs, domain = FieldVector.random(FR, 1 << log_n), Domain(1 << log_n)
        report.row(f"NTT 2^{log_n}", "ms", lambda c=coeffs, d=domain: ntt(c, d), note="py_ecc has no NTT")

    p_aff, q_aff = (g * k).affine_mont(), (G2Point.generator() * 7).affine_mont()
    py_p, py_q = bn.multiply(bn.G1, k), bn.multiply(bn.G2, 7)
    report.row("pairing", "ms", lambda: pairing(p_aff, q_aff), peer(lambda: bn.pairing(py_q, py_p)), "py_ecc")

    g1s = np.stack([(g * (k + i)).affine_mont() for i in range(4)])
    g2s = np.stack([(G2Point.generator() * (7 + i)).affine_mont() for i in range(4)])
    py_pairs = [(bn.multiply(bn.G1, k + i), bn.multiply(bn.G2, 7 + i)) for i in range(4)]

    def py_ecc_check():
        f = bn.FQ12.one()
        for pp, qq in py_pairs:
            f = f * bn.pairing(qq, pp, final_exponentiate=False)
        bn.final_exponentiate(f) == bn.FQ12.one()

    report.row("pairing_check, 4 pairs", "ms", lambda: pairing_check(g1s, g2s), peer(py_ecc_check), "py_ecc")
    return {"machine": describe(), "runs": runs, "quick": quick, "rows": report.rows}


def _fmt(value):
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def format_markdown(results):
    """The results as a Markdown report: the machine, zkwork against peers and targets, notes."""
    m = results["machine"]
    lines = [
        "# zkwork arithmetic benchmark",
        "",
        f"Measured in this run on {m['cpu_model']} ({m['cpu_count']} cores), numba "
        f"{m['versions']['numba']} ({m['numba_threading_layer']} threading), git {m['git_commit'] or 'unknown'}.",
        f"zkwork: median of >= {results['runs']} runs after a warm-up; the first call (JIT compile or cache load) "
        "is reported apart. Peers: one warm run after a cold one.",
        "",
        "| operation | unit | zkwork | first call (s) | peer | peer | peer / zkwork | target | met |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for r in results["rows"]:
        target = r.get("target")
        lines.append(
            f"| {r['name']} | {r['unit']} | {_fmt(r['zkwork'])} | {r['zkwork_first_call_s']:.2f} | {r['peer'] or ''} "
            f"| {_fmt(r['peer_value'])} | {_fmt(r['ratio']) + 'x' if r['ratio'] else ''} | "
            f"{_fmt(target) if target else ''} | {('yes' if r['target_met'] else 'NO') if target else ''} |"
        )
    notes = [f"- {r['name']}: {r['note']}" for r in results["rows"] if r["note"]]
    return "\n".join(lines + ([""] + notes if notes else []))
