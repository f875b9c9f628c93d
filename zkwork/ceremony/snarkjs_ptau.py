"""Phase 1 as snarkjs keeps it: .ptau files to and from PowersOfTau, and snarkjs's
contribution chain, checked in Python.

A .ptau (zkwork.formats.ptau_file) holds the state in the layout of PowersOfTau and, per
contribution, the new state's head points and three public keys, one per secret s in
(tau, alpha, beta), with personalization byte 0, 1, 2:

    g1_s    any G1 point              g2_sp   = H(personalization || challenge || U(g1_s) || U(g1_sx))
    g1_sx   = s g1_s                  g2_spx  = s g2_sp

U is the uncompressed encoding (big-endian x || y, Fq2 as c1 || c0, zeros for infinity,
as zkwork.curve.serialize) and C the compressed one, which differs from zkwork's in its
flags: 0x80 when y is the larger root (y > (q - 1) / 2, comparing c1 first for Fq2) and
0x40 alone for infinity. The hashes are BLAKE2b-512, chained:

    challenge_0    = BLAKE2b(BLAKE2b("") || U(the initial state at ceremonyPower))
    response_j     = BLAKE2b(challenge_(j-1) || C(state_j) || U(public key_j))
    challenge_j    = BLAKE2b(response_j || U(state_j))

where a state's encoding runs over tauG1, tauG2, alphaTauG1, betaTauG1, betaG2. A record
stores challenge_j ("nextChallenge") and, instead of response_j, the BLAKE2b state after
challenge_(j-1) || C(state_j) ("partialHash": the 128-byte block buffer, the chain value
h as sixteen u32 words (low, high), then bytes compressed and bytes buffered as u64s),
from which response_j is finished with the public key. hashlib cannot export or restore
a BLAKE2b state, so Blake2b512 runs BLAKE2b's compression function (RFC 7693) in a numba
kernel and reads and writes that layout.

H, snarkjs's hash to G2 (ffjavascript's G2.fromRng): the first 32 bytes of the BLAKE2b
digest, as eight big-endian u32 words, key a ChaCha20 stream (ffjavascript's: zero nonce,
a 128-bit block counter, the sixteen output words of each block in order). From it:
  - a field element: four u64s (each the next u32 as the high half, then the low half),
    the i-th shifted by 64 i, masked to the modulus' bit length, drawn again until below
    the modulus. ffjavascript hands this integer v over as a Montgomery representation,
    so the element is v / 2^256 mod q (or mod r for scalars);
  - a curve point: x (Fq, or Fq2 as c0 then c1), then one bit (the next u32's lowest),
    again until x^3 + b is a square; y is the root that is "negative" (the larger one,
    as in C's flag) iff the bit is set; in G2 the point is multiplied by the cofactor
    2q - r of the twist.
The beacon (`beacon_randomness`, snarkjs's keyFromBeacon) draws from the same stream keyed
by SHA-256 iterated 2^n times over the beacon hash: tau, alpha and beta as scalars, then per
secret g1_s = a G1 point from the stream; its keys are as above, bound to the previous
challenge. zkwork's beacon (zkwork.ceremony.phase1) uses these very secrets.

Verification (`verify_ptau`) does what `snarkjs powersoftau verify` does, as checks of a
VerificationReport (zkwork.ceremony.records), each contribution named by its position
(0-based; snarkjs's #j is position j - 1) and name. Per contribution j, against the head
points of j - 1 (the generators for j = 0) and g2_sp recomputed from challenge_(j-1):
    beacon_key           (a beacon) the keys are those the beacon parameters give, checked
                         only within the limits of beacon_limits.BeaconLimits (a bound on
                         the exponent, a time budget: verify_ptau's keyword arguments); a
                         beacon beyond them fails this check, its detail naming the limit
    pok_tau/alpha/beta   same_ratio(g1_s, g1_sx, g2_sp, g2_spx)
    tau_g1_ratio         same_ratio(prev tauG1, tauG1, tau's g2_sp, g2_spx)
    tau_g2_ratio         same_ratio(tau's g1_s, g1_sx, prev tauG2, tauG2)
    alpha_ratio, beta_ratio   likewise with alphaG1, betaG1
    beta_g2_ratio        same_ratio(beta's g1_s, g1_sx, prev betaG2, betaG2)
and on the state ("final"): at least one contribution (snarkjs refuses a file without),
its head points are the last contribution's, and the checks of
zkwork.ceremony.consistency.check_powers (tauG1[0] and tauG2[0] are the generators, every
family of powers is consistent with one pairing check on random linear combinations,
betaG2 matches betaTauG1[0]), and, when power == ceremonyPower, the last nextChallenge
is the hash of the response (from its partialHash) and the state; zkwork also checks
that the partialHash is the hash state of challenge || C(state) (`partial_hash`), which
snarkjs does not. A record's challenge_j cannot be recomputed for j before the last one
(that would need its state): what binds the chain is that contribution j + 1's keys are
hashed from it, and its ratios link the head points. The phase-2 Lagrange sections, when
present, are not checked.

zkwork's own proofs of knowledge (pok.py) hash to G2 differently and bind to zkwork's
digests, so snarkjs cannot verify them; `snarkjs_contribution` builds the record snarkjs
expects, which needs the secrets themselves, at contribution time: zkwork.ceremony.phase1
does so for every contribution and keeps it in the transcript (records.ContributionRecord
.snarkjs, bound to `transcript_challenge`), and `export_transcript_ptau` writes the final
state with those records, a file `snarkjs powersoftau verify` accepts.
"""
import dataclasses
import hashlib
import secrets

