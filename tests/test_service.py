"""`zkwork serve`: the real app under uvicorn in a subprocess on a loopback port, one worker and
no queue (so that concurrent proofs overflow it), serving membership hardened depth 4."""
import json
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from service_tools import NAME, TIMEOUT
from service_tools import start_server as _start
from service_tools import stop_server as _stop

from zkwork.cli import main as zkwork_main


@pytest.fixture(scope="module")
def circuit_dir(service_circuit_dir):
    return service_circuit_dir


@pytest.fixture(scope="module")
def server(circuit_dir):
    process, url = _start(circuit_dir, "--queue", "0", "--max-body", "100000")
    try:
        yield url
    finally:
        assert _stop(process) == 0


def _post(url, path, body=None, content=None):
    return httpx.post(f"{url}{path}", json=body, content=content, timeout=TIMEOUT)


def test_health_and_ready(server):
    assert httpx.get(f"{server}/health", timeout=TIMEOUT).json() == {"status": "ok"}
    assert httpx.get(f"{server}/ready", timeout=TIMEOUT).json()["ready"] is True


def test_a_proof_verifies_by_the_cli_and_the_service(server, circuit_dir, tmp_path):
    inputs = json.loads((circuit_dir / "input.json").read_text())
    response = _post(server, f"/v1/prove/{NAME}", inputs)
    assert response.status_code == 200, response.text
    proof, public = response.json()["proof"], response.json()["public"]
    (tmp_path / "proof.json").write_text(json.dumps(proof))
    (tmp_path / "public.json").write_text(json.dumps(public))
    assert zkwork_main(["verify", str(circuit_dir / "verification_key.json"), str(tmp_path / "public.json"),
                        str(tmp_path / "proof.json")]) == 0
    assert _post(server, f"/v1/verify/{NAME}", {"proof": proof, "public": public}).json() == {"valid": True}
    changed = [str(int(public[0]) + 1), *public[1:]]
    response = _post(server, f"/v1/verify/{NAME}", {"proof": proof, "public": changed})
    assert (response.status_code, response.json()) == (200, {"valid": False})


def _error(response, status):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert "Traceback" not in error["message"]
    return error


def test_malformed_requests_get_4xx_with_a_json_error(server, circuit_dir):
    inputs = json.loads((circuit_dir / "input.json").read_text())
    assert _error(_post(server, f"/v1/prove/{NAME}", content=b"{not json"), 400)["type"] == "BadJson"
    assert _error(_post(server, f"/v1/prove/{NAME}", [1, 2]), 400)["type"] == "BadJson"
    assert _error(_post(server, "/v1/prove/nope", inputs), 404)["type"] == "UnknownCircuit"
    assert _error(_post(server, "/v1/verify/nope", {}), 404)["type"] == "UnknownCircuit"
    missing = {k: v for k, v in inputs.items() if k != "root"}
    assert "root" in _error(_post(server, f"/v1/prove/{NAME}", missing), 422)["message"]
    huge = {**inputs, "challenge": str(1 << 300)}
    assert _error(_post(server, f"/v1/prove/{NAME}", huge), 422)["type"] == "CircuitInputError"
    wrong_root = {**inputs, "root": str(int(inputs["root"]) + 1)}
    assert _error(_post(server, f"/v1/prove/{NAME}", wrong_root), 422)["type"] == "UnsatisfiedConstraintError"
    assert _error(_post(server, f"/v1/verify/{NAME}", {"public": []}), 422)["type"] == "MissingField"
    bad_proof = {"proof": {"pi_a": ["x"]}, "public": ["1", "2"]}
    assert _error(_post(server, f"/v1/verify/{NAME}", bad_proof), 422)
    assert _error(_post(server, f"/v1/prove/{NAME}", content=b"[" + b"0," * 60000 + b"0]"), 413)["type"] == "BodyTooLarge"


def test_a_full_queue_answers_503_with_retry_after_at_once(server, circuit_dir):
    inputs = json.loads((circuit_dir / "input.json").read_text())
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: _post(server, f"/v1/prove/{NAME}", inputs), range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert 200 in statuses and 503 in statuses and set(statuses) <= {200, 503}, statuses
    rejected = next(r for r in responses if r.status_code == 503)
    assert rejected.headers["Retry-After"] == "1" and rejected.json()["error"]["type"] == "Overloaded"


