"""ffjavascript's random stream and what snarkjs draws from it (snarkjs's hash to G2, its
beacon's secrets).

The stream: ChaCha20 keyed by eight big-endian u32 words (a digest's first 32 bytes), zero
nonce, a 128-bit block counter, the sixteen output words of each block in order. From it:
  - a field element: four u64s (each the next u32 as the high half, then the low half),
    the i-th shifted by 64 i, masked to the modulus' bit length, drawn again until below
    the modulus. ffjavascript hands this integer v over as a Montgomery representation,
    so the element is v / 2^256 mod q (or mod r for scalars);
  - a curve point: x (Fq, or Fq2 as c0 then c1), then one bit (the next u32's lowest),
    again until x^3 + b is a square; y is the root that is "negative" (the larger one,
    c1 compared first) iff the bit is set; in G2 the point is multiplied by the cofactor
    2q - r of the twist.
hash_to_g2 (snarkjs's hashToG2) keys the stream with a BLAKE2b digest and draws a G2 point.
"""
from zkwork.ceremony.pok import G2_COFACTOR
from zkwork.curve import G1Point, G2Point
from zkwork.field import Fq, Fr, P, R
from zkwork.field.fq2_element import Fq2


class ChaCha:
    """ffjavascript's ChaCha20 stream (see the module docstring) over eight u32 seed words."""

    def __init__(self, seed):
        self.state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574, *seed, 0, 0, 0, 0]
        self.block, self.index = [], 16

    @staticmethod
    def _quarter_round(x, a, b, c, d):
        for (p, q, r, bits) in ((a, b, d, 16), (c, d, b, 12), (a, b, d, 8), (c, d, b, 7)):
            x[p] = (x[p] + x[q]) & 0xFFFFFFFF
            x[r] ^= x[p]
            x[r] = ((x[r] << bits) | (x[r] >> (32 - bits))) & 0xFFFFFFFF

    def next_u32(self):
        """The next u32 of the stream (a new ChaCha20 block every sixteen words)."""
        if self.index == 16:
            x = list(self.state)
            for _ in range(10):
                for quarter in ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
                                (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)):
                    self._quarter_round(x, *quarter)
            self.block = [(a + b) & 0xFFFFFFFF for a, b in zip(x, self.state)]
            self.index = 0
            counter = int.from_bytes(b"".join(w.to_bytes(4, "little") for w in self.state[12:]), "little") + 1
            self.state[12:] = [(counter >> (32 * i)) & 0xFFFFFFFF for i in range(4)]
        self.index += 1
        return self.block[self.index - 1]

    def next_u64(self):
        """The next u64 of the stream: the next u32 as the high half, then the low half."""
        high = self.next_u32()
        return (high << 32) | self.next_u32()


def seed_words(digest):
    """The eight big-endian u32 words of a digest's first 32 bytes."""
    return [int.from_bytes(digest[4 * i : 4 * i + 4], "big") for i in range(8)]


def _element_from_rng(rng, modulus):
    mask = (1 << modulus.bit_length()) - 1
    while True:
        v = sum(rng.next_u64() << (64 * i) for i in range(4)) & mask
        if v < modulus:
            return v * pow(1 << 256, -1, modulus) % modulus  # the Montgomery reading


def scalar_from_rng(rng) -> Fr:
    """ffjavascript's Fr.fromRng."""
    return Fr(_element_from_rng(rng, R))


def _is_negative(y):
    """snarkjs's sign: the top nonzero coefficient (c1 first) is above (q - 1) / 2."""
    coeffs = y.coeffs if isinstance(y, Fq2) else (y.value,)
    top = next((c for c in reversed(coeffs) if c), 0)
    return top > (P - 1) // 2


def point_from_rng(cls, rng):
    """ffjavascript's G1.fromRng (cls G1Point) or G2.fromRng (G2Point)."""
    curve = cls.curve
    while True:
        if cls is G1Point:
            x = Fq(_element_from_rng(rng, P))
        else:
            x = Fq2(_element_from_rng(rng, P), _element_from_rng(rng, P))
        negative = bool(rng.next_u32() & 1)
        rhs = x * x * x + curve.b
        if rhs.is_square():
            break
    y = rhs.sqrt()
    if _is_negative(y) != negative:
        y = -y
    # Built unchecked: a twist point is in G2 only after clearing the cofactor.
    point = cls(curve.jacobian(x, y))
    return point if cls is G1Point else point.scalar_mul_unreduced(G2_COFACTOR)


def hash_to_g2(digest) -> G2Point:
    """snarkjs's hashToG2 of a 64-byte digest."""
    return point_from_rng(G2Point, ChaCha(seed_words(digest)))
