"""Native Poseidon against circomlib: published vectors, circomlibjs run by Node, the vector
kernel against the scalar version, the parameters file, and the error cases."""
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from zkwork.errors import (
    NonCanonicalEncodingError,
    ParameterFileError,
    PoseidonArityError,
    PoseidonInputRangeError,
    ShapeMismatchError,
)
from zkwork.field import FQ, FR, FieldVector, Fr, R
from zkwork.gadgets.native_poseidon import poseidon, poseidon_many
from zkwork.gadgets.poseidon_params import DATA_FILE, circomlib_params, load_params_file

REPO_ROOT = Path(__file__).resolve().parents[1]
VECTORS_SCRIPT = REPO_ROOT / "tests" / "js" / "poseidon_vectors.mjs"

# Published in circomlib's and circomlibjs's own test suites.
PUBLISHED = [
    ([1, 2], 0x115CC0F5E7D690413DF64C6B9662E9CF2A3617F2743245519E19607A4417189A),
    ([1, 2, 3, 4], 0x299C867DB6C1FDD79DCEFA40E4510B9837E60EBB1CE0663DBAA525DF65250465),
]
# circomlib's partial-round counts for t = 2..17 (poseidon.circom, poseidon_reference.js).
CIRCOMLIB_PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]


def random_rows(rng, n_rows, n_inputs):
    """Random Fr rows, with the extremes 0 and r - 1 in the first two rows."""
    rows = [[rng.randrange(R) for _ in range(n_inputs)] for _ in range(n_rows)]
    rows[0][0], rows[min(1, n_rows - 1)][-1] = 0, R - 1
    return rows


def as_columns(rows):
    return [FieldVector.from_ints(FR, column) for column in zip(*rows)]


def circomlibjs_hashes(input_lists):
    """{implementation name: [hash as int]} from circomlibjs, run by Node on `input_lists`."""
    node = shutil.which("node")
    assert node, "node is not on PATH: install Node.js (CI does) to compare against circomlibjs"
    assert (REPO_ROOT / "node_modules" / "circomlibjs").is_dir(), "node_modules missing: run `make install`"
    payload = json.dumps([[str(x) for x in inputs] for inputs in input_lists])
    done = subprocess.run(
        [node, str(VECTORS_SCRIPT)], input=payload, capture_output=True, text=True, cwd=REPO_ROOT,
        timeout=120, check=True,
    )
    return {name: [int(h) for h in hashes] for name, hashes in json.loads(done.stdout).items()}


# -- published vectors and circomlibjs ------------------------------------------------------


@pytest.mark.parametrize("inputs, expected", PUBLISHED, ids=["1,2", "1,2,3,4"])
def test_published_vectors(inputs, expected):
    assert poseidon(inputs) == expected
    assert poseidon_many(as_columns([inputs])).to_ints() == [expected]


@pytest.mark.node
def test_every_arity_matches_circomlibjs(rng):
    input_lists = [row for n_inputs in range(1, 17) for row in random_rows(rng, 3, n_inputs)]
    ours = [poseidon(inputs) for inputs in input_lists]
    theirs = circomlibjs_hashes(input_lists)
    assert theirs["poseidon"] == ours
    assert theirs["poseidon_reference"] == ours


@pytest.mark.node
def test_vector_kernel_matches_circomlibjs(rng):
    rows = random_rows(rng, 20, 2)
    assert poseidon_many(as_columns(rows)).to_ints() == circomlibjs_hashes(rows)["poseidon"]


# -- vector version against the scalar one --------------------------------------------------


@pytest.mark.parametrize("n_inputs, n_rows", [(1, 5), (2, 300), (3, 40), (7, 9), (16, 6)])
def test_vector_equals_scalar(rng, n_inputs, n_rows):
    # 300 rows spans more than one parallel task of the kernel.
    rows = random_rows(rng, n_rows, n_inputs)
    expected = [poseidon(row) for row in rows]
    columns = as_columns(rows)
    assert poseidon_many(columns).to_ints() == expected
    stacked = np.stack([c.mont for c in columns], axis=1)
    assert poseidon_many(stacked).to_ints() == expected


