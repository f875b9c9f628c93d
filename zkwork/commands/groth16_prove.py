"""`zkwork groth16 prove circuit.zkey witness.wtns proof.json public.json` (snarkjs's verb and
argument order; `zkwork prove-zkey` is the same command): a proof from a snarkjs proving key."""
from zkwork.commands.common import Exit, add_output_options, emit


def arguments(parser):
    """The options of `zkwork groth16 prove`."""
    parser.add_argument("zkey", help="the circuit's .zkey (after at least one phase-2 contribution)")
    parser.add_argument("witness", help="the witness, a .wtns file")
    parser.add_argument("proof", help="where to write proof.json")
    parser.add_argument("public", help="where to write public.json")
    add_output_options(parser, out=False)


def run(args):
    """Proves, verifies the proof with the zkey's own key, and writes proof.json and public.json."""
    import time

    from zkwork.interop.zkey_prover import prove_zkey_files

    start = time.perf_counter()
    _, public = prove_zkey_files(args.zkey, args.witness, args.proof, args.public, refuse_unsafe=True)
    seconds = time.perf_counter() - start
    emit(args, {"prove_s": seconds, "public": [str(v) for v in public]},
         f"proved in {seconds:.3f} s ({len(public)} public signals); wrote {args.proof}, {args.public}")
    return Exit.OK
