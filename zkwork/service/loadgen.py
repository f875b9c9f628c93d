"""An open-loop load generator for `zkwork serve` (issue #15's `zkwork loadtest`).

Open loop: the send times are drawn up front as a Poisson process at the offered rate and a
request goes out at its time whatever the earlier ones are doing, so a slow service cannot
slow the generator down and hide its own queueing (no coordinated omission). A request's
latency runs from its *scheduled* start, not from when it was actually sent; the lateness of
the send (event-loop delay on a busy machine) is recorded beside it so that a generator that
fell behind shows. When `concurrency` requests are in flight, the next one is recorded as
dropped by the generator at once: it never waits for a slot, which would close the loop.

    Segment, constant(), steps(), ramp()   the offered-rate profiles (truncate(): bounded in time)
    poisson_schedule()                     the send times (seeded: reproducible)
    check_loopback()                       only loopback URLs are load-tested
    run_load()                             sends the schedule, records every request
    measured_load()                        run_load in a thread of its own, with its wall and CPU time
    summarize(), summary_text()            the JSON-able result and its one-screen text

The generator shares the machine with the service in a loopback test: its own CPU time over the
run (the whole process's, time.process_time) is reported beside the rates, as seconds and as a
share of the cores, since every core-second it takes is one the service did not get.
"""
import asyncio
import ipaddress
import math
import random
import threading
import time
from dataclasses import asdict, dataclass

from zkwork.errors import NonLoopbackError, ProfileError
from zkwork.service.workers import available_cores

DROPPED = "DroppedByGenerator"  # the error type of a request the concurrency cap refused


@dataclass(frozen=True)
class Segment:
    """A stretch of the profile: the offered rate goes linearly from `rate_start` to `rate_end`
    (requests per second) over `duration` seconds; equal rates make a constant step."""

    rate_start: float
    rate_end: float
    duration: float

    def rate_at(self, t):
        """The offered rate `t` seconds into the segment."""
        return self.rate_start + (self.rate_end - self.rate_start) * t / self.duration

    @property
    def mean_rate(self):
        """The segment's mean offered rate (requests per second)."""
        return (self.rate_start + self.rate_end) / 2


def constant(rate, duration):
    """A constant offered `rate` for `duration` seconds."""
    return [Segment(rate, rate, duration)]


def steps(pairs):
    """Constant steps: `pairs` of (rate, duration)."""
    return [Segment(rate, rate, duration) for rate, duration in pairs]


def ramp(rate_start, rate_end, duration, pieces=5):
    """A linear ramp from `rate_start` to `rate_end` over `duration` seconds, cut in `pieces`
    linear segments so that the per-step breakdown follows the ramp."""
    width = (rate_end - rate_start) / pieces
    return [Segment(rate_start + i * width, rate_start + (i + 1) * width, duration / pieces) for i in range(pieces)]


def truncate(profile, max_duration):
    """The first `max_duration` seconds of `profile` (a ramp segment cut where its rate is then)."""
    cut, start = [], 0.0
    for segment in profile:
        if start >= max_duration:
            break
        length = min(segment.duration, max_duration - start)
        cut.append(Segment(segment.rate_start, segment.rate_at(length), length))
        start += segment.duration
    return cut


def check_profile(profile):
    """Raises ProfileError unless every segment has finite rates >= 0 and a duration > 0."""
    if not profile:
        raise ProfileError("the profile has no segment")
    for segment in profile:
        if min(segment.rate_start, segment.rate_end) < 0 or not segment.duration > 0:
            raise ProfileError(f"a segment needs rates >= 0 and a duration > 0, got {segment}")
        if not all(math.isfinite(v) for v in (segment.rate_start, segment.rate_end, segment.duration)):
            raise ProfileError(f"a segment's rates and duration must be finite, got {segment}")


def poisson_schedule(profile, seed=0, max_requests=None):
    """[(send time in seconds from the start, segment index)] of a Poisson process whose rate
    follows `profile` (its length is the run's: `truncate` bounds it), cut at `max_requests`.

    Each segment is drawn by thinning (Lewis and Shedler): candidates at the segment's highest
    rate, each kept with probability rate(t) / highest rate, which is exact for a linear ramp;
    a Poisson process is memoryless, so restarting the draw at each segment boundary changes
    nothing. `random.Random(seed)`: the schedule is a test input, not a secret."""
    check_profile(profile)
    rng = random.Random(seed)
    schedule, start = [], 0.0
    for index, segment in enumerate(profile):
        peak = max(segment.rate_start, segment.rate_end)
        t = 0.0
        while peak > 0:
            t += rng.expovariate(peak)
            if t >= segment.duration:
                break
            if rng.random() * peak <= segment.rate_at(t):
                schedule.append((start + t, index))
        start += segment.duration
    return schedule[:max_requests] if max_requests is not None else schedule


