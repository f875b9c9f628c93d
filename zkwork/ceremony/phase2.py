"""Phase 2 of the ceremony: from the powers of tau and one circuit to its Groth16 keys, with
contributions to delta (the semantics of snarkjs's `zkey new` and `zkey contribute`).

Initial keys (`initial_keys`), for the circuit's QAP on a domain of n <= 2^power points,
computed from the phase-1 points alone, nobody knowing tau, alpha or beta, with gamma = 1
and delta = 1:
  1. the Lagrange basis in the groups, [L_j(tau)]_1, [L_j(tau)]_2, [alpha L_j(tau)]_1 and
     [beta L_j(tau)]_1, as inverse NTTs of the first n powers of each family
     (zkwork.poly.group_fft);
  2. for every wire i the sparse sums over the QAP rows j
        a_query[i]  = sum_j A_ji [L_j]_1     = [u_i(tau)]_1
        b1_query[i] = sum_j B_ji [L_j]_1,    b2_query[i] = sum_j B_ji [L_j]_2
        K_i = sum_j A_ji [beta L_j]_1 + B_ji [alpha L_j]_1 + C_ji [L_j]_1
            = [beta u_i(tau) + alpha v_i(tau) + w_i(tau)]_1,
     the public wires' K_i being the IC points and the private ones the L query. A wire
     with many terms (MSM_TERMS or more) is one Pippenger MSM, which shares the doublings
     among its terms; the terms of the other wires with a coefficient other than +-1 are
     products of one batch variable-base multiplication (zkwork.curve.batch_mul), and a
     parallel kernel adds each wire's terms (`segment_sums`; a coefficient -1 subtracts
     its point). Measured at membership depth 20 (B: 89k terms over 5125 wires, up to
     3380 per wire, 90% of the wires with terms have 92 or fewer) on two threads: 1.0 s
     in G1 and 2.3 s in G2, against 3.0 s and 9.4 s with a batch multiplication for
     every term (one thread: 1.3 s against 5.5 s in G1);
  3. h_query[k] = [tau^k Z(tau)]_1 = [tau^(n+k)]_1 - [tau^k]_1 for k < n - 1 (Z(x) =
     x^n - 1), pairs summed by the same kernel;
  4. alpha_1 = alpha_tau_g1[0], beta_1 = beta_tau_g1[0], beta_2 = beta_g2, and
     gamma_2 = delta_2 = [1]_2, delta_1 = [1]_1.
The prover (zkwork.groth16.prove) uses these keys unchanged: they are the keys of
`setup_from_toxic_waste` for (tau, alpha, beta, gamma = 1, delta = 1).

A contribution with secret d (`contribute` draws it from `secrets` and drops it on
return; `apply_delta` takes it as given, for tests and the beacon) multiplies delta_1 and
delta_2 by d and every point of the L and H queries by 1/d: one batch multiplication with
the same scalar repeated. Each point needs its own ladder of doublings and additions
either way; all a dedicated same-scalar kernel could share is the digit recoding, a few
integer operations per window against four doublings and an addition. The record (`Phase2Record`) holds the index,
the contributor, the digests of the keys before and after (`key_digest`), the new delta_1
and delta_2, a proof of knowledge of d bound to the previous digest, the index and the
contributor (zkwork.ceremony.pok, records.challenge with the secret named "delta"), and
the time taken. The beacon (`beacon`) is a last contribution whose d comes from a public
value: h = value, h = SHA-256(h) 2^n times, d = BLAKE2b-512(BEACON_TAG || h) mod (r - 1) + 1.

The digest is BLAKE2b-512 over DIGEST_TAG, the QAP (domain size, wire and public counts,
and each matrix's CSR arrays, coefficients in plain big-endian form) and the uncompressed
encodings of every point of the key (powers.encoding): alpha_1, beta_2,
gamma_2, delta_2, IC, beta_1, delta_1, then the a, b1, b2, L and H queries.

Verification (`verify_phase2(powers, r1cs, records, final_pk)`) recomputes the initial
keys and their digest (checks "initial_keys" and "records", a list, of contribution
"initial"), then per record i, with (H, dH) the G2 pair of its proof:
    index, previous_digest, kind    as in phase 1 (chain of digests from the initial key)
    pok_delta           the proof of knowledge verifies against the record's challenge
    delta_ratio         same_ratio(prev delta_1, delta_1, H, dH): delta_1 = d prev delta_1
    delta_consistent    same_ratio([1]_1, delta_1, [1]_2, delta_2)
    beacon_delta        (beacon) delta_1, delta_2 are the previous ones times the d
                        recomputed from the beacon value
and on the final key ("final"):
    final_digest        its digest is the last record's new digest
    <field>_unchanged   each of alpha_1, beta_2, gamma_2, ic, beta_1, a_query, b1_query,
                        b2_query and the QAP equals the initial key's
    final_delta         delta_1 and delta_2 are the last record's
    delta_not_gamma     delta_2 is not +-gamma_2 (gamma_2 = [1]_2) and delta_1 not +-[1]_1:
                        with delta = gamma, A = alpha_1, B = beta_2, C = -IC(x) verifies
                        for any public x (C = IC(x) with delta = -gamma); the keys of no
                        contribution, or of contributions multiplying to +-1
    contributors        at least one contributor besides the beacon (more on request;
                        records.check_contributors)
    l_query_delta       e(sum r_i L_i(final), delta_2) == e(sum r_i L_i(initial), [1]_2)
    h_query_delta       likewise for H,
with random weights r_i from `secrets`: the final L and H points are the initial ones
divided by the final delta, except with probability 1/r over the weights. The beacon is
recomputed within beacon_limits.BeaconLimits (beyond them beacon_delta fails, naming the
limit). Verification never raises on bad data: a check that cannot be evaluated fails
with the error as its detail. It trusts `powers` (check them with verify_phase1).
"""
import dataclasses
import hashlib
import secrets
import time
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
from numba import prange

