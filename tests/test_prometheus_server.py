"""A real Prometheus (Debian's, zkwork.service.prometheus) scraping a real `zkwork serve` under
open-loop load: its histogram_quantile lies within the error the guide's buckets allow of the
load generator's exact percentile, its counters equal the generator's counts, and every rule
of prometheus/rules.yml is loaded and evaluated. Also the bucket arithmetic, the loopback
rule, and the typed errors of a missing binary, a server that cannot start and a bad query."""
import asyncio
import json
import math
import os
import socket
import time

import httpx
import pytest
import yaml
from service_tools import NAME, TIMEOUT, make_circuit_dir, start_server, stop_server

from zkwork.errors import (NonLoopbackError, PrometheusMissingError, PrometheusQueryError, PrometheusStartError,
                           PrometheusTimeoutError)
from zkwork.monitoring import PROOF_BUCKETS_MS, VERIFICATION_BUCKETS_MS
from zkwork.service import loadgen
from zkwork.service import prometheus as prometheus_module
from zkwork.service.prometheus import (PrometheusServer, between, bucket_bounds, check_target, default_rules_file,
                                       find_prometheus, quantile_error_bound, total_between)

CLOSED_PORT_TARGET = "127.0.0.1:1"  # nothing listens on port 1: a target that is never up


def test_bucket_bounds_follow_le_inclusive_upper_bounds():
    assert PROOF_BUCKETS_MS == (100, 500, 1000, 2000, 5000)  # the guide's; the cases below rely on them
    assert bucket_bounds(0, PROOF_BUCKETS_MS) == (0.0, 100.0)
    assert bucket_bounds(100, PROOF_BUCKETS_MS) == (0.0, 100.0)  # le="100" holds 100 itself
    assert bucket_bounds(100.001, PROOF_BUCKETS_MS) == (100.0, 500.0)
    assert bucket_bounds(999, PROOF_BUCKETS_MS) == (500.0, 1000.0)
    assert bucket_bounds(5000, PROOF_BUCKETS_MS) == (2000.0, 5000.0)
    assert bucket_bounds(5000.5, PROOF_BUCKETS_MS) == (5000.0, math.inf)
    assert bucket_bounds(7, VERIFICATION_BUCKETS_MS) == (5.0, 10.0)


def test_the_quantile_error_bound_is_the_bucket_width():
    assert quantile_error_bound(40, PROOF_BUCKETS_MS) == 100
    assert quantile_error_bound(800, PROOF_BUCKETS_MS) == 500  # an SLA of 1 s sits on a 500 ms wide bucket
    assert quantile_error_bound(1500, PROOF_BUCKETS_MS) == 1000
    assert quantile_error_bound(6000, PROOF_BUCKETS_MS) == math.inf  # Prometheus answers 5000 whatever the truth
    assert quantile_error_bound(45, VERIFICATION_BUCKETS_MS) == 30
    assert quantile_error_bound(3, VERIFICATION_BUCKETS_MS) == 5


def test_between_reads_two_samples_without_extrapolation():
    assert between('x{a="b"}', 100.0, 160.5) == '(x{a="b"} @ 160.500 - x{a="b"} @ 100.000)'
    assert total_between("x", 1, 2) == "((sum(x @ 2.000) or vector(0)) - (sum(x @ 1.000) or vector(0)))"


@pytest.mark.parametrize("target", ["10.0.0.1:9090", "example.com:80", "192.168.1.1:8000", "127.0.0.1",
                                    "127.0.0.1:80/metrics", "user@127.0.0.1:80", "[2001:db8::1]:80", "::1",
                                    "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:http"])
def test_only_loopback_host_port_targets_are_accepted(target):
    with pytest.raises(NonLoopbackError):
        PrometheusServer([target])


@pytest.mark.parametrize("target", ["127.0.0.1:80", "127.0.0.2:9100", "localhost:8000", "[::1]:65535"])
def test_loopback_targets_are_accepted(target):
    check_target(target)


