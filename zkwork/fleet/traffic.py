"""Arrival-rate profiles of the two tiers, one rate per second of simulated time.

A TrafficProfile holds, for every second, the proof and verification arrival rates
(requests/s; arrivals within a second are a Poisson process at that rate), and the zone
failures: (time in s, share of each tier's running servers lost). Profiles:

- `diurnal_day`: a day whose rate follows a raised cosine between `trough_share` of the peak
  (at peak_hour - 12) and the guide's peak, 1,000 proofs/s and 5,000 verifications/s, at
  `peak_hour`. The shape and the trough are assumptions (the guide gives only the peaks);
  trough 0.1 puts a day at 0.55 * 6,000 * 86,400 = 2.85e8 requests, inside the issue's
  2-3e8.
- `migration_day`: the diurnal day times the share of traffic on zkwork in a migration step
  (`migration_steps`: the guide's Pilot and GA percentages; Beta's share is not given,
  taken as the Pilot's last, 25 %, an assumption).
- `flash_crowd`: the diurnal day with `multiple` x the guide's peak for `duration_s` from
  the peak hour (3x for 10 minutes: the issue's scenario, not the guide's).
- `zone_failure`: the diurnal day with `share` (a third: one zone of three) of every tier's
  servers lost at the peak hour.
`window` cuts any profile to [start_s, end_s) for short runs.
"""
from dataclasses import dataclass, field, replace

import numpy as np

from zkwork.errors import ZkworkError
from zkwork.capacity import guide_source, guide_value

DAY_S = 86_400
TIERS = ("proof", "verification")


class TrafficProfileError(ZkworkError, ValueError):
    """A profile parameter out of range: a negative rate, a share outside [0, 1], an empty window."""


@dataclass(frozen=True)
class TrafficProfile:
    """Per-second arrival rates of both tiers, the zone failures, and where the figures come from."""

    name: str
    rates: dict  # tier -> float array, requests/s for each second
    zone_failures: tuple = ()  # (time_s, share of running servers lost), time relative to the start
    sources: dict = field(default_factory=dict)

    @property
    def duration_s(self):
        """The profile's length in seconds."""
        return len(self.rates["proof"])

    def expected_requests(self):
        """The expected number of requests of each tier over the profile."""
        return {tier: float(rate.sum()) for tier, rate in self.rates.items()}


def _shape(duration_s, peak_hour, trough_share):
    if not 0 <= trough_share <= 1:
        raise TrafficProfileError(f"trough_share is a share of the peak in [0, 1], not {trough_share}")
    hours = np.arange(duration_s) / 3600
    return trough_share + (1 - trough_share) * (1 + np.cos(2 * np.pi * (hours - peak_hour) / 24)) / 2


def diurnal_day(proof_peak=None, verification_peak=None, peak_hour=14.0, trough_share=0.1, share=1.0):
    """A day of raised-cosine traffic peaking at `peak_hour` at the guide's peaks (or those
    given), `trough_share` of them at the trough, all multiplied by `share` (of traffic on zkwork)."""
    if not 0 <= share <= 1:
        raise TrafficProfileError(f"share is the part of traffic on zkwork, in [0, 1], not {share}")
    shape = _shape(DAY_S, peak_hour, trough_share) * share
    peaks = {"proof": proof_peak, "verification": verification_peak}
    rates, sources = {}, {}
    for tier in TIERS:
        if peaks[tier] is None:
            peaks[tier] = guide_value(f"{tier}_peak_rate")
            sources[f"{tier}_peak"] = guide_source(f"{tier}_peak_rate")
        else:
            sources[f"{tier}_peak"] = "assumption: set by the caller"
        if peaks[tier] < 0:
            raise TrafficProfileError(f"{tier} peak rate must be >= 0, not {peaks[tier]}")
        rates[tier] = peaks[tier] * shape
    sources["shape"] = (f"assumption: raised cosine, peak at {peak_hour:g} h, trough {trough_share:g} of the "
                        f"peak; share of traffic on zkwork {share:g}")
    return TrafficProfile("diurnal day" if share == 1 else f"diurnal day at {share:.0%}", rates, (), sources)


