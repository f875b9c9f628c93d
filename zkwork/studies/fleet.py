"""The guide's fleet over a day, by discrete-event simulation (zkwork.fleet, issue #17),
driven by service times measured in this run.

What `run` does:
  1. measures, in this process, the service times of the circuit mix: each circuit's keys
     made (zkwork.groth16.setup), then `proof_runs` end-to-end proofs (input JSON text in,
     proof JSON text out: zkwork.bench.throughput.end_to_end, as the throughput and latency
     studies time a request) and `verify_runs` verifications (proof JSON text in), on ONE
     numba thread, each request's CPU-seconds kept: the time a request takes on a core of its
     own (CPU-seconds stay honest on a machine shared with other work, wall seconds do not);
  2. simulates the guide's fleet (zkwork.fleet.model.guide_tier: 8-core proof servers, 4-core
     verification servers, the guide's autoscaler) over the diurnal day, the flash crowd and
     the zone failure, hybrid mode (per-second aggregate + request-level sample servers);
  3. where a scenario misses a tier's SLA, the smallest static fleet meeting it at the
     scenario's highest rate (zkwork.fleet.sizing);
  4. the cost/SLA frontier: a sweep over the proof autoscaler's CPU threshold and start-up
     delay on the flash-crowd window, on dask (SWEEPS["small"] by default, "full" a parameter);
  5. what-ifs priced in servers and dollars at the guide's peak: the reference circuit beside
     the hardened one, membership at each depth of `depths` (keys made and proofs measured in
     this run; none extrapolated), snarkjs's fullProve (measured in this run when `peers`);
  6. with `load_test_path`, the validation against the load test (`validate_with_load_test`).
Every result carries zkwork.fleet.servers.PER_CORE_ASSUMPTION: service times measured here on
one core are taken to hold per core on the guide's servers."""
import json
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from zkwork.capacity import guide_value
from zkwork.fleet import traffic
from zkwork.fleet.servers import PER_CORE_ASSUMPTION, measured_service, one_server_latencies
from zkwork.patterns import PATTERNS, get_pattern
from zkwork.studies.base import Result as BaseResult
from zkwork.studies.base import StudyError, StudyParams, measured, say
from zkwork.studies.load_test import KINDS as LOAD_TEST_KINDS
from zkwork.studies.load_test import Result as LoadTestResult

NAME = "fleet"
NOTEBOOK = "fleet-simulation"
PURPOSE = "the guide's fleet over a day by simulation from measured service times: SLAs, autoscaling, cost, what-ifs"
TIME_BUDGET_S = {"default": 180, "quick": 60}
SCENARIOS = {"diurnal day": traffic.diurnal_day, "flash crowd": traffic.flash_crowd,
             "zone failure": traffic.zone_failure}
# The autoscaler settings swept for the cost/SLA frontier (proof tier).
SWEEPS = {"small": {"proof.rules.cpu_up": (0.5, 0.7), "proof.rules.startup_s": (30.0, 180.0)},
          "full": {"proof.rules.cpu_up": (0.5, 0.6, 0.7, 0.8), "proof.rules.startup_s": (15.0, 60.0, 180.0, 300.0),
                   "proof.rules.min_replicas": (10, 50), "proof.rules.max_replicas": (100, 150)}}
VALIDATION_TOLERANCE = 0.20  # the model's P95 within +-20 % of the load test's (issue #17)
VALIDATION_MAX_FRACTION = 0.80  # steps up to 80 % of the measured capacity
MINUTE_COLUMNS = ("minute", "arrivals", "rejected", "p95_ms", "p99_ms", "within_sla", "running", "replicas",
                  "utilisation", "queue_depth")


