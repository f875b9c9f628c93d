"""The GLV endomorphism of BN254 (Gallant, Lambert, Vanstone 2001) and the scalar
decomposition that lets an MSM run on half-length scalars.

Both curves are y^2 = x^3 + b, so for a primitive cube root of unity beta in Fq the map
phi(x, y) = (beta x, y) is an endomorphism costing one multiplication; on the order-r group
it is multiplication by a cube root of unity lambda in Fr. For the BN parameter u,

    lambda = 36u^3 + 18u^2 + 6u + 1 (mod r),   beta = 18u^3 + 18u^2 + 9u + 1 (mod p),

and this beta acts as lambda on G1, while on G2 (the twist, x in Fq2) it is beta^2 that
acts as the same lambda (tests/test_msm.py checks both against py_ecc).

Decomposition. The pairs (a, b) with a + b lambda = 0 (mod r) form a lattice of determinant
r with a reduced basis v1 = (a1, b1), v2 = (a2, b2) of entries below sqrt(r) ~ 2^127
(`short_basis`, Guide to Elliptic Curve Cryptography, algorithm 3.74). Writing
(k, 0) = beta1 v1 + beta2 v2 over the rationals and rounding (Babai) to integers c1, c2:

    (k1, k2) = (k, 0) - c1 v1 - c2 v2,   k = k1 + k2 lambda (mod r),

with beta1 = k b2 / r and beta2 = -k b1 / r. The kernel multiplies k by
BABAI_i = floor(2^256 (b2 or -b1) / r) and rounds at bit 256, undershooting beta_i by less
than 1/4, so |k1|, |k2| < 3/4 (|a1| + |a2|) < 2^127 (asserted below): they are computed
modulo 2^128 in two's complement, with 64-bit limbs, their sign being bit 127.
"""
from math import isqrt

import numpy as np
from numba import prange

from zkwork.field import FQ, fq2
from zkwork.field.limbs import int_to_limbs, mac, sbb
from zkwork.field.params import P, R, X
from zkwork.jit import njit

LAMBDA = (36 * X**3 + 18 * X**2 + 6 * X + 1) % R
BETA_G1 = (18 * X**3 + 18 * X**2 + 9 * X + 1) % P
BETA_G2 = BETA_G1 * BETA_G1 % P
assert LAMBDA != 1 and pow(LAMBDA, 3, R) == 1, "lambda is a primitive cube root of unity in Fr"
assert BETA_G1 != 1 and pow(BETA_G1, 3, P) == 1, "beta is a primitive cube root of unity in Fq"

HALF_BITS = 127  # |k1|, |k2| < 2^127 (asserted below from the basis)
ROUNDING_SHIFT = 256  # c_i = (k g_i + 2^255) >> 256


def short_basis(lam=LAMBDA, r=R):
    """A reduced basis ((a1, b1), (a2, b2)) of {(a, b) : a + b lam = 0 mod r}, from the
    extended Euclidean algorithm on (r, lam): each remainder r_i = s_i r + t_i lam gives the
    lattice vector (r_i, -t_i); v1 is the first with r_i < sqrt(r), v2 the shorter of its two
    neighbours."""
    remainders = [(r, 0), (lam, 1)]
    while remainders[-1][0]:
        (r0, t0), (r1, t1) = remainders[-2], remainders[-1]
        q = r0 // r1
        remainders.append((r0 - q * r1, t0 - q * t1))
    root = isqrt(r)
    last_big = max(i for i, (ri, _) in enumerate(remainders) if ri >= root)
    v1 = (remainders[last_big + 1][0], -remainders[last_big + 1][1])
    neighbours = [(ri, -ti) for ri, ti in (remainders[last_big], remainders[last_big + 2])]
    v2 = min(neighbours, key=lambda v: v[0] ** 2 + v[1] ** 2)
    if v1[0] * v2[1] - v1[1] * v2[0] < 0:  # orient the basis so that its determinant is +r
        v2 = (-v2[0], -v2[1])
    return v1, v2


