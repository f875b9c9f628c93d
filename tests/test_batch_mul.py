"""Batch variable-base multiplication against py_ecc, with the edge cases a ceremony or a
group FFT meets: scalar 0, 1, r - 1, points at infinity, repeated points."""
import secrets

import numpy as np
import py_ecc.optimized_bn128 as ecc
import pytest

from zkwork.curve import G1Point, G2Point, g1_affine_array, g1_points_from_affine_array, g2_affine_array
from zkwork.curve import g2_points_from_affine_array
from zkwork.curve.batch_mul import batch_mul_g1, batch_mul_g2
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