@dataclass(frozen=True)
class Params(StudyParams):
    """The circuit mix ({pattern: weight}, None: `pattern` alone) at production or small
    sizes, measured proofs and verifications, the what-ifs (reference variant, membership
    depths, snarkjs), scenarios (and an hours window to cut them to), the sweep, the dask
    cluster, the sample servers per tier, the seed, and a load-test result to validate against."""

    pattern: str = "membership"
    variant: str = "hardened"
    mix: dict = None
    small_sizes: bool = False
    proof_runs: int = 10
    verify_runs: int = 60
    whatif_runs: int = 5
    reference: bool = True
    depths: tuple = (16, 20, 24, 32)
    peers: bool = True
    scenarios: tuple = tuple(SCENARIOS)
    window_h: tuple = None
    sweep: str = "small"
    sweep_scenario: str = "flash crowd"
    sweep_window_h: tuple = (12.0, 17.0)
    sample_servers: int = 1
    n_workers: int = 2
    scheduler_address: str = None
    seed: int = 0
    load_test_path: str = None

    @classmethod
    def quick(cls):
        """Small circuits, no depth or snarkjs what-ifs, the scenarios cut to 13 h - 15 h."""
        return cls(small_sizes=True, proof_runs=5, verify_runs=20, whatif_runs=3, depths=(), peers=False,
                   window_h=(13.0, 15.0), sweep_window_h=(13.5, 15.0))

    @classmethod
    def small(cls):
        """The quick size on one scenario of 40 minutes and one dask worker."""
        return replace(cls.quick(), scenarios=("flash crowd",), window_h=(13.7, 14.4),
                       sweep_window_h=(13.8, 14.3), n_workers=1, reference=False)


@dataclass
class Result(BaseResult):
    """`circuits`: every measured circuit (role, label, CPU ms per proof and verification);
    `scenarios`: per scenario the fleet's summary, per-minute rows and scale events per tier,
    and its verdicts; `fixes`: the smallest static fleets where a scenario misses; `sweep`:
    the frontier's rows; `whatifs`: servers and dollars per variant; `validation` against the
    load test (None without one); `assumption`: the per-core assumption every figure carries."""

    assumption: str
    sizes: str
    mix: dict
    circuits: list
    scenarios: list
    fixes: list
    sweep: dict
    whatifs: list
    validation: dict = None

    def headline(self):
        """One line per scenario: does the guide's fleet meet both SLAs, at what cost."""
        parts = []
        for scenario in self.scenarios:
            verdicts = ", ".join(f"{tier} {'meets' if v['meets'] else 'misses'} its SLA"
                                 for tier, v in scenario["verdicts"].items())
            parts.append(f"{scenario['name']}: {verdicts}, ${scenario['summary']['compute_cost_month_usd']:,.0f}"
                         f"/month compute")
        return "; ".join(parts) + f" ({self.sizes} sizes; assumption: per-core rates hold)"


# -- measurement -------------------------------------------------------------------------------

def _verification_s(pvk, proof_text, public_text):
    """CPU-seconds of one verification request: proof and public JSON text in, a verdict out."""
    from zkwork.groth16 import verify
    from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json

    start = time.process_time()
    accepted = verify(pvk, public_from_json(json.loads(public_text)), proof_from_json(json.loads(proof_text)))
    spent = time.process_time() - start
    if not accepted:
        raise StudyError("fleet: a proof made in this run does not verify")
    return spent


def measure_circuit(pattern, proof_runs, verify_runs=0):
    """{label, constraints, setup_s, proof_cpu_ms, proof_wall_ms, verify_cpu_ms} of `pattern`:
    its keys made, one untimed proof (JIT), `proof_runs` end-to-end proofs and `verify_runs`
    verifications, on one numba thread (the numba default restored after)."""
    import numba

    from zkwork.bench.throughput import end_to_end, input_text
    from zkwork.groth16 import prepare_verifying_key, setup
    from zkwork.prover import Prover
    from zkwork.r1cs.witness_program import WitnessProgram

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        program = WitnessProgram.record(pattern.circuit)
        started = time.perf_counter()
        pk = setup(program.r1cs)
        setup_s = time.perf_counter() - started
        prover, request = Prover(program, pk, label=pattern.label), input_text(pattern)
        texts, _ = end_to_end(prover, request)  # the first call loads the JIT cache: not timed
        stages = [end_to_end(prover, request)[1] for _ in range(proof_runs)]
        pvk = prepare_verifying_key(pk.vk)
        verify_cpu = [_verification_s(pvk, *texts) for _ in range(verify_runs + (1 if verify_runs else 0))][1:]
    finally:
        numba.set_num_threads(threads)
    return {"label": pattern.label, "constraints": program.r1cs.num_constraints, "setup_s": setup_s,
            "proof_cpu_ms": [1e3 * s["end_to_end_cpu_s"] for s in stages],
            "proof_wall_ms": [1e3 * s["end_to_end_s"] for s in stages],
            "verify_cpu_ms": [1e3 * s for s in verify_cpu]}


