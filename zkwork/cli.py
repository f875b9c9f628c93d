"""The `zkwork` command line."""
import argparse
import json
import sys
from pathlib import Path


def cmd_info(args):
    from zkwork.bench.machine import describe, jit_cache_state

    machine = describe()
    cache = jit_cache_state()
    if args.json:
        print(json.dumps({**machine, "jit_cache": cache}, indent=2))
        return 0
    print(f"zkwork {machine['versions']['zkwork']}  (git {machine['git_commit'] or 'unknown'})")
    print(f"CPU:        {machine['cpu_model']}  ({machine['cpu_count']} logical cores)")
    print(f"platform:   {machine['platform']}")
    print("versions:   " + ", ".join(f"{k} {v}" for k, v in machine["versions"].items() if k != "zkwork"))
    print(f"numba threading layer: {machine['numba_threading_layer']}")
    state = "warm" if cache["warm"] else "cold (the first use of a kernel compiles it)"
    print(f"JIT cache:  {state}; {cache['cached_kernels']} cached kernels in {cache['location']}")
    if cache["modules_not_cached"]:
        print("            not yet compiled: " + ", ".join(cache["modules_not_cached"]))
    return 0


def cmd_bench_arith(args):
    from zkwork.bench.arith import bench_arith, format_markdown

    results = bench_arith(runs=args.runs, quick=args.quick, peers=not args.no_peers)
    _print_and_write(results, format_markdown(results), args)
    return 0


def _print_and_write(results, text, args):
    """Print a benchmark's Markdown table; write it and the JSON where asked."""
    print(text)
    for path, content in ((args.json, json.dumps(results, indent=1)), (args.markdown, text)):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(content + "\n")
            print(f"wrote {path}", file=sys.stderr)


def cmd_bench_groth16(args):
    from zkwork.bench.groth16 import bench_groth16, format_markdown

    results = bench_groth16(patterns=args.pattern, quick=args.quick, prove_runs=args.prove_runs,
                            verify_runs=args.verify_runs, peer=not args.no_peers)
    _print_and_write(results, format_markdown(results), args)
    return 0


def cmd_bench_zkey(args):
    from zkwork.bench.zkey import bench_zkey, format_markdown

    results = bench_zkey(patterns=args.pattern, variant=args.variant, runs=args.runs, quick=args.quick)
    _print_and_write(results, format_markdown(results), args)
    return 0


def _params(pairs):
    params = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--param takes key=value, got {pair!r}")
        params[key] = int(value) if value.lstrip("-").isdigit() else value
    return params


def cmd_circuits(args):
    from zkwork.patterns import PATTERNS, circuit_summary, get_pattern

    rows = []
    for name in PATTERNS:
        for variant in ("reference", "hardened"):
            rows.append(circuit_summary(get_pattern(name, variant)))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    header = f"{'pattern':<18} {'variant':<10} {'parameters':<14} {'constraints':>11} {'wires':>7} {'public':>6}  top gadgets"
    print(header)
    print("-" * len(header))
    for row in rows:
        params = ",".join(f"{k}={v}" for k, v in row["params"].items()) or "-"
        gadgets = ", ".join(f"{g['namespace']} {g['share']:.0%}" for g in row["top_gadgets"][:3])
        print(f"{row['pattern']:<18} {row['variant']:<10} {params:<14} {row['constraints']:>11,} "
              f"{row['wires']:>7,} {row['public_signals']:>6}  {gadgets}")
    return 0


def cmd_setup(args):
    import time

    from zkwork.groth16 import setup
    from zkwork.groth16.files import save_circuit_dir
    from zkwork.patterns import get_pattern

    pattern = get_pattern(args.pattern, args.variant, **_params(args.param))
    start = time.perf_counter()
    r1cs = pattern.build()
    built = time.perf_counter()
    pk = setup(r1cs)
    done = time.perf_counter()
    save_circuit_dir(args.out, pattern, r1cs, pk)
    print(f"{pattern.label}: {r1cs.num_constraints:,} constraints, {r1cs.num_wires:,} wires, "
          f"{r1cs.num_public} public signals")
    print(f"built in {built - start:.2f} s, keys generated in {done - built:.2f} s (toxic waste discarded)")
    print(f"wrote {args.out}/proving_key/, {args.out}/verification_key.json, {args.out}/circuit.json")
    return 0


