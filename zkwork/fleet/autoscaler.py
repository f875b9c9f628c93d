"""The guide's autoscaler as step rules, evaluated every `interval_s`.

Scale up (Scaling Considerations › Horizontal Scaling › Scaling Triggers): CPU > 70 %
adds 20 % more instances, latency quantile over its trigger (proof P95 > 800 ms) adds
10 %, queue depth > 100 adds 30 %. When several fire, the largest step wins (a
Kubernetes HPA also takes the highest of its metrics' recommendations). A step adds
ceil(replicas * step) instances, capped at max_replicas.
Scale down (Compute Resources: "down at 30%"): CPU < 30 % with no up-rule firing removes
max(1, floor(replicas * down_step)) instances, floored at min_replicas; the guide gives no
step, 10 % is an assumption.

Timing, none of it in the guide: `interval_s` 15 s (the Kubernetes HPA's default sync
period, --horizontal-pod-autoscaler-sync-period); `up_cooldown_s` 60 s after a scale-up
before the next (the period of the autoscaling/v2 default scale-up policies: at most
double, or +4 pods, per 60 s); `down_cooldown_s` 300 s since the last scale event of
either kind before a scale-down (the HPA's default scale-down stabilization window);
`startup_s` 60 s from a scale-up until the new server takes requests (an assumption: a pod
on an existing node with its image pulled; a zkwork worker's JIT warm-up is ~30 s of CPU,
zkwork.bench.throughput; a new node takes minutes: sweep it).

Metrics (assumptions, the guide does not define them): CPU is the tier's mean
utilisation over the last interval; the latency quantile is over requests that arrived in
the last `latency_window_s` (60 s, as a Prometheus histogram_quantile over rate[1m]), and
no rule fires on fewer than `min_latency_samples`; queue depth is the tier's total of
requests waiting (not in service) at the evaluation.

The proof tier's figures are the guide's (its HPA: min 10, max 100 replicas). The guide
gives the verification tier only "scale up at 70% CPU, down at 30%"; its defaults here:
min 10 and max 25 replicas (its server count, 10-25), the same CPU and queue rules, and a
P99 trigger at 40 ms with a 10 % step, by analogy with the proof tier's (800 ms is 80 % of
its 1 s P95 SLA; 40 ms is 80 % of verification's 50 ms P99 SLA).
"""
from dataclasses import dataclass, field, replace
from math import ceil, floor

from zkwork.errors import ZkworkError
from zkwork.capacity import guide_source, guide_value


class ScalingRulesError(ZkworkError, ValueError):
    """Scaling rules that contradict themselves: min > max replicas, thresholds out of order."""


@dataclass(frozen=True)
class ScalingRules:
    """One tier's autoscaler: bounds, up-rules, the down-rule and their timing (module docstring)."""

    min_replicas: int
    max_replicas: int
    latency_trigger_s: float  # None: no latency rule
    latency_quantile: float
    cpu_up: float = 0.70
    cpu_up_step: float = 0.20
    latency_step: float = 0.10
    queue_up: float = 100
    queue_step: float = 0.30
    cpu_down: float = 0.30
    down_step: float = 0.10
    interval_s: float = 15.0
    up_cooldown_s: float = 60.0
    down_cooldown_s: float = 300.0
    startup_s: float = 60.0
    latency_window_s: float = 60.0
    min_latency_samples: int = 20
    sources: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if not 1 <= self.min_replicas <= self.max_replicas:
            raise ScalingRulesError(f"need 1 <= min_replicas <= max_replicas, not {self.min_replicas}, "
                                    f"{self.max_replicas}")
        if not 0 <= self.cpu_down < self.cpu_up:
            raise ScalingRulesError(f"need 0 <= cpu_down < cpu_up, not {self.cpu_down}, {self.cpu_up}")
        if min(self.interval_s, self.up_cooldown_s, self.down_cooldown_s, self.startup_s) < 0 \
                or self.interval_s == 0:
            raise ScalingRulesError("interval_s must be > 0 and cooldowns and start-up delay >= 0")


@dataclass(frozen=True)
class Decision:
    """What one evaluation decided: the new replica target, the rules whose condition held,
    and whether a cooldown held the change back."""

    replicas: int
    fired: tuple
    held_by_cooldown: bool = False


