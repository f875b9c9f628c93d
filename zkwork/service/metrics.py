"""The service's metrics: the guide's proof and verification metrics with its names, labels
and millisecond buckets (zkwork.monitoring.new_metrics), and the gauges of back-pressure.

Statuses of the duration histograms: proofs "success" or "error"; verifications "valid",
"invalid" (a well-formed proof that does not verify, as zkwork.monitoring records it) or
"error" (a malformed request). error_type values: see ERROR_TYPES.
"""
from prometheus_client import Gauge

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
}


class ServiceMetrics:
    """The guide's metrics (attributes of zkwork.monitoring.RecordedMetrics) plus queue_depth
    (prove requests admitted and waiting for a worker) and in_flight_requests (HTTP requests
    being handled), all in one registry."""

    def __init__(self):
        """A fresh registry: tests and several apps in one process do not share counters."""
        self.guide = new_metrics()
        self.registry = self.guide.registry
        self.queue_depth = Gauge("queue_depth", "Prove requests admitted and waiting for a worker",
                                 registry=self.registry)
        self.in_flight = Gauge("in_flight_requests", "HTTP requests being handled", ["endpoint"],
                               registry=self.registry)

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

    def text(self):
        """The Prometheus text exposition."""
        return exposition(self.registry)
