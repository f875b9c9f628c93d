"""Proofs of knowledge of the secrets of a ceremony contribution, and hashing to G2.

A contributor who multiplies the ceremony's points by a secret x publishes, for each
secret, a proof that they know x (Bowe, Gabizon and Miers, ePrint 2017/1050, section 3;
the same shape as snarkjs's contributions):

    s_g1   = [s]_1            for a fresh random s (a new one per proof)
    sx_g1  = [s x]_1
    spx_g2 = x * H            with H = hash_to_g2(challenge || s_g1 || sx_g1)

and a verifier checks that (s_g1, sx_g1) and (H, spx_g2) have the same ratio,
e(s_g1, spx_g2) == e(sx_g1, H). H depends on the challenge (the digest of the state the
contribution starts from, with its index and contributor) and on the proof's own G1
points, so a proof cannot be replayed on another state or assembled from someone else's
points; and nobody knows log_G2(H), so producing x*H for the x that relates s_g1 and
sx_g1 needs x itself (in the algebraic group model). The proof also hands the verifier
the pair (H, x H) in G2, against which the contribution's updates of G1 points are
checked: same_ratio(old, new, H, x H) holds iff new = x old.

hash_to_g2 (try-and-increment, then cofactor clearing):
  1. for counter = 0, 1, 2, ...: each coefficient of an Fq2 element x = c0 + c1 u is
     BLAKE2b-512(DOMAIN_TAG || counter (4 bytes, big-endian) || coefficient index (1 byte)
     || data) read as a big-endian integer mod p (512 bits reduced mod a 254-bit p: the
     bias is below 2^-250);
  2. if x^3 + b' (b' = 3/(9+u), the twist's constant) is not a square in Fq2, go on with
     the next counter; otherwise y is its square root that is lexicographically smaller
     (c1 first, then c0, the order of the compressed encoding), so that y is a fixed
     function of x;
  3. the twist point (x, y) lies in E'(Fq2), of order r * h2; multiplying by the
     cofactor h2 = #E'(Fq2) / r (`g2_cofactor`, about 2^255) lands in the order-r
     subgroup G2; the result is checked to be in G2 and not the point at infinity (else
     the next counter is tried; for a random x this happens with probability ~1/r).
Every step is a public deterministic function of the hash output, which behaves as a
random oracle: a discrete logarithm of the result with respect to the generator is
unknown to everyone, unlike h * G2 for a hash h.

same_ratio rejects pairs involving the point at infinity: a ratio with the identity
(secret 0, or an absent point) proves nothing and would let a zero secret erase every
earlier contribution.
"""
import hashlib
import secrets
from dataclasses import dataclass
from math import isqrt

from zkwork.backend.fast import pairing_check
from zkwork.curve import G1Point, G2Point
from zkwork.errors import JsonFormatError, ZkworkError
from zkwork.field import Fr, P, R
from zkwork.field.fq2_element import Fq2
from zkwork.groth16.snarkjs_json import (
    g1_from_json,
    g1_to_json,
    g2_from_json,
    g2_to_json,
)

DOMAIN_TAG = b"zkwork/ceremony/hash_to_g2/v1"


class TranscriptFormatError(JsonFormatError):
    """A ceremony JSON document (transcript, contribution record, proof of knowledge) that
    cannot be parsed; the message names the record and the field."""


class ZeroSecretError(ZkworkError, ValueError):
    """A contribution secret equal to 0, which would erase the ceremony's secrets."""


