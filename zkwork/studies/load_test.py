"""`zkwork serve` under open-loop load, watched by a real Prometheus: latency percentiles,
goodput and 503s from 10 % to 130 % of the service's measured capacity, for proofs and for
verifications apart, the "capacity at SLA" per core (the guide's proof P95 < 1000 ms and
verification P99 < 50 ms, "Monitoring and Observability › Key Metrics", from
zkwork.capacity.GUIDE_PLAN) and an M/G/c prediction beside it (zkwork.queueing).

How it runs (`run`): a circuit directory is generated (`zkwork setup`'s keys, in a temporary
directory) unless one is given; `zkwork serve` starts on a free loopback port with one worker
per core and a queue of `queue_per_worker` proofs per worker; Prometheus (Debian's package,
zkwork.service.prometheus) scrapes it every second with the project's alert rules. Then
  1. calibration: `calibration_proofs` proofs and `calibration_verifications` verifications one
     at a time (the service idle): the service-time samples of the M/G/c model;
  2. saturation: `saturation_s` seconds offered at SATURATION times the rate the calibration
     implies; the capacity is the 2xx completed per second over the last two thirds of it;
  3. the steps: each of `fractions` of that capacity, `prove_step_s` (`verify_step_s`) seconds
     of Poisson arrivals (zkwork.service.loadgen, open loop), one step after the other with the
     service drained in between.
Both the saturating step and a load step last longer where they would expect fewer than
`min_requests` requests (at most STRETCH times as long): a slow service (a loaded machine)
still gets percentiles from a few samples, at the cost of the time budget.
Per step: P50/P95/P99 of the 2xx latencies (exact, from the generator, from each request's
scheduled start) with a 95 % distribution-free confidence interval (order statistics), goodput
(2xx per second from the step's start to its last response: a backlog drained after the step
stretches the time, so an overloaded step shows the capacity), the share of 503s,
the server's CPU-seconds per 2xx (server and worker processes, /proc, over the step), the
generator's own CPU share of the cores, Prometheus's histogram_quantile over exactly the
step's window (counts between the scrapes around it; the service observes from a request's
admission, the generator from its scheduled start) with the error the guide's buckets allow,
and the alert rules' states at its end (their `for` clauses of minutes cannot elapse in a
step: "pending" is as far as a rule gets).

The capacity at SLA of a tier is the highest goodput at which its SLA percentile stays below
the guide's bound and its 503 share within the guide's error rate, interpolated between the
two steps around the crossing (`capacity_at_sla`). The M/G/c model gives each of its c
servers (the workers; the one verify thread) a core of its own and no other load, so where
it predicts more than was measured, contention for the cores is the difference.

The generator runs on the same cores as the service: every CPU-second it takes is one the
service does not get, so the rates measured are of a service with `cores - generator cores`
left. The capacity at SLA per core is therefore given per core left to the service (the
canonical figure) beside per core of the machine, and the CPU-seconds per request say what a
core would do alone."""
import math
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zkwork import queueing
from zkwork.capacity import guide_value, plan_at_sla
from zkwork.monitoring import PROOF_BUCKETS_MS, VERIFICATION_BUCKETS_MS
from zkwork.patterns import PATTERNS, get_pattern
from zkwork.service import loadgen
from zkwork.service.serve_process import ServeProcess, process_tree_cpu_s
from zkwork.service.workers import available_cores
from zkwork.studies.base import Result as BaseResult
from zkwork.studies.base import StudyError, StudyParams, measured, say

NAME = "load_test"
NOTEBOOK = "load-test"
PURPOSE = "the service under open-loop load: percentiles, goodput and 503s; capacity at SLA; M/G/c"
TIME_BUDGET_S = {"default": 300, "quick": 60}
SATURATION = 1.5  # the saturating step offers this many times the calibrated capacity
STRETCH = 3  # a step lasts at most this many times its set length to expect min_requests
START_TIMEOUT_S = 180  # `zkwork serve` until /ready (every worker proves once)
HTTP_TIMEOUT_S = 30
SCRAPE_TIMEOUT_S = 10  # Prometheus scrapes every second: a scrape that has not come by then failed
# tier -> (endpoint, SLA percentile, guide SLA figure, guide error-rate figure, 2xx status label, buckets)
KINDS = {
    "proof": ("prove", 95, "proof_latency_p95_ms", "proof_error_rate", "success", PROOF_BUCKETS_MS),
    "verification": ("verify", 99, "verification_latency_p99_ms", "verification_error_rate", "valid",
                     VERIFICATION_BUCKETS_MS),
}
HISTOGRAMS = {"proof": "proof_generation_duration_bucket", "verification": "verification_duration_bucket"}