def cmd_prove(args):
    import time

    from zkwork.groth16 import prove
    from zkwork.groth16.files import inputs_from_json, load_circuit_dir
    from zkwork.errors import CircuitInputError
    from zkwork.groth16.snarkjs_json import proof_to_json, public_to_json, read_json, save_json

    pattern, pk = load_circuit_dir(args.dir)
    inputs = inputs_from_json(read_json(args.input, CircuitInputError), where=args.input)
    start = time.perf_counter()
    r1cs, witness = pattern.solve(inputs)
    solved = time.perf_counter()
    proof = prove(pk, witness)
    done = time.perf_counter()
    save_json(args.proof, proof_to_json(proof))
    save_json(args.public, public_to_json(r1cs.public_signals(witness)))
    print(f"witness in {solved - start:.3f} s, proof in {done - solved:.3f} s; wrote {args.proof}, {args.public}")
    return 0


def cmd_verify(args):
    from zkwork.groth16 import verify
    from zkwork.groth16.snarkjs_json import (
        load_json,
        proof_from_json,
        public_from_json,
        vk_from_json,
    )

    vk = load_json(args.verification_key, vk_from_json)
    public = load_json(args.public, public_from_json)
    proof = load_json(args.proof, proof_from_json)
    if verify(vk, public, proof):
        print("OK: the proof is valid")
        return 0
    print("INVALID: the proof does not verify for these public signals")
    return 1


def cmd_export_vk(args):
    from zkwork.groth16.files import load_circuit_dir
    from zkwork.groth16.snarkjs_json import save_json, vk_to_json

    _, pk = load_circuit_dir(args.dir)
    save_json(args.out, vk_to_json(pk.vk))
    print(f"wrote {args.out}")
    return 0


def cmd_r1cs_info(args):
    from zkwork.formats.r1cs_file import r1cs_info

    info = r1cs_info(args.file)
    if args.json:
        print(json.dumps(info, indent=1))
        return 0
    print(f"Curve: {info['curve']}")
    for key, title in (("wires", "# of Wires"), ("constraints", "# of Constraints"),
                       ("private_inputs", "# of Private Inputs"), ("public_inputs", "# of Public Inputs"),
                       ("labels", "# of Labels"), ("outputs", "# of Outputs")):
        print(f"{title}: {info[key]}")
    return 0


def cmd_prove_zkey(args):
    import time

    from zkwork.groth16.zkey_prover import prove_zkey_files

    start = time.perf_counter()
    _, public = prove_zkey_files(args.zkey, args.witness, args.proof, args.public)
    print(f"proved in {time.perf_counter() - start:.3f} s ({len(public)} public signals); "
          f"wrote {args.proof}, {args.public}")
    return 0


def _beacon_value(text):
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise SystemExit(f"--value takes the beacon as hex digits, got {text!r}") from None


def _print_record(record):
    print(f"{record.kind} {record.index} by {record.contributor}: {record.seconds:.2f} s; "
          f"digest {record.previous_digest[:16]}... -> {record.new_digest[:16]}...")


def cmd_ceremony_init(args):
    from zkwork.ceremony import files

    files.init(args.dir, args.power)
    print(f"{args.dir}: a ceremony for circuits of up to 2^{args.power} constraints; phase 1 is open")
    return 0


def cmd_ceremony_contribute(args):
    from zkwork.ceremony import files

    if args.circuit:
        record = files.phase2_contribute(args.dir, args.circuit, args.name)
    else:
        record = files.contribute(args.dir, args.name)
    _print_record(record)
    print("your secrets existed only inside this process and are gone")
    return 0


def cmd_ceremony_beacon(args):
    from zkwork.ceremony import files

    value = _beacon_value(args.value)
    if args.circuit:
        record = files.phase2_beacon(args.dir, args.circuit, value, args.exponent)
    else:
        record = files.beacon(args.dir, value, args.exponent)
    _print_record(record)
    return 0


