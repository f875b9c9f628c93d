"""`zkwork serve` when a worker process dies and when it is stopped, under open-loop load
(zkwork.service.loadgen): the real app under uvicorn in a subprocess on a loopback port, two
workers, membership hardened depth 4. Workers are found psutil-free, as the
server's children in /proc whose command line is multiprocessing's spawn_main (the other child
is multiprocessing's resource tracker), and killed with SIGKILL, as the kernel's OOM killer would.
Every wait is bounded."""
import asyncio
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from service_tools import NAME, count_changes, final_request_totals, measure_capacity, \
    metric_samples, proof_counts, sample, start_server, stop_server

from zkwork.service.loadgen import constant, poisson_schedule, run_load

pytestmark = pytest.mark.slow  # two servers, their warm-ups, 18 s of load and two rounds of replacements

TIMEOUT = 20  # seconds, every HTTP call (a prove may wait behind the queue and a replacement)
WARM_UP_S = 60  # a worker's warm-up on a loaded 2-core machine, with margin


def _wait_ready(url, deadline):
    while (response := httpx.get(f"{url}/ready", timeout=TIMEOUT)).status_code != 200:
        assert time.monotonic() < deadline, f"the workers did not warm up: {response.text}"
        time.sleep(0.2)
    return response.json()


@pytest.fixture(scope="module")
def server(service_circuit_dir):
    """(process, base URL) of `zkwork serve --workers 2 --queue 4` once /ready says true;
    stopped by SIGTERM afterwards, which must still exit 0 after the replacements."""
    process, url = start_server(service_circuit_dir, "--workers", "2", "--queue", "4", "--deadline", "20",
                                warm_up_s=WARM_UP_S)
    try:
        yield process, url
    finally:
        assert stop_server(process) == 0


def _worker_pids(server_pid):
    """The live proving processes of the server: its children running spawn_main."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # it ended meanwhile
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server_pid and b"spawn_main" in cmdline:
            pids.add(int(entry.name))
    return pids


def _prove(url, inputs):
    return httpx.post(f"{url}/v1/prove/{NAME}", json=inputs, timeout=TIMEOUT)


def _wait_for_metric(url, name, minimum, **labels):
    """Until /metrics shows `name` >= `minimum` (e.g. a non-empty queue), bounded by TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    while sample(metric_samples(url), name, **labels) < minimum:
        assert time.monotonic() < deadline, f"{name} {labels} never reached {minimum}"
        time.sleep(0.01)


def test_a_worker_killed_under_open_loop_load_fails_only_its_request_and_is_replaced(server, service_inputs):
    process, url = server
    capacity, _ = measure_capacity(url, service_inputs, seconds=3)
    before, restarts = proof_counts(metric_samples(url)), sample(metric_samples(url), "worker_restarts_total")
    pids = _worker_pids(process.pid)
    assert len(pids) == 2, pids
    victim = min(pids)
    # 1.5 x the capacity for 8 s: the queue is rarely empty, so both workers are proving
    schedule = poisson_schedule(constant(1.5 * capacity, 8.0), seed=15)
    with ThreadPoolExecutor(1) as generator:
        load = generator.submit(asyncio.run, run_load(url, f"/v1/prove/{NAME}", [service_inputs], schedule,
                                                      timeout=2 * TIMEOUT))
        time.sleep(2)
        _wait_for_metric(url, "queue_depth", 1)  # requests wait: neither worker is between two proofs
        os.kill(victim, signal.SIGKILL)  # as the kernel's OOM killer would
        records = load.result(timeout=8.0 + 3 * TIMEOUT)
    statuses = [r.status for r in records]
    report = {s: statuses.count(s) for s in set(statuses)}
    # every request answered: its proof, the dead worker's 500, or 503 while one worker was missing
    assert set(statuses) <= {200, 500, 503}, ([r.error for r in records if r.status is None][:5], report)
    assert statuses.count(500) == 1 and [r.error for r in records if r.status == 500] == ["WorkerDied"], report
    expected = {"success": statuses.count(200), "worker_died": 1, "overloaded": statuses.count(503)}
    assert count_changes(before, proof_counts(metric_samples(url))) == {k: v for k, v in expected.items() if v}
    # the pool is whole again
    ready = _wait_ready(url, time.monotonic() + WARM_UP_S)
    assert ready["warm_workers"] == ready["workers"] == 2
    assert sample(metric_samples(url), "worker_restarts_total") - restarts == 1
    replaced = _worker_pids(process.pid)
    assert len(replaced) == 2 and victim not in replaced and len(replaced & pids) == 1, (pids, replaced)
    assert _prove(url, service_inputs).status_code == 200


