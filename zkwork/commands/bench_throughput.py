"""`zkwork bench throughput`: the server's throughput mode (one single-thread process per core, every
core busy) against a quiet single process, in proofs/s per core, without and with fixed-base tables."""
from zkwork.commands.bench_memory import small_if_quick, write_markdown
from zkwork.commands.common import Exit, add_output_options, emit
from zkwork.errors import UsageError


def arguments(parser):
    """The options of `zkwork bench throughput`."""
    parser.add_argument("--seconds", type=float,
                        help="each window's length, every process proving back to back (default 20; --quick: 3)")
    parser.add_argument("--quick", action="store_true", help="the small circuit (membership/hardened d4), 3 s windows")
    parser.add_argument("--cores", type=int, help="processes in server mode and threads of the single process "
                                                  "(default: the cores this process may run on)")
    parser.add_argument("--precompute-mb", type=int, action="append", metavar="MB",
                        help="a fixed-base table budget to measure (repeatable; default 0 and 64)")
    parser.add_argument("--circuit-dir", metavar="DIR",
                        help="prove with this `zkwork setup` directory's keys (default: a fresh membership/hardened "
                             "d20 setup)")
    add_output_options(parser)
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown to FILE")


def run(args):
    """The three windows per table budget; exit 0 whether or not the target is met (the table says)."""
    from zkwork.bench.throughput_mode import DEFAULT_CIRCUIT, bench_throughput_mode, format_markdown

    if args.cores is not None and args.cores < 1:
        raise UsageError(f"--cores takes 1 or more, got {args.cores}")
    circuit = small_if_quick(DEFAULT_CIRCUIT, args.quick)
    seconds = args.seconds if args.seconds is not None else (3.0 if args.quick else 20.0)
    results = bench_throughput_mode(circuit, seconds=seconds, precompute_mbs=tuple(args.precompute_mb or (0, 64)),
                                    cores=args.cores, circuit_dir=args.circuit_dir)
    text = format_markdown(results)
    emit(args, results, text)
    write_markdown(args, text)
    return Exit.OK
