"""zkwork's own proving-key format: a directory of .npy arrays plus a JSON header, so that
a large key loads in milliseconds (memory-mapped) and keeps the prover's layout.

    header.json          format, version, sizes, the verifying key in snarkjs's JSON shape,
                         beta_1 and delta_1
    a_query.npy ...      affine Montgomery point arrays (see keys.ProvingKey)
    A_indptr.npy ...     the QAP's matrices in CSR form (see qap.SparseMatrix)

Reading checks the header, every array's presence, dtype and shape against the header
(from the .npy header, with the file's size, before the array is mapped; a device, FIFO or
directory in an array's place is refused), and that every stored limb vector is below p
(points) or r (coefficients); errors name the file.
"""
import json
import os
from pathlib import Path

import numpy as np

from zkwork.errors import JsonFormatError, KeyFormatError
from zkwork.field import FQ, FR
from zkwork.groth16.keys import ProvingKey
from zkwork.groth16.qap import QAP, SparseMatrix
from zkwork.groth16.snarkjs_json import g1_from_json, g1_to_json, read_json, vk_from_json, vk_to_json
from zkwork.json_fields import JsonFields
from zkwork.poly import Domain
from zkwork.regular_files import load_npy

FORMAT, VERSION = "zkwork-groth16-proving-key", 1
POINT_ARRAYS = {"a_query": (2, 4), "b1_query": (2, 4), "b2_query": (2, 2, 4), "l_query": (2, 4), "h_query": (2, 4)}


def write_proving_key(pk, directory):
    """Writes pk to `directory` in zkwork's proving-key format (header.json and .npy arrays)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    qap = pk.qap
    header = {
        "format": FORMAT, "version": VERSION, "num_wires": qap.num_wires, "num_public": qap.num_public,
        "domain_size": qap.domain.size, "vk": vk_to_json(pk.vk),
        "beta_1": g1_to_json(pk.beta_1), "delta_1": g1_to_json(pk.delta_1),
    }
    for name in POINT_ARRAYS:
        _save_array(directory / f"{name}.npy", getattr(pk, name))
    for matrix_name in "ABC":
        matrix = getattr(qap, matrix_name)
        for part in ("indptr", "indices", "coeffs"):
            _save_array(directory / f"{matrix_name}_{part}.npy", getattr(matrix, part))
    (directory / "header.json").write_text(json.dumps(header, indent=1) + "\n")


def _save_array(path, array):
    """np.save through a temporary name and a rename: a key loaded earlier from the same
    directory keeps its memory-mapped arrays (an in-place rewrite would change them under
    it, or end the process with SIGBUS when the file shrinks)."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as f:
        np.save(f, array)
    os.replace(temporary, path)


def _load(directory, name, dtype, shape):
    """The array `name` of the key directory, memory-mapped read-only; its header must declare
    `dtype` and `shape` (None: any length) and the file hold exactly that, checked first."""
    path = directory / f"{name}.npy"

    def expect(got_dtype, got_shape):
        if got_dtype != dtype or len(got_shape) != len(shape) or any(
            want is not None and got != want for got, want in zip(got_shape, shape)
        ):
            raise KeyFormatError(f"{path}: expected {np.dtype(dtype)} of shape {shape}, got {got_dtype} {got_shape}")

    return load_npy(path, KeyFormatError, expect, mmap_mode=True)


def _check_below(array, field, path):
    limbs = np.ascontiguousarray(array).reshape(-1, 4)
    below = np.empty(limbs.shape[0], dtype=np.bool_)
    field.vec.below_modulus(limbs, below)
    if not below.all():
        raise KeyFormatError(f"{path}: limb vector {int(np.argmin(below))} is not below the {field.name} modulus")


HEADER = JsonFields(KeyFormatError)
MAX_COUNT = 1 << 40  # wires, public signals or domain points: far beyond any key that fits a disk


def _header_int(header, key, path):
    return HEADER.int(HEADER.field(header, key, str(path)), f"{path}: {key}", MAX_COUNT)


def read_proving_key(directory):
    """The ProvingKey in `directory`, arrays memory-mapped; KeyFormatError naming the bad file."""
    directory = Path(directory)
    path = directory / "header.json"
    header = read_json(path, KeyFormatError)
    if HEADER.object(header, str(path)).get("format") != FORMAT or _header_int(header, "version", path) != VERSION:
        raise KeyFormatError(f"{path}: not a {FORMAT} version {VERSION} header")
    wires, public, n = (_header_int(header, key, path) for key in ("num_wires", "num_public", "domain_size"))
    try:
        vk = vk_from_json(header["vk"], where=f"{path}:vk")
        beta_1 = g1_from_json(header["beta_1"], "beta_1")
        delta_1 = g1_from_json(header["delta_1"], "delta_1")
    except (KeyError, JsonFormatError) as error:
        raise KeyFormatError(f"{path}: {error}") from error
    if vk.num_public != public:
        raise KeyFormatError(f"{path}: num_public {public} but the vk has {vk.num_public}")
    lengths = {"a_query": wires, "b1_query": wires, "b2_query": wires, "l_query": wires - public - 1, "h_query": n - 1}
    points = {}
    for name, shape in POINT_ARRAYS.items():
        points[name] = _load(directory, name, np.uint64, (lengths[name],) + shape)
        _check_below(points[name], FQ, directory / f"{name}.npy")
    matrices = {}
    for matrix_name in "ABC":
        indptr = _load(directory, f"{matrix_name}_indptr", np.int64, (None,))
        indices = _load(directory, f"{matrix_name}_indices", np.int64, (int(indptr[-1]) if len(indptr) else 0,))
        coeffs = _load(directory, f"{matrix_name}_coeffs", np.uint64, (indices.shape[0], 4))
        if len(indptr) == 0 or indptr[0] != 0 or np.any(np.diff(indptr) < 0) or len(indptr) - 1 > n:
            raise KeyFormatError(f"{directory / (matrix_name + '_indptr.npy')}: not a valid row index for {n} rows")
        if indices.size and (indices.min() < 0 or indices.max() >= wires):
            raise KeyFormatError(f"{directory / (matrix_name + '_indices.npy')}: wire index outside 0..{wires - 1}")
        _check_below(coeffs, FR, directory / f"{matrix_name}_coeffs.npy")
        matrices[matrix_name] = SparseMatrix(indptr, indices, coeffs)
    qap = QAP(domain=Domain(n), num_wires=wires, num_public=public, **matrices)
    return ProvingKey(vk=vk, beta_1=beta_1, delta_1=delta_1, qap=qap, **points)
