"""A circuit's working directory, as `zkwork setup` and a ceremony's phase 2 write it and
`zkwork prove` reads it:

    DIR/circuit.json            which pattern, variant and parameters; constraint counts
    DIR/proving_key/            the proving key (zkwork.groth16.key_files)
    DIR/verification_key.json   snarkjs's shape
    DIR/input.json              valid sample inputs of the pattern, to prove right away
"""
import json
from pathlib import Path

from zkwork.errors import KeyFormatError
from zkwork.groth16.key_checks import check_arrays_on_curve
from zkwork.groth16.key_files import POINT_ARRAYS, read_proving_key, write_proving_key
from zkwork.groth16.snarkjs_json import read_json, vk_to_json, write_json
from zkwork.patterns import get_pattern
from zkwork.r1cs.inputs import inputs_to_json


def write_circuit_dir(directory, pattern, r1cs, pk):
    """Writes proving_key/, verification_key.json, circuit.json and a sample input.json of a
    circuit into `directory`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    write_proving_key(pk, directory / "proving_key")
    write_json(directory / "verification_key.json", vk_to_json(pk.vk))
    description = {"pattern": pattern.name, "variant": pattern.variant, "params": pattern.params, **r1cs.stats()}
    (directory / "circuit.json").write_text(json.dumps(description, indent=1) + "\n")
    write_json(directory / "input.json", inputs_to_json(pattern.sample_inputs()))


def read_circuit_dir(directory):
    """(pattern, proving key) of a directory written by write_circuit_dir, every point of the
    key's arrays checked on the curve (see key_checks; its subgroup checks of b2_query run when
    a proof made with it fails). Not check_proving_key: the ceremony loads its initial keys."""
    directory = Path(directory)
    try:
        description = read_json(directory / "circuit.json", KeyFormatError)
        pattern = get_pattern(description["pattern"], description["variant"], **description["params"])
    except (KeyError, TypeError) as error:
        raise KeyFormatError(f"{directory / 'circuit.json'}: {error!r}") from error
    pk = read_proving_key(directory / "proving_key")
    check_arrays_on_curve({name: getattr(pk, name) for name in POINT_ARRAYS}, directory / "proving_key")
    return pattern, pk