import numpy as np

from zkwork.ceremony.consistency import BAD_DATA, Checker, check_powers
from zkwork.ceremony.pok import G2_COFACTOR, ZeroSecretError, same_ratio
from zkwork.ceremony.powers import PowersOfTau, StateHead, encoding
from zkwork.ceremony.beacon_limits import DEFAULT_MAX_EXPONENT, DEFAULT_TIME_BUDGET, BeaconLimits
from zkwork.ceremony.records import MAX_ITERATIONS_EXPONENT, VerificationReport, snarkjs_record
from zkwork.curve import G1Point, G2Point
from zkwork.errors import EncodingError, ZkworkError
from zkwork.field import FQ, Fq, Fr, P, R
from zkwork.field.fq2_element import Fq2
from zkwork.formats.ptau_file import (
    BEACON,
    CHALLENGE_BYTES,
    PARTIAL_HASH_BYTES,
    SECRETS,
    PtauContribution,
    PtauFile,
    PtauKey,
    read_ptau,
    write_ptau,
)
from zkwork.jit import njit

# -- BLAKE2b with a state that can be saved and restored ----------------------------------
_IV = np.array([
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
], dtype=np.uint64)
_SIGMA = np.array([
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
], dtype=np.int64)
_BLOCK = 128
_PARAMETERS = 0x01010040  # digest length 64, no key, fanout 1, depth 1


@njit(cache=True)
def _rotr(x, n):
    return (x >> np.uint64(n)) | (x << np.uint64(64 - n))


@njit(cache=True)
def _mix(v, a, b, c, d, x, y):
    v[a] = v[a] + v[b] + x
    v[d] = _rotr(v[d] ^ v[a], 32)
    v[c] = v[c] + v[d]
    v[b] = _rotr(v[b] ^ v[c], 24)
    v[a] = v[a] + v[b] + y
    v[d] = _rotr(v[d] ^ v[a], 16)
    v[c] = v[c] + v[d]
    v[b] = _rotr(v[b] ^ v[c], 63)


@njit(cache=True)
def _compress(h, words, counters, final):
    """BLAKE2b's compression of the blocks words[k] (16 little-endian u64 each) into the
    chain h, block k with byte counter counters[k]; the last is final if `final`."""
    v = np.empty(16, dtype=np.uint64)
    for k in range(words.shape[0]):
        m = words[k]
        v[:8] = h
        v[8:] = _IV
        v[12] ^= counters[k]
        if final and k == words.shape[0] - 1:
            v[14] = ~v[14]
        for r in range(12):
            s = _SIGMA[r % 10]
            _mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]])
            _mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]])
            _mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]])
            _mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]])
            _mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]])
            _mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]])
            _mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]])
            _mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]])
        for i in range(8):
            h[i] ^= v[i] ^ v[i + 8]


