"""End-to-end proofs/s (input JSON in, proof JSON out, the witness computed in every
proof and timed apart) and verifications/s of one pattern with 1..N single-threaded dask
workers (zkwork.bench.throughput.measure_throughput, which says how), and the servers and dollars
per month the guide's peak rates would need at those rates (zkwork.capacity), beside the
guide's own plan (the production-migration guide, "Infrastructure Requirements › Compute
Resources" and "Cost Estimation"; every figure from zkwork.capacity.GUIDE_PLAN).

The plan uses the per-core rates of the window with the most workers (every measured core
busy, as on a loaded server) counted per CPU-second of the workers, which hold when other jobs
share the machine (the wall-clock rates drop with them; `core_share` says how far): the
CPU-seconds of an end-to-end proof, witness and prove, with the witness's share shown.
`sensitivity` redoes the plan from each window's CPU-second and wall-clock rates and shows
their spread."""
from dataclasses import dataclass

from zkwork.bench.throughput import measure_throughput
from zkwork.capacity import compare_with_guide, guide_implied_servers, guide_summary, plan_deployment
from zkwork.patterns import PATTERNS
from zkwork.studies.base import Result as BaseResult
from zkwork.studies.base import StudyParams, measured

NAME = "throughput"
NOTEBOOK = "throughput-and-capacity"
PURPOSE = "throughput per worker count; servers and dollars per month"
TIME_BUDGET_S = {"default": 240, "quick": 20}
ROW_KEYS = ("workers", "cores", "proofs_per_s", "verifications_per_s", "efficiency", "verification_efficiency",
            "proofs_per_s_per_core", "verifications_per_s_per_core", "proofs_per_cpu_s", "verifications_per_cpu_s",
            "core_share", "witness_share", "witness_median_ms", "prove_median_ms", "end_to_end_median_ms", "proofs",
            "proofs_wall_s", "end_to_end_cpu_s", "witness_cpu_s", "prove_cpu_s", "verifications", "verify_wall_s",
            "verify_cpu_s")
MEASUREMENT_KEYS = ("cluster", "witness", "record_s", "setup_s", "jit_warm_up_s", "key_warm_up_s", "numba_threads_per_worker",
                    "worker_pool_threads", "constraints", "params", "label")


@dataclass(frozen=True)
class Params(StudyParams):
    """The pattern measured and its size (None: production, or small with small_sizes), the
    workers and tasks, an existing cluster, and the plan's inputs (None: the guide's figure)."""

    pattern: str = "membership"
    variant: str = "hardened"
    size: dict = None
    small_sizes: bool = False
    max_workers: int = None
    proofs_per_worker: int = 8
    verifications_per_worker: int = 200
    scheduler_address: str = None
    key_dir: str = None
    proof_server_cores: int = None
    verification_server_cores: int = None
    proof_server_price_month: float = None
    verification_server_price_month: float = None
    cpu_threshold: float = None
    headroom: int = 1

    @classmethod
    def quick(cls):
        """The small circuit, at most 2 workers, 3 proofs and 50 verifications per worker."""
        return cls(small_sizes=True, max_workers=2, proofs_per_worker=3, verifications_per_worker=50)

    @classmethod
    def small(cls):
        """One worker, 2 proofs and 20 verifications."""
        return cls(small_sizes=True, max_workers=1, proofs_per_worker=2, verifications_per_worker=20)

    def plan(self, proof_rate, verification_rate, source, witness_cpu_s=None):
        """The deployment plan from these per-core rates (end-to-end proofs, of which
        `witness_cpu_s` CPU-seconds each are the witness's), with this study's plan inputs."""
        return plan_deployment(proof_rate, verification_rate, source, proof_witness_cpu_s=witness_cpu_s,
                               proof_cores=self.proof_server_cores,
                               verification_cores=self.verification_server_cores, cpu_threshold=self.cpu_threshold,
                               headroom=self.headroom, proof_price_month=self.proof_server_price_month,
                               verification_price_month=self.verification_server_price_month)


