"""Groth16 proof and verification latency of each proof pattern against the guide's SLAs
(the production-migration guide, "Monitoring and Observability › Key Metrics": proof P95 <
1000 ms, verification P99 < 50 ms, read from zkwork.capacity.GUIDE_PLAN) over the guide's
histogram buckets, with snarkjs beside zkwork where Node is present.

Proofs are timed end to end (input JSON in, proof JSON out), as a proving server answers a
request: zkwork.bench.groth16.bench_pattern's timing (fast backend, the circuit's witness
program recorded once beforehand), the first proof timed apart (it loads the numba JIT
cache), one more untimed, then `runs` proofs, each split into its witness (reading the
inputs, running the witness program) and its prove (the Groth16 proof and its JSON); then
`verify_runs` verifications one by one with the prepared verifying key. The proof SLA judges
the end-to-end P95; the prove stage's P95 is reported beside it, judged too.
With prover="zkey", zkwork proves the snarkjs zkey of the Circom twin on circom's witness,
computed once by snarkjs and not timed (zkwork.bench.zkey.zkey_latency_row), snarkjs on the
same zkey: those rows have no end-to-end or witness figures, and their SLA verdict is the
prove stage's. Percentiles are numpy's (linear interpolation)."""
from dataclasses import dataclass

import numpy as np

from zkwork.bench.groth16 import bench_pattern
from zkwork.bench.zkey import zkey_latency_row
from zkwork.capacity import guide_value
from zkwork.monitoring import PROOF_BUCKETS_MS, VERIFICATION_BUCKETS_MS
from zkwork.patterns import PATTERNS, VARIANTS, get_pattern
from zkwork.studies.base import Result as BaseResult
from zkwork.studies.base import StudyError, StudyParams, measured, say, size_text, spread

NAME = "latency"
NOTEBOOK = "latency"
PURPOSE = "proof latency end to end (witness and prove) and verify latency against the SLAs, snarkjs beside zkwork"
TIME_BUDGET_S = {"default": 420, "quick": 20}
PROVERS = ("circuit", "zkey")
# Which witness each prover's proof times include, said in every row.
WITNESS = {"circuit": "zkwork's witness program, timed in every proof (end to end)",
           "zkey": "circom's, computed once by snarkjs, not timed (the proof times are the prove alone)"}


@dataclass(frozen=True)
class Params(StudyParams):
    """Patterns and variants measured, timed proofs and verifications, the batch size of
    the batch verification, snarkjs beside zkwork, the prover, small or production sizes, and
    the peers' timed proofs and verifications."""

    patterns: tuple = tuple(PATTERNS)
    variants: tuple = VARIANTS
    runs: int = 20
    verify_runs: int = 100
    batch: int = 100
    peers: bool = True
    prover: str = "circuit"
    small_sizes: bool = False
    # The peers' runs (snarkjs, arkworks and zkwork on one thread, circuit prover): at 20 and
    # 100 they took 301 s of the default report's 632-s latency study on a fresh 2-core
    # machine (2026-12-05), a third of the report; their medians settle in 5, and their
    # P95/P99 of so few runs are near their maximum, as the summary says.
    peer_runs: int = 5
    peer_verify_runs: int = 20

    @classmethod
    def quick(cls):
        """The hardened (production) variants' small circuits, 5 proofs, 20 verifications, a batch
        of 10, no snarkjs."""
        return cls(variants=("hardened",), runs=5, verify_runs=20, batch=10, peers=False, small_sizes=True)

    @classmethod
    def small(cls):
        """Membership only, 3 proofs and 10 verifications."""
        return cls(patterns=("membership",), variants=VARIANTS, runs=3, verify_runs=10, batch=5, peers=False,
                   small_sizes=True)


@dataclass
class Result(BaseResult):
    """`rows`: bench_pattern's rows (every timed run in ms); `sla_rows`: percentiles and
    verdicts per circuit (sla_row); the SLAs and buckets used, and the fraction of runs per
    bucket: buckets["end_to_end"] (the circuit prover's), ["prove"] and ["verify"]."""

    sizes: str
    prove_sla_ms: float
    verify_sla_ms: float
    prove_buckets_ms: list
    verify_buckets_ms: list
    rows: list
    sla_rows: list
    buckets: dict

    def spreads(self):
        """stdev/mean of each circuit's proof times, end to end and the prove stage."""
        return {f"{row['pattern']}/{row['variant']} {label}": spread(row[key]) for row in self.rows
                for key, label in (("end_to_end_ms", "end-to-end"), ("prove_ms", "prove")) if key in row}

    def headline(self):
        """One line: how many circuits meet both SLAs, the proof's end to end."""
        ok = sum(proof_pass(row) and row["verify_pass"] for row in self.sla_rows)
        return (f"{ok} of {len(self.sla_rows)} circuits meet proof P95 < {self.prove_sla_ms:g} ms end to end and "
                f"verification P99 < {self.verify_sla_ms:g} ms ({self.sizes} sizes)")


def _percentiles(values):
    return {q: float(np.percentile(values, q)) for q in (50, 95, 99)}


