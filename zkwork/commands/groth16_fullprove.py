"""`zkwork groth16 fullprove input.json circuit.wasm circuit.zkey proof.json public.json`
(snarkjs's verb and argument order): witness and proof in one step.

Inputs must be field elements, integers in [0, r): a negative input or one >= r is refused
(exit status 2, naming the input). snarkjs silently reduces such inputs mod r and proves the
reduced statement; zkwork refuses them, since an input that is not what the circuit will see
is a mistake a proof should not hide."""
from zkwork.commands.common import Exit, add_output_options, emit


def arguments(parser):
    """The options of `zkwork groth16 fullprove`."""
    parser.add_argument("input", help="input.json: the inputs, named as the circuit's signals, each in [0, r) "
                                      "(snarkjs silently reduces inputs >= r; zkwork refuses them)")
    parser.add_argument("wasm", help="the circuit's witness calculator (circom --wasm: NAME_js/NAME.wasm)")
    parser.add_argument("zkey", help="the circuit's .zkey (after at least one phase-2 contribution)")
    parser.add_argument("proof", help="where to write proof.json")
    parser.add_argument("public", help="where to write public.json")
    add_output_options(parser, out=False)


def run(args):
    """Computes the witness in-process, proves, verifies the proof with the zkey's own key, writes both files."""
    import time

    from zkwork.interop.fullprove import fullprove

    start = time.perf_counter()
    _, public = fullprove(args.input, args.wasm, args.zkey, args.proof, args.public, refuse_unsafe=True)
    seconds = time.perf_counter() - start
    emit(args, {"seconds": seconds, "public": [str(v) for v in public]},
         f"witness and proof in {seconds:.3f} s ({len(public)} public signals); wrote {args.proof}, {args.public}")
    return Exit.OK
