"""Capacity planning: how many proof and verification servers a peak rate needs, what
they cost, and how that compares with the production-migration guide's plan.

Pure arithmetic, no measurement. The rates that go in are measured elsewhere (see
zkwork.bench.throughput): a proof server's rate is of END-TO-END proofs (input JSON in,
proof JSON out: the witness and the Groth16 prove), so the plan counts the CPU-seconds of
a whole request per proof, `cpu_s_per_operation`, and, given the witness stage's share
(`witness_cpu_s`), shows it. Every figure of the guide lives in GUIDE_PLAN with the guide
section it comes from, so a plan built here can always say which of its inputs were
measured, which are the guide's and which are assumptions.

The server count of one tier is

    base    = ceil(peak_rate / (rate_per_core * cores_per_server * cpu_threshold))
    servers = base + headroom

`cpu_threshold` is the CPU utilisation at which the guide's auto-scaler adds servers
(70%): at peak every server should still be below it, so a server is only counted for
`threshold` of its full rate. `headroom` is the redundancy rule, N + headroom: that many
spare servers on top, so that peak load still fits below the threshold with `headroom`
servers lost (default 1, i.e. N+1). Arithmetic is done on exact decimal fractions of the
inputs (Fraction(str(x))), so that 1000 / (2.5 * 8 * 0.7) is exactly 500/7 and a count
that divides evenly is not rounded up by a float error.
"""
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from math import ceil

from zkwork.errors import ZkworkError

_COMPUTE = "Infrastructure Requirements › Compute Resources"
_COST = "Cost Estimation › Monthly Infrastructure Costs"
_HPA = "Scaling Considerations › Horizontal Scaling"
_LB = "Infrastructure Requirements › Network Infrastructure › Load Balancer"


class CapacityInputError(ZkworkError, ValueError):
    """A capacity-planning input out of range: a rate, core count or price that is zero or
    negative, a threshold outside (0, 1], a headroom that is not a non-negative int."""


@dataclass(frozen=True)
class GuideFigure:
    """One figure of the guide's plan: its value (a number, or (low, high) for a range),
    the unit, the guide section it is quoted from, and the guide's own words."""

    value: object
    unit: str
    section: str
    quote: str


