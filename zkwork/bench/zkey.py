"""`zkwork bench zkey`: zkwork as a drop-in prover for snarkjs keys.

For each pattern, the Circom twin compiled by circom2 --O2 is set up by snarkjs (cached,
see zkwork.bench.snarkjs_peer); snarkjs proves it in process with the zkey loaded once,
and zkwork proves the same zkey (`prove_zkey`, read once, without its self-check) on the
same witness, computed once by snarkjs's witness calculator. Both in the same run; the
ratio is zkwork / snarkjs (the target: at most 1/4). zkwork proves twice: without fixed-base
tables (a one-shot `zkwork groth16 prove`) and with them (`tables_*`, precompute_zkey built once
and not timed: the resident daemon's way; tables_ratio = zkwork with tables / snarkjs). arkworks (groth16py, one thread) proves
the same zkey from the same .wtns beside zkwork on one thread (zkwork.bench.arkworks_peer), and
`contention` N times every prover again beside N CPU-bound competitors (zkwork.bench.contention).
"""
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from zkwork.bench.arkworks_peer import arkworks_figures, circom_witness
from zkwork.bench.machine import describe
from zkwork.bench.snarkjs_peer import measure_snarkjs, snarkjs_witness
from zkwork.bench.contention import (CONTENTION_HEADER, competitors, contention_figures, contention_text,
                                     contention_title)
from zkwork.bench.timing import Span, Timing, measure
from zkwork.errors import InvariantError
from zkwork.formats.zkey_file import read_zkey
from zkwork.groth16 import prepare_verifying_key, verify
from zkwork.interop.zkey_prover import precompute_zkey, prove_zkey, public_signals
from zkwork.patterns import PATTERNS, get_pattern
from zkwork.resources import resource_dir

TARGET_RATIO = 0.25
# zkey_latency_row's figures that bench_zkey_pattern passes on as they are
PEER_AND_BUSY_KEYS = ("arkworks", "zkwork_1t", "cpu_ratio", "contention", "snarkjs_contention")
# zkey_latency_row's figures of zkwork proving with tables, passed on with a zkwork_ prefix
TABLES_KEYS = ("tables_prove_median_ms", "tables_prove_p95_ms", "tables_prove_cpu_median_ms", "tables_build_s",
               "tables_mb")


