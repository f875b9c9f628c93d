"""`zkwork bench groth16`: setup, prove, verify and batch-verify every pattern at its
production size, and snarkjs on the Circom twin of the same pattern in the same run.

zkwork's proofs are timed end to end, as a proving server answers a request: input.json's
text in, proof.json's and public.json's text out (json.loads, zkwork.prover.Prover.prove_json,
json.dumps), with the compiled witness program recorded once beforehand (`compile_s`).
Per circuit: the end-to-end median and P95 over `prove_runs` proofs, wall and process CPU,
and its two stages in the same runs, the witness (reading the inputs and running the witness
program) and the prove (the Groth16 proof and its JSON); key generation time; verify median
and P99 over `verify_runs` verifications of the proofs read back from their JSON; batch
verification of `batch` statements per proof; proof, verification-key and proving-key sizes;
the process's peak resident memory.

snarkjs's, in one Node process with the .wasm and zkey loaded once (zkwork.bench.snarkjs_peer),
on the circuit compiled by circom2 at --O2, whose constraint count equals zkwork's:
`groth16.fullProve` (input to proof, snarkjs's end to end), wtns.calculate, `groth16.prove`
and `groth16.verify`. Beside them, zkwork's own run of circom's .wasm
(zkwork.interop.wasm_witness, compiled once, one warm calculation per run): what
`zkwork groth16 fullprove` spends on the witness. Ratios are zkwork / snarkjs: below 1 is faster.

arkworks (groth16py, single-threaded, zkwork.bench.arkworks_peer) proves the same circom zkey
from the same circom witness, beside zkwork on one thread: CPU-seconds per prove, per core.
Every peer proof is checked by zkwork's verifier; a peer that is missing is reported and skipped.
With `contention` N (zkwork.bench.contention), after the quiet runs the end-to-end proofs (and
arkworks' proves) are timed again beside N CPU-bound competitor processes: busy P95 / quiet median.
With `precompute_mb` (default zkwork.groth16.prover.DEFAULT_PRECOMPUTE_MB, 0 for none), the
end-to-end proofs are timed again by a server's Prover, one with fixed-base tables of the proving
key within that many MB: the tables' build time and size beside the proves they speed up.
"""
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from zkwork.bench.arkworks_peer import arkworks_figures
from zkwork.bench.contention import (CONTENTION_HEADER, competitors, contention_figures, contention_text,
                                     contention_title)
from zkwork.bench.machine import describe
from zkwork.bench.throughput import end_to_end
from zkwork.bench.timing import Span, measure
from zkwork.errors import InvariantError
from zkwork.groth16 import prepare_verifying_key, setup, verify, verify_batch
from zkwork.groth16.prover import DEFAULT_PRECOMPUTE_MB
from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json, vk_to_json
from zkwork.patterns import PATTERNS, VARIANTS, get_pattern
from zkwork.prover import Prover
from zkwork.r1cs.inputs import inputs_to_json
from zkwork.r1cs.witness_program import WitnessProgram
from zkwork.resources import resource_dir

# Medians in ms, except "end-to-end ratio", zkwork's end-to-end median over snarkjs's fullProve
# median on membership/hardened at depth 20 (issue #14's target: the witness must not eat the lead).
TARGETS_MS = {"membership prove median": 300.0, "membership hardened witness median": 5.0,
              "membership hardened end-to-end ratio": 0.25, "verify median": 5.0, "batch verify per proof": 1.0}


def percentile(values, q):
    """The `q`-th percentile of `values` (seconds), in ms."""
    return float(np.percentile(np.asarray(values) * 1e3, q))


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _runs_ms(values):
    """A peer's figure as a list of ms: the harness reports every run, older ones a single value."""
    return [float(v) for v in values] if isinstance(values, list) else [float(values)]


def _end_to_end(prover, input_text, prove_runs, say):
    """Time `prove_runs` proofs from input.json's text to proof.json's and public.json's texts:
    (the Timing of the whole, each timed run's stages as zkwork.bench.throughput.end_to_end
    splits them - the same request the throughput and monitoring figures time -, their outputs)."""
    stages, outputs = [], []

    def request():
        texts, stage = end_to_end(prover, input_text)
        outputs.append(texts)
        stages.append(stage)

    say(f"prove x{prove_runs}, end to end")
    timing = measure(request, runs=prove_runs)
    # measure's cold call and warm-up also ran `request`: keep the timed runs only.
    return timing, stages[-len(timing.runs_s):], outputs[-len(timing.runs_s):]