def check_loopback(url):
    """Raises NonLoopbackError unless `url` is http(s) to a loopback address (127.0.0.0/8, ::1
    or the name localhost): the generator is a load test of one's own service, never a tool
    to point at someone else's."""
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as error:
        raise NonLoopbackError(f"{url!r} is not a URL (loadtest needs http(s) to loopback): {error}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise NonLoopbackError(f"{url!r} is not an http(s) URL to a loopback host")
    if parsed.host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(parsed.host).is_loopback
    except ValueError:  # a host name other than localhost: resolving it could leave the machine
        loopback = False
    if not loopback:
        raise NonLoopbackError(f"{parsed.host} is not a loopback address; loadtest only targets "
                               "127.0.0.0/8, ::1 or localhost")


@dataclass
class Record:
    """One request: `scheduled` and `sent` in seconds from the run's start (`sent` None when the
    generator dropped it), `latency` seconds from the scheduled start to the end of the response
    (None when it was not sent), `status` the HTTP status (None without a response), `error` the
    error's type (the service's JSON error type, the client exception's name, or DROPPED)."""

    scheduled: float
    segment: int
    sent: float = None
    latency: float = None
    status: int = None
    error: str = None


async def run_load(url, path, bodies, schedule, concurrency=256, timeout=60.0):
    """Sends POST `path` to the base `url` with the JSON `bodies` (cycled) at the `schedule`'s times and
    returns a Record per scheduled request, in schedule order. At most `concurrency` requests
    are in flight; one scheduled beyond that is recorded as dropped. Every request ends within
    `timeout` seconds of its send, so the run ends by the schedule's end plus `timeout`."""
    import httpx

    check_loopback(url)
    records = [Record(t, segment) for t, segment in schedule]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    in_flight = 0

    async def send(client, record, body, origin):
        nonlocal in_flight
        record.sent = time.perf_counter() - origin
        try:
            # httpx's timeout bounds each read, not the response: a server trickling bytes would outlast it
            response = await asyncio.wait_for(client.post(path, json=body), timeout)
            record.status = response.status_code
            if not 200 <= response.status_code < 300:
                record.error = _error_type(response)
        except (httpx.HTTPError, asyncio.TimeoutError) as error:  # refused, reset, timed out: recorded, not raised
            record.error = type(error).__name__
        finally:
            record.latency = time.perf_counter() - origin - record.scheduled
            in_flight -= 1

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
        tasks = []
        origin = time.perf_counter()
        for n, record in enumerate(records):
            delay = record.scheduled - (time.perf_counter() - origin)
            if delay > 0:
                await asyncio.sleep(delay)
            if in_flight >= concurrency:
                record.error = DROPPED
                continue
            in_flight += 1
            tasks.append(asyncio.create_task(send(client, record, bodies[n % len(bodies)], origin)))
        if tasks:
            await asyncio.wait(tasks)
        for task in tasks:
            task.result()  # anything but an HTTP failure is a bug of the caller's or ours: raised, not lost
    return records


def measured_load(url, path, bodies, schedule, concurrency=256, timeout=60.0):
    """(records, wall seconds, CPU seconds of this process) of run_load, run on an event loop of
    its own in a new thread: callable where a loop already runs (a Jupyter kernel)."""
    outcome = {}

    def target():
        try:
            outcome["records"] = asyncio.run(run_load(url, path, bodies, schedule, concurrency, timeout))
        except BaseException as error:  # noqa: BLE001 -- re-raised in the caller's thread below
            outcome["error"] = error

    cpu, wall = time.process_time(), time.perf_counter()
    thread = threading.Thread(target=target, name="loadgen")
    thread.start()
    thread.join()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if "error" in outcome:
        raise outcome["error"]
    return outcome["records"], wall, cpu


def _error_type(response):
    """The service's {"error": {"type"}} of a non-2xx response, else HTTP<status>."""
    try:
        return str(response.json()["error"]["type"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP{response.status_code}"


def _percentiles(values):
    """{"p50", "p95", "p99", "max"} in milliseconds of `values` (seconds); None for no values."""
    import numpy as np

    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    p50, p95, p99 = np.percentile(np.asarray(values) * 1e3, [50, 95, 99])
    return {"p50": float(p50), "p95": float(p95), "p99": float(p99), "max": float(max(values) * 1e3)}


def _status_key(record):
    """The status-count key of a record: "200", "503", or the error type of a request without
    a response ("dropped", "ReadTimeout", ...)."""
    if record.status is not None:
        return str(record.status)
    return "dropped" if record.error == DROPPED else record.error


def _counts(records):
    counts = {}
    for record in records:
        counts[_status_key(record)] = counts.get(_status_key(record), 0) + 1
    return dict(sorted(counts.items()))


def _ok(record):
    return record.status is not None and 200 <= record.status < 300


def _stats(records, duration):
    """The measures shared by the whole run and each segment, over `duration` seconds."""
    sent = [r for r in records if r.sent is not None]
    ok = [r for r in sent if _ok(r)]
    return {
        "scheduled": len(records),
        "sent": len(sent),
        "dropped": sum(r.error == DROPPED for r in records),
        "ok": len(ok),
        "scheduled_rate": len(records) / duration,
        "send_rate": len(sent) / duration,
        "latency_ok_ms": _percentiles([r.latency for r in ok]),
        "latency_all_ms": _percentiles([r.latency for r in sent]),
        "statuses": _counts(records),
    }


def summarize(records, profile, wall_time=None, settings=None, generator_cpu_s=None):
    """The run's JSON-able result: the offered (profile) and achieved send rates, goodput (2xx
    per second of wall time, the drain after the last send included, so that a service that
    only keeps up by answering late does not get credit for the profile's shorter span),
    latency percentiles (ms, from the scheduled start) of the successes and of every request
    sent, send lateness, status counts, and the same per profile segment over the requests
    scheduled in it (a step's goodput: their 2xx per second of the step). `settings` (target,
    seed, ...) is copied in. `generator_cpu_s`, the generator process's CPU seconds over the run,
    gives `generator_cpu_share`: of the cores' capacity over the wall time, the part the
    generator took from the service it measures (None when not given)."""
    duration = sum(s.duration for s in profile)
    offered = sum(s.mean_rate * s.duration for s in profile) / duration
    latest_end = max([r.scheduled + r.latency for r in records if r.latency is not None], default=0.0)
    wall_time = wall_time if wall_time is not None else max(duration, latest_end)
    result = {"settings": dict(settings or {}), "duration_s": duration, "wall_time_s": wall_time,
              "offered_rate": offered, **_stats(records, duration)}
    result["goodput"] = result["ok"] / wall_time if wall_time > 0 else 0.0
    result["generator_cpu_s"] = generator_cpu_s
    result["generator_cpu_share"] = (None if generator_cpu_s is None or wall_time <= 0
                                     else generator_cpu_s / (wall_time * available_cores()))
    result["lateness_ms"] = _percentiles([r.sent - r.scheduled for r in records if r.sent is not None])
    result["steps"] = []
    start = 0.0
    for index, segment in enumerate(profile):
        stats = _stats([r for r in records if r.segment == index], segment.duration)
        stats["goodput"] = stats.pop("ok") / segment.duration
        result["steps"].append({"start_s": start, **asdict(segment), "offered_rate": segment.mean_rate, **stats})
        start += segment.duration
    return result


def _ms(value):
    return "-" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def summary_text(result):
    """A one-screen text summary of `summarize`'s result."""
    s = result["settings"]
    ok, all_ = result["latency_ok_ms"], result["latency_all_ms"]
    lines = [
        f"loadtest {s.get('endpoint', '')} {s.get('url', '')}{s.get('path', '')}  seed {s.get('seed', '-')}",
        f"offered {result['offered_rate']:.2f}/s for {result['duration_s']:.1f} s: scheduled {result['scheduled']}, "
        f"sent {result['sent']} ({result['send_rate']:.2f}/s), dropped by the generator {result['dropped']}",
        f"goodput {result['goodput']:.2f}/s (2xx {result['ok']} over {result['wall_time_s']:.1f} s wall)",
        f"latency from scheduled start, ms     P50 {_ms(ok['p50']):>7} P95 {_ms(ok['p95']):>7} "
        f"P99 {_ms(ok['p99']):>7} max {_ms(ok['max']):>7}  (2xx)",
        f"{'':37}P50 {_ms(all_['p50']):>7} P95 {_ms(all_['p95']):>7} P99 {_ms(all_['p99']):>7} "
        f"max {_ms(all_['max']):>7}  (all sent)",
        f"send lateness, ms                    P50 {_ms(result['lateness_ms']['p50']):>7} "
        f"P99 {_ms(result['lateness_ms']['p99']):>7} max {_ms(result['lateness_ms']['max']):>7}",
        "statuses: " + ", ".join(f"{k} {v}" for k, v in result["statuses"].items()),
    ]
    if result.get("generator_cpu_s") is not None:
        lines.append(f"generator CPU {result['generator_cpu_s']:.2f} s, {result['generator_cpu_share']:.0%} of the "
                     f"{available_cores()} cores over the wall time (taken from the service under test)")
    if len(result["steps"]) > 1:
        lines.append(f"{'step':>4} {'start s':>8} {'offered/s':>10} {'sent/s':>8} {'goodput/s':>10} "
                     f"{'P50 ms':>8} {'P95 ms':>8} {'P99 ms':>8}  statuses")
        for n, step in enumerate(result["steps"]):
            lat = step["latency_ok_ms"]
            lines.append(f"{n:>4} {step['start_s']:>8.1f} {step['offered_rate']:>10.2f} {step['send_rate']:>8.2f} "
                         f"{step['goodput']:>10.2f} {_ms(lat['p50']):>8} {_ms(lat['p95']):>8} {_ms(lat['p99']):>8}  "
                         + ", ".join(f"{k} {v}" for k, v in step["statuses"].items()))
    return "\n".join(lines)
