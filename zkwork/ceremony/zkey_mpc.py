"""snarkjs's phase-2 MPC on a .zkey (section 10, zkwork.formats.zkey_file.MpcParams):
`zkey contribute`, `zkey beacon` and `zkey verify`, writing and accepting what snarkjs 0.7.6
writes and accepts.

A contribution of secret k (nonzero, in Fr) with a G1 point g1_s, after records c_1..c_(j-1):

    g1_sx      = k g1_s
    transcript = BLAKE2b(csHash || P(c_1) || ... || P(c_(j-1)) || U(g1_s) || U(g1_sx))
    g2_sp      = hash_to_g2(transcript) (zkwork.ceremony.snarkjs_rng),   g2_spx = k g2_sp
    delta_1, delta_2 (section 2) multiplied by k, deltaAfter = the new delta_1, the points of
    L (section 8) and H (section 9) multiplied by 1 / k, every other section copied,

where U is the uncompressed encoding (zkwork.ceremony.powers.encoding) and P(c) = U(deltaAfter)
|| U(g1_s) || U(g1_sx) || U(g2_spx) || transcript (snarkjs's hashPubKey); BLAKE2b is BLAKE2b-512,
and the contribution hash snarkjs prints is BLAKE2b(P(c)). k, then g1_s, are drawn from
ffjavascript's ChaCha stream (snarkjs_rng) keyed, for a contribution, by BLAKE2b(64 bytes from
`secrets` || the entropy in UTF-8) (snarkjs's getRandomRng, with Python's randomness); for a
beacon by SHA-256 iterated 2^n times over the beacon hash (n in 10..63 as snarkjs takes it, and
within beacon_limits' bound). A beacon is thus deterministic: the same file as snarkjs's.

`verify_zkey` (snarkjs's `zkey verify circuit.r1cs final.ptau key.zkey`) rebuilds the initial
key in memory with zkey_new, then records in a VerificationReport, per contribution (its 0-based
position and name; snarkjs's #j is position j - 1), every detail naming section 10:
    transcript    the record's transcript is the hash of csHash, the records before it and
                  its g1_s, g1_sx (a changed, dropped or reordered record fails here)
    pok           same_ratio(g1_s, g1_sx, g2_sp, g2_spx)
    delta_after   same_ratio(the previous deltaAfter (first: the generator), deltaAfter, g2_sp, g2_spx)
    beacon_key    (beacons) g1_s and g1_sx are those the beacon parameters give, checked only
                  within beacon_limits.BeaconLimits, as for a .ptau
and on the key ("final"):
    circuit       csHash, nVars, nPublic, the domain size, alpha_1, beta_1, beta_2, gamma_2 and
                  sections 3 to 7 are the initial key's
    delta_1       delta_1 is the last deltaAfter (the generator with no contribution)
    delta_2       same_ratio(g1, delta_1, g2, delta_2)
    points_c, points_h   for uniform random weights w (from `secrets`), same_ratio(sum w P_init,
                  sum w P, delta_2, delta_2 of the initial key): each point is the initial
                  one times 1 / delta. (snarkjs checks H against the ptau's powers directly;
                  the initial H is made of exactly those, so the check is the same.)
Points that are not on the curve or not in the subgroup fail the checks that use them.
"""
import dataclasses
import hashlib
import secrets

import numpy as np

from zkwork.ceremony.beacon_limits import DEFAULT_MAX_EXPONENT, DEFAULT_TIME_BUDGET, BeaconLimits, require_exponent
from zkwork.ceremony.consistency import BAD_DATA, Checker
from zkwork.ceremony.pok import ZeroSecretError, same_ratio
from zkwork.ceremony.powers import encoding
from zkwork.ceremony.records import VerificationReport
from zkwork.ceremony.snarkjs_ptau import BeaconError, iterated_sha256
from zkwork.ceremony.snarkjs_rng import ChaCha, hash_to_g2, point_from_rng, scalar_from_rng, seed_words
from zkwork.ceremony.zkey_new import initial_zkey
from zkwork.curve import (
    G1Point,
    G2Point,
    g1_affine_array,
    g1_points_from_affine_array,
    g2_affine_array,
    g2_points_from_affine_array,
)
from zkwork.curve.batch_mul import batch_mul_g1
from zkwork.curve.msm import msm_g1
from zkwork.errors import MissingSectionError
from zkwork.field import FR
from zkwork.field.vector import FieldVector
from zkwork.formats.zkey_file import (
    BEACON,
    CONTRIBUTION,
    MpcContribution,
    MpcParams,
    mpc_params_bytes,
    read_mpc_params,
    read_zkey,
    write_zkey,
)

