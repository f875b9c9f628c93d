"""Multiplicative evaluation domains of Fr: the subgroups {omega^i} of power-of-two order.

r - 1 = 2^TWO_ADICITY * odd, so Fr^* has a cyclic subgroup of every order 2^k, k <= 28.
Raising a generator of Fr^* to the power (r - 1) / 2^k gives a generator of the subgroup
of order 2^k, i.e. a primitive 2^k-th root of unity.
"""
from functools import lru_cache

import numpy as np

from zkwork.errors import DomainSizeError
from zkwork.field import FR, FieldVector, Fr, R
from zkwork.poly.kernels import powers

TWO_ADICITY = ((R - 1) & -(R - 1)).bit_length() - 1
# The smallest generator of Fr^* (the tests check both). Its order r - 1 exceeds every
# domain size, so it lies in no domain H and g*H is a coset disjoint from H.
MULTIPLICATIVE_GENERATOR = 5
MAX_ROOT_OF_UNITY = pow(MULTIPLICATIVE_GENERATOR, (R - 1) >> TWO_ADICITY, R)
# Order exactly 2^TWO_ADICITY: its 2^(TWO_ADICITY-1)-th power is -1, not 1.
assert pow(MAX_ROOT_OF_UNITY, 1 << (TWO_ADICITY - 1), R) == R - 1


def _twiddle_table(root, size):
    """Rows h-1 .. 2h-2 hold w^0 .. w^(h-1) for w = root^(size/2h), for h = 1, 2, .., size/2
    (the stage layout the NTT kernels expect)."""
    if size == 1:
        return np.empty((0, 4), dtype=np.uint64)
    half = powers(FR.to_mont_limbs(root), size // 2)
    stages = [half[:: size // (2 * h)] for h in (1 << s for s in range(size.bit_length() - 1))]
    return np.ascontiguousarray(np.concatenate(stages))


class Domain:
    """The subgroup of Fr^* of order `size` (a power of two), with what transforms over it need:
    omega (a primitive size-th root of unity), its inverse, 1/size, twiddle tables and the
    default coset shift."""

    def __init__(self, size):
        if not isinstance(size, int) or size < 1 or size & (size - 1):
            raise DomainSizeError(f"domain size must be a power of two, got {size!r}")
        if size > 1 << TWO_ADICITY:
            raise DomainSizeError(
                f"domain size {size} exceeds 2^{TWO_ADICITY}, the largest power of two dividing r - 1"
            )
        self.size = size
        self.log_size = size.bit_length() - 1
        self.omega = Fr(pow(MAX_ROOT_OF_UNITY, 1 << (TWO_ADICITY - self.log_size), R))
        self.omega_inv = self.omega.inverse()
        self.size_inv = Fr(size).inverse()
        self.coset_generator = Fr(MULTIPLICATIVE_GENERATOR)
        self.twiddles = _twiddle_table(self.omega.value, size)
        self.inv_twiddles = _twiddle_table(self.omega_inv.value, size)

    @classmethod
    def for_length(cls, length):
        """The smallest domain holding `length` values (a shared, cached instance)."""
        return _cached_domain(1 << max(length - 1, 0).bit_length())

    def element(self, i):
        """omega^i, the i-th element of the domain (i taken mod size), as an Fr element."""
        return self.omega ** (i % self.size)

    def elements(self):
        """omega^0, omega^1, ..., omega^(size-1) as a FieldVector."""
        return FieldVector(FR, powers(FR.to_mont_limbs(self.omega.value), self.size))

    def __repr__(self):
        return f"Domain(size=2^{self.log_size})"


@lru_cache(maxsize=8)
def _cached_domain(size):
    return Domain(size)