@dataclass(frozen=True)
class Params(StudyParams):
    """The circuit (production size unless small_sizes or size), an existing circuit directory
    (None: generated), the service's workers (None: the cores), queue and deadline, the load
    steps (fractions of the capacity, seconds per step), calibration, distinct prove inputs
    and the schedules' seed."""

    pattern: str = "membership"
    variant: str = "hardened"
    size: dict = None
    small_sizes: bool = False
    circuit_dir: str = None
    workers: int = None
    queue_per_worker: int = 4
    deadline_s: float = 30.0
    fractions: tuple = (0.1, 0.3, 0.5, 0.7, 0.85, 1.0, 1.15, 1.3)
    prove_step_s: float = 14.0
    verify_step_s: float = 6.0
    saturation_s: float = 6.0
    min_requests: int = 10
    calibration_proofs: int = 12
    calibration_verifications: int = 100
    distinct_inputs: int = 8
    seed: int = 0

    @classmethod
    def quick(cls):
        """The small circuit, 3 steps of 3 s (proofs) and 2 s (verifications)."""
        return cls(small_sizes=True, fractions=(0.1, 0.7, 1.3), prove_step_s=3.0, verify_step_s=2.0,
                   saturation_s=2.0, min_requests=5, calibration_proofs=6, calibration_verifications=30,
                   distinct_inputs=3)


@dataclass
class Result(BaseResult):
    """`steps`: one row per load step (see the module docstring); `calibration` the service
    times and saturating steps; `capacity` the saturated goodput per tier; `capacity_at_sla`
    and `model` (M/G/c) per tier; `accounting` of the CPU shared with the generator; `plan`
    and `model_plan` the deployment plans (zkwork.capacity.plan_at_sla) from them;
    `prometheus` what the real Prometheus said (or why it did not run)."""

    label: str
    circuit: str
    cores: int
    workers: int
    queue: int
    sla: dict
    buckets_ms: dict
    calibration: dict
    capacity: dict
    steps: list
    capacity_at_sla: dict
    model: dict
    accounting: dict
    prometheus: dict
    plan: dict
    model_plan: dict

    def headline(self):
        """One line: capacity at SLA per core of each tier, the M/G/c's beside it, the plan."""
        def per_core(rate):
            return "none" if rate is None else f"{rate:.3g}/s per core"

        parts = [f"{kind}s at SLA {per_core(at_sla['per_core'])} "
                 f"(M/G/c {per_core(self.model[kind]['sla_rate_per_core'])})"
                 for kind, at_sla in self.capacity_at_sla.items()]
        servers = (f"; {self.plan['proof_servers']} proof + {self.plan['verification_servers']} verification "
                   f"servers" if self.plan else "")
        return f"{self.label}: " + ", ".join(parts) + servers


def capacity_at_sla(rows, percentile_key, bound_ms, max_error_share):
    """{"rate", "method", "from_step", "to_step", "fitted_ms"}: the highest goodput at which the
    SLA holds (percentile below `bound_ms`, 503 share at most `max_error_share`), judged on the
    monotone fits (zkwork.queueing.monotone_fit, weighted by the 2xx and by the requests sent)
    of the steps that sent requests, sorted by offered rate: interpolated linearly in the fitted percentile
    to where it crosses the bound between the last step that holds and the next; that step's
    goodput when the next one breaks the SLA by its 503s; a lower bound when every step holds;
    None when the lowest step already misses. `from_step`/`to_step` index those sorted steps."""
    rows = sorted((row for row in rows if row["sent"]), key=lambda row: row["offered_rate"])
    fitted = queueing.monotone_fit([math.inf if row[percentile_key] is None else row[percentile_key]
                                    for row in rows], [max(row["ok"], 1) for row in rows])
    shed = queueing.monotone_fit([row["share_503"] for row in rows], [row["sent"] for row in rows])
    holds = [value < bound_ms and share <= max_error_share for value, share in zip(fitted, shed)]
    failing = holds.index(False) if False in holds else None
    result = {"fitted_ms": [None if math.isinf(value) else value for value in fitted],
              "from_step": None if failing == 0 else len(rows) - 1 if failing is None else failing - 1,
              "to_step": failing}
    if not rows or failing == 0:
        return {**result, "rate": None, "method": "none: the lowest step already misses"}
    if failing is None:
        return {**result, "rate": rows[-1]["goodput"], "method": "lower bound: every step holds"}
    below, above = rows[failing - 1], rows[failing]
    between = f"between the steps at {below['offered_rate']:.3g}/s and {above['offered_rate']:.3g}/s offered"
    low, high = fitted[failing - 1], fitted[failing]
    if shed[failing] > max_error_share or math.isinf(high):
        return {**result, "rate": below["goodput"],
                "method": f"the last step that holds ({between}: the next one sheds 503s beyond the error SLA or "
                          "answers nothing)"}
    share = min(max((bound_ms - low) / (high - low), 0.0), 1.0)
    return {**result, "rate": below["goodput"] + share * (above["goodput"] - below["goodput"]),
            "method": f"interpolated in the percentile's monotone fit {between}"}


