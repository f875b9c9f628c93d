"""GT, the order-r subgroup of Fq12^* where pairing values live, as a small value class.

A GT object wraps one (2, 3, 2, 4) Montgomery array in the tower layout of `tower`. Montgomery
limbs of reduced values are unique, so equality is equality of arrays.
"""
import numpy as np

from zkwork.errors import EncodingError, NotInvertibleError
from zkwork.field.limbs import ints_to_array
from zkwork.jit import njit
from zkwork.pairing.tower import (
    ONE_ARRAY,
    fq12_array_from_flat,
    fq12_array_to_flat,
    fq12_empty,
    fq12_inv,
    fq12_is_zero,
    fq12_load,
    fq12_mul,
    fq12_pow,
    fq12_store,
)


@njit(cache=True)
def _mul_into(a, b, out):
    fq12_store(out, fq12_mul(fq12_load(a), fq12_load(b)))


@njit(cache=True)
def _inv_into(a, out):
    fq12_store(out, fq12_inv(fq12_load(a)))


@njit(cache=True)
def _pow_into(a, exponent_limbs, out):
    fq12_store(out, fq12_pow(fq12_load(a), exponent_limbs))


@njit(cache=True)
def _is_zero(a):
    return fq12_is_zero(fq12_load(a))


def _exponent_limbs(e):
    """A non-negative int as little-endian uint64 limbs (a multiple of 4, at least 4)."""
    values = [(e >> (256 * k)) % (1 << 256) for k in range(max(1, -(-e.bit_length() // 256)))]
    return ints_to_array(values).reshape(-1)


class GT:
    """An Fq12 element, normally a pairing value; supports ==, *, ** int, inverse, is_one."""

    __slots__ = ("array",)

    def __init__(self, array):
        array = np.asarray(array)
        if array.shape != (2, 3, 2, 4) or array.dtype != np.uint64:
            raise EncodingError(
                f"an Fq12 element is a (2, 3, 2, 4) uint64 array, got {array.shape} {array.dtype}"
            )
        self.array = array

    @classmethod
    def one(cls):
        """The identity of GT, the Fq12 element 1."""
        return cls(ONE_ARRAY.copy())

    def is_one(self):
        """Whether this is the identity 1."""
        return np.array_equal(self.array, ONE_ARRAY)

    def __mul__(self, other):
        if not isinstance(other, GT):
            return NotImplemented
        out = fq12_empty()
        _mul_into(self.array, other.array, out)
        return GT(out)

    def inverse(self):
        """The multiplicative inverse; NotInvertibleError (a ZeroDivisionError) for 0."""
        if _is_zero(self.array):
            raise NotInvertibleError("0 in Fq12 has no inverse")
        out = fq12_empty()
        _inv_into(self.array, out)
        return GT(out)

    def __pow__(self, exponent):
        if not isinstance(exponent, int):
            return NotImplemented
        if exponent < 0:
            return self.inverse() ** (-exponent)
        out = fq12_empty()
        _pow_into(self.array, _exponent_limbs(exponent), out)
        return GT(out)

    def __eq__(self, other):
        if not isinstance(other, GT):
            return NotImplemented
        return np.array_equal(self.array, other.array)

    def __hash__(self):
        return hash(self.array.tobytes())

    def __repr__(self):
        return f"GT({fq12_array_to_flat(self.array)})"

    def to_py_ecc(self):
        """This element as py_ecc's FQ12 (the class py_ecc.bn128.pairing returns)."""
        from py_ecc.fields import bn128_FQ12

        return bn128_FQ12(fq12_array_to_flat(self.array))

    @classmethod
    def from_py_ecc(cls, value):
        """From a py_ecc FQ12 of py_ecc.bn128 or py_ecc.optimized_bn128 (12 flat coefficients)."""
        coeffs = getattr(value, "coeffs", None)
        if coeffs is None or len(coeffs) != 12:
            raise EncodingError(f"expected a py_ecc FQ12 with 12 coefficients, got {value!r}")
        return cls(fq12_array_from_flat([int(c) for c in coeffs]))