from zkwork.ceremony.beacon_limits import BeaconLimits
from zkwork.ceremony.consistency import BAD_DATA, Checker
from zkwork.ceremony.pok import KnowledgeProof, point_from_json, prove_knowledge, same_ratio
from zkwork.ceremony.powers import PowersOfTau, encoding
from zkwork.ceremony.records import (
    FIELDS,
    KINDS,
    Beacon,
    VerificationReport,
    challenge,
    check_contributors,
    read_digest,
    record_challenge,
    record_fields,
)
from zkwork.ceremony.snarkjs_ptau import iterated_sha256
from zkwork.curve import G1Point, G2Point, g1_points_from_affine_array
from zkwork.curve.batch_mul import batch_mul_g1, batch_mul_g2
from zkwork.curve.kernels import G1, G2
from zkwork.curve.msm import G1_MSM, G2_MSM, msm_g1, msm_g2, plain_scalars
from zkwork.errors import DomainSizeError
from zkwork.field import FR, FieldVector, Fr, R
from zkwork.field.limbs import int_to_limbs
from zkwork.groth16.keys import ProvingKey, VerifyingKey
from zkwork.groth16.qap import QAP
from zkwork.groth16.snarkjs_json import g1_to_json, g2_to_json
from zkwork.jit import njit
from zkwork.poly.group_fft import group_intt_g1, group_intt_g2

DIGEST_TAG = b"zkwork/ceremony/phase2/key/v1"
BEACON_TAG = b"zkwork/ceremony/phase2/beacon/v1"
# Wires with this many terms or more take one MSM each (see sparse_sums). Measured on the
# B matrix of membership depth 20: thresholds 2 to 16 within 10% of each other, on one
# thread and on two; 8 makes fewer calls than the smaller ones.
MSM_TERMS = 8
SECRET = "delta"  # the secret's name in the challenge and in a record's proofs
# Fields a contribution leaves as they are, in the order of the "unchanged" checks.
UNCHANGED = ("alpha_1", "beta_2", "gamma_2", "ic", "beta_1", "a_query", "b1_query", "b2_query", "qap")