def zkey_latency_row(pattern, runs=10, verify_runs=100, cache_dir=None, arkworks=False, contention=0):
    """Latency figures, in bench_groth16's row shape, of zkwork proving and verifying the
    snarkjs zkey of `pattern`'s Circom twin on circom's witness, with snarkjs's own figures
    on the same zkey (prove_ms, verify_ms, their percentiles, snarkjs_*), and zkwork proving
    with the zkey's fixed-base tables (tables_prove_*, tables_build_s, tables_mb). With `arkworks`,
    also arkworks and zkwork on one thread on the same zkey and witness
    (zkwork.bench.arkworks_peer.per_core_figures), or `arkworks_error` saying why not. With
    `contention` N, zkwork and snarkjs (and arkworks) prove again beside N competitor processes:
    `contention` and `snarkjs_contention` (zkwork.bench.contention.contention_figures)."""
    inputs = pattern.sample_inputs()
    main_file = resource_dir("circuits") / "main" / f"{pattern.main_name}.circom"
    peer = measure_snarkjs(main_file, inputs, runs=runs, verify_runs=verify_runs,
                           cache_dir=cache_dir)
    zkey = read_zkey(peer["paths"]["zkey"])
    with tempfile.TemporaryDirectory() as directory:
        wtns_path = snarkjs_witness(peer["paths"]["wasm"], inputs, Path(directory) / "witness.wtns")
        witness = circom_witness(wtns_path)
        public = public_signals(zkey, witness)
        proofs = []
        prove_t = measure(lambda: proofs.append(prove_zkey(zkey, witness, check=False)), runs=runs)
        tables, build_s = _timed(lambda: precompute_zkey(zkey))
        tables_t = measure(lambda: proofs.append(prove_zkey(zkey, witness, check=False, tables=tables)), runs=runs)
        pvk = prepare_verifying_key(zkey.vk)
        verify_t = measure(lambda: verify(pvk, public, proofs[-1]), runs=verify_runs)
        if not (verify(pvk, public, proofs[0]) and verify(pvk, public, proofs[-1])):
            raise InvariantError(f"{pattern.label}: a zkwork proof from the snarkjs zkey does not verify")
        extra = arkworks_figures(peer["paths"]["zkey"], wtns_path, runs, zkey, contention) if arkworks else {}
        if contention:
            extra.update(_busy_figures(main_file, inputs, runs, cache_dir, contention, prove_t,
                                       lambda: proofs.append(prove_zkey(zkey, witness, check=False)), peer))
            if not verify(pvk, public, proofs[-1]):
                raise InvariantError(f"{pattern.label}: a zkwork proof made beside competitors does not verify")
    prove_ms, verify_ms = [t * 1e3 for t in prove_t.runs_s], [t * 1e3 for t in verify_t.runs_s]
    return {
        "pattern": pattern.name, "variant": pattern.variant, "params": dict(pattern.params),
        "circuit": pattern.main_name, "constraints": peer["constraints"], "prover": "zkey",
        "prove_ms": prove_ms, "prove_median_ms": float(np.median(prove_ms)),
        "prove_p95_ms": float(np.percentile(prove_ms, 95)),
        "prove_cpu_median_ms": float(np.median(prove_t.cpu_runs_s)) * 1e3,
        "tables_prove_ms": [t * 1e3 for t in tables_t.runs_s],
        "tables_prove_median_ms": float(np.median(tables_t.runs_s)) * 1e3,
        "tables_prove_p95_ms": float(np.percentile(tables_t.runs_s, 95)) * 1e3,
        "tables_prove_cpu_median_ms": float(np.median(tables_t.cpu_runs_s)) * 1e3,
        "tables_build_s": build_s, "tables_mb": sum(table.nbytes for table in tables.values()) / 2**20,
        "verify_ms": verify_ms, "verify_median_ms": float(np.median(verify_ms)),
        "verify_p99_ms": float(np.percentile(verify_ms, 99)),
        "snarkjs_prove_ms": peer["prove_ms"], "snarkjs_prove_median_ms": float(np.median(peer["prove_ms"])),
        "snarkjs_prove_p95_ms": float(np.percentile(peer["prove_ms"], 95)),
        "snarkjs_verify_p99_ms": float(np.percentile(peer["verify_ms"], 99)),
        **extra,
    }


def _timed(function):
    """(function(), its wall seconds)."""
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def _busy_figures(main_file, inputs, runs, cache_dir, contention, quiet, prove, peer):
    """zkwork's `prove` and snarkjs's prove timed again beside `contention` competitors."""
    with competitors(contention) as window:
        busy = measure(prove, runs=runs)
    figures = {"contention": contention_figures(quiet.runs_s, busy, window)}
    with competitors(contention) as window:
        busy_peer = measure_snarkjs(main_file, inputs, runs=runs, verify_runs=1, cache_dir=cache_dir)
    busy_ms = busy_peer["prove_ms"]
    figures["snarkjs_contention"] = contention_figures(
        np.asarray(peer["prove_ms"]) / 1e3, Timing(0.0, [t / 1e3 for t in busy_ms]),
        window)
    return figures


def bench_zkey_pattern(pattern, runs=10, cache_dir=None, arkworks=True, contention=0):
    """zkwork and snarkjs (and arkworks, zkwork on one thread) proving one pattern's zkey:
    medians and their ratio (and with `contention`, the busy figures)."""
    row = zkey_latency_row(pattern, runs=runs, verify_runs=1, cache_dir=cache_dir, arkworks=arkworks,
                           contention=contention)
    ratio = row["prove_median_ms"] / row["snarkjs_prove_median_ms"]
    return {
        "pattern": row["pattern"], "variant": row["variant"], "circuit": row["circuit"],
        "constraints": row["constraints"], "zkwork_prove_median_ms": row["prove_median_ms"],
        "zkwork_prove_p95_ms": row["prove_p95_ms"], "zkwork_prove_cpu_median_ms": row["prove_cpu_median_ms"],
        "snarkjs_prove_median_ms": row["snarkjs_prove_median_ms"], "ratio": ratio,
        "target_met": ratio <= TARGET_RATIO,
        "tables_ratio": row["tables_prove_median_ms"] / row["snarkjs_prove_median_ms"],
        **{f"zkwork_{key}": row[key] for key in TABLES_KEYS},
        "zkwork_prove_ms": row["prove_ms"], "snarkjs_prove_ms": row["snarkjs_prove_ms"],
        **{key: value for key, value in row.items() if key.startswith(PEER_AND_BUSY_KEYS)},
    }