def g2_cofactor():
    """h2 = #E'(Fq2) / r, the cofactor of G2 in the twist's group of points.

    From the trace of Frobenius t = p + 1 - r of E over Fq: over Fq2 the trace is
    t2 = t^2 - 2p, and since BN254 has CM discriminant -3, t2^2 - 4p^2 = -3 f^2 for an
    integer f. E's six twists over Fq2 have traces +-t2 and (+-t2 +- 3f)/2; apart from E
    itself, the sextic twist that holds G2 is the one whose order is divisible by r:
    #E'(Fq2) = p^2 + 1 - (t2 + 3f)/2 (= r (2p - r) for BN curves)."""
    t = P + 1 - R
    t2 = t * t - 2 * P
    f = isqrt((4 * P * P - t2 * t2) // 3)
    assert 3 * f * f == 4 * P * P - t2 * t2
    order = P * P + 1 - (t2 + 3 * f) // 2
    assert order % R == 0
    return order // R


G2_COFACTOR = g2_cofactor()


def _hash_to_fq(data, counter, index):
    digest = hashlib.blake2b(DOMAIN_TAG + counter.to_bytes(4, "big") + bytes([index]) + data, digest_size=64).digest()
    return int.from_bytes(digest, "big") % P


def hash_to_g2(data: bytes) -> G2Point:
    """A point of G2 with unknown discrete logarithm, a deterministic function of `data`;
    see the module docstring for the construction."""
    data = bytes(data)
    b = G2Point.curve.b
    counter = 0
    while True:
        x = Fq2(_hash_to_fq(data, counter, 0), _hash_to_fq(data, counter, 1))
        rhs = x * x * x + b
        if rhs.is_square():
            # The constructor takes Jacobian coordinates unchecked: (x, y) is on the twist
            # but (before clearing the cofactor) not in G2, which the checked API refuses.
            point = G2Point(G2Point.curve.jacobian(x, rhs.sqrt())).scalar_mul_unreduced(G2_COFACTOR)
            if not point.is_infinity() and point.is_in_subgroup():
                return point
        counter += 1


def same_ratio(a1: G1Point, b1: G1Point, a2: G2Point, b2: G2Point) -> bool:
    """Whether b1 / a1 == b2 / a2 as discrete logarithms, i.e. e(a1, b2) == e(b1, a2), with
    one pairing check; False if any point is the point at infinity."""
    if any(point.is_infinity() for point in (a1, b1, a2, b2)):
        return False
    return pairing_check([(a1, b2), (-b1, a2)])


def _base_g2(challenge, s_g1, sx_g1):
    return hash_to_g2(bytes(challenge) + s_g1.to_bytes(compressed=False) + sx_g1.to_bytes(compressed=False))


@dataclass(frozen=True)
class KnowledgeProof:
    """A proof of knowledge of a secret x, bound to a challenge; see the module docstring."""

    s_g1: G1Point
    sx_g1: G1Point
    spx_g2: G2Point

    def base_g2(self, challenge: bytes) -> G2Point:
        """H = hash_to_g2(challenge || s_g1 || sx_g1), the points uncompressed."""
        return _base_g2(challenge, self.s_g1, self.sx_g1)

    def verify(self, challenge: bytes) -> bool:
        """Whether the proof holds for `challenge`; False (never an exception) on bad data."""
        if not (
            isinstance(self.s_g1, G1Point) and isinstance(self.sx_g1, G1Point) and isinstance(self.spx_g2, G2Point)
            and isinstance(challenge, (bytes, bytearray))
        ):
            return False
        try:
            return same_ratio(self.s_g1, self.sx_g1, self.base_g2(challenge), self.spx_g2)
        except (ZkworkError, ValueError, TypeError):
            return False

    def to_json(self) -> dict:
        """The proof as a JSON object of its three points: s_g1, sx_g1, spx_g2."""
        return {"s_g1": g1_to_json(self.s_g1), "sx_g1": g1_to_json(self.sx_g1), "spx_g2": g2_to_json(self.spx_g2)}

    @classmethod
    def from_json(cls, data, where: str) -> "KnowledgeProof":
        """The proof a to_json object encodes; TranscriptFormatError naming `where` and the
        field otherwise (points must be on the curve and in the subgroup)."""
        if not isinstance(data, dict):
            raise TranscriptFormatError(f"{where}: expected a JSON object, got {type(data).__name__}")
        return cls(
            s_g1=point_from_json(G1Point, data, "s_g1", where),
            sx_g1=point_from_json(G1Point, data, "sx_g1", where),
            spx_g2=point_from_json(G2Point, data, "spx_g2", where),
        )


def point_from_json(cls, obj, key, where):
    """The G1Point or G2Point (cls) in snarkjs's JSON form at obj[key]; TranscriptFormatError
    naming `where.key` when it is missing or not a valid point."""
    if key not in obj:
        raise TranscriptFormatError(f"{where}: missing {key!r}")
    reader = g1_from_json if cls is G1Point else g2_from_json
    try:
        return reader(obj[key], f"{where}.{key}")
    except JsonFormatError as error:
        raise TranscriptFormatError(str(error)) from error


def prove_knowledge(x: Fr, challenge: bytes) -> KnowledgeProof:
    """A proof of knowledge of the nonzero secret x bound to `challenge`, with a fresh
    nonce s from `secrets`."""
    x = Fr(x)
    if x == 0:
        raise ZeroSecretError("a contribution secret must be nonzero")
    s = secrets.randbelow(R - 1) + 1
    s_g1 = G1Point.generator() * s
    sx_g1 = s_g1 * x
    return KnowledgeProof(s_g1=s_g1, sx_g1=sx_g1, spx_g2=_base_g2(challenge, s_g1, sx_g1) * x)
