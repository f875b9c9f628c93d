"""The service's metrics: the guide's proof and verification metrics with its names, labels
and millisecond buckets (zkwork.monitoring.new_metrics), and the gauges of back-pressure.

Statuses of the duration histograms: proofs "success" or "error"; verifications "valid",
"invalid" (a well-formed proof that does not verify, as zkwork.monitoring records it) or
"error" (a malformed request). error_type values: see ERROR_TYPES.

System gauges, the guide's "Infrastructure" metrics with its labels (server_type,
instance_id), set on each scrape (`observe_system`): cpu_usage, the CPU the service and its
workers used since the previous scrape as a percentage of the cores available to them (the
guide alerts above 80 %), and memory_usage, their resident memory as a percentage of the
host's (above 85 %), beside memory_resident_bytes, the same in bytes. Read from /proc (Linux):
a worker's CPU time counts while it lives from its /proc/PID/stat and, once it has ended and
been reaped, from os.times()'s children times, so a replaced worker's seconds are not lost.
"""
import os
import socket
import time

from prometheus_client import Counter, Gauge

from zkwork.monitoring import exposition, new_metrics

# error_type label values of proof_generation_errors and verification_errors
ERROR_TYPES = {
    "invalid_input": "CircuitInputError: an input missing, extra, of the wrong length or >= r",
    "unsatisfied": "UnsatisfiedConstraintError: the inputs make a false statement",
    "malformed": "a verify request whose proof or public signals cannot be read",
    "invalid_proof": "a well-formed proof that does not verify (verification_errors only)",
    "overloaded": "the queue was full: 503",
    "deadline": "the request's deadline passed: 504",
    "worker_failure": "a worker process failed: 500",
    "worker_died": "the worker process proving the request died (it is replaced): 500",
}

SERVER_TYPE = "prove_and_verify"  # the guide's server_type label: this service does both


def proc_cpu_seconds(pid):
    """utime + stime of a live process from /proc/PID/stat; 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # the name in parentheses may hold spaces
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # fields 14 and 15 of proc(5)


def _proc_rss_bytes(pid):
    """Resident memory of a live process (VmRSS of /proc/PID/status); 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _host_memory_bytes():
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024


class ServiceMetrics:
    """The guide's metrics (attributes of zkwork.monitoring.RecordedMetrics) plus queue_depth
    (prove requests admitted and waiting for a worker), in_flight_requests (HTTP requests
    being handled) and http_requests / http_responses (received, answered by status), all in
    one registry."""

    def __init__(self):
        """A fresh registry: tests and several apps in one process do not share counters."""
        self.guide = new_metrics()
        self.registry = self.guide.registry
        self.queue_depth = Gauge("queue_depth", "Prove requests admitted and waiting for a worker",
                                 registry=self.registry)
        self.in_flight = Gauge("in_flight_requests", "HTTP requests being handled", ["endpoint"],
                               registry=self.registry)
        self.requests = Counter("http_requests", "HTTP requests the service's routes received (endpoint: "
                                "prove, verify or other)", ["endpoint"], registry=self.registry)
        self.responses = Counter("http_responses", "HTTP responses the service's routes answered, by status code",
                                 ["endpoint", "status"], registry=self.registry)
        system = ["server_type", "instance_id"]
        self.instance = f"{socket.gethostname()}:{os.getpid()}"
        self.cpu_usage = Gauge("cpu_usage", "CPU of the service and its workers since the previous scrape, "
                               "percent of the available cores", system, registry=self.registry)
        self.memory_usage = Gauge("memory_usage", "Resident memory of the service and its workers, percent of "
                                  "the host's", system, registry=self.registry)
        self.memory_bytes = Gauge("memory_resident_bytes", "Resident memory of the service and its workers",
                                  system, registry=self.registry)
        self.workers_warm = Gauge("workers_warm", "Proving processes alive and warm", registry=self.registry)
        self.worker_restarts = Counter("worker_restarts", "Proving processes replaced after they died",
                                       registry=self.registry)
        self._restarts_seen = 0
        self._last_cpu = (time.monotonic(), self._cpu_seconds([]))

    def proof(self, circuit, status, milliseconds=None, error_type=None):
        """Records one prove request's outcome (duration only where a proof was attempted)."""
        if milliseconds is not None:
            self.guide.proof_generation_duration.labels(circuit, status).observe(milliseconds)
        if error_type:
            self.guide.proof_generation_errors.labels(circuit, error_type).inc()
        else:
            self.guide.proof_generation_rate.labels(circuit).inc()

    def verification(self, circuit, status, milliseconds, error_type=None):
        """Records one verify request's outcome."""
        self.guide.verification_duration.labels(circuit, status).observe(milliseconds)
        self.guide.verification_rate.labels(circuit).inc()
        if error_type:
            self.guide.verification_errors.labels(error_type).inc()

    @staticmethod
    def _cpu_seconds(pids):
        times = os.times()  # children_*: the workers that have ended and been reaped
        return (times.user + times.system + times.children_user + times.children_system
                + sum(proc_cpu_seconds(pid) for pid in pids))

    def observe_system(self, pids, cores, warm, restarts):
        """Sets the system gauges from the service process and its worker `pids` (on `cores`
        cores), `warm` workers and `restarts` so far (called on scrape)."""
        labels = (SERVER_TYPE, self.instance)
        now, cpu = time.monotonic(), self._cpu_seconds(pids)
        then, cpu_then = self._last_cpu
        if now > then:
            self.cpu_usage.labels(*labels).set(max(0.0, cpu - cpu_then) / ((now - then) * cores) * 100)
        self._last_cpu = (now, cpu)
        resident = _proc_rss_bytes(os.getpid()) + sum(_proc_rss_bytes(pid) for pid in pids)
        self.memory_bytes.labels(*labels).set(resident)
        self.memory_usage.labels(*labels).set(resident / _host_memory_bytes() * 100)
        self.workers_warm.set(warm)
        self.worker_restarts.inc(restarts - self._restarts_seen)
        self._restarts_seen = restarts

    def request_totals(self):
        """{endpoint: {"received": n, status: n, ...}} of the HTTP requests so far (logged at
        shutdown, when /metrics can no longer be scraped, so that a drain can be accounted for)."""
        totals = {}
        for family in (self.requests, self.responses):
            for sample in family.collect()[0].samples:
                if sample.name.endswith("_total"):
                    key = sample.labels.get("status", "received")
                    totals.setdefault(sample.labels["endpoint"], {})[key] = int(sample.value)
        return totals

    def text(self):
        """The Prometheus text exposition."""
        return exposition(self.registry)