def bench_zkey(patterns=None, variant="reference", runs=10, quick=False, cache_dir=None, arkworks=True, contention=0):
    """zkwork and snarkjs (and arkworks beside zkwork on one thread, unless `arkworks` is false)
    proving each pattern's zkey (all by default), quiet and, with `contention` N, beside N
    competitor processes: rows, machine, target ratio, the run's span (load, CPU, wall)."""
    rows = []
    names = list(patterns or PATTERNS)
    with Span() as span:
        for index, name in enumerate(names, 1):
            pattern = get_pattern(name, variant, **(PATTERNS[name].small_params() if quick else {}))
            print(f"[{index}/{len(names)}] {pattern.label}: snarkjs and zkwork on the same zkey ...",
                  file=sys.stderr, flush=True)
            rows.append(bench_zkey_pattern(pattern, runs=min(runs, 3) if quick else runs, cache_dir=cache_dir,
                                           arkworks=arkworks, contention=contention))
    return {"machine": describe(), "rows": rows, "target_ratio": TARGET_RATIO, "contention": contention,
            "span": span.as_dict()}


def _cell(row, key, spec):
    return format(row[key], spec) if key in row else "n/a"


def format_markdown(results):
    """The results as a Markdown report: per circuit the medians, their ratio and the target;
    arkworks beside zkwork on one thread (CPU ms per prove); the busy runs beside the quiet ones."""
    span = results.get("span") or {}
    load = "" if span.get("load_before") is None else (
        f", load average {span['load_before']:.1f} before and {span['load_after']:.1f} after")
    lines = [
        "# zkwork proving snarkjs zkeys",
        "",
        f"Measured in this run on {results['machine']['cpu_model']} ({results['machine']['cpu_count']} cores){load}; "
        "medians in ms, the same zkey and witness for every prover; ratio = zkwork / snarkjs "
        f"(target <= {results['target_ratio']}); zkwork without fixed-base tables (a one-shot prove) and "
        "with them (as the daemon proves; built once, not timed). Per core: arkworks (groth16py, "
        "single-threaded) and zkwork on one thread, CPU ms per prove; CPU ratio = zkwork / arkworks.",
        "",
        "| circuit | constraints | zkwork | zkwork P95 | snarkjs | ratio | target met | zkwork tables "
        "| ratio tables | arkworks | arkworks CPU | zkwork 1 thread | zkwork 1 thread CPU | CPU ratio "
        "| zkwork 1 thread tables CPU | CPU ratio tables |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    for r in results["rows"]:
        cells = [r["circuit"], f"{r['constraints']:,}", f"{r['zkwork_prove_median_ms']:.0f}",
                 _cell(r, "zkwork_prove_p95_ms", ".0f"), f"{r['snarkjs_prove_median_ms']:.0f}", f"{r['ratio']:.2f}",
                 "yes" if r["target_met"] else "NO"]
        cells += [_cell(r, key, spec) for key, spec in (
            ("zkwork_tables_prove_median_ms", ".0f"), ("tables_ratio", ".2f"), ("arkworks_prove_median_ms", ".0f"), ("arkworks_prove_cpu_median_ms", ".0f"),
            ("zkwork_1t_prove_median_ms", ".0f"), ("zkwork_1t_prove_cpu_median_ms", ".0f"), ("cpu_ratio_1t", ".2f"),
            ("zkwork_1t_tables_prove_cpu_median_ms", ".0f"), ("cpu_ratio_1t_tables", ".2f"))]
        lines.append("| " + " | ".join(cells) + " |")
    busy = [(r, key, who) for r in results["rows"] for key, who in
            (("contention", "zkwork"), ("snarkjs_contention", "snarkjs"), ("arkworks_contention", "arkworks"))
            if key in r]
    if busy:
        lines += ["", contention_title(results["contention"]), "", *CONTENTION_HEADER]
        lines += [contention_text(r[key], f"{r['circuit']}: {who}") for r, key, who in busy]
    errors = [f"- {r['circuit']}: arkworks not measured ({r['arkworks_error']})" for r in results["rows"]
              if "arkworks_error" in r]
    return "\n".join(lines + ([""] + errors if errors else []))