def cmd_ceremony_phase2(args):
    from zkwork.ceremony import files
    from zkwork.patterns import get_pattern

    circuit_dir = files.phase2_init(args.dir, get_pattern(args.pattern, args.variant, **_params(args.param)))
    print(f"{circuit_dir}: initial keys from the sealed phase 1; contribute with --circuit {circuit_dir.name}")
    return 0


def cmd_ceremony_verify(args):
    from zkwork.ceremony import files

    result = files.verify_transcript(args.dir, require_sealed=not args.open)
    if args.json:
        Path(args.json).write_text(result.table().to_json(orient="records", indent=1) + "\n")
    print(result)
    print("OK: every contribution verifies" if result.ok else "REJECTED: see the failed checks above")
    return 0 if result.ok else 1


def cmd_ceremony_export_ptau(args):
    from zkwork.ceremony import files

    files.export_ptau(args.dir, args.ptau)
    print(f"wrote {args.ptau}: phase 1 with every contribution in snarkjs's format "
          f"(`snarkjs powersoftau verify {args.ptau}` checks it)")
    return 0


def cmd_ceremony_verify_ptau(args):
    from zkwork.ceremony import verify_ptau

    report = verify_ptau(args.ptau)
    print(report)
    return 0 if report.ok else 1


def cmd_report(args):
    from zkwork.report import run_report

    run_dir, complete = run_report(out=args.out, quick=args.quick, peers=not args.no_peers)
    print(f"wrote {run_dir}/summary.md, results.json, the executed notebooks, their HTML and figures/")
    if not complete:
        print(f"zkwork: report incomplete: a notebook is missing or failed; see {run_dir}/summary.md",
              file=sys.stderr)
        return 1
    return 0


def cmd_audit(args):
    """Under-constraint analysis of a pattern or a .r1cs file; with --fuzz, a fuzzing campaign."""
    if args.fuzz is not None:
        return _audit_fuzz(args)
    if args.target is None:
        raise SystemExit("zkwork audit: give a PATTERN or FILE.r1cs, or --fuzz N")
    from zkwork.audit.underconstrained import audit_file, audit_pattern

    if args.target.endswith(".r1cs"):
        reports = [audit_file(args.target, args.sym, args.witness)]
    else:
        from zkwork.patterns import get_pattern

        variants = ("reference", "hardened") if args.variant == "both" else (args.variant,)
        params = _params(args.param)
        reports = [audit_pattern(get_pattern(args.target, variant, **params)) for variant in variants]
    if args.json:
        print(json.dumps([report.to_dict() for report in reports], indent=1))
    else:
        print("\n\n".join(report.format() for report in reports))
    return 1 if any(report.errors for report in reports) else 0


def _audit_fuzz(args):
    from zkwork.audit.fuzz import TARGETS, format_campaign, run_campaign

    unknown = sorted(set(args.targets or ()) - set(TARGETS))
    if unknown:
        print(f"zkwork audit: unknown fuzz targets {', '.join(unknown)}; the targets are {', '.join(TARGETS)}",
              file=sys.stderr)
        return 2
    frame = run_campaign(args.fuzz, seed=args.seed, targets=args.targets, time_limit=args.time_limit, progress=True)
    if args.json:
        print(frame.to_json(orient="records", indent=1))
    else:
        print(format_campaign(frame))
    return 1 if (frame["accepted"] + frame["crashes"] + frame["hangs"]).any() else 0


