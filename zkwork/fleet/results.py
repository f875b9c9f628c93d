"""What a fleet simulation records and how it is summed up.

MinuteLog (one per tier) keeps per-second counters (arrivals, rejected, lost, queue depth,
running / starting / desired servers, CPU utilisation), the latencies of request-level
requests (kept a few minutes, then folded into per-minute quantiles) or, when there are
none, the aggregate model's per-second rows (quantiles drawn per minute), the scale
events and the failures. FleetRun holds the logs of a run: per-minute tables, and
`summary()`: per tier the shares of minutes and of requests within the SLA, server-hours,
dollars per month at the guide's unit prices against the guide's static plan, and every
assumption the figures carry (the per-core one first).
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zkwork.fleet.aggregate import latency_quantiles
from zkwork.capacity import guide_value
from zkwork.fleet.servers import PER_CORE_ASSUMPTION

GUIDE_STATIC_SERVERS = {"proof": 50, "verification": 10}  # Cost Estimation › Compute


class MinuteLog:
    """Everything recorded of one tier during a run (module docstring)."""

    def __init__(self, tier, config, duration):
        self.tier, self.config, self.duration = tier, config, duration
        self.per_second = {name: np.zeros(duration) for name in (
            "arrivals", "rejected", "lost", "queue", "running", "starting", "desired", "utilisation")}
        self.minutes, self.events, self.failures = [], [], []
        self._latencies = {}  # second -> latencies (s) of the requests that arrived in it
        self._model_rows = []

    def second(self, second, **values):
        """Set this second's values (names of `per_second`)."""
        for name, value in values.items():
            self.per_second[name][second] = value

    def arrival(self, now):
        """One request arrived at `now`."""
        self.per_second["arrivals"][int(now)] += 1

    def reject(self, now):
        """One request arriving at `now` was rejected (no server, or its wait past the timeout)."""
        self.per_second["rejected"][int(now)] += 1

    def latency(self, now, seconds):
        """A request arriving at `now` will take `seconds` from arrival to response."""
        self._latencies.setdefault(int(now), []).append(seconds)

    def model_row(self, row):
        """Append the aggregate model's (admitted, fluid wait, P(wait), conditional wait) of a second."""
        self._model_rows.append(row)

    def utilisation_from_busy(self, second, busy, workers):
        """Fill the minute ending at `second` with CPU utilisation from the slots' busy time."""
        first = second - second % 60
        running = self.per_second["running"][first:second + 1] * workers
        used = np.asarray(busy[first:second + 1])
        self.per_second["utilisation"][first:second + 1] = np.minimum(
            1.0, np.divide(used, running, out=np.zeros_like(used), where=running > 0))

    def mean_utilisation(self, start, end, busy, workers):
        """The tier's CPU utilisation over seconds [start, end) (from `busy` when given)."""
        if end <= start:
            return 0.0
        if busy is None:
            return float(self.per_second["utilisation"][start:end].mean())
        capacity = self.per_second["running"][start:end].sum() * workers
        return min(1.0, float(sum(busy[start:end]) / capacity)) if capacity > 0 else 0.0

    def recent_quantile(self, now, window_s, quantile, min_samples, rng):
        """The `quantile` of latencies of requests that arrived in the last `window_s`, or
        None with fewer than `min_samples` of them; with no request-level latencies at all,
        the aggregate model's estimate over its last minute (drawn with `rng`)."""
        values = [v for s in range(max(0, int(now - window_s)), int(now)) for v in self._latencies.get(s, ())]
        if len(values) < min_samples:
            if self._model_rows and not self._latencies:
                return self._model_quantile(quantile, rng)
            return None
        return float(np.quantile(values, quantile))

    def _model_quantile(self, quantile, rng):
        rows = self._model_rows[-60:]
        found = latency_quantiles(rows, lambda n: self.config.service.draw(
            rng, n, self.config.cores, self.config.workers), rng, 500, [quantile], self.config.sla_s)
        return None if found is None else float(found[0][0])

    def close_minute(self, minute, rng, draws, service_draw):
        """Fold minute `minute`'s latencies (or model rows) into its P50/P95/P99 and SLA share."""
        first, end = minute * 60, min(self.duration, minute * 60 + 60)
        values = np.array([v for s in range(first, end) for v in self._latencies.get(s, ())])
        row = {"minute": minute, "measured": len(values), "latency_from": "requests"}
        if len(values):
            p50, p95, p99 = np.quantile(values, [0.5, 0.95, 0.99])
            within = float((values <= self.config.sla_s).mean())
        else:
            found = latency_quantiles(self._model_rows[-(end - first):], service_draw, rng, draws,
                                      [0.5, 0.95, 0.99], self.config.sla_s) if self._model_rows else None
            (p50, p95, p99), within = found if found else ((np.nan,) * 3, np.nan)
            row["latency_from"] = "model" if found else "none"
        row.update(p50_ms=1e3 * p50, p95_ms=1e3 * p95, p99_ms=1e3 * p99, within_sla=within)
        self.minutes.append(row)
        for second in [s for s in self._latencies if s < end - 120]:
            del self._latencies[second]
        if len(self._model_rows) > 120:
            del self._model_rows[:-120]

    def scale_event(self, now, before, after, fired, cpu, latency_s, queue):
        """The autoscaler changed the replica target at `now`."""
        self.events.append({"time_s": now, "before": before, "after": after, "rules": ",".join(fired),
                            "cpu": cpu, "latency_ms": None if latency_s is None else 1e3 * latency_s,
                            "queue_depth": queue})

    def failure(self, now, servers, lost):
        """`servers` servers failed at `now` with `lost` requests on them."""
        self.failures.append({"time_s": now, "servers": servers, "lost": lost})
        self.per_second["lost"][min(int(now), self.duration - 1)] += lost

    def frame(self):
        """One row per minute: arrivals, rejected, lost, latency quantiles (ms), SLA share of
        the measured requests, mean servers running / starting, the replica target at the
        minute's end, mean utilisation and queue depth, the largest queue depth."""
        rows = []
        for row in self.minutes:
            first, end = row["minute"] * 60, min(self.duration, row["minute"] * 60 + 60)
            part = {name: values[first:end] for name, values in self.per_second.items()}
            rows.append({**row, "arrivals": part["arrivals"].sum(), "rejected": part["rejected"].sum(),
                         "lost": part["lost"].sum(), "running": part["running"].mean(),
                         "starting": part["starting"].mean(), "replicas": part["desired"][-1],
                         "utilisation": part["utilisation"].mean(), "queue_depth": part["queue"].mean(),
                         "queue_depth_max": part["queue"].max()})
        frame = pd.DataFrame(rows)
        frame.attrs["assumption"] = PER_CORE_ASSUMPTION
        return frame