class CircuitTooLargeError(DomainSizeError):
    """A circuit whose QAP domain is larger than the powers of tau serve."""


# -- sparse sums of points ------------------------------------------------------------------
def make_segment_sums(curve, msm_kernels):
    """The kernel adding consecutive runs of affine points, for the group whose Jacobian
    kernels are `curve`, moving points with `msm_kernels`' loaders."""
    add_mixed, neg, infinity = curve.add_mixed, curve.neg, curve.infinity
    load_affine, store_jacobian = msm_kernels.load_affine, msm_kernels.store_jacobian

    @njit(parallel=True, cache=True)
    def segment_sums(points, negative, starts, out):
        """out[s] = sum of (-1)^negative[t] points[t] for starts[s] <= t < starts[s + 1]
        (Jacobian; an empty run gives infinity)."""
        for s in prange(starts.shape[0] - 1):
            acc = infinity
            for t in range(starts[s], starts[s + 1]):
                q = load_affine(points, t)
                acc = neg(add_mixed(neg(acc), q)) if negative[t] else add_mixed(acc, q)
            store_jacobian(out, s, acc)

    return segment_sums


_G1 = SimpleNamespace(sums=make_segment_sums(G1, G1_MSM), kernels=G1_MSM, msm=msm_g1, batch_mul=batch_mul_g1)
_G2 = SimpleNamespace(sums=make_segment_sums(G2, G2_MSM), kernels=G2_MSM, msm=msm_g2, batch_mul=batch_mul_g2)
_ONE = np.array(int_to_limbs(1), dtype=np.uint64)
_MINUS_ONE = np.array(int_to_limbs(R - 1), dtype=np.uint64)


def _run_sums(group, points, negative, starts):
    jacobian = np.empty((starts.shape[0] - 1,) + group.kernels.jacobian_shape, dtype=np.uint64)
    group.sums(np.ascontiguousarray(points), negative, starts, jacobian)
    return group.kernels.to_affine_array(jacobian)


def sparse_sums(group, bases, rows, wires, coeffs, num_wires):
    """out[i] = sum of coeffs[t] bases[rows[t]] over the terms t with wires[t] == i, as an
    affine array of num_wires points; coeffs are Montgomery Fr rows. `group` is _G1 or _G2.
    A wire with MSM_TERMS terms or more is one MSM; the terms of the other wires are
    products of one batch multiplication (none for a coefficient +-1) summed by
    `segment_sums`."""
    order = np.argsort(wires, kind="stable")
    rows, wires = rows[order], wires[order]
    plain = plain_scalars(FieldVector(FR, np.ascontiguousarray(coeffs[order])))
    counts = np.bincount(wires, minlength=num_wires)
    starts = np.concatenate([[0], np.cumsum(counts)])
    many = counts >= MSM_TERMS
    few = ~many[wires]
    terms, plain_few = bases[rows[few]], plain[few]
    negative = (plain_few == _MINUS_ONE).all(axis=1)
    general = ~(negative | (plain_few == _ONE).all(axis=1))
    if general.any():
        terms[general] = group.batch_mul(np.ascontiguousarray(terms[general]), plain_few[general])
    jacobian = np.empty((num_wires,) + group.kernels.jacobian_shape, dtype=np.uint64)
    few_starts = np.concatenate([[0], np.cumsum(np.where(many, 0, counts))])
    group.sums(np.ascontiguousarray(terms), negative, few_starts, jacobian)
    for i in np.flatnonzero(many):
        jacobian[i] = group.msm(bases[rows[starts[i] : starts[i + 1]]], plain[starts[i] : starts[i + 1]])
    return group.kernels.to_affine_array(jacobian)


def _entries(matrix, row_offset=0):
    """(rows, wires, coeffs) of a QAP SparseMatrix, rows shifted by row_offset."""
    rows = np.repeat(np.arange(matrix.indptr.shape[0] - 1, dtype=np.int64), np.diff(matrix.indptr))
    return rows + row_offset, matrix.indices, matrix.coeffs


# -- initial keys ---------------------------------------------------------------------------
def _g1_point(row):
    return g1_points_from_affine_array(row[None], check=False)[0]


