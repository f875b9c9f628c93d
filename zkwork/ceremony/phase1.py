"""Phase 1 of the ceremony: contributions, the random beacon, and transcript verification.

Contributing: from the current state, with fresh secrets (x, a, b) drawn from `secrets`,
compute the updated state (powers.PowersOfTau.updated) and a record holding the digests
of both states, the new state's head points and a proof of knowledge of each secret
(pok.py) bound to the previous digest, the contribution's index and its contributor.
The secrets exist only inside `contribute` and are dropped when it returns; the ceremony
is sound if at least one contributor did not keep theirs.

The beacon: a last contribution whose secrets come from a public value fixed after
every other contribution (a future block hash, say): h = value, then h = SHA-256(h)
2^n times (as snarkjs's beacon; the delay keeps whoever influences the value from
trying many), and each secret is BLAKE2b-512(BEACON_TAG || name || h) mod (r - 1) + 1,
nonzero. Anyone recomputes the secrets and checks the beacon's points directly; nobody
controls the final state.

Verification (`verify_phase1`), for each record i against the head points of record
i - 1 (the generators for i = 0), with G1 = [1]_1, G2 = [1]_2 and (H, xH) the G2 pair of
each proof of knowledge:
    index               the record says it is the i-th
    previous_digest     equals record i - 1's new digest (the initial state's for i = 0)
    kind                a known kind; a beacon only as the last record
    pok_tau/alpha/beta  each proof of knowledge verifies against the record's challenge
    tau_g1_ratio        same_ratio(prev tau_g1[1], tau_g1[1], H_tau, x H_tau): new = x prev
    alpha_ratio         same_ratio(prev alpha_tau_g1[0], alpha_tau_g1[0], H_alpha, a H_alpha)
    beta_ratio          same_ratio(prev beta_tau_g1[0], beta_tau_g1[0], H_beta, b H_beta)
    tau_g2_consistent   same_ratio(G1, tau_g1[1], G2, tau_g2[1])
    beta_g2_consistent  same_ratio(G1, beta_tau_g1[0], G2, beta_g2)
    beacon_secrets      (beacon) the head points are the previous ones times the secrets
                        recomputed from the beacon value
and on the final state (contribution "final"): its power, digest and head points equal
the transcript's last ones, tau_g1[0] and tau_g2[0] are the generators, no point is at
infinity, the last record is the beacon (unless not required), and all the powers are
consistent, with one pairing check per family. For random weights r_i from `secrets`:
    tau_g1_powers       same_ratio(sum r_i tau_g1[i], sum r_i tau_g1[i+1], G2, tau_g2[1])
    tau_g2_powers       same_ratio(G1, tau_g1[1], sum r_i tau_g2[i], sum r_i tau_g2[i+1])
    alpha_tau_g1_powers same_ratio(sum r_i alpha_tau_g1[i], sum r_i alpha_tau_g1[i+1], G2, tau_g2[1])
    beta_tau_g1_powers  likewise
    beta_g2             same_ratio(G1, beta_tau_g1[0], G2, beta_g2)
If some consecutive pair had another ratio than tau, the two sums would differ from a
tau-multiple by sum r_i e_i for nonzero errors e_i, which is zero with probability 1/r
over the weights; with the generators at index 0 and tau_g2[1] fixed by the chain of
records, every point is then the right power. The sums are multi-scalar multiplications.

Verification never raises on bad transcript data: every check that cannot be evaluated
(a missing proof, a malformed point in a record built in memory) is reported as failed
with the error as its detail.
"""
import dataclasses
import hashlib
import secrets
import time

import numpy as np

from zkwork.ceremony.pok import prove_knowledge, same_ratio
from zkwork.ceremony.powers import ARRAYS, PowersOfTau
from zkwork.ceremony.records import (
    KINDS,
    SECRETS,
    Beacon,
    ContributionRecord,
    Transcript,
    VerificationReport,
    challenge,
)
from zkwork.curve import G1Point, G2Point
from zkwork.curve.msm import msm_g1, msm_g2
from zkwork.errors import ZkworkError
from zkwork.field import FR, FieldVector, Fr, R

BEACON_TAG = b"zkwork/ceremony/phase1/beacon/v1"

# What a malformed record built in memory can raise while it is checked.
_BAD_DATA = (ZkworkError, ValueError, TypeError, AttributeError, KeyError, IndexError)


def start(power: int) -> tuple[PowersOfTau, Transcript]:
    """The initial state of `power` and an empty transcript starting from it."""
    state = PowersOfTau.initial(power)
    return state, Transcript(power=power, initial_digest=state.digest().hex())


def _nonzero_secret():
    return Fr(secrets.randbelow(R - 1) + 1)


