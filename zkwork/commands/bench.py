"""`zkwork bench arith|groth16|zkey|service|floor|setup|cold`: the engine's speed, with its peers measured
in the same run (`bench memory` and `bench throughput` have their own modules)."""
from pathlib import Path

from zkwork.commands.common import Exit, add_output_options, emit
from zkwork.errors import UsageError


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
    parser.add_argument("--no-peers", action="store_true", help="skip snarkjs and arkworks")
    parser.add_argument("--precompute-mb", type=int, default=64, metavar="MB",
                        help="fixed-base table budget per circuit for the server-mode rows (default 64; 0: skip them)")
    _contention_option(parser)
    _table_option(parser)


def _contention_option(parser):
    parser.add_argument("--contention", type=int, default=0, metavar="N",
                        help="also time the proofs beside N CPU-bound competitor processes, after the quiet "
                             "runs (default 0: quiet only); e.g. one per core")


def _check_contention(args):
    from zkwork.bench.contention import MAX_COMPETITORS
    from zkwork.errors import UsageError

    if not 0 <= args.contention <= MAX_COMPETITORS:
        raise UsageError(f"--contention takes 0 to {MAX_COMPETITORS} competitor processes, got {args.contention}")


def groth16(args):
    """Setup, end-to-end proofs (witness and prove) and verify of every pattern, against snarkjs."""
    from zkwork.bench.groth16 import bench_groth16, format_markdown

    _check_contention(args)
    if args.precompute_mb < 0:
        raise UsageError(f"--precompute-mb takes 0 or more MB, got {args.precompute_mb}")
    results = bench_groth16(patterns=args.pattern, variants=args.variant, quick=args.quick, prove_runs=args.prove_runs,
                            verify_runs=args.verify_runs, peer=not args.no_peers, contention=args.contention,
                            precompute_mb=args.precompute_mb)
    _emit(args, results, format_markdown(results))
    return Exit.OK


def zkey_arguments(parser):
    """The options of `zkwork bench zkey`."""
    parser.add_argument("--pattern", action="append", help="only this pattern (repeatable; default all five)")
    parser.add_argument("--variant", default="reference", choices=["reference", "hardened"],
                        help="the variant of each pattern (default reference)")
    parser.add_argument("--runs", type=int, default=10, help="timed proofs per prover and circuit (default 10)")
    parser.add_argument("--quick", action="store_true", help="the small circuits, few runs")
    parser.add_argument("--no-arkworks", action="store_true",
                        help="skip arkworks (groth16py) and zkwork on one thread beside it")
    _contention_option(parser)
    _table_option(parser)


def zkey(args):
    """zkwork, snarkjs and arkworks proving the same snarkjs .zkey and witness."""
    from zkwork.bench.zkey import bench_zkey, format_markdown

    _check_contention(args)
    results = bench_zkey(patterns=args.pattern, variant=args.variant, runs=args.runs, quick=args.quick,
                         arkworks=not args.no_arkworks, contention=args.contention)
    _emit(args, results, format_markdown(results))
    return Exit.OK


def service_arguments(parser):
    """The options of `zkwork bench service`."""
    parser.add_argument("--circuit-dir", metavar="DIR",
                        help="serve this circuit directory (default: `zkwork setup` of membership hardened)")
    parser.add_argument("--depth", type=int, default=20,
                        help="the membership depth when no --circuit-dir is given (default 20, production)")
    parser.add_argument("--prove-runs", type=int, default=30, help="timed prove requests (default 30)")
    parser.add_argument("--verify-runs", type=int, default=300, help="timed verify requests (default 300)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests of each kind first (default 5)")
    _table_option(parser)


def service(args):
    """`zkwork serve`'s overhead per prove and verify request at low load, against in-process work."""
    from zkwork.errors import UsageError
    from zkwork.resources import require_extra

    if args.prove_runs < 1 or args.verify_runs < 1 or args.warmup < 0 or args.depth < 1:
        raise UsageError("--prove-runs >= 1, --verify-runs >= 1, --warmup >= 0 and --depth >= 1 are required")
    require_extra("service")
    from zkwork.service.overhead import bench_service, format_table

    results = bench_service(circuit_dir=args.circuit_dir, depth=args.depth, prove_runs=args.prove_runs,
                            verify_runs=args.verify_runs, health_runs=args.verify_runs, warmup=args.warmup)
    _emit(args, results, format_table(results))
    return Exit.OK


