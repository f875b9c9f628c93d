"""`zkwork bench setup --powers 12..14`: snarkjs's slowest setup steps (prepare phase 2,
zkey new), zkwork against snarkjs on the same inputs, peak memory beside."""
from zkwork.commands.common import Exit, add_output_options, emit
from zkwork.errors import UsageError


def _powers(text):
    low, sep, high = text.partition("..")
    try:
        powers = list(range(int(low), int(high) + 1)) if sep else [int(low)]
    except ValueError:
        raise UsageError(f"--powers takes N or LOW..HIGH, got {text!r}") from None
    if not powers or not all(1 <= power <= 27 for power in powers):
        raise UsageError(f"--powers must name powers 1 to 27, got {text!r}")
    return powers


def arguments(parser):
    """The options of `zkwork bench setup`."""
    parser.add_argument("--powers", default="12..14", help="ptau powers, N or LOW..HIGH (default 12..14)")
    parser.add_argument("--circuit", default="membership_hardened_d20",
                        help="the circuits/main stem whose zkey new is timed (default membership_hardened_d20)")
    parser.add_argument("--no-peers", action="store_true", help="skip snarkjs (zkwork's times only)")
    parser.add_argument("--work", metavar="DIR", help="keep the ptau and zkey files in DIR")
    add_output_options(parser)


def run(args):
    """Times both tools per step; exit 1 if a zkwork output differs from snarkjs's."""
    import sys

    from zkwork.bench.setup import bench_setup, format_markdown

    results = bench_setup(powers=_powers(args.powers), circuit=args.circuit, peer=not args.no_peers,
                          work_dir=args.work, say=lambda message: print(message, file=sys.stderr))
    emit(args, results, format_markdown(results))
    rows = results["prepare"] + ([results["zkey_new"]] if results["zkey_new"] else [])
    return Exit.REJECTED if any(row.get("identical") is False for row in rows) else Exit.OK
