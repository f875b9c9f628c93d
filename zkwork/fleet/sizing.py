"""The smallest static fleet of a tier that meets its SLA at a constant rate, found by
bisection over simulations (the model's answer to "how many servers for this peak",
to set beside zkwork.capacity's arithmetic and the guide's counts)."""
from dataclasses import replace

from zkwork.errors import ZkworkError
from zkwork.fleet.traffic import constant
from zkwork.fleet.model import simulate


class SizingError(ZkworkError, ValueError):
    """No fleet up to the bound meets the SLA, or a bound below one server."""


def meets_sla(tier, config, rate, duration_s=300, seed=0, mode="hybrid"):
    """Whether `config` as a static fleet of config.replicas servers serves `rate` requests/s
    for `duration_s` with every minute's SLA quantile within it and nothing rejected."""
    rates = {"proof": 0.0, "verification": 0.0, tier: rate}
    profile = constant(rates["proof"], rates["verification"], duration_s)
    summary = simulate(profile, {tier: replace(config, rules=None)}, mode=mode, seed=seed).tier_summary(tier)
    return summary["minutes_within_sla"] == 1.0 and summary["rejected"] == 0


def smallest_fleet(tier, config, rate, max_servers=200, **run):
    """The fewest servers of `config` (static) meeting the SLA at `rate` (meets_sla's `run`
    arguments: duration_s, seed, mode); SizingError if `max_servers` do not."""
    if max_servers < 1:
        raise SizingError(f"max_servers must be >= 1, not {max_servers}")
    if not meets_sla(tier, replace(config, replicas=max_servers), rate, **run):
        raise SizingError(f"{max_servers} {tier} servers do not meet the SLA at {rate:g} requests/s")
    low, high = 0, max_servers  # low fails (no servers), high meets
    while high - low > 1:
        middle = (low + high) // 2
        if meets_sla(tier, replace(config, replicas=middle), rate, **run):
            high = middle
        else:
            low = middle
    return high