def proof_pass(entry):
    """The proof SLA's verdict of an sla_row: end to end where measured, else the prove stage's."""
    return entry.get("end_to_end_pass", entry["prove_pass"])


def sla_row(row, prove_sla_ms, verify_sla_ms):
    """Percentiles of one bench row and their verdicts against the SLAs: end_to_end_p50/95/99_ms
    and end_to_end_pass (the proof SLA), witness_p50/95/99_ms, where the row went end to end;
    prove_p50/95/99_ms and prove_pass (the prove stage alone); verify_p50/95/99_ms, verify_pass."""
    prove_q, verify_q = _percentiles(row["prove_ms"]), _percentiles(row["verify_ms"])
    entry = {"pattern": row["pattern"], "variant": row["variant"], "size": size_text(row["params"]),
             "constraints": row["constraints"], "witness": row["witness"]}
    if "end_to_end_ms" in row:
        end_to_end_q = _percentiles(row["end_to_end_ms"])
        entry.update({f"end_to_end_p{q}_ms": value for q, value in end_to_end_q.items()},
                     end_to_end_pass=end_to_end_q[95] < prove_sla_ms,
                     **{f"witness_p{q}_ms": value for q, value in _percentiles(row["witness_ms"]).items()})
    entry.update({f"prove_p{q}_ms": value for q, value in prove_q.items()}, prove_pass=prove_q[95] < prove_sla_ms,
                 **{f"verify_p{q}_ms": value for q, value in verify_q.items()},
                 verify_pass=verify_q[99] < verify_sla_ms)
    if "snarkjs_fullprove_p95_ms" in row:
        entry.update(snarkjs_fullprove_p50_ms=row["snarkjs_fullprove_median_ms"],
                     snarkjs_fullprove_p95_ms=row["snarkjs_fullprove_p95_ms"],
                     snarkjs_fullprove_pass=row["snarkjs_fullprove_p95_ms"] < prove_sla_ms,
                     end_to_end_ratio=row["end_to_end_ratio"])
    if "snarkjs_prove_p95_ms" in row:
        entry.update(snarkjs_prove_p95_ms=row["snarkjs_prove_p95_ms"],
                     snarkjs_prove_pass=row["snarkjs_prove_p95_ms"] < prove_sla_ms,
                     snarkjs_verify_p99_ms=row["snarkjs_verify_p99_ms"],
                     snarkjs_verify_pass=row["snarkjs_verify_p99_ms"] < verify_sla_ms)
    return entry


def bucket_fractions(rows, key, buckets):
    """{circuit: {"le <bound>": fraction of runs at or below it}} (cumulative, as Prometheus),
    for the rows that have `key`."""
    return {f"{row['pattern']}/{row['variant']}": {**{f"le {bound}": float(np.mean(np.asarray(row[key]) <= bound))
                                                      for bound in buckets}, "le +Inf": 1.0}
            for row in rows if key in row}


def _measure(params):
    rows = []
    for name in params.patterns:
        for variant in params.variants:
            pattern = get_pattern(name, variant, **(PATTERNS[name].small_params() if params.small_sizes else {}))
            say(f"{pattern.label}: measuring ({params.prover} keys)")
            if params.prover == "zkey":
                row = zkey_latency_row(pattern, runs=params.runs, verify_runs=params.verify_runs)
            else:
                row = bench_pattern(pattern, prove_runs=params.runs, verify_runs=params.verify_runs,
                                    batch=params.batch, peer=params.peers,
                                    peer_runs=(params.peer_runs, params.peer_verify_runs))
            rows.append({**row, "witness": WITNESS[params.prover]})
    return rows


def run(params=None):
    """Measure every pattern and variant of `params` and set the percentiles against the SLAs."""
    params = params or Params()
    if params.prover not in PROVERS:
        raise StudyError(f"latency: prover is one of {', '.join(PROVERS)}, not {params.prover!r}")
    rows, record = measured(lambda: _measure(params), threads=1)
    prove_sla, verify_sla = guide_value("proof_latency_p95_ms"), guide_value("verification_latency_p99_ms")
    return Result(params.to_json(), record, "small" if params.small_sizes else "production", prove_sla, verify_sla,
                  list(PROOF_BUCKETS_MS), list(VERIFICATION_BUCKETS_MS), rows,
                  [sla_row(row, prove_sla, verify_sla) for row in rows],
                  {"end_to_end": bucket_fractions(rows, "end_to_end_ms", PROOF_BUCKETS_MS),
                   "prove": bucket_fractions(rows, "prove_ms", PROOF_BUCKETS_MS),
                   "verify": bucket_fractions(rows, "verify_ms", VERIFICATION_BUCKETS_MS)})


def _first(row, keys, default=None):
    """The row's value of the first of `keys` it has (end to end before the prove stage), else `default`."""
    return next((row[key] for key in keys if key in row), default)


