"""The guide's Prometheus metrics and alert rules (the production-migration guide,
"Monitoring and Observability") on latencies measured in this run: end-to-end proof times of
each pattern (input JSON in, proof JSON out, as a proving server's histogram observes them;
the witness stage also kept apart as `witness_s`) and verify times, a few deliberately invalid proofs that verification must reject, recorded into
those metrics in a fresh registry (zkwork.monitoring), written as the text exposition a
/metrics endpoint serves, and the alert rules evaluated as Prometheus would (quantiles by
histogram_quantile over the guide's buckets, the exact percentile beside them). The rules'
"for N minutes" clauses cannot hold in a run of seconds: a rule fires here when its condition
holds over the whole run."""
import tempfile
from dataclasses import dataclass
from pathlib import Path

from zkwork.capacity import guide_value
from zkwork.monitoring import (NOT_EVALUATED, PROOF_BUCKETS_MS, VERIFICATION_BUCKETS_MS, evaluate_alerts,
                               measure_latencies, record_latencies, write_exposition)
from zkwork.patterns import PATTERNS, VARIANTS, get_pattern
from zkwork.studies.base import Result as BaseResult
from zkwork.studies.base import StudyParams, measured, say, spread

NAME = "monitoring"
NOTEBOOK = "monitoring"
PURPOSE = "Prometheus metrics and the guide's alerts on measured latencies"
TIME_BUDGET_S = {"default": 300, "quick": 20}


@dataclass(frozen=True)
class Params(StudyParams):
    """Patterns and variants, timed proofs and valid verifications, invalid statements per
    circuit, small or production sizes, and where the exposition goes (None: a temporary file)."""

    patterns: tuple = tuple(PATTERNS)
    variants: tuple = VARIANTS
    runs: int = 20
    verify_runs: int = 50
    invalid_proofs: int = 2
    small_sizes: bool = False
    metrics_path: str = None

    @classmethod
    def quick(cls):
        """The hardened variants' small circuits, 3 proofs and 10 verifications each."""
        return cls(variants=("hardened",), runs=3, verify_runs=10, small_sizes=True)

    @classmethod
    def small(cls):
        """Membership and Version, 2 proofs and 5 verifications each."""
        return cls(patterns=("membership", "version"), variants=VARIANTS, runs=2, verify_runs=5, small_sizes=True)


@dataclass
class Result(BaseResult):
    """`latencies` per circuit_type (seconds, wall and CPU; prove_s end to end, witness_s its
    witness stage), the evaluated `alerts`, the rules
    `not_evaluated` and why, the exposition's path and the guide's buckets."""

    latencies: dict
    alerts: list
    not_evaluated: dict
    metrics_path: str
    buckets_ms: dict

    def spreads(self):
        """stdev/mean of each circuit's end-to-end proof times."""
        return {f"{circuit} end-to-end prove": spread(run["prove_s"]) for circuit, run in self.latencies.items()}

    def headline(self):
        """One line: how many rule evaluations fire."""
        return f"{sum(alert['fires'] for alert in self.alerts)} of {len(self.alerts)} alert evaluations fire"


def _measure(params):
    latencies = {}
    for name in params.patterns:
        for variant in params.variants:
            pattern = get_pattern(name, variant, **(PATTERNS[name].small_params() if params.small_sizes else {}))
            latencies[pattern.main_name] = measure_latencies(
                pattern, prove_runs=params.runs, verify_runs=params.verify_runs, invalid_proofs=params.invalid_proofs,
                progress=say)
    return latencies


def run(params=None):
    """Measure, record into the guide's metrics, write the exposition and evaluate the alerts."""
    params = params or Params()
    latencies, record = measured(lambda: _measure(params), threads=1)
    metrics = record_latencies(latencies)
    path = Path(params.metrics_path or Path(tempfile.mkdtemp(prefix="zkwork-metrics-")) / "metrics.prom")
    write_exposition(metrics.registry, path)
    return Result(params.to_json(), record, latencies, evaluate_alerts(metrics, latencies), dict(NOT_EVALUATED),
                  str(path), {"proof_generation_duration": list(PROOF_BUCKETS_MS),
                              "verification_duration": list(VERIFICATION_BUCKETS_MS)})


def figures(result):
    """monitoring-latencies: every measured latency over the guide's buckets and thresholds."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, keys, buckets, limit, title in (
        (axes[0], ("prove_s",), PROOF_BUCKETS_MS, guide_value("proof_latency_p95_ms"), "end-to-end proof generation (P95 SLA)"),
        (axes[1], ("verify_s", "verify_invalid_s"), VERIFICATION_BUCKETS_MS,
         guide_value("verification_latency_p99_ms"), "verification (P99 SLA)"),
    ):
        data = [[1e3 * s for key in keys for s in run[key]] for run in result.latencies.values()]
        ax.boxplot(data, orientation="horizontal", tick_labels=list(result.latencies))
        for bound in buckets:
            ax.axvline(bound, color="lightgrey", lw=0.8)
        ax.axvline(limit, color="red", lw=1.2, label=f"guide threshold {limit} ms")
        ax.set(xscale="log", xlabel="ms (grey: the guide's histogram buckets)", title=title)
        ax.legend(loc="upper right")
    fig.suptitle("Latencies measured in this run")
    fig.tight_layout()
    return {"monitoring-latencies": fig}