class Blake2b512:
    """BLAKE2b-512 whose running state reads and writes snarkjs's partialHash layout (see
    the module docstring). As in BLAKE2b (and noble's code that snarkjs runs), the last
    block, full or not, stays buffered until more data or the digest comes."""

    def __init__(self, data=b""):
        self.h = _IV.copy()
        self.h[0] ^= np.uint64(_PARAMETERS)
        self.buffer = b""
        self.compressed = 0
        self.update(data)

    def update(self, data):
        data = self.buffer + bytes(data)
        blocks = (len(data) - 1) // _BLOCK if data else 0
        if blocks:
            words = np.frombuffer(data[: blocks * _BLOCK], dtype="<u8").reshape(blocks, 16).astype(np.uint64)
            counters = self.compressed + _BLOCK * np.arange(1, blocks + 1, dtype=np.uint64)
            _compress(self.h, words, counters, False)
            self.compressed += blocks * _BLOCK
        self.buffer = data[blocks * _BLOCK :]
        return self

    def digest(self):
        h = self.h.copy()
        block = np.frombuffer(self.buffer.ljust(_BLOCK, b"\0"), dtype="<u8").reshape(1, 16).astype(np.uint64)
        _compress(h, block, np.array([self.compressed + len(self.buffer)], dtype=np.uint64), True)
        return h.astype("<u8").tobytes()

    def partial_hash(self):
        """The 216-byte state (the chain words' low/high u32 pairs are the u64s' bytes)."""
        return (self.buffer.ljust(_BLOCK, b"\0") + self.h.astype("<u8").tobytes()
                + self.compressed.to_bytes(8, "little") + len(self.buffer).to_bytes(8, "little") + bytes(8))

    @classmethod
    def from_partial_hash(cls, data):
        """The state a partialHash holds; EncodingError if it cannot be one."""
        data = bytes(data)
        compressed = int.from_bytes(data[192:200], "little")
        pos = int.from_bytes(data[200:208], "little")
        if len(data) != 216 or pos > _BLOCK or compressed % _BLOCK or (compressed and not pos):
            raise EncodingError("not a BLAKE2b partial hash: wrong size, buffer position or byte count")
        state = cls()
        state.h = np.frombuffer(data[_BLOCK:192], dtype="<u8").astype(np.uint64)
        state.buffer = data[:pos]
        state.compressed = compressed
        return state


def blake2b(*parts):
    """BLAKE2b-512 of the concatenated parts (hashlib's)."""
    h = hashlib.blake2b(digest_size=64)
    for part in parts:
        h.update(part)
    return h.digest()


# -- ffjavascript's random stream and what it draws ---------------------------------------
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


def encode_uncompressed(points):
    """U of each point, concatenated (zkwork's uncompressed encoding is snarkjs's)."""
    return b"".join(point.to_bytes(compressed=False) for point in points)


def g2_sp(personalization, challenge, g1_s, g1_sx) -> G2Point:
    """The G2 point a public key's g2_spx is s times (snarkjs's getG2sp)."""
    return hash_to_g2(blake2b(bytes([personalization]), challenge, encode_uncompressed([g1_s, g1_sx])))


def make_key(personalization, challenge, secret, g1_s) -> PtauKey:
    """The public key of `secret` with the G1 point g1_s, bound to `challenge`."""
    g1_sx = g1_s * secret
    return PtauKey(g1_s, g1_sx, g2_sp(personalization, challenge, g1_s, g1_sx) * secret)


class BeaconError(ZkworkError, ValueError):
    """Beacon parameters snarkjs's procedure does not take: an iteration exponent outside
    0..63 (a .ptau record could claim up to 255)."""


def iterated_sha256(value, iterations_exponent):
    """SHA-256 applied 2^iterations_exponent times to `value`, as snarkjs's beacons do (the
    delay keeps whoever influences the value from trying many); BeaconError, without
    iterating, for an exponent outside 0..63."""
    if isinstance(iterations_exponent, bool) or not isinstance(iterations_exponent, int) or not (
            0 <= iterations_exponent <= MAX_ITERATIONS_EXPONENT):
        raise BeaconError(f"a beacon iterates SHA-256 at most 2^{MAX_ITERATIONS_EXPONENT} times, "
                          f"got 2^{iterations_exponent!r}")
    h = bytes(value)
    for _ in range(1 << iterations_exponent):
        h = hashlib.sha256(h).digest()
    return h


def beacon_randomness(beacon_hash, iterations_exponent):
    """((tau, alpha, beta), (g1_s of tau, alpha, beta)): what snarkjs's beacon draws from
    the ChaCha stream keyed by SHA-256 iterated 2^iterations_exponent times over
    `beacon_hash` (module docstring); BeaconError, without iterating, for an exponent
    outside 0..63."""
    rng = ChaCha(seed_words(iterated_sha256(beacon_hash, iterations_exponent)))
    scalars = tuple(scalar_from_rng(rng) for _ in SECRETS)
    return scalars, tuple(point_from_rng(G1Point, rng) for _ in SECRETS)


