"""`zkwork loadtest` (zkwork.service.loadgen): the Poisson schedule's statistics, the open loop
against a slow stub, the loopback-only rule, and a short run against `zkwork serve`."""
import asyncio
import json
import math

import pytest
from service_tools import NAME, ThreadedServer, make_circuit_dir, start_server, stop_server

from zkwork.cli import main as zkwork_main
from zkwork.commands.common import Exit
from zkwork.errors import NonLoopbackError, ProfileError
from zkwork.service import loadgen
from zkwork.service.workers import available_cores


def test_the_schedule_is_poisson_at_the_offered_rate():
    rate, duration = 50.0, 400.0
    times = [t for t, _ in loadgen.poisson_schedule(loadgen.constant(rate, duration), seed=7)]
    expected = rate * duration
    assert abs(len(times) - expected) < 4 * math.sqrt(expected)  # Poisson count: sd = sqrt(mean)
    gaps = [b - a for a, b in zip(times, times[1:])]
    mean = sum(gaps) / len(gaps)
    assert abs(mean - 1 / rate) < 0.03 / rate
    sd = math.sqrt(sum((g - mean) ** 2 for g in gaps) / len(gaps))
    assert abs(sd / mean - 1) < 0.05  # an exponential's coefficient of variation is 1
    for q in (0.25, 0.5, 0.9, 0.99):  # the empirical CDF against 1 - exp(-rate x)
        x = -math.log(1 - q) / rate
        assert abs(sum(g <= x for g in gaps) / len(gaps) - q) < 0.015
    assert times == [t for t, _ in loadgen.poisson_schedule(loadgen.constant(rate, duration), seed=7)]
    assert times != [t for t, _ in loadgen.poisson_schedule(loadgen.constant(rate, duration), seed=8)]


def test_step_and_ramp_profiles_follow_their_rates():
    schedule = loadgen.poisson_schedule(loadgen.steps([(10, 100), (0, 50), (40, 100)]), seed=1)
    per_step = [sum(i == step for _, i in schedule) for step in range(3)]
    assert abs(per_step[0] - 1000) < 130 and per_step[1] == 0 and abs(per_step[2] - 4000) < 260
    assert all(100 <= t < 150 for t, i in schedule if i == 1) and all(t >= 150 for t, i in schedule if i == 2)
    # a ramp 0 -> 100/s over 100 s offers 5000, a quarter of them in its first half
    times = [t for t, _ in loadgen.poisson_schedule(loadgen.ramp(0, 100, 100), seed=2)]
    assert abs(len(times) - 5000) < 300
    assert abs(sum(t < 50 for t in times) - 1250) < 150
    assert len(loadgen.poisson_schedule(loadgen.ramp(0, 100, 100), seed=2, max_requests=10)) == 10
    cut = loadgen.truncate(loadgen.ramp(0, 100, 100), 30)
    assert sum(s.duration for s in cut) == pytest.approx(30) and cut[-1].rate_end == pytest.approx(30)
    with pytest.raises(ProfileError):
        loadgen.poisson_schedule(loadgen.constant(-1, 10))
    with pytest.raises(ProfileError):
        loadgen.poisson_schedule(loadgen.constant(1, 0))


@pytest.mark.parametrize("url", ["http://10.0.0.1:8000", "http://example.com", "http://192.168.1.1",
                                 "ftp://127.0.0.1/", "http://[2001:db8::1]:80", "not a url"])
def test_only_loopback_targets_are_accepted(url, capsys):
    with pytest.raises(NonLoopbackError):
        loadgen.check_loopback(url)
    with pytest.raises(NonLoopbackError):
        asyncio.run(loadgen.run_load(url, "/", [{}], [(0.0, 0)]))
    assert zkwork_main(["loadtest", url, "--circuit", NAME, "--input", "x.json", "--rate", "1",
                        "--duration", "1"]) == Exit.USAGE
    assert "loopback" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://127.8.9.10", "http://[::1]:80",
                                 "https://localhost:1/"])
def test_loopback_targets_are_accepted(url):
    loadgen.check_loopback(url)


@pytest.mark.parametrize("options", [[], ["--rate", "1"], ["--profile", "step:1"], ["--profile", "ramp:1-2"],
                                     ["--profile", "wave:1", "--duration", "1"], ["--rate", "x", "--duration", "1"],
                                     ["--rate", "-1", "--duration", "1"], ["--rate", "1", "--duration", "0"]])
def test_profile_usage_errors_exit_64(options, capsys):
    argv = ["loadtest", "http://127.0.0.1:1", "--circuit", NAME, "--input", "x.json", *options]
    assert zkwork_main(argv) == Exit.USAGE


class SlowStub:
    """An ASGI app that answers every request 200 after 200 ms, one at a time (an asyncio lock:
    concurrency 1), so that its capacity is 5 requests per second."""

    def __init__(self):
        self.lock = None

    async def __call__(self, scope, receive, send):
        """Drains the body, then holds the lock for 200 ms and answers {}."""
        while (await receive()).get("more_body"):
            pass
        self.lock = self.lock or asyncio.Lock()  # created on the server's event loop
        async with self.lock:
            await asyncio.sleep(0.2)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"{}"})