@dataclass
class FleetRun:
    """The logs of one simulation: `minutes(tier)`, `events(tier)`, `summary()`, `describe()`."""

    profile: object
    mode: str
    seed: int
    logs: dict

    def minutes(self, tier):
        """The per-minute table of `tier` (MinuteLog.frame)."""
        return self.logs[tier].frame()

    def events(self, tier):
        """The scale events of `tier` as a table."""
        return pd.DataFrame(self.logs[tier].events, columns=["time_s", "before", "after", "rules", "cpu",
                                                             "latency_ms", "queue_depth"])

    def tier_summary(self, tier):
        """One tier's totals over the run (module docstring)."""
        log, config = self.logs[tier], self.logs[tier].config
        frame = log.frame()
        requests = float(frame["arrivals"].sum())
        served = frame["arrivals"] - frame["rejected"] - frame["lost"]
        quantile = frame["p95_ms" if config.sla_quantile == 0.95 else "p99_ms"]
        judged = quantile.notna()
        billed_s = float((log.per_second["running"] + log.per_second["starting"]).sum())
        mean_servers = billed_s / log.duration
        static = GUIDE_STATIC_SERVERS[tier]
        return {
            "requests": requests, "rejected": float(frame["rejected"].sum()), "lost": float(frame["lost"].sum()),
            "sla": f"P{round(100 * config.sla_quantile)} <= {1e3 * config.sla_s:g} ms",
            "minutes_within_sla": float((quantile[judged] <= 1e3 * config.sla_s).mean()) if judged.any() else None,
            "requests_within_sla": float((served * frame["within_sla"].fillna(0)).sum() / requests) if requests else None,
            "worst_minute_ms": float(quantile.max()) if judged.any() else None,
            "mean_utilisation": float(np.average(log.per_second["utilisation"],
                                                 weights=np.maximum(log.per_second["running"], 1e-9))),
            "server_hours": billed_s / 3600, "mean_servers": mean_servers,
            "max_replicas": float(log.per_second["desired"].max()),
            "scale_ups": sum(e["after"] > e["before"] for e in log.events),
            "scale_downs": sum(e["after"] < e["before"] for e in log.events),
            "cost_month_usd": mean_servers * config.price_month,
            "guide_static_servers": static, "guide_static_cost_month_usd": static * config.price_month,
        }

    def summary(self):
        """Both tiers' totals, compute cost per month against the guide's, and the assumptions."""
        tiers = {tier: self.tier_summary(tier) for tier in self.logs}
        compute = sum(t["cost_month_usd"] for t in tiers.values())
        other = guide_value("non_compute_cost_month")
        return {
            "profile": self.profile.name, "mode": self.mode, "seed": self.seed,
            "duration_s": self.profile.duration_s, "tiers": tiers,
            "compute_cost_month_usd": compute, "guide_compute_cost_month_usd": guide_value("compute_cost_month"),
            "total_cost_month_usd": compute + other, "guide_total_cost_month_usd": guide_value("total_cost_month"),
            "cost_note": "a month of days like this one, at the guide's unit prices (not quotes) plus its "
                         f"non-compute ${other:,}/month",
            "assumptions": {"per_core": PER_CORE_ASSUMPTION, "profile": self.profile.sources,
                            **{f"{tier}.{k}": v for tier, log in self.logs.items()
                               for k, v in {**log.config.sources, "rules": (log.config.rules.sources
                                                                            if log.config.rules else "static")}.items()}},
        }

    def describe(self):
        """A few lines of text: the per-core assumption, then each tier's SLA, servers and cost."""
        summary = self.summary()
        lines = [f"assumption: {PER_CORE_ASSUMPTION}", f"{summary['profile']} ({self.mode}, seed {self.seed})"]
        for tier, t in summary["tiers"].items():
            share = "n/a" if t["minutes_within_sla"] is None else f"{t['minutes_within_sla']:.1%}"
            lines.append(f"{tier}: {t['requests']:.3g} requests, {t['sla']} in {share} of minutes, "
                         f"{t['requests_within_sla'] or 0:.2%} of requests within it, worst minute "
                         f"{t['worst_minute_ms'] or float('nan'):.0f} ms, {t['mean_servers']:.1f} servers on average "
                         f"(max target {t['max_replicas']:.0f}), ${t['cost_month_usd']:,.0f}/month vs the guide's "
                         f"{t['guide_static_servers']} servers ${t['guide_static_cost_month_usd']:,.0f}")
        lines.append(f"compute ${summary['compute_cost_month_usd']:,.0f}/month vs the guide's "
                     f"${summary['guide_compute_cost_month_usd']:,}")
        return "\n".join(lines)