def bench_pattern(pattern, prove_runs=20, verify_runs=100, batch=100, peer=True, progress=None, contention=0,
                  precompute_mb=DEFAULT_PRECOMPUTE_MB, peer_runs=None):
    """All figures for one pattern (times in ms unless named _s; lists hold every timed run).
    The peers (snarkjs, arkworks, zkwork on one thread) prove and verify `peer_runs`
    (proofs, verifications) times, by default as many as zkwork.
    With `contention` N, the end-to-end proofs are timed again beside N competitor processes
    (`contention`, and the peers' `*_contention`: zkwork.bench.contention.contention_figures);
    with `precompute_mb`, again with fixed-base tables (`precomputed_*`, _precomputed_figures)."""
    say = progress or (lambda message: None)
    inputs = pattern.sample_inputs()
    input_text = json.dumps(inputs_to_json(inputs))
    start = time.perf_counter()
    program = WitnessProgram.record(pattern.circuit)
    compile_s = time.perf_counter() - start
    r1cs = program.r1cs
    say("setup")
    start = time.perf_counter()
    pk = setup(r1cs)
    setup_s = time.perf_counter() - start
    prover = Prover(program, pk, label=pattern.label)

    timing, stages, outputs = _end_to_end(prover, input_text, prove_runs, say)
    proofs = [proof_from_json(json.loads(proof)) for proof, _ in outputs]
    public = public_from_json(json.loads(outputs[0][1]))
    pvk = prepare_verifying_key(pk.vk)
    if not all(verify(pvk, public, proof) for proof in proofs[:3]):
        raise InvariantError(f"{pattern.label}: a proof made end to end does not verify")
    extra = _busy_end_to_end(prover, input_text, prove_runs, contention, timing, pvk, say) if contention else {}
    if precompute_mb:
        extra.update(_precomputed_figures(Prover(program, pk, label=pattern.label, precompute_mb=precompute_mb),
                                         input_text, prove_runs, pvk, say))
    say(f"verify x{verify_runs}")
    verify_t = measure(lambda: verify(pvk, public, proofs[0]), runs=verify_runs)
    statements = [(public, proofs[i % len(proofs)]) for i in range(batch)]
    say(f"batch verify of {batch}")
    batch_t = measure(lambda: verify_batch(pvk, statements), runs=3)

    end_to_end_s = timing.runs_s
    witness_s = [stage["witness_s"] for stage in stages]
    prove_s = [stage["prove_s"] for stage in stages]
    row = {
        "pattern": pattern.name, "variant": pattern.variant, "params": dict(pattern.params),
        "constraints": r1cs.num_constraints, "wires": r1cs.num_wires, "public_signals": r1cs.num_public,
        "compile_s": compile_s, "setup_s": setup_s, "end_to_end_first_call_s": timing.first_call_s,
        "end_to_end_ms": [t * 1e3 for t in end_to_end_s], "end_to_end_cpu_ms": [t * 1e3 for t in timing.cpu_runs_s],
        "end_to_end_median_ms": percentile(end_to_end_s, 50), "end_to_end_p95_ms": percentile(end_to_end_s, 95),
        "end_to_end_cpu_median_ms": percentile(timing.cpu_runs_s, 50),
        "witness_ms": [t * 1e3 for t in witness_s], "witness_median_ms": percentile(witness_s, 50),
        "witness_p95_ms": percentile(witness_s, 95),
        "witness_cpu_median_ms": percentile([stage["witness_cpu_s"] for stage in stages], 50),
        "prove_ms": [t * 1e3 for t in prove_s], "prove_median_ms": percentile(prove_s, 50),
        "prove_p95_ms": percentile(prove_s, 95),
        "prove_cpu_median_ms": percentile([stage["prove_cpu_s"] for stage in stages], 50),
        "verify_median_ms": percentile(verify_t.runs_s, 50), "verify_p99_ms": percentile(verify_t.runs_s, 99),
        "verify_ms": [t * 1e3 for t in verify_t.runs_s],
        "batch_size": batch, "batch_verify_per_proof_ms": batch_t.median_s * 1e3 / batch,
        "proof_bytes_compressed": sum(len(p.to_bytes()) for p in (proofs[0].a, proofs[0].b, proofs[0].c)),
        "proof_json_bytes": len(outputs[0][0]),
        "vk_json_bytes": len(json.dumps(vk_to_json(pk.vk))),
        "proving_key_bytes": sum(getattr(pk, name).nbytes for name in
                                 ("a_query", "b1_query", "b2_query", "l_query", "h_query")),
        "peak_rss_mb": _peak_rss_mb(),
        **extra,
    }
    if peer:
        runs, peer_verify_runs = peer_runs or (prove_runs, verify_runs)
        row.update(_snarkjs_figures(pattern, inputs, input_text, runs, peer_verify_runs, row, say, contention))
    return row


