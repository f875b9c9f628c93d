"""The production-migration guide's monitoring, applied to a measured run.

The guide ("Monitoring and Observability › Key Metrics") names the metrics, their labels
and histogram buckets; "› Alerting Rules" names the alerts. This module

  * measures end-to-end proof latencies of a pattern (what a proving server's
    proof_generation_duration observes: input.json's text in, proof.json's and
    public.json's texts out, the witness included and also timed apart) and verify
    latencies, including a few deliberately invalid proofs that verification must reject
    (`measure_latencies`);
  * records latencies into prometheus_client metrics of those names, labels and buckets,
    in a fresh CollectorRegistry (`record_latencies`), and writes the text exposition
    (`write_exposition`);
  * evaluates the guide's alert rules, and its latency SLAs, on the recorded metrics
    the way Prometheus would: quantiles from the histogram buckets with
    histogram_quantile's linear interpolation (`evaluate_alerts`).

Units: the guide's buckets are in milliseconds ([100, 500, 1000, 2000, 5000]ms for proofs,
[5, 10, 20, 50, 100]ms for verification), so durations are observed in milliseconds and
the bucket bounds are exactly the guide's. (Prometheus convention would be seconds and a
`_seconds` suffix; the guide's names and buckets win here.) prometheus_client exposes a
Counter named `proof_generation_rate` as `proof_generation_rate_total`.

Latency input: a mapping circuit_type -> {"prove_s": [...], "verify_s": [...],
"verify_invalid_s": [...], "prove_errors": int}, seconds as measured; "prove_s" are
end-to-end proof generations (measure_latencies records their witness stage apart as
"witness_s", which the metrics do not observe on its own); "verify_s" are
verifications that accepted a valid proof, "verify_invalid_s" those that rejected an
invalid one. circuit_type is the pattern's Circom main name, e.g. membership_hardened_d20.
"""
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from zkwork.bench.throughput import end_to_end, input_text
from zkwork.bench.timing import measure
from zkwork.curve import G1Point
from zkwork.field import R
from zkwork.groth16 import prepare_verifying_key, setup, verify
from zkwork.groth16.keys import Proof
from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json
from zkwork.prover import Prover
from zkwork.r1cs.witness_program import WitnessProgram

KEY_METRICS = "Monitoring and Observability › Key Metrics › Performance Metrics"
ALERTING_RULES = "Monitoring and Observability › Alerting Rules"
PROOF_BUCKETS_MS = (100, 500, 1000, 2000, 5000)
VERIFICATION_BUCKETS_MS = (5, 10, 20, 50, 100)


