"""MSM (Pippenger with the GLV endomorphism) and fixed-base batch multiplication against
py_ecc, plain Python integers and naive sums computed with the project's own curve kernels."""
import random

import numba
import numpy as np
import py_ecc.optimized_bn128 as ecc
import pytest
from numba import njit

from zkwork.curve import glv
from zkwork.curve.kernels import G1
from zkwork.curve.msm import (
    G1_MSM,
    fixed_base_mul_g1,
    fixed_base_mul_g2,
    msm_g1,
    msm_g2,
    num_windows,
    signed_digits,
)
from zkwork.errors import ScalarOutOfRangeError, ShapeMismatchError
from zkwork.field import FQ, FR, FieldVector, P, R, fq2
from zkwork.field.limbs import array_to_ints, ints_to_array
from zkwork.field.params import X

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


def g1_point(row):
    """An affine Montgomery row as a py_ecc point."""
    xy = affine_g1_ints(row)
    return ecc.Z1 if xy is None else (ecc.FQ(xy[0]), ecc.FQ(xy[1]), ecc.FQ(1))


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


# -- GLV: the endomorphism and the scalar decomposition -------------------------------------

# Scalars that stress the decomposition: the ends of [0, r), lambda and its relatives (the
# lattice's own points), and values around 2^127 (the bound of the halves) and 2^253.
GLV_SCALARS = [
    0, 1, 2, R - 1, R - 2, glv.LAMBDA, R - glv.LAMBDA, glv.LAMBDA + 1, glv.LAMBDA**2 % R,
    (1 << 127) - 1, 1 << 127, (1 << 127) + 1, (1 << 128) - 1, 1 << 128, (1 << 253) - 1, 1 << 253,
    R - (1 << 127), R // 2, R // 3, (1 << 192) - 1,
    glv.A2, glv.A2 + glv.A1, abs(glv.B1),  # multiples of the basis vectors' entries
]


def signed_halves(scalars):
    """decompose_scalars on a list of ints: [(k1, k2)], signs applied."""
    n = len(scalars)
    halves = np.empty((2 * n, 4), dtype=np.uint64)
    negative = np.empty(2 * n, dtype=np.bool_)
    glv.decompose_scalars(ints_to_array(scalars), halves, negative)
    values = [-v if neg else v for v, neg in zip(array_to_ints(halves), negative)]
    return list(zip(values[:n], values[n:]))


def test_glv_roots_are_primitive_cube_roots_of_unity():
    assert (glv.LAMBDA**2 + glv.LAMBDA + 1) % R == 0
    assert (glv.BETA_G1**2 + glv.BETA_G1 + 1) % P == 0
    assert (glv.BETA_G2**2 + glv.BETA_G2 + 1) % P == 0 and glv.BETA_G2 != glv.BETA_G1


@pytest.mark.parametrize("k", [1, 7, 123456789])
def test_glv_endomorphism_is_multiplication_by_lambda(k):
    """phi(x, y) = (beta x, y) equals [LAMBDA] on both groups (py_ecc), and the other cube
    root would act as LAMBDA^2 instead: the pairing of beta with lambda matters."""
    x, y = ecc.normalize(ecc.multiply(ecc.G1, k))
    assert ecc.normalize(ecc.multiply(ecc.G1, k * glv.LAMBDA)) == (x * glv.BETA_G1, y)
    assert ecc.normalize(ecc.multiply(ecc.G1, k * glv.LAMBDA)) != (x * glv.BETA_G2, y)
    x2, y2 = ecc.normalize(ecc.multiply(ecc.G2, k))
    assert ecc.normalize(ecc.multiply(ecc.G2, k * glv.LAMBDA)) == (x2 * ecc.FQ2([glv.BETA_G2, 0]), y2)
    assert ecc.normalize(ecc.multiply(ecc.G2, k * glv.LAMBDA)) != (x2 * ecc.FQ2([glv.BETA_G1, 0]), y2)


def test_glv_short_basis_spans_the_lattice():
    (a1, b1), (a2, b2) = glv.short_basis()
    assert (a1 + b1 * glv.LAMBDA) % R == 0 and (a2 + b2 * glv.LAMBDA) % R == 0
    assert a1 * b2 - a2 * b1 == R  # a basis of the whole lattice, of determinant r
    assert max(abs(v) for v in (a1, b1, a2, b2)) < 1 << 127
    u = X  # the closed form of BN curves' basis
    assert ((a1, b1), (a2, b2)) == ((2 * u + 1, -6 * u * u - 2 * u), (6 * u * u + 4 * u + 1, 2 * u + 1))
    # the basis of a toy lattice, checked by hand: 1 + 3 * 4 = 13 = 0 mod 13
    (c1, d1), (c2, d2) = glv.short_basis(lam=3, r=13)
    assert (c1 + 3 * d1) % 13 == 0 and (c2 + 3 * d2) % 13 == 0 and c1 * d2 - c2 * d1 == 13


def test_glv_decomposition_recomposes_with_short_halves():
    scalars = GLV_SCALARS + random_scalars(2000)
    got = signed_halves(scalars)
    for k, (k1, k2) in zip(scalars, got):
        assert (k1 + k2 * glv.LAMBDA - k) % R == 0, k
        assert abs(k1) < 1 << glv.HALF_BITS and abs(k2) < 1 << glv.HALF_BITS, k
    assert got == [glv.decompose(k) for k in scalars]  # the kernel is the documented arithmetic
    assert got[0] == (0, 0) and got[1] == (1, 0)
    assert got[GLV_SCALARS.index(glv.LAMBDA)] == (0, 1)


