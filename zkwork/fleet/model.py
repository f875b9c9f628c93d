"""The fleet model on SimPy: both tiers of the guide over a traffic profile, with the
balancers, the autoscalers, start-up delays and zone failures.

Two modes, the same processes around them:
- "exact": every request is simulated. Each tier's arrivals are a Poisson process at the
  profile's per-second rate; the balancer sends each to a running server (servers.FcfsServer:
  FCFS over its worker slots, start and finish exact at arrival, one SimPy event per request).
  Cost grows with requests: for small cases and for checking the hybrid mode.
- "hybrid": the whole tier is the per-second aggregate model (aggregate.AggregateTier: CPU,
  queue depth, rejections, servers, cost), and `sample_servers` request-level servers of it
  measure latency. A sample server gets its share of the arrivals as the balancer would
  give it: every n-th arrival under round-robin (Erlang-n gaps), Poisson at rate / n under
  least connections (a conservative stand-in, servers.py says why). To bound the events, a
  sample server is simulated for the first `window` seconds of each minute, the window
  sized so the tier's samples see at most `sample_requests_per_minute` requests; a window
  shorter than the minute starts from the aggregate's state (busy slots, waiting requests).
  With sample_servers=0 the latency quantiles come from the aggregate model alone.
In both, the autoscaler evaluates every rules.interval_s, new servers take requests
rules.startup_s after they are started (and are billed from then), a scale-down removes
starting servers first, then running ones (which finish what they admitted), and the
deployment restarts servers lost in a zone failure (they too take startup_s).
Randomness: numpy Generator(PCG64(seed)), one child stream per process, so a seed fixes a run.
"""
import heapq
from dataclasses import dataclass, field, replace
from math import ceil

import numpy as np

from zkwork.errors import UnknownNameError
from zkwork.resources import require_extra
from zkwork.fleet.aggregate import AggregateTier
from zkwork.fleet.autoscaler import decide, proof_rules, verification_rules
from zkwork.fleet.balancer import make_balancer
from zkwork.capacity import guide_value
from zkwork.fleet.results import FleetRun, MinuteLog
from zkwork.fleet.servers import PER_CORE_ASSUMPTION, FcfsServer, ServiceStream

MODES = ("exact", "hybrid")


@dataclass(frozen=True)
class TierConfig:
    """One tier: server shape, service times, autoscaler (None: a static fleet), balancer,
    starting replicas, unit price, SLA (quantile, seconds), request timeout, latency samples."""

    cores: int
    workers: int
    service: object  # servers.ServiceTimes
    rules: object  # autoscaler.ScalingRules or None
    balancer: str
    replicas: int
    price_month: float
    sla_quantile: float
    sla_s: float
    timeout_s: float
    sample_servers: int = 1
    sources: dict = field(default_factory=dict, compare=False)


def guide_tier(tier, service, **overrides):
    """The guide's `tier` ('proof' or 'verification') with `service` times: its cores (one
    worker per core, an assumption), rules, balancer, the cost section's server count as
    the starting replicas, its unit price, SLA and the load balancer's idle timeout. One
    sample server per tier; for verification (least connections) one server fed Poisson
    at rate / n is a conservative sample: sample_servers=k balances a group of k."""
    if tier not in ("proof", "verification"):
        raise UnknownNameError(f"unknown tier {tier!r}; the tiers are proof, verification")
    proof = tier == "proof"
    cores = guide_value(f"{tier}_server_cores")
    config = TierConfig(
        cores=cores, workers=cores, service=service, rules=proof_rules() if proof else verification_rules(),
        balancer=guide_value(f"{tier}_balancing"), replicas=50 if proof else 10,
        price_month=guide_value(f"{tier}_server_price_month"),
        sla_quantile=0.95 if proof else 0.99,
        sla_s=guide_value("proof_latency_p95_ms" if proof else "verification_latency_p99_ms") / 1000,
        timeout_s=guide_value("request_timeout_s"), sample_servers=1,
        sources={"replicas": "guide (Cost Estimation › Compute): 50 proof / 10 verification servers",
                 "workers": "assumption: one request per core at a time (the zkwork service's worker per core)",
                 "service": service.source, "per_core": PER_CORE_ASSUMPTION})
    return replace(config, **overrides)