def contribute(state: PowersOfTau, contributor: str, index: int) -> tuple[PowersOfTau, ContributionRecord]:
    """Contribution `index` (its position in the transcript) by `contributor`: fresh
    secrets tau, alpha, beta from `secrets`, used and dropped inside this call."""
    return apply_secrets(state, contributor, index, _nonzero_secret(), _nonzero_secret(), _nonzero_secret())


def apply_secrets(state, contributor, index, tau, alpha, beta, beacon=None):
    """The contribution of the given secrets (tests choose them; `contribute` draws them);
    `beacon`, if given, is recorded and makes the record the beacon's."""
    started = time.perf_counter()
    previous_digest = state.digest()
    new_state = state.updated(tau, alpha, beta)
    proofs = {
        name: prove_knowledge(x, challenge(previous_digest, index, contributor, name))
        for name, x in zip(SECRETS, (tau, alpha, beta))
    }
    record = ContributionRecord(
        index=index,
        contributor=contributor,
        kind="contribution" if beacon is None else "beacon",
        previous_digest=previous_digest.hex(),
        new_digest=new_state.digest().hex(),
        head=new_state.head(),
        proofs=proofs,
        seconds=0.0,
        beacon=beacon,
    )
    return new_state, dataclasses.replace(record, seconds=time.perf_counter() - started)


def beacon_secrets(value: bytes, iterations_exponent: int) -> tuple[Fr, Fr, Fr]:
    """(tau, alpha, beta) of the beacon: see the module docstring."""
    h = bytes(value)
    for _ in range(1 << iterations_exponent):
        h = hashlib.sha256(h).digest()
    digests = (hashlib.blake2b(BEACON_TAG + name.encode() + h, digest_size=64).digest() for name in SECRETS)
    return tuple(Fr(int.from_bytes(digest, "big") % (R - 1) + 1) for digest in digests)


def apply_beacon(state, value: bytes, iterations_exponent: int, index: int, contributor="beacon"):
    """The final contribution, from the public `value` with 2^iterations_exponent SHA-256
    iterations; the recorded time includes the iterations."""
    started = time.perf_counter()
    tau, alpha, beta = beacon_secrets(value, iterations_exponent)
    beacon = Beacon(value=bytes(value), iterations_exponent=iterations_exponent)
    new_state, record = apply_secrets(state, contributor, index, tau, alpha, beta, beacon=beacon)
    return new_state, dataclasses.replace(record, seconds=time.perf_counter() - started)


# -- verification -----------------------------------------------------------------------
class _Checker:
    """Adds checks to a report, turning an exception raised by bad data into a failure.
    `evaluate` is called at once, so lambdas over loop variables see the current values."""

    def __init__(self, report, contribution, contributor):
        self.report, self.contribution, self.contributor = report, contribution, contributor

    def __call__(self, name, evaluate, detail=""):
        try:
            passed = bool(evaluate())
        except _BAD_DATA as error:
            passed, detail = False, f"{type(error).__name__}: {error}"
        self.report.add(self.contribution, self.contributor, name, passed, "" if passed else detail)
        return passed


def verify_phase1(transcript: Transcript, final_state: PowersOfTau, require_beacon=True) -> VerificationReport:
    """Check every record of `transcript` and the final state; see the module docstring."""
    report = VerificationReport()
    check = _Checker(report, "initial", "")
    if not check("power", lambda: isinstance(transcript.power, int) and 1 <= transcript.power,
                 f"a ceremony needs power >= 1, got {transcript.power!r}"):
        return report
    initial = PowersOfTau.initial(transcript.power)
    digest = initial.digest().hex()
    check("initial_digest", lambda: transcript.initial_digest == digest,
          "the transcript's initial digest is not that of the initial state")
    head = initial.head()
    records = list(transcript.records)
    for position, record in enumerate(records):
        _verify_record(report, position, record, head, digest, is_last=position == len(records) - 1)
        head, digest = getattr(record, "head", None), getattr(record, "new_digest", None)
    last = records[-1] if records else None
    _verify_final(report, transcript, final_state, head, digest, last, require_beacon)
    return report


