"""`zkwork bench memory`: what a proving process's resident memory is made of, its peak during
a prove, and whether it grows over many proves in one process.

Everything is measured in a fresh child process (`python -c BOOTSTRAP`), so that the figures
are that process's alone, in the order a server's worker (zkwork.service.workers) reaches them:

  1. Python started (the interpreter, before numpy);
  2. numpy imported; 3. numba imported (llvmlite's LLVM included); 4. zkwork's prover imported;
  5. the JIT kernels loaded: a tiny circuit's key read and proved once (with its own fixed-base
     tables when tables are asked for, so that their kernels load here too; numba compiles per
     argument type, not per circuit size, so the real circuit's prove loads nothing more);
  6. the real proving key read (memory-mapped, every point checked on the curve, so its pages
     are resident: they count in RssFile, and the kernel may drop them under pressure);
  7. its witness program recorded; 8. its fixed-base tables built (zkwork.groth16.prover.precompute);
  9. optionally, after the growth series below, a snarkjs .zkey read (zkwork.interop.zkey_prover)
     and proved once.
Each step records VmRSS, RssAnon (heap, arrays, JIT code), RssFile (mapped files: libraries,
the key) from /proc/self/status. The peak of one prove is VmHWM after the prove with the
high-water mark reset just before (`5` written to /proc/self/clear_refs, Linux >= 4.0; else
VmHWM since the start); beside it, tracemalloc's peak of one prove (numpy arrays and Python
objects; numba's own allocations inside kernels are not traced).

Then N proves (each input.json to proof.json with fresh randomness, Prover.prove_json), VmRSS
sampled every `sample_every` proves; `growth` judges the samples from proof GROWTH_FROM_PROOF
on against GROWTH_THRESHOLD_MB_PER_1000.
"""
import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Nothing heavier at the top: the child imports this module before its first measurement.
from zkwork.errors import InvariantError, UnreadableBinaryFileError, UsageError

DEFAULT_CIRCUIT = ("membership", "hardened", {"depth": 20})
GROWTH_FROM_PROOF = 100  # the earliest sample judged: the first proves load what the later reuse
# A leak is a steady climb: the robust (Theil-Sen) slope of the samples from proof 100 on above
# this many MB per 1,000 proves, and a climb over the window above GROWTH_NOISE_MB. Why these:
# glibc's malloc keeps freed blocks and returns them in steps (its heap top trimmed once more than
# M_TRIM_THRESHOLD, 128 KB by default, is free; a numba thread's arena grown by a chunk), so a
# process that holds nothing more may still step its RSS up or down between samples, and a step is
# no trend: the Theil-Sen slope damps a lone one (a least-squares line would not), and
# GROWTH_NOISE_MB is 16 trims' worth. Measured (2026-12-05, 2 shared cores): membership d20 held the
# same VmRSS, to the kB, at every sample of 1,000 proves; d4 crept 0.6 MB over 900 (a trend of 0.5 MB
# per 1,000, in 0.1-0.2 MB steps; tracemalloc saw under 30 KB of it in Python objects): the threshold
# sits 8x above that creep and still finds a 4 KB-a-proof leak. It found two: a thread started per
# prove (+25 MB per 1,000 proves), then a reference cycle per prove that held its arrays until the
# garbage collector ran (+4.7 MB per 1,000 over 5,000 proves; zkwork.groth16.msm_set._stage_items).
# Without them d4 held 218.3-218.5 MB from proof 0 to 1,000 (2026-12-05).
# 4 MB per 1,000 proves is 4 KB a proof: a worker that proves a million times would end 4 GB
# larger, the smallest leak worth a report.
GROWTH_THRESHOLD_MB_PER_1000 = 4.0
GROWTH_NOISE_MB = 2.0
STATUS_FIELDS = {"VmRSS": "rss_mb", "RssAnon": "anon_mb", "RssFile": "file_mb", "VmHWM": "hwm_mb"}
CHILD_TIMEOUT_S = 3 * 3600

BOOTSTRAP = """
import json, sys
from zkwork.bench.memory import child_main
print(json.dumps(child_main(json.loads(sys.argv[1]))))
"""


def process_memory():
    """{rss_mb, anon_mb, file_mb, hwm_mb} of this process, from /proc/self/status (MB = 2^20 bytes)."""
    found = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in STATUS_FIELDS:
                found[STATUS_FIELDS[key]] = int(value.split()[0]) / 1024  # kB
    return found


