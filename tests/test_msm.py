"""MSM (Pippenger) and fixed-base batch multiplication against py_ecc and against naive
sums computed with the project's own curve kernels."""
import random

import numpy as np
import py_ecc.optimized_bn128 as ecc
import pytest
from numba import njit

from zkwork.curve.kernels import G1
from zkwork.curve.msm import (
    fixed_base_mul_g1,
    fixed_base_mul_g2,
    msm_g1,
    msm_g2,
    num_windows,
    signed_digits,
)
from zkwork.errors import ScalarOutOfRangeError, ShapeMismatchError
from zkwork.field import FQ, FR, R, FieldVector, fq2
from zkwork.field.limbs import ints_to_array

rng = random.Random(0x3153)


# -- conversions between py_ecc points and Montgomery arrays ---------------------------

def fq_value(limbs):
    return FQ.from_mont_limbs(tuple(np.asarray(limbs, dtype=np.uint64))).value


def fq2_value(pair):
    return tuple(fq_value(pair[c]) for c in range(2))


def g1_array(points):
    out = np.zeros((len(points), 2, 4), dtype=np.uint64)
    for i, p in enumerate(points):
        if not ecc.is_inf(p):
            x, y = ecc.normalize(p)
            out[i] = (FQ.to_mont_limbs(x.n), FQ.to_mont_limbs(y.n))
    return out


def g2_array(points):
    out = np.zeros((len(points), 2, 2, 4), dtype=np.uint64)
    for i, p in enumerate(points):
        if not ecc.is_inf(p):
            x, y = ecc.normalize(p)
            out[i] = (fq2.to_mont([int(c) for c in x.coeffs]), fq2.to_mont([int(c) for c in y.coeffs]))
    return out


def g1_affine_ints(p):
    """py_ecc point -> (x, y) ints, None for infinity."""
    if ecc.is_inf(p):
        return None
    x, y = ecc.normalize(p)
    return (x.n, y.n)


def g2_affine_ints(p):
    if ecc.is_inf(p):
        return None
    x, y = ecc.normalize(p)
    return (tuple(int(c) for c in x.coeffs), tuple(int(c) for c in y.coeffs))


def jacobian_g1_ints(jac):
    """(3, 4) Jacobian Montgomery array -> affine (x, y) ints, None for infinity."""
    x, y, z = (fq_value(jac[k]) for k in range(3))
    if z == 0:
        return None
    p = FQ.modulus
    z_inv = pow(z, -1, p)
    return (x * z_inv**2 % p, y * z_inv**3 % p)


def fq2_mul(a, b):
    p = FQ.modulus
    return ((a[0] * b[0] - a[1] * b[1]) % p, (a[0] * b[1] + a[1] * b[0]) % p)


def fq2_inv(a):
    p = FQ.modulus
    norm_inv = pow(a[0] ** 2 + a[1] ** 2, -1, p)
    return (a[0] * norm_inv % p, -a[1] * norm_inv % p)


def jacobian_g2_ints(jac):
    x, y, z = (fq2_value(jac[k]) for k in range(3))
    if z == (0, 0):
        return None
    z_inv = fq2_inv(z)
    z_inv2 = fq2_mul(z_inv, z_inv)
    return (fq2_mul(x, z_inv2), fq2_mul(fq2_mul(y, z_inv2), z_inv))


def affine_g1_ints(row):
    x, y = fq_value(row[0]), fq_value(row[1])
    return None if x == y == 0 else (x, y)


def affine_g2_ints(row):
    x, y = fq2_value(row[0]), fq2_value(row[1])
    return None if x == y == (0, 0) else (x, y)


def py_msm(points, scalars):
    acc = None
    for p, k in zip(points, scalars):
        term = ecc.multiply(p, k % R)
        acc = term if acc is None else ecc.add(acc, term)
    return acc if acc is not None else ecc.Z1


def random_scalars(n):
    return [rng.randrange(R) for _ in range(n)]


G1_BASE = g1_array([ecc.G1])[0]
G2_BASE = g2_array([ecc.G2])[0]

