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


class CircuitInputError(ZkworkError, ValueError):
    """A circuit input that is missing, of the wrong length, or not a field element < r."""


class CircuitError(ZkworkError, ValueError):
    """A circuit description that cannot be built (e.g. a constant constraint that fails)."""


class UnsatisfiedConstraintError(ZkworkError, ValueError):
    """A witness that violates a constraint; the message names the constraint's label."""


class PoseidonArityError(ZkworkError, ValueError):
    """A Poseidon hash of a number of inputs its parameters do not cover (circomlib: 1 to 16)."""


class PoseidonInputRangeError(ZkworkError, ValueError):
    """A Poseidon input that is not an element of Fr: an integer outside [0, r)."""


class ParameterFileError(ZkworkError, ValueError):
    """A parameters data file for another field or construction than the code expects."""


class JsonFormatError(ZkworkError, ValueError):
    """A snarkjs JSON file (key, proof, public signals) that is malformed; names the field."""


class KeyFormatError(ZkworkError, ValueError):
    """A proving-key directory that is incomplete or inconsistent; names the file."""


class FormatError(ZkworkError, ValueError):
    """A binary circom/snarkjs file (.r1cs, .wtns, .zkey) that is malformed. The message names
    the file and the section; `section` holds the section's name (None for the file header)."""

    def __init__(self, message, section=None):
        super().__init__(message)
        self.section = section


class WrongMagicError(FormatError):
    """A file that does not start with the four magic bytes of the expected kind."""


class UnsupportedVersionError(FormatError):
    """A file format version newer than the reader knows."""


class UnsupportedProtocolError(FormatError):
    """A zkey for another proving system than Groth16 (PLONK, FFLONK)."""


class MissingSectionError(FormatError):
    """A required section that the file does not contain."""


class DuplicateSectionError(FormatError):
    """A section that must appear once and appears more than once."""


class SectionSizeError(FormatError):
    """A section whose declared size disagrees with the content its header describes."""


class CountTooLargeError(FormatError):
    """A count (wires, constraints, points) that claims more data than the section holds;
    raised before anything of that size is allocated."""


class WrongFieldError(FormatError):
    """A file over another field or curve than BN254 (element size or prime)."""


class TruncatedFileError(FormatError):
    """A file that ends inside its header or inside a section."""


class InvalidValueError(FormatError):
    """A value that its section does not allow: a field element >= its modulus, a wire or
    constraint index out of range, a point off the curve."""


class UnreadableFileError(ZkworkError, ValueError):
    """A file that cannot be read as input: missing, not a regular file (a device, FIFO or
    directory), or larger than what its kind may hold."""
