"""Batch variable-base scalar multiplication: out[i] = k_i P_i for many points, each with
its own scalar (a ceremony contribution multiplies [tau^i] by x^i; a group FFT multiplies
by twiddle factors). Generic over G1 and G2, over the same arrays as msm.py.

Each product is a signed fixed-window ladder: the scalar is cut into c-bit signed digits
d_j in [-2^(c-1) + 1, 2^(c-1)] (msm.signed_digit), a table holds P, 2P, ..., 2^(c-1) P,
and from the top digit down the accumulator is doubled c times and gets +-table[|d_j|].
For 254-bit scalars and c = 4 that is 256 doublings and 64 additions, against 127
additions for plain double-and-add. Points are independent, so both cores take points
(`prange`); the results are brought to affine with one inversion per chunk.
"""
from types import SimpleNamespace

import numpy as np
from numba import prange

from zkwork.curve.kernels import G1, G2
from zkwork.curve.msm import G1_MSM, G2_MSM, num_windows, plain_scalars, signed_digit
from zkwork.errors import ShapeMismatchError
from zkwork.field import FQ, fq2
from zkwork.jit import njit

WINDOW = 4  # bits per digit; 5 measured no faster (a bigger table costs what it saves)
CHUNK = 64  # points per parallel task


def make_batch_mul_kernels(curve, field, msm_kernels):
    """Kernels for the group whose Jacobian kernels are `curve` over the coordinate field
    kernels `field`, moving points in and out of arrays with `msm_kernels`' loaders."""
    add, add_mixed, double, neg, infinity = curve.add, curve.add_mixed, curve.double, curve.neg, curve.infinity
    f_one, f_is_zero = field.one, field.is_zero
    load_affine, load_jacobian, store_jacobian = (
        msm_kernels.load_affine, msm_kernels.load_jacobian, msm_kernels.store_jacobian)
    jacobian_shape = msm_kernels.jacobian_shape
    table_size = 1 << (WINDOW - 1)
    windows = num_windows(WINDOW)

    @njit(cache=True)
    def product(points, scalars, i, table, digits):
        """scalars[i] * points[i], Jacobian; table and digits are scratch space."""
        x, y = load_affine(points, i)
        if f_is_zero(x) and f_is_zero(y):
            return infinity
        acc = (x, y, f_one)
        for d in range(table_size):
            store_jacobian(table, d, acc)
            acc = add_mixed(acc, (x, y))
        carry = 0
        for j in range(windows):
            d, carry = signed_digit(scalars, i, j, WINDOW, carry)
            digits[j] = d
        acc = infinity
        for j in range(windows - 1, -1, -1):
            for _ in range(WINDOW):
                acc = double(acc)
            d = digits[j]
            if d > 0:
                acc = add(acc, load_jacobian(table, d - 1))
            elif d < 0:
                acc = add(acc, neg(load_jacobian(table, -d - 1)))
        return acc

    @njit(parallel=True, cache=True)
    def products(points, scalars, out, chunk):
        n = points.shape[0]
        for start in prange((n + chunk - 1) // chunk):
            table = np.empty((table_size,) + jacobian_shape, dtype=np.uint64)
            digits = np.empty(windows, dtype=np.int64)
            for i in range(start * chunk, min(start * chunk + chunk, n)):
                store_jacobian(out, i, product(points, scalars, i, table, digits))

    return SimpleNamespace(products=products, jacobian_shape=jacobian_shape)


G1_BATCH = make_batch_mul_kernels(G1, FQ.kernels, G1_MSM)
G2_BATCH = make_batch_mul_kernels(G2, fq2.kernels, G2_MSM)


def _batch_mul(kernels, msm_kernels, what, points, scalars):
    if not isinstance(points, np.ndarray) or points.dtype != np.uint64 or points.shape[1:] != msm_kernels.affine_shape:
        shape = getattr(points, "shape", type(points).__name__)
        raise ShapeMismatchError(
            f"{what}: points must be an (n,) + {msm_kernels.affine_shape} uint64 array of affine points, got {shape}"
        )
    scalars = plain_scalars(scalars)
    if points.shape[0] != scalars.shape[0]:
        raise ShapeMismatchError(f"{what}: {points.shape[0]} points but {scalars.shape[0]} scalars")
    jacobian = np.empty((points.shape[0],) + kernels.jacobian_shape, dtype=np.uint64)
    # chunks of points share scratch space; several per core even out their run times
    kernels.products(np.ascontiguousarray(points), scalars, jacobian, CHUNK)
    return msm_kernels.to_affine_array(jacobian)


def batch_mul_g1(points, scalars):
    """[scalars[i] * points[i]] as an (n, 2, 4) affine Montgomery array. points: (n, 2, 4)
    affine; scalars: an Fr FieldVector, (n, 4) plain limbs or ints (as for msm_g1)."""
    return _batch_mul(G1_BATCH, G1_MSM, "batch_mul_g1", points, scalars)


def batch_mul_g2(points, scalars):
    """[scalars[i] * points[i]] as an (n, 2, 2, 4) affine array; as batch_mul_g1."""
    return _batch_mul(G2_BATCH, G2_MSM, "batch_mul_g2", points, scalars)
