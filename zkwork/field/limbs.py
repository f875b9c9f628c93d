"""Numba kernels for 256-bit prime fields in Montgomery form.

An element is four little-endian uint64 limbs (a0, a1, a2, a3) holding a*2^256 mod p.
Inside numba an element travels as a 4-tuple (kept in registers); in memory as a row
of a numpy uint64 array of shape (n, 4).

Multiplication is CIOS (Koç, Acar, Kaliski 1996, "Coarsely Integrated Operand
Scanning"): for each limb a_i of a, add a_i*b to the accumulator t, then add m*p with
m = t0 * (-1/p mod 2^64) so that the lowest limb becomes zero, and shift t down by one
limb. Both BN254 moduli leave the top bit of the top limb free, so the accumulator's
fifth limb never carries out of 64 bits and the final result needs at most one
subtraction of p (gnark's "no-carry" variant).

The 64x64->128-bit products come from tiny LLVM intrinsics (`mac`, `adc`, `sbb`) that
widen to i128, which LLVM lowers to a single `mul`/`adc`/`sbb` on x86-64 and aarch64.
"""
from types import SimpleNamespace

import numpy as np
from llvmlite import ir
from numba import types

from zkwork.errors import ParameterFileError
from zkwork.jit import intrinsic, njit

MASK64 = (1 << 64) - 1
_U64 = types.uint64
_PAIR = types.UniTuple(_U64, 2)


def _wide(builder, value):
    return builder.zext(value, ir.IntType(128))


def _split(context, builder, signature, wide_value, high_shift=64):
    i64 = ir.IntType(64)
    low = builder.trunc(wide_value, i64)
    high = builder.trunc(builder.lshr(wide_value, ir.Constant(ir.IntType(128), high_shift)), i64)
    return context.make_tuple(builder, signature.return_type, (low, high))


@intrinsic
def mac(typingctx, t, a, b, carry):
    """(low, high) of t + a*b + carry, which always fits in 128 bits."""

    def codegen(context, builder, signature, args):
        t_, a_, b_, c_ = (_wide(builder, x) for x in args)
        return _split(context, builder, signature, builder.add(builder.add(builder.mul(a_, b_), t_), c_))

    return _PAIR(_U64, _U64, _U64, _U64), codegen


@intrinsic
def adc(typingctx, a, b, carry):
    """(sum, carry out) of a + b + carry."""

    def codegen(context, builder, signature, args):
        a_, b_, c_ = (_wide(builder, x) for x in args)
        return _split(context, builder, signature, builder.add(builder.add(a_, b_), c_))

    return _PAIR(_U64, _U64, _U64), codegen


@intrinsic
def sbb(typingctx, a, b, borrow):
    """(difference, borrow out in {0, 1}) of a - b - borrow."""

    def codegen(context, builder, signature, args):
        a_, b_, c_ = (_wide(builder, x) for x in args)
        return _split(context, builder, signature, builder.sub(builder.sub(a_, b_), c_), high_shift=127)

    return _PAIR(_U64, _U64, _U64), codegen


def int_to_limbs(value):
    """A non-negative int below 2^256 as a tuple of four numpy uint64 limbs."""
    return tuple(np.uint64((value >> (64 * i)) & MASK64) for i in range(4))


def limbs_to_int(limbs):
    """The int that little-endian uint64 limbs hold (no Montgomery conversion)."""
    return sum(int(limb) << (64 * i) for i, limb in enumerate(limbs))


def ints_to_array(values):
    """Python ints in [0, 2^256) to a (n, 4) uint64 array of plain (non-Montgomery) limbs."""
    raw = b"".join(int(v).to_bytes(32, "little") for v in values)
    return np.frombuffer(raw, dtype="<u8").reshape(-1, 4).astype(np.uint64)


def array_to_ints(array):
    """Inverse of ints_to_array for an (n, 4) array of plain limbs."""
    raw = np.ascontiguousarray(array, dtype="<u8").tobytes()
    return [int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32)]


def make_exponentiation(square, multiply, identity):
    """x^e by left-to-right square-and-multiply, for any group written with `square`,
    `multiply` and `identity` (written additively, the same loop is double-and-add);
    e is given as uint64 limbs, least significant first (a tuple or an array)."""

    @njit(cache=True)
    def power(x, e):
        acc = identity
        for limb_index in range(len(e) - 1, -1, -1):
            limb = e[limb_index]
            for bit in range(63, -1, -1):
                acc = square(acc)
                if (limb >> np.uint64(bit)) & np.uint64(1):
                    acc = multiply(acc, x)
        return acc

    return power