def test_the_generator_keeps_the_offered_rate_against_a_slow_service():
    # offered 15/s for 1.5 s against a capacity of 5/s: a closed loop would send at 5/s with
    # latencies of 200 ms; the open loop sends all ~22 on time and the queue shows in latency
    profile = loadgen.constant(15, 1.5)
    schedule = loadgen.poisson_schedule(profile, seed=3)
    with ThreadedServer(SlowStub()) as url:
        records = asyncio.run(loadgen.run_load(url, "/", [{}], schedule, timeout=15))
    assert all(r.status == 200 for r in records) and len(records) == len(schedule) >= 15
    lateness = sorted(r.sent - r.scheduled for r in records)
    # every request left on time, none waited for a response: a closed loop would send the last one
    # seconds late (~22 requests at 200 ms each over 1.5 s); 0.5 s leaves room for a loaded machine's event loop
    assert lateness[-1] < 0.5, lateness
    latencies = [r.latency for r in records]
    half = len(latencies) // 2
    assert sum(latencies[half:]) / (len(latencies) - half) > sum(latencies[:half]) / half + 0.5
    # the n-th request cannot be answered before n * 200 ms: latency from the scheduled start sees it
    assert max(latencies) > 0.2 * len(records) - 1.5 - 0.1
    result = loadgen.summarize(records, profile)
    assert result["send_rate"] == pytest.approx(len(schedule) / 1.5)
    assert result["goodput"] < 6 and result["statuses"] == {"200": len(records)}
    json.dumps(result, allow_nan=False)


def test_the_concurrency_cap_drops_at_once_and_records_it():
    profile = loadgen.constant(30, 0.5)
    schedule = loadgen.poisson_schedule(profile, seed=4)
    with ThreadedServer(SlowStub()) as url:
        records = asyncio.run(loadgen.run_load(url, "/", [{}], schedule, concurrency=2, timeout=15))
    dropped = [r for r in records if r.error == loadgen.DROPPED]
    assert dropped and all(r.sent is None and r.status is None for r in dropped)
    assert max(r.sent - r.scheduled for r in records if r.sent is not None) < 0.5  # never waited for a slot
    result = loadgen.summarize(records, profile)
    assert result["dropped"] == len(dropped) and result["statuses"]["dropped"] == len(dropped)
    assert result["sent"] + result["dropped"] == result["scheduled"] == len(schedule)
    assert "dropped by the generator" in loadgen.summary_text(result)


def test_measured_load_runs_beside_a_running_loop_and_accounts_the_generators_cpu():
    profile = loadgen.constant(20, 0.5)
    schedule = loadgen.poisson_schedule(profile, seed=5)

    async def inside_a_loop():  # as in a Jupyter kernel, where asyncio.run would refuse
        with ThreadedServer(SlowStub()) as url:
            return loadgen.measured_load(url, "/", [{}], schedule, timeout=15)

    records, wall_s, cpu_s = asyncio.run(inside_a_loop())
    assert len(records) == len(schedule) and all(r.status == 200 for r in records)
    assert wall_s >= 0.5 and cpu_s > 0
    result = loadgen.summarize(records, profile, generator_cpu_s=cpu_s)
    assert result["generator_cpu_s"] == cpu_s
    assert result["generator_cpu_share"] == pytest.approx(cpu_s / (result["wall_time_s"] * available_cores()))
    assert "generator CPU" in loadgen.summary_text(result)
    assert loadgen.summarize(records, profile)["generator_cpu_share"] is None


@pytest.mark.slow
def test_a_short_run_against_zkwork_serve(tmp_path, capsys):
    circuit_dir = make_circuit_dir(tmp_path / "m4")
    process, url = start_server(circuit_dir, "--queue", "2")
    try:
        out = tmp_path / "prove.json"
        assert zkwork_main(["loadtest", url, "--circuit", NAME, "--input", str(circuit_dir), "--endpoint", "prove",
                            "--rate", "5", "--duration", "3", "--seed", "1", "--out", str(out)]) == Exit.OK
        text = capsys.readouterr().out
        assert "goodput" in text and "P95" in text
        result = json.loads(out.read_text())
        assert result["goodput"] > 0 and set(result["statuses"]) <= {"200", "503"}, result["statuses"]
        assert result["latency_ok_ms"]["p50"] > 0
        assert zkwork_main(["loadtest", url, "--circuit", NAME, "--input", str(circuit_dir / "input.json"),
                            "--endpoint", "verify", "--profile", "step:20@0.5,40@0.5", "--json"]) == Exit.OK
        result = json.loads(capsys.readouterr().out)
        assert result["statuses"] == {"200": result["scheduled"]} and len(result["steps"]) == 2
    finally:
        assert stop_server(process) == 0
