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
challenge_(j-1) || C(state_j) ("partialHash", zkwork.ceremony.blake2b), from which
response_j is finished with the public key.

H is snarkjs's hash to G2 (zkwork.ceremony.snarkjs_rng.hash_to_g2).
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

from zkwork.ceremony.beacon_limits import DEFAULT_MAX_EXPONENT, DEFAULT_TIME_BUDGET, BeaconLimits
from zkwork.ceremony.blake2b import Blake2b512, blake2b
from zkwork.ceremony.consistency import BAD_DATA, Checker, check_powers
from zkwork.ceremony.pok import ZeroSecretError, same_ratio
from zkwork.ceremony.powers import PowersOfTau, StateHead, encoding
from zkwork.ceremony.records import MAX_ITERATIONS_EXPONENT, VerificationReport, snarkjs_record
from zkwork.ceremony.snarkjs_rng import ChaCha, hash_to_g2, point_from_rng, scalar_from_rng, seed_words
from zkwork.curve import G1Point, G2Point
from zkwork.errors import ZkworkError
from zkwork.field import FQ, Fr, P, R
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