def measure_latencies(pattern, prove_runs=20, verify_runs=50, invalid_proofs=2, progress=None):
    """Latencies of one pattern in seconds: `prove_runs` end-to-end proofs (input.json's
    text in, proof.json's and public.json's texts out, zkwork.bench.throughput.end_to_end)
    and `verify_runs` accepted verifications after one cold call and one warm-up each
    (zkwork.bench.timing.measure; the cold calls are returned apart as first_prove_s,
    first_witness_s and first_verify_s), and `invalid_proofs` rejected verifications of
    tampered statements, alternately a proof whose A is moved by the G1 generator and a
    valid proof against a public signal plus one. "prove_s" are end-to-end seconds,
    "witness_s" (and "witness_cpu_s") their witness stage, "prove_stage_s" the rest.
    Recording the witness program and key generation are outside every timing, as a
    server does them once. Raises AssertionError if a tampered statement verifies (that
    would be a soundness bug, not a latency)."""
    say = progress or (lambda message: None)
    say(f"{pattern.label}: witness program and key generation")
    program = WitnessProgram.record(pattern.circuit)
    r1cs = program.r1cs
    prover = Prover(program, setup(r1cs), label=pattern.label)
    pvk = prepare_verifying_key(prover.pk.vk)
    request = input_text(pattern)

    say(f"{pattern.label}: end-to-end prove x{prove_runs}")
    outputs = []
    prove_t = measure(lambda: outputs.append(end_to_end(prover, request)), runs=prove_runs)
    # measure's cold call first, then its warm-up, then the timed runs: the stages of the timed
    # runs are the last prove_runs
    stages = [stage for _, stage in outputs]
    timed = stages[-len(prove_t.runs_s):]
    proofs = [proof_from_json(json.loads(proof_text)) for (proof_text, _), _ in outputs]
    public = public_from_json(json.loads(outputs[-1][0][1]))
    say(f"{pattern.label}: verify x{verify_runs}")
    accepted = []
    verify_t = measure(lambda: accepted.append(verify(pvk, public, proofs[-1])), runs=verify_runs)
    assert all(accepted), f"{pattern.label}: a fresh proof did not verify"

    say(f"{pattern.label}: {invalid_proofs} invalid proofs")
    invalid_s = []
    for i in range(invalid_proofs):
        proof = proofs[i % len(proofs)]
        if i % 2 == 0:
            statement = (public, Proof(proof.a + G1Point.generator(), proof.b, proof.c))
        else:
            statement = ([(public[0] + 1) % R, *public[1:]], proof)
        start = time.perf_counter()
        verified = verify(pvk, *statement)
        invalid_s.append(time.perf_counter() - start)
        assert not verified, f"{pattern.label}: a tampered statement verified"
    return {
        "circuit_type": pattern.main_name, "label": pattern.label, "constraints": r1cs.num_constraints,
        "prove_s": prove_t.runs_s, "first_prove_s": prove_t.first_call_s, "prove_cpu_s": prove_t.cpu_runs_s,
        "witness_s": [stage["witness_s"] for stage in timed], "first_witness_s": stages[0]["witness_s"],
        "witness_cpu_s": [stage["witness_cpu_s"] for stage in timed],
        "prove_stage_s": [stage["prove_s"] for stage in timed],
        "verify_s": verify_t.runs_s, "first_verify_s": verify_t.first_call_s, "verify_cpu_s": verify_t.cpu_runs_s,
        "verify_invalid_s": invalid_s, "prove_errors": 0,
    }


@dataclass
class RecordedMetrics:
    """The registry and the metric objects of one run (see `record_latencies`)."""

    registry: CollectorRegistry
    proof_generation_duration: Histogram
    proof_generation_rate: Counter
    proof_generation_errors: Counter
    verification_duration: Histogram
    verification_rate: Counter
    verification_errors: Counter


def new_metrics():
    """The guide's proof and verification metrics in a fresh CollectorRegistry."""
    registry = CollectorRegistry()
    ms = "milliseconds (the guide's buckets are in ms)"
    return RecordedMetrics(
        registry=registry,
        proof_generation_duration=Histogram(
            "proof_generation_duration", f"Proof generation time, {ms}", ["circuit_type", "status"],
            buckets=PROOF_BUCKETS_MS, registry=registry),
        proof_generation_rate=Counter(
            "proof_generation_rate", "Proofs generated", ["circuit_type"], registry=registry),
        proof_generation_errors=Counter(
            "proof_generation_errors", "Proof generations that failed", ["circuit_type", "error_type"],
            registry=registry),
        verification_duration=Histogram(
            "verification_duration", f"Verification time, {ms}", ["circuit_type", "status"],
            buckets=VERIFICATION_BUCKETS_MS, registry=registry),
        verification_rate=Counter(
            "verification_rate", "Verifications performed", ["circuit_type"], registry=registry),
        verification_errors=Counter(
            "verification_errors", "Verifications that rejected the proof", ["error_type"], registry=registry),
    )


