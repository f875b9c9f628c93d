"""`zkwork zkey verify circuit.r1cs final.ptau in.zkey` (snarkjs's verb and argument order): every
contribution of a .zkey's MPC transcript and its points against the circuit's initial key."""
from zkwork.commands.common import Exit, add_beacon_limit_options, add_output_options, beacon_limits, emit


def arguments(parser):
    """The options of `zkwork zkey verify`."""
    parser.add_argument("r1cs", help="the circuit's circom .r1cs file")
    parser.add_argument("ptau", help="the prepared .ptau the key was made from")
    parser.add_argument("zkey", help="the .zkey to check")
    add_beacon_limit_options(parser)
    add_output_options(parser)


def run(args):
    """Checks the key; exit 0 valid, 1 rejected (the failed checks name the contribution and
    the section), 2 malformed."""
    from zkwork.ceremony.zkey_mpc import verify_zkey

    report = verify_zkey(args.r1cs, args.ptau, args.zkey, **beacon_limits(args))
    emit(args, {"ok": report.ok, "checks": report.records()}, str(report))
    return Exit.OK if report.ok else Exit.REJECTED
