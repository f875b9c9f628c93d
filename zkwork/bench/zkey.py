"""`zkwork bench zkey`: zkwork as a drop-in prover for snarkjs keys.

For each pattern, the Circom twin compiled by circom2 --O2 is set up by snarkjs (cached,
see zkwork.bench.snarkjs_peer); snarkjs proves it in process with the zkey loaded once,
and zkwork proves the same zkey (`prove_zkey`, read once, without its self-check) on the
same witness, computed once by snarkjs's witness calculator. Both in the same run; the
ratio is zkwork / snarkjs (the target: at most 1/4).
"""
import sys
import tempfile
from pathlib import Path

import numpy as np

from zkwork.bench.machine import describe
from zkwork.bench.snarkjs_peer import measure_snarkjs, snarkjs_witness
from zkwork.bench.timing import measure
from zkwork.errors import InvariantError
from zkwork.field import FR, FieldVector
from zkwork.formats.wtns_file import read_wtns_limbs
from zkwork.formats.zkey_file import read_zkey
from zkwork.groth16 import prepare_verifying_key, verify
from zkwork.interop.zkey_prover import prove_zkey, public_signals
from zkwork.patterns import PATTERNS, get_pattern
from zkwork.resources import resource_dir

TARGET_RATIO = 0.25


def _snarkjs_witness(paths, inputs):
    """The witness circom's calculator computes, as a Montgomery FieldVector."""
    with tempfile.TemporaryDirectory() as directory:
        limbs = read_wtns_limbs(snarkjs_witness(paths["wasm"], inputs, Path(directory) / "witness.wtns"))
    return FieldVector(FR, FR.vec.to_mont(limbs, np.empty_like(limbs)))


def zkey_latency_row(pattern, runs=10, verify_runs=100, cache_dir=None):
    """Latency figures, in bench_groth16's row shape, of zkwork proving and verifying the
    snarkjs zkey of `pattern`'s Circom twin on circom's witness, with snarkjs's own figures
    on the same zkey (prove_ms, verify_ms, their percentiles, snarkjs_*)."""
    inputs = pattern.sample_inputs()
    main_file = resource_dir("circuits") / "main" / f"{pattern.main_name}.circom"
    peer = measure_snarkjs(main_file, inputs, runs=runs, verify_runs=verify_runs,
                           cache_dir=cache_dir)
    zkey = read_zkey(peer["paths"]["zkey"])
    witness = _snarkjs_witness(peer["paths"], inputs)
    public = public_signals(zkey, witness)
    proofs = []
    prove_t = measure(lambda: proofs.append(prove_zkey(zkey, witness, check=False)), runs=runs)
    pvk = prepare_verifying_key(zkey.vk)
    verify_t = measure(lambda: verify(pvk, public, proofs[-1]), runs=verify_runs)
    if not verify(pvk, public, proofs[0]):
        raise InvariantError(f"{pattern.label}: a zkwork proof from the snarkjs zkey does not verify")
    prove_ms, verify_ms = [t * 1e3 for t in prove_t.runs_s], [t * 1e3 for t in verify_t.runs_s]
    return {
        "pattern": pattern.name, "variant": pattern.variant, "params": dict(pattern.params),
        "circuit": pattern.main_name, "constraints": peer["constraints"], "prover": "zkey",
        "prove_ms": prove_ms, "prove_median_ms": float(np.median(prove_ms)),
        "prove_p95_ms": float(np.percentile(prove_ms, 95)),
        "verify_ms": verify_ms, "verify_median_ms": float(np.median(verify_ms)),
        "verify_p99_ms": float(np.percentile(verify_ms, 99)),
        "snarkjs_prove_ms": peer["prove_ms"], "snarkjs_prove_median_ms": float(np.median(peer["prove_ms"])),
        "snarkjs_prove_p95_ms": float(np.percentile(peer["prove_ms"], 95)),
        "snarkjs_verify_p99_ms": float(np.percentile(peer["verify_ms"], 99)),
    }


def bench_zkey_pattern(pattern, runs=10, cache_dir=None):
    """zkwork and snarkjs proving one pattern's zkey: medians and their ratio."""
    row = zkey_latency_row(pattern, runs=runs, verify_runs=1, cache_dir=cache_dir)
    ratio = row["prove_median_ms"] / row["snarkjs_prove_median_ms"]
    return {
        "pattern": row["pattern"], "variant": row["variant"], "circuit": row["circuit"],
        "constraints": row["constraints"], "zkwork_prove_median_ms": row["prove_median_ms"],
        "snarkjs_prove_median_ms": row["snarkjs_prove_median_ms"], "ratio": ratio,
        "target_met": ratio <= TARGET_RATIO,
        "zkwork_prove_ms": row["prove_ms"], "snarkjs_prove_ms": row["snarkjs_prove_ms"],
    }


def bench_zkey(patterns=None, variant="reference", runs=10, quick=False, cache_dir=None):
    """zkwork and snarkjs proving each pattern's zkey (all by default): rows, machine, target ratio."""
    rows = []
    names = list(patterns or PATTERNS)
    for index, name in enumerate(names, 1):
        pattern = get_pattern(name, variant, **(PATTERNS[name].small_params() if quick else {}))
        print(f"[{index}/{len(names)}] {pattern.label}: snarkjs and zkwork on the same zkey ...",
              file=sys.stderr, flush=True)
        rows.append(bench_zkey_pattern(pattern, runs=min(runs, 3) if quick else runs, cache_dir=cache_dir))
    return {"machine": describe(), "rows": rows, "target_ratio": TARGET_RATIO}


def format_markdown(results):
    """The results as a Markdown report: per circuit both medians, their ratio, target met."""
    lines = [
        "# zkwork proving snarkjs zkeys",
        "",
        f"Measured in this run on {results['machine']['cpu_model']} ({results['machine']['cpu_count']} cores); "
        "medians in ms, the same zkey and witness for both; ratio = zkwork / snarkjs "
        f"(target <= {results['target_ratio']}).",
        "",
        "| circuit | constraints | zkwork | snarkjs | ratio | target met |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results["rows"]:
        lines.append(f"| {r['circuit']} | {r['constraints']:,} | {r['zkwork_prove_median_ms']:.0f} | "
                     f"{r['snarkjs_prove_median_ms']:.0f} | {r['ratio']:.2f} | {'yes' if r['target_met'] else 'NO'} |")
    return "\n".join(lines)
