"""Numba kernels for short-Weierstrass curves y^2 = x^3 + b in Jacobian coordinates,
generic over the coordinate field (Fq for G1, Fq2 for G2).

A Jacobian point (X, Y, Z) stands for the affine point (X/Z^2, Y/Z^3); Z = 0 is the
point at infinity. An affine point (x, y) with x = y = 0 is infinity too: (0, 0) is not
on either BN254 curve since b != 0. Formulas are the a = 0 ones of the Explicit-Formulas
Database: dbl-2009-l (doubling), add-2007-bl (addition), madd-2007-bl (Jacobian plus
affine, "mixed" addition, the workhorse of MSM bucket accumulation).
"""
from types import SimpleNamespace

from zkwork.field.limbs import make_exponentiation
from zkwork.jit import njit


def make_jacobian_kernels(F, b):
    """Kernels for the curve y^2 = x^3 + b over the field whose njit kernels are `F`
    (a namespace with add, sub, mul, sqr, double, neg, inv, is_zero, eq, zero, one);
    b is an element of that field in kernel form (Montgomery)."""
    f_add, f_sub, f_mul, f_sqr, f_double = F.add, F.sub, F.mul, F.sqr, F.double
    f_neg, f_inv, f_is_zero, f_eq = F.neg, F.inv, F.is_zero, F.eq
    zero, one = F.zero, F.one
    infinity = (one, one, zero)

    @njit(cache=True)
    def is_infinity(p):
        return f_is_zero(p[2])

    @njit(cache=True)
    def double(p):
        x, y, z = p
        if f_is_zero(z):
            return p
        a = f_sqr(x)
        b_ = f_sqr(y)
        c = f_sqr(b_)
        d = f_double(f_sub(f_sub(f_sqr(f_add(x, b_)), a), c))
        e = f_add(f_double(a), a)
        x3 = f_sub(f_sqr(e), f_double(d))
        y3 = f_sub(f_mul(e, f_sub(d, x3)), f_double(f_double(f_double(c))))
        z3 = f_double(f_mul(y, z))
        return (x3, y3, z3)

    @njit(cache=True)
    def add(p, q):
        if f_is_zero(p[2]):
            return q
        if f_is_zero(q[2]):
            return p
        x1, y1, z1 = p
        x2, y2, z2 = q
        z1z1 = f_sqr(z1)
        z2z2 = f_sqr(z2)
        u1 = f_mul(x1, z2z2)
        u2 = f_mul(x2, z1z1)
        s1 = f_mul(f_mul(y1, z2), z2z2)
        s2 = f_mul(f_mul(y2, z1), z1z1)
        h = f_sub(u2, u1)
        r = f_double(f_sub(s2, s1))
        if f_is_zero(h):
            # Same x: either the same point (double it) or opposite points (infinity).
            return double(p) if f_is_zero(r) else infinity
        i = f_sqr(f_double(h))
        j = f_mul(h, i)
        v = f_mul(u1, i)
        x3 = f_sub(f_sub(f_sqr(r), j), f_double(v))
        y3 = f_sub(f_mul(r, f_sub(v, x3)), f_double(f_mul(s1, j)))
        z3 = f_mul(f_sub(f_sub(f_sqr(f_add(z1, z2)), z1z1), z2z2), h)
        return (x3, y3, z3)

    @njit(cache=True)
    def add_mixed(p, q_affine):
        """p + q with q affine (x, y); (0, 0) is infinity."""
        x2, y2 = q_affine
        if f_is_zero(x2) and f_is_zero(y2):
            return p
        if f_is_zero(p[2]):
            return (x2, y2, one)
        x1, y1, z1 = p
        z1z1 = f_sqr(z1)
        u2 = f_mul(x2, z1z1)
        s2 = f_mul(f_mul(y2, z1), z1z1)
        h = f_sub(u2, x1)
        r = f_double(f_sub(s2, y1))
        if f_is_zero(h):
            return double(p) if f_is_zero(r) else infinity
        hh = f_sqr(h)
        i = f_double(f_double(hh))
        j = f_mul(h, i)
        v = f_mul(x1, i)
        x3 = f_sub(f_sub(f_sqr(r), j), f_double(v))
        y3 = f_sub(f_mul(r, f_sub(v, x3)), f_double(f_mul(y1, j)))
        z3 = f_sub(f_sub(f_sqr(f_add(z1, h)), z1z1), hh)
        return (x3, y3, z3)

    @njit(cache=True)
    def neg(p):
        return (p[0], f_neg(p[1]), p[2])

    @njit(cache=True)
    def eq(p, q):
        """Equality of the affine points: X1 Z2^2 = X2 Z1^2 and Y1 Z2^3 = Y2 Z1^3."""
        p_inf, q_inf = f_is_zero(p[2]), f_is_zero(q[2])
        if p_inf or q_inf:
            return p_inf and q_inf
        z1z1, z2z2 = f_sqr(p[2]), f_sqr(q[2])
        if not f_eq(f_mul(p[0], z2z2), f_mul(q[0], z1z1)):
            return False
        return f_eq(f_mul(f_mul(p[1], z2z2), q[2]), f_mul(f_mul(q[1], z1z1), p[2]))

    @njit(cache=True)
    def to_affine(p):
        """(x, y), with (0, 0) for infinity."""
        if f_is_zero(p[2]):
            return (zero, zero)
        z_inv = f_inv(p[2])
        z_inv2 = f_sqr(z_inv)
        return (f_mul(p[0], z_inv2), f_mul(f_mul(p[1], z_inv2), z_inv))

    @njit(cache=True)
    def from_affine(q):
        if f_is_zero(q[0]) and f_is_zero(q[1]):
            return infinity
        return (q[0], q[1], one)

    @njit(cache=True)
    def is_on_curve_affine(q):
        """y^2 = x^3 + b, or the (0, 0) encoding of infinity."""
        x, y = q
        if f_is_zero(x) and f_is_zero(y):
            return True
        return f_eq(f_sqr(y), f_add(f_mul(f_sqr(x), x), b))

    # k*p for k given as four plain uint64 limbs (any k < 2^256): double-and-add.
    scalar_mul = make_exponentiation(double, add, infinity)

    return SimpleNamespace(
        infinity=infinity, b=b, is_infinity=is_infinity, double=double, add=add,
        add_mixed=add_mixed, neg=neg, eq=eq, to_affine=to_affine, from_affine=from_affine,
        is_on_curve_affine=is_on_curve_affine, scalar_mul=scalar_mul,
    )