def build_parser():
    parser = argparse.ArgumentParser(prog="zkwork", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    info = sub.add_parser("info", help="versions, CPU, numba threading layer, JIT cache state")
    info.add_argument("--json", action="store_true", help="print machine-readable JSON")
    info.set_defaults(func=cmd_info)

    bench = sub.add_parser("bench", help="benchmarks").add_subparsers(dest="suite", required=True)
    arith = bench.add_parser("arith", help="field, curve, MSM, NTT and pairing speed against py_ecc")
    arith.add_argument("--runs", type=int, default=5, help="timed runs per operation (median reported)")
    arith.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    arith.add_argument("--no-peers", action="store_true", help="skip the py_ecc/galois peer measurements")
    arith.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    arith.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown")
    arith.set_defaults(func=cmd_bench_arith)
    groth = bench.add_parser("groth16", help="setup/prove/verify of every pattern, against snarkjs")
    groth.add_argument("--pattern", action="append", help="only this pattern (repeatable)")
    groth.add_argument("--quick", action="store_true", help="small circuits and few runs, for a smoke test")
    groth.add_argument("--prove-runs", type=int, default=20)
    groth.add_argument("--verify-runs", type=int, default=100)
    groth.add_argument("--no-peers", action="store_true", help="skip snarkjs")
    groth.add_argument("--json", metavar="FILE")
    groth.add_argument("--markdown", metavar="FILE")
    groth.set_defaults(func=cmd_bench_groth16)
    zkey = bench.add_parser("zkey", help="zkwork and snarkjs proving the same snarkjs zkey of each pattern")
    zkey.add_argument("--pattern", action="append", help="only this pattern (repeatable)")
    zkey.add_argument("--variant", default="reference", choices=["reference", "hardened"])
    zkey.add_argument("--runs", type=int, default=10)
    zkey.add_argument("--quick", action="store_true", help="the small circuits, few runs")
    zkey.add_argument("--json", metavar="FILE")
    zkey.add_argument("--markdown", metavar="FILE")
    zkey.set_defaults(func=cmd_bench_zkey)

    circuits = sub.add_parser("circuits", help="constraint budgets of the five patterns, both variants")
    circuits.add_argument("--json", metavar="FILE", help="also write the table as JSON")
    circuits.set_defaults(func=cmd_circuits)

    setup = sub.add_parser("setup", help="Groth16 keys for a pattern (development setup from fresh randomness)")
    setup.add_argument("pattern")
    setup.add_argument("--variant", default="reference", choices=["reference", "hardened"])
    setup.add_argument("--param", action="append", metavar="KEY=VALUE", help="pattern parameter, e.g. depth=20")
    setup.add_argument("--out", required=True, metavar="DIR")
    setup.set_defaults(func=cmd_setup)

    prove = sub.add_parser("prove", help="prove a pattern's statement for the inputs in input.json")
    prove.add_argument("dir", help="a directory written by `zkwork setup`")
    prove.add_argument("--input", required=True)
    prove.add_argument("--proof", required=True)
    prove.add_argument("--public", required=True)
    prove.set_defaults(func=cmd_prove)

    verify = sub.add_parser("verify", help="verify a proof (exit status 0 valid, 1 invalid, like snarkjs)")
    verify.add_argument("verification_key")
    verify.add_argument("public")
    verify.add_argument("proof")
    verify.set_defaults(func=cmd_verify)

    report = sub.add_parser("report", help="run the notebooks into a dated report: SLAs, capacity, budgets")
    report.add_argument("--quick", action="store_true", help="small circuits and few runs (about 3 minutes)")
    report.add_argument("--out", default="reports", metavar="DIR", help="where the dated run directories go")
    report.add_argument("--no-peers", action="store_true", help="skip snarkjs beside zkwork")
    report.set_defaults(func=cmd_report)

    r1cs = sub.add_parser("r1cs", help="circom .r1cs files").add_subparsers(dest="what", required=True)
    r1cs_info = r1cs.add_parser("info", help="counts of a .r1cs file, as `snarkjs r1cs info` prints them")
    r1cs_info.add_argument("file")
    r1cs_info.add_argument("--json", action="store_true")
    r1cs_info.set_defaults(func=cmd_r1cs_info)

    prove_zkey = sub.add_parser("prove-zkey", help="prove from a snarkjs .zkey and .wtns (snarkjs groth16 prove)")
    prove_zkey.add_argument("zkey")
    prove_zkey.add_argument("witness")
    prove_zkey.add_argument("proof")
    prove_zkey.add_argument("public")
    prove_zkey.set_defaults(func=cmd_prove_zkey)

    audit = sub.add_parser("audit", help="under-constraint analysis of a pattern or .r1cs (exit 1 on errors); "
                                         "--fuzz N: fuzz the verifiers and parsers")
    audit.add_argument("target", nargs="?", help="a pattern name or a FILE.r1cs")
    audit.add_argument("--variant", default="both", choices=["reference", "hardened", "both"])
    audit.add_argument("--param", action="append", metavar="KEY=VALUE", help="pattern parameter, e.g. depth=4")
    audit.add_argument("--sym", metavar="FILE.sym", help="circom's symbol file: signal labels for a .r1cs")
    audit.add_argument("--witness", metavar="FILE.wtns", help="a witness of the .r1cs, for the second-witness search")
    audit.add_argument("--json", action="store_true", help="print the report (or campaign table) as JSON")
    audit.add_argument("--fuzz", type=int, metavar="N", help="fuzz every target with N cases (exit 1 if any "
                                                             "mutated input is accepted or crashes)")
    audit.add_argument("--seed", type=int, default=0, help="seed of the fuzz cases (reproducible campaigns)")
    audit.add_argument("--targets", nargs="+", metavar="NAME", help="only these fuzz targets")
    audit.add_argument("--time-limit", type=float, default=5.0, metavar="SECONDS",
                       help="a fuzz case running longer counts as a hang")
    audit.set_defaults(func=cmd_audit)

    ceremony = sub.add_parser("ceremony", help="a multi-party trusted-setup ceremony in a directory passed on "
                                               "between contributors").add_subparsers(dest="step", required=True)
    c_init = ceremony.add_parser("init", help="a new ceremony (phase 1 powers of tau)")
    c_init.add_argument("dir")
    c_init.add_argument("--power", type=int, required=True, help="circuits of up to 2^POWER constraints")
    c_init.set_defaults(func=cmd_ceremony_init)
    c_contribute = ceremony.add_parser("contribute", help="add your contribution (fresh secrets, never stored)")
    c_contribute.add_argument("dir")
    c_contribute.add_argument("--name", required=True, help="the contributor's name, recorded in the transcript")
    c_contribute.add_argument("--circuit", help="contribute to this circuit's phase 2 instead of phase 1")
    c_contribute.set_defaults(func=cmd_ceremony_contribute)
    c_beacon = ceremony.add_parser("beacon", help="seal phase 1 (or a circuit's phase 2) with a public random value")
    c_beacon.add_argument("dir")
    c_beacon.add_argument("--value", required=True, help="the beacon as hex, e.g. a future block hash")
    c_beacon.add_argument("--exponent", type=int, default=10, help="2^EXPONENT SHA-256 iterations (default 10)")
    c_beacon.add_argument("--circuit", help="seal this circuit's phase 2 instead of phase 1")
    c_beacon.set_defaults(func=cmd_ceremony_beacon)
    c_phase2 = ceremony.add_parser("phase2", help="start a pattern's phase 2 from the sealed phase 1")
    c_phase2.add_argument("dir")
    c_phase2.add_argument("pattern")
    c_phase2.add_argument("--variant", default="reference", choices=["reference", "hardened"])
    c_phase2.add_argument("--param", action="append", metavar="KEY=VALUE", help="pattern parameter, e.g. depth=20")
    c_phase2.set_defaults(func=cmd_ceremony_phase2)
    c_verify = ceremony.add_parser("verify", help="check every contribution; exit 0 valid, 1 rejected, 2 unreadable")
    c_verify.add_argument("dir")
    c_verify.add_argument("--open", action="store_true", help="accept phases not sealed by a beacon yet")
    c_verify.add_argument("--json", metavar="FILE", help="every check as JSON")
    c_verify.set_defaults(func=cmd_ceremony_verify)
    c_export = ceremony.add_parser("export-ptau", help="phase 1 as a snarkjs .ptau, with its contributions")
    c_export.add_argument("dir")
    c_export.add_argument("ptau")
    c_export.set_defaults(func=cmd_ceremony_export_ptau)
    c_verify_ptau = ceremony.add_parser("verify-ptau", help="check a snarkjs .ptau's contributions and powers "
                                                           "(exit 0 valid, 1 rejected, 2 malformed)")
    c_verify_ptau.add_argument("ptau")
    c_verify_ptau.set_defaults(func=cmd_ceremony_verify_ptau)

    export = sub.add_parser("export", help="export artefacts").add_subparsers(dest="what", required=True)
    export_vk = export.add_parser("verificationkey", help="verification_key.json of a setup directory")
    export_vk.add_argument("dir")
    export_vk.add_argument("out")
    export_vk.set_defaults(func=cmd_export_vk)
    return parser


def main(argv=None):
    from zkwork.errors import ZkworkError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ZkworkError, OSError) as error:
        print(f"zkwork: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