def _circuit_dir(params, directory):
    """The circuit directory to serve: params.circuit_dir, else a fresh one in `directory`
    (`zkwork setup`'s development keys, toxic waste discarded)."""
    from zkwork.groth16 import setup
    from zkwork.workspace import read_circuit_dir, write_circuit_dir

    if params.circuit_dir:
        return Path(params.circuit_dir), read_circuit_dir(params.circuit_dir)[0]
    size = params.size or (PATTERNS[params.pattern].small_params() if params.small_sizes else {})
    pattern = get_pattern(params.pattern, params.variant, **size)
    say(f"{pattern.label}: keys for the service")
    r1cs = pattern.build()
    write_circuit_dir(directory, pattern, r1cs, setup(r1cs))
    return Path(directory), pattern


def _one_at_a_time(client, path, bodies, count):
    """(latencies in seconds, JSON answers) of `count` requests sent one after the other."""
    latencies, answers = [], []
    for n in range(count):
        start = time.perf_counter()
        response = client.post(path, json=bodies[n % len(bodies)])
        latencies.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise StudyError(f"calibration: POST {path} answered {response.status_code}: {response.text[:200]}")
        answers.append(response.json())
    return latencies, answers


class _Bench:
    """What one load step needs: the service, its circuit, the request bodies per tier, the
    Prometheus server (None without one) and the time of the last scrape seen."""

    def __init__(self, service, circuit, bodies, prometheus):
        """`bodies` {tier: [JSON bodies]}."""
        self.service, self.circuit, self.bodies, self.prometheus = service, circuit, bodies, prometheus
        self.scrape()

    def scrape(self):
        """Waits for a scrape that starts after now and keeps its time in `last_scrape` (None
        without Prometheus, or when none succeeds within SCRAPE_TIMEOUT_S: the step that needed
        it then goes without Prometheus's figures, and says why)."""
        from zkwork.errors import PrometheusError

        self.last_scrape = None
        if self.prometheus:
            try:
                self.last_scrape = self.prometheus.wait_for_scrape(time.time(), SCRAPE_TIMEOUT_S)
            except PrometheusError as error:
                say(f"load test: {error}")
        return self.last_scrape

    def load(self, kind, rate, duration, seed):
        """(loadgen summary with the records' 2xx latencies in seconds, server CPU seconds) of
        `duration` seconds of Poisson arrivals at `rate`/s."""
        profile = loadgen.constant(rate, duration)
        schedule = loadgen.poisson_schedule(profile, seed)
        path = f"/v1/{KINDS[kind][0]}/{self.circuit}"
        cpu = process_tree_cpu_s(self.service.pid)
        records, _, generator_cpu_s = loadgen.measured_load(self.service.url, path, self.bodies[kind], schedule,
                                                            concurrency=512, timeout=HTTP_TIMEOUT_S)
        server_cpu_s = process_tree_cpu_s(self.service.pid) - cpu
        # wall time: to the last response, so that a backlog drained after the step does not count as served in it
        summary = loadgen.summarize(records, profile, generator_cpu_s=generator_cpu_s)
        return summary, records, server_cpu_s

    def prometheus_quantiles(self, kind, exact):
        """{"p95_ms", "p99_ms", "error_bound_ms", "within_bound", "window_s"} of histogram_quantile
        over the counts between the scrape before this step and the first one after it, and the
        alert rules' states then; (None, None) without Prometheus, ({"error"}, None) when it failed."""
        if not self.prometheus:
            return None, None
        from zkwork.errors import PrometheusError
        from zkwork.service.prometheus import JOB, between, quantile_error_bound

        start, end = self.last_scrape, self.scrape()
        if start is None or end is None:
            return {"error": f"no successful scrape {'before' if start is None else 'after'} the step"}, None
        _, _, _, _, status, buckets = KINDS[kind]
        selector = f'{HISTOGRAMS[kind]}{{job="{JOB}",circuit_type="{self.circuit}",status="{status}"}}'
        quantiles = {"window_s": end - start}
        for q in (95, 99):
            expr = f"histogram_quantile({q / 100}, sum by (le) {between(selector, start, end)})"
            try:
                value = self.prometheus.scalar(expr, at=end)
            except PrometheusError as error:
                return {"error": f"{type(error).__name__}: {error}"}, None
            value = None if value is None or not np.isfinite(value) else value
            bound = None if exact[q] is None else quantile_error_bound(exact[q], buckets)
            quantiles[f"p{q}_ms"] = value
            quantiles[f"p{q}_error_bound_ms"] = None if bound is None or not np.isfinite(bound) else bound
            quantiles[f"p{q}_within_bound"] = None if value is None or bound is None \
                else bool(abs(value - exact[q]) <= bound)
        try:
            rules = self.prometheus.rules()
        except PrometheusError as error:
            return {**quantiles, "error": f"{type(error).__name__}: {error}"}, None
        return quantiles, {rule["name"]: rule["state"] for rule in rules if rule["type"] == "alerting"}