def initial_keys(powers: PowersOfTau, r1cs) -> ProvingKey:
    """The Groth16 keys of `r1cs` for the secrets of `powers`, gamma = delta = 1; see the
    module docstring. CircuitTooLargeError if its domain exceeds 2^powers.power points."""
    qap = QAP.from_r1cs(r1cs)
    domain = qap.domain
    n = domain.size
    if n > powers.size:
        raise CircuitTooLargeError(
            f"the circuit's {r1cs.num_constraints} constraints and {r1cs.num_public + 1} public binding rows "
            f"need a domain of 2^{domain.log_size} = {n} points; the powers of tau of power {powers.power} "
            f"serve at most 2^{powers.power} = {powers.size}"
        )
    lagrange_g1 = group_intt_g1(powers.tau_g1[:n], domain)
    lagrange_g2 = group_intt_g2(powers.tau_g2[:n], domain)
    alpha_lagrange = group_intt_g1(powers.alpha_tau_g1[:n], domain)
    beta_lagrange = group_intt_g1(powers.beta_tau_g1[:n], domain)
    wires = qap.num_wires
    a_query = sparse_sums(_G1, lagrange_g1, *_entries(qap.A), wires)
    b1_query = sparse_sums(_G1, lagrange_g1, *_entries(qap.B), wires)
    b2_query = sparse_sums(_G2, lagrange_g2, *_entries(qap.B), wires)
    # K_i over the stacked bases [beta L | alpha L | L]: A's rows, B's shifted by n, C's by 2n
    k_terms = [_entries(qap.A), _entries(qap.B, n), _entries(qap.C, 2 * n)]
    k = sparse_sums(
        _G1, np.concatenate([beta_lagrange, alpha_lagrange, lagrange_g1]),
        *(np.concatenate(parts) for parts in zip(*k_terms)), wires,
    )
    # h_query[k] = [tau^(n+k)]_1 - [tau^k]_1 as runs of two points, the second subtracted
    pairs = np.stack([powers.tau_g1[n : 2 * n - 1], powers.tau_g1[: n - 1]], axis=1).reshape((-1,) + k.shape[1:])
    h_query = _run_sums(_G1, pairs, np.tile([False, True], n - 1), np.arange(0, 2 * n - 1, 2))
    public = qap.num_public + 1
    g1, g2 = G1Point.generator(), G2Point.generator()
    vk = VerifyingKey(
        alpha_1=_g1_point(powers.alpha_tau_g1[0]), beta_2=powers.beta_g2, gamma_2=g2, delta_2=g2,
        ic=tuple(g1_points_from_affine_array(k[:public], check=False)),
    )
    return ProvingKey(
        vk=vk, beta_1=_g1_point(powers.beta_tau_g1[0]), delta_1=g1,
        a_query=a_query, b1_query=b1_query, b2_query=b2_query,
        l_query=np.ascontiguousarray(k[public:]), h_query=h_query, qap=qap,
    )


# -- digest ---------------------------------------------------------------------------------
def _qap_encoding(qap):
    parts = [int(x).to_bytes(8, "big") for x in (qap.domain.size, qap.num_wires, qap.num_public)]
    for matrix in (qap.A, qap.B, qap.C):
        plain = plain_scalars(FieldVector(FR, matrix.coeffs))
        parts += [len(matrix.indices).to_bytes(8, "big"), matrix.indptr.astype(">u8").tobytes(),
                  matrix.indices.astype(">u8").tobytes(), np.ascontiguousarray(plain[:, ::-1]).astype(">u8").tobytes()]
    return b"".join(parts)


