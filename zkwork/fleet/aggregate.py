"""The aggregate model of a tier: n identical servers fed evenly by the balancer, stepped
once per second, with no request-level events.

Per server, with k = workers / mean service time (requests/s it completes when busy) and
lambda_s = rate / n:
- a fluid backlog B (requests beyond the steady-state queue) grows by (lambda_s - k) per
  second while the server is overloaded and drains otherwise; a request arriving behind it
  waits B / k. Past `timeout_s` of such wait (B > timeout_s * k) arrivals are rejected.
- below saturation (rho = lambda_s / k < RHO_CAP), the steady-state G/G/c queue of the
  second's rate: P(wait) from Erlang C, mean wait from Allen-Cunneen with the balancer's
  arrival variability (round-robin: 1/n) and the service times' (zkwork.queueing),
  c the server's workers, or, for a pooled balancer (least connections), all n * workers
  slots of the tier fed its whole rate; at or above RHO_CAP, those of RHO_CAP with the
  fluid backlog on top.
The tier's queue depth is n * (Lq + B), its CPU utilisation min(1, (B + lambda_s) / k).
Latency quantiles are estimated by drawing responses: the fluid wait, plus with P(wait) an
exponential wait of the conditional mean, plus a service time (`latency_draws`).
Approximations, stated: steady state within each second; a backlog shared evenly when the
server count changes (round-robin would leave it on the old servers); the exponential
conditional wait is exact for M/M/c only.
"""
import numpy as np

from zkwork.queueing import allen_cunneen_wait, erlang_c

RHO_CAP = 0.98


class AggregateTier:
    """The per-second fluid and G/G/c state of one tier's servers (module docstring)."""

    def __init__(self, workers, mean_service_s, service_scv, timeout_s):
        self.workers = workers
        self.mean_service_s = mean_service_s
        self.service_scv = service_scv
        self.capacity = workers / mean_service_s  # requests/s per busy server
        self.max_backlog = timeout_s * self.capacity
        self.backlog = 0.0
        self.lq = 0.0  # steady-state waiting requests per server at the last step
        self.utilisation = 0.0

    def step(self, rate, servers, arrival_scv, pooled=False):
        """Advance one second at `rate` requests/s over `servers` servers (one queue over all
        their slots if `pooled`); returns (rejected, queue depth of the tier, fluid wait s,
        P(wait), conditional mean wait s)."""
        if servers == 0:
            self.utilisation, self.lq = 0.0, 0.0
            return rate, 0.0, 0.0, 0.0, 0.0
        per_server = rate / servers
        start = self.backlog
        self.utilisation = min(1.0, (start + per_server) / self.capacity)
        backlog = max(0.0, start + per_server - self.capacity)
        rejected = max(0.0, backlog - self.max_backlog) * servers
        self.backlog = min(backlog, self.max_backlog)
        rho = min(per_server / self.capacity, RHO_CAP)
        p_wait = conditional = 0.0
        self.lq = 0.0
        if rho > 0:
            slots, queues = (self.workers * servers, servers) if pooled else (self.workers, 1)
            steady_rate = rho * self.capacity * queues  # into one queue
            p_wait = erlang_c(slots, rho * slots)
            wait = allen_cunneen_wait(steady_rate, self.mean_service_s, slots, self.service_scv, arrival_scv)
            self.lq = steady_rate * wait / queues  # per server
            conditional = wait / p_wait if p_wait > 0 else 0.0  # Erlang C underflows on many idle slots
        return rejected, servers * (self.lq + self.backlog), self.backlog / self.capacity, p_wait, conditional

    def resize(self, old, new):
        """Share the backlog of `old` servers evenly over `new` (a scale event)."""
        if new > 0 and old > 0:
            self.backlog = min(self.backlog * old / new, self.max_backlog)

    def lose(self, failed):
        """Requests lost with `failed` servers: their backlog, queue and requests in service."""
        return failed * (self.backlog + self.lq + self.utilisation * self.workers)


def latency_quantiles(seconds, service_draw, rng, draws, quantiles, sla_s):
    """(quantiles of the response time, share within `sla_s`) over `seconds`: rows of
    (arrivals, fluid wait, P(wait), conditional mean wait), each second weighted by its
    arrivals; `service_draw(n)` draws n service times. None if no arrivals."""
    rows = np.asarray(seconds, dtype=float).reshape(-1, 4)
    weights = rows[:, 0]
    if weights.sum() <= 0:
        return None
    picked = rows[rng.choice(len(rows), size=draws, p=weights / weights.sum())]
    waits = np.where(rng.random(draws) < picked[:, 2], rng.exponential(1.0, draws) * picked[:, 3], 0.0)
    response = picked[:, 1] + waits + service_draw(draws)
    return np.quantile(response, quantiles), float((response <= sla_s).mean())