def _busy_end_to_end(prover, input_text, prove_runs, contention, quiet, pvk, say):
    """The end-to-end proofs timed again beside `contention` competitors, the last one verified."""
    with competitors(contention) as window:
        busy, _, outputs = _end_to_end(prover, input_text, prove_runs, lambda message: say(f"{message}, busy"))
    proof_text, public_text = outputs[-1]
    if not verify(pvk, public_from_json(json.loads(public_text)), proof_from_json(json.loads(proof_text))):
        raise InvariantError("a proof made end to end beside competitors does not verify")
    return {"contention": contention_figures(quiet.runs_s, busy, window)}


def _precomputed_figures(prover, input_text, prove_runs, pvk, say):
    """The end-to-end proofs of a Prover with fixed-base tables (the last one verified), and the
    tables' build time and size."""
    say(f"prove x{prove_runs}, end to end, with {prover.tables_bytes / 2**20:.0f} MB of fixed-base tables "
        f"built in {prover.precompute_s:.2f} s")
    timing, stages, outputs = _end_to_end(prover, input_text, prove_runs, say)
    proof_text, public_text = outputs[-1]
    if not verify(pvk, public_from_json(json.loads(public_text)), proof_from_json(json.loads(proof_text))):
        raise InvariantError("a proof made end to end with fixed-base tables does not verify")
    prove_s = [stage["prove_s"] for stage in stages]
    return {"precomputed_tables_mb": prover.tables_bytes / 2**20, "precomputed_build_s": prover.precompute_s,
            "precomputed_end_to_end_ms": [t * 1e3 for t in timing.runs_s],
            "precomputed_end_to_end_median_ms": percentile(timing.runs_s, 50),
            "precomputed_end_to_end_p95_ms": percentile(timing.runs_s, 95),
            "precomputed_prove_ms": [t * 1e3 for t in prove_s],
            "precomputed_prove_median_ms": percentile(prove_s, 50), "precomputed_prove_p95_ms": percentile(prove_s, 95),
            "precomputed_prove_cpu_median_ms": percentile([stage["prove_cpu_s"] for stage in stages], 50),
            "precomputed_peak_rss_mb": _peak_rss_mb()}


def _snarkjs_figures(pattern, inputs, input_text, prove_runs, verify_runs, row, say, contention):
    from zkwork.bench.snarkjs_peer import measure_snarkjs, snarkjs_witness

    main_file = resource_dir("circuits") / "main" / f"{pattern.main_name}.circom"
    say(f"snarkjs on {main_file.name} (compile, ptau and zkey are cached)")
    try:
        peer = measure_snarkjs(main_file, inputs, runs=prove_runs, verify_runs=verify_runs)
    except Exception as error:  # a peer that cannot run is reported, not fatal
        return {"snarkjs_error": f"{type(error).__name__}: {error}"}
    prove_median = float(np.median(peer["prove_ms"]))
    verify_median = float(np.median(peer["verify_ms"]))
    figures = {
        "snarkjs_constraints": peer["constraints"],
        "snarkjs_prove_median_ms": prove_median,
        "snarkjs_prove_p95_ms": float(np.percentile(peer["prove_ms"], 95)),
        "snarkjs_verify_median_ms": verify_median,
        "snarkjs_verify_p99_ms": float(np.percentile(peer["verify_ms"], 99)),
        "snarkjs_setup_s": peer["setup_s"],
        "prove_ratio": row["prove_median_ms"] / prove_median,
        "verify_ratio": row["verify_median_ms"] / verify_median,
    }
    if peer.get("fullprove_ms") is not None:
        fullprove = _runs_ms(peer["fullprove_ms"])
        figures.update(snarkjs_fullprove_ms=fullprove, snarkjs_fullprove_median_ms=float(np.median(fullprove)),
                       snarkjs_fullprove_p95_ms=float(np.percentile(fullprove, 95)),
                       end_to_end_ratio=row["end_to_end_median_ms"] / float(np.median(fullprove)))
    if peer.get("witness_ms") is not None:
        figures["snarkjs_witness_median_ms"] = float(np.median(_runs_ms(peer["witness_ms"])))
    figures.update(_wasm_witness_figures(peer["paths"]["wasm"], input_text, prove_runs, say))
    say(f"arkworks and zkwork on one thread x{prove_runs}, the same zkey and witness")
    with tempfile.TemporaryDirectory() as directory:
        wtns_path = snarkjs_witness(peer["paths"]["wasm"], inputs, Path(directory) / "witness.wtns")
        figures.update(arkworks_figures(peer["paths"]["zkey"], wtns_path, prove_runs, contention=contention))
    return figures


