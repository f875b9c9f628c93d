"""Poseidon hash over BN254's Fr, computed natively (outside any circuit), compatible with
circomlib's `Poseidon(n)` template and circomlibjs's `poseidon`.

The algorithm (Grassi et al., "Poseidon", USENIX Security 2021, with circomlib's parameters):
to hash n inputs (1 <= n <= 16), start from the state of width t = n + 1

    state = [0, x_1, ..., x_n]

and apply R_F + R_P rounds, R_F = 8 full and R_P = 56..70 partial (depending on t), in the
order R_F/2 full, R_P partial, R_F/2 full. Every round does three steps:

    1. add round constants:  state[i] += C[round][i]
    2. S-box:                state[i] = state[i]^5, for every i in a full round and
                             only for i = 0 in a partial round
    3. mix:                  state = M * state, with M the t x t MDS matrix

The hash is state[0] after the last round. Parameters come from `poseidon_params`.

`poseidon` is the readable scalar version on Python ints. `poseidon_many` hashes many rows at
once with a numba kernel on Montgomery limbs, parallel over rows, for building large Merkle
trees; both follow the three steps above.
"""
from collections.abc import Sequence
from functools import cache

import numpy as np
from numba import prange

from zkwork.errors import FieldMismatchError, PoseidonInputRangeError, ShapeMismatchError, WrongTypeError
from zkwork.field import FR, FieldElement, FieldVector, R
from zkwork.gadgets.poseidon_params import SBOX_EXPONENT, params_for
from zkwork.jit import njit

# -- scalar version -------------------------------------------------------------------------


def _field_input(index, value):
    if isinstance(value, FieldElement):
        if value.field is not FR:
            raise FieldMismatchError(f"input {index} is an element of {value.field.name}, not Fr")
        return value.value
    if not 0 <= value < R:
        raise PoseidonInputRangeError(f"input {index} = {value} is not an element of Fr: outside [0, r)")
    return int(value)


def add_round_constants(state, constants):
    """The state (Python ints) plus the round's constants, element by element, mod r."""
    return [(s + c) % R for s, c in zip(state, constants)]


def sbox(x):
    """x^5 mod r, Poseidon's S-box, on a Python int."""
    return pow(x, SBOX_EXPONENT, R)


def sbox_layer(state, full_round):
    """The S-box on every element (full round) or on state[0] only (partial round)."""
    if full_round:
        return [sbox(s) for s in state]
    return [sbox(state[0]), *state[1:]]


def mix(state, mds):
    """M * state mod r for the MDS matrix M, on Python ints."""
    return [sum(m * s for m, s in zip(row, state)) % R for row in mds]


def poseidon(inputs):
    """circomlib's Poseidon hash of 1 to 16 elements of Fr (ints in [0, r) or Fr), as an int."""
    params = params_for(len(inputs))
    state = [0, *(_field_input(i, x) for i, x in enumerate(inputs))]
    for round_index, constants in enumerate(params.round_constants):
        state = add_round_constants(state, constants)
        state = sbox_layer(state, params.is_full_round(round_index))
        state = mix(state, params.mds)
    return state[0]


# -- vector version -------------------------------------------------------------------------

# njit code cannot read a SimpleNamespace's attributes: bind the field kernels to names.
f_add, f_mul, f_zero = FR.kernels.add, FR.kernels.mul, FR.kernels.zero
load, store = FR.kernels.load, FR.kernels.store
below_modulus = FR.vec.below_modulus

# Rows per parallel task: each task allocates its two state buffers once, not once per row.
ROWS_PER_TASK = 256


@njit(cache=True)
def _fifth_power(x):
    x2 = f_mul(x, x)
    return f_mul(f_mul(x2, x2), x)


