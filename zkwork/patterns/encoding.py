"""Strings into field elements: the one encoding every pattern uses for PID parts,
locker ids and facility ids.

A string's UTF-8 bytes b (length n) become an element of Fr as follows:
  - n <= 31: n * 2^248 + int.from_bytes(b, "big") — packed, readable back, and injective
    (the length in the top byte keeps "a" and "\\x00a" apart);
  - n >= 32: 32 * 2^248 + (int.from_bytes(sha256(b), "big") mod 2^248) — hashed.
Both are below 33 * 2^248 < r, and the two ranges do not overlap, so distinct short
strings never collide and a long string collides with another only through SHA-256.
"""
import hashlib

from zkwork.errors import CircuitInputError, EncodingError, WrongTypeError
from zkwork.field import R

PACK_LIMIT = 31
_TAG_SHIFT = 248
assert (PACK_LIMIT + 2) << _TAG_SHIFT < R


def encode_string(text):
    """The field element of a string (see the module docstring)."""
    if not isinstance(text, str):
        raise WrongTypeError(f"expected a string, got {type(text).__name__}")
    data = text.encode("utf-8")
    if len(data) <= PACK_LIMIT:
        return (len(data) << _TAG_SHIFT) + int.from_bytes(data, "big")
    digest = int.from_bytes(hashlib.sha256(data).digest(), "big")
    return ((PACK_LIMIT + 1) << _TAG_SHIFT) + digest % (1 << _TAG_SHIFT)


def decode_string(value):
    """The string a packed encoding came from; ValueError for hashed or foreign values."""
    length, packed = value >> _TAG_SHIFT, value & ((1 << _TAG_SHIFT) - 1)
    if length > PACK_LIMIT or packed >> (8 * length):
        raise EncodingError(f"{value:#x} is not the packed encoding of a string of at most {PACK_LIMIT} bytes")
    return packed.to_bytes(length, "big").decode("utf-8")


def parse_pid(pid):
    """The components of a hierarchical place identifier such as
    'JP-13-113-01-T07-B12-BN02-R342': country first, then the admin levels and the
    block, building and room, separated by '-'. Empty components are an error."""
    if not isinstance(pid, str) or not pid:
        raise CircuitInputError(f"a PID is a non-empty string, got {pid!r}")
    parts = pid.split("-")
    if any(not part for part in parts):
        raise CircuitInputError(f"PID {pid!r} has an empty component")
    return parts


def encode_pid(pid):
    """The PID as one field element (its whole text encoded), the value the patterns hash."""
    parse_pid(pid)
    return encode_string(pid)
