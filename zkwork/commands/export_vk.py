"""`zkwork zkey export verificationkey KEY vk.json` (snarkjs's verb; `zkwork export
verificationkey` is the same command): the verifying key of a .zkey or a circuit directory."""
from zkwork.commands.common import Exit


def arguments(parser):
    """The options of `zkwork zkey export verificationkey`."""
    parser.add_argument("key", help="a snarkjs .zkey, or a circuit directory of `zkwork setup` or a ceremony")
    parser.add_argument("out", help="where to write verification_key.json")


def run(args):
    """Writes the key's verifying key in snarkjs's verification_key.json shape."""
    from pathlib import Path

    from zkwork.formats import read_zkey
    from zkwork.groth16.snarkjs_json import vk_to_json, write_json
    from zkwork.workspace import read_circuit_dir

    vk = read_circuit_dir(args.key)[1].vk if Path(args.key).is_dir() else read_zkey(args.key).vk
    write_json(args.out, vk_to_json(vk))
    print(f"wrote {args.out}")
    return Exit.OK
