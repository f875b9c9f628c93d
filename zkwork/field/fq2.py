"""Numba kernels for Fq2 = Fq[u]/(u^2 + 1), the field of G2's coordinates.

An element a0 + a1*u travels as a pair of Montgomery 4-tuples (a0, a1); in memory as
a (..., 2, 4) uint64 array. XI = 9 + u is the non-residue that builds Fq6 and Fq12 on top.

mul and sqr feed Fq's mul unreduced operands below 2p (sums a + b, differences a - b + p):
its CIOS accepts them, since p < 2^256 / 5 keeps a*b/2^256 + p below 2p, so the product
still needs at most its one final subtraction and comes out fully reduced (tested in
tests/test_fq2_kernels.py); each such operand saves a data-dependent branch.
"""
from types import SimpleNamespace

import numpy as np

from zkwork.field.fields import FQ
from zkwork.field.limbs import adc, sbb
from zkwork.jit import njit

_fq = FQ.kernels
f_add, f_sub, f_mul, f_sqr, f_neg, f_inv = _fq.add, _fq.sub, _fq.mul, _fq.sqr, _fq.neg, _fq.inv
f_double, f_is_zero, f_eq = _fq.double, _fq.is_zero, _fq.eq
f_zero, f_one = _fq.zero, _fq.one
_nine = FQ.to_mont_limbs(9)

_p0, _p1, _p2, _p3 = _fq.limbs
_no_carry = np.uint64(0)

ZERO = (f_zero, f_zero)
ONE = (f_one, f_zero)


@njit(cache=True)
def add(a, b):
    """Adds two Fq2 elements in Montgomery form."""
    return (f_add(a[0], b[0]), f_add(a[1], b[1]))


@njit(cache=True)
def sub(a, b):
    """Subtracts b from a, both Fq2 elements in Montgomery form."""
    return (f_sub(a[0], b[0]), f_sub(a[1], b[1]))


@njit(cache=True)
def neg(a):
    """Negates an Fq2 element in Montgomery form."""
    return (f_neg(a[0]), f_neg(a[1]))


@njit(cache=True)
def double(a):
    """Doubles an Fq2 element in Montgomery form."""
    return (f_double(a[0]), f_double(a[1]))


@njit(cache=True)
def _lazy_add(a, b):
    """a + b for Fq elements a, b < p, left unreduced (below 2p < 2^255): an operand for f_mul."""
    s0, c = adc(a[0], b[0], _no_carry)
    s1, c = adc(a[1], b[1], c)
    s2, c = adc(a[2], b[2], c)
    s3, _ = adc(a[3], b[3], c)
    return (s0, s1, s2, s3)


@njit(cache=True)
def _lazy_sub(a, b):
    """a - b + p for Fq elements a, b < p, left unreduced (in (0, 2p)): an operand for f_mul."""
    d0, borrow = sbb(a[0], b[0], _no_carry)
    d1, borrow = sbb(a[1], b[1], borrow)
    d2, borrow = sbb(a[2], b[2], borrow)
    d3, _ = sbb(a[3], b[3], borrow)  # a borrow here wraps around, and adding p below unwraps it
    s0, c = adc(d0, _p0, _no_carry)
    s1, c = adc(d1, _p1, c)
    s2, c = adc(d2, _p2, c)
    s3, _ = adc(d3, _p3, c)
    return (s0, s1, s2, s3)


@njit(cache=True)
def mul(a, b):
    """Multiplies two Fq2 elements in Montgomery form."""
    # Karatsuba: three Fq multiplications instead of four; u^2 = -1 makes c0 = a0 b0 - a1 b1.
    v0 = f_mul(a[0], b[0])
    v1 = f_mul(a[1], b[1])
    cross = f_mul(_lazy_add(a[0], a[1]), _lazy_add(b[0], b[1]))
    return (f_sub(v0, v1), f_sub(cross, f_add(v0, v1)))


@njit(cache=True)
def sqr(a):
    """Squares an Fq2 element in Montgomery form."""
    # (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + (2 a0) a1 u: two Fq multiplications, no reduced add.
    return (f_mul(_lazy_add(a[0], a[1]), _lazy_sub(a[0], a[1])), f_mul(_lazy_add(a[0], a[0]), a[1]))


@njit(cache=True)
def mul_by_fq(a, s):
    """Multiplies an Fq2 element by an Fq element s, both in Montgomery form."""
    return (f_mul(a[0], s), f_mul(a[1], s))


@njit(cache=True)
def conj(a):
    """a0 - a1 u, which is also the Frobenius map a -> a^p."""
    return (a[0], f_neg(a[1]))


@njit(cache=True)
def inv(a):
    """1/a = conj(a) / (a0^2 + a1^2); 0 maps to 0, callers check for zero first."""
    norm_inv = f_inv(f_add(f_sqr(a[0]), f_sqr(a[1])))
    return (f_mul(a[0], norm_inv), f_neg(f_mul(a[1], norm_inv)))


@njit(cache=True)
def mul_by_xi(a):
    """(9 + u) * a = (9 a0 - a1) + (a0 + 9 a1) u."""
    return (f_sub(f_mul(a[0], _nine), a[1]), f_add(a[0], f_mul(a[1], _nine)))


@njit(cache=True)
def is_zero(a):
    """Whether an Fq2 element in Montgomery form is zero."""
    return f_is_zero(a[0]) and f_is_zero(a[1])


@njit(cache=True)
def eq(a, b):
    """Whether two Fq2 elements in Montgomery form are equal."""
    return f_eq(a[0], b[0]) and f_eq(a[1], b[1])


@njit(cache=True)
def load(array, i):
    """The Fq2 element stored at array[i] of a (n, 2, 4) array."""
    return (
        (array[i, 0, 0], array[i, 0, 1], array[i, 0, 2], array[i, 0, 3]),
        (array[i, 1, 0], array[i, 1, 1], array[i, 1, 2], array[i, 1, 3]),
    )


@njit(cache=True)
def store(array, i, a):
    """Writes the Fq2 element a into array[i] of a (n, 2, 4) array."""
    for c in range(2):
        array[i, c, 0] = a[c][0]
        array[i, c, 1] = a[c][1]
        array[i, c, 2] = a[c][2]
        array[i, c, 3] = a[c][3]


def to_mont(value):
    """(c0, c1) Python ints to the Montgomery pair of 4-tuples."""
    return (FQ.to_mont_limbs(value[0]), FQ.to_mont_limbs(value[1]))


def from_mont(a):
    """Montgomery pair to (c0, c1) Python ints."""
    return (FQ.from_mont_limbs(a[0]).value, FQ.from_mont_limbs(a[1]).value)


kernels = SimpleNamespace(
    zero=ZERO, one=ONE, add=add, sub=sub, neg=neg, double=double, mul=mul, sqr=sqr,
    mul_by_fq=mul_by_fq, conj=conj, inv=inv, mul_by_xi=mul_by_xi, is_zero=is_zero, eq=eq,
    load=load, store=store,
)