def _pattern(name, variant, params, **size):
    sizes = PATTERNS[name].small_params() if params.small_sizes else {}
    return get_pattern(name, variant, **{**sizes, **size})


def _snarkjs_circuit(pattern, runs):
    """snarkjs's fullProve of the Circom twin (groth16.fullProve: input to proof, its end to
    end), CPU-seconds taken as wall x the cores its harness used; or {"error": why}."""
    from zkwork.bench.snarkjs_peer import measure_snarkjs
    from zkwork.resources import resource_dir

    main_file = resource_dir("circuits") / "main" / f"{pattern.main_name}.circom"
    try:
        peer = measure_snarkjs(main_file, pattern.sample_inputs(), runs=runs, verify_runs=1)
    except Exception as error:  # a peer that cannot run is reported, not fatal
        return {"error": f"{type(error).__name__}: {error}"}
    cores = int(peer.get("cpus") or 1)
    wall = peer.get("fullprove_ms") or peer["prove_ms"]
    return {"label": f"snarkjs {pattern.label}", "constraints": peer["constraints"], "proof_wall_ms": list(wall),
            "proof_cpu_ms": [cores * ms for ms in wall], "cores": cores,
            "what": "groth16.fullProve" if peer.get("fullprove_ms") else "groth16.prove (witness not timed)"}


def _measure(params, mix):
    """Every circuit of the mix, then the what-ifs' circuits (module docstring)."""
    circuits = []
    for name in mix:
        say(f"fleet: measuring {name}/{params.variant} ({params.proof_runs} proofs, {params.verify_runs} verifications)")
        circuits.append({"role": "mix", "pattern": name, "variant": params.variant,
                         **measure_circuit(_pattern(name, params.variant, params), params.proof_runs,
                                           params.verify_runs)})
    if params.reference and params.variant != "reference":
        say(f"fleet: what-if, {params.pattern}/reference")
        circuits.append({"role": "reference", "pattern": params.pattern, "variant": "reference",
                         **measure_circuit(_pattern(params.pattern, "reference", params), params.whatif_runs)})
    if params.pattern == "membership":
        measured_depth = None if params.small_sizes else get_pattern("membership", params.variant).params["depth"]
        for depth in params.depths:
            if depth == measured_depth and params.pattern in mix:
                main = next(row for row in circuits if row["role"] == "mix" and row["pattern"] == "membership")
                circuits.append({**main, "role": f"depth {depth}", "depth": depth})  # the mix's circuit itself
                continue
            say(f"fleet: what-if, membership depth {depth} (keys made, {params.whatif_runs} proofs)")
            circuits.append({"role": f"depth {depth}", "pattern": "membership", "variant": params.variant,
                             "depth": depth, **measure_circuit(get_pattern("membership", params.variant, depth=depth),
                                                               params.whatif_runs)})
    if params.peers:
        say(f"fleet: what-if, snarkjs on {params.pattern}/{params.variant}")
        circuits.append({"role": "snarkjs", "pattern": params.pattern, "variant": params.variant,
                         **_snarkjs_circuit(_pattern(params.pattern, params.variant, params), params.whatif_runs)})
    return circuits


# -- simulation ----------------------------------------------------------------------------------

