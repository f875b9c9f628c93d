"""`zkwork serve` under abuse (issue #15's reliability tests): twice its capacity for 30 s of
open-loop load (zkwork.service.loadgen), and 1,000 malformed requests among valid ones. The
real app under uvicorn in a subprocess on a loopback port, two workers, membership hardened
depth 4. Every wait is bounded."""
import asyncio
import json
import random
import statistics

import httpx
import pytest
from service_tools import NAME, TIMEOUT, count_changes, final_request_totals, \
    measure_capacity, metric_samples, proof_counts, start_server, stop_server

from zkwork.field import P, R
from zkwork.service.loadgen import poisson_schedule, run_load, steps

pytestmark = pytest.mark.slow  # 30 s of overload: 53-70 s with its set-up; the malformed requests 30-47 s

WARM_UP_S = 60  # two workers' warm-up on a loaded 2-core machine, with margin
DEADLINE_S = 3  # --deadline of the overload test
QUEUE = 4  # --queue of the overload test: a wait of at most 3 proofs (~0.3 s), well within the deadline
MARGIN_S = 1.0  # beyond the deadline: the generator's send lateness and the HTTP round trip on 2 busy cores
OVERLOAD_S = 30
RECOVERY_S = 5  # the service must serve normally this long after the load drops
PROBE_GAP_S = 0.5  # the low-rate requests after the load drops, one every PROBE_GAP_S for 10 s


async def _bursts(url, inputs, times, size=8):
    """Bursts of `size` concurrent prove requests at `times` (seconds from now): beyond the
    workers + queue (6), so each burst meets a full queue. The 503s' headers, which the
    generator's records do not keep."""
    responses = []
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
        start = asyncio.get_running_loop().time()
        for t in times:
            await asyncio.sleep(max(0.0, start + t - asyncio.get_running_loop().time()))
            burst = [client.post(f"/v1/prove/{NAME}", json=inputs) for _ in range(size)]
            responses += await asyncio.gather(*burst)
    return responses


def test_twice_the_capacity_for_30_s_sheds_the_excess_with_503_and_recovers(service_circuit_dir, service_inputs):
    process, url = start_server(service_circuit_dir, "--workers", "2", "--queue", str(QUEUE),
                                "--deadline", str(DEADLINE_S), warm_up_s=WARM_UP_S)
    try:
        capacity, unloaded = measure_capacity(url, service_inputs)
        before = proof_counts(metric_samples(url))
        profile = steps([(2 * capacity, OVERLOAD_S), (1 / PROBE_GAP_S, 10.0)])
        # the overload is Poisson; after it, requests at a steady low rate show when service is normal again
        schedule = poisson_schedule(profile[:1], seed=15) + [
            (OVERLOAD_S + PROBE_GAP_S * (i + 1), 1) for i in range(int(10.0 / PROBE_GAP_S) - 1)]

        async def load():
            return await asyncio.gather(run_load(url, f"/v1/prove/{NAME}", [service_inputs], schedule, timeout=2 * TIMEOUT),
                                        _bursts(url, service_inputs, [5, 15, 25]))
        records, bursts = asyncio.run(load())
        after = proof_counts(metric_samples(url))
    finally:
        assert stop_server(process) == 0
    overload = [r for r in records if r.segment == 0]
    statuses = [r.status for r in overload]
    report = (f"capacity {capacity:.1f}/s, unloaded {unloaded * 1e3:.0f} ms; statuses "
              f"{ {s: statuses.count(s) for s in set(statuses)} }")
    # every request answered, by a proof, a 503 or a 504 at its deadline: no connection error, no hang
    assert set(statuses) <= {200, 503, 504}, ([r.error for r in overload if r.status is None][:5], report)
    slowest = max(records, key=lambda r: r.latency)
    assert slowest.latency <= DEADLINE_S + MARGIN_S, (slowest, report)
    # the excess is shed with 503 at once (it never waits for a worker), the successes keep flowing
    assert statuses.count(503) >= len(overload) / 4, report
    shed = [r.latency - (r.sent - r.scheduled) for r in overload if r.status == 503]
    assert statistics.median(shed) < unloaded and max(shed) < DEADLINE_S / 2, (statistics.median(shed), max(shed))
    for start in range(0, OVERLOAD_S, 5):  # in every 5 s, at least a quarter of the capacity
        served = sum(r.status == 200 for r in overload if start <= r.scheduled < start + 5)
        assert served >= capacity * 5 / 4, (start, served, report)
    rejected = [response for response in bursts if response.status_code == 503]
    assert rejected, [response.status_code for response in bursts]
    for response in rejected:
        assert response.headers["Retry-After"] == "1" and response.json()["error"]["type"] == "Overloaded"
    # RECOVERY_S after the load drops, every request is served about as fast as without load
    recovered = [r for r in records if r.scheduled >= OVERLOAD_S + RECOVERY_S]
    assert len(recovered) >= 5 and all(r.status == 200 for r in recovered), recovered
    near = max(3 * unloaded, unloaded + 0.5)
    assert all(r.latency <= near for r in recovered), ([r.latency for r in recovered], unloaded)
    # the server counted what the generator and the bursts saw
    answered = [r.status for r in records] + [response.status_code for response in bursts]
    expected = {"success": answered.count(200), "overloaded": answered.count(503), "deadline": answered.count(504)}
    assert count_changes(before, after) == {k: v for k, v in expected.items() if v}, report


