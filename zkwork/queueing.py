"""An M/G/c queue (Poisson arrivals, a general service-time distribution, c FCFS servers,
optionally at most `queue` waiting, the rest rejected) simulated from measured service times,
and the M/M/c closed forms (Erlang C) the simulation is checked against.

The load-test study (zkwork.studies.load_test) predicts the service's latency percentiles
per offered rate with it: c = the prover pool's workers (proofs) or the one verify thread
(verifications), service times resampled from the ones measured at low load, `queue` the
service's bounded prove queue (a request arriving with c + queue in the system gets 503).

Beside the model, the statistics the load test reads its measurements with: a distribution-free
confidence interval of a percentile from its sample (`order_statistic_interval`) and the
non-decreasing fit of percentiles over increasing loads (`monotone_fit`).

The simulation is seeded and bounded: `requests` arrivals per rate, the first WARM_UP share
discarded (the queue starts empty). Rates are compared on common random numbers (the same
uniform draws scaled by 1 / rate), so a higher rate never gets luckier arrivals."""
import heapq
import math

import numpy as np

from zkwork.capacity import CapacityInputError

WARM_UP = 0.1  # share of the simulated arrivals discarded while the queue fills from empty
DEFAULT_REQUESTS = 20_000


def erlang_c(servers, offered_load):
    """The probability that an arrival waits in an M/M/c queue with `servers` servers and
    `offered_load` = arrival rate / service rate (< servers) Erlangs (Erlang's C formula)."""
    if not 0 <= offered_load < servers:
        raise CapacityInputError(f"Erlang C needs 0 <= offered load < servers, got {offered_load} and {servers}")
    # Erlang B by its recurrence B(k) = a B(k-1) / (k + a B(k-1)), then C from B: no a^k / k!
    # term, so thousands of servers (a pooled fleet tier) neither overflow nor lose precision.
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return servers * blocking / (servers - offered_load * (1 - blocking))


def mmc_mean_wait(rate, service_rate, servers):
    """The mean time an arrival waits before service in an M/M/c queue (seconds)."""
    return erlang_c(servers, rate / service_rate) / (servers * service_rate - rate)


def allen_cunneen_wait(rate, mean_service_s, servers, service_scv, arrival_scv=1.0):
    """Approximate mean wait of a G/G/c queue: the M/M/c wait times (ca^2 + cs^2) / 2, with
    `service_scv` and `arrival_scv` the squared coefficients of variation (exact for M/M/c
    and M/G/1; the fleet model's aggregate tier, zkwork.fleet.aggregate, uses it)."""
    return mmc_mean_wait(rate, 1 / mean_service_s, servers) * (arrival_scv + service_scv) / 2


