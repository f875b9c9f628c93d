"""`zkwork audit PATTERN|FILE.r1cs` (under-constraint analysis; exit 1 when it finds an error)
and `zkwork audit --fuzz N` (fuzzing every verifier and parser; exit 1 on any acceptance,
crash or hang)."""
from zkwork.commands.common import Exit, add_output_options, emit, params
from zkwork.errors import UsageError


def arguments(parser):
    """The options of `zkwork audit`."""
    parser.add_argument("target", nargs="?", help="a pattern name or a FILE.r1cs (not with --fuzz)")
    parser.add_argument("--variant", default="both", choices=["reference", "hardened", "both"],
                        help="the pattern's variants to analyse (default both)")
    parser.add_argument("--param", action="append", metavar="KEY=VALUE", help="a pattern parameter, e.g. depth=4")
    parser.add_argument("--sym", metavar="FILE.sym", help="circom's symbol file: signal labels for a .r1cs")
    parser.add_argument("--witness", metavar="FILE.wtns", help="a witness of the .r1cs, for the second-witness search")
    parser.add_argument("--fuzz", type=int, metavar="N", help="fuzz every target with N cases instead")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fuzz cases, for reproducible campaigns (default 0)")
    parser.add_argument("--targets", nargs="+", metavar="NAME", help="only these fuzz targets")
    parser.add_argument("--time-limit", type=float, default=5.0, metavar="SECONDS",
                        help="a fuzz case running longer counts as a hang (default 5)")
    add_output_options(parser)


def run(args):
    """Analyses a pattern or a .r1cs, or runs a fuzzing campaign with --fuzz."""
    if args.fuzz is not None:
        if args.target is not None:
            raise UsageError("zkwork audit: give a PATTERN or FILE.r1cs, or --fuzz N, not both")
        return _fuzz(args)
    if args.target is None:
        raise UsageError("zkwork audit: give a PATTERN or FILE.r1cs, or --fuzz N")
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
