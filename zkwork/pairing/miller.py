"""The optimal ate Miller loop of BN254 (Vercauteren 2010), for one or many pairs at once.

For P in G1 and Q in G2 (a point of the sextic twist E'(Fq2): y^2 = x^3 + 3/xi) the loop computes

    f = f_{6u+2,Q}(P) * l_{[6u+2]Q, pi(Q)}(P) * l_{[6u+2]Q + pi(Q), -pi^2(Q)}(P)

where pi is the p-power Frobenius carried to the twist. It walks the signed (NAF) digits of 6u+2
from the top: each step squares f and multiplies in the tangent line at T (then doubles T), and on
a digit +-1 multiplies in the line through T and +-Q (then adds). Vertical lines and constant
factors in proper subfields are dropped: the final exponentiation sends them to 1.

T is kept in homogeneous projective coordinates (X : Y : Z), x = X/Z, y = Y/Z, so no inversion is
needed. The untwisting map (x, y) -> (x w^2, y w^3) makes every line, evaluated at P = (xP, yP),
the sparse Fq12 element l0 + l1 w + l3 w^3 with l0 a multiple of yP and l1 a multiple of xP:
  tangent at T:          2YZ yP - 3X^2 xP w + (Y^2 - 3b'Z^2) w^3      (b' = 3/xi)
  line through T and Q:  lam yP - theta xP w + (theta xQ - lam yQ) w^3
                         with theta = Y - yQ Z, lam = X - xQ Z,
each the affine line times a factor in Fq2. The point formulas are the usual ones for a = 0
curves (as in Costello-Lange-Naehrig 2010 and Aranha et al. 2010), with the doubling scaled by 4
so that it needs no halving.

With n pairs the loop shares f: one squaring per step for all pairs (a multi-Miller loop), so a
product of n pairings costs far less than n pairings.
"""
import numpy as np

from zkwork.curve.kernels import TWIST_B
from zkwork.field import FQ, fq2
from zkwork.field.fq2_element import Fq2
from zkwork.field.params import X
from zkwork.jit import njit
from zkwork.pairing.tower import (
    FQ12_ONE,
    ONE2,
    fq2_add,
    fq2_conj,
    fq2_double,
    fq2_load,
    fq2_mul,
    fq2_mul_by_fq,
    fq2_neg,
    fq2_sqr,
    fq2_sub,
    fq12_mul_by_line,
    fq12_sqr,
    frobenius_coefficient,
)

f_load = FQ.kernels.load


def signed_digits(n):
    """Signed binary digits of n >= 0, least significant first, no two adjacent nonzero."""
    digits = []
    while n:
        if n % 2:
            d = 2 - n % 4  # +1 or -1, chosen so that n - d is divisible by 4
            n -= d
        else:
            d = 0
        digits.append(d)
        n //= 2
    return digits


ATE_LOOP_COUNT = 6 * X + 2
ATE_LOOP_NAF = np.array(signed_digits(ATE_LOOP_COUNT), dtype=np.int64)
assert sum(int(d) << i for i, d in enumerate(ATE_LOOP_NAF)) == ATE_LOOP_COUNT

THREE_TWIST_B = fq2.to_mont((Fq2(*TWIST_B) * 3).coeffs)  # 3 b', b' = 3 / xi

# pi on the twist: (x, y) -> (conj(x) w^(2(p-1)), conj(y) w^(3(p-1))); pi^2 without conjugation.
PI1_X, PI1_Y = frobenius_coefficient(1, 2), frobenius_coefficient(1, 3)
PI2_X, PI2_Y = frobenius_coefficient(2, 2), frobenius_coefficient(2, 3)


@njit(cache=True)
def doubling_step(t, x_p, y_p):
    """(2T, the tangent line at T evaluated at P as (l0, l1, l3))."""
    x, y, z = t
    yy = fq2_sqr(y)
    zz = fq2_sqr(z)
    e = fq2_mul(zz, THREE_TWIST_B)  # 3 b' Z^2
    f = fq2_add(fq2_double(e), e)  # 9 b' Z^2
    h = fq2_sub(fq2_sqr(fq2_add(y, z)), fq2_add(yy, zz))  # 2 Y Z
    xx = fq2_sqr(x)
    xx3 = fq2_add(fq2_double(xx), xx)
    # (4X3 : 4Y3 : 4Z3) with X3 = XY/2 (Y^2 - 9b'Z^2), Y3 = ((Y^2 + 9b'Z^2)/2)^2 - 27 b'^2 Z^4, Z3 = 2Y^3 Z
    x3 = fq2_double(fq2_mul(fq2_mul(x, y), fq2_sub(yy, f)))
    ee = fq2_sqr(e)
    ee4 = fq2_double(fq2_double(ee))
    y3 = fq2_sub(fq2_sqr(fq2_add(yy, f)), fq2_add(fq2_double(ee4), ee4))
    z3 = fq2_double(fq2_double(fq2_mul(yy, h)))
    line = (fq2_mul_by_fq(h, y_p), fq2_neg(fq2_mul_by_fq(xx3, x_p)), fq2_sub(yy, e))
    return (x3, y3, z3), line


