"""`zkwork input PATTERN`: valid sample inputs of a pattern, as `zkwork prove --input` reads them."""
from zkwork.commands.common import Exit, add_pattern_options, pattern_of


def arguments(parser):
    """The options of `zkwork input`."""
    parser.add_argument("pattern", help="membership, structure, selective_reveal, version or locker")
    add_pattern_options(parser)
    parser.add_argument("--out", metavar="FILE", help="write the inputs to FILE instead of printing them")


def run(args):
    """Prints (or writes) a consistent set of inputs for the pattern's statement."""
    import json
    from pathlib import Path

    from zkwork.r1cs.inputs import inputs_to_json

    text = json.dumps(inputs_to_json(pattern_of(args).sample_inputs()), indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n")
    else:
        print(text)
    return Exit.OK