MIN_BEACON_EXPONENT, MAX_BEACON_EXPONENT = 10, 63  # what `snarkjs zkey beacon` takes
MAX_BEACON_HASH_BYTES = 255


def public_key_bytes(c) -> bytes:
    """P(c) of the module docstring: what the transcript chain hashes of a record."""
    return b"".join([encoding(c.delta_after), encoding(c.g1_s), encoding(c.g1_sx), encoding(c.g2_spx), c.transcript])


def contribution_hash(c) -> bytes:
    """The contribution hash snarkjs prints for a record: BLAKE2b(P(c))."""
    return hashlib.blake2b(public_key_bytes(c), digest_size=64).digest()


def _chain(params):
    """The BLAKE2b state after csHash and every record of `params`."""
    hasher = hashlib.blake2b(params.circuit_hash, digest_size=64)
    for c in params.contributions:
        hasher.update(public_key_bytes(c))
    return hasher


def read_mpc(zkey):
    """The MpcParams of a ZKey's section 10; MissingSectionError when it has none."""
    if zkey.contributions is None:
        raise MissingSectionError("the .zkey has no section 10 (contributions): not a phase-2 key",
                                  section="contributions")
    return read_mpc_params(zkey.contributions)


def _key_from_rng(rng):
    """(k, g1_s, g1_sx) drawn as snarkjs draws them."""
    k = scalar_from_rng(rng)
    if k.value == 0:
        raise ZeroSecretError("the stream gave a zero secret, which would erase the key")
    g1_s = point_from_rng(G1Point, rng)
    return k, g1_s, g1_s * k


def _contribute(zkey, rng, **record):
    """(the key with one more contribution, its record) for the ChaCha stream `rng`."""
    params = read_mpc(zkey)
    k, g1_s, g1_sx = _key_from_rng(rng)
    hasher = _chain(params)
    hasher.update(g1_s.to_bytes(compressed=False) + g1_sx.to_bytes(compressed=False))
    transcript = hasher.digest()
    delta_1, delta_2 = zkey.delta_1 * k, zkey.vk.delta_2 * k
    contribution = MpcContribution(
        delta_after=g1_affine_array([delta_1]), g1_s=g1_affine_array([g1_s]), g1_sx=g1_affine_array([g1_sx]),
        g2_spx=g2_affine_array([hash_to_g2(transcript) * k]), transcript=transcript, **record)
    points = np.concatenate([zkey.c_query, zkey.h_query])
    inverse = np.tile(np.array(FR.to_mont_limbs(k.inverse().value), dtype=np.uint64), (points.shape[0], 1))
    scaled = batch_mul_g1(points, FieldVector(FR, inverse))
    m = zkey.c_query.shape[0]
    new = dataclasses.replace(
        zkey, vk=dataclasses.replace(zkey.vk, delta_2=delta_2), delta_1=delta_1,
        c_query=np.ascontiguousarray(scaled[:m]), h_query=np.ascontiguousarray(scaled[m:]),
        contributions=mpc_params_bytes(MpcParams(params.circuit_hash, params.contributions + (contribution,))))
    return new, contribution