class _Tier:
    """The running state of one tier in a simulation."""

    def __init__(self, name, config, rates, mode, rng, duration):
        self.name, self.config, self.rates, self.mode, self.rng = name, config, rates, mode, rng
        self.mean_s, self.scv = config.service.moments(config.cores, config.workers)
        self.balancer = make_balancer(config.balancer)
        self.busy = [0.0] * (duration + 1)
        self.desired = config.replicas
        self.starting = []  # heap of times the starting servers become ready
        self.servers = []  # exact: the running FcfsServers
        self.running = 0  # hybrid: the running server count
        self.aggregate = AggregateTier(config.workers, self.mean_s, self.scv, config.timeout_s)
        self.last_up = self.last_down = None
        self.log = MinuteLog(name, config, duration)
        self.stream = ServiceStream(config.service, rng, config.cores, config.workers)
        self.queue_now = 0.0
        for _ in range(config.replicas):
            self.add_running()

    def service_draw(self, n):
        """`n` service times (s) on one of this tier's servers."""
        return self.config.service.draw(self.rng, n, self.config.cores, self.config.workers)

    def running_count(self):
        """Servers taking requests."""
        return len(self.servers) if self.mode == "exact" else self.running

    def add_running(self):
        """One more server takes requests."""
        if self.mode == "exact":
            self.servers.append(FcfsServer(self.config.workers, self.config.timeout_s, self.busy))
        else:
            self.aggregate.resize(self.running, self.running + 1)
            self.running += 1

    def remove_running(self, count, now):
        """Stop sending requests to `count` running servers; (exact) they finish what they hold.
        Returns the requests they held (the lost ones, when they fail)."""
        count = min(count, self.running_count())
        if self.mode == "exact":
            gone, self.servers = self.servers[len(self.servers) - count:], self.servers[:len(self.servers) - count]
            return sum(server.in_system(now) for server in gone)
        held = self.aggregate.lose(count)
        self.aggregate.resize(self.running, self.running - count)
        self.running -= count
        return held

    def reconcile(self, now):
        """The deployment controller: running + starting towards `desired`, ready servers in."""
        while self.starting and self.starting[0] <= now:
            heapq.heappop(self.starting)
            self.add_running()
        missing = self.desired - self.running_count() - len(self.starting)
        for _ in range(max(0, missing)):
            heapq.heappush(self.starting, now + (self.config.rules.startup_s if self.config.rules else 0.0))
        if missing < 0:
            cancel = min(-missing, len(self.starting))
            self.starting = sorted(self.starting)[:len(self.starting) - cancel]  # the latest-started go first
            self.remove_running(-missing - cancel, now)


def simulate(profile, tiers, mode="hybrid", seed=0, sample_requests_per_minute=1000, latency_draws=2000):
    """Simulate `tiers` ({'proof': TierConfig, 'verification': TierConfig}, either may be
    left out) over `profile` (traffic.TrafficProfile) in `mode` ('exact' or 'hybrid');
    a results.FleetRun with per-minute tables and a summary."""
    if mode not in MODES:
        raise UnknownNameError(f"unknown mode {mode!r}; the modes are {', '.join(MODES)}")
    require_extra("fleet")
    import simpy  # an optional dependency: imported where it is used

    env = simpy.Environment()
    streams = np.random.Generator(np.random.PCG64(seed)).spawn(2 * len(tiers))
    duration = profile.duration_s
    states = {}
    for index, (name, config) in enumerate(sorted(tiers.items())):
        state = _Tier(name, config, profile.rates[name], mode, streams[2 * index], duration)
        states[name] = state
        env.process(_seconds(env, state, duration, latency_draws, mode))
        if config.rules is not None:
            env.process(_autoscale(env, state))
        if mode == "exact":
            env.process(_arrivals(env, state, duration, streams[2 * index + 1]))
        else:
            # Round-robin: each sample server its own every-n-th arrival; a pooled balancer:
            # one Poisson stream for the group of samples, balanced among them.
            groups = [1] * config.sample_servers if not state.balancer.pooled else [config.sample_servers]
            for group in filter(None, groups):
                rng = streams[2 * index + 1].spawn(1)[0]
                env.process(_sample_group(env, state, duration, rng, sample_requests_per_minute, group))
    for at, share in profile.zone_failures:
        env.process(_zone_failure(env, states.values(), at, share))
    env.run(until=duration + 1)  # events at t = duration (the last minute's close) included
    return FleetRun(profile, mode, seed, {name: state.log for name, state in states.items()})


