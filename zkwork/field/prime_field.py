"""Scalar API: readable elements of a prime field backed by Python integers, and the
`PrimeField` object that ties an element class to its numba kernels."""
import secrets

from zkwork.errors import EncodingError, FieldMismatchError, NonCanonicalEncodingError, NotASquareError, NotInvertibleError
from zkwork.field.limbs import int_to_limbs, limbs_to_int, make_field_kernels
from zkwork.field.vector import make_vector_kernels


class FieldElement:
    """An element of the prime field `field`; + - * / ** with elements and ints."""

    __slots__ = ("value",)
    field = None  # set on each concrete subclass by PrimeField

    def __init__(self, value):
        if isinstance(value, FieldElement):
            if value.field is not self.field:
                raise FieldMismatchError(f"cannot convert an element of {value.field.name} to {self.field.name}")
            value = value.value
        self.value = int(value) % self.field.modulus

    def _coerce(self, other):
        if isinstance(other, FieldElement):
            if other.field is not self.field:
                raise FieldMismatchError(f"cannot mix {self.field.name} and {other.field.name}")
            return other.value
        if isinstance(other, int):
            return other
        return None

    def __add__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else type(self)(self.value + o)

    def __sub__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else type(self)(self.value - o)

    def __mul__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else type(self)(self.value * o)

    def __truediv__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else self * type(self)(o).inverse()

    def __rsub__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else type(self)(o - self.value)

    def __rtruediv__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else type(self)(o) * self.inverse()

    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self):
        return type(self)(-self.value)

    def __reduce__(self):
        # The element classes are made at run time; pickles name the field instead.
        return self.field.element_of, (self.value,)

    def __pow__(self, exponent):
        if exponent < 0:
            return self.inverse() ** (-exponent)
        return type(self)(pow(self.value, exponent, self.field.modulus))

    def inverse(self):
        """The multiplicative inverse 1/a; NotInvertibleError (a ZeroDivisionError) for 0."""
        if self.value == 0:
            raise NotInvertibleError(f"0 has no inverse in {self.field.name}")
        return type(self)(pow(self.value, -1, self.field.modulus))

    def is_square(self):
        """Whether this element is a square in its field (0 counts as one)."""
        return self.value == 0 or pow(self.value, (self.field.modulus - 1) // 2, self.field.modulus) == 1

    def sqrt(self):
        """The smaller square root (Tonelli-Shanks; NotASquareError if there is none)."""
        p = self.field.modulus
        if self.value == 0:
            return type(self)(0)
        if not self.is_square():
            raise NotASquareError(f"{self.value} is not a square in {self.field.name}")
        if p % 4 == 3:  # Fq: one exponentiation suffices, a^((p+1)/4)
            root = pow(self.value, (p + 1) // 4, p)
            return type(self)(min(root, p - root))
        q, s = p - 1, 0
        while q % 2 == 0:
            q, s = q // 2, s + 1
        z = self.field.non_residue
        m, c, t, root = s, pow(z, q, p), pow(self.value, q, p), pow(self.value, (q + 1) // 2, p)
        while t != 1:
            i, t2 = 0, t
            while t2 != 1:
                t2, i = t2 * t2 % p, i + 1
            b = pow(c, 1 << (m - i - 1), p)
            m, c, t, root = i, b * b % p, t * b * b % p, root * b % p
        return type(self)(min(root, p - root))

    def __int__(self):
        return self.value

    def __eq__(self, other):
        if isinstance(other, FieldElement):
            return other.field is self.field and other.value == self.value
        if isinstance(other, int):
            return self.value == other % self.field.modulus
        return NotImplemented

    def __hash__(self):
        return hash((self.field.name, self.value))

    def __repr__(self):
        return f"{self.field.name}({self.value})"

    def to_bytes(self, byteorder="big"):
        """The 32-byte encoding of the canonical value, big-endian by default."""
        return self.value.to_bytes(32, byteorder)

    @classmethod
    def from_bytes(cls, data, byteorder="big"):
        """The element a 32-byte canonical encoding names; EncodingError otherwise."""
        if len(data) != 32:
            raise EncodingError(f"{cls.field.name} element needs 32 bytes, got {len(data)}")
        value = int.from_bytes(data, byteorder)
        if value >= cls.field.modulus:
            raise NonCanonicalEncodingError(
                f"{cls.field.name} encoding {value:#x} is not reduced: it is >= the modulus"
            )
        return cls(value)

    @classmethod
    def random(cls):
        """A uniformly random element of the field, from the `secrets` module."""
        return cls(secrets.randbelow(cls.field.modulus))


class PrimeField:
    """A prime field: its modulus, its scalar element class and its numba kernels. One
    instance per (name, modulus): unpickling finds it again rather than making a twin
    whose elements would not mix with the original's."""

    _instances = {}

    def __new__(cls, name, modulus):
        key = (name, modulus)
        if key not in cls._instances:
            cls._instances[key] = super().__new__(cls)
        return cls._instances[key]

    def __getnewargs__(self):
        return self.name, self.modulus

    def __getstate__(self):
        return None  # the instance found by __new__ is already complete

    def __setstate__(self, state):
        """Nothing to restore (see __getstate__)."""

    def element_of(self, value):
        """The element of this field with this value (what an element's pickle calls)."""
        return self.element(value)

    def __init__(self, name, modulus):
        if getattr(self, "modulus", None) == modulus:
            return  # an existing instance, returned by __new__
        self.name = name
        self.modulus = modulus
        self.kernels = make_field_kernels(modulus)
        self.vec = make_vector_kernels(self.kernels)
        self.element = type(name, (FieldElement,), {"field": self, "__slots__": ()})
        self.non_residue = next(z for z in range(2, 100) if pow(z, (modulus - 1) // 2, modulus) == modulus - 1)
        self._r_inv = pow(1 << 256, -1, modulus)

    def to_mont_limbs(self, value):
        """The Montgomery form value * 2^256 mod p of an int, as 4 little-endian uint64 limbs."""
        return int_to_limbs(int(value) * (1 << 256) % self.modulus)

    def from_mont_limbs(self, limbs):
        """The element whose Montgomery form is given as 4 little-endian uint64 limbs."""
        return self.element(limbs_to_int(limbs) * self._r_inv)

    def __repr__(self):
        return f"PrimeField({self.name})"
