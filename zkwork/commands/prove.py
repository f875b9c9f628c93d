"""`zkwork prove DIR --input input.json --proof proof.json --public public.json`: a pattern's
proof from its inputs, with the keys of a `zkwork setup` or ceremony circuit directory."""
from zkwork.commands.common import Exit, add_output_options, emit


def arguments(parser):
    """The options of `zkwork prove`."""
    parser.add_argument("dir", help="a circuit directory written by `zkwork setup` or a ceremony's phase 2")
    parser.add_argument("--input", required=True, metavar="FILE",
                        help="the inputs, named as the Circom signals (DIR/input.json is a valid sample)")
    parser.add_argument("--proof", required=True, metavar="FILE", help="where to write proof.json")
    parser.add_argument("--public", required=True, metavar="FILE", help="where to write public.json")
    add_output_options(parser, out=False)


def run(args):
    """Solves the witness, proves, checks the proof with the key's own verifying key, writes both files."""
    import time

    from zkwork.errors import CircuitInputError
    from zkwork.groth16 import prove
    from zkwork.groth16.key_checks import check_proving_key
    from zkwork.groth16.snarkjs_json import proof_to_json, public_to_json, read_json, write_json
    from zkwork.workspace import inputs_from_json, read_circuit_dir

    pattern, pk = read_circuit_dir(args.dir)
    check_proving_key(pk, args.dir)
    inputs = inputs_from_json(read_json(args.input, CircuitInputError), where=args.input)
    start = time.perf_counter()
    r1cs, witness = pattern.solve(inputs)
    solved = time.perf_counter()
    proof = prove(pk, witness, check=True)
    done = time.perf_counter()
    public = public_to_json(r1cs.public_signals(witness))
    write_json(args.proof, proof_to_json(proof))
    write_json(args.public, public)
    emit(args, {"witness_s": solved - start, "prove_s": done - solved, "proof": args.proof, "public": public},
         f"witness in {solved - start:.3f} s, proof in {done - solved:.3f} s; wrote {args.proof}, {args.public}")
    return Exit.OK
