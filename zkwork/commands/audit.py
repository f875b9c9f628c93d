"""`zkwork audit FILE.r1cs|DIR|PATTERN`: is every output determined by the inputs? Exit 0 when
every circuit is proved safe, 1 when one is unsafe (two witnesses, same inputs, different
outputs), 3 when one is unknown, 2 when a file is unreadable; `--structural` prints the
structural findings instead (exit 1 on errors), and `zkwork audit --fuzz N` fuzzes every
verifier and parser (exit 1 on any acceptance, crash or hang)."""
from pathlib import Path

from zkwork.commands.common import Exit, add_output_options, emit, params
from zkwork.errors import UsageError


def arguments(parser):
    """The options of `zkwork audit`."""
    parser.add_argument("target", nargs="?",
                        help="a FILE.r1cs, a directory of .r1cs files (each with its .sym beside it), or a pattern name")
    parser.add_argument("--variant", default="both", choices=["reference", "hardened", "both"],
                        help="the pattern's variants to analyse (default both)")
    parser.add_argument("--param", action="append", metavar="KEY=VALUE", help="a pattern parameter, e.g. depth=4")
    parser.add_argument("--sym", metavar="FILE.sym", help="circom's symbol file: signal labels for a .r1cs")
    parser.add_argument("--witness", metavar="FILE.wtns", help="a witness of the .r1cs, to start the cross-check from")
    parser.add_argument("--structural", action="store_true",
                        help="the structural findings and second-witness search only (exit 1 on errors)")
    parser.add_argument("--solver-time-limit", type=float, default=30.0, metavar="SECONDS",
                        help="the SMT solver's time limit per query (default 30)")
    parser.add_argument("--memory-limit", type=int, default=2048, metavar="MB",
                        help="the SMT solver's memory limit per query (default 2048)")
    parser.add_argument("--fuzz", type=int, metavar="N", help="fuzz every target with N cases instead")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fuzz cases, for reproducible campaigns (default 0)")
    parser.add_argument("--targets", nargs="+", metavar="NAME", help="only these fuzz targets")
    parser.add_argument("--time-limit", type=float, default=5.0, metavar="SECONDS",
                        help="a fuzz case running longer counts as a hang (default 5)")
    add_output_options(parser)


def run(args):
    """Decides the circuits given, prints their structural report, or fuzzes with --fuzz."""
    if args.fuzz is not None:
        if args.target is not None:
            raise UsageError("zkwork audit: give a PATTERN, FILE.r1cs or DIR, or --fuzz N, not both")
        return _fuzz(args)
    if args.target is None:
        raise UsageError("zkwork audit: give a PATTERN, FILE.r1cs or DIR, or --fuzz N")
    if args.structural:
        return _structural(args)
    circuits = list(_circuits(args))
    limits = {"time_limit": args.solver_time_limit, "memory_mb": args.memory_limit}
    from zkwork.audit.decide import decide

    verdicts = [decide(r1cs, title, witness, **limits) for title, r1cs, witness in circuits]
    payload = [v.to_dict() for v in verdicts]
    emit(args, payload[0] if len(payload) == 1 else payload, format_verdicts(verdicts))
    found = {v.verdict for v in verdicts}
    return Exit.REJECTED if "unsafe" in found else Exit.UNKNOWN if "unknown" in found else Exit.OK


def _circuits(args):
    """(title, R1CS, witness or None) of every circuit the target names."""
    from zkwork.formats import read_r1cs, read_wtns

    target = Path(args.target)
    if target.is_dir() or target.suffix == ".r1cs":
        paths = sorted(target.glob("*.r1cs")) if target.is_dir() else [target]
        if not paths:
            raise UsageError(f"zkwork audit: no .r1cs file in {target}")
        if len(paths) > 1 and (args.sym or args.witness):
            raise UsageError("zkwork audit: --sym and --witness go with one FILE.r1cs, not a directory")
        for path in paths:
            sym = args.sym or (path.with_suffix(".sym") if path.with_suffix(".sym").exists() else None)
            witness = read_wtns(args.witness) if args.witness else None
            yield str(path), read_r1cs(path, sym), witness
        return
    from zkwork.patterns import get_pattern

    for variant in ("reference", "hardened") if args.variant == "both" else (args.variant,):
        pattern = get_pattern(args.target, variant, **params(args.param))
        r1cs, witness = pattern.solve(pattern.sample_inputs())
        yield pattern.label, r1cs, witness


def format_verdicts(verdicts):
    """The verdicts as a table, then each counterexample's differing outputs and each reason."""
    width = max(len(v.circuit) for v in verdicts)
    lines = [f"{'circuit':<{width}}  verdict  seconds  warnings"]
    for v in verdicts:
        lines.append(f"{v.circuit:<{width}}  {v.verdict:<7}  {v.seconds:7.2f}  {len(v.warnings):8}")
    for v in verdicts:
        if v.counterexample:
            example = v.counterexample
            differ = example["outputs"] or example["inputs"]
            shown = "; ".join(f"{name}: {values}" for name, values in list(differ.items())[:4])
            lines.append(f"{v.circuit}: {example['kind']}: {shown}")
        if v.reason:
            lines.append(f"{v.circuit}: {v.reason}")
    counts = {name: sum(v.verdict == name for v in verdicts) for name in ("safe", "unsafe", "unknown")}
    lines.append(", ".join(f"{n} {name}" for name, n in counts.items()))
    return "\n".join(lines)


def _structural(args):
    from zkwork.audit.pattern_audit import audit_file, audit_pattern

    if args.target.endswith(".r1cs"):
        reports = [audit_file(args.target, args.sym, args.witness)]
    else:
        from zkwork.patterns import get_pattern

        variants = ("reference", "hardened") if args.variant == "both" else (args.variant,)
        reports = [audit_pattern(get_pattern(args.target, variant, **params(args.param))) for variant in variants]
    emit(args, [report.to_dict() for report in reports], "\n\n".join(report.format() for report in reports))
    return Exit.REJECTED if any(report.errors for report in reports) else Exit.OK


def _fuzz(args):
    import json

    from zkwork.audit.fuzz import TARGETS, format_campaign, run_campaign

    unknown = sorted(set(args.targets or ()) - set(TARGETS))
    if unknown:
        raise UsageError(f"zkwork audit: unknown fuzz targets {', '.join(unknown)}; the targets are {', '.join(TARGETS)}")
    frame = run_campaign(args.fuzz, seed=args.seed, targets=args.targets, time_limit=args.time_limit, progress=True)
    emit(args, json.loads(frame.to_json(orient="records")), format_campaign(frame))
    return Exit.REJECTED if (frame["accepted"] + frame["crashes"] + frame["hangs"]).any() else Exit.OK