def _services(circuits, mix):
    """(proof, verification) ServiceTimes of the mix from the measured CPU-seconds (one core each)."""
    rows = {row["pattern"]: row for row in circuits if row["role"] == "mix"}
    source = "measured in this run: CPU-seconds per end-to-end request on one thread"
    proof = measured_service({n: np.asarray(rows[n]["proof_cpu_ms"]) / 1e3 for n in mix}, 1, mix, source)
    verification = measured_service({n: np.asarray(rows[n]["verify_cpu_ms"]) / 1e3 for n in mix}, 1, mix, source)
    return proof, verification


def _tiers(services, params):
    from zkwork.fleet.model import guide_tier

    return {tier: guide_tier(tier, service, sample_servers=params.sample_servers)
            for tier, service in zip(("proof", "verification"), services)}


def _profile(name, window_h):
    profile = SCENARIOS[name]()
    if window_h:
        profile = traffic.window(profile, int(window_h[0] * 3600), int(window_h[1] * 3600))
    return profile


def _plain(value):
    """`value` with numpy scalars as Python numbers and NaN as None (JSON without NaN)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def verdict(tier, tier_summary):
    """Whether `tier` met its SLAs over a run: every minute's latency percentile within the
    bound (latency_ok), and the requests rejected or lost with failed servers within the
    guide's error rate (errors_ok: proof 0.1 %, verification 0.01 %); the shares beside it."""
    minutes, requests = tier_summary["minutes_within_sla"], tier_summary["requests"]
    errors = tier_summary["rejected"] + tier_summary["lost"]
    error_share = errors / requests if requests else 0.0
    latency_ok = minutes == 1.0
    errors_ok = error_share <= guide_value(f"{tier}_error_rate")
    return {"meets": bool(latency_ok and errors_ok), "latency_ok": bool(latency_ok), "errors_ok": bool(errors_ok),
            "minutes_within_sla": minutes, "requests_within_sla": tier_summary["requests_within_sla"],
            "rejected": tier_summary["rejected"], "lost": tier_summary["lost"], "error_share": error_share,
            "worst_minute_ms": tier_summary["worst_minute_ms"], "sla": tier_summary["sla"]}


def _scenario(name, tiers, params):
    from zkwork.fleet.model import simulate

    profile = _profile(name, params.window_h)
    say(f"fleet: simulating {profile.name} ({profile.duration_s / 3600:g} h, hybrid)")
    started = time.perf_counter()
    run = simulate(profile, tiers, mode="hybrid", seed=params.seed)
    summary = run.summary()
    return {"name": name, "profile": profile.name, "start_h": (params.window_h or (0.0,))[0],
            "simulated_s": time.perf_counter() - started, "summary": _plain(summary),
            "verdicts": {tier: verdict(tier, values) for tier, values in summary["tiers"].items()},
            "peak_rates": {tier: float(rate.max()) for tier, rate in profile.rates.items()},
            "failure_share": max((share for _, share in profile.zone_failures), default=0.0),
            "minutes": {tier: _plain(run.minutes(tier)[list(MINUTE_COLUMNS)].to_dict("records")) for tier in tiers},
            "events": {tier: _plain(run.events(tier).to_dict("records")) for tier in tiers}}


def _fixes(scenarios, tiers):
    """For every tier a scenario misses: the smallest static fleet meeting the latency SLA
    at the scenario's highest rate (zkwork.fleet.sizing.smallest_fleet); for a miss by
    requests lost with failed servers alone, why no fleet size is the fix."""
    from zkwork.fleet.sizing import SizingError, smallest_fleet

    fixes = []
    for scenario in scenarios:
        for tier, v in scenario["verdicts"].items():
            if v["meets"]:
                continue
            rate, config = scenario["peak_rates"][tier], tiers[tier]
            servers, note = None, (f"{v['lost']:.0f} requests lost with the failed servers ({v['error_share']:.4%}, "
                                   "above the guide's error rate): no fleet size saves requests in flight on a "
                                   "failed server; client retries would")
            if not v["latency_ok"] or v["rejected"]:
                try:
                    servers = smallest_fleet(tier, config, rate,
                                             max_servers=max(10, 4 * _servers_at_full_cpu(config, rate)))
                    note = "static fleet, no autoscaler, 5 minutes at the scenario's highest rate"
                except SizingError as error:
                    note = str(error)
                share = scenario.get("failure_share", 0.0)
                if servers is not None and 0 < share < 1:
                    servers = math.ceil(servers / (1 - share))
                    note += f", sized so that the servers left after losing {share:.0%} in the zone failure meet it"
            fixes.append({"scenario": scenario["name"], "tier": tier, "rate": rate, "servers": servers,
                          "cost_month_usd": None if servers is None else servers * config.price_month, "note": note})
    return fixes


