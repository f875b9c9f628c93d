"""`zkwork bench setup`: snarkjs's slowest setup steps, zkwork against snarkjs on the same
inputs in the same run: `powersoftau prepare phase2` at each power, `groth16 setup`
(`zkey new`) of a pattern circuit from the prepared file, then phase 2's `zkey contribute`
(both tools contributing to the same initial key, snarkjs's) and `zkey verify` (both tools
checking the same key, zkwork's contribution: snarkjs accepting it is an interop check).

Each step runs as a child process, as a user runs it (zkwork's includes starting Python
and loading the JIT cache), and is measured with os.wait4: wall seconds, CPU seconds and
peak resident memory of that process alone (forked by a small trampoline: a child of the
bench process itself would report the bench's peak as its own). The 1-minute load average before and after
each run is kept beside it: with more load than cores, wall times mostly measure the
neighbours. The inputs are a one-contribution phase 1 per power from zkwork's phase 1
(snarkjs_peer.phase1_ptau, in the work directory, not timed: 1.1 s at 2^13 against ~10 s for
snarkjs's new and contribute; `snarkjs powersoftau verify` accepts it). Every zkwork
output is compared with snarkjs's (sha256): `identical` says whether the files are byte for
byte the same (a contribution's randomness makes its file differ: no comparison there).
Each row carries issue #19's target speed-up (wall time, snarkjs over zkwork) and whether
this run met it.

zkwork runs each step twice over: in-process (ZKWORK_DAEMON=0: Python's start, numba's
import and the JIT cache load included) and forwarded to a `zkwork daemon` the bench starts
once on a private socket and stops at the end (with `daemon`). A forwarded step runs once
untimed (loading that step's kernels in the daemon), then timed: the client's wall, CPU and
peak RSS as above, beside the daemon's CPU for the request and its RSS after it. A
forwarded run the daemon did not answer (it exits when a zkwork source it loaded changes,
and the command then ran in-process) is repeated after starting the daemon again. The
daemon's outputs are checked too: its prepared ptau and initial zkey against snarkjs's
(sha256), its contribution by its own `zkey verify` (which must accept it).

JSON: {"machine", "circuit", "prepare": [row, one per power], "zkey_new", "zkey_contribute",
"zkey_verify": row or None, "daemon_restarts"}. A row: "power"; "zkwork", "snarkjs" (None
without peers) and "daemon" (absent without it): {wall_s, cpu_s, peak_rss_mb, load_before,
load_after}, the daemon's with daemon_cpu_s and daemon_rss_mb; "target_speedup";
"identical" and "identical_daemon" (prepare and zkey new); "speedup_wall", "speedup_cpu"
and "target_met" of the in-process run; "speedup_wall_daemon" (snarkjs's wall over the
client's) and "target_met_daemon".
"""
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from zkwork.bench.cold import MAX_RESTARTS_PER_RUN, daemon_status, start_daemon, stop_daemon
from zkwork.bench.machine import describe
from zkwork.bench.snarkjs_peer import SnarkjsPeerError, phase1_ptau
from zkwork.bench.timing import load_average
from zkwork.ceremony.zkey_new import circuit_power
from zkwork.errors import InvariantError
from zkwork.formats.r1cs_file import r1cs_info
from zkwork.resources import project_root

ROOT = project_root()
SNARKJS = ROOT / "node_modules" / ".bin" / "snarkjs"
CIRCOM = ROOT / "node_modules" / ".bin" / "circom2"
ZKWORK = [sys.executable, "-c", "import sys; from zkwork.cli import main; sys.exit(main(sys.argv[1:]))"]
DEFAULT_CIRCUIT = "membership_hardened_d20"
# issue #19's targets: snarkjs's wall time over zkwork's, per step
TARGETS = {"prepare": 20, "zkey_new": 10, "zkey_contribute": 5, "zkey_verify": 5}
STEPS = ("zkey_new", "zkey_contribute", "zkey_verify")
DAEMON_IDLE_TIMEOUT_S = 3600  # snarkjs's runs between two forwarded steps take minutes at power 14