def _wasm_witness_figures(wasm_path, input_text, runs, say):
    """zkwork's run of circom's .wasm on the same input.json text: compiled once, then timed warm."""
    from zkwork.interop.wasm_witness import WitnessCalculator

    say(f"circom's .wasm witness in zkwork x{runs}")
    try:
        calculator = WitnessCalculator(wasm_path)
    except Exception as error:  # e.g. the wasm extra is not installed: reported, not fatal
        return {"wasm_witness_error": f"{type(error).__name__}: {error}"}
    timing = measure(lambda: calculator.calculate_limbs(json.loads(input_text)), runs=runs)
    return {"wasm_witness_ms": [t * 1e3 for t in timing.runs_s],
            "wasm_witness_median_ms": percentile(timing.runs_s, 50)}


def bench_groth16(patterns=None, variants=None, quick=False, prove_runs=20, verify_runs=100, batch=100,
                  peer=True, contention=0, precompute_mb=DEFAULT_PRECOMPUTE_MB):
    """Benchmark each pattern and variant (default all; production sizes, or with `quick` small
    sizes and few runs), with `contention` N also beside N competitor processes, with
    `precompute_mb` also with fixed-base tables of that budget (0: not). Returns
    {"machine", "quick", "contention", "rows", "targets_ms", "span"}: span is the run's wall and
    CPU seconds and the load average before and after (zkwork.bench.timing.Span)."""
    names, variants = list(patterns or PATTERNS), list(variants or VARIANTS)
    if quick:
        prove_runs, verify_runs, batch = min(prove_runs, 3), min(verify_runs, 10), min(batch, 10)
    rows, total = [], len(names) * len(variants)
    with Span() as span:
        for name in names:
            for variant in variants:
                pattern = get_pattern(name, variant, **(PATTERNS[name].small_params() if quick else {}))
                index = len(rows) + 1

                def progress(step, label=pattern.label, index=index):
                    print(f"[{index}/{total}] {label}: {step} ...", file=sys.stderr, flush=True)

                progress("witness program")
                rows.append(bench_pattern(pattern, prove_runs, verify_runs, batch, peer, progress, contention,
                                          precompute_mb))
    return {"machine": describe(), "quick": quick, "contention": contention, "precompute_mb": precompute_mb,
            "rows": rows, "targets_ms": TARGETS_MS, "span": span.as_dict()}


def _cell(row, key, spec):
    """One table cell: the row's figure formatted, or n/a where it was not measured."""
    return format(row[key], spec) if key in row else "n/a"


def _load_text(span):
    """The machine's load average around the run, for telling a slow machine from a busy one."""
    if not span or span.get("load_before") is None:
        return ""
    return f", load average {span['load_before']:.1f} before and {span['load_after']:.1f} after"


