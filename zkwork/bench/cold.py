"""`zkwork bench cold`: process start to result, the way a shell script pays for it.

snarkjs's CLI (`node snarkjs groth16 prove|verify|fullprove`) and zkwork's three verbs
(`zkwork prove-zkey`, `zkwork verify`, `zkwork groth16 fullprove`) on the same files -- the
snarkjs zkey, .wasm, input and witness of membership/hardened d20's Circom twin (cached by
zkwork.bench.snarkjs_peer) -- each run as a fresh process, interleaved run by run so load
drifts hit every command alike. zkwork runs twice over: in-process (ZKWORK_DAEMON=0, numba's
JIT cache warm from an untimed first run) and forwarded to a daemon this suite starts on a
private socket and stops. Per command: wall, CPU and peak RSS of the process (os.wait4),
medians and P95; the daemon's RSS beside; ratios to snarkjs against issue #16's targets
(prove and fullprove <= 0.5x snarkjs, verify <= 1x). Every zkwork proof is verified (and one
by snarkjs too); the load average before and after flags a contended run.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from zkwork.bench.machine import describe
from zkwork.bench.snarkjs_peer import NODE_MODULES, measure_snarkjs, snarkjs_witness
from zkwork.bench.timing import Span
from zkwork.errors import InvariantError
from zkwork.patterns import get_pattern
from zkwork.resources import resource_dir

TARGETS = {"prove": 0.5, "verify": 1.0, "fullprove": 0.5}  # zkwork / snarkjs, process start to result
CONTENDED_LOAD_PER_CORE = 0.25  # a 1-minute load above this per core means other work shared the CPUs
DAEMON_START_WAIT_S = 120
MAX_RESTARTS_PER_RUN = 3


def _decimal(value):
    return [_decimal(item) for item in value] if isinstance(value, (list, tuple)) else str(value)


def prepare_inputs(directory, cache_dir=None):
    """The snarkjs artefacts of membership/hardened d20's Circom twin (zkey, wasm, vk, from
    snarkjs_peer's cache) with its sample input.json and snarkjs's witness, under `directory`."""
    pattern = get_pattern("membership", "hardened", depth=20)
    inputs = pattern.sample_inputs()
    main_file = resource_dir("circuits") / "main" / f"{pattern.main_name}.circom"
    paths = measure_snarkjs(main_file, inputs, runs=1, verify_runs=1, cache_dir=cache_dir)["paths"]
    directory = Path(directory)
    input_path = directory / "input.json"
    input_path.write_text(json.dumps({name: _decimal(value) for name, value in inputs.items()}))
    witness = snarkjs_witness(paths["wasm"], inputs, directory / "witness.wtns")
    return {"circuit": pattern.main_name, "zkey": str(paths["zkey"]), "wasm": str(paths["wasm"]),
            "vk": str(paths["verification_key"]), "input": str(input_path), "wtns": str(witness)}


def zkwork_command():
    """The argv prefix of this environment's `zkwork` (its console script, else python -m zkwork.cli)."""
    script = Path(sys.executable).with_name("zkwork")
    return [str(script)] if script.exists() else [sys.executable, "-m", "zkwork.cli"]


def commands(files, out):
    """{(tool, verb): argv} of the six commands, writing their proofs under `out`."""
    snarkjs = [shutil.which("node"), str(NODE_MODULES / ".bin" / "snarkjs")]  # prepare_inputs checked both
    zkwork = zkwork_command()
    proof, public = str(out / "{tool}_{verb}_proof.json"), str(out / "{tool}_{verb}_public.json")
    made = {
        ("snarkjs", "prove"): snarkjs + ["groth16", "prove", files["zkey"], files["wtns"], proof, public],
        ("snarkjs", "fullprove"): snarkjs + ["groth16", "fullprove", files["input"], files["wasm"], files["zkey"],
                                             proof, public],
        ("zkwork", "prove"): zkwork + ["prove-zkey", files["zkey"], files["wtns"], proof, public],
        ("zkwork", "fullprove"): zkwork + ["groth16", "fullprove", files["input"], files["wasm"], files["zkey"],
                                           proof, public],
    }
    made = {(tool, verb): [word.format(tool=tool, verb=verb) for word in argv] for (tool, verb), argv in made.items()}
    # each verifies the proof its own prove wrote
    made[("snarkjs", "verify")] = snarkjs + ["groth16", "verify", files["vk"], str(out / "snarkjs_prove_public.json"),
                                             str(out / "snarkjs_prove_proof.json")]
    made[("zkwork", "verify")] = zkwork + ["verify", files["vk"], str(out / "zkwork_prove_public.json"),
                                           str(out / "zkwork_prove_proof.json")]
    return made