def contribute(in_path, out_path, name=None, entropy=""):
    """`snarkjs zkey contribute`: writes `out_path`, `in_path`'s key with a contribution of
    fresh randomness (module docstring); returns its record."""
    seed = hashlib.blake2b(secrets.token_bytes(64) + (entropy or "").encode("utf-8"), digest_size=64).digest()
    new, contribution = _contribute(read_zkey(in_path), ChaCha(seed_words(seed)), kind=CONTRIBUTION, name=name)
    write_zkey(new, out_path)
    return contribution


def beacon_bytes(beacon_hash_hex):
    """The bytes of a beacon hash given in hex as snarkjs takes it (optional 0x, 1 to 255
    bytes); BeaconError otherwise."""
    text = beacon_hash_hex[2:] if beacon_hash_hex.startswith("0x") else beacon_hash_hex
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if not value or len(text) != 2 * len(value) or len(value) > MAX_BEACON_HASH_BYTES:
        raise BeaconError(f"the beacon hash must be 1 to {MAX_BEACON_HASH_BYTES} bytes in hex, got {beacon_hash_hex!r}")
    return value


def beacon(in_path, out_path, beacon_hash_hex, iterations_exponent, name=None, max_exponent=DEFAULT_MAX_EXPONENT):
    """`snarkjs zkey beacon`: writes `out_path`, `in_path`'s key with the beacon's
    contribution (deterministic: snarkjs writes the same bytes); returns its record.
    BeaconError for parameters snarkjs refuses, LimitError beyond `max_exponent`."""
    value = beacon_bytes(beacon_hash_hex)
    if isinstance(iterations_exponent, bool) or not isinstance(iterations_exponent, int) or not (
            MIN_BEACON_EXPONENT <= iterations_exponent <= MAX_BEACON_EXPONENT):
        raise BeaconError(f"the beacon's iteration exponent must be an int in {MIN_BEACON_EXPONENT}.."
                          f"{MAX_BEACON_EXPONENT}, got {iterations_exponent!r}")
    require_exponent(iterations_exponent, max_exponent)
    zkey = read_zkey(in_path)
    rng = ChaCha(seed_words(iterated_sha256(value, iterations_exponent)))
    new, contribution = _contribute(zkey, rng, kind=BEACON, name=name, iterations_exponent=iterations_exponent,
                                    beacon_hash=value)
    write_zkey(new, out_path)
    return contribution


# -- verification -----------------------------------------------------------------------------
def _g1(array):
    return g1_points_from_affine_array(array, check=True)[0]


def _g2(array):
    return g2_points_from_affine_array(array, check=True)[0]


def _beacon_matches(c):
    _, g1_s, g1_sx = _key_from_rng(ChaCha(seed_words(iterated_sha256(c.beacon_hash, c.iterations_exponent))))
    return encoding(g1_affine_array([g1_s, g1_sx])) == encoding(c.g1_s) + encoding(c.g1_sx)


def _verify_chain(report, params, limits):
    """The per-contribution checks of the module docstring; returns the last deltaAfter
    (None if it is not a valid point)."""
    hasher = hashlib.blake2b(params.circuit_hash, digest_size=64)
    delta = G1Point.generator()
    for position, c in enumerate(params.contributions):
        check = Checker(report, position, c.name or "")
        where = f"(section 10 contributions, snarkjs #{position + 1})"
        expected = hasher.copy()
        expected.update(encoding(c.g1_s) + encoding(c.g1_sx))
        check("transcript", lambda: expected.digest() == c.transcript,
              f"the transcript is not the hash of the circuit, the records before it and its key {where}")
        g2_sp = hash_to_g2(c.transcript)
        check("pok", lambda: same_ratio(_g1(c.g1_s), _g1(c.g1_sx), g2_sp, _g2(c.g2_spx)),
              f"g1_sx / g1_s is not g2_spx / g2_sp: no proof of knowledge of the secret {where}")
        check("delta_after", lambda: same_ratio(delta, _g1(c.delta_after), g2_sp, _g2(c.g2_spx)),
              f"deltaAfter is not the previous delta times the key's secret {where}")
        if c.kind == BEACON:
            limits.check(check, "beacon_key", c.iterations_exponent, lambda: _beacon_matches(c),
                         f"g1_s, g1_sx are not those the beacon hash and iterations give {where}")
        hasher.update(public_key_bytes(c))
        try:
            delta = _g1(c.delta_after)
        except BAD_DATA:
            delta = None
    return delta


