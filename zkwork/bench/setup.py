"""`zkwork bench setup`: snarkjs's slowest setup steps, zkwork against snarkjs on the same
inputs in the same run: `powersoftau prepare phase2` at each power, and `groth16 setup`
(`zkey new`) of a pattern circuit from the prepared file.

Each step runs as a child process, as a user runs it (zkwork's includes starting Python
and loading the JIT cache), and is measured with os.wait4: wall seconds, CPU seconds and
peak resident memory of that process alone. The 1-minute load average before and after
each run is kept beside it: with more load than cores, wall times mostly measure the
neighbours. The inputs are a fresh snarkjs ceremony per power (new, one contribution;
not timed). Every zkwork output is compared with snarkjs's (sha256): `identical` says
whether the files are byte for byte the same.
"""
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zkwork.bench.machine import describe
from zkwork.bench.snarkjs_peer import SnarkjsPeerError
from zkwork.bench.timing import load_average
from zkwork.ceremony.zkey_new import circuit_power
from zkwork.formats.r1cs_file import r1cs_info
from zkwork.resources import project_root

ROOT = project_root()
SNARKJS = ROOT / "node_modules" / ".bin" / "snarkjs"
CIRCOM = ROOT / "node_modules" / ".bin" / "circom2"
ZKWORK = [sys.executable, "-c", "import sys; from zkwork.cli import main; sys.exit(main(sys.argv[1:]))"]
DEFAULT_CIRCUIT = "membership_hardened_d20"


def run_measured(command, cwd=ROOT):
    """Run `command` to completion; {wall_s, cpu_s, peak_rss_mb, load_before, load_after}
    of that process. SnarkjsPeerError (naming the command) if it fails."""
    load_before = load_average()
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen([str(part) for part in command], cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SnarkjsPeerError(f"{' '.join(map(str, command))} failed (exit {process.returncode}):\n"
                                   f"{errors.read().decode(errors='replace')[-2000:]}")
    return {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "load_before": load_before, "load_after": load_average()}


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _phase1(power, work):
    """A one-contribution snarkjs ceremony of `power` (benchmark material, never keys to trust)."""
    new, contributed = work / f"new_{power}.ptau", work / f"phase1_{power}.ptau"
    subprocess.run([SNARKJS, "powersoftau", "new", "bn128", str(power), new], check=True, capture_output=True)
    subprocess.run([SNARKJS, "powersoftau", "contribute", new, contributed, "--name=bench", "-e=zkwork bench setup"],
                   check=True, capture_output=True)
    return contributed


def _compiled(circuit, work):
    """The .r1cs of circuits/main/<circuit>.circom, compiled with the pinned circom."""
    source = ROOT / "circuits" / "main" / f"{circuit}.circom"
    subprocess.run([CIRCOM, source, "--O2", "--r1cs", "-l", ROOT / "node_modules", "-o", work],
                   check=True, capture_output=True, cwd=ROOT)
    return work / f"{circuit}.r1cs"


def _compare(zkwork_step, snarkjs_step, zkwork_out, snarkjs_out):
    row = {"zkwork": run_measured(zkwork_step)}
    if snarkjs_step is not None:
        row["snarkjs"] = run_measured(snarkjs_step)
        row["identical"] = _sha256(zkwork_out) == _sha256(snarkjs_out)
        row["speedup_wall"] = round(row["snarkjs"]["wall_s"] / row["zkwork"]["wall_s"], 2)
        row["speedup_cpu"] = round(row["snarkjs"]["cpu_s"] / row["zkwork"]["cpu_s"], 2)
    return row


def bench_setup(powers=(12, 13, 14), circuit=DEFAULT_CIRCUIT, peer=True, work_dir=None, say=print):
    """{"machine", "prepare": [row per power], "zkey_new": row}: prepare phase 2 at each
    power and zkey new of `circuit` (a circuits/main stem) from the smallest prepared file
    it fits, each row with zkwork's run, snarkjs's (unless `peer` is false) and whether the
    outputs are identical. Files go to `work_dir` (default a temporary directory)."""
    with tempfile.TemporaryDirectory(prefix="zkwork-bench-setup-") as scratch:
        work = Path(work_dir or scratch)
        work.mkdir(parents=True, exist_ok=True)
        r1cs = _compiled(circuit, work)
        results = {"machine": describe(), "circuit": circuit, "prepare": [], "zkey_new": None}
        for power in powers:
            say(f"prepare phase2 at power {power}")
            phase1 = _phase1(power, work)
            ours, theirs = work / f"zkwork_{power}.ptau", work / f"snarkjs_{power}.ptau"
            row = _compare(ZKWORK + ["powersoftau", "prepare", "phase2", phase1, ours],
                           [SNARKJS, "powersoftau", "prepare", "phase2", phase1, theirs] if peer else None, ours, theirs)
            results["prepare"].append({"power": power, **row})
            if results["zkey_new"] is None and _fits(r1cs, power):
                say(f"zkey new of {circuit} at power {power}")
                ours_zkey, theirs_zkey = work / "zkwork.zkey", work / "snarkjs.zkey"
                row = _compare(ZKWORK + ["groth16", "setup", r1cs, ours, ours_zkey],
                               [SNARKJS, "groth16", "setup", r1cs, ours, theirs_zkey] if peer else None,
                               ours_zkey, theirs_zkey)
                results["zkey_new"] = {"power": power, **row}
    return results


def _fits(r1cs, power):
    info = r1cs_info(r1cs)
    return circuit_power(info["constraints"], info["outputs"] + info["public_inputs"]) <= power


def _cells(row):
    zk, sj = row["zkwork"], row.get("snarkjs")
    ours = f"{zk['wall_s']:.1f} s ({zk['cpu_s']:.1f} s CPU, {zk['peak_rss_mb']:.0f} MB)"
    if sj is None:
        return [ours, "-", "-", "-"]
    theirs = f"{sj['wall_s']:.1f} s ({sj['cpu_s']:.1f} s CPU, {sj['peak_rss_mb']:.0f} MB)"
    return [ours, theirs, f"{row['speedup_wall']}x wall, {row['speedup_cpu']}x CPU", "yes" if row["identical"] else "NO"]


def format_markdown(results):
    """The results as a Markdown table, one row per step."""
    lines = ["| step | zkwork | snarkjs | speed-up | identical | load (before, after) |",
             "|---|---|---|---|---|---|"]
    rows = [(f"prepare phase2, power {row['power']}", row) for row in results["prepare"]]
    if results["zkey_new"]:
        rows.append((f"zkey new {results['circuit']}, power {results['zkey_new']['power']}", results["zkey_new"]))
    for name, row in rows:
        load = ", ".join("-" if value is None else f"{value:.1f}"
                         for value in (row["zkwork"]["load_before"], row["zkwork"]["load_after"]))
        lines.append("| " + " | ".join([name] + _cells(row) + [load]) + " |")
    return "\n".join(lines)