def record_latencies(latencies):
    """Observe every latency of `latencies` (circuit_type -> lists of seconds, see the module
    docstring) in a fresh registry: proofs with status="success", accepted verifications
    with status="valid", rejected ones with status="invalid" and one
    verification_errors{error_type="invalid_proof"} each. Returns RecordedMetrics."""
    m = new_metrics()
    for circuit_type, run in latencies.items():
        for seconds in run.get("prove_s", []):
            m.proof_generation_duration.labels(circuit_type, "success").observe(seconds * 1e3)
        m.proof_generation_rate.labels(circuit_type).inc(len(run.get("prove_s", [])))
        m.proof_generation_errors.labels(circuit_type, "exception").inc(run.get("prove_errors", 0))
        for status, key in (("valid", "verify_s"), ("invalid", "verify_invalid_s")):
            for seconds in run.get(key, []):
                m.verification_duration.labels(circuit_type, status).observe(seconds * 1e3)
            m.verification_rate.labels(circuit_type).inc(len(run.get(key, [])))
        m.verification_errors.labels("invalid_proof").inc(len(run.get("verify_invalid_s", [])))
    return m


def exposition(registry):
    """The Prometheus text exposition of `registry` (what a /metrics endpoint serves)."""
    return generate_latest(registry).decode()


def write_exposition(registry, path):
    """Write the text exposition to `path` (directories created); returns the Path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(exposition(registry))
    return path


def _samples(registry, metric, suffix):
    """(labels, value) of every sample `metric` + `suffix` in the registry."""
    return [(s.labels, s.value) for family in registry.collect() if family.name == metric
            for s in family.samples if s.name == metric + suffix]


def bucket_counts(registry, metric, by="circuit_type"):
    """{label value of `by`: [(le, cumulative count), ...]} summed over the other labels
    (PromQL: sum by (le, by) (metric_bucket)), le ascending with +Inf last."""
    out = {}
    for labels, value in _samples(registry, metric, "_bucket"):
        per_le = out.setdefault(labels[by], {})
        le = float(labels["le"])
        per_le[le] = per_le.get(le, 0.0) + value
    return {key: sorted(per_le.items()) for key, per_le in out.items()}


def histogram_quantile(q, buckets):
    """Prometheus's histogram_quantile on cumulative (le, count) pairs, +Inf last: the
    bucket holding rank q * total, interpolated linearly inside it (lower bound 0 for
    the first bucket); a rank in the +Inf bucket gives the highest finite bound.
    NaN when there are no observations."""
    total = buckets[-1][1] if buckets else 0
    if total == 0:
        return math.nan
    rank = q * total
    previous_le, previous_count = 0.0, 0.0
    for le, count in buckets:
        if count >= rank:
            if math.isinf(le):
                return previous_le
            in_bucket = count - previous_count
            return previous_le + (le - previous_le) * ((rank - previous_count) / in_bucket if in_bucket else 1.0)
        previous_le, previous_count = le, count
    return previous_le


def _total(registry, metric, suffix="_total", by=None):
    values = {}
    for labels, value in _samples(registry, metric, suffix):
        key = labels[by] if by else None
        values[key] = values.get(key, 0.0) + value
    return values if by else values.get(None, 0.0)


def _exact_percentile(values_s, q):
    ordered = sorted(values_s)
    if not ordered:
        return math.nan
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return (ordered[low] + (ordered[high] - ordered[low]) * (position - low)) * 1e3


def _json_number(value):
    """None for NaN (no observations), so that a row serialises as strict JSON."""
    return None if isinstance(value, float) and math.isnan(value) else value


@dataclass(frozen=True)
class Rule:
    """A rule of the guide: its name, kind ("alert" from Alerting Rules, "sla" from Key
    Metrics), severity, the guide's condition text, the threshold and the guide section."""

    name: str
    kind: str
    severity: str
    expression: str
    threshold: float
    unit: str
    section: str


RULES = (
    Rule("ProofGenerationDown", "alert", "P0 (critical)", "proof_generation_rate == 0 for 5 minutes", 0,
         "proofs in the run", f"{ALERTING_RULES} › Critical Alerts (P0)"),
    Rule("VerificationFailureSpike", "alert", "P0 (critical)", "verification_errors > 10% for 2 minutes", 0.10,
         "fraction of verifications", f"{ALERTING_RULES} › Critical Alerts (P0)"),
    Rule("HighProofGenerationLatency", "alert", "P1 (warning)",
         "proof_generation_duration P95 > 1000ms for 10 minutes", 1000, "ms", f"{ALERTING_RULES} › Warning Alerts (P1)"),
    Rule("VerificationLatencySLA", "sla", "SLA", "verification_duration SLA: P99 < 50ms", 50, "ms",
         f"{KEY_METRICS} › Verification"),
    Rule("ProofErrorRateSLA", "sla", "SLA", "proof_generation_errors SLA: <0.1% error rate", 0.001,
         "fraction of proof generations", f"{KEY_METRICS} › Proof Generation"),
)