def _servers_at_full_cpu(config, rate):
    mean_s, _ = config.service.moments(config.cores, config.workers)
    return math.ceil(rate * mean_s / config.workers)


def _sweep(tiers, params):
    from zkwork.fleet.sweep import grid, run_sweep

    if params.sweep not in SWEEPS:
        raise StudyError(f"fleet: sweep is one of {', '.join(SWEEPS)}, not {params.sweep!r}")
    profile = _profile(params.sweep_scenario, params.sweep_window_h)
    axes = SWEEPS[params.sweep]
    cases = grid(profile, tiers, axes, seeds=(params.seed,), mode="hybrid")
    say(f"fleet: sweep {params.sweep} ({len(cases)} cases) on {profile.name}, dask")
    frame = run_sweep(cases, scheduler_address=params.scheduler_address, n_workers=params.n_workers)
    return {"name": params.sweep, "axes": _plain(axes), "profile": profile.name, "cases": len(cases),
            "rows": _plain(frame.to_dict("records"))}


def _whatifs(circuits, tiers):
    """Per measured circuit: the proof tier's servers at the guide's peak by the 70 %-CPU rule
    and by simulation (the smallest static fleet meeting the SLA), and their dollars."""
    from zkwork.fleet.sizing import SizingError, smallest_fleet

    peak, threshold = guide_value("proof_peak_rate"), guide_value("scale_up_cpu_threshold")
    base = tiers["proof"]
    rows = []
    for row in circuits:
        if "proof_cpu_ms" not in row:
            rows.append({"what": row["role"], "label": row.get("label", row["role"]), "error": row.get("error")})
            continue
        service = measured_service(np.asarray(row["proof_cpu_ms"]) / 1e3, 1, source=f"measured: {row['label']}")
        config = replace(base, service=service)
        mean_s, _ = service.moments(config.cores, config.workers)
        at_threshold = math.ceil(peak * mean_s / (config.workers * threshold))
        p95_ms = float(np.percentile(row["proof_cpu_ms"], 95))
        servers, note = None, (f"no fleet meets the SLA: a proof alone takes {p95_ms:,.0f} ms at P95 on a core of "
                               "its own (one request per core; a server proving one request on all its cores "
                               "is not what was measured)")
        if p95_ms < base.sla_s * 1e3:
            try:
                servers = smallest_fleet("proof", config, peak,
                                         max_servers=max(10, 4 * _servers_at_full_cpu(config, peak)))
                note = "simulated: smallest static fleet meeting P95 at the peak"
            except SizingError as error:
                note = f"no fleet meets the SLA: {error}"
        rows.append({"what": row["role"], "label": row["label"], "constraints": row["constraints"],
                     "proof_cpu_ms_mean": float(np.mean(row["proof_cpu_ms"])), "proof_cpu_ms_p95": p95_ms,
                     "servers_at_70pct_cpu": at_threshold, "cost_at_70pct_usd": at_threshold * config.price_month,
                     "servers_at_sla": servers,
                     "cost_at_sla_usd": None if servers is None else servers * config.price_month, "note": note})
    return rows


# -- validation against the load test --------------------------------------------------------------

