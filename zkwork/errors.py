"""Typed errors. Each names what is wrong: the value, the point, the buffer."""


class ZkworkError(Exception):
    """Base class of every error zkwork raises on purpose."""


class EncodingError(ZkworkError, ValueError):
    """A byte string or integer does not encode what it claims to (wrong length, flags)."""


class NonCanonicalEncodingError(EncodingError):
    """An encoded field element is not reduced (x >= modulus)."""


class PointNotOnCurveError(ZkworkError, ValueError):
    """Coordinates that do not satisfy the curve equation."""


class PointNotInSubgroupError(ZkworkError, ValueError):
    """A curve point outside the prime-order subgroup."""


class NotASquareError(ZkworkError, ValueError):
    """sqrt of a quadratic non-residue."""


class BackendError(ZkworkError, LookupError):
    """An unknown arithmetic backend name."""


class ShapeMismatchError(ZkworkError, ValueError):
    """Arrays of the wrong shape or dtype, or of lengths that must agree and do not."""


class ScalarOutOfRangeError(ZkworkError, ValueError):
    """A scalar given as limbs that is not below the group order r."""


class DomainSizeError(ZkworkError, ValueError):
    """An evaluation domain size that is not a power of two, exceeds the field's 2-adicity,
    or is too small for the polynomial given to it."""