# Linux keeps a process's peak RSS across exec, and a child starts from its parent's: a
# command spawned by the (large) bench process would report at least the bench's own peak.
# This small trampoline (python -I -S, a few MB) forks the command and reports its
# wall time, CPU and peak RSS (kB) from os.wait4, then exits with its exit code.
TRAMPOLINE = """import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.execvp(sys.argv[1], sys.argv[1:])
    except OSError as error:
        print(error, file=sys.stderr)
    os._exit(127)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(command, cwd=ROOT, env=None):
    """Run `command` to completion (with `env`, default in-process zkwork: ZKWORK_DAEMON=0);
    {wall_s, cpu_s, peak_rss_mb, load_before, load_after} of that process alone (through
    TRAMPOLINE). SnarkjsPeerError (naming the command) if it fails."""
    load_before = load_average()
    env = {**os.environ, "ZKWORK_DAEMON": "0"} if env is None else env
    with tempfile.TemporaryFile() as errors:
        result = subprocess.run([sys.executable, "-I", "-S", "-c", TRAMPOLINE] + [str(part) for part in command],
                                cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=errors, text=True, check=False)
        if result.returncode != 0:
            errors.seek(0)
            raise SnarkjsPeerError(f"{' '.join(map(str, command))} failed (exit {result.returncode}):\n"
                                   f"{errors.read().decode(errors='replace')[-2000:]}")
    wall, cpu, peak_kb = (float(value) for value in result.stdout.split())
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "peak_rss_mb": round(peak_kb / 1024, 1),
            "load_before": load_before, "load_after": load_average()}


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _compiled(circuit, work):
    """The .r1cs of circuits/main/<circuit>.circom, compiled with the pinned circom."""
    source = ROOT / "circuits" / "main" / f"{circuit}.circom"
    subprocess.run([CIRCOM, source, "--O2", "--r1cs", "-l", ROOT / "node_modules", "-o", work],
                   check=True, capture_output=True, cwd=ROOT)
    return work / f"{circuit}.r1cs"


def start_bench_daemon(socket_path, say):
    """A daemon started on `socket_path` for forwarded steps: {socket, env, say, restarts}."""
    daemon = {"socket": str(socket_path), "say": say, "restarts": 0,
              "env": {**os.environ, "ZKWORK_DAEMON": "1", "ZKWORK_DAEMON_SOCKET": str(socket_path)}}
    start_daemon(daemon["env"], socket_path, say, idle_timeout=DAEMON_IDLE_TIMEOUT_S)
    return daemon


def answered_once(before, after):
    """Whether the daemon ping answers `before` and `after` two runs (warm-up, timed) come
    from one daemon that answered both."""
    return (before is not None and after is not None and after["pid"] == before["pid"]
            and after["requests"] == before["requests"] + 2)


def run_forwarded(daemon, command):
    """`command` forwarded to `daemon` (start_bench_daemon's), once untimed then timed:
    run_measured's figures of the timed client, with daemon_cpu_s (the daemon's CPU for that
    request) and daemon_rss_mb (its RSS after it). Repeated, after starting the daemon again,
    when the daemon did not answer both; InvariantError after MAX_RESTARTS_PER_RUN restarts."""
    env, socket_path = daemon["env"], daemon["socket"]
    for _ in range(MAX_RESTARTS_PER_RUN + 1):
        before = daemon_status(env, socket_path)
        run_measured(command, env=env)  # untimed: the daemon loads this step's kernels
        warm = daemon_status(env, socket_path)
        figures = run_measured(command, env=env)
        after = daemon_status(env, socket_path)
        if warm is not None and answered_once(before, after):
            return {**figures, "daemon_cpu_s": round(after["cpu_s"] - warm["cpu_s"], 3),
                    "daemon_rss_mb": round(after["rss_bytes"] / 2**20, 1)}
        daemon["say"](f"the daemon did not answer {' '.join(map(str, command[3:5]))}; starting it again")
        daemon["restarts"] += 1
        stop_daemon(env, socket_path)
        start_daemon(env, socket_path, daemon["say"], idle_timeout=DAEMON_IDLE_TIMEOUT_S)
    raise InvariantError(f"the daemon did not answer {command} after {MAX_RESTARTS_PER_RUN} restarts")


def _compare(step, zkwork_step, snarkjs_step, outputs=None, forwarded=None):
    """The row of one step: zkwork's run in-process and (`forwarded`: (daemon, argv)) through
    the daemon, snarkjs's, speed-ups, the target and, for `outputs` (zkwork's file, snarkjs's,
    the daemon's), whether they are identical."""
    row = {"zkwork": run_measured(zkwork_step), "target_speedup": TARGETS[step]}
    if forwarded is not None:
        row["daemon"] = run_forwarded(*forwarded)
    if snarkjs_step is not None:
        row["snarkjs"] = run_measured(snarkjs_step)
        if outputs is not None:
            row["identical"] = _sha256(outputs[0]) == _sha256(outputs[1])
            if forwarded is not None:
                row["identical_daemon"] = _sha256(outputs[2]) == _sha256(outputs[1])
        row["speedup_wall"] = round(row["snarkjs"]["wall_s"] / row["zkwork"]["wall_s"], 2)
        row["speedup_cpu"] = round(row["snarkjs"]["cpu_s"] / row["zkwork"]["cpu_s"], 2)
        row["target_met"] = row["speedup_wall"] >= TARGETS[step]
        if forwarded is not None:
            row["speedup_wall_daemon"] = round(row["snarkjs"]["wall_s"] / row["daemon"]["wall_s"], 2)
            row["target_met_daemon"] = row["speedup_wall_daemon"] >= TARGETS[step]
    return row