def reset_peak():
    """Resets this process's VmHWM to its current RSS; False where the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def theil_sen_slope(xs, ys):
    """The median of the pairwise slopes (ys[j] - ys[i]) / (xs[j] - xs[i]): a trend that a few
    jumps of the allocator do not move, as a least-squares line would."""
    slopes = sorted((ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(len(xs)) for j in range(i + 1, len(xs))
                    if xs[j] != xs[i])
    if not slopes:
        raise UsageError("a trend needs samples at two proof counts at least")
    middle = len(slopes) // 2
    return slopes[middle] if len(slopes) % 2 else (slopes[middle - 1] + slopes[middle]) / 2


def growth(samples, start=GROWTH_FROM_PROOF, threshold_mb_per_1000=GROWTH_THRESHOLD_MB_PER_1000,
           noise_mb=GROWTH_NOISE_MB):
    """RSS growth of `samples` ([(proofs done, RSS MB)]) from proof `start` on: the raw change,
    the Theil-Sen slope per 1,000 proves, and `leak`: the slope above `threshold_mb_per_1000` and
    the trend's climb over the window above `noise_mb` (see GROWTH_THRESHOLD_MB_PER_1000)."""
    window = [(proofs, rss) for proofs, rss in samples if proofs >= start]
    if len(window) < 2:
        raise UsageError(f"growth needs two samples from proof {start} on, got {len(window)}")
    xs, ys = [p for p, _ in window], [r for _, r in window]
    slope = theil_sen_slope(xs, ys)
    climb = slope * (xs[-1] - xs[0])
    return {"from_proof": xs[0], "to_proof": xs[-1], "growth_mb": ys[-1] - ys[0],
            "growth_mb_per_1000": (ys[-1] - ys[0]) * 1000 / (xs[-1] - xs[0]),
            "slope_mb_per_1000": slope * 1000, "trend_climb_mb": climb, "min_mb": min(ys), "max_mb": max(ys),
            "threshold_mb_per_1000": threshold_mb_per_1000, "noise_mb": noise_mb,
            "leak": slope * 1000 > threshold_mb_per_1000 and climb > noise_mb}


# -- the child process --------------------------------------------------------------------

def _say(message):
    print(f"[memory] {message}", file=sys.stderr, flush=True)


def _peak_of(fn):
    """(fn's result, {peak_mb, before_mb, peak_over_before_mb, method}): VmHWM around one call."""
    reset = reset_peak()
    before = process_memory()
    result = fn()
    after = process_memory()
    peak = after["hwm_mb"] if reset else max(after["hwm_mb"], before["hwm_mb"])
    return result, {"before_mb": before["rss_mb"], "peak_mb": peak, "peak_over_before_mb": peak - before["rss_mb"],
                    "after_mb": after["rss_mb"],
                    "method": "VmHWM reset by /proc/self/clear_refs" if reset else "VmHWM since the process started"}


def _traced_peak_mb(fn):
    """tracemalloc's peak MB over one call of fn (numpy arrays and Python objects)."""
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _zkey_steps(config, record):
    """Read the snarkjs .zkey and prove its .wtns once; the prove's peak."""
    import numpy as np

    from zkwork.field import FR, FieldVector
    from zkwork.formats import read_wtns_limbs
    from zkwork.interop.zkey_prover import prove_zkey, read_zkey_for_proving

    zkey = read_zkey_for_proving(config["zkey"])
    record("snarkjs .zkey read", zkey_mb=os.path.getsize(config["zkey"]) / 2**20)
    limbs = read_wtns_limbs(config["wtns"])
    witness = FieldVector(FR, FR.vec.to_mont(limbs, np.empty_like(limbs)))
    prove_zkey(zkey, witness)  # loads the zkey prover's own kernels (its coset NTT)
    record("snarkjs .zkey proved once")
    return _peak_of(lambda: prove_zkey(zkey, witness))[1]