GUIDE_PLAN = {
    "proof_peak_rate": GuideFigure(
        1000, "proofs/s", f"{_COMPUTE} › Proof Generation Servers › Capacity Planning",
        "Expected Load: 1000 proofs/sec at peak"),
    "proof_server_cores": GuideFigure(
        8, "cores", f"{_COMPUTE} › Proof Generation Servers › Specifications", "CPU: 8 cores"),
    "proof_rate_per_server": GuideFigure(
        (10, 20), "proofs/s per server", f"{_COMPUTE} › Proof Generation Servers › Capacity Planning",
        "Proof Generation Rate: 10-20 proofs/sec per server"),
    "proof_servers": GuideFigure(
        (50, 100), "servers", f"{_COMPUTE} › Proof Generation Servers › Capacity Planning",
        "Server Count: 50-100 servers (with headroom)"),
    "verification_peak_rate": GuideFigure(
        5000, "verifications/s", f"{_COMPUTE} › Verification Servers › Capacity Planning",
        "Expected Load: 5000 verifications/sec at peak"),
    "verification_server_cores": GuideFigure(
        4, "cores", f"{_COMPUTE} › Verification Servers › Specifications", "CPU: 4 cores"),
    "verification_rate_per_server": GuideFigure(
        (200, 500), "verifications/s per server", f"{_COMPUTE} › Verification Servers › Capacity Planning",
        "Verification Rate: 200-500 verifications/sec per server"),
    "verification_servers": GuideFigure(
        (10, 25), "servers", f"{_COMPUTE} › Verification Servers › Capacity Planning", "Server Count: 10-25 servers"),
    "scale_up_cpu_threshold": GuideFigure(
        0.70, "CPU fraction", f"{_COMPUTE} (both tiers); Scaling Considerations › Horizontal Scaling",
        "Auto-scaling: Scale up at 70% CPU, down at 30%; averageUtilization: 70"),
    "proof_server_price_month": GuideFigure(
        200, "USD/month per server", f"{_COST} › Compute", "Proof Generation: 50 servers × $200/month = $10,000"),
    "verification_server_price_month": GuideFigure(
        100, "USD/month per server", f"{_COST} › Compute", "Verification: 10 servers × $100/month = $1,000"),
    "compute_cost_month": GuideFigure(11000, "USD/month", f"{_COST} › Compute", "Total Compute: $11,000/month"),
    "non_compute_cost_month": GuideFigure(
        4050, "USD/month", f"{_COST} › Database, Network, Storage, Monitoring and Tools",
        "Total Database $2,000 + Total Network $900 + Total Storage $500 + Total Monitoring $650"),
    "total_cost_month": GuideFigure(
        15000, "USD/month", "Cost Estimation › Monthly Infrastructure Costs",
        "Total Estimated Cost: ~$15,000/month (Based on moderate load)"),
    "proof_latency_p95_ms": GuideFigure(
        1000, "ms", "Monitoring and Observability › Key Metrics › Proof Generation; Executive Summary",
        "proof_generation_duration SLA: P95 < 1000ms"),
    "ceremony_contributors": GuideFigure(
        10, "contributors", "Pre-Migration Checklist › Technical Readiness",
        "Multi-party ceremony with ≥10 contributors"),
    "verification_latency_p99_ms": GuideFigure(
        50, "ms", "Monitoring and Observability › Key Metrics › Verification",
        "verification_duration SLA: P99 < 50ms"),
    "proof_error_rate": GuideFigure(
        0.001, "fraction of requests", "Monitoring and Observability › Key Metrics › Proof Generation",
        "proof_generation_errors SLA: <0.1% error rate"),
    "verification_error_rate": GuideFigure(
        0.0001, "fraction of requests", "Monitoring and Observability › Key Metrics › Verification",
        "verification_errors SLA: <0.01% error rate"),
    # the fleet model's (zkwork.fleet): autoscaler rules, load balancing, timeouts, migration phases
    "proof_min_replicas": GuideFigure(10, "replicas", f"{_HPA} › Auto-scaling Configuration", "minReplicas: 10"),
    "proof_max_replicas": GuideFigure(100, "replicas", f"{_HPA} › Auto-scaling Configuration", "maxReplicas: 100"),
    "scale_up_cpu_step": GuideFigure(0.20, "fraction of instances", f"{_HPA} › Scaling Triggers",
                                     "CPU > 70%: Add 20% more instances"),
    "proof_p95_trigger_ms": GuideFigure(800, "ms", f"{_HPA} › Auto-scaling Configuration; Scaling Triggers",
                                        "Proof latency P95 > 800ms: Add 10% more instances"),
    "scale_up_p95_step": GuideFigure(0.10, "fraction of instances", f"{_HPA} › Scaling Triggers",
                                     "Proof latency P95 > 800ms: Add 10% more instances"),
    "queue_depth_trigger": GuideFigure(100, "requests", f"{_HPA} › Scaling Triggers",
                                       "Queue depth > 100: Add 30% more instances"),
    "scale_up_queue_step": GuideFigure(0.30, "fraction of instances", f"{_HPA} › Scaling Triggers",
                                       "Queue depth > 100: Add 30% more instances"),
    "scale_down_cpu_threshold": GuideFigure(0.30, "CPU fraction", f"{_COMPUTE} (both tiers)",
                                            "Auto-scaling: Scale up at 70% CPU, down at 30%"),
    "proof_balancing": GuideFigure("round-robin", "policy", f"{_LB} › Traffic Distribution",
                                   "Proof Generation: Round-robin with connection affinity"),
    "verification_balancing": GuideFigure("least-connections", "policy", f"{_LB} › Traffic Distribution",
                                          "Verification: Least connections"),
    "request_timeout_s": GuideFigure(120, "s", f"{_LB} › Configuration", "Idle Timeout: 120 seconds"),
    "pilot_shares": GuideFigure((0.01, 0.05, 0.10, 0.15, 0.25), "share of traffic",
                                "Deployment Strategy › Phase 1: Pilot › Gradual Internal Rollout",
                                "Day 6: 1% ... Day 10: 25% internal traffic"),
    "ga_shares": GuideFigure((0.25, 0.50, 0.75, 0.90, 0.95, 0.98, 1.00), "share of traffic",
                             "Deployment Strategy › Phase 3: General Availability › Gradual Rollout",
                             "--zkp-traffic=25% ... Day 32: 50% ... Day 42: 100%"),
}


def guide_value(name):
    """The value of GUIDE_PLAN[name] (a number or a (low, high) tuple)."""
    return GUIDE_PLAN[name].value


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise CapacityInputError(f"{name} must be a number > 0, not {value!r}")
    return Fraction(str(value))