def test_ready_is_503_while_a_replacement_warms_up(server, service_inputs):
    process, url = server
    _wait_ready(url, time.monotonic() + WARM_UP_S)
    for pid in _worker_pids(process.pid):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while (response := httpx.get(f"{url}/ready", timeout=TIMEOUT)).status_code == 200:
        assert time.monotonic() < deadline, "/ready never noticed the dead workers"
        time.sleep(0.01)
    assert response.status_code == 503 and response.json()["warm_workers"] < 2
    # a request admitted now waits for a replacement instead of failing
    assert _prove(url, service_inputs).status_code == 200
    assert _wait_ready(url, time.monotonic() + WARM_UP_S)["warm_workers"] == 2


def test_metrics_report_cpu_and_memory_with_the_guides_labels(server, service_inputs):
    process, url = server
    _prove(url, service_inputs)
    samples = metric_samples(url)
    system = {name: (dict(labels), value) for (name, labels), value in samples.items()
              if name in ("cpu_usage", "memory_usage", "memory_resident_bytes")}
    assert set(system) == {"cpu_usage", "memory_usage", "memory_resident_bytes"}, system
    for name, (labels, value) in system.items():
        assert set(labels) == {"server_type", "instance_id"} and value >= 0, (name, labels, value)
    assert 0 < system["memory_usage"][1] < 100
    # three Python processes with numpy and numba loaded: well over 100 MB resident
    assert system["memory_resident_bytes"][1] > 100e6
    assert 0 <= system["cpu_usage"][1] <= 100 * os.cpu_count()
    assert sample(samples, "workers_warm") == 2


DISCONNECTED = {"ReadError", "RemoteProtocolError", "WriteError"}  # connected, then closed without a response


class _StampedBody(list):
    """The generator's bodies (one), noting on our clock when the generator takes it for a request:
    it takes request n's body at or after n's scheduled time and before it stamps n's send,
    which places the generator's clock on ours within the first request's send lateness."""

    def __init__(self, body):
        super().__init__([body])
        self.taken = []

    def __getitem__(self, index):
        self.taken.append(time.perf_counter())
        return super().__getitem__(index)


def test_sigterm_under_open_loop_load_finishes_every_accepted_request_and_exits_0(service_circuit_dir, service_inputs):
    """What "accepted" means here: a request the app received (its http_requests count), which
    uvicorn lets finish on SIGTERM (a connection with a request in progress is closed after its
    response). Not accepted: a connection attempt after the listening socket closed (refused),
    and a request that reached the server but not the app: one on a connection still in the
    listen backlog, or on an idle keep-alive connection that uvicorn closes at once (the client
    sees the connection closed or reset without a response). The server logs what it received
    and answered as it stops; every request it received must have reached its client as a 200."""
    process, url = start_server(service_circuit_dir, "--workers", "2", "--queue", "32", "--deadline", "60",
                                warm_up_s=WARM_UP_S)
    try:
        capacity, _ = measure_capacity(url, service_inputs, seconds=3)
        samples = metric_samples(url)
        received = sample(samples, "http_requests_total", endpoint="prove")
        answered = sample(samples, "http_responses_total", endpoint="prove", status="200")
        assert received == answered  # nothing pending before the load
        # at the capacity, so that requests queue; the queue of 32 holds what a mismeasure lets pile up
        schedule = poisson_schedule(constant(capacity, 10.0), seed=15)
        body = _StampedBody(service_inputs)
        with ThreadPoolExecutor(1) as generator:
            load = generator.submit(asyncio.run, run_load(url, f"/v1/prove/{NAME}", body, schedule,
                                                          timeout=2 * TIMEOUT))
            time.sleep(3)
            _wait_for_metric(url, "queue_depth", 1)  # both workers proving and a request waiting
            signalled = time.perf_counter()
            process.send_signal(signal.SIGTERM)
            records = load.result(timeout=10.0 + 3 * TIMEOUT)
        assert process.wait(timeout=TIMEOUT) == 0
    finally:
        stop_server(process)
    totals = final_request_totals(process)["prove"]
    # the signal on the generator's clock: after `early`, before `late` (late - early: the first send's lateness)
    early, late = signalled - body.taken[0] + records[0].scheduled, signalled - body.taken[0] + records[0].sent
    ok = [r for r in records if r.status == 200]
    refused = [r for r in records if r.error == "ConnectError"]
    disconnected = [r for r in records if r.status is None and r.error in DISCONNECTED]
    report = f"{len(ok)} ok, {len(refused)} refused, {len(disconnected)} disconnected of {len(records)}"
    assert len(ok) + len(refused) + len(disconnected) == len(records), [(r.status, r.error) for r in records]
    # nothing lost: every request the app received was answered 200 and that 200 reached its client
    assert totals == {"received": received + len(ok), "200": answered + len(ok)}, (totals, report)
    # the service drained: requests in flight at the signal finished after it
    drained = [r for r in ok if r.sent < early and late < r.scheduled + r.latency]
    assert drained, report
    # it stopped accepting: the load went on and met a closed port, only after the signal
    assert refused and min(r.sent for r in refused) > early, report
