"""Byte encodings of G1 and G2 points.

Coordinates are big-endian. An Fq element takes 32 bytes; an Fq2 element c0 + c1*u takes
64 bytes, c1 first then c0, the order of EIP-197 (Ethereum's pairing precompile).

Uncompressed: x || y, 64 bytes for G1 and 128 for G2. The point at infinity is all zeros
(the (0, 0) convention of EIP-196/197; (0, 0) is on neither curve since b != 0). No flag
bits: since p < 2^254 the two top bits of a canonical coordinate are always zero.

Compressed: x alone, 32 bytes for G1 and 64 for G2, with flags in the two top bits of
the first byte, which p < 2^254 leaves free:
  bit 7 (0x80): the point at infinity; every other bit must then be zero.
  bit 6 (0x40): y is the lexicographically larger of the two roots of x^3 + b, i.e.
                y > -y, comparing c1 first and c0 only if c1 == 0 for Fq2, and as
                integers in [0, p) for Fq. y = 0 never happens: the curve orders are odd.

The length tells the two forms apart. Decoding checks the length, the flags, that each
coordinate is < p, and (when decompressing) that x^3 + b has a square root; the caller
(`zkwork.curve.points`) checks that the point is on the curve and in the subgroup.
"""
from zkwork.errors import EncodingError, NotASquareError, PointNotOnCurveError
from zkwork.field.fq2_element import Fq2

FLAG_INFINITY = 0x80
FLAG_LARGER_Y = 0x40
FLAG_MASK = FLAG_INFINITY | FLAG_LARGER_Y


def lexicographic_key(y):
    """The order in which compressed encodings compare y with -y."""
    return y.sort_key() if isinstance(y, Fq2) else y.value


def is_larger_root(y):
    """Whether y is the larger of y and -y in `lexicographic_key` order (the 0x40 flag)."""
    return lexicographic_key(y) > lexicographic_key(-y)


def encode(curve, affine, compressed):
    """Bytes of the affine point `affine` ((x, y) coordinate elements, None for infinity)
    on `curve` (anything with `coordinate_bytes`)."""
    size = curve.coordinate_bytes
    if affine is None:
        return bytes([FLAG_INFINITY]) + bytes(size - 1) if compressed else bytes(2 * size)
    x, y = affine
    if not compressed:
        return x.to_bytes() + y.to_bytes()
    encoded = bytearray(x.to_bytes())
    if is_larger_root(y):
        encoded[0] |= FLAG_LARGER_Y
    return bytes(encoded)


def decode(curve, data):
    """The affine point (x, y) that `data` encodes, or None for infinity.

    `curve` provides `name`, `coordinate` (the element class, with from_bytes),
    `coordinate_bytes` and `b` (the curve constant as an element)."""
    data = bytes(data)
    size = curve.coordinate_bytes
    if len(data) == 2 * size:
        return _decode_uncompressed(curve, data)
    if len(data) == size:
        return _decode_compressed(curve, data)
    raise EncodingError(
        f"a {curve.name} point encoding needs {2 * size} bytes (uncompressed) or {size} bytes "
        f"(compressed), got {len(data)}"
    )


def _decode_uncompressed(curve, data):
    size = curve.coordinate_bytes
    if data[0] & FLAG_MASK:
        raise EncodingError(
            f"uncompressed {curve.name} encodings carry no flags, but the first byte is {data[0]:#04x}"
        )
    x = curve.coordinate.from_bytes(data[:size])
    y = curve.coordinate.from_bytes(data[size:])
    if x == 0 and y == 0:
        return None
    return x, y


def _decode_compressed(curve, data):
    flags = data[0] & FLAG_MASK
    body = bytes([data[0] & ~FLAG_MASK & 0xFF]) + data[1:]
    if flags & FLAG_INFINITY:
        if flags & FLAG_LARGER_Y or any(body):
            raise EncodingError(
                f"compressed {curve.name} infinity must be {FLAG_INFINITY:#04x} followed by zeros, "
                f"got {data.hex()}"
            )
        return None
    x = curve.coordinate.from_bytes(body)
    try:
        y = (x * x * x + curve.b).sqrt()
    except NotASquareError:
        raise PointNotOnCurveError(f"no {curve.name} point has x = {x!r}: x^3 + b is not a square") from None
    if is_larger_root(y) != bool(flags & FLAG_LARGER_Y):
        y = -y
    return x, y