def test_glv_halves_use_both_signs_and_nearly_all_bits():
    """On random scalars the halves take both signs and come within a few bits of the
    bound, so the signed path and the top window are exercised."""
    halves = [h for pair in signed_halves(random_scalars(500)) for h in pair]
    assert min(halves) < 0 < max(halves)
    assert max(abs(h) for h in halves).bit_length() >= glv.HALF_BITS - 3


def test_glv_points_are_signed_points_and_their_images():
    ks = random_scalars(3)
    points = [ecc.multiply(ecc.G1, k) for k in ks] + [ecc.Z1]
    negative = np.array([False, True, False, True, True, False, True, False])
    out = np.empty((8, 2, 4), dtype=np.uint64)
    halves = ints_to_array([1, 0, 5, 7, 0, 2, 3, 4])
    assert G1_MSM.glv_points(g1_array(points), halves, negative, out) == 4  # infinity and zeros do no work
    images = [ecc.multiply(p, glv.LAMBDA) for p in points]
    expected = [ecc.neg(p) if neg else p for p, neg in zip(points + images, negative)]
    assert [affine_g1_ints(row) for row in out] == [g1_affine_ints(p) for p in expected]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_msm_glv_scalars_match_py_ecc(n):
    """Every stress scalar on n points at a time, in both groups."""
    points = [ecc.multiply(ecc.G1, k) for k in random_scalars(n)]
    points2 = [ecc.multiply(ecc.G2, k) for k in random_scalars(n)]
    for start in range(0, len(GLV_SCALARS), n):
        scalars = (GLV_SCALARS[start : start + n] + random_scalars(n))[:n]
        assert jacobian_g1_ints(msm_g1(g1_array(points), scalars)) == g1_affine_ints(py_msm(points, scalars))
        if start % (3 * n) == 0:  # G2 in py_ecc is slow: a third of the batches
            assert jacobian_g2_ints(msm_g2(g2_array(points2), scalars)) == g2_affine_ints(py_msm(points2, scalars))


def test_msm_g1_locker_size_with_zeros_infinities_and_repeats_matches_naive_sum():
    """3000 points (prove_zkey's size for the locker pattern), with infinity points, zero
    scalars, repeated points and a point next to its image under phi."""
    n = 3000
    ints = random_scalars(n)
    ints[::7] = [0] * len(ints[::7])
    ints[1:40] = GLV_SCALARS + GLV_SCALARS[: 39 - len(GLV_SCALARS)]
    points = fixed_base_mul_g1(G1_BASE, random_scalars(n))
    points[::11] = 0  # infinity
    points[100:120] = points[99]  # a repeated point (doublings in the buckets)
    points[200] = g1_array([ecc.neg(g1_point(points[199]))])[0]  # a point next to its negation
    lam_p = fixed_base_mul_g1(G1_BASE, [glv.LAMBDA * 5 % R, 5])
    points[300], points[301] = lam_p[0], lam_p[1]  # lambda P next to P: phi(P) repeats a point
    scalars = ints_to_array(ints)
    expected = naive_g1(points, scalars)
    assert jacobian_g1_ints(msm_g1(points, scalars)) == expected
    for window, batch in [(5, 2), (14, None), (11, 0)]:
        assert jacobian_g1_ints(msm_g1(points, scalars, window=window, batch_size=batch)) == expected, window


@pytest.mark.parametrize("threads", [1, 2])
def test_msm_g1_same_result_on_one_core_and_two(threads):
    """The windows are shared out among the cores and grouped within a core: one core
    takes them all (odd and even counts), two split them."""
    n = 700
    points = fixed_base_mul_g1(G1_BASE, random_scalars(n))
    scalars = ints_to_array(random_scalars(n))
    expected = naive_g1(points, scalars)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        for window in (6, 9, 10, 13):
            assert jacobian_g1_ints(msm_g1(points, scalars, window=window)) == expected, window
    finally:
        numba.set_num_threads(before)


def test_msm_g2_glv_matches_generator_multiples():
    """G2 points that are known multiples of the generator, with stress scalars."""
    n = 64
    point_scalars = random_scalars(n)
    points = fixed_base_mul_g2(G2_BASE, point_scalars)
    scalars = (GLV_SCALARS + random_scalars(n))[:n]
    expected = g2_affine_ints(ecc.multiply(ecc.G2, sum(a * b for a, b in zip(point_scalars, scalars)) % R))
    assert jacobian_g2_ints(msm_g2(points, scalars)) == expected
    assert jacobian_g2_ints(msm_g2(points, scalars, window=4, batch_size=0)) == expected


def test_signed_digits_of_glv_halves_recompose():
    """The halves' digits: num_windows(c, HALF_BITS) windows hold every half and its carry."""
    halves = [abs(h) for pair in signed_halves(GLV_SCALARS + random_scalars(50)) for h in pair]
    halves += [(1 << glv.HALF_BITS) - 1]
    for c in (3, 8, 11, 13, 16):
        w = num_windows(c, glv.HALF_BITS)
        digits = np.empty((w, len(halves)), dtype=np.int32)
        signed_digits(ints_to_array(halves), c, digits)
        assert [sum(int(digits[j, i]) << (c * j) for j in range(w)) for i in range(len(halves))] == halves