@dataclass
class CapacityPlan:
    """The servers one tier needs for its peak rate, and why (see the module docstring).

    `assumptions` maps each input to (value, where it comes from): measured, the guide's
    (with its section) or an assumption of the caller."""

    tier: str
    peak_rate: float
    rate_per_core: float
    cores_per_server: int
    cpu_threshold: float
    headroom: int
    price_per_server_month: float
    rate_per_server: float  # at 100% CPU
    rate_per_server_at_threshold: float
    base_servers: int
    servers: int
    cost_per_month: float
    peak_utilisation: float  # CPU fraction of every server at peak with all `servers` up
    cpu_s_per_operation: float = None  # 1 / rate_per_core: CPU-seconds per end-to-end operation
    witness_cpu_s: float = None  # of those, the witness stage's (proofs), when measured apart
    witness_share: float = None  # witness_cpu_s / cpu_s_per_operation
    assumptions: dict = field(default_factory=dict)

    def as_dict(self):
        """The plan as a dict, assumptions included."""
        return asdict(self)


def plan_capacity(peak_rate, rate_per_core, cores_per_server, cpu_threshold=0.70, headroom=1,
                  price_per_server_month=200.0, tier="servers", sources=None, witness_cpu_s=None):
    """Servers for `peak_rate` operations/s at `rate_per_core` operations/s per core on
    servers of `cores_per_server` cores, each loaded to at most `cpu_threshold` at peak,
    plus `headroom` spare servers (N+headroom); cost at `price_per_server_month` USD.
    For proofs, `rate_per_core` is of end-to-end proofs, 1 / their CPU-seconds;
    `witness_cpu_s`, the witness stage's CPU-seconds per proof (part of those, so below
    1 / rate_per_core), gives the plan its witness share.

    The default price, $200/month, is the guide's proof-server unit price (GUIDE_PLAN
    "proof_server_price_month"): an assumption, not a quote and not measured. `sources`
    maps input names to where each came from ("measured: ...", "guide: ...",
    "assumption: ..."); inputs it does not name are listed as "given by the caller".
    Raises CapacityInputError on a non-positive rate or core count, a threshold outside
    (0, 1], a negative or non-integer headroom, a negative price, or a witness_cpu_s
    outside [0, 1 / rate_per_core)."""
    peak = _positive("peak_rate", peak_rate)
    per_core = _positive("rate_per_core", rate_per_core)
    if isinstance(cores_per_server, bool) or not isinstance(cores_per_server, int) or cores_per_server <= 0:
        raise CapacityInputError(f"cores_per_server must be an int > 0, not {cores_per_server!r}")
    threshold = _positive("cpu_threshold", cpu_threshold)
    if threshold > 1:
        raise CapacityInputError(f"cpu_threshold is a CPU fraction in (0, 1], not {cpu_threshold!r}")
    if isinstance(headroom, bool) or not isinstance(headroom, int) or headroom < 0:
        raise CapacityInputError(f"headroom is a number of spare servers, an int >= 0, not {headroom!r}")
    if isinstance(price_per_server_month, bool) or not isinstance(price_per_server_month, (int, float)) \
            or price_per_server_month < 0:
        raise CapacityInputError(f"price_per_server_month must be a number >= 0, not {price_per_server_month!r}")
    cpu_s = 1 / per_core
    if witness_cpu_s is not None and (isinstance(witness_cpu_s, bool) or not isinstance(witness_cpu_s, (int, float))
                                      or not 0 <= Fraction(str(witness_cpu_s)) < cpu_s):
        raise CapacityInputError(f"witness_cpu_s is the witness stage's part of the {float(cpu_s):.4g} CPU-seconds "
                                 f"per end-to-end operation, a number in [0, {float(cpu_s):.4g}), not {witness_cpu_s!r}")

    per_server = per_core * cores_per_server
    base = ceil(peak / (per_server * threshold))
    servers = base + headroom
    inputs = {"peak_rate": peak_rate, "rate_per_core": rate_per_core, "cores_per_server": cores_per_server,
              "cpu_threshold": cpu_threshold, "headroom": headroom, "price_per_server_month": price_per_server_month}
    sources = sources or {}
    assumptions = {name: {"value": value, "source": sources.get(name, "given by the caller")}
                   for name, value in inputs.items()}
    assumptions["headroom_rule"] = {
        "value": f"N+{headroom}",
        "source": "assumption: servers = ceil(peak / (rate_per_core * cores * cpu_threshold)) + headroom spares",
    }
    if witness_cpu_s is not None:
        assumptions["cpu_s_per_operation"] = {
            "value": float(cpu_s),
            "source": f"1 / rate_per_core: CPU-seconds per end-to-end operation, of which the witness "
                      f"{witness_cpu_s:.4g} s ({float(Fraction(str(witness_cpu_s)) / cpu_s):.0%})"}
    return CapacityPlan(
        tier=tier, peak_rate=peak_rate, rate_per_core=rate_per_core, cores_per_server=cores_per_server,
        cpu_threshold=cpu_threshold, headroom=headroom, price_per_server_month=price_per_server_month,
        rate_per_server=float(per_server), rate_per_server_at_threshold=float(per_server * threshold),
        base_servers=base, servers=servers, cost_per_month=float(servers * Fraction(str(price_per_server_month))),
        peak_utilisation=float(peak / (per_server * servers)), cpu_s_per_operation=float(cpu_s),
        witness_cpu_s=witness_cpu_s,
        witness_share=None if witness_cpu_s is None else float(Fraction(str(witness_cpu_s)) / cpu_s),
        assumptions=assumptions,
    )