def _prove_cases(inputs):
    """(path, request options, expected status, a word the error must contain) of malformed
    prove requests: not JSON, not an object, wrong types, huge numbers, missing and extra inputs.
    The deeply nested bodies are a regression test: json.loads overflowed the C stack on them
    (py_ecc raises the recursion limit) and the server died of SIGSEGV."""
    prove = f"/v1/prove/{NAME}"
    raw = [b"{not json", json.dumps(inputs)[:-5].encode(), b"", b'{"pid": "\xff"}', b"\x00\x01\x02",
           b"<inputs><pid>1</pid></inputs>", b"pid=1&salt=2", b"[" * 50000, b'{"a":' * 20000,
           b'{"pid": ' + b"9" * 5000 + b"}"]
    cases = [(prove, {"content": body}, 400, "JSON") for body in raw]
    cases += [(prove, {"content": body, "headers": {"content-type": kind}}, 400, "JSON")
              for body, kind in [(b"hello", "text/plain"), (b"a=1&b=2", "application/x-www-form-urlencoded")]]
    cases += [(prove, {"content": json.dumps(value).encode()}, 400, "object")
              for value in ([], [inputs], "inputs", 123, None, True)]
    for name, value in [("pid", [1, 2]), ("pid", {"x": 1}), ("pid", True), ("pid", None), ("pid", 1.5),
                        ("salt", "abc"), ("salt", "0xZZ"), ("root", str(R)), ("root", R), ("root", -1),
                        ("root", "-1"), ("challenge", 10**100), ("challenge", str(10**100)),
                        ("challenge", hex(P)), ("root", float("1e300")), ("pathElements", "123"),
                        ("pathElements", inputs["pathElements"][:3]), ("pathElements", [[1]] * 4),
                        ("pathIndices", [0, 1, 0]), ("pathIndices", [0, 1, 0, R])]:
        cases.append((prove, {"json": {**inputs, name: value}}, 422, name))
    cases += [(prove, {"json": {k: v for k, v in inputs.items() if k != name}}, 422, name) for name in inputs]
    cases.append((prove, {"json": {**inputs, "extra_input": "1"}}, 422, "extra_input"))
    cases.append((prove, {"json": {**inputs, "pathIndices": ["2", "0", "0", "0"]}}, 422, "Unsatisfied"))
    cases.append((prove, {"json": {**inputs, "root": "1"}}, 422, "Unsatisfied"))
    return cases


def _other_cases(proof, public):
    """Malformed verify requests (missing fields, wrong public count, garbage points), unknown
    circuits and paths, wrong methods and bodies over --max-body (100,000 bytes)."""
    verify = f"/v1/verify/{NAME}"
    cases = [(verify, {"json": {"public": public}}, 422, "proof"), (verify, {"json": {"proof": proof}}, 422, "public"),
             (verify, {"json": {"proof": proof, "public": public[:1]}}, 422, "public"),
             (verify, {"json": {"proof": proof, "public": [*public, "1"]}}, 422, "public"),
             (verify, {"json": {"proof": proof, "public": [str(R), public[1]]}}, 422, "public[0]"),
             (verify, {"json": {"proof": proof, "public": [int(v) for v in public]}}, 422, "public[0]"),
             (verify, {"json": {"proof": proof, "public": "abc"}}, 422, "public"),
             (verify, {"json": {"proof": [], "public": public}}, 422, "proof"),
             (verify, {"json": [proof, public]}, 400, "object"),
             (verify, {"content": b'{"proof": '}, 400, "JSON")]
    for name, value in [("pi_a", ["1", "1", "1"]), ("pi_a", [str(P), "1", "1"]), ("pi_a", [10**100, "1", "1"]),
                        ("pi_a", ["abc", "1", "1"]), ("pi_a", ["1", "2", "0"]), ("pi_b", [["1"]]),
                        ("pi_b", [["1", "2"], ["3", "4"], ["1", "0"]]), ("pi_c", "garbage"), ("pi_c", None),
                        ("protocol", "plonk"), ("curve", "bls12_381")]:
        cases.append((verify, {"json": {"proof": {**proof, name: value}, "public": public}}, 422, name))
    cases.append((verify, {"json": {"proof": {k: v for k, v in proof.items() if k != "pi_b"}, "public": public}},
                  422, "pi_b"))
    cases += [("/v1/prove/nope", {"json": {}}, 404, "nope"), ("/v1/verify/nope", {"json": {}}, 404, "nope"),
              ("/v1/prove/", {"json": {}}, 404, "Not Found"), ("/v2/anything", {"json": {}}, 404, "Not Found")]
    cases += [(f"/v1/prove/{NAME}", {"method": "GET"}, 405, "Method"),
              (f"/v1/verify/{NAME}", {"method": "PUT", "json": {}}, 405, "Method")]
    big = json.dumps({"proof": proof, "public": public, "padding": "x" * 100_000}).encode()

    async def chunked():  # no Content-Length: the limit is enforced while reading
        for _ in range(30):
            yield b"0" * 5000

    cases += [(verify, {"content": big}, 413, "limit"), (f"/v1/prove/{NAME}", {"content": big}, 413, "limit"),
              (verify, {"content": chunked}, 413, "limit")]
    return cases


