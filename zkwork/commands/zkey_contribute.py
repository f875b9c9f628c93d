"""`zkwork zkey contribute in.zkey out.zkey --name=NAME -e=ENTROPY` (snarkjs's verb and argument
shapes): a phase-2 contribution of fresh randomness, in snarkjs's MPC transcript."""
from zkwork.commands.common import Exit, add_output_options, emit


def arguments(parser):
    """The options of `zkwork zkey contribute`."""
    parser.add_argument("zkey_in", help="the .zkey to contribute to (snarkjs's or zkwork's)")
    parser.add_argument("zkey_out", help="where to write the .zkey with the contribution")
    parser.add_argument("-n", "--name", help="the contributor's name, recorded in the key (64 characters kept)")
    parser.add_argument("-e", "--entropy", default="",
                        help="text mixed into the randomness from `secrets` (snarkjs asks for it; optional here)")
    parser.add_argument("-v", "--verbose", action="store_true", help="accepted for snarkjs's command lines")
    add_output_options(parser)


def run(args):
    """Writes the new .zkey and prints the contribution hash; exit 2 for a malformed input."""
    import time

    from zkwork.ceremony.zkey_mpc import contribute, contribution_hash

    start = time.perf_counter()
    record = contribute(args.zkey_in, args.zkey_out, name=args.name, entropy=args.entropy)
    seconds = time.perf_counter() - start
    digest = contribution_hash(record).hex()
    emit(args, {"zkey": args.zkey_out, "contribution_hash": digest, "seconds": round(seconds, 3)},
         f"wrote {args.zkey_out} in {seconds:.1f} s\ncontribution hash: {digest}")
    return Exit.OK
