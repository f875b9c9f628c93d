"""Batch variable-base multiplication against py_ecc, with the edge cases a ceremony or a
group FFT meets: scalar 0, 1, r - 1, points at infinity, repeated points; the lockstep
batch-affine ladder in short chunks against the generic scalar multiplication."""
import secrets

import numpy as np
import py_ecc.optimized_bn128 as ecc
import pytest

from zkwork.curve import G1Point, G2Point, g1_affine_array, g1_points_from_affine_array, g2_affine_array
from zkwork.curve import g2_points_from_affine_array
from zkwork.curve.batch_mul import (
    G1_BATCH,
    G2_BATCH,
    G2_PSI_BATCH,
    LOCKSTEP_MAX,
    LOCKSTEP_MIN,
    WINDOW,
    batch_mul_g1,
    batch_mul_g2,
    batch_mul_recoded_g1,
    batch_mul_recoded_g2,
    lockstep_chunk,
    recode,
    recode_psi,
)
from zkwork.curve.glv import LAMBDA, MU, QUARTER_BITS
from zkwork.errors import ScalarOutOfRangeError, ShapeMismatchError
from zkwork.field import FR, R, FieldVector

EDGE_SCALARS = [0, 1, 2, 7, 8, 9, R - 1, R - 2, (1 << 253) + 5, (1 << 128) - 1]


def random_points(cls, n):
    return [cls.generator() * (secrets.randbelow(R - 1) + 1) for _ in range(n)]


@pytest.mark.parametrize("cls, to_array, from_array, mul, ecc_generator", [
    (G1Point, g1_affine_array, g1_points_from_affine_array, batch_mul_g1, ecc.G1),
    (G2Point, g2_affine_array, g2_points_from_affine_array, batch_mul_g2, ecc.G2),
])
def test_batch_mul_equals_py_ecc(cls, to_array, from_array, mul, ecc_generator):
    points = random_points(cls, 4) + [cls.infinity()]
    scalars = EDGE_SCALARS + [secrets.randbelow(R) for _ in range(6)]
    pairs = [(p, k) for k in scalars for p in points][:48]
    products = from_array(mul(to_array([p for p, _ in pairs]), [k for _, k in pairs]))
    for (p, k), product in zip(pairs, products):
        expected = ecc.multiply(p.to_py_ecc(), k)
        assert ecc.eq(product.to_py_ecc(), expected), (p, k)


def test_batch_mul_accepts_field_vectors_and_many_points():
    n = 300  # more than one prange chunk and one affine chunk per core
    base = G1Point.generator()
    points = g1_affine_array([base * (i + 1) for i in range(n)])
    scalars = FieldVector.random(FR, n)
    products = g1_points_from_affine_array(batch_mul_g1(points, scalars))
    for i in (0, 1, 150, n - 1):
        assert products[i] == base * ((i + 1) * scalars.to_ints()[i] % R)


def test_batch_mul_rejects_bad_shapes_and_scalars():
    points = g1_affine_array([G1Point.generator()] * 2)
    with pytest.raises(ShapeMismatchError, match="2 points but 3 scalars"):
        batch_mul_g1(points, [1, 2, 3])
    with pytest.raises(ShapeMismatchError, match="batch_mul_g2"):
        batch_mul_g2(points, [1, 2])
    limbs = np.full((2, 4), np.iinfo(np.uint64).max, dtype=np.uint64)
    with pytest.raises(ScalarOutOfRangeError):
        batch_mul_g1(points, limbs)
    assert batch_mul_g1(points[:0], []).shape == (0, 2, 4)


@pytest.mark.parametrize("to_digits, eigenvalues, bits", [
    (recode, (1, LAMBDA), 127),
    (recode_psi, (1, LAMBDA, MU, LAMBDA * MU), QUARTER_BITS),
])
def test_recoded_digits_rebuild_the_scalar(to_digits, eigenvalues, bits):
    scalars = EDGE_SCALARS + [secrets.randbelow(R) for _ in range(20)]
    for k, digits in zip(scalars, to_digits(scalars)):
        parts = [sum(int(d) << (WINDOW * j) for j, d in enumerate(part)) for part in digits]
        assert (sum(part * e for part, e in zip(parts, eigenvalues)) - k) % R == 0
        assert all(abs(part) < 1 << bits for part in parts)
        assert all(abs(int(d)) <= 1 << (WINDOW - 1) for d in digits.ravel())


@pytest.mark.parametrize("cls, to_array, batch, to_digits", [
    (G1Point, g1_affine_array, G1_BATCH, recode),
    (G2Point, g2_affine_array, G2_BATCH, recode),
    (G2Point, g2_affine_array, G2_PSI_BATCH, recode_psi),
])
def test_the_lockstep_ladder_equals_the_generic_scalar_multiplication(cls, to_array, batch, to_digits):
    # chunks of 3 points: a short last chunk, infinity inputs and zero scalars in a chunk
    points = random_points(cls, 5) + [cls.infinity(), cls.generator(), cls.generator()]
    scalars = [0, 1, R - 1, secrets.randbelow(R), (1 << 128) - 1, 5, 9, MU]
    array, digits = to_array(points), to_digits(scalars)
    expected = to_array([p * k for p, k in zip(points, scalars)])
    lockstep = np.empty_like(array)
    batch.lockstep_products(array, digits, lockstep, 3)
    assert np.array_equal(lockstep, expected)


def test_recoded_batch_mul_rejects_foreign_digits():
    points = g1_affine_array([G1Point.generator()] * 2)
    with pytest.raises(ShapeMismatchError, match="int8"):
        batch_mul_recoded_g1(points, recode([1, 2]).astype(np.int16))
    with pytest.raises(ShapeMismatchError, match="2 points but 3 scalars"):
        batch_mul_recoded_g1(points, recode([1, 2, 3]))
    with pytest.raises(ShapeMismatchError, match="from recode, got"):
        batch_mul_recoded_g1(points, recode_psi([1, 2]))
    g2_points = g2_affine_array([G2Point.generator()] * 2)
    assert np.array_equal(batch_mul_recoded_g2(g2_points, recode_psi([3, 4])), batch_mul_g2(g2_points, [3, 4]))


@pytest.mark.parametrize("n, threads, chunk", [
    (0, 2, 1), (16, 2, 8), (255, 2, 128), (512, 2, LOCKSTEP_MIN), (4 * LOCKSTEP_MIN, 2, LOCKSTEP_MIN),
    (4096, 2, LOCKSTEP_MAX), (255, 1, 255), (1000, 1, 500)])
def test_lockstep_chunks_keep_every_thread_busy_and_stay_large(n, threads, chunk):
    assert lockstep_chunk(n, threads) == chunk