def read_load_test(path):
    """The load test's Result from its JSON file, or None when there is none at `path`."""
    path = Path(path)
    if not path.is_file():
        return None
    return LoadTestResult.from_json(json.loads(path.read_text()))


def _model_quantile(service, workers, rate, quantile, requests, seed):
    _, responses = one_server_latencies(service, workers, workers, rate, requests, seed)
    kept = responses[int(0.1 * requests):]  # the queue starts empty: the first tenth is warm-up
    return float(np.nanpercentile(kept, quantile))


def _model_sla_rate(service, workers, quantile, bound_s, requests, seed, iterations=12):
    """The highest rate at which one server's simulated `quantile` stays below `bound_s`
    (bisection up to saturation); None when a request alone exceeds the bound."""
    mean_s, _ = service.moments(workers, workers)
    low, high = 0.0, workers / mean_s
    if _model_quantile(service, workers, high * 1e-3, quantile, requests, seed) >= bound_s:
        return None
    for _ in range(iterations):
        middle = (low + high) / 2
        low, high = (middle, high) if _model_quantile(service, workers, middle, quantile, requests,
                                                      seed) < bound_s else (low, middle)
    return low


def validate_with_load_test(load, requests=4000, seed=0):
    """The one-server model (zkwork.fleet.servers.one_server_latencies, the load test's
    calibration service times, its workers) against a load_test.Result: per step up to
    VALIDATION_MAX_FRACTION of the capacity, the model's P95 beside the measured one (within
    VALIDATION_TOLERANCE?); per tier, the model's capacity at SLA and the servers each
    implies for the guide's peak, against the load test's capacity at SLA."""
    steps, sizing = [], {}
    for kind, (_, quantile, sla_name, _, _, _) in LOAD_TEST_KINDS.items():
        calibration = load.calibration[kind]
        service = measured_service(np.asarray(calibration["service_ms"]) / 1e3, 1,
                                   source=f"the load test's calibration ({load.label})")
        workers = calibration["servers"]
        for row in sorted((r for r in load.steps if r["kind"] == kind), key=lambda r: r["offered_rate"]):
            if row["fraction"] > VALIDATION_MAX_FRACTION or row["p95_ms"] is None:
                continue
            model_ms = 1e3 * _model_quantile(service, workers, row["offered_rate"], 95, requests, seed)
            ratio = model_ms / row["p95_ms"]
            steps.append({"kind": kind, "fraction": row["fraction"], "offered_rate": row["offered_rate"],
                          "measured_p95_ms": row["p95_ms"], "model_p95_ms": model_ms, "ratio": ratio,
                          "within": abs(ratio - 1) <= VALIDATION_TOLERANCE,
                          "generator_cpu_share": row.get("generator_cpu_share")})
        bound_s = guide_value(sla_name) / 1e3
        model_rate = _model_sla_rate(service, workers, quantile, bound_s, requests, seed)
        measured_rate = load.capacity_at_sla[kind]["rate"]
        peak, cores = guide_value(f"{kind}_peak_rate"), guide_value(f"{kind}_server_cores")

        def servers(rate):
            return None if not rate else math.ceil(peak / (rate / load.cores * cores))

        calibration_ms = float(np.mean(calibration["service_ms"]))
        saturation_ms = 1e3 * workers / calibration["saturation"]["capacity"]
        sizing[kind] = {"model_rate": None if model_rate is None else float(model_rate), "measured_rate": measured_rate,
                        "measured_method": load.capacity_at_sla[kind].get("method"),
                        "calibration_mean_ms": calibration_ms, "saturation_service_ms": saturation_ms,
                        "ratio": None if not (model_rate and measured_rate) else float(model_rate / measured_rate),
                        "model_servers": servers(model_rate), "measured_servers": servers(measured_rate),
                        "agrees": _agrees(model_rate, measured_rate, load.capacity_at_sla[kind].get("method")),
                        "percentile": quantile, "bound_ms": guide_value(sla_name)}
    return {"label": load.label, "cores": load.cores, "steps": steps, "sizing": sizing,
            "all_within": bool(steps) and all(row["within"] for row in steps), "notes": _differences(sizing)}