def make_field_kernels(modulus):
    """The njit kernels of the prime field of this odd modulus < 2^255, as a namespace.

    Scalar kernels take and return 4-tuples of uint64 in Montgomery form; they are meant
    to be called from other njit code, where they inline into straight-line code.
    """
    if modulus % 2 == 0 or modulus.bit_length() > 255:  # CIOS without carries needs a free top bit
        raise ParameterFileError(f"the kernels need an odd modulus below 2^255, got {modulus:#x}")
    modulus_limbs = int_to_limbs(modulus)
    n0, n1, n2, n3 = modulus_limbs
    n_inv = np.uint64((-pow(modulus, -1, 1 << 64)) % (1 << 64))
    zero_limb = np.uint64(0)
    zero = int_to_limbs(0)
    one = int_to_limbs((1 << 256) % modulus)
    r2 = int_to_limbs((1 << 512) % modulus)
    exp_inverse = int_to_limbs(modulus - 2)
    plain_one = int_to_limbs(1)

    @njit(inline="always", cache=True)
    def _row(a_i, b0, b1, b2, b3):
        # a_i * b as five limbs: the four products' high halves are added to the next low
        # halves in one carry chain, independent of the accumulator (see _cios_step)
        l0, h0 = mac(zero_limb, a_i, b0, zero_limb)
        l1, h1 = mac(zero_limb, a_i, b1, zero_limb)
        l2, h2 = mac(zero_limb, a_i, b2, zero_limb)
        l3, h3 = mac(zero_limb, a_i, b3, zero_limb)
        r1, c = adc(l1, h0, zero_limb)
        r2, c = adc(l2, h1, c)
        r3, c = adc(l3, h2, c)
        return l0, r1, r2, r3, h3 + c

    @njit(inline="always", cache=True)
    def _cios_step(t0, t1, t2, t3, a_i, b0, b1, b2, b3):
        # Whole rows rather than one multiply-accumulate per limb: two carry chains of four
        # additions per row instead of two additions with carry per limb product (a
        # dependent chain of multiplications 21.4 -> 19.7 ns), and a_i * b does not wait
        # on t, so it overlaps the previous step's reduction.
        # t += a_i * b
        r0, r1, r2, r3, r4 = _row(a_i, b0, b1, b2, b3)
        t0, c = adc(t0, r0, zero_limb)
        t1, c = adc(t1, r1, c)
        t2, c = adc(t2, r2, c)
        t3, c = adc(t3, r3, c)
        t4 = r4 + c
        # t = (t + m*p) / 2^64, with m chosen so that the low limb cancels
        m = t0 * n_inv
        q0, q1, q2, q3, q4 = _row(m, n0, n1, n2, n3)
        _, c = adc(t0, q0, zero_limb)
        t0, c = adc(t1, q1, c)
        t1, c = adc(t2, q2, c)
        t2, c = adc(t3, q3, c)
        t3 = t4 + q4 + c
        return t0, t1, t2, t3

    @njit(inline="always", cache=True)
    def _minus_p(t0, t1, t2, t3):
        d0, borrow = sbb(t0, n0, zero_limb)
        d1, borrow = sbb(t1, n1, borrow)
        d2, borrow = sbb(t2, n2, borrow)
        d3, borrow = sbb(t3, n3, borrow)
        return d0, d1, d2, d3, borrow

    @njit(inline="always", cache=True)
    def _reduce_once(t0, t1, t2, t3):
        # A branch, for products: after a BN254 multiplication the subtraction is taken ~5%
        # of the time, so it predicts well and the next multiplication starts speculatively;
        # the masked select below made a dependent chain 10% slower (24.4 vs 22.1 ns).
        d0, d1, d2, d3, borrow = _minus_p(t0, t1, t2, t3)
        if borrow:
            return (t0, t1, t2, t3)
        return (d0, d1, d2, d3)

    @njit(inline="always", cache=True)
    def _reduce_once_masked(t0, t1, t2, t3):
        # A select by mask, for sums: after an addition the subtraction is a coin flip that
        # a branch mispredicts half the time (branchless add/sub: pairing -14%, G1 MSM -4%)
        d0, d1, d2, d3, borrow = _minus_p(t0, t1, t2, t3)
        keep = zero_limb - borrow
        return (d0 ^ ((t0 ^ d0) & keep), d1 ^ ((t1 ^ d1) & keep),
                d2 ^ ((t2 ^ d2) & keep), d3 ^ ((t3 ^ d3) & keep))

    @njit(cache=True)
    def mul(a, b):
        b0, b1, b2, b3 = b
        t = _cios_step(zero_limb, zero_limb, zero_limb, zero_limb, a[0], b0, b1, b2, b3)
        t = _cios_step(t[0], t[1], t[2], t[3], a[1], b0, b1, b2, b3)
        t = _cios_step(t[0], t[1], t[2], t[3], a[2], b0, b1, b2, b3)
        t = _cios_step(t[0], t[1], t[2], t[3], a[3], b0, b1, b2, b3)
        return _reduce_once(t[0], t[1], t[2], t[3])

    @njit(cache=True)
    def sqr(a):
        # mul on purpose: a dedicated squaring (cross products once, doubled: 26 products
        # instead of 32, then SOS reduction) measured 6% slower in a dependent chain (23.0
        # vs 21.6 ns) and no faster in a G1 MSM, since CIOS is bound by its carry latency
        return mul(a, a)

    @njit(cache=True)
    def add(a, b):
        s0, c = adc(a[0], b[0], zero_limb)
        s1, c = adc(a[1], b[1], c)
        s2, c = adc(a[2], b[2], c)
        s3, c = adc(a[3], b[3], c)
        return _reduce_once_masked(s0, s1, s2, s3)

    @njit(cache=True)
    def sub(a, b):
        d0, borrow = sbb(a[0], b[0], zero_limb)
        d1, borrow = sbb(a[1], b[1], borrow)
        d2, borrow = sbb(a[2], b[2], borrow)
        d3, borrow = sbb(a[3], b[3], borrow)
        add_back = zero_limb - borrow  # p's limbs masked in when a - b borrowed (no branch)
        d0, c = adc(d0, n0 & add_back, zero_limb)
        d1, c = adc(d1, n1 & add_back, c)
        d2, c = adc(d2, n2 & add_back, c)
        d3, c = adc(d3, n3 & add_back, c)
        return (d0, d1, d2, d3)

    @njit(cache=True)
    def is_zero(a):
        return (a[0] | a[1] | a[2] | a[3]) == 0

    @njit(cache=True)
    def eq(a, b):
        return a[0] == b[0] and a[1] == b[1] and a[2] == b[2] and a[3] == b[3]

    @njit(cache=True)
    def is_canonical(a):
        """a < modulus, comparing limbs from the most significant one: holds for every
        reduced value, plain or Montgomery; a kernel's input from outside must pass it."""
        for j in range(3, -1, -1):
            if a[j] != modulus_limbs[j]:
                return a[j] < modulus_limbs[j]
        return False

    @njit(cache=True)
    def neg(a):
        if is_zero(a):
            return a
        return sub(zero, a)

    @njit(cache=True)
    def double(a):
        return add(a, a)

    pow_limbs = make_exponentiation(sqr, mul, one)

    @njit(cache=True)
    def inv(a):
        """1/a by Fermat (a^(p-2)); 0 maps to 0, callers check for zero first."""
        return pow_limbs(a, exp_inverse)

    @njit(cache=True)
    def to_mont(a):
        return mul(a, r2)

    @njit(cache=True)
    def from_mont(a):
        return mul(a, plain_one)

    @njit(cache=True)
    def load(array, i):
        return (array[i, 0], array[i, 1], array[i, 2], array[i, 3])

    @njit(cache=True)
    def store(array, i, a):
        array[i, 0] = a[0]
        array[i, 1] = a[1]
        array[i, 2] = a[2]
        array[i, 3] = a[3]

    return SimpleNamespace(
        modulus=modulus, zero=zero, one=one, r2=r2, limbs=modulus_limbs,
        mul=mul, sqr=sqr, add=add, sub=sub, neg=neg, double=double, is_zero=is_zero, eq=eq,
        is_canonical=is_canonical,
        pow_limbs=pow_limbs, inv=inv, to_mont=to_mont, from_mont=from_mont,
        load=load, store=store,
    )