def _wrong(response, status, word):
    """Why the response is not `status` with {"error": {"type", "message"}} naming `word`
    (compared ignoring case) and free of traceback text; None if it is."""
    if response.status_code != status:
        return f"status {response.status_code}, not {status}: {response.text[:200]}"
    if "Traceback" in response.text or 'File "' in response.text:
        return f"a traceback: {response.text[:200]}"
    try:
        error = response.json().get("error") if isinstance(response.json(), dict) else None
    except ValueError:
        error = None
    if not isinstance(error, dict) or set(error) != {"type", "message"}:
        return f"not a JSON error: {response.text[:200]}"
    if word.lower() not in f"{error['type']} {error['message']}".lower():
        return f"{word!r} is not named: {error}"
    return None


def test_1000_malformed_requests_get_4xx_naming_the_problem_and_valid_ones_between_succeed(service_circuit_dir, service_inputs):
    process, url = start_server(service_circuit_dir, "--workers", "2", "--queue", "64", "--max-body", "100000",
                                warm_up_s=WARM_UP_S)
    try:
        made = httpx.post(f"{url}/v1/prove/{NAME}", json=service_inputs, timeout=TIMEOUT).json()
        proof, public = made["proof"], made["public"]
        cases = _prove_cases(service_inputs) + _other_cases(proof, public)
        malformed = [cases[n % len(cases)] for n in range(1000)]
        valid = [(f"/v1/prove/{NAME}", {"json": service_inputs}, 200, "proof")] * 25
        valid += [(f"/v1/verify/{NAME}", {"json": {"proof": proof, "public": public}}, 200, "valid")] * 25
        requests = malformed + valid
        random.Random(15).shuffle(requests)

        async def send_all():  # 32 at a time: the prove queue (64) never fills, so no 503 hides a 4xx
            slots = asyncio.Semaphore(32)
            async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
                async def send(path, options):
                    options = dict(options)
                    if callable(options.get("content")):
                        options["content"] = options["content"]()
                    async with slots:
                        return await client.request(options.pop("method", "POST"), path, **options)
                return await asyncio.gather(*(send(path, options) for path, options, _, _ in requests))
        responses = asyncio.run(send_all())
        wrong = [(path, str(options)[:100], _wrong(response, status, word))
                 for (path, options, status, word), response in zip(requests, responses)
                 if status != 200 and _wrong(response, status, word)]
        assert not wrong, f"{len(wrong)} wrong answers, e.g. {sorted(set(wrong))[:10]}"
        for (path, options, status, word), response in zip(requests, responses):
            if status == 200:  # the valid requests between the malformed ones
                assert response.status_code == 200 and word in response.json(), response.text
                assert word != "valid" or response.json() == {"valid": True}
        assert httpx.get(f"{url}/ready", timeout=TIMEOUT).status_code == 200
        assert httpx.post(f"{url}/v1/prove/{NAME}", json=service_inputs, timeout=TIMEOUT).status_code == 200
    finally:
        assert stop_server(process) == 0
    assert not [line for line in process.log_lines if "Traceback" in line or "Exception" in line]
    totals = final_request_totals(process)  # the server's own count: no 5xx for prove or verify
    assert not [status for endpoint in ("prove", "verify") for status in totals[endpoint] if status[0] == "5"], totals