@dataclass
class Result(BaseResult):
    """Measured `throughput` rows and `single_process`; the plan from them (`capacity`), the
    guide's plan (`guide`, `guide_implied`), their `comparison` and the plan's `sensitivity`."""

    pattern: str
    variant: str
    measurement: dict
    throughput: list
    single_process: dict
    capacity: dict
    guide: dict
    guide_implied: list
    comparison: list
    sensitivity: list

    def headline(self):
        """One line: the plan's servers and dollars, and the CPU-seconds of an end-to-end proof."""
        plan = self.capacity
        return (f"{plan['proof_servers']} proof servers, {plan['verification_servers']} verification servers, "
                f"${plan['cost_per_month_usd']:,.0f}/month from the rates of {self.measurement['label']} "
                f"({plan['cpu_s_per_proof']:.3g} CPU-seconds per end-to-end proof, "
                f"{plan['witness_share']:.0%} of them the witness)")


def run(params=None):
    """Measure throughput and plan the guide's peak on the measured rates."""
    params = params or Params()
    size = params.size or (PATTERNS[params.pattern].small_params() if params.small_sizes else None)
    measurement, record = measured(lambda: measure_throughput(
        params.pattern, params.variant, size, max_workers=params.max_workers,
        proofs_per_worker=params.proofs_per_worker, verifications_per_worker=params.verifications_per_worker,
        scheduler_address=params.scheduler_address, key_dir=params.key_dir))
    rows, single = measurement["rows"], measurement["single_process"]
    best = rows[-1]
    source = (f"{measurement['label']}, {best['workers']} single-threaded dask workers, per CPU-second, this run "
              f"on {record.machine['cpu_model']}; assumed to hold per core on the planned servers")
    plan = params.plan(best["proofs_per_cpu_s"], best["verifications_per_cpu_s"], source,
                       best["witness_cpu_s"] / best["proofs"])
    rates = {}
    for row in rows:
        rates[f"{row['workers']} worker(s), per CPU-second"] = (row["proofs_per_cpu_s"], row["verifications_per_cpu_s"])
        rates[f"{row['workers']} worker(s), wall clock (core share {row['core_share']:.0%})"] = (
            row["proofs_per_s_per_core"], row["verifications_per_s_per_core"])
    if single:
        rates[f"single process, {single['numba_threads']} threads"] = (single["proofs_per_s_per_core"],
                                                                       single["verifications_per_s_per_core"])
    sensitivity = []
    for label, (proof_rate, verify_rate) in rates.items():
        alternative = params.plan(proof_rate, verify_rate, label)
        sensitivity.append({"per-core rates from": label, "end-to-end proofs/s/core": proof_rate,
                            "verifications/s/core": verify_rate, "proof servers": alternative.proof.servers,
                            "verification servers": alternative.verification.servers,
                            "USD/month": alternative.cost_per_month})
    return Result(params.to_json(), record, measurement["pattern"], measurement["variant"],
                  {key: measurement[key] for key in MEASUREMENT_KEYS}, [{key: row[key] for key in ROW_KEYS}
                                                                         for row in rows],
                  single, plan.summary(), guide_summary(), guide_implied_servers(plan.proof.cpu_threshold),
                  compare_with_guide(plan), sensitivity)


def figures(result):
    """throughput-scaling: measured rates against linear scaling from one worker."""
    import matplotlib.pyplot as plt

    workers = [row["workers"] for row in result.throughput]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, column, label in ((axes[0], "proofs_per_s", "end-to-end proofs/s"),
                              (axes[1], "verifications_per_s", "verifications/s")):
        values = [row[column] for row in result.throughput]
        ax.plot(workers, values, "o-", label="measured")
        ax.plot(workers, [values[0] * k for k in workers], "--", color="grey", label="linear from 1 worker")
        ax.set(xlabel="workers (one core each)", ylabel=label, xticks=workers)
        ax.set_ylim(bottom=0)
        ax.legend()
    fig.suptitle(f"{result.measurement['label']}: throughput with 1..{len(workers)} workers (measured in this run)")
    fig.tight_layout()
    return {"throughput-scaling": fig}
