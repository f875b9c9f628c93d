"""`zkwork wtns calculate circuit.wasm input.json witness.wtns` (snarkjs's verb and argument
order): a circom circuit's witness from its witness-calculator WebAssembly.

Inputs must be field elements, integers in [0, r): a negative input or one >= r is refused
(exit status 2, naming the input), where snarkjs silently reduces it mod r. --reduce reads
inputs as snarkjs does, and then the .wtns is snarkjs's byte for byte."""
from zkwork.commands.common import Exit, add_output_options, emit


def arguments(parser):
    """The options of `zkwork wtns calculate`."""
    parser.add_argument("wasm", help="the circuit's witness calculator (circom --wasm: NAME_js/NAME.wasm)")
    parser.add_argument("input", help="input.json: the inputs, named as the circuit's signals")
    parser.add_argument("witness", help="where to write the .wtns file")
    parser.add_argument("--reduce", action="store_true",
                        help="reduce inputs mod r as snarkjs does, instead of refusing those outside [0, r)")
    add_output_options(parser, out=False)


def run(args):
    """Runs the circuit's witness calculator in-process (wasmtime) and writes the .wtns."""
    import time

    from zkwork.interop.wasm_witness import calculate_wtns

    start = time.perf_counter()
    calculate_wtns(args.wasm, args.input, args.witness, reduce=args.reduce)
    seconds = time.perf_counter() - start
    emit(args, {"seconds": seconds, "witness": args.witness}, f"wrote {args.witness} in {seconds:.3f} s")
    return Exit.OK
