"""Service times and servers.

ServiceTimes: the time one request takes, drawn from measured samples (seconds per request,
per circuit, each measured on `measured_cores` cores) mixed by a circuit mix, or from an
exponential law (queueing checks). A request's work is its CPU-seconds, the measured wall
seconds times the cores it used; a server of `cores` cores running `workers` requests at a
time gives each cores / workers of them, so a request's service time there is
cpu_s * workers / cores. That is PER_CORE_ASSUMPTION, and every result carries it.

FcfsServer: one server, request by request: `workers` slots fed first come first served
from one queue. With FCFS and the service time drawn at arrival, a request's start and
finish are known when it arrives (the earliest free slot, Kiefer-Wolfowitz), so one event
per request suffices and the result is exact. A request whose wait would pass `timeout_s`
(the guide's load balancer idle timeout, 120 s) is rejected at arrival and uses no slot.
"""
import heapq
from collections import deque
from dataclasses import dataclass, field
import numpy as np

from zkwork.errors import ShapeMismatchError, ZkworkError

PER_CORE_ASSUMPTION = ("per-core rates hold: service times measured on N cores are scaled to a server's cores "
                       "as CPU-seconds (wall seconds x cores used), with no gain or loss from more cores, "
                       "memory bandwidth, caches or SMT")


class ServiceTimesError(ZkworkError, ValueError):
    """Service-time samples that are empty or not positive, or a mix naming unknown circuits."""


@dataclass(frozen=True)
class ServiceTimes:
    """CPU-seconds per request as an empirical mixture over circuits (or an exponential law)."""

    cpu_samples: dict = field(default_factory=dict)  # circuit -> float array of CPU-seconds per request
    mix: dict = field(default_factory=dict)  # circuit -> probability
    exponential_mean_cpu_s: float = None
    source: str = ""

    def draw(self, rng, n, cores, workers):
        """`n` service times (s) on a server of `cores` cores running `workers` requests at a time."""
        scale = workers / cores
        if self.exponential_mean_cpu_s is not None:
            return rng.exponential(self.exponential_mean_cpu_s * scale, n)
        names = list(self.mix)
        if len(names) == 1:
            samples = self.cpu_samples[names[0]]
            return samples[rng.integers(0, len(samples), n)] * scale
        which = rng.choice(len(names), size=n, p=[self.mix[c] for c in names])
        out = np.empty(n)
        for index, name in enumerate(names):
            chosen = which == index
            samples = self.cpu_samples[name]
            out[chosen] = samples[rng.integers(0, len(samples), int(chosen.sum()))]
        return out * scale

    def moments(self, cores, workers):
        """(mean, squared coefficient of variation) of the service time on such a server."""
        scale = workers / cores
        if self.exponential_mean_cpu_s is not None:
            return self.exponential_mean_cpu_s * scale, 1.0
        mean = sum(p * self.cpu_samples[c].mean() for c, p in self.mix.items())
        second = sum(p * (self.cpu_samples[c] ** 2).mean() for c, p in self.mix.items())
        return mean * scale, second / mean ** 2 - 1


def measured_service(samples_s, measured_cores=1, mix=None, source="measured"):
    """ServiceTimes from measured seconds per request (`samples_s`: {circuit: array}, or one
    array), each request measured on `measured_cores` cores; `mix` {circuit: weight}
    (default: equal weights) is normalised."""
    if not isinstance(samples_s, dict):
        samples_s = {"circuit": samples_s}
    if isinstance(measured_cores, bool) or not isinstance(measured_cores, int) or measured_cores < 1:
        raise ServiceTimesError(f"measured_cores must be an int >= 1, not {measured_cores!r}")
    cpu = {}
    for name, values in samples_s.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or len(values) == 0:
            raise ShapeMismatchError(f"samples of {name!r} must be a non-empty 1-d array, not shape {values.shape}")
        if not (values > 0).all():
            raise ServiceTimesError(f"samples of {name!r} must all be > 0 seconds")
        cpu[name] = values * measured_cores
    mix = {name: 1.0 for name in cpu} if mix is None else dict(mix)
    unknown = set(mix) - set(cpu)
    if unknown or not mix or any(w < 0 for w in mix.values()) or sum(mix.values()) <= 0:
        raise ServiceTimesError(f"mix {mix} must give weights >= 0, not all 0, to circuits among {sorted(cpu)}")
    total = sum(mix.values())
    return ServiceTimes({n: cpu[n] for n in mix}, {n: w / total for n, w in mix.items()}, None,
                        f"{source}; measured on {measured_cores} core(s) per request")