def _agrees(model_rate, measured_rate, method):
    """Whether the model's capacity at SLA agrees with the measured one: within the tolerance,
    or, where every measured step held (the measurement is a lower bound), not below it."""
    if not (model_rate and measured_rate):
        return False
    ratio = model_rate / measured_rate
    if (method or "").startswith("lower bound"):
        return bool(ratio >= 1 - VALIDATION_TOLERANCE)
    return bool(abs(ratio - 1) <= VALIDATION_TOLERANCE)


def _differences(sizing):
    """What explains a model away from the measurement, from the figures themselves."""
    notes = ["the model gives each worker a core of its own and no other load: the load generator shares the "
             "cores (its share is beside each step), and the service's bounded queue answers 503 where the model "
             "queues (the load test's capacity at SLA says which bound it hit)"]
    for kind, row in sizing.items():
        alone, loaded = row["calibration_mean_ms"], row["saturation_service_ms"]
        if abs(alone / loaded - 1) <= VALIDATION_TOLERANCE:
            continue
        why = ("a request alone took longer than under load: the few calibration samples hold outliers the model "
               "resamples" if alone > loaded else
               "requests ran slower under load than alone: the workers, the server process and the generator "
               "share the cores (and a lone request may use more than one core's threads), so per-core rates do "
               "not hold on this machine at saturation")
        notes.append(f"{kind}: the model's service times (the calibration's, mean {alone:.3g} ms one at a time) are "
                     f"not the {loaded:.3g} ms per request per worker the saturating step sustained: {why}")
    return notes


# -- run and figures ----------------------------------------------------------------------------

def run(params=None):
    """Measure the service times, simulate the scenarios, sweep, price the what-ifs and,
    given a load-test result, validate against it."""
    params = params or Params()
    mix = dict(params.mix or {params.pattern: 1.0})
    if params.pattern not in mix or set(mix) - set(PATTERNS):
        raise StudyError(f"fleet: the mix {mix} must name patterns of zkwork.patterns and include {params.pattern!r}")
    unknown = set(params.scenarios) - set(SCENARIOS)
    if unknown or params.sweep_scenario not in SCENARIOS:
        raise StudyError(f"fleet: scenarios are among {', '.join(SCENARIOS)}, not {sorted(unknown)}")

    def work():
        circuits = _measure(params, mix)
        tiers = _tiers(_services(circuits, mix), params)
        scenarios = [_scenario(name, tiers, params) for name in params.scenarios]
        load = read_load_test(params.load_test_path) if params.load_test_path else None
        validation = validate_with_load_test(load, seed=params.seed) if load else None
        if params.load_test_path and load is None:
            validation = {"missing": f"no load-test result at {params.load_test_path}"}
        return circuits, scenarios, _fixes(scenarios, tiers), _sweep(tiers, params), _whatifs(circuits, tiers), \
            validation

    (circuits, scenarios, fixes, sweep, whatifs, validation), record = measured(work, threads=1)
    return Result(params.to_json(), record, PER_CORE_ASSUMPTION, "small" if params.small_sizes else "production",
                  mix, circuits, scenarios, fixes, sweep, whatifs, validation)


def circuit_rows(result):
    """One row per measured circuit: role, label, constraints, mean CPU ms per proof and verification."""
    def mean(values):
        return float(np.mean(values)) if values else None

    return [{"role": c["role"], "circuit": c.get("label"), "constraints": c.get("constraints"),
             "proof_cpu_ms_mean": mean(c.get("proof_cpu_ms")), "verify_cpu_ms_mean": mean(c.get("verify_cpu_ms")),
             "error": c.get("error")} for c in result.circuits]