def floor_arguments(parser):
    """The options of `zkwork bench floor`."""
    parser.add_argument("--quick", action="store_true",
                        help="the small membership and locker circuits (default: membership/hardened d20 and "
                             "locker/hardened l10)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per stage, median reported (default 5)")
    parser.add_argument("--table-budget-mb", type=int, default=512,
                        help="memory allowed per MSM for fixed-base precomputation tables (default 512)")
    _table_option(parser)


def floor(args):
    """Field multiplications per prove x measured ns per multiplication / cores, beside each stage timed."""
    from zkwork.bench.floor import DEFAULT_CIRCUITS, bench_floor, format_markdown
    from zkwork.errors import UsageError
    from zkwork.patterns import PATTERNS

    if args.runs < 1 or args.table_budget_mb < 1:
        raise UsageError("--runs >= 1 and --table-budget-mb >= 1 are required")
    circuits = [(name, variant, PATTERNS[name].small_params() if args.quick else params)
                for name, variant, params in DEFAULT_CIRCUITS]
    results = bench_floor(circuits, runs=args.runs, table_budget_mb=args.table_budget_mb)
    _emit(args, results, format_markdown(results))
    return Exit.OK


def _powers(text):
    low, sep, high = text.partition("..")
    try:
        powers = list(range(int(low), int(high) + 1)) if sep else [int(low)]
    except ValueError:
        raise UsageError(f"--powers takes N or LOW..HIGH, got {text!r}") from None
    if not powers or not all(1 <= power <= 27 for power in powers):
        raise UsageError(f"--powers must name powers 1 to 27, got {text!r}")
    return powers


def setup_arguments(parser):
    """The options of `zkwork bench setup`."""
    parser.add_argument("--powers", default="12..14", help="ptau powers, N or LOW..HIGH (default 12..14)")
    parser.add_argument("--circuit", default="membership_hardened_d20",
                        help="the circuits/main stem whose zkey new is timed (default membership_hardened_d20)")
    parser.add_argument("--no-peers", action="store_true", help="skip snarkjs (zkwork's times only)")
    parser.add_argument("--work", metavar="DIR", help="keep the ptau and zkey files in DIR")
    parser.add_argument("--no-mpc", action="store_true", help="skip zkey contribute and zkey verify")
    parser.add_argument("--no-daemon-runs", action="store_true", help="skip the runs forwarded to a daemon")
    _table_option(parser)


def setup(args):
    """prepare phase 2, zkey new, zkey contribute and zkey verify, zkwork against snarkjs; exit 1 if a
    zkwork output differs from snarkjs's."""
    import sys

    from zkwork.bench.setup import bench_setup, format_markdown

    results = bench_setup(powers=_powers(args.powers), circuit=args.circuit, peer=not args.no_peers,
                          mpc=not args.no_mpc, daemon=not args.no_daemon_runs, work_dir=args.work, say=lambda message: print(message, file=sys.stderr))
    _emit(args, results, format_markdown(results))
    rows = results["prepare"] + ([results["zkey_new"]] if results["zkey_new"] else [])
    differs = any(row.get(key) is False for row in rows for key in ("identical", "identical_daemon"))
    return Exit.REJECTED if differs else Exit.OK


def cold_arguments(parser):
    """The options of `zkwork bench cold`."""
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command, after one untimed (default 5)")
    _table_option(parser)


def cold(args):
    """Process start to result of prove, verify and fullprove: snarkjs's CLI, zkwork in-process and via its daemon."""
    import sys

    from zkwork.bench.cold import bench_cold, format_markdown

    if args.runs < 1:
        raise UsageError(f"--runs takes 1 or more, got {args.runs}")
    results = bench_cold(runs=args.runs, say=lambda message: print(message, file=sys.stderr, flush=True))
    _emit(args, results, format_markdown(results))
    return Exit.OK
