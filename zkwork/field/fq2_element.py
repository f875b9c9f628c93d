"""Scalar API for Fq2 = Fq[u]/(u^2 + 1): readable elements c0 + c1*u backed by Python ints.

This is the slow, obviously-correct companion of the numba kernels in `zkwork.field.fq2`,
used at the edges (parsing, serialization, deriving constants) and as a test oracle.

Square roots use the "complex method", which works because u^2 = -1 and p = 3 (mod 4):
a = a0 + a1 u is a square in Fq2 exactly when its norm a0^2 + a1^2 is a square in Fq.
If x0 + x1 u squares to a, then x0^2 - x1^2 = a0 and 2 x0 x1 = a1, so with
alpha = sqrt(norm), x0^2 = (a0 + alpha)/2 (or (a0 - alpha)/2 when that one is not a
square in Fq) and x1 = a1 / (2 x0); a1 = 0 (a in Fq) is the one case needing care. The Fq square roots come from `Fq.sqrt`.
"""
import secrets

from zkwork.errors import EncodingError, NotASquareError, NotInvertibleError
from zkwork.field.fields import Fq
from zkwork.field.params import P


class Fq2:
    """c0 + c1*u with u^2 = -1; + - * / ** with Fq2, Fq and int operands."""

    __slots__ = ("c0", "c1")

    def __init__(self, c0=0, c1=0):
        self.c0 = int(c0) % P
        self.c1 = int(c1) % P

    @classmethod
    def _coerce(cls, other):
        if isinstance(other, Fq2):
            return other
        if isinstance(other, (int, Fq)):
            return cls(other)
        return None

    def __add__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else Fq2(self.c0 + o.c0, self.c1 + o.c1)

    def __sub__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else Fq2(self.c0 - o.c0, self.c1 - o.c1)

    def __rsub__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else o - self

    def __mul__(self, other):
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return Fq2(self.c0 * o.c0 - self.c1 * o.c1, self.c0 * o.c1 + self.c1 * o.c0)

    def __truediv__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else self * o.inverse()

    def __rtruediv__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else o * self.inverse()

    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self):
        return Fq2(-self.c0, -self.c1)

    def __pow__(self, exponent):
        if exponent < 0:
            return self.inverse() ** (-exponent)
        result, base = Fq2(1), self
        while exponent:
            if exponent & 1:
                result = result * base
            base = base * base
            exponent >>= 1
        return result

    def conjugate(self):
        """c0 - c1 u, which is also the Frobenius map a -> a^p."""
        return Fq2(self.c0, -self.c1)

    def norm(self):
        """a * conj(a) = c0^2 + c1^2, an element of Fq."""
        return Fq(self.c0 * self.c0 + self.c1 * self.c1)

    def inverse(self):
        """The multiplicative inverse 1/a; NotInvertibleError (a ZeroDivisionError) for 0."""
        if self.is_zero():
            raise NotInvertibleError("0 has no inverse in Fq2")
        norm_inv = self.norm().inverse().value
        return Fq2(self.c0 * norm_inv, -self.c1 * norm_inv)

    def is_zero(self):
        """Whether this element is 0."""
        return self.c0 == 0 and self.c1 == 0

    def is_square(self):
        """Whether this element is a square in Fq2 (its norm is a square in Fq)."""
        return self.norm().is_square()

    def sqrt(self):
        """A square root (the lexicographically smaller of the two, see `sort_key`);
        NotASquareError if there is none."""
        a0, a1 = Fq(self.c0), Fq(self.c1)
        if a1 == 0:
            # a is in Fq, and -1 is not a square in Fq, so either a0 or -a0 is: the root
            # is sqrt(a0) or u * sqrt(-a0), since u^2 = -1.
            root = Fq2(a0.sqrt()) if a0.is_square() else Fq2(0, (-a0).sqrt())
        else:
            try:
                alpha = self.norm().sqrt()
            except NotASquareError:
                raise NotASquareError(f"{self!r} is not a square in Fq2") from None
            half = Fq(2).inverse()
            # Exactly one of (a0 +- alpha)/2 is a square in Fq when the norm is one.
            try:
                x0 = ((a0 + alpha) * half).sqrt()
            except NotASquareError:
                x0 = ((a0 - alpha) * half).sqrt()
            root = Fq2(x0, a1 / (x0 + x0))
        return min(root, -root, key=Fq2.sort_key)

    def sort_key(self):
        """The lexicographic order on Fq2 used by compressed encodings: c1 first, c0 next."""
        return (self.c1, self.c0)

    @property
    def coeffs(self):
        """The coefficients (c0, c1) as Python ints."""
        return (self.c0, self.c1)

    def __eq__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else (self.c0, self.c1) == (o.c0, o.c1)

    def __hash__(self):
        return hash(("Fq2", self.c0, self.c1))

    def __repr__(self):
        return f"Fq2({self.c0:#x}, {self.c1:#x})"

    def to_bytes(self):
        """64 bytes: c1 then c0, each 32 bytes big-endian (the order of EIP-197)."""
        return self.c1.to_bytes(32, "big") + self.c0.to_bytes(32, "big")

    @classmethod
    def from_bytes(cls, data):
        """Inverse of to_bytes; EncodingError on a wrong length, NonCanonicalEncodingError
        when a coefficient is >= p."""
        if len(data) != 64:
            raise EncodingError(f"Fq2 element needs 64 bytes, got {len(data)}")
        c1, c0 = Fq.from_bytes(data[:32]), Fq.from_bytes(data[32:])
        return cls(c0, c1)

    @classmethod
    def random(cls):
        """A uniformly random Fq2 element, from the `secrets` module."""
        return cls(secrets.randbelow(P), secrets.randbelow(P))