def exponential_service(mean_cpu_s, source="assumption: exponential service times"):
    """ServiceTimes of an exponential law with mean `mean_cpu_s` CPU-seconds (M/M/c checks)."""
    if not mean_cpu_s > 0:
        raise ServiceTimesError(f"mean_cpu_s must be > 0, not {mean_cpu_s!r}")
    return ServiceTimes({}, {}, float(mean_cpu_s), source)


class ServiceStream:
    """Service times handed out one at a time from blocks drawn with numpy."""

    def __init__(self, service, rng, cores, workers, block=4096):
        self.rng = rng
        self._args = (service, block, cores, workers)
        self._buffer, self._next = [], 0

    def next(self):
        """The next service time (s)."""
        if self._next == len(self._buffer):
            service, block, cores, workers = self._args
            self._buffer, self._next = service.draw(self.rng, block, cores, workers).tolist(), 0
        self._next += 1
        return self._buffer[self._next - 1]


class FcfsServer:
    """One server: `workers` slots, one FCFS queue, rejection past `timeout_s` of waiting.
    `busy` (a list, one entry per second, shared by a tier) accrues each request's slot-seconds."""

    def __init__(self, workers, timeout_s, busy):
        self.workers = workers
        self.timeout_s = timeout_s
        self.busy = busy
        self._free = [0.0] * workers  # heap of the times each slot becomes free
        self._starts = deque()  # start times of admitted requests not yet started (nondecreasing: FCFS)
        self._finishes = []  # heap of finish times of admitted requests

    def admit(self, now, service_s):
        """(start, finish) of a request arriving at `now` needing `service_s`; None if rejected."""
        start = max(now, self._free[0])
        if start - now > self.timeout_s:
            return None
        finish = start + service_s
        heapq.heapreplace(self._free, finish)
        if start > now:
            self._starts.append(start)
        heapq.heappush(self._finishes, finish)
        at, second, busy, length = start, int(start), self.busy, len(self.busy)
        while at < finish and second < length:
            end = min(finish, second + 1)
            busy[second] += end - at
            at, second = end, second + 1
        return start, finish

    def waiting(self, now):
        """Requests admitted and not yet started at `now`."""
        while self._starts and self._starts[0] <= now:
            self._starts.popleft()
        return len(self._starts)

    def in_system(self, now):
        """Requests admitted and not yet finished at `now` (the balancer's connections)."""
        while self._finishes and self._finishes[0] <= now:
            heapq.heappop(self._finishes)
        return len(self._finishes)

    def preload(self, now, busy_slots, queued, stream):
        """Start from a given state at `now`: `busy_slots` slots in service, each with a
        uniform share of a fresh service time left, and `queued` requests waiting (their
        service times fresh draws); they are neither recorded nor timed out."""
        self._free = [now] * self.workers
        self._starts.clear()
        self._finishes = []
        for slot in range(min(busy_slots, self.workers)):
            self._free[slot] = now + stream.next() * stream.rng.random()
        heapq.heapify(self._free)
        self._finishes = [t for t in self._free if t > now]
        heapq.heapify(self._finishes)
        for _ in range(queued):
            start = self._free[0]
            finish = start + stream.next()
            heapq.heapreplace(self._free, finish)
            self._starts.append(start)
            heapq.heappush(self._finishes, finish)


def one_server_latencies(service, cores, workers, rate, requests, seed, timeout_s=float("inf")):
    """(waits, responses) in seconds of `requests` Poisson arrivals at `rate` per second on
    one FcfsServer of `cores` cores and `workers` slots, numpy Generator(PCG64(seed)); a
    rejected request (wait past `timeout_s`) has NaN for both. The one-server model a
    load test of one machine is compared with, without the SimPy machinery around it."""
    rng = np.random.Generator(np.random.PCG64(seed))
    arrivals = np.cumsum(rng.exponential(1 / rate, requests))
    services = service.draw(rng, requests, cores, workers)
    server = FcfsServer(workers, timeout_s, [0.0] * (int(arrivals[-1]) + 2))
    starts = np.full(requests, np.nan)
    for index, (arrival, needed) in enumerate(zip(arrivals.tolist(), services.tolist())):
        admitted = server.admit(arrival, needed)
        if admitted is not None:
            starts[index] = admitted[0]
    waits = starts - arrivals
    return waits, waits + services
