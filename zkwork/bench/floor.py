"""`zkwork bench floor`: the floor of a prove on this machine, and where the time goes.

For a pattern's real prove (zkwork's own setup, the pattern's sample inputs) the floor counts
the field multiplications of every stage and prices them at the ns per multiplication measured
in the same run (a dependent chain of the numba kernels' Fq and Fr multiplications, one core),
over the cores numba uses: floor = multiplications x ns / cores, no memory traffic, no
waiting, no additions. Beside it, each stage of the same prove timed on its own (median).

Counts (squarings count as multiplications; an Fq2 multiplication is 3 Fq ones, Karatsuba,
a squaring 2), from the scalars of the real witness and the MSM code's own choices
(zkwork.curve.msm: GLV halves, msm_window's c for the live pairs, signed digits):
  - MSM accumulation: one batch-affine addition per nonzero digit of a live pair (point not
    at infinity, half-scalar not zero): 5M + 1S, plus a Fermat inversion (256 S + 128 M, an
    average exponent) per batch of affine_batch_size additions (plain mixed additions, 7M + 4S,
    below 16 buckets a window);
  - MSM reduction: per window, 2^(c-1) buckets, each merged (a mixed addition, 7M + 4S) and
    summed twice (full additions, 11M + 5S); then c doublings (2M + 5S) and one addition a window;
  - with fixed-base precomputation (zkwork.curve.fixed_base: tables of 2^(c j) P_i for every
    window j, built once per key): every window's digits go into one set of buckets that the cores
    share out, so one reduction and no doublings, at the table's window (its cost model's choice
    within `table_budget_mb` per MSM). Beside the count, each MSM and the whole prove measured
    with those tables, the tables' build time and size;
  - quotient: the sparse A z, B z, C z (one multiplication per nonzero entry) and seven NTTs
    of the domain's size n (n/2 log2 n butterflies each) with their n-long scalings;
  - witness: the witness program's products, checks and non-unit coefficients, 384 M per inverse.
"""
import math
import sys
import time

import numba
import numpy as np

from zkwork.bench.arith import fq_mul_chain, fr_mul_chain
from zkwork.bench.machine import describe
from zkwork.bench.timing import Span, measure
from zkwork.backend import get_backend
from zkwork.curve.fixed_base import FixedBaseTable, precomputed_window, table_batch_size, table_bytes
from zkwork.curve.glv import HALF_BITS, decompose_scalars
from zkwork.curve.msm import (GROUP_BUCKETS, affine_batch_size, msm_window, num_windows, plain_scalars,
                              signed_digits)
from zkwork.field import FQ, FR, FieldVector, Fr
from zkwork.groth16 import setup
from zkwork.groth16.prover import prove
from zkwork.patterns import get_pattern
from zkwork.r1cs import witness_kernel
from zkwork.r1cs.witness_program import WitnessProgram

DEFAULT_CIRCUITS = (("membership", "hardened", {"depth": 20}), ("locker", "hardened", {"depth": 10}))
INVERSE_MULS = 384  # Fermat: 256 squarings and ~128 multiplications
CHAIN_STEPS = 1_000_000
# (multiplications, squarings) of zkwork.curve.jacobian's formulas and of a batch-affine addition
DOUBLE, ADD, MIXED, AFFINE = (2, 5), (11, 5), (7, 4), (5, 1)
GROUP_MULS = {"G1": (1, 1), "G2": (3, 2)}  # Fq multiplications per (multiplication, squaring)
AFFINE_BYTES = {"G1": 64, "G2": 128}


def ns_per_multiplication(field):
    """ns per dependent multiplication of `field` (FQ or FR) by the numba kernel: the median
    CPU time of 5 chains (one thread; CPU time, because on a shared machine the wall clock
    also counts the time the chain waited for a core)."""
    chain = {FQ: fq_mul_chain, FR: fr_mul_chain}[field]
    pair = FieldVector.random(field, 2).mont
    timing = measure(lambda: chain(pair, CHAIN_STEPS), runs=5)
    return float(np.median(timing.cpu_runs_s)) * 1e9 / CHAIN_STEPS