def _step_row(bench, kind, fraction, rate, duration, seed):
    """One load step's row (see the module docstring)."""
    summary, records, server_cpu_s = bench.load(kind, rate, duration, seed)
    ok = [record.latency * 1e3 for record in records if record.status is not None and 200 <= record.status < 300]
    exact = {q: (float(np.percentile(ok, q)) if ok else None) for q in (50, 95, 99)}
    sent = max(summary["sent"], 1)
    row = {"kind": kind, "fraction": fraction, "offered_rate": rate, "duration_s": duration,
           "wall_s": summary["wall_time_s"], "scheduled": summary["scheduled"], "sent": summary["sent"], "ok": len(ok),
           "statuses": summary["statuses"], "goodput": summary["goodput"],
           "share_503": summary["statuses"].get("503", 0) / sent,
           **{f"p{q}_ms": value for q, value in exact.items()},
           "confidence": {f"p{q}": queueing.order_statistic_interval(ok, q / 100) for q in (50, 95, 99)},
           "lateness_p99_ms": summary["lateness_ms"]["p99"],
           "server_cpu_s": server_cpu_s, "server_cpu_s_per_request": server_cpu_s / len(ok) if ok else None,
           "server_cpu_cores": server_cpu_s / summary["wall_time_s"],
           "generator_cpu_s": summary["generator_cpu_s"], "generator_cpu_share": summary["generator_cpu_share"]}
    row["prometheus"], row["alerts"] = bench.prometheus_quantiles(kind, exact)
    return row


def step_duration(length_s, rate, min_requests):
    """Seconds of a step at `rate`/s: `length_s`, longer to expect `min_requests` requests, at
    most STRETCH times `length_s`."""
    return min(max(length_s, min_requests / rate), STRETCH * length_s)


def _saturate(bench, kind, servers, service_s, length_s, min_requests, seed):
    """The capacity of a tier: 2xx completed per second over the last two thirds of a step
    offered at SATURATION times servers / mean service time."""
    offered = SATURATION * servers / float(np.mean(service_s))
    duration = step_duration(length_s, offered, 1.5 * min_requests * SATURATION)  # min_requests completions
    summary, records, server_cpu_s = bench.load(kind, offered, duration, seed)
    bench.scrape()  # the next step's window starts after this step's last response
    window = (duration / 3, duration)
    done = sum(1 for r in records if r.status == 200 and window[0] <= r.scheduled + r.latency <= window[1])
    # none done within the window (a service slower than the step): the 2xx over the whole run, drain included
    capacity = done / (window[1] - window[0]) or summary["ok"] / summary["wall_time_s"]
    if not capacity:
        raise StudyError(f"load test: no {kind} succeeded in the saturating step: {summary['statuses']}")
    return {"offered_rate": offered, "duration_s": duration, "window_s": list(window),
            "capacity": capacity, "statuses": summary["statuses"],
            "server_cpu_s_per_request": server_cpu_s / max(summary["ok"], 1),
            "generator_cpu_share": summary["generator_cpu_share"]}


