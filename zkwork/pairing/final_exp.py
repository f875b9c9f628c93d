"""Final exponentiation f -> f^((p^12 - 1) / r) for BN254.

The exponent splits as (p^6 - 1)(p^2 + 1) * (p^4 - p^2 + 1)/r.

Easy part: f^(p^6 - 1) = conj(f) / f costs one inversion; ^(p^2 + 1) is a Frobenius and a product.
Its result lies in the cyclotomic subgroup (order p^4 - p^2 + 1), where the inverse is the free
conjugation and squaring has the cheaper Granger-Scott (2010) form.

Hard part: Scott, Benger, Charlemagne, Dominguez Perez, Kachisa (2009) write the exponent in base p
with coefficients polynomial in u, (p^4 - p^2 + 1)/r = l0 + l1 p + l2 p^2 + p^3 with
    l0 = -36u^3 - 30u^2 - 18u - 2,  l1 = -36u^3 - 18u^2 - 12u + 1,  l2 = 6u^2 + 1,
so f^u, f^(u^2), f^(u^3) (three exponentiations by the 63-bit u) and Frobenius maps give
y0..y6 with f^exponent = y0 * y1^2 * y2^6 * y3^12 * y4^18 * y5^30 * y6^36, evaluated by a
short vectorial addition chain. This is the exact exponent, not a multiple of it, so values agree
with py_ecc's pairing bit for bit.
"""
import numpy as np

from zkwork.field import P, R
from zkwork.field.params import X
from zkwork.jit import njit
from zkwork.pairing.miller import signed_digits
from zkwork.pairing.tower import (
    fq2_add,
    fq2_double,
    fq2_mul_by_xi,
    fq2_sqr,
    fq2_sub,
    fq12_conj,
    fq12_frobenius1,
    fq12_frobenius2,
    fq12_frobenius3,
    fq12_inv,
    fq12_mul,
)

_l0 = -36 * X**3 - 30 * X**2 - 18 * X - 2
_l1 = -36 * X**3 - 18 * X**2 - 12 * X + 1
_l2 = 6 * X**2 + 1
assert (P**4 - P**2 + 1) % R == 0
assert _l0 + _l1 * P + _l2 * P**2 + P**3 == (P**4 - P**2 + 1) // R

U_NAF = np.array(signed_digits(X), dtype=np.int64)


@njit(cache=True)
def _fq4_sqr(a, b):
    """(a + b t)^2 in Fq4 = Fq2[t]/(t^2 - xi): (a^2 + xi b^2) + 2ab t."""
    aa = fq2_sqr(a)
    bb = fq2_sqr(b)
    return fq2_add(aa, fq2_mul_by_xi(bb)), fq2_sub(fq2_sqr(fq2_add(a, b)), fq2_add(aa, bb))


@njit(cache=True)
def _three_minus_two(s, c):
    """3s - 2c."""
    return fq2_add(fq2_double(fq2_sub(s, c)), s)


@njit(cache=True)
def _three_plus_two(s, c):
    """3s + 2c."""
    return fq2_add(fq2_double(fq2_add(s, c)), s)


@njit(cache=True)
def cyclotomic_sqr(f):
    """f^2 for f in the cyclotomic subgroup (any final-exponentiation value past the easy part).

    Seen as A + B w + C w^2 over Fq4 = Fq2[t], t = w^3, whose conjugation t -> -t is the p^6
    power, f^(p^6) = 1/f gives (Granger-Scott) f^2 = (3A^2 - 2 conj A) + (3t C^2 + 2 conj B) w
    + (3B^2 - 2 conj C) w^2: three Fq4 squarings (six Fq2 squarings) instead of a full Fq12 one.
    In the tower, A = (f00, f11), B = (f10, f02), C = (f01, f12).
    """
    (a0, c0, b1), (b0, a1, c1) = f
    aa0, aa1 = _fq4_sqr(a0, a1)
    bb0, bb1 = _fq4_sqr(b0, b1)
    cc0, cc1 = _fq4_sqr(c0, c1)
    a0, a1 = _three_minus_two(aa0, a0), _three_plus_two(aa1, a1)
    b0, b1 = _three_plus_two(fq2_mul_by_xi(cc1), b0), _three_minus_two(cc0, b1)
    c0, c1 = _three_minus_two(bb0, c0), _three_plus_two(bb1, c1)
    return ((a0, c0, b1), (b0, a1, c1))


@njit(cache=True)
def cyclotomic_pow_u(f):
    """f^u for f in the cyclotomic subgroup, along the signed digits of u (conj is 1/f)."""
    f_inv = fq12_conj(f)
    acc = f
    for step in range(U_NAF.shape[0] - 2, -1, -1):
        acc = cyclotomic_sqr(acc)
        digit = U_NAF[step]
        if digit > 0:
            acc = fq12_mul(acc, f)
        elif digit < 0:
            acc = fq12_mul(acc, f_inv)
    return acc


@njit(cache=True)
def easy_part(f):
    """f^((p^6 - 1)(p^2 + 1)); f must be nonzero."""
    f = fq12_mul(fq12_conj(f), fq12_inv(f))
    return fq12_mul(fq12_frobenius2(f), f)


@njit(cache=True)
def hard_part(f):
    """f^((p^4 - p^2 + 1)/r) for f in the cyclotomic subgroup."""
    fu = cyclotomic_pow_u(f)
    fu2 = cyclotomic_pow_u(fu)
    fu3 = cyclotomic_pow_u(fu2)
    y0 = fq12_mul(fq12_mul(fq12_frobenius1(f), fq12_frobenius2(f)), fq12_frobenius3(f))
    y1 = fq12_conj(f)
    y2 = fq12_frobenius2(fu2)
    y3 = fq12_conj(fq12_frobenius1(fu))
    y4 = fq12_conj(fq12_mul(fu, fq12_frobenius1(fu2)))
    y5 = fq12_conj(fu2)
    y6 = fq12_conj(fq12_mul(fu3, fq12_frobenius1(fu3)))
    t0 = fq12_mul(fq12_mul(cyclotomic_sqr(y6), y4), y5)
    t1 = fq12_mul(fq12_mul(y3, y5), t0)
    t0 = fq12_mul(t0, y2)
    t1 = cyclotomic_sqr(fq12_mul(cyclotomic_sqr(t1), t0))
    t0 = fq12_mul(t1, y1)
    t1 = fq12_mul(t1, y0)
    return fq12_mul(cyclotomic_sqr(t0), t1)


@njit(cache=True)
def final_exponentiation(f):
    """f^((p^12 - 1)/r) for a nonzero Fq12 element f in Montgomery form (nested tuples)."""
    return hard_part(easy_part(f))