@dataclass
class DeploymentPlan:
    """Both tiers of the guide's architecture, plus the guide's other monthly costs."""

    proof: CapacityPlan
    verification: CapacityPlan
    other_costs_per_month: float
    other_costs_source: str

    @property
    def compute_cost_per_month(self):
        """The monthly cost of the servers of both tiers."""
        return self.proof.cost_per_month + self.verification.cost_per_month

    @property
    def cost_per_month(self):
        """The total monthly cost: both tiers' servers plus the other costs."""
        return self.compute_cost_per_month + self.other_costs_per_month

    def assumptions(self):
        """Every input of both tiers, prefixed by tier, and the non-compute costs."""
        out = {f"proof.{k}": v for k, v in self.proof.assumptions.items()}
        out.update({f"verification.{k}": v for k, v in self.verification.assumptions.items()})
        out["other_costs_per_month"] = {"value": self.other_costs_per_month, "source": self.other_costs_source}
        return out

    def summary(self):
        """The `capacity` object of the throughput notebook's results JSON."""
        return {
            "proof_servers": self.proof.servers,
            "verification_servers": self.verification.servers,
            "cpu_s_per_proof": self.proof.cpu_s_per_operation,
            "witness_cpu_s_per_proof": self.proof.witness_cpu_s,
            "witness_share": self.proof.witness_share,
            "compute_cost_per_month_usd": self.compute_cost_per_month,
            "cost_per_month_usd": self.cost_per_month,
            "proof": self.proof.as_dict(),
            "verification": self.verification.as_dict(),
            "assumptions": self.assumptions(),
        }


def guide_source(name):
    """'guide (section): quote' for GUIDE_PLAN[name], to say where a figure comes from."""
    figure = GUIDE_PLAN[name]
    return f"guide ({figure.section}): {figure.quote}"


def plan_deployment(proof_rate_per_core, verification_rate_per_core, rate_source, *, proof_witness_cpu_s=None,
                    proof_peak_rate=None, verification_peak_rate=None,
                    proof_cores=None, verification_cores=None, cpu_threshold=None, headroom=1,
                    proof_price_month=None, verification_price_month=None, other_costs_month=None,
                    cpu_threshold_source=None):
    """Plan both tiers from per-core rates (`rate_source` says where they were measured):
    end-to-end proofs (input JSON in, proof JSON out) and verifications per CPU-second;
    `proof_witness_cpu_s`, the witness stage's CPU-seconds per proof, shows its share.

    Every input left as None takes the guide's figure (peak rates, server shapes, the 70%
    scale-up threshold, unit prices and the non-compute monthly costs) and is listed with
    the guide section it comes from; inputs given are listed as assumptions of the caller
    (`cpu_threshold_source` says why, for a given threshold).
    The guide's unit prices are the guide's, not quotes and not measured."""

    def pick(value, guide_name):
        if value is None:
            return guide_value(guide_name), guide_source(guide_name)
        return value, "assumption: set by the caller"

    threshold, threshold_src = pick(cpu_threshold, "scale_up_cpu_threshold")
    threshold_src = cpu_threshold_source or threshold_src
    other, other_src = pick(other_costs_month, "non_compute_cost_month")
    tiers = {}
    for tier, rate, peak, cores, price in (
        ("proof", proof_rate_per_core, proof_peak_rate, proof_cores, proof_price_month),
        ("verification", verification_rate_per_core, verification_peak_rate, verification_cores,
         verification_price_month),
    ):
        peak_v, peak_src = pick(peak, f"{tier}_peak_rate")
        cores_v, cores_src = pick(cores, f"{tier}_server_cores")
        price_v, price_src = pick(price, f"{tier}_server_price_month")
        what = "end-to-end proofs (input JSON in, proof JSON out)" if tier == "proof" else "verifications"
        tiers[tier] = plan_capacity(
            peak_v, rate, cores_v, cpu_threshold=threshold, headroom=headroom, price_per_server_month=price_v,
            tier=tier, witness_cpu_s=proof_witness_cpu_s if tier == "proof" else None,
            sources={"peak_rate": peak_src, "rate_per_core": f"measured: {what} per core, {rate_source}",
                     "cores_per_server": cores_src, "cpu_threshold": threshold_src,
                     "headroom": "assumption: N+headroom spare servers", "price_per_server_month": price_src},
        )
    if isinstance(other, bool) or not isinstance(other, (int, float)) or other < 0:
        raise CapacityInputError(f"other_costs_month must be a number >= 0, not {other!r}")
    return DeploymentPlan(tiers["proof"], tiers["verification"], other, other_src)


