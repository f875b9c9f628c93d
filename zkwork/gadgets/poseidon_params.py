"""circomlib's Poseidon parameters over BN254's Fr, loaded and checked from the data file.

The file `data/poseidon_bn254_circomlib.json` is generated from the installed circomlibjs by
`tools/generate_poseidon_params.mjs` (provenance in `data/README.md`). It holds, for each state
width t = 2..17 (1 to 16 inputs), the round constants C[t-2] (one per state element per round)
and the t x t MDS matrix M[t-2], plus the round counts. Loading checks every shape and that
every value is a canonical element of Fr, so a damaged file fails here and not as a wrong hash.
"""
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zkwork.errors import (
    NonCanonicalEncodingError,
    ParameterFileError,
    PoseidonArityError,
    ShapeMismatchError,
)
from zkwork.field import R

DATA_FILE = Path(__file__).parent / "data" / "poseidon_bn254_circomlib.json"
# x -> x^5 is the S-box: the smallest exponent coprime to r - 1, so a permutation of Fr.
SBOX_EXPONENT = 5


@dataclass(frozen=True)
class PoseidonParams:
    """One Poseidon instance: state width t, its rounds, round constants and MDS matrix.

    `round_constants[r]` is the row of t constants added at the start of round r; rounds
    0 .. full_rounds/2 - 1 and the last full_rounds/2 rounds are full, the rest partial.
    """

    width: int
    full_rounds: int
    partial_rounds: int
    round_constants: tuple[tuple[int, ...], ...]
    mds: tuple[tuple[int, ...], ...]

    @property
    def n_inputs(self):
        """The number of inputs hashed, t - 1."""
        return self.width - 1

    @property
    def n_rounds(self):
        """The number of rounds, full and partial."""
        return self.full_rounds + self.partial_rounds

    def is_full_round(self, round_index):
        """Whether round `round_index` (from 0) is a full round."""
        half = self.full_rounds // 2
        return round_index < half or round_index >= half + self.partial_rounds


def _field_element(text, where):
    value = int(text, 16)
    if value >= R:
        raise NonCanonicalEncodingError(f"{where}: {text} is not below r")
    return value


def _params_for_width(width, full_rounds, partial_rounds, flat_constants, matrix):
    expected = (full_rounds + partial_rounds) * width
    if len(flat_constants) != expected:
        raise ShapeMismatchError(
            f"t={width}: {len(flat_constants)} round constants, expected {expected} "
            f"= ({full_rounds} + {partial_rounds}) * {width}"
        )
    if len(matrix) != width or any(len(row) != width for row in matrix):
        raise ShapeMismatchError(f"t={width}: the MDS matrix is not {width} x {width}")
    constants = [_field_element(c, f"t={width} C[{k}]") for k, c in enumerate(flat_constants)]
    return PoseidonParams(
        width=width,
        full_rounds=full_rounds,
        partial_rounds=partial_rounds,
        round_constants=tuple(
            tuple(constants[r * width : (r + 1) * width]) for r in range(full_rounds + partial_rounds)
        ),
        mds=tuple(
            tuple(_field_element(m, f"t={width} M[{i}][{j}]") for j, m in enumerate(row))
            for i, row in enumerate(matrix)
        ),
    )


def load_params_file(path=DATA_FILE):
    """{number of inputs: PoseidonParams} from a parameters file in the format above."""
    data = json.loads(Path(path).read_text())
    if int(data["field_modulus"], 16) != R:
        raise ParameterFileError(f"{path} holds parameters for modulus {data['field_modulus']}, not BN254's r")
    if data["sbox_exponent"] != SBOX_EXPONENT:
        raise ParameterFileError(f"{path} uses the S-box x^{data['sbox_exponent']}, not x^{SBOX_EXPONENT}")
    full_rounds, partial_rounds = data["n_rounds_f"], data["n_rounds_p"]
    if full_rounds % 2:
        raise ParameterFileError(f"{path}: {full_rounds} full rounds cannot split evenly around the partial ones")
    if not len(partial_rounds) == len(data["C"]) == len(data["M"]):
        raise ShapeMismatchError(
            f"{path}: {len(partial_rounds)} round counts, {len(data['C'])} constant lists, "
            f"{len(data['M'])} matrices; they must agree"
        )
    params = (
        _params_for_width(index + 2, full_rounds, partial, flat, matrix)
        for index, (partial, flat, matrix) in enumerate(zip(partial_rounds, data["C"], data["M"]))
    )
    return {p.n_inputs: p for p in params}


@cache
def circomlib_params():
    """The shipped circomlib parameters, loaded once."""
    return load_params_file()


def params_for(n_inputs):
    """The circomlib Poseidon instance hashing `n_inputs` field elements."""
    table = circomlib_params()
    if n_inputs not in table:
        raise PoseidonArityError(
            f"circomlib Poseidon hashes {min(table)} to {max(table)} inputs, not {n_inputs}"
        )
    return table[n_inputs]