NOT_EVALUATED = {
    "DatabaseDown": "no database in a benchmark run (database_up)",
    "HighCPUUsage": "cpu_usage is a host gauge over 15 minutes; a benchmark run saturates the CPU on purpose",
    "LowCacheHitRate": "no cache in a benchmark run (cache_hit_rate)",
}


def evaluate_alerts(metrics, latencies=None):
    """Evaluate RULES on the recorded metrics: one row per rule, per circuit_type for the
    per-circuit rules. Each row: name, kind, severity, expression (the guide's words),
    threshold, value, fires, labels, unit, section, note; with `latencies`, latency rows
    also carry exact_value, the percentile of the raw latencies (the histogram value is
    an interpolation inside the guide's coarse buckets and can differ a lot).

    A value that cannot be computed (no observations) is None and does not fire.
    The guide's "for N minutes" clauses cannot hold in a run of seconds: a row fires when
    its condition holds over the whole run, which is what it would take to fire if the
    run's traffic went on for that long. ProofGenerationDown's value is the number of
    proofs the run generated per circuit_type."""
    registry = metrics.registry
    rows = []

    def row(rule, value, fires, labels=None, exact=None, note=""):
        out = {"name": rule.name, "kind": rule.kind, "severity": rule.severity, "expression": rule.expression,
               "threshold": rule.threshold, "unit": rule.unit, "value": _json_number(value), "fires": bool(fires),
               "labels": labels or {}, "section": rule.section, "note": note}
        if exact is not None:
            out["exact_value"] = _json_number(exact)
        rows.append(out)

    rules = {rule.name: rule for rule in RULES}
    proofs = _total(registry, "proof_generation_rate", by="circuit_type")
    for circuit_type, count in sorted(proofs.items()):
        row(rules["ProofGenerationDown"], count, count == 0, {"circuit_type": circuit_type},
            note="proofs generated in the run")

    verifications = _total(registry, "verification_rate")
    errors = _total(registry, "verification_errors")
    rate = errors / verifications if verifications else math.nan
    row(rules["VerificationFailureSpike"], rate, rate > rules["VerificationFailureSpike"].threshold,
        note=f"{errors:.0f} of {verifications:.0f} verifications rejected")

    for rule, metric, q, key in (
        (rules["HighProofGenerationLatency"], "proof_generation_duration", 0.95, ("prove_s",)),
        (rules["VerificationLatencySLA"], "verification_duration", 0.99, ("verify_s", "verify_invalid_s")),
    ):
        for circuit_type, buckets in sorted(bucket_counts(registry, metric).items()):
            value = histogram_quantile(q, buckets)
            exact = None
            if latencies and circuit_type in latencies:
                exact = _exact_percentile([s for k in key for s in latencies[circuit_type].get(k, [])], q)
            row(rule, value, value > rule.threshold, {"circuit_type": circuit_type}, exact,
                note=f"histogram_quantile({q}) over {buckets[-1][1]:.0f} observations")

    proof_errors = _total(registry, "proof_generation_errors", by="circuit_type")
    for circuit_type, count in sorted(proofs.items()):
        attempts = count + proof_errors.get(circuit_type, 0.0)
        error_rate = proof_errors.get(circuit_type, 0.0) / attempts if attempts else math.nan
        row(rules["ProofErrorRateSLA"], error_rate, error_rate > rules["ProofErrorRateSLA"].threshold,
            {"circuit_type": circuit_type}, note=f"{proof_errors.get(circuit_type, 0.0):.0f} errors")
    return rows