def _forwarded(daemon, argv):
    return None if daemon is None else (daemon, argv)


def _phase2_steps(r1cs, ptau, zkeys, peer, work, say, daemon):
    """The rows of zkey contribute and zkey verify, from the initial keys `zkeys` (zkwork's,
    snarkjs's; contributions start from snarkjs's when `peer`). The daemon verifies its own
    contribution, the others zkwork's in-process one."""
    initial = zkeys[1] if peer else zkeys[0]
    ours, theirs = work / "zkwork_contributed.zkey", work / "snarkjs_contributed.zkey"
    served = work / "daemon_contributed.zkey"
    contribution = ["--name=bench", "-e=zkwork bench setup"]
    say("zkey contribute")
    contribute = _compare("zkey_contribute", ZKWORK + ["zkey", "contribute", initial, ours, *contribution],
                          [SNARKJS, "zkey", "contribute", initial, theirs, *contribution] if peer else None,
                          forwarded=_forwarded(daemon, ZKWORK + ["zkey", "contribute", initial, served, *contribution]))
    say("zkey verify")
    verify = _compare("zkey_verify", ZKWORK + ["zkey", "verify", r1cs, ptau, ours],
                      [SNARKJS, "zkey", "verify", r1cs, ptau, ours] if peer else None,
                      forwarded=_forwarded(daemon, ZKWORK + ["zkey", "verify", r1cs, ptau, served]))
    return {"zkey_contribute": contribute, "zkey_verify": verify}


def bench_setup(powers=(12, 13, 14), circuit=DEFAULT_CIRCUIT, peer=True, work_dir=None, say=print, mpc=True,
                daemon=True):
    """{"machine", "prepare": [row per power], "zkey_new", "zkey_contribute", "zkey_verify":
    row, "daemon_restarts"}: prepare phase 2 at each power, zkey new of `circuit` (a
    circuits/main stem) from the smallest prepared file it fits and (with `mpc`) contribute
    and verify on that key, each row with zkwork's run in-process and (with `daemon`)
    forwarded to a daemon, snarkjs's (unless `peer` is false), speed-ups and target, and
    whether the outputs are identical (see the module docstring). Files go to `work_dir`
    (default a temporary directory)."""
    with tempfile.TemporaryDirectory(prefix="zkwork-bench-setup-") as scratch:
        work = Path(work_dir or scratch).resolve()
        work.mkdir(parents=True, exist_ok=True)
        r1cs = _compiled(circuit, work)
        results = {"machine": describe(), "circuit": circuit, "prepare": [], **dict.fromkeys(STEPS)}
        served = start_bench_daemon(Path(scratch) / "daemon.sock", say) if daemon else None
        try:
            _run_steps(results, powers, r1cs, work, peer, mpc, served, say)
        finally:
            if served is not None:
                stop_daemon(served["env"], served["socket"])
        results["daemon_restarts"] = None if served is None else served["restarts"]
    return results


