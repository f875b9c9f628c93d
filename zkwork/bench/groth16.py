"""`zkwork bench groth16`: setup, prove, verify and batch-verify every pattern at its
production size, and snarkjs on the Circom twin of the same pattern in the same run.

zkwork's figures: key generation time; prove median and P95 over `prove_runs` proofs
(witness computation apart); verify median and P99 over `verify_runs` verifications;
batch verification of `batch` statements (the proofs made above, repeated) per proof;
proof, verification-key and proving-key sizes; the process's peak resident memory.
snarkjs's: in-process `groth16.prove` / `groth16.verify` with the zkey loaded once
(see zkwork.bench.snarkjs_peer), on the circuit compiled by circom2 at --O2, whose
constraint count equals zkwork's. Ratios are zkwork / snarkjs: below 1 is faster.
"""
import resource
import sys
import time

import numpy as np

from zkwork.bench.machine import describe
from zkwork.bench.timing import measure
from zkwork.groth16 import prepare_verifying_key, prove, setup, verify, verify_batch
from zkwork.groth16.snarkjs_json import proof_to_json, vk_to_json
from zkwork.patterns import PATTERNS, VARIANTS, get_pattern
from zkwork.resources import resource_dir

TARGETS_MS = {"membership prove median": 300.0, "verify median": 5.0, "batch verify per proof": 1.0}


def percentile(values, q):
    """The `q`-th percentile of `values` (seconds), in ms."""
    return float(np.percentile(np.asarray(values) * 1e3, q))


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_pattern(pattern, prove_runs=20, verify_runs=100, batch=100, peer=True, progress=None):
    """All figures for one pattern (times in ms unless named _s)."""
    say = progress or (lambda message: None)
    inputs = pattern.sample_inputs()
    start = time.perf_counter()
    r1cs, witness = pattern.solve(inputs)
    solve_s = time.perf_counter() - start
    say("setup")
    start = time.perf_counter()
    pk = setup(r1cs)
    setup_s = time.perf_counter() - start
    public = r1cs.public_signals(witness)

    say(f"prove x{prove_runs}")
    proofs = []
    prove_t = measure(lambda: proofs.append(prove(pk, witness)), runs=prove_runs)
    pvk = prepare_verifying_key(pk.vk)
    say(f"verify x{verify_runs}")
    verify_t = measure(lambda: verify(pvk, public, proofs[0]), runs=verify_runs)
    statements = [(public, proofs[i % len(proofs)]) for i in range(batch)]
    say(f"batch verify of {batch}")
    batch_t = measure(lambda: verify_batch(pvk, statements), runs=3)
    assert all(verify(pvk, public, p) for p in proofs[:3]), "a fresh proof did not verify"

    row = {
        "pattern": pattern.name, "variant": pattern.variant, "params": dict(pattern.params),
        "constraints": r1cs.num_constraints, "wires": r1cs.num_wires, "public_signals": r1cs.num_public,
        "witness_s": solve_s, "setup_s": setup_s,
        "prove_ms": [t * 1e3 for t in prove_t.runs_s], "prove_first_call_s": prove_t.first_call_s,
        "prove_median_ms": percentile(prove_t.runs_s, 50), "prove_p95_ms": percentile(prove_t.runs_s, 95),
        "verify_median_ms": percentile(verify_t.runs_s, 50), "verify_p99_ms": percentile(verify_t.runs_s, 99),
        "verify_ms": [t * 1e3 for t in verify_t.runs_s],
        "batch_size": batch, "batch_verify_per_proof_ms": batch_t.median_s * 1e3 / batch,
        "proof_bytes_compressed": sum(len(p.to_bytes()) for p in (proofs[0].a, proofs[0].b, proofs[0].c)),
        "proof_json_bytes": len(str(proof_to_json(proofs[0]))),
        "vk_json_bytes": len(str(vk_to_json(pk.vk))),
        "proving_key_bytes": sum(getattr(pk, name).nbytes for name in
                                 ("a_query", "b1_query", "b2_query", "l_query", "h_query")),
        "peak_rss_mb": _peak_rss_mb(),
    }
    if peer:
        row.update(_snarkjs_figures(pattern, inputs, prove_runs, verify_runs, row, say))
    return row