def simulate(rate, service_times, servers, queue=None, requests=DEFAULT_REQUESTS, seed=0):
    """(latencies in seconds of the admitted arrivals after the warm-up, rejected share) of
    `requests` Poisson arrivals at `rate`/s to `servers` FCFS servers whose service times
    are drawn with replacement from `service_times` (seconds); an arrival that finds
    servers + `queue` requests in the system is rejected (None: no limit)."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(-np.log(1.0 - rng.random(requests)) / rate)
    services = rng.choice(np.asarray(service_times, dtype=float), size=requests)
    limit = math.inf if queue is None else servers + queue
    free = [0.0] * servers  # when each server is next free (a heap)
    in_system = []  # finish times of the admitted requests not yet done (a heap)
    latencies, rejected, counted = [], 0, 0
    skip = int(WARM_UP * requests)
    for index, (arrival, service) in enumerate(zip(arrivals.tolist(), services.tolist())):
        while in_system and in_system[0] <= arrival:
            heapq.heappop(in_system)
        counted += index >= skip
        if len(in_system) >= limit:
            rejected += index >= skip
            continue
        finish = max(arrival, heapq.heappop(free)) + service
        heapq.heappush(free, finish)
        heapq.heappush(in_system, finish)
        if index >= skip:
            latencies.append(finish - arrival)
    return np.asarray(latencies), rejected / max(counted, 1)


def stable(rate, service_times, servers, queue=None):
    """Whether the queue has a steady state at `rate`: a bounded queue always does, an
    unbounded one while the utilisation rate * mean service time / servers is below 1."""
    return queue is not None or rate * float(np.mean(service_times)) < servers


def predict(rates, service_times, servers, queue=None, requests=DEFAULT_REQUESTS, seed=0):
    """Per offered rate: {"rate", "utilisation", "p50_ms", "p95_ms", "p99_ms", "rejected_share"}
    of the simulated steady state (percentiles None where an unbounded queue has none)."""
    mean = float(np.mean(service_times))
    rows = []
    for rate in rates:
        row = {"rate": float(rate), "utilisation": rate * mean / servers,
               "p50_ms": None, "p95_ms": None, "p99_ms": None, "rejected_share": None}
        if stable(rate, service_times, servers, queue):
            latencies, rejected = simulate(rate, service_times, servers, queue, requests, seed)
            if len(latencies):
                row.update({f"p{q}_ms": float(np.percentile(latencies, q) * 1e3) for q in (50, 95, 99)})
            row["rejected_share"] = rejected
        rows.append(row)
    return rows


def sla_rate(service_times, servers, quantile, bound_ms, queue=None, max_rejected=0.0,
             requests=DEFAULT_REQUESTS, seed=0, iterations=25):
    """The highest rate (per second) at which the simulated `quantile` (e.g. 95) of the
    latency stays below `bound_ms` and the rejected share at most `max_rejected`, by
    bisection between 0 and the saturation rate servers / mean service time; None when even
    a vanishing rate misses the bound (a service time alone exceeds it)."""
    saturation = servers / float(np.mean(service_times))

    def holds(rate):
        if not stable(rate, service_times, servers, queue):
            return False
        latencies, rejected = simulate(rate, service_times, servers, queue, requests, seed)
        return len(latencies) > 0 and np.percentile(latencies, quantile) * 1e3 < bound_ms \
            and rejected <= max_rejected

    low, high = 0.0, saturation
    if not holds(saturation * 1e-3):
        return None
    for _ in range(iterations):
        middle = (low + high) / 2
        low, high = (middle, high) if holds(middle) else (low, middle)
    return low


def binomial_cdf(n, p):
    """[P(B <= k) for k = 0..n] of B ~ Binomial(n, p), 0 < p < 1 (summed in log space: n may be thousands)."""
    logs = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p)
            + (n - k) * math.log1p(-p) for k in range(n + 1)]
    return np.cumsum(np.exp(logs)).tolist()


def order_statistic_interval(values, quantile, confidence=0.95):
    """[low, high] of a distribution-free `confidence` interval for the `quantile` (0..1) of
    the distribution `values` are drawn from: the sorted samples X(l) <= X(u) with
    P(X(l) <= q) >= 1 - tail and P(X(u) >= q) >= 1 - tail, tail = (1 - confidence) / 2, from
    the count of samples below q being Binomial(n, quantile); None for a side the sample is
    too small to bound (e.g. a P99's upper side below 368 samples at 95 %)."""
    data = np.sort(np.asarray(values, dtype=float))
    n = len(data)
    if n == 0:
        return [None, None]
    cdf, tail = binomial_cdf(n, quantile), (1 - confidence) / 2
    low_rank = max((rank for rank in range(1, n + 1) if cdf[rank - 1] <= tail), default=0)
    high_rank = min((rank for rank in range(1, n + 1) if cdf[rank - 1] >= 1 - tail), default=None)
    return [float(data[low_rank - 1]) if low_rank else None,
            float(data[high_rank - 1]) if high_rank is not None else None]


def monotone_fit(values, weights):
    """The weighted least-squares non-decreasing fit of `values` (pool adjacent violators):
    a percentile or a 503 share can only grow with the offered load, so a dip between steps is
    noise; an infinite value (a step that answered nothing) pools to infinity."""
    blocks = []  # [mean, weight, values pooled]
    for value, weight in zip(values, weights):
        blocks.append([value, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (high, high_weight, high_count), (low, low_weight, low_count) = blocks.pop(-2), blocks.pop()
            total = high_weight + low_weight
            blocks.append([(high * high_weight + low * low_weight) / total, total, high_count + low_count])
    return [mean for mean, _, count in blocks for _ in range(count)]