def key_digest(pk: ProvingKey) -> bytes:
    """BLAKE2b-512 of the canonical encoding of the key (module docstring)."""
    h = hashlib.blake2b(digest_size=64)
    h.update(DIGEST_TAG)
    h.update(_qap_encoding(pk.qap))
    vk = pk.vk
    for point in (vk.alpha_1, vk.beta_2, vk.gamma_2, vk.delta_2):
        h.update(point.to_bytes(compressed=False))
    h.update(len(vk.ic).to_bytes(8, "big"))
    for point in vk.ic:
        h.update(point.to_bytes(compressed=False))
    for point in (pk.beta_1, pk.delta_1):
        h.update(point.to_bytes(compressed=False))
    for array in (pk.a_query, pk.b1_query, pk.b2_query, pk.l_query, pk.h_query):
        h.update(array.shape[0].to_bytes(8, "big"))
        h.update(encoding(array))
    return h.digest()


# -- records --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Phase2Record:
    """One contribution to delta (or the beacon); see the module docstring. Its JSON form
    is that of a phase-1 record, with head {"delta_1", "delta_2"} and proofs {"delta"}."""

    index: int
    contributor: str
    kind: str
    previous_digest: str
    new_digest: str
    delta_1: G1Point
    delta_2: G2Point
    proof: KnowledgeProof
    seconds: float
    beacon: Beacon | None = None

    def challenge(self) -> bytes:
        """The challenge the proof of knowledge of delta should be bound to."""
        return record_challenge(self.previous_digest, self.index, self.contributor, SECRET)

    def to_json(self) -> dict:
        """The record as a JSON object (see the class docstring); its beacon only when it has one."""
        data = {
            "index": self.index,
            "contributor": self.contributor,
            "kind": self.kind,
            "previous_digest": self.previous_digest,
            "new_digest": self.new_digest,
            "head": {"delta_1": g1_to_json(self.delta_1), "delta_2": g2_to_json(self.delta_2)},
            "proofs": {SECRET: self.proof.to_json()},
            "seconds": self.seconds,
        }
        if self.beacon is not None:
            data["beacon"] = self.beacon.to_json()
        return data

    @classmethod
    def from_json(cls, data, where="record") -> "Phase2Record":
        """The record a to_json object encodes; TranscriptFormatError naming `where` and the
        field otherwise."""
        kind, beacon, contributor, seconds, head, proofs = record_fields(data, where)
        return cls(
            index=FIELDS.int(FIELDS.field(data, "index", where), f"{where}.index", 2**32 - 1),
            contributor=contributor,
            kind=kind,
            previous_digest=read_digest(FIELDS.field(data, "previous_digest", where), f"{where}.previous_digest"),
            new_digest=read_digest(FIELDS.field(data, "new_digest", where), f"{where}.new_digest"),
            delta_1=point_from_json(G1Point, head, "delta_1", f"{where}.head"),
            delta_2=point_from_json(G2Point, head, "delta_2", f"{where}.head"),
            proof=KnowledgeProof.from_json(FIELDS.field(proofs, SECRET, f"{where}.proofs"), f"{where}.proofs.{SECRET}"),
            seconds=float(seconds),
            beacon=beacon,
        )


# -- contributions --------------------------------------------------------------------------
def contribute(pk: ProvingKey, contributor: str, index: int) -> tuple[ProvingKey, Phase2Record]:
    """Contribution `index` (its position among the phase-2 records) by `contributor`, with
    a fresh nonzero delta from `secrets` that exists only inside this call."""
    return apply_delta(pk, contributor, index, Fr(secrets.randbelow(R - 1) + 1))


def apply_delta(pk, contributor, index, delta, beacon=None):
    """The contribution of the given nonzero delta (tests choose it, `contribute` draws it,
    `beacon` derives it); `beacon`, if given, is recorded and makes the record the beacon's."""
    started = time.perf_counter()
    delta = Fr(delta)
    previous_digest = key_digest(pk)
    proof = prove_knowledge(delta, challenge(previous_digest, index, contributor, SECRET))
    points = np.concatenate([pk.l_query, pk.h_query])
    inverse = np.tile(np.array(FR.to_mont_limbs(delta.inverse().value), dtype=np.uint64), (points.shape[0], 1))
    scaled = batch_mul_g1(points, FieldVector(FR, inverse))
    m = pk.l_query.shape[0]
    new_pk = dataclasses.replace(
        pk, vk=dataclasses.replace(pk.vk, delta_2=pk.vk.delta_2 * delta), delta_1=pk.delta_1 * delta,
        l_query=np.ascontiguousarray(scaled[:m]), h_query=np.ascontiguousarray(scaled[m:]),
    )
    record = Phase2Record(
        index=index, contributor=contributor, kind="contribution" if beacon is None else "beacon",
        previous_digest=previous_digest.hex(), new_digest=key_digest(new_pk).hex(),
        delta_1=new_pk.delta_1, delta_2=new_pk.vk.delta_2, proof=proof, seconds=0.0, beacon=beacon,
    )
    return new_pk, dataclasses.replace(record, seconds=time.perf_counter() - started)