def _run_steps(results, powers, r1cs, work, peer, mpc, daemon, say):
    """Fills `results` (bench_setup's) with the rows of every step."""
    circuit = results["circuit"]
    for power in powers:
        say(f"prepare phase2 at power {power}")
        phase1, _ = phase1_ptau(power, work)
        ours, theirs, served = (work / f"{tool}_{power}.ptau" for tool in ("zkwork", "snarkjs", "daemon"))
        row = _compare("prepare", ZKWORK + ["powersoftau", "prepare", "phase2", phase1, ours],
                       [SNARKJS, "powersoftau", "prepare", "phase2", phase1, theirs] if peer else None,
                       (ours, theirs, served),
                       _forwarded(daemon, ZKWORK + ["powersoftau", "prepare", "phase2", phase1, served]))
        results["prepare"].append({"power": power, **row})
        if results["zkey_new"] is None and _fits(r1cs, power):
            say(f"zkey new of {circuit} at power {power}")
            ours_zkey, theirs_zkey, served_zkey = (work / f"{tool}.zkey" for tool in ("zkwork", "snarkjs", "daemon"))
            row = _compare("zkey_new", ZKWORK + ["groth16", "setup", r1cs, ours, ours_zkey],
                           [SNARKJS, "groth16", "setup", r1cs, ours, theirs_zkey] if peer else None,
                           (ours_zkey, theirs_zkey, served_zkey),
                           _forwarded(daemon, ZKWORK + ["groth16", "setup", r1cs, ours, served_zkey]))
            results["zkey_new"] = {"power": power, **row}
            if mpc:
                rows = _phase2_steps(r1cs, ours, (ours_zkey, theirs_zkey), peer, work, say, daemon)
                results.update({step: {"power": power, **row} for step, row in rows.items()})


def _fits(r1cs, power):
    info = r1cs_info(r1cs)
    return circuit_power(info["constraints"], info["outputs"] + info["public_inputs"]) <= power


def _run_cell(run):
    return f"{run['wall_s']:.2f} s ({run['cpu_s']:.2f} s CPU, {run['peak_rss_mb']:.0f} MB)"


def daemon_cell(row):
    """The forwarded run of `row`: client wall, client CPU + the daemon's, the daemon's RSS after it."""
    served = row.get("daemon")
    if served is None:
        return "-"
    return (f"{served['wall_s']:.2f} s ({served['cpu_s']:.2f} s CPU + {served['daemon_cpu_s']:.2f} s daemon's, "
            f"daemon {served['daemon_rss_mb']:.0f} MB)")


def _verdict(row, suffix):
    if f"speedup_wall{suffix}" not in row:
        return "-"
    return f"{row[f'speedup_wall{suffix}']}x: {'met' if row[f'target_met{suffix}'] else 'not met'}"


def _cells(row):
    identical = "/".join({None: "-", True: "yes", False: "NO"}[row.get(key)]
                         for key in ("identical", "identical_daemon") if key == "identical" or key in row)
    speedup = f"{row['speedup_wall']}x wall, {row['speedup_cpu']}x CPU" if "speedup_wall" in row else "-"
    theirs = _run_cell(row["snarkjs"]) if row.get("snarkjs") else "-"
    return [_run_cell(row["zkwork"]), daemon_cell(row), theirs, speedup, f"{row['target_speedup']}x",
            _verdict(row, ""), _verdict(row, "_daemon"), identical]


def format_markdown(results):
    """The results as a Markdown table, one row per step: zkwork in-process, through the
    daemon, snarkjs, speed-ups (snarkjs's wall over each zkwork run) against the target."""
    lines = ["| step | zkwork in-process | zkwork via daemon | snarkjs | speed-up in-process | target (wall) "
             "| in-process | via daemon | identical (in-process/daemon) | load (before, after) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    rows = [(f"prepare phase2, power {row['power']}", row) for row in results["prepare"]]
    names = {"zkey_new": "zkey new", "zkey_contribute": "zkey contribute", "zkey_verify": "zkey verify"}
    rows += [(f"{names[step]} {results['circuit']}, power {results[step]['power']}", results[step])
             for step in STEPS if results.get(step)]
    for name, row in rows:
        load = ", ".join("-" if value is None else f"{value:.1f}"
                         for value in (row["zkwork"]["load_before"], row["zkwork"]["load_after"]))
        lines.append("| " + " | ".join([name] + _cells(row) + [load]) + " |")
    if results.get("daemon_restarts"):
        lines.append(f"\nThe daemon was started again {results['daemon_restarts']} times (a zkwork source it had "
                     "loaded changed); those forwarded runs were repeated.")
    return "\n".join(lines)