# Spawns the measured command from a fresh small interpreter: a child forked from this
# process (numba loaded, ~270 MB) would report this process's RSS as its own peak, since
# the kernel carries the forking process's high-water mark through exec into ru_maxrss.
LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    json.dump([wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)], out)
"""


def run_process(argv, env):
    """One process: (wall s, CPU s of it, peak RSS bytes, exit status, its stdout and stderr),
    measured by LAUNCHER from fork to exit (os.wait4)."""
    with tempfile.TemporaryDirectory() as directory:
        figures, out, err = (Path(directory) / name for name in ("figures.json", "out", "err"))
        with open(out, "wb") as out_file, open(err, "wb") as err_file:
            subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, str(figures), *argv], env=env,
                           stdin=subprocess.DEVNULL, stdout=out_file, stderr=err_file, check=False)
        try:
            wall, cpu, rss, status = json.loads(figures.read_text())
        except (OSError, ValueError):
            raise InvariantError(f"the launcher failed on {argv}: {err.read_text(errors='replace')[-2000:]}") from None
        return wall, cpu, rss, status, out.read_text(errors="replace"), err.read_text(errors="replace")


def _check_proof(vk_path, out, tool, verb):
    from zkwork.groth16 import verify
    from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json, read_json_as, vk_from_json

    vk = read_json_as(vk_path, vk_from_json)
    public = read_json_as(out / f"{tool}_{verb}_public.json", public_from_json)
    if not verify(vk, public, read_json_as(out / f"{tool}_{verb}_proof.json", proof_from_json)):
        raise InvariantError(f"{tool} {verb}'s proof does not verify")


def _summary(samples):
    walls, cpus, rss = (np.array([sample[k] for sample in samples]) for k in range(3))
    summary = {"wall_median_s": float(np.median(walls)), "wall_p95_s": float(np.percentile(walls, 95)),
               "cpu_median_s": float(np.median(cpus)), "peak_rss_median_mb": float(np.median(rss)) / 2**20,
               "wall_s": walls.tolist()}
    served = [sample[6] for sample in samples if len(sample) > 6 and sample[6] is not None]
    if served:  # the daemon's CPU seconds for the request, beside the client's own
        summary["daemon_cpu_median_s"] = float(np.median(served))
    return summary


def start_daemon(env, socket_path, say, idle_timeout=600):
    """Start a zkwork daemon on `socket_path` (with `env`, exiting after `idle_timeout` s
    without a request) and wait until it answers; InvariantError if it fails."""
    argv = zkwork_command() + ["daemon", "start", "--socket", str(socket_path), "--idle-timeout", str(idle_timeout),
                               "--wait", str(DAEMON_START_WAIT_S)]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=DAEMON_START_WAIT_S + 30)
    if result.returncode != 0:
        raise InvariantError(f"zkwork daemon start failed (exit {result.returncode}): {result.stderr}")
    say(result.stdout.strip())


def daemon_status(env, socket_path):
    """The ping answer of the daemon on `socket_path` (pid, rss_bytes, cpu_s, requests...), or None."""
    argv = zkwork_command() + ["daemon", "status", "--json", "--socket", str(socket_path)]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    return json.loads(result.stdout) if result.returncode == 0 else None


def stop_daemon(env, socket_path):
    """Ask the daemon on `socket_path` to exit (nothing if none answers)."""
    subprocess.run(zkwork_command() + ["daemon", "stop", "--socket", str(socket_path)], env=env,
                   capture_output=True, timeout=60)


def _measure_rounds(runs, cases, argvs, samples, vk_path, out, served, socket_path, say):
    """Runs every case `runs` + 1 times (round 0 untimed), appending to `samples`; checks
    every exit status and zkwork proof. A daemon-mode run the daemon did not answer (it exits
    when a zkwork source it loaded changes, and the command then ran in-process) is not kept:
    the daemon is started again and the run repeated. Returns how many restarts that took."""
    restarts, answered, daemon_cpu = 0, 0, None
    for round_ in range(runs + 1):
        say(f"round {round_}/{runs}" + (" (untimed)" if round_ == 0 else ""))
        for tool, verb, mode, env in cases:
            for _ in range(MAX_RESTARTS_PER_RUN + 1):
                sample = run_process(argvs[(tool, verb)], env)
                if sample[3] != 0:
                    raise InvariantError(f"{tool} {verb} {mode} exited {sample[3]}: {sample[5][-2000:]}")
                if mode != "daemon":
                    break
                status = daemon_status(served, socket_path)
                if status is not None and status["requests"] == answered + 1:
                    answered += 1
                    sample += (status["cpu_s"] - daemon_cpu if daemon_cpu is not None else None,)
                    daemon_cpu = status["cpu_s"]
                    break
                daemon_cpu = None
                say(f"the daemon did not answer {tool} {verb}; starting it again")
                restarts, answered = restarts + 1, 0
                start_daemon(served, socket_path, say)
                daemon_cpu = daemon_status(served, socket_path)["cpu_s"]
            else:
                raise InvariantError(f"the daemon did not answer {tool} {verb} after {MAX_RESTARTS_PER_RUN} restarts")
            if tool == "zkwork" and verb != "verify":
                _check_proof(vk_path, out, tool, verb)
            if round_:
                samples[(tool, verb, mode)].append(sample)
    return restarts


def bench_cold(runs=5, cache_dir=None, say=print):
    """The six commands, zkwork's in-process and through a daemon, `runs` times each after one
    untimed run: per command its summary, ratios to snarkjs against TARGETS, the daemon's RSS
    and restarts, the machine and the run's span (load before and after, `contended`)."""
    with tempfile.TemporaryDirectory(prefix="zkwork-cold-") as scratch:
        scratch = Path(scratch)
        os.chmod(scratch, 0o700)
        files = prepare_inputs(scratch, cache_dir)
        out = scratch / "out"
        out.mkdir()
        argvs = commands(files, out)
        socket_path = scratch / "daemon.sock"
        plain = {**os.environ, "ZKWORK_DAEMON": "0"}
        served = {**os.environ, "ZKWORK_DAEMON": "1", "ZKWORK_DAEMON_SOCKET": str(socket_path)}
        cases = [("snarkjs", verb, "", plain) for verb in TARGETS]
        cases += [("zkwork", verb, mode, env) for mode, env in (("in-process", plain), ("daemon", served))
                  for verb in TARGETS]
        samples = {case[:3]: [] for case in cases}
        with Span() as span:
            start_daemon(served, socket_path, say)
            try:
                restarts = _measure_rounds(runs, cases, argvs, samples, files["vk"], out, served, socket_path, say)
                daemon = daemon_status(served, socket_path)
                snarkjs_check = run_process(argvs[("snarkjs", "verify")][:-2] + [
                    str(out / "zkwork_fullprove_public.json"), str(out / "zkwork_fullprove_proof.json")], plain)
                if snarkjs_check[3] != 0:
                    raise InvariantError("snarkjs rejects zkwork's (daemon) fullprove proof")
            finally:
                stop_daemon(served, socket_path)
    rows = []
    for (tool, verb, mode), kept in samples.items():
        row = {"tool": tool, "verb": verb, "mode": mode, "argv": argvs[(tool, verb)][1:], **_summary(kept)}
        if tool == "zkwork":
            peer = _summary(samples[("snarkjs", verb, "")])["wall_median_s"]
            row.update(ratio=row["wall_median_s"] / peer, target=TARGETS[verb],
                       target_met=row["wall_median_s"] / peer <= TARGETS[verb])
        rows.append(row)
    span_figures = span.as_dict()
    loads = [load for load in (span_figures["load_before"], span_figures["load_after"]) if load is not None]
    contended = bool(loads) and max(loads) / span_figures["cpu_count"] > CONTENDED_LOAD_PER_CORE
    return {"machine": describe(), "circuit": files["circuit"], "runs": runs, "rows": rows,
            "daemon_rss_mb": daemon["rss_bytes"] / 2**20 if daemon else None, "daemon": daemon,
            "daemon_restarts": restarts,
            "snarkjs_verifies_zkwork_proof": True, "span": {**span_figures, "contended": contended}}