def _with_prometheus(stack, url, result):
    """A started PrometheusServer scraping `url` (entered on `stack`), or None with the reason
    in result["error"] when Prometheus is missing or does not start."""
    from zkwork.errors import PrometheusError
    from zkwork.service.prometheus import PrometheusServer, default_rules_file

    try:
        server = stack.enter_context(PrometheusServer([url.removeprefix("http://")]))
    except PrometheusError as error:
        say(f"load test without Prometheus: {error}")
        result.update(available=False, error=f"{type(error).__name__}: {error}")
        return None
    result.update(available=True, error=None, url=server.url, scrape_interval_s=server.scrape_interval_s,
                  rules_file=str(default_rules_file().name))
    return server


def _measure(params):
    """Serve, calibrate, saturate and step through the loads; the raw measurement."""
    from contextlib import ExitStack

    import httpx
    from tqdm import tqdm

    from zkwork.errors import PrometheusError
    from zkwork.r1cs.inputs import inputs_to_json

    cores = available_cores()
    workers = params.workers or cores
    queue = params.queue_per_worker * workers
    prometheus = {}
    with ExitStack() as stack:
        directory, pattern = _circuit_dir(params, stack.enter_context(tempfile.TemporaryDirectory(
            prefix="zkwork-load-test-")))
        say(f"{pattern.label}: zkwork serve with {workers} workers and a queue of {queue}")
        service = stack.enter_context(ServeProcess([directory], "--workers", workers, "--queue", queue,
                                                   "--deadline", params.deadline_s, start_timeout_s=START_TIMEOUT_S))
        server = _with_prometheus(stack, service.url, prometheus)  # both start while the workers warm up
        prove_bodies = [inputs_to_json(pattern.sample_inputs()) for _ in range(params.distinct_inputs)]
        service.wait_ready()
        client = stack.enter_context(httpx.Client(base_url=service.url, timeout=HTTP_TIMEOUT_S))
        circuit = pattern.main_name
        prove_s, proofs = _one_at_a_time(client, f"/v1/prove/{circuit}", prove_bodies, params.calibration_proofs)
        verify_bodies = [{"proof": answer["proof"], "public": answer["public"]} for answer in proofs]
        verify_s, _ = _one_at_a_time(client, f"/v1/verify/{circuit}", verify_bodies, params.calibration_verifications)
        bench = _Bench(service, circuit, {"proof": prove_bodies, "verification": verify_bodies}, server)
        servers = {"proof": workers, "verification": 1}  # one verify thread (zkwork.service.app)
        service_s = {"proof": prove_s, "verification": verify_s}
        bar = tqdm(total=len(KINDS) * (1 + len(params.fractions)), desc="load test", unit="step", file=sys.stderr)
        calibration, steps = {}, []
        for index, kind in enumerate(KINDS):
            bar.set_postfix_str(f"{kind}s: saturating")
            calibration[kind] = {"service_ms": [1e3 * s for s in service_s[kind]], "servers": servers[kind],
                                 "saturation": _saturate(bench, kind, servers[kind], service_s[kind],
                                                         params.saturation_s, params.min_requests,
                                                         params.seed + 1000 + index)}
            bar.update()
            for fraction in params.fractions:
                rate = fraction * calibration[kind]["saturation"]["capacity"]
                bar.set_postfix_str(f"{kind}s at {fraction:.0%} ({rate:.3g}/s)")
                length = params.prove_step_s if kind == "proof" else params.verify_step_s
                steps.append(_step_row(bench, kind, fraction, rate, step_duration(length, rate, params.min_requests),
                                       params.seed + len(steps)))
                bar.update()
        bar.close()
        if server:
            try:
                prometheus["alerts_end"] = [{key: rule[key] for key in ("group", "name", "state", "health")}
                                            for rule in server.rules() if rule["type"] == "alerting"]
                prometheus["targets_up"] = server.targets_up()
            except PrometheusError as error:
                prometheus["error"] = f"at the end: {type(error).__name__}: {error}"
    return {"label": pattern.label, "circuit": circuit, "cores": cores, "workers": workers, "queue": queue,
            "calibration": calibration, "steps": steps, "prometheus": prometheus}