def _circuit_differences(zkey, init, params, init_params):
    """The parts of `zkey` that should be, but are not, the initial key's."""
    pairs = (
        ("csHash (section 10)", params.circuit_hash, init_params.circuit_hash),
        ("nVars, nPublic or domainSize (section 2)", (zkey.num_vars, zkey.num_public, zkey.domain_size),
         (init.num_vars, init.num_public, init.domain_size)),
        ("alpha_1, beta_1, beta_2 or gamma_2 (section 2)", (zkey.vk.alpha_1, zkey.beta_1, zkey.vk.beta_2,
                                                             zkey.vk.gamma_2),
         (init.vk.alpha_1, init.beta_1, init.vk.beta_2, init.vk.gamma_2)),
        ("IC (section 3)", zkey.vk.ic, init.vk.ic),
    )
    differences = [name for name, mine, theirs in pairs if mine != theirs]
    arrays = (("coefficients (section 4)", "coefficients"), ("points A (section 5)", "a_query"),
              ("points B1 (section 6)", "b1_query"), ("points B2 (section 7)", "b2_query"))
    differences += [name for name, field in arrays
                    if getattr(zkey, field).tobytes() != getattr(init, field).tobytes()]
    return differences


def _divided_by_delta(points, initial, delta_2, initial_delta_2):
    """Whether every point of `points` is the same point of `initial` times 1 / delta, with
    delta_2 = delta initial_delta_2 (one pairing check on a random linear combination)."""
    if points.shape != initial.shape:
        return False
    if not points.shape[0]:
        return True
    weights = FieldVector.random(FR, points.shape[0])
    return same_ratio(G1Point(msm_g1(initial, weights)), G1Point(msm_g1(points, weights)), delta_2, initial_delta_2)


def _verify_key(report, zkey, init, params, init_params, delta):
    check = Checker(report, "final", "")
    differences = _circuit_differences(zkey, init, params, init_params)
    check("circuit", lambda: not differences, f"not the initial key's: {', '.join(differences)}")
    check("delta_1", lambda: delta is not None and zkey.delta_1 == delta,
          "delta_1 (section 2) is not the last contribution's deltaAfter (section 10)")
    check("delta_2", lambda: same_ratio(G1Point.generator(), zkey.delta_1, G2Point.generator(), zkey.vk.delta_2),
          "delta_2 (section 2) is not delta_1's secret in G2")
    for name, section, field in (("points_c", "section 8 (points C)", "c_query"),
                                 ("points_h", "section 9 (points H)", "h_query")):
        check(name, lambda: _divided_by_delta(getattr(zkey, field), getattr(init, field), zkey.vk.delta_2,
                                              init.vk.delta_2),
              f"{section} is not the initial key's divided by delta")


def verify_zkey(r1cs_path, ptau_path, zkey_path, *, max_beacon_exponent=DEFAULT_MAX_EXPONENT,
                time_budget=DEFAULT_TIME_BUDGET, limits=None) -> VerificationReport:
    """`snarkjs zkey verify`: the checks of the module docstring of the key at `zkey_path`
    against the initial key of the circuit and prepared ptau. Malformed files raise their
    FormatError; wrong points or hashes make checks fail. `limits`: a BeaconLimits shared with
    other verifications (a whole ceremony's), charged with this key's beacons, instead of one
    made of max_beacon_exponent and time_budget."""
    limits = limits or BeaconLimits(max_beacon_exponent, time_budget)
    zkey = read_zkey(zkey_path)
    params = read_mpc(zkey)
    init, _ = initial_zkey(r1cs_path, ptau_path)
    report = VerificationReport()
    delta = _verify_chain(report, params, limits)
    _verify_key(report, zkey, init, params, read_mpc(init), delta)
    return report