def _verify_record(report, position, record, previous_head, previous_digest, is_last):
    check = _Checker(report, position, getattr(record, "contributor", "?"))
    check("index", lambda: record.index == position,
          f"the record at position {position} says index {getattr(record, 'index', None)!r}")
    check("previous_digest", lambda: record.previous_digest == previous_digest,
          "does not continue from the previous record's new state")
    check("kind", lambda: record.kind in KINDS and (record.kind == "beacon") == (record.beacon is not None)
          and (record.kind != "beacon" or is_last),
          "a beacon must be the last record, and only a beacon has a beacon value")
    for name in SECRETS:
        check(f"pok_{name}", lambda: record.proofs[name].verify(record.challenge(name)),
              f"the proof of knowledge of {name} does not verify")
    head = getattr(record, "head", None)
    for name, point in (("tau", "tau_g1"), ("alpha", "alpha_g1"), ("beta", "beta_g1")):
        check("tau_g1_ratio" if name == "tau" else f"{name}_ratio",
              lambda: same_ratio(getattr(previous_head, point), getattr(head, point),
                                 record.proofs[name].base_g2(record.challenge(name)), record.proofs[name].spx_g2),
              f"the update of the {name} points is not by the secret the proof of knowledge is for")
    g1, g2 = G1Point.generator(), G2Point.generator()
    check("tau_g2_consistent", lambda: same_ratio(g1, head.tau_g1, g2, head.tau_g2),
          "tau_g2[1] and tau_g1[1] are not the same power of tau")
    check("beta_g2_consistent", lambda: same_ratio(g1, head.beta_g1, g2, head.beta_g2),
          "beta_g2 and beta_tau_g1[0] are not the same beta")
    if getattr(record, "kind", None) == "beacon" and getattr(record, "beacon", None) is not None:
        check("beacon_secrets", lambda: _beacon_head(previous_head, record.beacon) == head,
              "the points are not the previous ones times the secrets of the beacon value")


def _beacon_head(previous, beacon):
    tau, alpha, beta = beacon_secrets(beacon.value, beacon.iterations_exponent)
    return dataclasses.replace(
        previous,
        tau_g1=previous.tau_g1 * tau, tau_g2=previous.tau_g2 * tau,
        alpha_g1=previous.alpha_g1 * alpha, beta_g1=previous.beta_g1 * beta, beta_g2=previous.beta_g2 * beta,
    )


def _verify_final(report, transcript, state, head, digest, last, require_beacon):
    check = _Checker(report, "final", getattr(last, "contributor", "initial"))
    if not check("power", lambda: isinstance(state, PowersOfTau) and state.power == transcript.power,
                 "the final state is not a PowersOfTau of the transcript's power"):
        return
    check("final_digest", lambda: state.digest().hex() == digest, "the final state's digest is not the last record's")
    final_head = state.head()
    check("final_head", lambda: final_head == head, "the final state's head points are not the last record's")
    if require_beacon:
        check("beacon", lambda: last is not None and last.kind == "beacon", "the last record is not the random beacon")
    g1, g2 = G1Point.generator(), G2Point.generator()
    check("generators", lambda: np.array_equal(state.tau_g1[0], g1.affine_mont())
          and np.array_equal(state.tau_g2[0], g2.affine_mont()), "tau_g1[0] or tau_g2[0] is not the generator")
    check("no_infinity", lambda: not state.beta_g2.is_infinity()
          and not any(_zero_rows(getattr(state, name)).any() for name in ARRAYS), _infinity_detail(state))
    n = state.size
    weights = FieldVector.random(FR, 2 * n - 2)
    first = FieldVector(FR, weights.mont[: n - 1])
    for name, array, w in (
        ("tau_g1_powers", state.tau_g1, weights),
        ("alpha_tau_g1_powers", state.alpha_tau_g1, first),
        ("beta_tau_g1_powers", state.beta_tau_g1, first),
    ):
        check(name, lambda: same_ratio(*_shifted_sums(G1Point, msm_g1, array, w), g2, final_head.tau_g2),
              f"some consecutive points of {name[:-7]} are not in the ratio tau")
    check("tau_g2_powers", lambda: same_ratio(g1, final_head.tau_g1, *_shifted_sums(G2Point, msm_g2, state.tau_g2, first)),
          "some consecutive points of tau_g2 are not in the ratio tau")
    check("beta_g2", lambda: same_ratio(g1, final_head.beta_g1, g2, final_head.beta_g2),
          "beta_g2 and beta_tau_g1[0] are not the same beta")


def _shifted_sums(cls, msm, array, weights):
    """(sum_i w_i P_i, sum_i w_i P_(i+1)) over the points P of `array`."""
    return cls(msm(array[:-1], weights)), cls(msm(array[1:], weights))


def _zero_rows(array):
    return ~array.reshape(array.shape[0], -1).any(axis=1)


def _infinity_detail(state):
    found = [f"{name}[{int(np.flatnonzero(_zero_rows(getattr(state, name)))[0])}]"
             for name in ARRAYS if _zero_rows(getattr(state, name)).any()]
    return "points at infinity: " + ", ".join(found) if found else "beta_g2 is the point at infinity"
