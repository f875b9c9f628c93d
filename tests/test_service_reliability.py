"""`zkwork serve` when a worker process dies: the real app under uvicorn in a subprocess on a
loopback port, two workers, membership hardened depth 4. Workers are found psutil-free, as the
server's children in /proc whose command line is multiprocessing's spawn_main (the other child
is multiprocessing's resource tracker), and killed with SIGKILL, as the kernel's OOM killer would.
Every wait is bounded."""
import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from service_tools import NAME, make_circuit_dir, start_server, stop_server

pytestmark = pytest.mark.slow  # a server, its warm-up and two rounds of replacements: 13-22 s on 2 cores

TIMEOUT = 20  # seconds, every HTTP call (a prove may wait behind the queue and a replacement)
WARM_UP_S = 60  # a worker's warm-up on a loaded 2-core machine, with margin


@pytest.fixture(scope="module")
def circuit_dir(tmp_path_factory):
    return make_circuit_dir(tmp_path_factory.mktemp("service") / "m4")


@pytest.fixture(scope="module")
def inputs(circuit_dir):
    return json.loads((circuit_dir / "input.json").read_text())


def _wait_ready(url, deadline):
    while (response := httpx.get(f"{url}/ready", timeout=TIMEOUT)).status_code != 200:
        assert time.monotonic() < deadline, f"the workers did not warm up: {response.text}"
        time.sleep(0.2)
    return response.json()


@pytest.fixture(scope="module")
def server(circuit_dir):
    """(process, base URL) of `zkwork serve --workers 2 --queue 4` once /ready says true;
    stopped by SIGTERM afterwards, which must still exit 0 after the replacements."""
    process, url = start_server(circuit_dir, "--workers", "2", "--queue", "4", "--deadline", "20",
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


def _metrics(url):
    """{(name, sorted label items): value} of every sample of /metrics."""
    text = httpx.get(f"{url}/metrics", timeout=TIMEOUT).text
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def _value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _prove(url, inputs):
    return httpx.post(f"{url}/v1/prove/{NAME}", json=inputs, timeout=TIMEOUT)


def test_a_worker_killed_under_load_fails_only_its_request_and_is_replaced(server, inputs):
    process, url = server
    before = _metrics(url)
    pids = _worker_pids(process.pid)
    assert len(pids) == 2, pids
    victim = min(pids)
    stop = threading.Event()

    def client():  # closed loop: four clients keep both workers busy and the queue non-empty
        responses = []
        while not stop.is_set():
            responses.append(_prove(url, inputs))
        return responses

    with ThreadPoolExecutor(4) as clients:
        pending = [clients.submit(client) for _ in range(4)]
        time.sleep(0.5)
        os.kill(victim, signal.SIGKILL)  # a worker is idle only for a hand-over: it dies proving
        time.sleep(0.5)  # the service keeps serving while the replacement warms up
        stop.set()
        responses = [response for future in pending for response in future.result(timeout=2 * TIMEOUT)]
    later = _prove(url, inputs)
    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {200, 500, 503}, statuses
    assert statuses.count(500) == 1, statuses
    for response in responses:
        if response.status_code == 500:
            error = response.json()["error"]
            assert error["type"] == "WorkerDied" and str(victim) in error["message"], error
    assert later.status_code == 200, later.text

    after = _metrics(url)
    counted = [("proof_generation_rate_total", {"circuit_type": NAME}),
               ("proof_generation_errors_total", {"circuit_type": NAME, "error_type": "worker_died"}),
               ("proof_generation_errors_total", {"circuit_type": NAME, "error_type": "overloaded"})]
    counts = [_value(after, name, **labels) - _value(before, name, **labels) for name, labels in counted]
    assert counts == [statuses.count(200) + 1, statuses.count(500), statuses.count(503)], (counts, statuses)
    assert _value(after, "worker_restarts_total") - _value(before, "worker_restarts_total") == 1

    ready = _wait_ready(url, time.monotonic() + WARM_UP_S)
    assert ready["warm_workers"] == 2
    replaced = _worker_pids(process.pid)
    assert len(replaced) == 2 and victim not in replaced and len(replaced & pids) == 1, (pids, replaced)
    assert _prove(url, inputs).status_code == 200


def test_ready_is_503_while_a_replacement_warms_up(server, inputs):
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
    assert _prove(url, inputs).status_code == 200
    assert _wait_ready(url, time.monotonic() + WARM_UP_S)["warm_workers"] == 2


def test_metrics_report_cpu_and_memory_with_the_guides_labels(server, inputs):
    process, url = server
    _prove(url, inputs)
    samples = _metrics(url)
    system = {name: (dict(labels), value) for (name, labels), value in samples.items()
              if name in ("cpu_usage", "memory_usage", "memory_resident_bytes")}
    assert set(system) == {"cpu_usage", "memory_usage", "memory_resident_bytes"}, system
    for name, (labels, value) in system.items():
        assert set(labels) == {"server_type", "instance_id"} and value >= 0, (name, labels, value)
    assert 0 < system["memory_usage"][1] < 100
    # three Python processes with numpy and numba loaded: well over 100 MB resident
    assert system["memory_resident_bytes"][1] > 100e6
    assert 0 <= system["cpu_usage"][1] <= 100 * os.cpu_count()
    assert _value(samples, "workers_warm") == 2