def verdict_rows(result):
    """One row per scenario and tier: the verdict, mean and largest servers, dollars against the guide's."""
    rows = []
    for scenario in result.scenarios:
        for tier, v in scenario["verdicts"].items():
            totals = scenario["summary"]["tiers"][tier]
            rows.append({"scenario": scenario["name"], "tier": tier, **v, "mean_servers": totals["mean_servers"],
                         "max_target": totals["max_replicas"], "cost_month_usd": totals["cost_month_usd"],
                         "guide_cost_month_usd": totals["guide_static_cost_month_usd"]})
    return rows


def frontier(rows, compliance="proof.minutes_within_sla", cost="compute_cost_month_usd"):
    """The rows no other row beats on both cost (lower) and compliance (higher), by cost."""
    ordered = sorted((r for r in rows if r.get(compliance) is not None), key=lambda r: (r[cost], -r[compliance]))
    best, kept = -1.0, []
    for row in ordered:
        if row[compliance] > best:
            kept.append(row)
            best = row[compliance]
    return kept


def _values(rows, key):
    return np.array([np.nan if row[key] is None else row[key] for row in rows], dtype=float)


def figures(result):
    """fleet-day (proof replicas and P95 over each scenario, scale events marked) and
    fleet-frontier (compute cost against the share of minutes within the proof SLA)."""
    import matplotlib.pyplot as plt

    day, axes = plt.subplots(len(result.scenarios), 1, figsize=(12, 3.2 * len(result.scenarios)), squeeze=False)
    for ax, scenario in zip(axes[:, 0], result.scenarios):
        rows = scenario["minutes"]["proof"]
        hours = [scenario["start_h"] + row["minute"] / 60 for row in rows]
        ax.plot(hours, [row["running"] for row in rows], color="tab:blue", label="proof servers running")
        ax.step(hours, [row["replicas"] for row in rows], where="post", color="tab:blue", alpha=0.4,
                linestyle="--", label="replica target")
        for event in scenario["events"]["proof"]:
            ax.axvline(scenario["start_h"] + event["time_s"] / 3600, color="tab:green" if event["after"] >
                       event["before"] else "tab:orange", alpha=0.25, linewidth=0.8)
        ax.set(ylabel="servers", title=f"{scenario['profile']}: proof tier (green/orange: scale up/down)")
        right = ax.twinx()
        right.plot(hours, _values(rows, "p95_ms"), color="tab:red", linewidth=0.8, label="P95 (ms)")
        right.axhline(guide_value("proof_latency_p95_ms"), color="tab:red", linestyle=":")
        right.set(ylabel="P95 ms (dotted: SLA)", yscale="log")
        ax.legend(loc="upper left", fontsize=8)
    axes[-1, 0].set_xlabel("hour of the day")
    day.suptitle(f"The guide's fleet, simulated from service times measured in this run\n"
                 f"assumption: {result.assumption}", fontsize=8)
    day.tight_layout()

    front, ax = plt.subplots(figsize=(8, 5))
    rows = [row for row in result.sweep["rows"] if row.get("proof.minutes_within_sla") is not None]
    ax.scatter([r["compute_cost_month_usd"] for r in rows], [r["proof.minutes_within_sla"] for r in rows],
               color="tab:blue", label="swept settings")
    for r in rows:
        ax.annotate(", ".join(f"{k.split('.')[-1]}={v:g}" for k, v in r.items() if k in result.sweep["axes"]),
                    (r["compute_cost_month_usd"], r["proof.minutes_within_sla"]), fontsize=7)
    edge = frontier(rows)
    ax.plot([r["compute_cost_month_usd"] for r in edge], [r["proof.minutes_within_sla"] for r in edge],
            color="tab:red", label="frontier")
    ax.axvline(guide_value("compute_cost_month"), color="grey", linestyle=":", label="guide's compute cost")
    ax.set(xlabel="compute $/month (a month at the simulated window's rates)", ylabel="share of minutes with proof P95 within SLA",
           title=f"Cost against SLA compliance: {result.sweep['profile']} ({result.sweep['name']} sweep)")
    ax.legend(fontsize=8)
    front.tight_layout()
    return {"fleet-day": day, "fleet-frontier": front}