def _seconds(env, tier, duration, latency_draws, mode):
    """Every second: the deployment controller, the aggregate step (hybrid), the records."""
    config = tier.config
    for second in range(duration):
        tier.reconcile(env.now)
        rate = tier.rates[second]
        if mode == "hybrid":
            n = tier.running
            rejected, queue, fluid, p_wait, conditional = tier.aggregate.step(
                rate, n, tier.balancer.arrival_scv(n), tier.balancer.pooled)
            tier.log.second(second, arrivals=rate, rejected=rejected, queue=queue, running=n,
                            starting=len(tier.starting), desired=tier.desired, utilisation=tier.aggregate.utilisation)
            tier.log.model_row((rate - rejected, fluid, p_wait, conditional))
            tier.queue_now = queue
        else:
            tier.queue_now = sum(server.waiting(env.now) for server in tier.servers)
            tier.log.second(second, queue=tier.queue_now, running=len(tier.servers), starting=len(tier.starting),
                            desired=tier.desired)
        yield env.timeout(1)
        if second % 60 == 59 or second == duration - 1:
            if mode == "exact":
                tier.log.utilisation_from_busy(second, tier.busy, config.workers)
            tier.log.close_minute(second // 60, tier.rng, latency_draws, tier.service_draw)


def _autoscale(env, tier):
    """Every rules.interval_s: the tier's metrics, the rules, the new replica target."""
    rules = tier.config.rules
    while True:
        yield env.timeout(rules.interval_s)
        now = env.now
        start = max(0, int(now - rules.interval_s))
        cpu = tier.log.mean_utilisation(start, int(now), tier.busy if tier.mode == "exact" else None,
                                        tier.config.workers)
        latency = tier.log.recent_quantile(now, rules.latency_window_s, rules.latency_quantile,
                                           rules.min_latency_samples, tier.rng)
        decision = decide(rules, tier.desired, cpu, latency, tier.queue_now, now, tier.last_up, tier.last_down)
        if decision.replicas != tier.desired:
            if decision.replicas > tier.desired:
                tier.last_up = now
            else:
                tier.last_down = now
            tier.log.scale_event(now, tier.desired, decision.replicas, decision.fired, cpu, latency, tier.queue_now)
            tier.desired = decision.replicas
            tier.reconcile(now)


def _arrivals(env, tier, duration, rng):
    """Exact mode: the tier's Poisson arrivals, each routed by the balancer to a running server."""
    exponentials, used = rng.standard_exponential(4096).tolist(), 0
    while env.now < duration:
        second = int(env.now)
        rate = tier.rates[second]
        if used == len(exponentials):
            exponentials, used = rng.standard_exponential(4096).tolist(), 0
        gap = exponentials[used] / rate if rate > 0 else float("inf")
        used += 1
        if env.now + gap >= second + 1:  # memoryless: start again at the next second's rate
            yield env.timeout(second + 1 - env.now)
            continue
        yield env.timeout(gap)
        now = env.now
        tier.log.arrival(now)
        if not tier.servers:
            tier.log.reject(now)
            continue
        admitted = tier.balancer.pick(tier.servers, now).admit(now, tier.stream.next())
        if admitted is None:
            tier.log.reject(now)
        else:
            tier.log.latency(now, admitted[1] - now)


def _sample_group(env, tier, duration, rng, budget, group):
    """Hybrid mode: `group` request-level servers fed their share (group / n) of the
    arrivals, minute by minute, balanced among them by the tier's balancer."""
    servers = [FcfsServer(tier.config.workers, tier.config.timeout_s, [0.0] * (duration + 1)) for _ in range(group)]
    balancer = make_balancer(tier.config.balancer)
    stream = ServiceStream(tier.config.service, rng, tier.config.cores, tier.config.workers)
    gaps = _GapStream(rng)
    continuous, next_at = False, None
    for minute in range(ceil(duration / 60)):
        start, end = minute * 60, min(duration, minute * 60 + 60)
        if env.now < start:
            yield env.timeout(start - env.now)
        per_server = float(tier.rates[start:end].mean()) / max(tier.running, 1)
        window = end - start
        if per_server > 0:
            window = min(window, budget / max(tier.config.sample_servers, 1) / per_server)
        if not (continuous and window >= end - start):
            aggregate, next_at = tier.aggregate, None
            for server in servers:
                server.preload(env.now, round(aggregate.utilisation * server.workers),
                               round(aggregate.lq + aggregate.backlog), stream)
        continuous = window >= end - start
        limit, rates, scv_of, log = start + window, tier.rates, tier.balancer.arrival_scv, tier.log
        while True:
            if next_at is None:
                # A gap is drawn at the rate of the second it starts in (Erlang gaps are not
                # memoryless: redrawing at each second's edge would thin the arrivals).
                running = max(tier.running, 1)
                rate = rates[min(int(env.now), duration - 1)] * min(group, running) / running
                next_at = env.now + gaps.next(scv_of(running) if group == 1 else 1.0, rate)
            if next_at >= limit:
                if not continuous or next_at == float("inf"):
                    next_at = None
                break
            yield env.timeout(next_at - env.now)
            now, next_at = next_at, None
            if tier.running > 0:
                server = servers[0] if group == 1 else balancer.pick(servers[:min(group, tier.running)], now)
                admitted = server.admit(now, stream.next())
                if admitted is not None:
                    log.latency(now, admitted[1] - now)


class _GapStream:
    """Inter-arrival gaps of one server: Gamma(1/scv) shape (Erlang-n for round-robin over n,
    exponential for scv 1) over the per-server rate, drawn in blocks per shape."""

    def __init__(self, rng):
        self.rng = rng
        self.shape, self.block, self.used = None, [], 0

    def next(self, scv, rate):
        """One gap (s) at `rate` per second with squared coefficient of variation `scv`."""
        if rate <= 0:
            return float("inf")
        shape = 1 / scv
        if shape != self.shape or self.used == len(self.block):
            self.shape, self.block, self.used = shape, (self.rng.standard_gamma(shape, 1024) / shape).tolist(), 0
        self.used += 1
        return self.block[self.used - 1] / rate


def _zone_failure(env, tiers, at, share):
    """At `at` s, every tier loses `share` of its running servers (rounded) and what they held."""
    yield env.timeout(at)
    for tier in tiers:
        failed = round(share * tier.running_count())
        lost = tier.remove_running(failed, env.now)
        tier.log.failure(env.now, failed, lost)
        tier.reconcile(env.now)