def format_markdown(results):
    """The results as Markdown: proof generation end to end (witness and prove columns beside
    snarkjs's fullProve and witness), then verification beside snarkjs's."""
    machine = results["machine"]
    lines = [
        "# zkwork Groth16 benchmark",
        "",
        f"Measured in this run on {machine['cpu_model']} ({machine['cpu_count']} cores), git "
        f"{machine['git_commit'] or 'unknown'}{_load_text(results.get('span'))}. Times in ms (medians unless "
        "P95/P99); ratio = zkwork / snarkjs (snarkjs in-process, .wasm and zkey loaded once, the same circuit "
        "compiled by circom2 --O2).",
        "",
        "## Proof generation, end to end (input JSON in, proof JSON out)",
        "",
        "witness + prove = end to end (plus reading and writing the JSON); snarkjs fullprove is its "
        "`groth16.fullProve`, the same request. wasm witness: zkwork running circom's .wasm, beside "
        "snarkjs's own witness calculation.",
        "",
        "| pattern | variant | constraints | setup s | witness | prove | prove P95 | end to end | end to end P95 "
        "| snarkjs fullprove | ratio | snarkjs prove | ratio | wasm witness | snarkjs witness |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results["rows"]:
        lines.append(
            f"| {r['pattern']} | {r['variant']} | {r['constraints']:,} | {r['setup_s']:.2f} | "
            f"{r['witness_median_ms']:.1f} | {r['prove_median_ms']:.0f} | {r['prove_p95_ms']:.0f} | "
            f"{r['end_to_end_median_ms']:.0f} | {r['end_to_end_p95_ms']:.0f} | "
            f"{_cell(r, 'snarkjs_fullprove_median_ms', '.0f')} | {_cell(r, 'end_to_end_ratio', '.2f')} | "
            f"{_cell(r, 'snarkjs_prove_median_ms', '.0f')} | {_cell(r, 'prove_ratio', '.2f')} | "
            f"{_cell(r, 'wasm_witness_median_ms', '.1f')} | {_cell(r, 'snarkjs_witness_median_ms', '.1f')} |")
    lines += [
        "",
        "## Verification",
        "",
        "| pattern | variant | verify | verify P99 | batch/proof | snarkjs verify | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results["rows"]:
        lines.append(
            f"| {r['pattern']} | {r['variant']} | {r['verify_median_ms']:.2f} | {r['verify_p99_ms']:.2f} | "
            f"{r['batch_verify_per_proof_ms']:.2f} | {_cell(r, 'snarkjs_verify_median_ms', '.1f')} | "
            f"{_cell(r, 'verify_ratio', '.2f')} |")
    lines += _precomputed_lines(results["rows"]) + _per_core_lines(results["rows"]) + _contention_lines(results)
    errors = [f"- {r['pattern']}/{r['variant']}: {what} not measured ({r[key]})" for r in results["rows"]
              for key, what in (("snarkjs_error", "snarkjs"), ("wasm_witness_error", "zkwork's .wasm witness"),
                                ("arkworks_error", "arkworks")) if key in r]
    return "\n".join(lines + ([""] + errors if errors else []))


def _precomputed_lines(rows):
    """A server's prover with fixed-base tables beside the plain one: the memory and build time traded."""
    rows = [r for r in rows if "precomputed_prove_median_ms" in r]
    if not rows:
        return []
    lines = ["", "## With fixed-base precomputation (a server's prover: tables built once per key)", "",
             "prove and end to end as above, by a Prover with tables of the proving key's bases "
             "(zkwork.curve.fixed_base); ratio = with tables / without; peak RSS of the process after.", "",
             "| pattern | variant | tables MB | build s | prove | prove P95 | with tables | P95 | ratio "
             "| end to end | with tables | ratio | peak RSS MB |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    return lines + [f"| {r['pattern']} | {r['variant']} | {r['precomputed_tables_mb']:.1f} | "
                    f"{r['precomputed_build_s']:.2f} | {r['prove_median_ms']:.0f} | {r['prove_p95_ms']:.0f} | "
                    f"{r['precomputed_prove_median_ms']:.0f} | {r['precomputed_prove_p95_ms']:.0f} | "
                    f"{r['precomputed_prove_median_ms'] / r['prove_median_ms']:.2f} | "
                    f"{r['end_to_end_median_ms']:.0f} | {r['precomputed_end_to_end_median_ms']:.0f} | "
                    f"{r['precomputed_end_to_end_median_ms'] / r['end_to_end_median_ms']:.2f} | "
                    f"{r['precomputed_peak_rss_mb']:.0f} |" for r in rows]


def _per_core_lines(rows):
    """arkworks (groth16py, one thread) beside zkwork on one thread, the same circom zkey and witness."""
    rows = [r for r in rows if "arkworks_prove_median_ms" in r]
    if not rows:
        return []
    lines = ["", "## Per core: arkworks and zkwork on one thread (the Circom twin's zkey and witness)", "",
             "CPU ms per prove; CPU ratio = zkwork / arkworks (below 1: fewer CPU-seconds than arkworks).", "",
             "| pattern | variant | arkworks | arkworks CPU | zkwork 1 thread | zkwork 1 thread CPU | CPU ratio |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    return lines + [f"| {r['pattern']} | {r['variant']} | {r['arkworks_prove_median_ms']:.0f} | "
                    f"{r['arkworks_prove_cpu_median_ms']:.0f} | {r['zkwork_1t_prove_median_ms']:.0f} | "
                    f"{r['zkwork_1t_prove_cpu_median_ms']:.0f} | {r['cpu_ratio_1t']:.2f} |" for r in rows]


def _contention_lines(results):
    """The busy runs beside the quiet ones: zkwork end to end, arkworks' prove."""
    busy = [(r, key, who) for r in results["rows"] for key, who in
            (("contention", "zkwork end to end"), ("arkworks_contention", "arkworks prove")) if key in r]
    if not busy:
        return []
    return (["", contention_title(results["contention"]), "", *CONTENTION_HEADER]
            + [contention_text(r[key], f"{r['pattern']}/{r['variant']}: {who}") for r, key, who in busy])