def child_main(config):
    """The measurement inside the fresh child (see the module docstring); `config` holds tiny_dir,
    circuit_dir, precompute_mb, proves, sample_every and optionally zkey and wtns paths."""
    steps, started = [], time.perf_counter()

    def record(step, **extra):
        steps.append({"step": step, "seconds": time.perf_counter() - started, **process_memory(), **extra})

    record("Python started")
    importlib.import_module("numpy")  # the import is the step

    record("numpy imported")
    import numba

    record("numba imported")
    from zkwork.groth16 import prepare_verifying_key, verify
    from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json
    from zkwork.prover import Prover, compile_prover
    from zkwork.r1cs.witness_program import WitnessProgram
    from zkwork.workspace import read_circuit_dir

    record("zkwork's prover imported")
    tiny_pattern, tiny_pk = read_circuit_dir(config["tiny_dir"])
    tiny = compile_prover(tiny_pattern, tiny_pk, precompute_mb=config["precompute_mb"])
    request = json.loads((Path(config["tiny_dir"]) / "input.json").read_text())
    tiny.prove_json(request)
    record(f"JIT kernels loaded ({tiny_pattern.label} proved once)")
    pattern, pk = read_circuit_dir(config["circuit_dir"])
    key_bytes = sum(p.stat().st_size for p in (Path(config["circuit_dir"]) / "proving_key").iterdir())
    record("proving key read (memory-mapped)", key_mb=key_bytes / 2**20)
    program = WitnessProgram.record(pattern.circuit)
    record("witness program recorded")
    prover = Prover(program, pk, label=pattern.label, precompute_mb=config["precompute_mb"])
    record("fixed-base tables built", tables_mb=prover.tables_bytes / 2**20, precompute_s=prover.precompute_s)
    request = json.loads((Path(config["circuit_dir"]) / "input.json").read_text())
    prover.prove_json(request)
    record("real circuit proved once")
    first, peak = _peak_of(lambda: prover.prove_json(request))
    traced_mb = _traced_peak_mb(lambda: prover.prove_json(request))

    samples, cpu_start, wall_start = [(0, process_memory()["rss_mb"])], time.process_time(), time.perf_counter()
    last = first
    for done in range(1, config["proves"] + 1):
        last = prover.prove_json(request)
        if done % config["sample_every"] == 0 or done == config["proves"]:
            samples.append((done, process_memory()["rss_mb"]))
            if done % 100 == 0:
                _say(f"{done}/{config['proves']} proves, RSS {samples[-1][1]:.1f} MB")
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    pvk = prepare_verifying_key(pk.vk)
    verified = [bool(verify(pvk, public_from_json(public), proof_from_json(proof))) for proof, public in (first, last)]
    # after the series: the .zkey prove's larger arrays would leave the allocator slack that hides a creep
    zkey_peak = _zkey_steps(config, record) if config.get("zkey") else None
    return {"pattern": pattern.label, "constraints": program.r1cs.num_constraints, "pid": os.getpid(),
            "numba_threads": numba.get_num_threads(), "steps": steps, "prove_peak": peak,
            "traced_peak_mb": traced_mb, "zkey_prove_peak": zkey_peak, "samples": samples,
            "proves": config["proves"], "proves_wall_s": wall, "proves_cpu_s": cpu,
            "first_and_last_verified": verified,
            # ru_maxrss follows VmHWM's resets: the steps' VmHWM before them hold the earlier peaks
            "process_peak_mb": max([resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                                    *(step["hwm_mb"] for step in steps)])}


# -- the parent ---------------------------------------------------------------------------

def write_keys(directory, name, variant, params):
    """`directory` made a circuit directory of the pattern (zkwork's development setup); its label."""
    from zkwork.groth16 import setup
    from zkwork.patterns import get_pattern
    from zkwork.workspace import write_circuit_dir

    pattern = get_pattern(name, variant, **params)
    r1cs = pattern.build()
    write_circuit_dir(directory, pattern, r1cs, setup(r1cs))
    return pattern.label