# For BN curves the basis is (2u+1, -6u^2-2u), (6u^2+4u+1, 2u+1).
(A1, B1), (A2, B2) = short_basis()
assert A1 * B2 - A2 * B1 == R
# Babai's coefficients, scaled by 2^256: beta1 = k BABAI_1 / 2^256, beta2 = k BABAI_2 / 2^256.
BABAI_1 = (B2 << ROUNDING_SHIFT) // R
BABAI_2 = (-B1 << ROUNDING_SHIFT) // R
assert 0 <= BABAI_1 < 1 << 192 and 0 <= BABAI_2 < 1 << 192
assert 3 * (abs(A1) + abs(A2)) < 4 << HALF_BITS and 3 * (abs(B1) + abs(B2)) < 4 << HALF_BITS


def decompose(k):
    """(k1, k2) with k = k1 + k2 LAMBDA (mod r) and |k1|, |k2| < 2^127, for 0 <= k < r:
    the same arithmetic as the kernel, on Python ints (the reference for tests)."""
    half = 1 << (ROUNDING_SHIFT - 1)
    c1 = (k * BABAI_1 + half) >> ROUNDING_SHIFT
    c2 = (k * BABAI_2 + half) >> ROUNDING_SHIFT
    return k - c1 * A1 - c2 * A2, -c1 * B1 - c2 * B2


# -- the kernel: everything in uint64 limbs --------------------------------------------------
# c1 and c2 are at most 2^127 (beta_i < |b| < 2^127), so each is two limbs; the products with
# the basis are only needed modulo 2^128 (two's complement), two limbs again.

_BABAI_1_LIMBS, _BABAI_2_LIMBS = int_to_limbs(BABAI_1)[:3], int_to_limbs(BABAI_2)[:3]
# The basis modulo 2^128 (negative entries in two's complement).
_A1, _A2, _B1, _B2 = (int_to_limbs(v % (1 << 128))[:2] for v in (A1, A2, B1, B2))
_ZERO = np.uint64(0)


@njit(inline="always", cache=True)
def _add_row(t0, t1, t2, t3, k, g):
    """(t0, t1, t2, t3) + k g for a 4-limb k and a 1-limb g: five limbs."""
    t0, c = mac(t0, k[0], g, _ZERO)
    t1, c = mac(t1, k[1], g, c)
    t2, c = mac(t2, k[2], g, c)
    t3, c = mac(t3, k[3], g, c)
    return t0, t1, t2, t3, c


@njit(cache=True)
def _babai(k, g):
    """floor((k g + 2^255) / 2^256) for a 4-limb k and a 3-limb g, as two limbs (< 2^128)."""
    _, p1, p2, p3, p4 = _add_row(_ZERO, _ZERO, _ZERO, _ZERO, k, g[0])
    _, q2, q3, q4, q5 = _add_row(p1, p2, p3, p4, k, g[1])
    _, s3, s4, s5, _ = _add_row(q2, q3, q4, q5, k, g[2])
    lo, carry = mac(s4, s3 >> np.uint64(63), np.uint64(1), _ZERO)
    return lo, s5 + carry


@njit(cache=True)
def _mul_mod128(a, b):
    """a b mod 2^128 for two-limb a and b."""
    lo, hi = mac(_ZERO, a[0], b[0], _ZERO)
    return lo, hi + a[0] * b[1] + a[1] * b[0]


@njit(cache=True)
def _sub_mod128(a, b):
    lo, borrow = sbb(a[0], b[0], _ZERO)
    hi, _ = sbb(a[1], b[1], borrow)
    return lo, hi


@njit(cache=True)
def _store_signed(out, negative, i, v):
    """out[i] = |v|, negative[i] = v < 0, for v a two's complement 128-bit value."""
    is_negative = v[1] >> np.uint64(63) != 0
    if is_negative:
        v = _sub_mod128((_ZERO, _ZERO), v)
    out[i, 0] = v[0]
    out[i, 1] = v[1]
    out[i, 2] = _ZERO
    out[i, 3] = _ZERO
    negative[i] = is_negative