@njit(cache=True)
def _permute(state, mixed, constants, mds, full_rounds, partial_rounds):
    """The rounds of the module docstring on `state` (t, 4), with `mixed` (t, 4) as the other
    buffer of each mix step; returns the one holding the final state. `constants` is
    (rounds * t, 4) and `mds` is (t * t, 4), both row-major Montgomery."""
    width = state.shape[0]
    half = full_rounds // 2
    for round_index in range(full_rounds + partial_rounds):
        for i in range(width):
            store(state, i, f_add(load(state, i), load(constants, round_index * width + i)))
        full = round_index < half or round_index >= half + partial_rounds
        for i in range(width if full else 1):
            store(state, i, _fifth_power(load(state, i)))
        for i in range(width):
            acc = f_zero
            for j in range(width):
                acc = f_add(acc, f_mul(load(mds, i * width + j), load(state, j)))
            store(mixed, i, acc)
        state, mixed = mixed, state
    return state


@njit(parallel=True, cache=True)
def _hash_rows(inputs, n_inputs, constants, mds, full_rounds, partial_rounds, out):
    """out[row] = Poseidon of inputs[row * n_inputs : (row + 1) * n_inputs], for every row."""
    n_rows = out.shape[0]
    width = n_inputs + 1
    for task in prange((n_rows + ROWS_PER_TASK - 1) // ROWS_PER_TASK):
        state = np.empty((width, 4), dtype=np.uint64)
        mixed = np.empty((width, 4), dtype=np.uint64)
        for row in range(task * ROWS_PER_TASK, min((task + 1) * ROWS_PER_TASK, n_rows)):
            store(state, 0, f_zero)
            for j in range(n_inputs):
                store(state, j + 1, load(inputs, row * n_inputs + j))
            final = _permute(state, mixed, constants, mds, full_rounds, partial_rounds)
            store(out, row, load(final, 0))
    return out


@cache
def _montgomery_params(n_inputs):
    """The parameters for `n_inputs` as flat Montgomery arrays for the kernel."""
    params = params_for(n_inputs)
    constants = FieldVector.from_ints(FR, [c for row in params.round_constants for c in row]).mont
    mds = FieldVector.from_ints(FR, [m for row in params.mds for m in row]).mont
    return params, constants, mds


def _input_rows(inputs):
    """An (n, k, 4) uint64 Montgomery array from that array itself or from k FieldVectors."""
    if isinstance(inputs, np.ndarray):
        if inputs.dtype != np.uint64 or inputs.ndim != 3 or inputs.shape[2] != 4:
            raise ShapeMismatchError(
                f"expected an (n, k, 4) uint64 Montgomery array, got {inputs.dtype} of shape {inputs.shape}"
            )
        return np.ascontiguousarray(inputs)
    if isinstance(inputs, Sequence) and all(isinstance(c, FieldVector) for c in inputs):
        if any(c.field is not FR for c in inputs):
            raise FieldMismatchError("every input column must be a FieldVector of Fr")
        if len({len(c) for c in inputs}) > 1:
            raise ShapeMismatchError(f"input columns of different lengths: {[len(c) for c in inputs]}")
        if not inputs:
            return np.empty((0, 0, 4), dtype=np.uint64)
        return np.stack([c.mont for c in inputs], axis=1)
    raise WrongTypeError("expected an (n, k, 4) uint64 array or a sequence of Fr FieldVectors (one per input)")


def _check_canonical(rows):
    """Every limb row must be < r, or the Montgomery kernels would compute garbage."""
    flat = rows.reshape(-1, 4)
    keep = np.empty(flat.shape[0], dtype=np.bool_)
    below_modulus(flat, keep)
    if not keep.all():
        row, column = divmod(int(np.flatnonzero(~keep)[0]), rows.shape[1])
        raise PoseidonInputRangeError(f"row {row}, input {column} holds limbs that are not below r")


def poseidon_many(inputs):
    """Poseidon of every row of `inputs`, as an Fr FieldVector of length n.

    `inputs` is either an (n, k, 4) uint64 array of Montgomery limbs (row i hashes
    inputs[i, 0..k-1]) or a sequence of k Fr FieldVectors of length n, one per input position.
    """
    rows = _input_rows(inputs)
    params, constants, mds = _montgomery_params(rows.shape[1])
    _check_canonical(rows)
    out = np.empty((rows.shape[0], 4), dtype=np.uint64)
    _hash_rows(
        rows.reshape(-1, 4), rows.shape[1], constants, mds, params.full_rounds, params.partial_rounds, out
    )
    return FieldVector(FR, out)