def run_child(config):
    """child_main(config) in a fresh `python -c BOOTSTRAP` process; its result (progress on stderr)."""
    done = subprocess.run([sys.executable, "-c", BOOTSTRAP, json.dumps(config)], stdout=subprocess.PIPE,
                          text=True, timeout=CHILD_TIMEOUT_S)
    if done.returncode != 0:
        raise InvariantError(f"the memory child process failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _contention(span, child):
    """Why the timings may be inflated (None if not): the child's proves got under 80% of a core
    per numba thread, or the load average says others ran. RSS figures do not depend on it."""
    share = child["proves_cpu_s"] / child["proves_wall_s"] / child["numba_threads"] if child["proves_wall_s"] else 1
    if share < 0.8:
        return f"the proves ran on {share:.0%} of their {child['numba_threads']} threads' cores: others held them"
    return span.load_contention()


def bench_memory(pattern=DEFAULT_CIRCUIT, proves=1000, precompute_mb=None, sample_every=50, zkey=None, wtns=None,
                 circuit_dir=None):
    """The memory breakdown and growth of `pattern` ((name, variant, params)) over `proves` proves in
    a fresh child (see the module docstring); `precompute_mb` None: zkwork's server default;
    `circuit_dir`: prove with that directory's keys instead of a fresh setup."""
    if proves < GROWTH_FROM_PROOF + sample_every or sample_every < 1:
        raise UsageError(f"growth needs proves >= {GROWTH_FROM_PROOF} + the sampling period and a period >= 1")
    if (zkey is None) != (wtns is None):
        raise UsageError("a .zkey needs its .wtns, and the other way round")
    from zkwork.bench.machine import describe
    from zkwork.bench.timing import Span
    from zkwork.groth16.prover import DEFAULT_PRECOMPUTE_MB
    from zkwork.patterns import PATTERNS
    for path in (zkey, wtns):
        if path is not None and not Path(path).is_file():
            raise UnreadableBinaryFileError(f"{path}: no such file")
    name, variant, params = pattern
    if circuit_dir is not None:  # read here for its typed errors; its tiny twin is of the same pattern
        from zkwork.workspace import read_circuit_dir

        read_pattern = read_circuit_dir(circuit_dir)[0]
        name, variant = read_pattern.name, read_pattern.variant
    precompute_mb = DEFAULT_PRECOMPUTE_MB if precompute_mb is None else precompute_mb
    with tempfile.TemporaryDirectory(prefix="zkwork-bench-memory-") as scratch:
        tiny_dir = Path(scratch) / "tiny"
        _say(f"keys of the tiny circuit{'' if circuit_dir else ' and of the measured one'}")
        write_keys(tiny_dir, name, variant, PATTERNS[name].small_params())
        if circuit_dir is None:
            circuit_dir = Path(scratch) / "circuit"
            write_keys(circuit_dir, name, variant, params)
        config = {"tiny_dir": str(tiny_dir), "circuit_dir": str(circuit_dir), "precompute_mb": precompute_mb,
                  "proves": proves, "sample_every": sample_every, "zkey": zkey and str(zkey),
                  "wtns": wtns and str(wtns)}
        _say(f"fresh child process: the breakdown, then {proves} proves")
        with Span() as span:
            child = run_child(config)
    child["growth"] = growth(child["samples"])
    child["precompute_mb"] = precompute_mb
    return {"machine": describe(), "span": span.as_dict(), "contention": _contention(span, child), **child}


def format_markdown(results):
    """The breakdown table, the prove's peak and the growth verdict."""
    span, peak, g = results["span"], results["prove_peak"], results["growth"]
    lines = [f"# Memory of a prove: {results['pattern']} ({results['constraints']:,} constraints)", "",
             f"Fresh child process on {results['machine']['cpu_model']} ({results['machine']['cpu_count']} cores, "
             f"{results['numba_threads']} numba threads), load average {span['load_before']:.2f} before and "
             f"{span['load_after']:.2f} after"
             + (f"; contended: {results['contention']}" if results["contention"] else "") + ". "
             "MB = 2^20 bytes; RSS = RssAnon (heap, arrays, JIT code) + RssFile (libraries, the mapped key) "
             "+ shared memory.", "",
             "| step | RSS MB | step adds MB | RssAnon MB | RssFile MB | note |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    previous = 0.0
    for step in results["steps"]:
        note = "; ".join(f"{key} {step[key]:.1f}" for key in ("key_mb", "tables_mb", "precompute_s", "zkey_mb")
                         if key in step)
        lines.append(f"| {step['step']} | {step['rss_mb']:.1f} | {step['rss_mb'] - previous:+.1f} | "
                     f"{step['anon_mb']:.1f} | {step['file_mb']:.1f} | {note} |")
        previous = step["rss_mb"]
    lines += ["", f"Peak during one prove: {peak['peak_mb']:.1f} MB ({peak['peak_over_before_mb']:+.1f} MB over the "
                  f"{peak['before_mb']:.1f} MB held before it; {peak['method']}); tracemalloc's peak of one prove "
                  f"(numpy arrays and Python objects): {results['traced_peak_mb']:.1f} MB"
                  + (" (within the memory its allocator kept from the prove before: a steady prover's RSS is "
                     "its peak)" if peak["peak_over_before_mb"] < 0.5 else "")
                  + f". Process peak (VmHWM over the run, ru_maxrss): {results['process_peak_mb']:.1f} MB."]
    if results["zkey_prove_peak"]:
        zkey = results["zkey_prove_peak"]
        lines.append(f"snarkjs .zkey prove: peak {zkey['peak_mb']:.1f} MB ({zkey['peak_over_before_mb']:+.1f} MB).")
    verdict = "LEAK" if g["leak"] else "no leak"
    lines += ["", f"## Growth over {results['proves']:,} proves in one process "
                  f"({results['proves'] / results['proves_wall_s']:.1f} proves/s; first and last proofs verified: "
                  f"{all(results['first_and_last_verified'])})", "",
              f"RSS from proof {g['from_proof']} to {g['to_proof']}: {g['growth_mb']:+.2f} MB "
              f"({g['growth_mb_per_1000']:+.2f} MB per 1,000 proves; samples between {g['min_mb']:.1f} and "
              f"{g['max_mb']:.1f} MB); Theil-Sen trend {g['slope_mb_per_1000']:+.2f} MB per 1,000 proves. "
              f"Verdict: {verdict} (threshold: trend above {g['threshold_mb_per_1000']:.0f} MB per 1,000 proves "
              f"and a climb above {g['noise_mb']:.0f} MB, the allocator's noise).", "",
              "| proves | " + " | ".join(str(p) for p, _ in results["samples"]) + " |",
              "| --- |" + " ---: |" * len(results["samples"]),
              "| RSS MB | " + " | ".join(f"{r:.1f}" for _, r in results["samples"]) + " |"]
    return "\n".join(lines)
