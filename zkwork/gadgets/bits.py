"""Gadgets built on bits: bit decomposition (range checks), zero and equality tests,
comparison, and the bit-controlled swap of two signals, with circomlib's semantics and
constraint counts under circom --O2.

Each gadget gets its values from the prover through a hint (the bits of a number, an
inverse) and then constrains the hint so that only the honest value satisfies the system:

- num2bits(x, n):   bits b_i with b_i * (b_i - 1) = 0 and sum b_i * 2^i = x. The sum is
                    linear, so --O2 eliminates it by solving for the top bit: n constraints.
                    This proves x < 2^n, which is why it doubles as a range check.
- is_zero(x):       inv with out = 1 - x * inv and x * out = 0. If x != 0 the second forces
                    out = 0, so x * inv = 1; if x = 0 the first forces out = 1: 2 constraints.
- less_than(n, a, b): a + 2^n - b decomposed into n + 1 bits; its top bit is 1 exactly when
                    a >= b, *provided* a, b < 2^n. The gadget does not check that proviso
                    (circomlib's LessThan does not either): with larger inputs a prover can
                    make it answer what it likes. less_than_checked range-checks a and b first.
- switcher(bit, a, b): (a, b) when bit = 0, (b, a) when bit = 1, from the single product
                    bit * (b - a). The bit is not checked here; callers assert it boolean.
"""
from zkwork.errors import CircuitError
from zkwork.field import R
from zkwork.r1cs import hints

# 2^253 < r < 2^254: up to 253 bits, a decomposition is unique; beyond, x and x + r would
# both have one and the range check would mean nothing.
MAX_BITS = R.bit_length() - 1


def num2bits(cs, x, n):
    """The n bits of x, least significant first, constrained boolean and to sum to x
    (so x < 2^n, or the system is unsatisfiable). Labels num2bits/boolean[i], num2bits/sum."""
    if not 1 <= n <= MAX_BITS:
        raise CircuitError(f"num2bits decomposes into 1 to {MAX_BITS} bits, not {n}")
    with cs.namespace("num2bits"):
        bits = cs.hint("bit", hints.bits(n), x, n=n)
        for i, bit in enumerate(bits):
            cs.assert_boolean(bit, f"boolean[{i}]")
        cs.assert_equal(sum((bit * (1 << i) for i, bit in enumerate(bits)), cs.constant(0)), x, "sum")
    return bits


def is_zero(cs, x):
    """1 if x == 0 else 0, as a signal. Labels is_zero/product, is_zero/zero_or_one."""
    with cs.namespace("is_zero"):
        inverse = cs.hint("inverse", hints.INVERSE, x)
        out = cs.mul_add(-x, inverse, 1, "product")  # circomlib's out <== -in*inv + 1
        cs.enforce(x, out, 0, "zero_or_one")
    return out


def is_equal(cs, a, b):
    """1 if a == b else 0 (is_zero of the difference)."""
    with cs.namespace("is_equal"):
        return is_zero(cs, a - b)


def less_than(cs, n, a, b):
    """1 if a < b else 0, for a and b known to be below 2^n (unchecked; see the module)."""
    if not 1 <= n < MAX_BITS:
        raise CircuitError(f"less_than compares numbers of 1 to {MAX_BITS - 1} bits, not {n}")
    with cs.namespace("less_than"):
        bits = num2bits(cs, a + (1 << n) - b, n + 1)
    return 1 - bits[n]


def less_than_checked(cs, n, a, b):
    """less_than with both inputs first range-checked to n bits: 3n + 1 constraints, and
    sound for every input (an input of n or more bits makes the system unsatisfiable)."""
    with cs.namespace("less_than_checked"):
        with cs.namespace("range_a"):
            num2bits(cs, a, n)
        with cs.namespace("range_b"):
            num2bits(cs, b, n)
        return less_than(cs, n, a, b)


def switcher(cs, bit, a, b):
    """(left, right) = (a, b) if bit == 0 else (b, a), for a bit the caller constrains
    boolean; one constraint, label switcher/select."""
    with cs.namespace("switcher"):
        left = cs.mul(bit, b - a, "select") + a
    return left, a + b - left