def _strip_plot(ax, rows, keys, peer_keys, buckets, sla_ms, title):
    """One row of dots per circuit: every timed run of the first of `keys` the row has, and
    snarkjs's percentile (the first of `peer_keys` it has)."""
    rng = np.random.default_rng(0)
    for index, row in enumerate(rows):
        values = np.asarray(_first(row, keys))
        ax.scatter(values, index + rng.uniform(-0.18, 0.18, len(values)), s=9, alpha=0.6, color="tab:blue",
                   label="zkwork runs" if index == 0 else None)
        peer = _first(row, peer_keys)
        if peer is not None:
            ax.scatter([peer], [index], marker="D", s=36, color="tab:orange",
                       label="snarkjs percentile" if index == 0 else None)
    for bound in buckets:
        ax.axvline(bound, color="grey", linestyle=":", linewidth=0.8)
    ax.axvline(sla_ms, color="tab:red", linewidth=1.2, label=f"SLA {sla_ms:g} ms")
    ax.set_xscale("log")
    ax.set_yticks(range(len(rows)), [f"{row['pattern']}/{row['variant']}" for row in rows])
    ax.invert_yaxis()
    ax.set(xlabel="ms (dotted: the guide's histogram buckets)", title=title)
    ax.grid(axis="x", alpha=0.2)
    ax.legend(fontsize=8, loc="lower right")


def _stages_plot(sla_rows):
    """latency-stages: each circuit's median witness and prove stacked, its end-to-end median
    marked, snarkjs's fullProve median beside it."""
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(10, 1.4 + 0.4 * len(sla_rows)))
    positions = np.arange(len(sla_rows))
    witness = np.array([row.get("witness_p50_ms", 0.0) for row in sla_rows])
    ax.barh(positions, witness, color="tab:green", label="witness (median)")
    ax.barh(positions, [row["prove_p50_ms"] for row in sla_rows], left=witness, color="tab:blue",
            label="prove (median)")
    for index, row in enumerate(sla_rows):
        if "end_to_end_p50_ms" in row:
            ax.plot([row["end_to_end_p50_ms"]] * 2, [index - 0.4, index + 0.4], color="black",
                    label="end to end (median)" if index == 0 else None)
        if "snarkjs_fullprove_p50_ms" in row:
            ax.scatter([row["snarkjs_fullprove_p50_ms"]], [index], marker="D", color="tab:orange",
                       label="snarkjs fullProve (median)" if index == 0 else None)
    ax.set_yticks(positions, [f"{row['pattern']}/{row['variant']}\n{row['size']}" for row in sla_rows], fontsize=8)
    ax.invert_yaxis()
    ax.set(xlabel="ms", title="Where a proof's time goes: witness and prove, end to end (input JSON to proof JSON)")
    ax.grid(axis="x", alpha=0.2)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: the bars fill the axes
    figure.tight_layout()
    return figure


def figures(result):
    """latency-distributions (every run over the buckets), latency-vs-sla (percentiles) and
    latency-stages (witness and prove per circuit)."""
    import matplotlib.pyplot as plt

    rows, sla_rows = result.rows, result.sla_rows
    dist, axes = plt.subplots(1, 2, figsize=(13, 1.2 + 0.35 * len(rows)))
    _strip_plot(axes[0], rows, ("end_to_end_ms", "prove_ms"), ("snarkjs_fullprove_p95_ms", "snarkjs_prove_p95_ms"),
                result.prove_buckets_ms, result.prove_sla_ms, "Proof generation, end to end (zkey rows: prove)")
    _strip_plot(axes[1], rows, ("verify_ms",), ("snarkjs_verify_p99_ms",), result.verify_buckets_ms,
                result.verify_sla_ms, "Verification")
    axes[1].set_yticklabels([])
    dist.suptitle(f"Groth16 latency per run, measured in this run ({result.sizes} sizes)")
    dist.tight_layout()

    bars, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    positions = np.arange(len(sla_rows))
    for ax, keys, peer_keys, sla_ms, title in (
            (axes[0], ("end_to_end_p95_ms", "prove_p95_ms"), ("snarkjs_fullprove_p95_ms", "snarkjs_prove_p95_ms"),
             result.prove_sla_ms, "proof generation P95, end to end"),
            (axes[1], ("verify_p99_ms",), ("snarkjs_verify_p99_ms",), result.verify_sla_ms, "verification P99")):
        ours = [_first(row, keys) for row in sla_rows]
        peer = [_first(row, peer_keys, np.nan) for row in sla_rows]
        width = 0.8 if np.all(np.isnan(peer)) else 0.4
        ax.bar(positions - (0 if width == 0.8 else width / 2), ours, width, label="zkwork")
        if width < 0.8:
            ax.bar(positions + width / 2, peer, width, label="snarkjs", color="tab:orange")
        ax.axhline(sla_ms, color="tab:red", label=f"SLA {sla_ms:g} ms")
        ax.set_xticks(positions, [f"{r['pattern']}\n{r['variant']}" for r in sla_rows], fontsize=7, rotation=60)
        ax.set(ylabel="ms", yscale="log", title=title)
        ax.legend(fontsize=8)
    bars.suptitle("Latency percentiles against the SLAs, measured in this run")
    bars.tight_layout()
    return {"latency-distributions": dist, "latency-vs-sla": bars, "latency-stages": _stages_plot(sla_rows)}