@njit(cache=True)
def addition_step(t, x_q, y_q, x_p, y_p):
    """(T + Q for affine Q, the line through T and Q evaluated at P as (l0, l1, l3))."""
    x, y, z = t
    theta = fq2_sub(y, fq2_mul(y_q, z))
    lam = fq2_sub(x, fq2_mul(x_q, z))
    c = fq2_sqr(theta)
    d = fq2_sqr(lam)
    e = fq2_mul(lam, d)
    g = fq2_mul(x, d)
    h = fq2_sub(fq2_add(e, fq2_mul(z, c)), fq2_double(g))
    x3 = fq2_mul(lam, h)
    y3 = fq2_sub(fq2_mul(theta, fq2_sub(g, h)), fq2_mul(y, e))
    z3 = fq2_mul(z, e)
    line = (
        fq2_mul_by_fq(lam, y_p),
        fq2_neg(fq2_mul_by_fq(theta, x_p)),
        fq2_sub(fq2_mul(theta, x_q), fq2_mul(lam, y_q)),
    )
    return (x3, y3, z3), line


@njit(cache=True)
def _load_t(ts, i):
    return (fq2_load(ts[i], 0), fq2_load(ts[i], 1), fq2_load(ts[i], 2))


@njit(cache=True)
def _store_t(ts, i, t):
    for c in range(3):
        for j in range(4):
            ts[i, c, 0, j] = t[c][0][j]
            ts[i, c, 1, j] = t[c][1][j]


@njit(cache=True)
def multi_miller_loop(g1s, g2s):
    """prod_i of the Miller values of (g1s[i], g2s[i]): (n, 2, 4) and (n, 2, 2, 4) affine
    Montgomery arrays of finite points (the caller drops pairs with a point at infinity)."""
    n = g1s.shape[0]
    ts = np.empty((n, 3, 2, 4), dtype=np.uint64)
    for i in range(n):
        _store_t(ts, i, (fq2_load(g2s[i], 0), fq2_load(g2s[i], 1), ONE2))
    f = FQ12_ONE
    # The top digit is 1: T = Q and f = 1 stand for it.
    for step in range(ATE_LOOP_NAF.shape[0] - 2, -1, -1):
        digit = ATE_LOOP_NAF[step]
        f = fq12_sqr(f)
        for i in range(n):
            x_p, y_p = f_load(g1s[i], 0), f_load(g1s[i], 1)
            t, line = doubling_step(_load_t(ts, i), x_p, y_p)
            f = fq12_mul_by_line(f, line[0], line[1], line[2])
            if digit != 0:
                x_q, y_q = fq2_load(g2s[i], 0), fq2_load(g2s[i], 1)
                if digit < 0:
                    y_q = fq2_neg(y_q)
                t, line = addition_step(t, x_q, y_q, x_p, y_p)
                f = fq12_mul_by_line(f, line[0], line[1], line[2])
            _store_t(ts, i, t)
    for i in range(n):
        x_p, y_p = f_load(g1s[i], 0), f_load(g1s[i], 1)
        x_q, y_q = fq2_load(g2s[i], 0), fq2_load(g2s[i], 1)
        pi_x, pi_y = fq2_mul(fq2_conj(x_q), PI1_X), fq2_mul(fq2_conj(y_q), PI1_Y)
        t, line = addition_step(_load_t(ts, i), pi_x, pi_y, x_p, y_p)
        f = fq12_mul_by_line(f, line[0], line[1], line[2])
        minus_pi2_x, minus_pi2_y = fq2_mul(x_q, PI2_X), fq2_neg(fq2_mul(y_q, PI2_Y))
        _, line = addition_step(t, minus_pi2_x, minus_pi2_y, x_p, y_p)
        f = fq12_mul_by_line(f, line[0], line[1], line[2])
    return f