@njit(parallel=True, cache=True, nogil=True)  # the prover calls it from several threads
def decompose_scalars(scalars, halves, negative):
    """For n plain-limb scalars k_i < r: halves[i] = |k1_i|, halves[n + i] = |k2_i| (as
    (2n, 4) plain limbs) and negative[.] their signs, with k_i = k1_i + k2_i LAMBDA mod r."""
    n = scalars.shape[0]
    for i in prange(n):
        k = (scalars[i, 0], scalars[i, 1], scalars[i, 2], scalars[i, 3])
        c1 = _babai(k, _BABAI_1_LIMBS)
        c2 = _babai(k, _BABAI_2_LIMBS)
        k1 = _sub_mod128(_sub_mod128((k[0], k[1]), _mul_mod128(c1, _A1)), _mul_mod128(c2, _A2))
        k2 = _sub_mod128(_sub_mod128((_ZERO, _ZERO), _mul_mod128(c1, _B1)), _mul_mod128(c2, _B2))
        _store_signed(halves, negative, i, k1)
        _store_signed(halves, negative, n + i, k2)


# -- the endomorphism on affine points (kernel form: tuples in Montgomery form) -----------------

def _make_phi(scale, beta):
    """phi(x, y) = (beta x, y); infinity, (0, 0), maps to itself."""

    @njit(cache=True)
    def phi(q):
        return (scale(q[0], beta), q[1])

    return phi


phi_g1 = _make_phi(FQ.kernels.mul, FQ.to_mont_limbs(BETA_G1))
phi_g2 = _make_phi(fq2.kernels.mul_by_fq, FQ.to_mont_limbs(BETA_G2))


# -- four dimensions on G2 (Galbraith, Lin, Scott 2009): phi and psi together -------------------
# psi, the untwist-Frobenius-twist map of G2 (zkwork.curve.points.PSI_X, PSI_Y), acts on G2
# as multiplication by MU = p mod r, a primitive 12th root of unity; with phi (LAMBDA) the
# pairs (k0, k1, k2, k3) with k0 + k1 LAMBDA + k2 MU + k3 LAMBDA MU = 0 (mod r) form a
# lattice of determinant r whose LLL-reduced basis has entries of about 2u ~ 2^63, so
# k = k0 + k1 LAMBDA + k2 MU + k3 LAMBDA MU with |k_j| < 2^65: a quarter-length ladder.

MU = P % R
assert (MU**4 - MU**2 + 1) % R == 0, "MU is a primitive 12th root of unity in Fr"
# The LLL-reduced basis, written with the BN parameter u = X.
BASIS_4 = ((-(2 * X + 1), 2 * X, 0, 1),
           (2 * X, X, X + 1, -X),
           (X + 1, -X, X, 2 * X),
           (2 * X + 1, X + 1, -X, X))
QUARTER_BITS = 65  # |k_j| < 2^65 (asserted below)
assert all((v[0] + v[1] * LAMBDA + v[2] * MU + v[3] * LAMBDA * MU) % R == 0 for v in BASIS_4)


def _determinant(m):
    """The determinant of a square integer matrix (Laplace expansion: fine for 4 x 4)."""
    if len(m) == 1:
        return m[0][0]
    return sum((-1) ** j * m[0][j] * _determinant([row[:j] + row[j + 1:] for row in m[1:]]) for j in range(len(m)))


def _babai_numerators_4():
    """N_i with (1, 0, 0, 0) = sum_i (N_i / D) BASIS_4[i], and D = det(BASIS_4) = +-r: the
    first row of the adjugate (Cramer's rule)."""
    rows = [list(v) for v in BASIS_4]
    det = _determinant(rows)
    numerators = []
    for i in range(4):
        replaced = [row[:] for row in rows]
        replaced[i] = [1, 0, 0, 0]
        numerators.append(_determinant(replaced))
    return numerators, det


_BABAI_4, _DET_4 = _babai_numerators_4()
assert abs(_DET_4) == R
if _DET_4 < 0:
    _BABAI_4, _DET_4 = [-n for n in _BABAI_4], -_DET_4
assert all(sum(abs(v[j]) for v in BASIS_4) < 2 << QUARTER_BITS for j in range(4))


def decompose_4(k):
    """(k0, k1, k2, k3) with k = k0 + k1 LAMBDA + k2 MU + k3 LAMBDA MU (mod r) and
    |k_j| < 2^65, for 0 <= k < r: Babai's rounding in the basis BASIS_4 (each coordinate
    is off by at most half of each basis vector, so |k_j| <= sum_i |BASIS_4[i][j]| / 2)."""
    c = [(2 * k * n + _DET_4) // (2 * _DET_4) for n in _BABAI_4]
    return tuple((k if j == 0 else 0) - sum(ci * v[j] for ci, v in zip(c, BASIS_4)) for j in range(4))