def _snarkjs_figures(pattern, inputs, prove_runs, verify_runs, row, say):
    from zkwork.bench.snarkjs_peer import measure_snarkjs

    main_file = resource_dir("circuits") / "main" / f"{pattern.main_name}.circom"
    say(f"snarkjs on {main_file.name} (compile, ptau and zkey are cached)")
    try:
        peer = measure_snarkjs(main_file, inputs, runs=prove_runs, verify_runs=verify_runs)
    except Exception as error:  # a peer that cannot run is reported, not fatal
        return {"snarkjs_error": f"{type(error).__name__}: {error}"}
    prove_median = float(np.median(peer["prove_ms"]))
    verify_median = float(np.median(peer["verify_ms"]))
    return {
        "snarkjs_constraints": peer["constraints"],
        "snarkjs_prove_median_ms": prove_median,
        "snarkjs_prove_p95_ms": float(np.percentile(peer["prove_ms"], 95)),
        "snarkjs_verify_median_ms": verify_median,
        "snarkjs_verify_p99_ms": float(np.percentile(peer["verify_ms"], 99)),
        "snarkjs_setup_s": peer["setup_s"],
        "prove_ratio": row["prove_median_ms"] / prove_median,
        "verify_ratio": row["verify_median_ms"] / verify_median,
    }


def bench_groth16(patterns=None, variants=VARIANTS, quick=False, prove_runs=20, verify_runs=100, batch=100,
                  peer=True):
    """Benchmark every pattern and variant (production sizes; with `quick`, small sizes
    and few runs). Returns {"machine": ..., "rows": [...]}."""
    names = list(patterns or PATTERNS)
    if quick:
        prove_runs, verify_runs, batch = min(prove_runs, 3), min(verify_runs, 10), min(batch, 10)
    rows, total = [], len(names) * len(variants)
    for name in names:
        for variant in variants:
            pattern = get_pattern(name, variant, **(PATTERNS[name].small_params() if quick else {}))
            index = len(rows) + 1

            def progress(step, label=pattern.label, index=index):
                print(f"[{index}/{total}] {label}: {step} ...", file=sys.stderr, flush=True)

            progress("witness")
            rows.append(bench_pattern(pattern, prove_runs, verify_runs, batch, peer, progress))
    return {"machine": describe(), "quick": quick, "rows": rows, "targets_ms": TARGETS_MS}


def format_markdown(results):
    """The results as a Markdown report: one row per pattern, with snarkjs's figures and ratios."""
    lines = [
        "# zkwork Groth16 benchmark",
        "",
        f"Measured in this run on {results['machine']['cpu_model']} ({results['machine']['cpu_count']} cores), "
        f"git {results['machine']['git_commit'] or 'unknown'}. Times in ms; ratio = zkwork / snarkjs (in-process, "
        "zkey loaded once, same circuit compiled by circom2 --O2).",
        "",
        "| pattern | variant | constraints | setup s | prove med | prove P95 | verify med | verify P99 | batch/proof "
        "| snarkjs prove | ratio | snarkjs verify | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results["rows"]:
        peer = ("| {snarkjs_prove_median_ms:.0f} | {prove_ratio:.2f} | {snarkjs_verify_median_ms:.1f} | "
                "{verify_ratio:.2f} |".format(**r) if "prove_ratio" in r else "| n/a | | n/a | |")
        lines.append(
            f"| {r['pattern']} | {r['variant']} | {r['constraints']:,} | {r['setup_s']:.2f} | "
            f"{r['prove_median_ms']:.0f} | {r['prove_p95_ms']:.0f} | {r['verify_median_ms']:.2f} | "
            f"{r['verify_p99_ms']:.2f} | {r['batch_verify_per_proof_ms']:.2f} " + peer
        )
    errors = [f"- {r['pattern']}/{r['variant']}: snarkjs not measured ({r['snarkjs_error']})"
              for r in results["rows"] if "snarkjs_error" in r]
    return "\n".join(lines + ([""] + errors if errors else []))