def beacon_delta(value: bytes, iterations_exponent: int) -> Fr:
    """The beacon's delta: see the module docstring."""
    h = iterated_sha256(value, iterations_exponent)
    return Fr(int.from_bytes(hashlib.blake2b(BEACON_TAG + h, digest_size=64).digest(), "big") % (R - 1) + 1)


def beacon(pk, value: bytes, iterations_exponent: int, index: int, contributor="beacon"):
    """The final contribution, its delta derived from the public `value` with
    2^iterations_exponent SHA-256 iterations; the recorded time includes the iterations."""
    started = time.perf_counter()
    delta = beacon_delta(value, iterations_exponent)
    record_beacon = Beacon(value=bytes(value), iterations_exponent=iterations_exponent)
    new_pk, record = apply_delta(pk, contributor, index, delta, beacon=record_beacon)
    return new_pk, dataclasses.replace(record, seconds=time.perf_counter() - started)


# -- verification ---------------------------------------------------------------------------
def _same_field(a, b, name):
    """Whether field `name` (of UNCHANGED) is the same in keys a and b."""
    if name == "qap":
        qa, qb = a.qap, b.qap
        return (qa.domain.size, qa.num_wires, qa.num_public) == (qb.domain.size, qb.num_wires, qb.num_public) and all(
            np.array_equal(getattr(getattr(qa, m), part), getattr(getattr(qb, m), part))
            for m in "ABC" for part in ("indptr", "indices", "coeffs")
        )
    owner_a, owner_b = (a.vk, b.vk) if hasattr(a.vk, name) else (a, b)
    x, y = getattr(owner_a, name), getattr(owner_b, name)
    if isinstance(x, np.ndarray):
        return isinstance(y, np.ndarray) and x.shape == y.shape and np.array_equal(x, y)
    if isinstance(x, tuple):
        return isinstance(y, tuple) and len(x) == len(y) and all(p == q for p, q in zip(x, y))
    return x == y


def verify_phase2(powers: PowersOfTau, r1cs, records, final_pk: ProvingKey, **options) -> VerificationReport:
    """Check the phase-2 records of `r1cs` from the powers of tau and the final keys; see
    the module docstring. `options` as for verify_from_initial."""
    report = VerificationReport()
    try:
        initial = initial_keys(powers, r1cs)
    except BAD_DATA as error:
        report.add("initial", "", "initial_keys", False, f"{type(error).__name__}: {error}")
        return report
    report.add("initial", "", "initial_keys", True)
    return verify_from_initial(initial, records, final_pk, report=report, **options)


def verify_from_initial(initial, records, final_pk, *, min_contributors=1, limits=None, report=None):
    """verify_phase2 from the initial keys already computed (`initial_keys`), with at least
    `min_contributors` (at least 1) contributors and the beacon within `limits` (a
    BeaconLimits, its defaults if None); the checks are added to `report` if given."""
    limits = BeaconLimits() if limits is None else limits
    report = VerificationReport() if report is None else report
    digest = key_digest(initial).hex()
    delta_1, delta_2 = initial.delta_1, initial.vk.delta_2
    check = Checker(report, "initial", "")
    if not check("records", lambda: isinstance(records, (list, tuple)),
                 f"the records must be a list, got {type(records).__name__}"):
        return report
    records = list(records)
    for position, record in enumerate(records):
        _verify_record(report, position, record, delta_1, delta_2, digest, position == len(records) - 1, limits)
        delta_1, delta_2 = getattr(record, "delta_1", None), getattr(record, "delta_2", None)
        digest = getattr(record, "new_digest", None)
    last = records[-1] if records else None
    contributor = getattr(last, "contributor", "initial")
    _verify_final(report, initial, final_pk, delta_1, delta_2, digest, contributor)
    check = Checker(report, "final", contributor)
    gamma_2, g1 = initial.vk.gamma_2, G1Point.generator()
    check("delta_not_gamma", lambda: delta_2 not in (gamma_2, -gamma_2) and delta_1 not in (g1, -g1),
          "delta is +-1, +-gamma: anyone can forge a proof for any public signals")
    check_contributors(check, records, min_contributors)
    return report