def _daemon_cpu(row):
    return f" (+ {row['daemon_cpu_median_s']:.3f})" if "daemon_cpu_median_s" in row else ""


def format_markdown(results):
    """The results as a Markdown table: per command medians, P95, CPU, peak RSS, ratio and target."""
    span = results["span"]
    lines = [f"# Cold start: process start to result, {results['circuit']} ({results['runs']} runs each)", "",
             f"Load average {span['load_before']} before, {span['load_after']} after, {span['cpu_count']} cores"
             + (" -- CONTENDED: other work shared the CPUs" if span["contended"] else " (quiet)") + ".",
             (f"Daemon RSS beside: {results['daemon_rss_mb']:.0f} MB; restarted {results['daemon_restarts']} times "
              "(when a zkwork source it had loaded changed; those runs were repeated)."
              if results["daemon_rss_mb"] else ""), "",
             "| command | mode | wall median s | wall P95 s | CPU median s (+ daemon's) | peak RSS MB | / snarkjs "
             "| target |",
             "|---|---|---|---|---|---|---|---|"]
    for row in results["rows"]:
        verdict = (f"{row['ratio']:.2f}x", f"<= {row['target']}x {'met' if row['target_met'] else 'MISSED'}") \
            if "ratio" in row else ("", "")
        lines.append(f"| {row['tool']} {row['verb']} | {row['mode'] or 'cli'} | {row['wall_median_s']:.3f} | "
                     f"{row['wall_p95_s']:.3f} | {row['cpu_median_s']:.3f}{_daemon_cpu(row)} | "
                     f"{row['peak_rss_median_mb']:.0f} | {verdict[0]} | {verdict[1]} |")
    return "\n".join(lines)