def test_a_malformed_prove_gets_422_even_when_the_queue_is_full(server, service_inputs):
    """Regression: prove inputs were only checked in a worker, so under overload a malformed
    request got 503 (retry later) instead of 422 (it will never succeed)."""
    busy = True

    def keep_the_worker_busy():
        while busy:
            _post(server, f"/v1/prove/{NAME}", service_inputs)

    with ThreadPoolExecutor(2) as pool:
        load = [pool.submit(keep_the_worker_busy) for _ in range(2)]
        try:
            statuses, malformed = [], []
            deadline = time.monotonic() + 20
            while 503 not in statuses and time.monotonic() < deadline:
                statuses.append(_post(server, f"/v1/prove/{NAME}", service_inputs).status_code)
                malformed.append(_post(server, f"/v1/prove/{NAME}", {**service_inputs, "extra_input": "1"}))
        finally:
            busy = False
        for future in load:
            future.result()
    assert 503 in statuses, "the queue never filled up"
    assert {r.status_code for r in malformed} == {422}
    assert all(r.json()["error"]["type"] == "CircuitInputError" and "extra_input" in r.text for r in malformed)


def test_metrics_use_the_guides_names_and_buckets(server, circuit_dir):
    _post(server, f"/v1/prove/{NAME}", json.loads((circuit_dir / "input.json").read_text()))
    text = httpx.get(f"{server}/metrics", timeout=TIMEOUT).text
    for le in ("100.0", "500.0", "1000.0", "2000.0", "5000.0"):
        assert f'proof_generation_duration_bucket{{circuit_type="{NAME}",le="{le}",status="success"}}' in text
    assert 'verification_duration_bucket{circuit_type="' in text and 'le="50.0"' in text
    assert "queue_depth" in text and "in_flight_requests" in text
    assert 'proof_generation_errors_total{circuit_type="' + NAME + '",error_type="overloaded"}' in text


def _sigterm_while_a_prove_is_in_flight(process, url, inputs, attempts=20):
    """SIGTERM to the server once /metrics shows a prove request in flight; the request's answer.
    A fixed sleep lost the race on a busy machine (the signal came before the request), and
    waiting for one request alone lost it on a quiet one: the small circuit's prove can finish
    between two polls, so a request that finished unseen is sent again."""
    wanted = 'in_flight_requests{endpoint="prove"} 1.0'
    with ThreadPoolExecutor(1) as pool:
        for _ in range(attempts):
            pending = pool.submit(_post, url, f"/v1/prove/{NAME}", inputs)
            deadline = time.monotonic() + TIMEOUT
            while not pending.done():
                if wanted in httpx.get(f"{url}/metrics", timeout=TIMEOUT).text:
                    process.send_signal(signal.SIGTERM)
                    return pending.result(timeout=TIMEOUT)
                assert time.monotonic() < deadline, "a prove request neither finished nor showed in flight"
            assert pending.result().status_code == 200
    raise AssertionError(f"no prove request seen in flight in {attempts} attempts")


def test_sigterm_finishes_the_request_in_flight_and_exits_0(circuit_dir):
    process, url = _start(circuit_dir, "--queue", "0")
    inputs = json.loads((circuit_dir / "input.json").read_text())
    try:
        assert _sigterm_while_a_prove_is_in_flight(process, url, inputs).status_code == 200
        assert process.wait(timeout=20) == 0
    finally:
        _stop(process)


def test_the_workers_module_loads_no_numba_before_a_worker_sets_its_threads():
    """Regression: workers.py imported zkwork.groth16.prover at the top, so a spawned worker
    (which imports the module before _worker_main runs) loaded numba with the default thread
    count before setting NUMBA_NUM_THREADS; its first JIT compilation then failed ("Cannot set
    NUMBA_NUM_THREADS to a different value once the threads have been launched") and the
    worker never became warm."""
    import subprocess
    import sys

    code = "import sys, zkwork.service.workers; print('numba' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "False", done.stdout + done.stderr