_TIMING = {
    "interval_s": "Kubernetes HPA default sync period (15 s)",
    "up_cooldown_s": "period of the autoscaling/v2 default scale-up policies (60 s)",
    "down_cooldown_s": "Kubernetes HPA default scale-down stabilization window (300 s)",
    "startup_s": "assumption: pod on an existing node, image pulled, JIT warm-up and key load",
    "down_step": "assumption: the guide gives no scale-down step",
    "metrics": "assumption: CPU mean over the interval, latency quantile over 60 s, queue = tier total waiting",
}


def proof_rules(**overrides):
    """The guide's proof-tier autoscaler (HPA zkp-proof-gen-hpa and its Scaling Triggers)."""
    sources = {name: guide_source(name) for name in (
        "proof_min_replicas", "proof_max_replicas", "scale_up_cpu_threshold", "scale_up_cpu_step",
        "proof_p95_trigger_ms", "scale_up_p95_step", "queue_depth_trigger", "scale_up_queue_step",
        "scale_down_cpu_threshold")}
    rules = ScalingRules(
        min_replicas=guide_value("proof_min_replicas"), max_replicas=guide_value("proof_max_replicas"),
        latency_trigger_s=guide_value("proof_p95_trigger_ms") / 1000, latency_quantile=0.95,
        **_guide_steps(), sources={**sources, **_TIMING})
    return replace(rules, **overrides)


def verification_rules(**overrides):
    """The verification tier's autoscaler: the guide's CPU thresholds, the rest by analogy (module docstring)."""
    low, high = guide_value("verification_servers")
    sources = {"replicas": guide_source("verification_servers"),
               "cpu": guide_source("scale_down_cpu_threshold"),
               "latency": "assumption: P99 > 40 ms (80 % of the 50 ms P99 SLA, as 800 ms is of 1 s) adds 10 %",
               "queue": "assumption: the proof tier's queue rule", **_TIMING}
    rules = ScalingRules(min_replicas=low, max_replicas=high, latency_trigger_s=0.040, latency_quantile=0.99,
                         **_guide_steps(), sources=sources)
    return replace(rules, **overrides)


def _guide_steps():
    return {"cpu_up": guide_value("scale_up_cpu_threshold"), "cpu_up_step": guide_value("scale_up_cpu_step"),
            "latency_step": guide_value("scale_up_p95_step"), "queue_up": guide_value("queue_depth_trigger"),
            "queue_step": guide_value("scale_up_queue_step"),
            "cpu_down": guide_value("scale_down_cpu_threshold")}


def fired_rules(rules, cpu, latency_s, queue_depth):
    """The rules whose condition holds: names among 'cpu', 'latency', 'queue' (up) and 'down'.
    `latency_s` None means too few requests to tell: the latency rule cannot fire."""
    up = []
    if cpu > rules.cpu_up:
        up.append("cpu")
    if rules.latency_trigger_s is not None and latency_s is not None and latency_s > rules.latency_trigger_s:
        up.append("latency")
    if queue_depth > rules.queue_up:
        up.append("queue")
    if not up and cpu < rules.cpu_down:
        return ("down",)
    return tuple(up)


def decide(rules, replicas, cpu, latency_s, queue_depth, now, last_up_s, last_down_s):
    """The replica target after one evaluation at `now` of a tier at `replicas`, given its
    metrics and the times of the last scale-up and scale-down (None: never)."""
    fired = fired_rules(rules, cpu, latency_s, queue_depth)
    bounded = min(max(replicas, rules.min_replicas), rules.max_replicas)
    if not fired:
        return Decision(bounded, fired)
    if fired == ("down",):
        last = max((t for t in (last_up_s, last_down_s) if t is not None), default=None)
        if last is not None and now - last < rules.down_cooldown_s:
            return Decision(bounded, fired, held_by_cooldown=True)
        return Decision(max(rules.min_replicas, bounded - max(1, floor(bounded * rules.down_step))), fired)
    if last_up_s is not None and now - last_up_s < rules.up_cooldown_s:
        return Decision(bounded, fired, held_by_cooldown=True)
    steps = {"cpu": rules.cpu_up_step, "latency": rules.latency_step, "queue": rules.queue_step}
    step = max(steps[name] for name in fired)
    return Decision(min(rules.max_replicas, bounded + ceil(bounded * step)), fired)