def beacon_keys(challenge, beacon_hash, iterations_exponent):
    """{secret name: PtauKey} of a beacon bound to `challenge` (snarkjs's keyFromBeacon)."""
    scalars, points = beacon_randomness(beacon_hash, iterations_exponent)
    return {name: make_key(i, challenge, s, g1_s) for i, (name, s, g1_s) in enumerate(zip(SECRETS, scalars, points))}


# -- encodings and hashes of states ----------------------------------------------------------
_HALF = np.array([(((P - 1) // 2) >> (64 * i)) & (2**64 - 1) for i in range(4)], dtype=np.uint64)


def _above_half(limbs):
    """Plain (n, 4) limbs > (q - 1) / 2, compared from the most significant limb."""
    above, equal = np.zeros(limbs.shape[0], dtype=bool), np.ones(limbs.shape[0], dtype=bool)
    for k in range(3, -1, -1):
        above |= equal & (limbs[:, k] > _HALF[k])
        equal &= limbs[:, k] == _HALF[k]
    return above


def encode_compressed(array):
    """snarkjs's compressed encodings (module docstring) of an affine Montgomery array."""
    n, is_g2 = array.shape[0], array.ndim == 4
    rows = np.ascontiguousarray(array).reshape(-1, 4)
    plain = FQ.vec.from_mont(rows, np.empty_like(rows)).reshape(array.shape)
    x, y = plain[:, 0], plain[:, 1]
    if is_g2:
        y = np.where(y[:, 1].any(axis=1)[:, None], y[:, 1], y[:, 0])
        x = x[:, ::-1]  # c1 first
    encoded = np.ascontiguousarray(x[..., ::-1]).astype(">u8").view(np.uint8).reshape(n, -1).copy()
    encoded[_above_half(y), 0] |= 0x80
    infinity = ~array.reshape(n, -1).any(axis=1)
    encoded[infinity] = 0
    encoded[infinity, 0] = 0x40
    return encoded.tobytes()


def _state_arrays(state):
    return (state.tau_g1, state.tau_g2, state.alpha_tau_g1, state.beta_tau_g1, state.beta_g2.affine_mont()[None])


def state_uncompressed(state):
    """U(state) for a PowersOfTau or PtauFile."""
    return b"".join(encoding(array) for array in _state_arrays(state))


def state_compressed(state):
    """C(state) for a PowersOfTau or PtauFile."""
    return b"".join(encode_compressed(array) for array in _state_arrays(state))


def key_uncompressed(contribution):
    """U(public key), in the file's order: the six G1 points, then the three G2 points."""
    keys = [contribution.key(name) for name in SECRETS]
    return encode_uncompressed([p for key in keys for p in (key.g1_s, key.g1_sx)] + [key.g2_spx for key in keys])


def first_challenge(power) -> bytes:
    """challenge_0 of a ceremony of `power`, hashed without building the initial state."""
    n = 1 << power
    g1, g2 = G1Point.generator().to_bytes(compressed=False), G2Point.generator().to_bytes(compressed=False)
    h = hashlib.blake2b(blake2b(), digest_size=64)
    for point, count in ((g1, 2 * n - 1), (g2, n), (g1, n), (g1, n), (g2, 1)):
        chunk = point * min(count, 4096)
        for _ in range(count // 4096):
            h.update(chunk)
        h.update(point * (count % 4096))
    return h.digest()


def response_from_partial(contribution) -> bytes:
    """response_j, finished from the record's partialHash and its public key."""
    return Blake2b512.from_partial_hash(contribution.partial_hash).update(key_uncompressed(contribution)).digest()


# -- conversion ------------------------------------------------------------------------------
class PtauExportError(ZkworkError, ValueError):
    """A transcript that cannot be written as a .ptau snarkjs verifies: a record without its
    snarkjs part (made without the previous snarkjs challenge); names the record."""


def powers_of(ptau: PtauFile) -> PowersOfTau:
    """The state a PtauFile holds."""
    return PowersOfTau(power=ptau.power, tau_g1=ptau.tau_g1, tau_g2=ptau.tau_g2, alpha_tau_g1=ptau.alpha_tau_g1,
                       beta_tau_g1=ptau.beta_tau_g1, beta_g2=ptau.beta_g2)


def import_ptau(path):
    """(PowersOfTau, contributions) of a .ptau file; its phase-2 sections are dropped."""
    ptau = read_ptau(path)
    return powers_of(ptau), ptau.contributions


def export_ptau(powers, path, contributions=()):
    """Write a PowersOfTau as a .ptau file (ceremonyPower = power) with these section-7
    records (PtauContribution), none by default: `snarkjs powersoftau prepare phase2` and
    `groth16 setup` take such a file; `powersoftau verify` wants a last contribution whose
    records match the state (see snarkjs_contribution)."""
    write_ptau(PtauFile(power=powers.power, ceremony_power=powers.power, tau_g1=powers.tau_g1, tau_g2=powers.tau_g2,
                        alpha_tau_g1=powers.alpha_tau_g1, beta_tau_g1=powers.beta_tau_g1, beta_g2=powers.beta_g2,
                        contributions=tuple(contributions)), path)


def transcript_challenge(transcript):
    """snarkjs's running challenge after the records of a zkwork phase-1 transcript, which
    the next contribution's snarkjs keys are bound to: challenge_0 of its power before the
    first record, then the last record's nextChallenge; None if the last record has no
    snarkjs part (the chain is broken: nothing after it can be exported)."""
    if not transcript.records:
        return first_challenge(transcript.power)
    last = transcript.records[-1].snarkjs
    return None if last is None else last.next_challenge


def transcript_contributions(transcript) -> tuple:
    """The section-7 records of a zkwork phase-1 transcript, one per record in order;
    PtauExportError naming the first record without its snarkjs part."""
    missing = [i for i, record in enumerate(transcript.records) if record.snarkjs is None]
    if missing:
        raise PtauExportError(f"transcript record {missing[0]} ({transcript.records[missing[0]].contributor!r:.80}) has "
                              "no snarkjs record: it was made without the previous snarkjs challenge")
    return tuple(record.snarkjs for record in transcript.records)


def export_transcript_ptau(state, transcript, path):
    """Write the final `state` of a zkwork phase-1 `transcript` as a .ptau whose section 7
    holds the transcript's snarkjs records: `snarkjs powersoftau verify` (and verify_ptau)
    accept it when the transcript verifies. PtauExportError if a record has none."""
    export_ptau(state, path, transcript_contributions(transcript))


def snarkjs_contribution(previous_challenge, state, tau, alpha, beta, name=None, beacon=None,
                         g1_s=None) -> PtauContribution:
    """The record snarkjs writes for a contribution of secrets (tau, alpha, beta) that
    took the ceremony from the state whose challenge is `previous_challenge` to `state`
    (a PowersOfTau). The keys' G1 points are `g1_s` (one per secret), by default fresh
    random multiples of the generator. With `beacon` (a records.Beacon), snarkjs's beacon
    record, which snarkjs checks against its parameters: the secrets and g1_s must be
    beacon_randomness's. ZeroSecretError for a zero secret; EncodingError for a name or
    beacon value longer than 255 bytes."""
    scalars = tuple(Fr(s) for s in (tau, alpha, beta))
    if any(s == 0 for s in scalars):
        raise ZeroSecretError("a contribution secret must be nonzero")
    if g1_s is None:
        g1_s = tuple(G1Point.generator() * (secrets.randbelow(R - 1) + 1) for _ in SECRETS)
    keys = {secret: make_key(i, previous_challenge, s, point)
            for i, (secret, s, point) in enumerate(zip(SECRETS, scalars, g1_s))}
    record = snarkjs_record(state.head(), name, beacon, keys, bytes(PARTIAL_HASH_BYTES), bytes(CHALLENGE_BYTES))
    hasher = Blake2b512(previous_challenge).update(state_compressed(state))
    partial = hasher.partial_hash()
    response = hasher.update(key_uncompressed(record)).digest()
    return dataclasses.replace(record, partial_hash=partial, next_challenge=blake2b(response, state_uncompressed(state)))


# -- verification ----------------------------------------------------------------------------
def head_of(contribution) -> StateHead:
    """The head points a record carries, as the StateHead of the state it produced."""
    c = contribution
    return StateHead(tau_g1=c.tau_g1, tau_g2=c.tau_g2, alpha_g1=c.alpha_g1, beta_g1=c.beta_g1, beta_g2=c.beta_g2)


def _beacon_matches(c, challenge):
    expected = beacon_keys(challenge, c.beacon_hash, c.iterations_exponent)
    return all(tuple(expected[name]) == tuple(c.key(name)) for name in SECRETS)


def _g2_sp_or_none(personalization, challenge, c, name):
    """g2_sp of c's key for `name`, None if that key is bad data (the checks using it then
    fail, with the error as their detail)."""
    try:
        key = c.key(name)
        return g2_sp(personalization, challenge, key.g1_s, key.g1_sx)
    except BAD_DATA:
        return None


def _verify_contribution(report, position, c, previous, challenge, limits):
    """snarkjs's verifyContribution: c against the previous head and challenge, a beacon
    within `limits`."""
    where = f"(snarkjs #{position + 1})"
    check = Checker(report, position, c.name or "")
    if c.kind == BEACON:
        limits.check(check, "beacon_key", c.iterations_exponent, lambda: _beacon_matches(c, challenge),
                     f"the keys are not those the beacon parameters give {where}")
    sp = {name: _g2_sp_or_none(i, challenge, c, name) for i, name in enumerate(SECRETS)}
    for name in SECRETS:
        check(f"pok_{name}", lambda: same_ratio(c.key(name).g1_s, c.key(name).g1_sx, sp[name], c.key(name).g2_spx),
              f"the {name} key does not verify against the previous challenge {where}")
    for check_name, name, point in (("tau_g1_ratio", "tau", "tau_g1"), ("alpha_ratio", "alpha", "alpha_g1"),
                                    ("beta_ratio", "beta", "beta_g1")):
        check(check_name, lambda: same_ratio(getattr(previous, point), getattr(c, point), sp[name],
                                             c.key(name).g2_spx),
              f"{point} is not the previous one times the secret of the {name} key {where}")
    for check_name, name, point in (("tau_g2_ratio", "tau", "tau_g2"), ("beta_g2_ratio", "beta", "beta_g2")):
        check(check_name, lambda: same_ratio(c.key(name).g1_s, c.key(name).g1_sx, getattr(previous, point),
                                             getattr(c, point)),
              f"{point} is not the previous one times the secret of the {name} key {where}")


def _partial_hash_matches(last, challenge, state):
    return response_from_partial(last) == blake2b(challenge, state_compressed(state), key_uncompressed(last))


def _next_challenge_matches(last, state):
    return last.next_challenge == blake2b(response_from_partial(last), state_uncompressed(state))


def _verify_state(report, ptau, last, head, challenge):
    """snarkjs's checks of the powers, of the last contribution against them, of the hashes."""
    contributor = (last.name or "") if last else ""
    check = Checker(report, "final", contributor)
    check("contributions", lambda: last is not None, "the file has no contribution (snarkjs refuses it)")
    state = powers_of(ptau)
    check("final_head", lambda: state.head() == head,
          "tauG1[1], tauG2[1], alphaTauG1[0], betaTauG1[0] or betaG2 is not the last contribution's")
    check_powers(report, state, contributor)
    if last is not None and ptau.power == ptau.ceremony_power:
        check("partial_hash", lambda: _partial_hash_matches(last, challenge, state),
              "the last partialHash is not the hash state of the previous challenge and the compressed state")
        check("next_challenge", lambda: _next_challenge_matches(last, state),
              "the last nextChallenge is not the hash of its response and the state")


def verify_ptau(ptau, *, max_beacon_exponent=DEFAULT_MAX_EXPONENT,
                time_budget=DEFAULT_TIME_BUDGET) -> VerificationReport:
    """Check a .ptau (a path or a PtauFile) as `snarkjs powersoftau verify` does, and a
    little more, recomputing a beacon only within the bound and time budget of
    beacon_limits; see the module docstring. Wrong points or hashes make checks fail rather
    than raise (reading a path raises the FormatError of a malformed file)."""
    limits = BeaconLimits(max_beacon_exponent, time_budget)
    if not isinstance(ptau, PtauFile):
        ptau = read_ptau(ptau)
    report = VerificationReport()
    g1, g2 = G1Point.generator(), G2Point.generator()
    head = StateHead(tau_g1=g1, tau_g2=g2, alpha_g1=g1, beta_g1=g1, beta_g2=g2)
    challenge = previous_challenge = first_challenge(ptau.ceremony_power)
    for position, contribution in enumerate(ptau.contributions):
        _verify_contribution(report, position, contribution, head, challenge, limits)
        head, previous_challenge, challenge = head_of(contribution), challenge, contribution.next_challenge
    last = ptau.contributions[-1] if ptau.contributions else None
    _verify_state(report, ptau, last, head, previous_challenge)
    return report
