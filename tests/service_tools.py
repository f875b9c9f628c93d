"""Servers for the service's tests: `zkwork serve` in a subprocess on a free loopback port
(tests/test_service.py, tests/test_loadgen.py), and any ASGI app under uvicorn in a thread."""
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time

from zkwork.cli import main as zkwork_main

NAME = "membership_hardened_d4"  # the served name of make_circuit_dir's circuit
TIMEOUT = 10  # seconds, every HTTP call


def make_circuit_dir(directory):
    """`directory` made a circuit directory of membership hardened depth 4 (`zkwork setup`)."""
    assert zkwork_main(["setup", "membership", "--variant", "hardened", "--param", "depth=4",
                        "--out", str(directory)]) == 0
    return directory


def start_server(circuit_dir, *options, warm_up_s=30):
    """(process, base URL) of `zkwork serve` on a free loopback port, once /ready says true
    (options after the defaults override them: argparse keeps the last). Its stderr is drained
    by a thread into `process.log_lines`, so access logs never fill the pipe and block it."""
    import httpx

    process = subprocess.Popen([sys.executable, "-m", "zkwork.cli", "serve", str(circuit_dir), "--port", "0",
                                "--workers", "1", *options], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + warm_up_s
    url = None
    while url is None:  # uvicorn names the port it bound on stderr
        line = process.stderr.readline()
        assert line and time.monotonic() < deadline, "the server did not start"
        match = re.search(r"running on (http://127\.0\.0\.1:\d+)", line)
        url = match and match.group(1)
    process.log_lines = []
    process.log_thread = threading.Thread(target=lambda: process.log_lines.extend(process.stderr), daemon=True)
    process.log_thread.start()
    while (response := httpx.get(f"{url}/ready", timeout=TIMEOUT)).status_code != 200:
        assert time.monotonic() < deadline, f"the workers did not warm up: {response.text}"
        time.sleep(0.2)
    return process, url


def stop_server(process):
    """SIGTERM, then the exit status (killed if it has not exited within 20 s)."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def final_request_totals(process):
    """The request totals the server logged as it stopped ({endpoint: {"received": n, status: n}};
    zkwork.service.app.create_app), read once its stderr has ended (after it exited)."""
    process.log_thread.join(TIMEOUT)
    for line in process.log_lines:
        if "zkwork serve stopped; requests: " in line:
            return json.loads(line.split("requests: ", 1)[1])
    raise AssertionError("the server logged no request totals:\n" + "".join(process.log_lines[-20:]))


def metric_samples(url):
    """{(name, sorted label items): value} of every sample of the server's /metrics."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{url}/metrics", timeout=TIMEOUT).text
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def sample(samples, name, **labels):
    """The value of metric `name` with exactly `labels` in `metric_samples`' result (0 if absent)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def proof_counts(samples):
    """{"success": n, error_type: n, ...}: the prove outcomes counted by the server's metrics."""
    counts = {"success": sample(samples, "proof_generation_rate_total", circuit_type=NAME)}
    for (name, labels), value in samples.items():
        if name == "proof_generation_errors_total":
            counts[dict(labels)["error_type"]] = value
    return counts


def count_changes(before, after):
    """{key: after - before} of two `proof_counts`, the unchanged keys left out."""
    return {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}


def measure_capacity(url, body, seconds=4.0, clients=4):
    """(prove requests per second the server completes with `clients` closed-loop clients for
    `seconds`, the median latency in seconds of 5 sequential proves before them): the service's
    capacity and its unloaded latency, measured on this machine as it is now."""
    import asyncio
    import statistics

    import httpx

    async def measure():
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            alone = []
            for _ in range(5):
                start = time.perf_counter()
                assert (await client.post(f"/v1/prove/{NAME}", json=body)).status_code == 200
                alone.append(time.perf_counter() - start)
            done, end = 0, time.perf_counter() + seconds

            async def closed_loop():
                nonlocal done
                while time.perf_counter() < end:
                    response = await client.post(f"/v1/prove/{NAME}", json=body)
                    done += response.status_code == 200
            start = time.perf_counter()
            await asyncio.gather(*(closed_loop() for _ in range(clients)))
            return done / (time.perf_counter() - start), statistics.median(alone)

    return asyncio.run(measure())


class ThreadedServer:
    """An ASGI app under uvicorn on a free loopback port, in a thread of the test process (a
    stub needs no process of its own). A context manager whose value is the base URL."""

    def __init__(self, app):
        """`app`: the ASGI application to serve."""
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))  # bound here, so the port is known before uvicorn starts
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "the stub server did not start"
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