def plan_at_sla(proof_rate_per_core, verification_rate_per_core, rate_source, *, headroom=1):
    """The deployment plan from capacity-at-SLA rates per core (the highest rate at which a
    loaded service still meets the guide's latency SLAs, zkwork.studies.load_test):
    servers = ceil(peak / (rate_per_core * cores)) + headroom, with no CPU threshold on top,
    since the SLA already bounds the load; the guide's peaks, server shapes and prices."""
    return plan_deployment(proof_rate_per_core, verification_rate_per_core, rate_source, cpu_threshold=1.0,
                           headroom=headroom, cpu_threshold_source="none: the rates are the highest at which the "
                                                                  "latency SLAs hold, so they carry their own margin")


def guide_summary():
    """The `guide` object of the throughput notebook's results JSON: the guide's plan."""
    return {
        "proof_servers": list(guide_value("proof_servers")),
        "verification_servers": list(guide_value("verification_servers")),
        "compute_cost_per_month_usd": guide_value("compute_cost_month"),
        "cost_per_month_usd": guide_value("total_cost_month"),
        "sections": {name: GUIDE_PLAN[name].section for name in
                     ("proof_servers", "verification_servers", "compute_cost_month", "total_cost_month")},
    }


def guide_implied_servers(cpu_threshold=None):
    """What the guide's own per-server rates imply, for each tier: servers for the guide's
    peak at 100% CPU and at the scale-up threshold (low and high per-server rate), next
    to the guide's server counts. Derived from the guide's figures, nothing measured."""
    threshold = guide_value("scale_up_cpu_threshold") if cpu_threshold is None else cpu_threshold
    rows = []
    for tier in ("proof", "verification"):
        peak = guide_value(f"{tier}_peak_rate")
        cores = guide_value(f"{tier}_server_cores")
        low, high = guide_value(f"{tier}_rate_per_server")
        at = {}
        for label, utilisation in (("at_100pct_cpu", 1), ("at_threshold", threshold)):
            at[label] = [plan_capacity(peak, rate / cores, cores, utilisation, 0, 0).servers for rate in (high, low)]
        rows.append({"tier": tier, "guide_servers": list(guide_value(f"{tier}_servers")),
                     "implied_at_100pct_cpu": at["at_100pct_cpu"], "implied_at_threshold": at["at_threshold"],
                     "threshold": threshold, "source": "derived from the guide's figures"})
    return rows


def compare_with_guide(plan):
    """Rows (quantity, plan, guide, guide section, verdict) setting a DeploymentPlan
    beside the guide's plan: server counts against the guide's ranges, per-server rates
    at 100% CPU, and monthly costs (compute, and total with the non-compute costs)."""

    def verdict(value, guide):
        if isinstance(guide, tuple):
            low, high = guide
            return "below the guide's range" if value < low else "above the guide's range" if value > high \
                else "within the guide's range"
        return f"{value / guide:.2f}x the guide's"

    rows = []
    for quantity, value, guide_name in (
        ("proof servers", plan.proof.servers, "proof_servers"),
        ("end-to-end proof rate per server (100% CPU)", plan.proof.rate_per_server, "proof_rate_per_server"),
        ("verification servers", plan.verification.servers, "verification_servers"),
        ("verification rate per server (100% CPU)", plan.verification.rate_per_server,
         "verification_rate_per_server"),
        ("compute cost per month (USD)", plan.compute_cost_per_month, "compute_cost_month"),
        ("total cost per month (USD)", plan.cost_per_month, "total_cost_month"),
    ):
        guide = guide_value(guide_name)
        rows.append({"quantity": quantity, "plan": value, "guide": guide, "verdict": verdict(value, guide),
                     "guide_section": GUIDE_PLAN[guide_name].section})
    return rows