def _verify_record(report, position, record, previous_1, previous_2, previous_digest, is_last, limits):
    check = Checker(report, position, getattr(record, "contributor", "?"))
    check("index", lambda: record.index == position,
          f"the record at position {position} says index {getattr(record, 'index', None)!r}")
    check("previous_digest", lambda: record.previous_digest == previous_digest,
          "does not continue from the previous record's new key")
    check("kind", lambda: record.kind in KINDS and (record.kind == "beacon") == (record.beacon is not None)
          and (record.kind != "beacon" or is_last),
          "a beacon must be the last record, and only a beacon has a beacon value")
    check("pok_delta", lambda: record.proof.verify(record.challenge()),
          "the proof of knowledge of delta does not verify")
    check("delta_ratio", lambda: same_ratio(previous_1, record.delta_1, record.proof.base_g2(record.challenge()),
                                            record.proof.spx_g2),
          "delta_1 is not the previous one times the secret the proof of knowledge is for")
    check("delta_consistent", lambda: same_ratio(G1Point.generator(), record.delta_1, G2Point.generator(),
                                                 record.delta_2),
          "delta_1 and delta_2 are not the same delta")
    if getattr(record, "kind", None) == "beacon" and getattr(record, "beacon", None) is not None:
        limits.check(check, "beacon_delta", getattr(record.beacon, "iterations_exponent", None),
                     lambda: _beacon_applied(record, previous_1, previous_2),
                     "delta is not the previous one times the delta of the beacon value")


def _beacon_applied(record, previous_1, previous_2):
    delta = beacon_delta(record.beacon.value, record.beacon.iterations_exponent)
    return record.delta_1 == previous_1 * delta and record.delta_2 == previous_2 * delta


def _weighted_sum(array, weights):
    return G1Point(msm_g1(array, weights))


def _verify_final(report, initial, pk, delta_1, delta_2, digest, contributor):
    check = Checker(report, "final", contributor)
    if not check("keys", lambda: isinstance(pk, ProvingKey) and isinstance(pk.vk, VerifyingKey),
                 "the final keys are not a ProvingKey"):
        return
    check("final_digest", lambda: key_digest(pk).hex() == digest, "the final key's digest is not the last record's")
    for name in UNCHANGED:
        check(f"{name}_unchanged", lambda: _same_field(initial, pk, name), f"{name} differs from the initial key's")
    check("final_delta", lambda: pk.delta_1 == delta_1 and pk.vk.delta_2 == delta_2,
          "delta_1 or delta_2 is not the last record's")
    g2 = G2Point.generator()
    for name in ("l_query", "h_query"):
        before = getattr(initial, name)
        check(f"{name}_delta", lambda: _divided_by_delta(before, getattr(pk, name), pk.vk.delta_2, g2),
              f"the {name} points are not the initial ones divided by delta")


def _divided_by_delta(before, after, delta_2, g2):
    """Whether after[i] = before[i] / delta for all i, by one pairing check on random
    combinations: e(sum r_i after_i, delta_2) == e(sum r_i before_i, [1]_2)."""
    if not isinstance(after, np.ndarray) or after.shape != before.shape:
        return False
    if before.shape[0] == 0:
        return True
    weights = FieldVector.random(FR, before.shape[0])
    return same_ratio(_weighted_sum(after, weights), _weighted_sum(before, weights), g2, delta_2)
