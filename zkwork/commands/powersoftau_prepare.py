"""`zkwork powersoftau prepare phase2 in.ptau out.ptau` (snarkjs's verb and argument order):
the .ptau with its points in the Lagrange basis, byte for byte what snarkjs writes."""
from zkwork.commands.common import Exit, add_output_options, emit


def arguments(parser):
    """The options of `zkwork powersoftau prepare phase2`."""
    parser.add_argument("ptau", help="a snarkjs .ptau file (phase 1)")
    parser.add_argument("prepared", help="where to write the prepared .ptau")
    add_output_options(parser)


def run(args):
    """Writes the prepared .ptau; exit 2 for a malformed input."""
    import time

    from zkwork.ceremony.prepare_phase2 import prepare_phase2

    start = time.perf_counter()
    prepare_phase2(args.ptau, args.prepared)
    seconds = time.perf_counter() - start
    emit(args, {"ptau": args.ptau, "prepared": args.prepared, "seconds": round(seconds, 3)},
         f"wrote {args.prepared} in {seconds:.1f} s")
    return Exit.OK