def migration_steps():
    """[(phase, share of traffic on zkwork)] for every step of the guide's migration."""
    beta = guide_value("pilot_shares")[-1]
    return ([("Pilot", s) for s in guide_value("pilot_shares")] + [("Beta", beta)]
            + [("GA", s) for s in guide_value("ga_shares")])


def migration_day(phase, share, **diurnal):
    """The diurnal day of one migration step: `share` of the traffic, named by its phase."""
    profile = diurnal_day(share=share, **diurnal)
    sources = dict(profile.sources, phase=(guide_source("pilot_shares") if phase != "GA"
                                           else guide_source("ga_shares")))
    if phase == "Beta":
        sources["phase"] = "assumption: Beta's share is not in the guide; the Pilot's last step, 25 %"
    return replace(profile, name=f"{phase} {share:.0%}", sources=sources)


def flash_crowd(multiple=3.0, duration_s=600, peak_hour=14.0, **diurnal):
    """The diurnal day with `multiple` x its peak rate for `duration_s` seconds from the peak hour."""
    profile = diurnal_day(peak_hour=peak_hour, **diurnal)
    start = int(peak_hour * 3600)
    if multiple < 0 or not 0 < duration_s <= DAY_S - start:
        raise TrafficProfileError(f"flash crowd of {multiple}x for {duration_s} s does not fit the day")
    rates = {}
    for tier, rate in profile.rates.items():
        rates[tier] = rate.copy()
        rates[tier][start:start + duration_s] = multiple * rate.max()
    sources = dict(profile.sources, flash_crowd=f"assumption (issue #17): {multiple:g}x peak for {duration_s} s "
                                                f"from {peak_hour:g} h")
    return replace(profile, name=f"flash crowd {multiple:g}x", rates=rates, sources=sources)


def zone_failure(share=1 / 3, peak_hour=14.0, **diurnal):
    """The diurnal day with `share` of every tier's running servers lost at the peak hour."""
    if not 0 <= share <= 1:
        raise TrafficProfileError(f"share of servers lost must be in [0, 1], not {share}")
    profile = diurnal_day(peak_hour=peak_hour, **diurnal)
    sources = dict(profile.sources, zone_failure=f"assumption (issue #17): {share:.3g} of the servers "
                                                  f"(one zone of three) lost at {peak_hour:g} h")
    return replace(profile, name="zone failure", zone_failures=((int(peak_hour * 3600), share),), sources=sources)


def constant(proof_rate, verification_rate, duration_s):
    """Constant rates for `duration_s` seconds (queueing checks, load-test comparisons)."""
    return steps([(duration_s, proof_rate, verification_rate)],
                 name=f"constant {proof_rate:g}/{verification_rate:g} per s")


def steps(segments, name="load steps"):
    """Piecewise-constant rates: `segments` is [(duration_s, proof_rate, verification_rate)]
    (scripted load steps, for checking the autoscaler)."""
    proof, verification = [], []
    for duration_s, proof_rate, verification_rate in segments:
        if proof_rate < 0 or verification_rate < 0 or int(duration_s) < 1:
            raise TrafficProfileError(f"a step needs rates >= 0 and >= 1 s, not {duration_s}, {proof_rate}, "
                                      f"{verification_rate}")
        proof.append(np.full(int(duration_s), float(proof_rate)))
        verification.append(np.full(int(duration_s), float(verification_rate)))
    if not proof:
        raise TrafficProfileError("steps needs at least one segment")
    return TrafficProfile(name, {"proof": np.concatenate(proof), "verification": np.concatenate(verification)}, (),
                          {"rates": "assumption: set by the caller"})


def window(profile, start_s, end_s):
    """`profile` cut to [start_s, end_s): its rates and the zone failures inside, times shifted."""
    if not 0 <= start_s < end_s <= profile.duration_s:
        raise TrafficProfileError(f"window [{start_s}, {end_s}) is not inside the profile's {profile.duration_s} s")
    failures = tuple((t - start_s, s) for t, s in profile.zone_failures if start_s <= t < end_s)
    rates = {tier: rate[int(start_s):int(end_s)] for tier, rate in profile.rates.items()}
    return replace(profile, name=f"{profile.name} [{start_s / 3600:g} h, {end_s / 3600:g} h)", rates=rates,
                   zone_failures=failures)