# Edge-case scalars: zero, one, the largest, and values around window boundaries.
SPECIAL_SCALARS = [0, 1, R - 1, R - 2, 2, (1 << 128) - 1, 1 << 253, R // 2]


# -- naive reference with the project's own kernels -------------------------------------

def make_naive_msm(curve, load_affine, load_store_jacobian):
    scalar_mul, add, from_affine, infinity = curve.scalar_mul, curve.add, curve.from_affine, curve.infinity

    @njit
    def naive_msm(points, scalars, out):
        acc = infinity
        for i in range(points.shape[0]):
            k = (scalars[i, 0], scalars[i, 1], scalars[i, 2], scalars[i, 3])
            acc = add(acc, scalar_mul(from_affine(load_affine(points, i)), k))
        load_store_jacobian(out, acc)

    return naive_msm


@njit
def g1_load_affine(a, i):
    return ((a[i, 0, 0], a[i, 0, 1], a[i, 0, 2], a[i, 0, 3]), (a[i, 1, 0], a[i, 1, 1], a[i, 1, 2], a[i, 1, 3]))


@njit
def g1_store_jacobian(out, p):
    for k in range(3):
        for limb in range(4):
            out[k, limb] = p[k][limb]


naive_msm_g1 = make_naive_msm(G1, g1_load_affine, g1_store_jacobian)


def naive_g1(points, scalars):
    out = np.zeros((3, 4), dtype=np.uint64)
    naive_msm_g1(points, scalars, out)
    return jacobian_g1_ints(out)


# -- signed digits ----------------------------------------------------------------------

@pytest.mark.parametrize("c", [1, 2, 5, 8, 13, 16])
def test_signed_digits_recompose_the_scalar(c):
    scalars = SPECIAL_SCALARS + random_scalars(20)
    w = num_windows(c)
    digits = np.empty((w, len(scalars)), dtype=np.int32)
    signed_digits(ints_to_array(scalars), c, digits)
    assert np.abs(digits).max() <= 1 << (c - 1)
    assert digits.min() > -(1 << (c - 1))
    for i, k in enumerate(scalars):
        assert sum(int(digits[j, i]) << (c * j) for j in range(w)) == k


# -- MSM against py_ecc -------------------------------------------------------------------

@pytest.mark.parametrize("window", [None, 2, 5])
def test_msm_g1_matches_py_ecc(window):
    n = 10
    points = [ecc.multiply(ecc.G1, k) for k in random_scalars(n)]
    scalars = random_scalars(n)
    got = msm_g1(g1_array(points), scalars, window=window)
    assert jacobian_g1_ints(got) == g1_affine_ints(py_msm(points, scalars))


def test_msm_g2_matches_py_ecc():
    n = 5
    points = [ecc.multiply(ecc.G2, k) for k in random_scalars(n)]
    scalars = random_scalars(n)
    got = msm_g2(g2_array(points), scalars)
    assert jacobian_g2_ints(got) == g2_affine_ints(py_msm(points, scalars))


def test_msm_g1_edge_cases_match_py_ecc():
    """Infinity points, a repeated point, a point and its negation, special scalars."""
    p = ecc.multiply(ecc.G1, 123456789)
    q = ecc.multiply(ecc.G1, rng.randrange(R))
    points = [p, ecc.Z1, p, q, ecc.neg(q), p, ecc.G1, ecc.Z1]
    scalars = SPECIAL_SCALARS + [5, 5, R - 5, 17]
    points += [ecc.multiply(ecc.G1, k) for k in random_scalars(len(scalars) - len(points))]
    expected = g1_affine_ints(py_msm(points, scalars))
    for window, batch in [(None, None), (3, 0), (3, 2), (9, 16)]:
        got = msm_g1(g1_array(points), scalars, window=window, batch_size=batch)
        assert jacobian_g1_ints(got) == expected, (window, batch)


def test_msm_g2_edge_cases_match_py_ecc():
    p = ecc.multiply(ecc.G2, 987654321)
    points = [p, ecc.Z2, p, ecc.neg(p), ecc.G2]
    scalars = [R - 1, 7, R - 1, 3, 0]
    expected = g2_affine_ints(py_msm(points, scalars))
    for window, batch in [(None, None), (4, 0), (4, 2)]:
        assert jacobian_g2_ints(msm_g2(g2_array(points), scalars, window=window, batch_size=batch)) == expected


def test_msm_empty_is_infinity():
    assert jacobian_g1_ints(msm_g1(np.zeros((0, 2, 4), dtype=np.uint64), [])) is None
    assert msm_g1(np.zeros((0, 2, 4), dtype=np.uint64), []).shape == (3, 4)
    empty_g2 = msm_g2(np.zeros((0, 2, 2, 4), dtype=np.uint64), np.zeros((0, 4), dtype=np.uint64))
    assert empty_g2.shape == (3, 2, 4) and jacobian_g2_ints(empty_g2) is None


@pytest.mark.parametrize("k", [0, 1, 2, R - 1])
def test_msm_single_point(k):
    p = ecc.multiply(ecc.G1, 31337)
    assert jacobian_g1_ints(msm_g1(g1_array([p]), [k])) == g1_affine_ints(ecc.multiply(p, k))


def test_msm_cancelling_terms_give_infinity():
    p = ecc.multiply(ecc.G1, 99)
    assert jacobian_g1_ints(msm_g1(g1_array([p, p]), [5, R - 5])) is None
    assert jacobian_g1_ints(msm_g1(g1_array([p, ecc.neg(p)]), [7, 7])) is None


def test_msm_scalar_forms_agree():
    """FieldVector (Montgomery), plain-limb array, ints (reduced mod r, so -1 = r-1)."""
    n = 6
    points = g1_array([ecc.multiply(ecc.G1, k) for k in random_scalars(n)])
    ints = random_scalars(n - 1) + [R - 1]
    expected = jacobian_g1_ints(msm_g1(points, ints))
    assert jacobian_g1_ints(msm_g1(points, FieldVector.from_ints(FR, ints))) == expected
    assert jacobian_g1_ints(msm_g1(points, ints_to_array(ints))) == expected
    assert jacobian_g1_ints(msm_g1(points, ints[:-1] + [-1])) == expected
    assert jacobian_g1_ints(msm_g1(points, [k + R for k in ints])) == expected


# -- input validation -------------------------------------------------------------------------

def test_msm_rejects_length_mismatch_naming_shapes():
    points = g1_array([ecc.G1] * 3)
    with pytest.raises(ShapeMismatchError, match=r"\(3, 2, 4\).*\(2, 4\)"):
        msm_g1(points, ints_to_array([1, 2]))
    with pytest.raises(ValueError):
        msm_g2(g2_array([ecc.G2]), [1, 2])


def test_msm_rejects_wrong_point_shapes_and_dtypes():
    with pytest.raises(ShapeMismatchError, match=r"\(3, 2, 2, 4\)"):
        msm_g1(np.zeros((3, 2, 2, 4), dtype=np.uint64), [1, 2, 3])
    with pytest.raises(ShapeMismatchError):
        msm_g2(np.zeros((3, 2, 4), dtype=np.uint64), [1, 2, 3])
    with pytest.raises(ShapeMismatchError):
        msm_g1(np.zeros((3, 2, 4), dtype=np.int64), [1, 2, 3])
    with pytest.raises(ShapeMismatchError):
        msm_g1(g1_array([ecc.G1]), np.zeros((1, 3), dtype=np.uint64))
    with pytest.raises(ShapeMismatchError):
        fixed_base_mul_g1(G2_BASE, [1])


def test_msm_rejects_out_of_range_limb_scalars():
    with pytest.raises(ScalarOutOfRangeError, match="scalar 1"):
        msm_g1(g1_array([ecc.G1] * 2), ints_to_array([1, R]))
    with pytest.raises(ScalarOutOfRangeError):
        msm_g1(g1_array([ecc.G1]), FieldVector.from_ints(FQ, [1]))


# -- fixed-base batch multiplication -------------------------------------------------------------

@pytest.mark.parametrize("window", [None, 3])
def test_fixed_base_g1_matches_py_ecc(window):
    scalars = SPECIAL_SCALARS + random_scalars(4)
    got = fixed_base_mul_g1(G1_BASE, scalars, window=window)
    assert got.shape == (len(scalars), 2, 4)
    assert [affine_g1_ints(row) for row in got] == [g1_affine_ints(ecc.multiply(ecc.G1, k)) for k in scalars]


def test_fixed_base_g2_matches_py_ecc():
    scalars = [0, 1, R - 1, rng.randrange(R)]
    got = fixed_base_mul_g2(G2_BASE, scalars)
    assert got.shape == (4, 2, 2, 4)
    assert [affine_g2_ints(row) for row in got] == [g2_affine_ints(ecc.multiply(ecc.G2, k)) for k in scalars]


def test_fixed_base_of_another_base_and_empty():
    base = ecc.multiply(ecc.G1, 2024)
    scalars = random_scalars(3)
    got = fixed_base_mul_g1(g1_array([base])[0], FieldVector.from_ints(FR, scalars))
    assert [affine_g1_ints(row) for row in got] == [g1_affine_ints(ecc.multiply(base, k)) for k in scalars]
    assert fixed_base_mul_g1(G1_BASE, []).shape == (0, 2, 4)


# -- larger sizes against the project's own kernels --------------------------------------------

@pytest.mark.parametrize("log_n", [10, pytest.param(12, marks=pytest.mark.slow)])
def test_msm_g1_large_matches_naive_sum(log_n):
    n = 1 << log_n
    points = fixed_base_mul_g1(G1_BASE, random_scalars(n))
    scalars = ints_to_array(random_scalars(n))
    expected = naive_g1(points, scalars)
    assert jacobian_g1_ints(msm_g1(points, scalars)) == expected
    assert jacobian_g1_ints(msm_g1(points, scalars, window=7, batch_size=0)) == expected


def test_msm_g1_worst_cases_for_batch_affine():
    """Every point in one bucket (equal scalars), and one repeated point (doublings):
    the batch-affine path must route busy buckets and equal x's to Jacobian buckets."""
    n = 1 << 9
    points = fixed_base_mul_g1(G1_BASE, random_scalars(n))
    same = ints_to_array([rng.randrange(R)] * n)
    assert jacobian_g1_ints(msm_g1(points, same, window=10)) == naive_g1(points, same)
    repeated = np.repeat(points[:4], n // 4, axis=0)
    few_scalars = ints_to_array([rng.choice([1, 3, R - 1, 1 << 200]) for _ in range(n)])
    expected = naive_g1(repeated, few_scalars)
    assert jacobian_g1_ints(msm_g1(repeated, few_scalars, window=10)) == expected
    assert jacobian_g1_ints(msm_g1(repeated, few_scalars, window=6, batch_size=4)) == expected


def test_msm_g1_with_zeros_and_infinities_matches_naive_sum():
    n = 1 << 10
    ints = random_scalars(n)
    for i in range(0, n, 3):
        ints[i] = 0
    points = fixed_base_mul_g1(G1_BASE, random_scalars(n))
    points[::5] = 0  # points at infinity
    scalars = ints_to_array(ints)
    assert jacobian_g1_ints(msm_g1(points, scalars)) == naive_g1(points, scalars)


@pytest.mark.slow
def test_msm_g2_large_windows_agree():
    """2^10 G2 points: default (batch-affine) vs plain mixed additions with another window,
    and the sum of scalars times the generator for points that are known multiples."""
    n = 1 << 10
    point_scalars = random_scalars(n)
    points = fixed_base_mul_g2(G2_BASE, point_scalars)
    scalars = random_scalars(n)
    expected = g2_affine_ints(ecc.multiply(ecc.G2, sum(a * b for a, b in zip(point_scalars, scalars)) % R))
    assert jacobian_g2_ints(msm_g2(points, scalars)) == expected
    assert jacobian_g2_ints(msm_g2(points, scalars, window=6, batch_size=0)) == expected


def test_fixed_base_large_matches_msm_of_generator_multiples():
    """k_i G from fixed-base multiplication, then sum_i s_i (k_i G) = (sum s_i k_i) G."""
    n = 1 << 10
    ks = random_scalars(n)
    ss = random_scalars(n)
    points = fixed_base_mul_g1(G1_BASE, ks)
    assert affine_g1_ints(points[n // 2]) == g1_affine_ints(ecc.multiply(ecc.G1, ks[n // 2]))
    total = sum(a * b for a, b in zip(ks, ss)) % R
    assert jacobian_g1_ints(msm_g1(points, ss)) == g1_affine_ints(ecc.multiply(ecc.G1, total))
