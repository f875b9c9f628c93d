"""`zkwork bench memory`: what a proving process's resident memory is made of, its peak during a
prove, and its growth over many proves in one process (exit 1 if it grows like a leak)."""
from pathlib import Path

from zkwork.commands.common import Exit, add_output_options, emit
from zkwork.errors import UsageError


def write_markdown(args, text):
    """Writes `text` to --markdown FILE when given."""
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(text + "\n")


def small_if_quick(circuit, quick):
    """(name, variant, params) of `circuit`, at the pattern's small size with --quick."""
    name, variant, params = circuit
    if not quick:
        return circuit
    from zkwork.patterns import PATTERNS  # here, not above: usage errors come without numba's import

    return name, variant, PATTERNS[name].small_params()


def arguments(parser):
    """The options of `zkwork bench memory`."""
    parser.add_argument("--proves", type=int, metavar="N",
                        help="proves in one process after the breakdown, RSS sampled every 50 (default 1000; "
                             "--quick: 200)")
    parser.add_argument("--quick", action="store_true",
                        help="the pattern's small circuit (membership/hardened d4) and 200 proves")
    parser.add_argument("--precompute-mb", type=int, metavar="MB",
                        help="fixed-base table budget, as a server's worker builds them (default 64; 0: none)")
    parser.add_argument("--circuit-dir", metavar="DIR",
                        help="prove with this `zkwork setup` directory's keys (default: a fresh membership/hardened "
                             "d20 setup)")
    parser.add_argument("--zkey", metavar="FILE", help="also read this snarkjs .zkey and prove --wtns with it once")
    parser.add_argument("--wtns", metavar="FILE", help="the witness for --zkey")
    add_output_options(parser)
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown to FILE")


def run(args):
    """The memory breakdown and growth in a fresh child process; exit 1 if a leak is flagged."""
    from zkwork.bench.memory import DEFAULT_CIRCUIT, bench_memory, format_markdown

    proves = args.proves if args.proves is not None else (200 if args.quick else 1000)
    if args.precompute_mb is not None and args.precompute_mb < 0:
        raise UsageError(f"--precompute-mb takes 0 or more MB, got {args.precompute_mb}")
    circuit = small_if_quick(DEFAULT_CIRCUIT, args.quick)
    results = bench_memory(circuit, proves=proves, precompute_mb=args.precompute_mb, zkey=args.zkey, wtns=args.wtns,
                           circuit_dir=args.circuit_dir)
    text = format_markdown(results)
    emit(args, results, text)
    write_markdown(args, text)
    return Exit.REJECTED if results["growth"]["leak"] else Exit.OK