def test_a_missing_binary_names_the_installer(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    for attempt in (find_prometheus, lambda: PrometheusServer([CLOSED_PORT_TARGET])):
        with pytest.raises(PrometheusMissingError) as caught:
            attempt()
        message = str(caught.value)
        assert "make install" in message and "tools/install-prometheus.sh" in message
        assert "apt-get install prometheus" in message


def test_a_server_that_cannot_start_says_why(tmp_path):
    rules = tmp_path / "rules.yml"
    rules.write_text("groups:\n  - name: broken\n    rules:\n      - alert: Broken\n        expr: rate(\n")
    server = PrometheusServer([CLOSED_PORT_TARGET], rules_file=rules, startup_timeout_s=20)
    with pytest.raises(PrometheusStartError) as caught:
        with server:
            pass
    assert "rules.yml" in str(caught.value) and "parse error" in str(caught.value)  # the tail of its log
    assert server.process is None and server.directory is None


def test_a_taken_port_is_retried_on_another(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # bound, not listening: Prometheus's bind fails, a connect is refused
        busy, free = taken.getsockname()[1], prometheus_module._free_port()
        ports = iter([busy, free])
        monkeypatch.setattr(prometheus_module, "_free_port", lambda: next(ports))
        with PrometheusServer([CLOSED_PORT_TARGET], rules_file="") as prometheus:
            assert prometheus.url == f"http://127.0.0.1:{free}"
            assert prometheus.rules() == [] and prometheus.query("1")[0]["value"] == 1.0


def test_queries_and_their_errors():
    with PrometheusServer([CLOSED_PORT_TARGET]) as prometheus:
        assert prometheus.query("1 + 1") == [{"metric": {}, "value": 2.0}]
        assert math.isnan(prometheus.scalar("vector(0) / 0"))
        assert prometheus.scalar("absent_metric_of_zkwork") is None
        two = 'label_replace(vector(1), "n", "a", "", "") or label_replace(vector(2), "n", "b", "", "")'
        assert sorted(item["value"] for item in prometheus.query(two)) == [1.0, 2.0]
        with pytest.raises(PrometheusQueryError):
            prometheus.scalar(two)  # two series are not a scalar
        with pytest.raises(PrometheusQueryError, match="parse error"):
            prometheus.query("rate(")
        with pytest.raises(PrometheusQueryError, match="matrix"):
            prometheus.query("up[1m]")  # a matrix: not an instant result
        assert prometheus.targets_up() == {CLOSED_PORT_TARGET: False}
        with pytest.raises(PrometheusTimeoutError):
            prometheus.wait_for_scrape(time.time(), timeout_s=0.3)
        directory = prometheus.directory
        assert os.path.isdir(directory)
    assert not os.path.exists(directory)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{prometheus.url}/-/ready", timeout=TIMEOUT)  # stopped


def rule_names():
    groups = yaml.safe_load(default_rules_file().read_text())["groups"]
    return {(group["name"], rule["alert"]) for group in groups for rule in group["rules"]}


VERIFY_RATE, LOAD_S = 5.0, 12.0  # verifications/s offered, seconds of load
PROVE_LOAD = 0.5  # the proof rate offered: half of what the worker did alone just before (1 worker)


def prove_rate(seconds_per_proof):
    """Proofs/s that load the worker to PROVE_LOAD (0.5 to 3/s): on a machine shared with other
    work, a fixed rate could saturate it and push P95 into the +Inf bucket."""
    return min(3.0, max(0.5, PROVE_LOAD / seconds_per_proof))


async def open_loop_load(url, input_json, verify_body, rate):
    """Proofs at `rate` and verifications at once, each on its own Poisson schedule."""
    proves = loadgen.poisson_schedule(loadgen.constant(rate, LOAD_S), seed=11)
    verifies = loadgen.poisson_schedule(loadgen.constant(VERIFY_RATE, LOAD_S), seed=12)
    return await asyncio.gather(loadgen.run_load(url, f"/v1/prove/{NAME}", [input_json], proves, timeout=15),
                                loadgen.run_load(url, f"/v1/verify/{NAME}", [verify_body], verifies, timeout=15))


@pytest.mark.slow
def test_prometheus_scrapes_zkwork_serve_under_load(tmp_path):
    circuit_dir = make_circuit_dir(tmp_path / "m4")
    input_json = json.loads((circuit_dir / "input.json").read_text())
    process, url = start_server(circuit_dir, "--queue", "64", "--deadline", "10")
    target = url.removeprefix("http://")
    try:
        with PrometheusServer([target]) as prometheus:
            # one proof and one verification before the window: the series exist at its start
            sent = time.perf_counter()
            first = httpx.post(f"{url}/v1/prove/{NAME}", json=input_json, timeout=TIMEOUT).json()
            rate = prove_rate(time.perf_counter() - sent)
            verify_body = {"proof": first["proof"], "public": first["public"]}
            assert httpx.post(f"{url}/v1/verify/{NAME}", json=verify_body, timeout=TIMEOUT).json() == {"valid": True}
            start = prometheus.wait_for_scrape(time.time(), timeout_s=20)
            proves, verifies = asyncio.run(open_loop_load(url, input_json, verify_body, rate))
            end = prometheus.wait_for_scrape(time.time(), timeout_s=20)
            assert prometheus.targets_up() == {target: True}
            prove_summary = loadgen.summarize(proves, loadgen.constant(rate, LOAD_S))
            proved = prove_summary["statuses"]
            verified = loadgen.summarize(verifies, loadgen.constant(VERIFY_RATE, LOAD_S))["statuses"]
            # a machine too busy for the offered load answers 504 past the deadline: counted too
            assert set(proved) <= {"200", "504"} and proved.get("200") and verified == {"200": len(verifies)}

            def increase(selector):
                return prometheus.scalar(total_between(selector, start, end), at=end)

            assert increase("proof_generation_rate_total") == proved["200"]
            assert increase('proof_generation_duration_count{status="success"}') == proved["200"]
            assert increase('proof_generation_errors_total{error_type="deadline"}') == proved.get("504", 0)
            assert increase("proof_generation_errors_total") == proved.get("504", 0)
            assert increase("verification_rate_total") == len(verifies)
            assert increase('verification_duration_count{status="valid"}') == len(verifies)

            exact = prove_summary["latency_ok_ms"]  # of the 200s
            buckets = between('proof_generation_duration_bucket{status="success"}', start, end)
            estimate = prometheus.scalar(f"histogram_quantile(0.95, sum by (le) ({buckets}))", at=end)
            allowed = quantile_error_bound(exact["p95"], PROOF_BUCKETS_MS)
            print(f"proof P95: generator {exact['p95']:.1f} ms (P50 {exact['p50']:.1f}), Prometheus "
                  f"{estimate:.1f} ms, the buckets allow {allowed:g} ms; {len(proves)} proofs at {rate:.2f}/s, "
                  f"{len(verifies)} verifications")
            # the server times a proof from its admission, the generator from the scheduled send:
            # the estimate is of the server's P95, a few ms below the generator's
            if math.isinf(allowed):  # a machine too busy for the guide's buckets: Prometheus says at most 5000
                assert PROOF_BUCKETS_MS[-2] <= estimate <= PROOF_BUCKETS_MS[-1], (estimate, exact)
            else:
                assert abs(estimate - exact["p95"]) <= allowed, (estimate, exact)
            assert prometheus.scalar("queue_depth", at=end) is not None
            assert prometheus.query("cpu_usage", at=end)[0]["metric"]["server_type"]

            rules = prometheus.wait_for_rules(end, timeout_s=20)
            assert {(rule["group"], rule["name"]) for rule in rules} == rule_names()
            for rule in rules:
                assert rule["type"] == "alerting" and rule["health"] == "ok" and rule["last_error"] is None, rule
                assert rule["state"] in ("inactive", "pending", "firing"), rule
            by_name = {rule["name"]: rule for rule in rules}
            assert by_name["ProofGenerationDown"]["state"] == "inactive"  # proofs were generated this minute
            assert by_name["DatabaseDown"]["state"] == "inactive"  # zkwork exposes no database_up
        assert prometheus.process is None and prometheus.directory is None
    finally:
        assert stop_server(process) == 0
