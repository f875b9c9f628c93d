"""zkwork's own proving-key format: a directory of .npy arrays plus a JSON header, so that
a large key loads in milliseconds (memory-mapped) and keeps the prover's layout.

    header.json          format, version, sizes, the verifying key in snarkjs's JSON shape,
                         beta_1 and delta_1
    a_query.npy ...      affine Montgomery point arrays (see keys.ProvingKey)
    A_indptr.npy ...     the QAP's matrices in CSR form (see qap.SparseMatrix)

Reading checks the header, every array's presence, dtype and shape against the header,
and that every stored limb vector is below p (points) or r (coefficients); errors name
the file.
"""
import json
from pathlib import Path

import numpy as np

from zkwork.errors import JsonFormatError, KeyFormatError
from zkwork.field import FQ, FR
from zkwork.groth16.keys import ProvingKey
from zkwork.groth16.qap import QAP, SparseMatrix
from zkwork.groth16.snarkjs_json import g1_from_json, g1_to_json, read_json, vk_from_json, vk_to_json
from zkwork.poly import Domain

FORMAT, VERSION = "zkwork-groth16-proving-key", 1
POINT_ARRAYS = {"a_query": (2, 4), "b1_query": (2, 4), "b2_query": (2, 2, 4), "l_query": (2, 4), "h_query": (2, 4)}


def save_proving_key(pk, directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    qap = pk.qap
    header = {
        "format": FORMAT, "version": VERSION, "num_wires": qap.num_wires, "num_public": qap.num_public,
        "domain_size": qap.domain.size, "vk": vk_to_json(pk.vk),
        "beta_1": g1_to_json(pk.beta_1), "delta_1": g1_to_json(pk.delta_1),
    }
    for name in POINT_ARRAYS:
        np.save(directory / f"{name}.npy", getattr(pk, name))
    for matrix_name in "ABC":
        matrix = getattr(qap, matrix_name)
        for part in ("indptr", "indices", "coeffs"):
            np.save(directory / f"{matrix_name}_{part}.npy", getattr(matrix, part))
    (directory / "header.json").write_text(json.dumps(header, indent=1) + "\n")


def _load(directory, name, dtype, shape):
    path = directory / f"{name}.npy"
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:  # EOFError: an empty file
        raise KeyFormatError(f"{path}: {error}") from error
    if array.dtype != dtype or array.ndim != len(shape) or any(
        want is not None and got != want for got, want in zip(array.shape, shape)
    ):
        raise KeyFormatError(f"{path}: expected {np.dtype(dtype)} of shape {shape}, got {array.dtype} {array.shape}")
    return array


def _check_below(array, field, path):
    limbs = np.ascontiguousarray(array).reshape(-1, 4)
    below = np.empty(limbs.shape[0], dtype=np.bool_)
    field.vec.below_modulus(limbs, below)
    if not below.all():
        raise KeyFormatError(f"{path}: limb vector {int(np.argmin(below))} is not below the {field.name} modulus")


def _header_int(header, key, path):
    """header[key], which must be a JSON integer >= 0 (not a float, not true or false)."""
    value = header.get(key)
    if type(value) is not int or value < 0:
        raise KeyFormatError(f"{path}: {key} must be a non-negative integer, got {value!r}"[:200])
    return value


def load_proving_key(directory):
    directory = Path(directory)
    path = directory / "header.json"
    header = read_json(path, KeyFormatError)
    if not isinstance(header, dict) or header.get("format") != FORMAT or _header_int(header, "version", path) != VERSION:
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
