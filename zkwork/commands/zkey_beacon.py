"""`zkwork zkey beacon in.zkey out.zkey BEACONHASH NUMITERATIONSEXP --name=NAME` (snarkjs's verb
and argument order): the contribution of a public random value, the same file snarkjs writes."""
from zkwork.commands.common import Exit, add_beacon_limit_options, add_output_options, emit


def arguments(parser):
    """The options of `zkwork zkey beacon`."""
    parser.add_argument("zkey_in", help="the .zkey to seal")
    parser.add_argument("zkey_out", help="where to write the .zkey with the beacon's contribution")
    parser.add_argument("beacon_hash", help="the beacon's value in hex (1 to 255 bytes)")
    parser.add_argument("iterations_exponent", type=int, help="2^N SHA-256 iterations over it (10 to 63)")
    parser.add_argument("-n", "--name", help="the beacon's name, recorded in the key")
    parser.add_argument("-v", "--verbose", action="store_true", help="accepted for snarkjs's command lines")
    add_beacon_limit_options(parser, budget=False)
    add_output_options(parser)


def run(args):
    """Writes the sealed .zkey; exit 2 for a malformed input or beacon parameters refused
    (by snarkjs's rules or above the bound verifiers apply)."""
    import time

    from zkwork.ceremony.zkey_mpc import beacon, contribution_hash

    limits = {} if args.max_beacon_exponent is None else {"max_exponent": args.max_beacon_exponent}
    start = time.perf_counter()
    record = beacon(args.zkey_in, args.zkey_out, args.beacon_hash, args.iterations_exponent, name=args.name,
                    **limits)
    seconds = time.perf_counter() - start
    digest = contribution_hash(record).hex()
    emit(args, {"zkey": args.zkey_out, "contribution_hash": digest, "seconds": round(seconds, 3)},
         f"wrote {args.zkey_out} in {seconds:.1f} s\ncontribution hash: {digest}")
    return Exit.OK