def test_field_elements_and_ints_hash_alike(rng):
    inputs = [rng.randrange(R) for _ in range(5)]
    assert poseidon([Fr(x) for x in inputs]) == poseidon(inputs)


def test_no_rows_hash_to_an_empty_vector():
    assert len(poseidon_many(np.empty((0, 2, 4), dtype=np.uint64))) == 0


# -- parameters file ------------------------------------------------------------------------


def test_parameters_are_circomlibs():
    params = circomlib_params()
    assert sorted(params) == list(range(1, 17))
    for n_inputs, partial in zip(range(1, 17), CIRCOMLIB_PARTIAL_ROUNDS):
        p = params[n_inputs]
        assert (p.width, p.full_rounds, p.partial_rounds) == (n_inputs + 1, 8, partial)
        assert len(p.round_constants) == 8 + partial
        assert all(len(row) == p.width for row in p.round_constants + p.mds)


def test_readme_records_the_data_files_sha256():
    readme = (DATA_FILE.parent / "README.md").read_text()
    assert hashlib.sha256(DATA_FILE.read_bytes()).hexdigest() in re.findall(r"\b[0-9a-f]{64}\b", readme)


def _corrupted_copy(tmp_path, corrupt):
    data = json.loads(DATA_FILE.read_text())
    corrupt(data)
    path = tmp_path / "params.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    "corrupt, error",
    [
        (lambda d: d["C"][0].__setitem__(5, hex(R)), NonCanonicalEncodingError),
        (lambda d: d["M"][2][1].__setitem__(0, hex(R + 1)), NonCanonicalEncodingError),
        (lambda d: d["C"][3].pop(), ShapeMismatchError),
        (lambda d: d["M"][1].pop(), ShapeMismatchError),
        (lambda d: d["n_rounds_p"].pop(), ShapeMismatchError),
        (lambda d: d.__setitem__("field_modulus", hex(FQ.modulus)), ParameterFileError),
        (lambda d: d.__setitem__("sbox_exponent", 3), ParameterFileError),
    ],
)
def test_loader_rejects_damaged_files(tmp_path, corrupt, error):
    with pytest.raises(error):
        load_params_file(_corrupted_copy(tmp_path, corrupt))


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n_inputs", [0, 17])
def test_wrong_number_of_inputs(n_inputs):
    with pytest.raises(PoseidonArityError, match=str(n_inputs)):
        poseidon([1] * n_inputs)
    with pytest.raises(PoseidonArityError):
        poseidon_many(np.zeros((3, n_inputs, 4), dtype=np.uint64))


@pytest.mark.parametrize("bad", [R, R + 5, -1])
def test_input_outside_fr_names_its_index(bad):
    with pytest.raises(PoseidonInputRangeError, match="input 2"):
        poseidon([1, 2, bad, 4])


def test_element_of_another_field_is_refused():
    with pytest.raises(TypeError, match="Fq"):
        poseidon([1, FQ.element(2)])


def test_vector_input_not_below_r_names_row_and_input():
    rows = np.stack([c.mont for c in as_columns([[1, 2], [3, 4], [5, 6]])], axis=1)
    rows[2, 1] = FR.kernels.limbs  # the limbs of r itself
    with pytest.raises(PoseidonInputRangeError, match="row 2, input 1"):
        poseidon_many(rows)


def test_vector_shapes_are_checked():
    with pytest.raises(ShapeMismatchError):
        poseidon_many(np.zeros((3, 2), dtype=np.uint64))
    with pytest.raises(ShapeMismatchError):
        poseidon_many(np.zeros((3, 2, 4), dtype=np.int64))
    with pytest.raises(ShapeMismatchError):
        poseidon_many([FieldVector.from_ints(FR, [1, 2]), FieldVector.from_ints(FR, [3])])
    with pytest.raises(TypeError):
        poseidon_many([[1, 2], [3, 4]])
