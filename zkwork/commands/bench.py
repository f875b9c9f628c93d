"""`zkwork bench arith|groth16|zkey`: the engine's speed, with its peers measured in the same run."""
from pathlib import Path

from zkwork.commands.common import Exit, add_output_options, emit


def _table_option(parser):
    add_output_options(parser)
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown to FILE")


def _emit(args, results, text):
    emit(args, results, text)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(text + "\n")


def arith_arguments(parser):
    """The options of `zkwork bench arith`."""
    parser.add_argument("--runs", type=int, default=5, help="timed runs per operation, median reported (default 5)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    parser.add_argument("--no-peers", action="store_true", help="skip the py_ecc/galois peer measurements")
    _table_option(parser)


def arith(args):
    """Field, curve, MSM, NTT and pairing speed against py_ecc (and galois)."""
    from zkwork.bench.arith import bench_arith, format_markdown

    results = bench_arith(runs=args.runs, quick=args.quick, peers=not args.no_peers)
    _emit(args, results, format_markdown(results))
    return Exit.OK


def groth16_arguments(parser):
    """The options of `zkwork bench groth16`."""
    parser.add_argument("--pattern", action="append", help="only this pattern (repeatable; default all five)")
    parser.add_argument("--variant", action="append", choices=["reference", "hardened"],
                        help="only this variant (repeatable; default reference and hardened)")
    parser.add_argument("--quick", action="store_true", help="small circuits and few runs, for a smoke test")
    parser.add_argument("--prove-runs", type=int, default=20,
                        help="timed proofs per circuit, each end to end: input JSON in, proof JSON out (default 20)")
    parser.add_argument("--verify-runs", type=int, default=100, help="timed verifications per circuit (default 100)")
    parser.add_argument("--no-peers", action="store_true", help="skip snarkjs")
    _table_option(parser)


def groth16(args):
    """Setup, end-to-end proofs (witness and prove) and verify of every pattern, against snarkjs."""
    from zkwork.bench.groth16 import bench_groth16, format_markdown

    results = bench_groth16(patterns=args.pattern, variants=args.variant, quick=args.quick, prove_runs=args.prove_runs,
                            verify_runs=args.verify_runs, peer=not args.no_peers)
    _emit(args, results, format_markdown(results))
    return Exit.OK


def zkey_arguments(parser):
    """The options of `zkwork bench zkey`."""
    parser.add_argument("--pattern", action="append", help="only this pattern (repeatable; default all five)")
    parser.add_argument("--variant", default="reference", choices=["reference", "hardened"],
                        help="the variant of each pattern (default reference)")
    parser.add_argument("--runs", type=int, default=10, help="timed proofs per prover and circuit (default 10)")
    parser.add_argument("--quick", action="store_true", help="the small circuits, few runs")
    _table_option(parser)


def zkey(args):
    """zkwork and snarkjs proving the same snarkjs .zkey and witness."""
    from zkwork.bench.zkey import bench_zkey, format_markdown

    results = bench_zkey(patterns=args.pattern, variant=args.variant, runs=args.runs, quick=args.quick)
    _emit(args, results, format_markdown(results))
    return Exit.OK