def _model(calibration, kind, steps, queue, cores):
    """The M/G/c prediction of a tier from its calibration's service times: per offered rate
    of a grid up to the last step's and of every step, and the rate at which the SLA crosses."""
    _, quantile, sla_name, error_name, _, _ = KINDS[kind]
    service_s = np.asarray(calibration["service_ms"]) / 1e3
    servers = calibration["servers"]
    limit = queue if kind == "proof" else None
    top = max(row["offered_rate"] for row in steps)
    rates = sorted({*np.linspace(top / 20, top, 20).tolist(), *(row["offered_rate"] for row in steps)})
    sla_rate = queueing.sla_rate(service_s, servers, quantile, guide_value(sla_name), limit,
                                 guide_value(error_name))
    return {"servers": servers, "queue": limit, "service_mean_ms": float(np.mean(service_s) * 1e3),
            "saturation_rate": servers / float(np.mean(service_s)),
            "rows": queueing.predict(rates, service_s, servers, limit),
            "sla_rate": sla_rate, "sla_rate_per_core": None if sla_rate is None else sla_rate / cores}


def _accounting(rows, at_sla, cores):
    """CPU shared with the generator at the step where the SLA last holds: the server's
    CPU-seconds per request, the generator's share of the cores, the rate the CPU left to the
    service allows, and the capacity at SLA per core left to the service and per core."""
    row = rows[at_sla["from_step"]] if at_sla["from_step"] is not None else rows[0]
    generator = row["generator_cpu_share"] or 0.0
    per_request = row["server_cpu_s_per_request"]
    rate = at_sla["rate"]
    return {"step_offered_rate": row["offered_rate"], "server_cpu_s_per_request": per_request,
            "generator_cpu_share": generator, "server_cpu_cores": row["server_cpu_cores"],
            "cores_left_to_service": cores * (1 - generator),
            "cpu_bound_rate": None if not per_request else cores * (1 - generator) / per_request,
            "rate_per_cpu_s": None if not per_request else 1 / per_request,
            "per_machine_core": None if rate is None else rate / cores,
            "per_core_left": None if rate is None else rate / (cores * (1 - generator))}


def run(params=None):
    """Serve the circuit, load it step by step, and derive the capacity at SLA, the M/G/c
    prediction and the plans from them."""
    params = params or Params()
    if not params.fractions or min(params.fractions) <= 0:
        raise StudyError(f"load test: fractions of the capacity must be > 0, got {params.fractions}")
    raw, record = measured(lambda: _measure(params))
    cores, sla, at_sla, model, accounting = raw["cores"], {}, {}, {}, {}
    for kind, (_, quantile, sla_name, error_name, _, _) in KINDS.items():
        steps = sorted((row for row in raw["steps"] if row["kind"] == kind), key=lambda row: row["offered_rate"])
        rows = [row for row in steps if row["sent"]] or steps  # capacity_at_sla's indices are of these
        sla[kind] = {"percentile": quantile, "bound_ms": guide_value(sla_name),
                     "max_error_share": guide_value(error_name)}
        at_sla[kind] = capacity_at_sla(rows, f"p{quantile}_ms", sla[kind]["bound_ms"], sla[kind]["max_error_share"])
        accounting[kind] = _accounting(rows, at_sla[kind], cores)
        at_sla[kind]["per_core"] = accounting[kind]["per_core_left"]
        model[kind] = _model(raw["calibration"][kind], kind, rows, raw["queue"], cores)
    source = (f"capacity at SLA of `zkwork serve` ({raw['label']}, {raw['workers']} workers) under open-loop load, "
              f"per core left to it by the load generator, this run on {record.machine['cpu_model']}")
    measured_rates = (at_sla["proof"]["per_core"], at_sla["verification"]["per_core"])
    model_rates = (model["proof"]["sla_rate_per_core"], model["verification"]["sla_rate_per_core"])
    return Result(params.to_json(), record, raw["label"], raw["circuit"], cores, raw["workers"], raw["queue"], sla,
                  {"proof": list(PROOF_BUCKETS_MS), "verification": list(VERIFICATION_BUCKETS_MS)},
                  raw["calibration"], {kind: raw["calibration"][kind]["saturation"]["capacity"] for kind in KINDS},
                  raw["steps"], at_sla, model, accounting, raw["prometheus"],
                  plan_at_sla(*measured_rates, source).summary() if all(measured_rates) else {},
                  plan_at_sla(*model_rates, f"M/G/c prediction from the service times of {raw['label']}, this run")
                  .summary() if all(model_rates) else {})


