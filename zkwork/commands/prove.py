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
    """Compiles the circuit, computes the witness, proves, checks the proof with the key's own
    verifying key, writes both files."""
    from zkwork.errors import CircuitInputError
    from zkwork.groth16.key_checks import check_proving_key
    from zkwork.groth16.snarkjs_json import read_json, write_json
    from zkwork.prover import compile_prover
    from zkwork.workspace import read_circuit_dir

    pattern, pk = read_circuit_dir(args.dir)
    check_proving_key(pk, args.dir)
    input_json = read_json(args.input, CircuitInputError)
    if not isinstance(input_json, dict):
        raise CircuitInputError(f"{args.input}: expected a JSON object of named inputs")
    timings = {}
    proof, public = compile_prover(pattern, pk, check=True).prove_json(input_json, timings)
    write_json(args.proof, proof)
    write_json(args.public, public)
    witness_s, prove_s = timings["witness_s"], timings["prove_s"]
    emit(args, {**timings, "proof": args.proof, "public": public},
         f"witness in {witness_s:.3f} s, proof in {prove_s:.3f} s; wrote {args.proof}, {args.public}")
    return Exit.OK
