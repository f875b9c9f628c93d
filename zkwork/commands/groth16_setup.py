"""`zkwork groth16 setup circuit.r1cs prepared.ptau circuit_0000.zkey` (= `zkwork zkey new`,
snarkjs's verbs and argument order): a circuit's initial .zkey, byte for byte snarkjs's."""
from zkwork.commands.common import Exit, add_output_options, emit


def arguments(parser):
    """The options of `zkwork groth16 setup`."""
    parser.add_argument("r1cs", help="the circuit's circom .r1cs file")
    parser.add_argument("ptau", help="a prepared .ptau (`powersoftau prepare phase2`)")
    parser.add_argument("zkey", help="where to write the initial .zkey")
    add_output_options(parser)


def run(args):
    """Writes the initial .zkey and prints the circuit hash; exit 2 for a malformed input
    or a circuit too large for the ptau."""
    import time

    from zkwork.ceremony.zkey_new import new_zkey

    start = time.perf_counter()
    circuit_hash = new_zkey(args.r1cs, args.ptau, args.zkey)
    seconds = time.perf_counter() - start
    emit(args, {"zkey": args.zkey, "circuit_hash": circuit_hash.hex(), "seconds": round(seconds, 3)},
         f"wrote {args.zkey} in {seconds:.1f} s\ncircuit hash: {circuit_hash.hex()}")
    return Exit.OK
