"""`zkwork setup PATTERN --out DIR`: Groth16 keys for a pattern from fresh randomness."""
from zkwork.commands.common import Exit, add_output_options, add_pattern_options, emit, pattern_of


def arguments(parser):
    """The options of `zkwork setup`."""
    parser.add_argument("pattern", help="membership, structure, selective_reveal, version or locker")
    add_pattern_options(parser)
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="the circuit directory to write (keys, circuit.json, a sample input.json)")
    add_output_options(parser, out=False)


def run(args):
    """A development setup (toxic waste discarded); for production keys, run a ceremony."""
    import time

    from zkwork.groth16 import setup
    from zkwork.workspace import write_circuit_dir

    pattern = pattern_of(args)
    start = time.perf_counter()
    r1cs = pattern.build()
    built = time.perf_counter()
    pk = setup(r1cs)
    done = time.perf_counter()
    write_circuit_dir(args.out, pattern, r1cs, pk)
    summary = {"circuit": pattern.label, "constraints": r1cs.num_constraints, "wires": r1cs.num_wires,
               "public_signals": r1cs.num_public, "build_s": built - start, "setup_s": done - built,
               "directory": str(args.out)}
    emit(args, summary, "\n".join([
        f"{pattern.label}: {r1cs.num_constraints:,} constraints, {r1cs.num_wires:,} wires, "
        f"{r1cs.num_public} public signals",
        f"built in {built - start:.2f} s, keys generated in {done - built:.2f} s (toxic waste discarded)",
        f"wrote {args.out}/proving_key/, verification_key.json, circuit.json and a sample input.json",
    ]))
    return Exit.OK