def _rows(result, kind):
    return sorted((row for row in result.steps if row["kind"] == kind), key=lambda row: row["offered_rate"])


def figures(result):
    """load-test-latency (P50/P95/P99 against offered load, exact with the SLA percentile's
    confidence interval, Prometheus's estimate, the M/G/c prediction, the SLA) and
    load-test-goodput (goodput and the 503 share against offered load, M/G/c beside)."""
    import matplotlib.pyplot as plt

    latency, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    for ax, kind in zip(axes, KINDS):
        rows, sla, model = _rows(result, kind), result.sla[kind], result.model[kind]
        offered = [row["offered_rate"] for row in rows]
        for q, style in ((50, "o-"), (95, "s-"), (99, "^-")):
            ax.plot(offered, [row[f"p{q}_ms"] or np.nan for row in rows], style, label=f"P{q} measured")
        key = f"p{sla['percentile']}"
        low = [row[f"{key}_ms"] - (row["confidence"][key][0] or row[f"{key}_ms"]) if row[f"{key}_ms"] else 0
               for row in rows]
        high = [(row["confidence"][key][1] or row[f"{key}_ms"]) - row[f"{key}_ms"] if row[f"{key}_ms"] else 0
                for row in rows]
        ax.errorbar(offered, [row[f"{key}_ms"] or np.nan for row in rows], yerr=[low, high], fmt="none",
                    ecolor="black", capsize=3, label=f"P{sla['percentile']} 95 % interval")
        prom = [(row["prometheus"] or {}).get(f"{key}_ms") for row in rows]
        ax.plot(offered, [np.nan if value is None else value for value in prom], "x", ms=9, color="tab:purple",
                label=f"P{sla['percentile']} Prometheus (buckets)")
        predicted = [r for r in model["rows"] if r[f"{key}_ms"] is not None]
        ax.plot([r["rate"] for r in predicted], [r[f"{key}_ms"] for r in predicted], "--", color="grey",
                label=f"P{sla['percentile']} M/G/c")
        ax.axhline(sla["bound_ms"], color="tab:red", label=f"SLA P{sla['percentile']} < {sla['bound_ms']:g} ms")
        at_sla = result.capacity_at_sla[kind]["rate"]
        if at_sla:
            ax.axvline(at_sla, color="tab:green", linestyle=":", label=f"capacity at SLA {at_sla:.3g}/s")
        ax.set(xlabel=f"offered {kind}s/s", ylabel="ms (from the scheduled start)", yscale="log",
               title=f"{kind}s")
        ax.legend(fontsize=7)
    latency.suptitle(f"{result.label}: latency under open-loop load, measured in this run")
    latency.tight_layout()

    goodput, axes = plt.subplots(1, 2, figsize=(13, 4.2))
    for ax, kind in zip(axes, KINDS):
        rows, model = _rows(result, kind), result.model[kind]
        offered = [row["offered_rate"] for row in rows]
        ax.plot(offered, [row["goodput"] for row in rows], "o-", label="goodput (2xx/s)")
        ax.plot(offered, offered, ":", color="grey", label="offered")
        ax.axhline(result.capacity[kind], color="tab:orange", linestyle="--", label="saturated capacity")
        ax.set(xlabel=f"offered {kind}s/s", ylabel="per second", title=f"{kind}s")
        share = ax.twinx()
        share.plot(offered, [100 * row["share_503"] for row in rows], "s-", color="tab:red", label="503 share")
        predicted = [r for r in model["rows"] if r["rejected_share"] is not None]
        share.plot([r["rate"] for r in predicted], [100 * r["rejected_share"] for r in predicted], "--",
                   color="tab:pink", label="503 share M/G/c")
        share.set(ylabel="% of requests sent", ylim=(0, 100))
        handles = ax.get_legend_handles_labels()[0] + share.get_legend_handles_labels()[0]
        ax.legend(handles=handles, fontsize=7, loc="upper left")
    goodput.suptitle(f"{result.label}: goodput and 503s against offered load, measured in this run")
    goodput.tight_layout()
    return {"load-test-latency": latency, "load-test-goodput": goodput}
