"""`zkwork r1cs info circuit.r1cs`: a circom constraint system's counts, as snarkjs prints them."""
from zkwork.commands.common import Exit, add_output_options, emit

TITLES = (("wires", "# of Wires"), ("constraints", "# of Constraints"), ("private_inputs", "# of Private Inputs"),
          ("public_inputs", "# of Public Inputs"), ("labels", "# of Labels"), ("outputs", "# of Outputs"))


def arguments(parser):
    """The options of `zkwork r1cs info`."""
    parser.add_argument("file", help="a circom .r1cs file")
    add_output_options(parser)


def run(args):
    """Prints the header counts of a .r1cs file."""
    from zkwork.formats.r1cs_file import r1cs_info

    info = r1cs_info(args.file)
    emit(args, info, "\n".join([f"Curve: {info['curve']}"] + [f"{title}: {info[key]}" for key, title in TITLES]))
    return Exit.OK