def _fq_muls(group, formula):
    mul, sqr = GROUP_MULS[group]
    return formula[0] * mul + formula[1] * sqr


def _nonzero_digits(halves, c):
    digits = np.empty((num_windows(c, HALF_BITS), halves.shape[0]), dtype=np.int32)
    signed_digits(halves, c, digits)
    return int(np.count_nonzero(digits))


def msm_count(group, points, scalars, cores, table_budget_mb=512):
    """The Fq multiplications of one MSM as zkwork runs it, and with fixed-base precomputation."""
    n = points.shape[0]
    halves = np.empty((2 * n, 4), dtype=np.uint64)
    negative = np.empty(2 * n, dtype=np.bool_)
    decompose_scalars(plain_scalars(scalars), halves, negative)
    finite = np.tile(points.reshape(n, -1).any(axis=1), 2)
    live = halves[finite & halves.any(axis=1)]
    c = msm_window(max(len(live), 1), HALF_BITS, cores)
    w = num_windows(c, HALF_BITS)
    group_size = min(max(1, GROUP_BUCKETS >> (c - 1)), -(-w // min(w, cores)))
    batch = affine_batch_size(c, group_size << (c - 1))
    add_cost = (_fq_muls(group, AFFINE) + INVERSE_MULS * GROUP_MULS[group][0] / batch) if batch \
        else _fq_muls(group, MIXED)
    bucket_cost = _fq_muls(group, MIXED) + 2 * _fq_muls(group, ADD)
    accumulations = _nonzero_digits(live, c)
    reduction = w * (1 << (c - 1)) * bucket_cost + w * (c * _fq_muls(group, DOUBLE) + _fq_muls(group, ADD))
    row = {"group": group, "points": n, "live_pairs": len(live), "window": c, "windows": w,
           "accumulations": accumulations, "fq_muls": accumulations * add_cost + reduction}
    row.update(_precomputed(group, live, int(finite.sum()) // 2, bucket_cost, table_budget_mb, cores))
    return row


def _precomputed(group, live, bases, bucket_cost, budget_mb, cores):
    """The count of fixed_base's table MSM over `bases` finite bases: its window within the
    budget, one batch-affine addition per nonzero digit, one reduction shared by the cores."""
    c = precomputed_window(bases, AFFINE_BYTES[group], budget_mb * 2**20, cores)
    if c is None:
        return {}
    batch = table_batch_size(c, cores)
    add_cost = _fq_muls(group, AFFINE) + INVERSE_MULS * GROUP_MULS[group][0] / batch
    muls = _nonzero_digits(live, c) * add_cost + (1 << (c - 1)) * bucket_cost
    table_mb = table_bytes(bases, c, AFFINE_BYTES[group]) / 2**20
    return {"precomputed_fq_muls": muls, "precomputed_window": c, "precomputed_table_mb": table_mb}


def quotient_count(qap):
    """Fr multiplications of qap.quotient: three sparse products, seven NTTs and their scalings."""
    n = qap.domain.size
    sparse = sum(len(m.coeffs) for m in (qap.A, qap.B, qap.C))
    ntts = 7 * (n // 2) * int(math.log2(n))
    return {"n": n, "sparse_products": sparse, "ntt_butterflies": ntts, "fr_muls": sparse + ntts + 10 * n}


def witness_count(program):
    """Fr multiplications of one run of the witness program."""
    ops = program.ops[:, 0]
    products = int(np.isin(ops, (witness_kernel.MUL, witness_kernel.MUL_ADD, witness_kernel.CHECK)).sum())
    coefficients = int((program.term_kind == witness_kernel.TERM_TIMES).sum())
    inverses = int((ops == witness_kernel.INVERSE).sum())
    return {"products": products, "coefficients": coefficients, "inverses": inverses,
            "fr_muls": products + coefficients + INVERSE_MULS * inverses}


def _measured(fn, runs):
    """Wall and CPU medians of `fn` in ms."""
    timing = measure(fn, runs=runs)
    return {"measured_ms": timing.median_s * 1e3, "measured_cpu_ms": float(np.median(timing.cpu_runs_s)) * 1e3}


def floor_pattern(name, variant, params, ns, runs=5, table_budget_mb=512, say=print):
    """The floor and the measured stages of one pattern's prove (see the module docstring), its
    multiplications priced at `ns` {"fq": ns, "fr": ns} per multiplication."""
    pattern = get_pattern(name, variant, **params)
    say(f"{pattern.label}: witness program and setup")
    program = WitnessProgram.record(pattern.circuit)
    pk = setup(program.r1cs)
    inputs = pattern.sample_inputs()
    z = program.run(inputs)
    be, cores = get_backend("fast"), numba.get_num_threads()
    public = pk.qap.num_public + 1
    h = FieldVector(FR, pk.qap.quotient(z.mont))
    msms = {"A (G1)": ("a_query", "G1", z, be.msm_g1), "B1 (G1)": ("b1_query", "G1", z, be.msm_g1),
            "B2 (G2)": ("b2_query", "G2", z, be.msm_g2), "L (G1)": ("l_query", "G1", z[public:], be.msm_g1),
            "H (G1)": ("h_query", "G1", h, be.msm_g1)}
    say(f"{pattern.label}: each stage x{runs}")
    stages = [{"stage": "witness", **witness_count(program), **_measured(lambda: program.run(inputs), runs)},
              {"stage": "quotient (sparse products, 7 NTTs)", **quotient_count(pk.qap),
               **_measured(lambda: pk.qap.quotient(z.mont), runs)}]
    tables = {}
    for label, (query, group, scalars, msm) in msms.items():
        points = getattr(pk, query)
        row = msm_count(group, points, scalars, cores, table_budget_mb)
        row.update(_measured(lambda p=points, s=scalars, m=msm: m(p, s), runs))
        if "precomputed_window" in row:
            row.update(_measured_table(group, points, scalars, row["precomputed_window"], runs))
            tables[query] = row.pop("table")
        stages.append({"stage": f"MSM {label}", **row})
    r, s = Fr.random(), Fr.random()
    stages.append({"stage": "the rest (three G1 scalar multiplications: A s, B1 r, delta r s)", "fq_muls": 0,
                   **_measured(lambda: (pk.delta_1 * r, pk.delta_1 * s, pk.delta_1 * (r * s)), runs)})
    prove_ms = _measured(lambda: prove(pk, z), runs)
    precomputed_ms = _measured(lambda: prove(pk, z, tables=tables), runs)
    row = _priced(pattern, program.r1cs.num_constraints, stages, prove_ms, ns, cores)
    row.update(precomputed_prove_median_ms=precomputed_ms["measured_ms"],
               precomputed_prove_cpu_median_ms=precomputed_ms["measured_cpu_ms"],
               precomputed_build_s=sum(stage.get("precomputed_build_s", 0) for stage in stages))
    return row


def _measured_table(group, points, scalars, window, runs):
    """The MSM by a fixed-base table of `window` bits: its build time, size and medians."""
    start = time.perf_counter()
    table = FixedBaseTable(group, points, window)
    build_s = time.perf_counter() - start
    timing = _measured(lambda: table.msm(scalars), runs)
    return {"table": table, "precomputed_build_s": build_s, "precomputed_measured_ms": timing["measured_ms"],
            "precomputed_measured_cpu_ms": timing["measured_cpu_ms"]}


def _priced(pattern, constraints, stages, prove_ms, ns, cores):
    """Each stage's floor (and with precomputation) in ms, and the prove's totals (witness apart)."""
    for stage in stages:
        fr = stage.get("fr_muls", 0) * ns["fr"]
        stage["floor_ms"] = (fr + stage.get("fq_muls", 0) * ns["fq"]) / cores / 1e6
        stage["precomputed_floor_ms"] = (fr + stage.get("precomputed_fq_muls", stage.get("fq_muls", 0)) * ns["fq"]) \
            / cores / 1e6
    prove_stages = [s for s in stages if s["stage"] != "witness"]
    return {"pattern": pattern.name, "variant": pattern.variant, "params": dict(pattern.params),
            "constraints": constraints, "cores": cores, "stages": stages,
            "prove_median_ms": prove_ms["measured_ms"], "prove_cpu_median_ms": prove_ms["measured_cpu_ms"],
            "stages_measured_ms": sum(s["measured_ms"] for s in prove_stages),
            "floor_ms": sum(s["floor_ms"] for s in prove_stages),
            "precomputed_floor_ms": sum(s["precomputed_floor_ms"] for s in prove_stages),
            "precomputed_table_mb": sum(s.get("precomputed_table_mb", 0) for s in prove_stages)}


def bench_floor(circuits=DEFAULT_CIRCUITS, runs=5, table_budget_mb=512):
    """The floor of each (pattern, variant, params), ns per multiplication measured first."""
    def say(message):
        print(message, file=sys.stderr, flush=True)

    with Span() as span:
        say("ns per multiplication (Fq, Fr)")
        ns = {"fq": ns_per_multiplication(FQ), "fr": ns_per_multiplication(FR)}
        rows = [floor_pattern(name, variant, params, ns, runs, table_budget_mb, say)
                for name, variant, params in circuits]
    return {"machine": describe(), "ns_per_mul": ns, "rows": rows, "span": span.as_dict()}


def _ms(value):
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def format_markdown(results):
    """The floor per circuit: each stage's count, window, floor and measured time; the totals."""
    ns, span = results["ns_per_mul"], results["span"]
    lines = ["# The floor of a prove", "",
             f"Measured in this run on {results['machine']['cpu_model']} ({results['machine']['cpu_count']} cores), "
             f"load average {span['load_before']:.1f} before and {span['load_after']:.1f} after. "
             f"ns per multiplication (numba kernel, dependent chain, CPU time): Fq {ns['fq']:.1f}, Fr {ns['fr']:.1f}. "
             "floor = multiplications x ns / cores; 'precomputed': with fixed-base tables of the proving key's "
             "bases (zkwork.curve.fixed_base: one bucket set shared out by the cores, window chosen within the "
             "table budget). "
             "Measured: each stage of the same prove on its own, wall median (CPU median), and each MSM by its "
             "table. The prove excludes the witness.", ""]
    for row in results["rows"]:
        lines += [f"## {row['pattern']}/{row['variant']} {row['params']}: {row['constraints']:,} constraints, "
                  f"{row['cores']} threads", "",
                  "| stage | size | window c (precomputed) | Fq/Fr multiplications | floor ms | precomputed floor ms "
                  "| measured ms (CPU) | measured / floor | precomputed measured ms (CPU) | table MB |",
                  "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for stage in row["stages"]:
            size = stage.get("points", stage.get("n", ""))
            window = f"{stage['window']} ({stage.get('precomputed_window', '-')})" if "window" in stage else ""
            table = (f"{_ms(stage['precomputed_measured_ms'])} ({_ms(stage['precomputed_measured_cpu_ms'])}) | "
                     f"{stage['precomputed_table_mb']:.1f}") if "precomputed_measured_ms" in stage else " | "
            muls = stage.get("fq_muls", 0) + stage.get("fr_muls", 0)
            ratio = f"{stage['measured_ms'] / stage['floor_ms']:.1f}" if stage["floor_ms"] else ""
            lines.append(f"| {stage['stage']} | {size} | {window} | {muls:,.0f} | {_ms(stage['floor_ms'])} | "
                         f"{_ms(stage['precomputed_floor_ms'])} | {_ms(stage['measured_ms'])} "
                         f"({_ms(stage['measured_cpu_ms'])}) | {ratio} | {table} |")
        lines += ["", f"Prove (without the witness): floor {_ms(row['floor_ms'])} ms, with precomputation "
                      f"{_ms(row['precomputed_floor_ms'])} ms (tables {row['precomputed_table_mb']:.0f} MB); "
                      "the stages "
                      f"measured apart sum to {_ms(row['stages_measured_ms'])} ms; the whole prove measured "
                      f"{_ms(row['prove_median_ms'])} ms (CPU {_ms(row['prove_cpu_median_ms'])} ms), with the tables "
                      f"{_ms(row['precomputed_prove_median_ms'])} ms (CPU {_ms(row['precomputed_prove_cpu_median_ms'])}"
                      f" ms), built once in {row['precomputed_build_s']:.2f} s.", ""]
    return "\n".join(lines)
