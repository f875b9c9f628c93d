"""Phase 1 of the ceremony: contributions, the random beacon, and transcript verification.

Contributing: from the current state, with fresh secrets (x, a, b) drawn from `secrets`,
compute the updated state (powers.PowersOfTau.updated) and a record holding the digests
of both states, the new state's head points and a proof of knowledge of each secret
(pok.py) bound to the previous digest, the contribution's index and its contributor.
The secrets exist only inside `contribute` and are dropped when it returns; the ceremony
is sound if at least one contributor did not keep theirs.

While it has the secrets, a contribution also builds the record snarkjs writes for it
(zkwork.ceremony.snarkjs_ptau.snarkjs_contribution: snarkjs's public keys, hashed to G2
its own way and bound to snarkjs's running challenge, and its hash chain), kept in the
record's `snarkjs` field, so that `snarkjs_ptau.export_transcript_ptau` writes a .ptau
that `snarkjs powersoftau verify` accepts. The challenge it is bound to is the
`previous_challenge` argument (snarkjs_ptau.transcript_challenge(transcript)); without
it, the first contribution (index 0) derives it from the initial state as snarkjs does,
and a later one gets no snarkjs record (it cannot know the chain).

The beacon: a last contribution whose secrets come from a public value fixed after
every other contribution (a future block hash, say), exactly as snarkjs's beacon draws
them (snarkjs_ptau.beacon_randomness): h = value, then h = SHA-256(h) 2^n times (the
delay keeps whoever influences the value from trying many), then tau, alpha and beta are
the first three scalars of ffjavascript's ChaCha stream keyed by h. Anyone recomputes
the secrets and checks the beacon's points directly; nobody controls the final state;
and the record exports as snarkjs's beacon, which snarkjs checks the same way.

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
the transcript's last ones, the last record is the beacon (unless not required), at
least one contributor besides the beacon ("contributors", records.check_contributors; a
parameter may ask for more), no point is at infinity, and `check_powers` (zkwork.ceremony.consistency, shared with
snarkjs_ptau.verify_ptau): tau_g1[0] and tau_g2[0] are the generators ("generators") and
all the powers are consistent, with one pairing check per family on random linear
combinations ("tau_g1_powers", "alpha_tau_g1_powers", "beta_tau_g1_powers",
"tau_g2_powers", "beta_g2"). The records' snarkjs parts are snarkjs's business: they are
checked on the exported file (snarkjs_ptau.verify_ptau, or snarkjs itself).

A beacon is recomputed only within the limits of beacon_limits.BeaconLimits (an exponent
bound and a time budget); beyond them its check fails, naming the limit.

Verification never raises on bad transcript data: every check that cannot be evaluated
(a missing proof, a malformed point in a record built in memory) is reported as failed
with the error as its detail.
"""
import dataclasses
import secrets
import time

import numpy as np

from zkwork.ceremony.beacon_limits import BeaconLimits
from zkwork.ceremony.consistency import Checker, check_powers
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
    check_contributors,
)
from zkwork.ceremony.snarkjs_ptau import beacon_randomness, first_challenge, snarkjs_contribution
from zkwork.curve import G1Point, G2Point
from zkwork.field import Fr, R


def start(power: int) -> tuple[PowersOfTau, Transcript]:
    """The initial state of `power` and an empty transcript starting from it."""
    state = PowersOfTau.initial(power)
    return state, Transcript(power=power, initial_digest=state.digest().hex())


def _nonzero_secret():
    return Fr(secrets.randbelow(R - 1) + 1)


def contribute(state: PowersOfTau, contributor: str, index: int,
               previous_challenge: bytes | None = None) -> tuple[PowersOfTau, ContributionRecord]:
    """Contribution `index` (its position in the transcript) by `contributor`: fresh
    secrets tau, alpha, beta from `secrets`, used and dropped inside this call; the record's
    snarkjs part is bound to `previous_challenge` (see the module docstring)."""
    return apply_secrets(state, contributor, index, _nonzero_secret(), _nonzero_secret(), _nonzero_secret(),
                         previous_challenge)


def apply_secrets(state, contributor, index, tau, alpha, beta, previous_challenge=None):
    """The contribution of the given secrets (tests choose them; `contribute` draws them)."""
    return _contribution(state, contributor, index, (Fr(tau), Fr(alpha), Fr(beta)), previous_challenge)


def _contribution(state, contributor, index, secrets_, previous_challenge, beacon=None, g1_s=None):
    """The new state and the record of a contribution of `secrets_` = (tau, alpha, beta),
    the beacon's if `beacon` is given (with g1_s, its snarkjs keys' G1 points)."""
    started = time.perf_counter()
    previous_digest = state.digest()
    new_state = state.updated(*secrets_)
    proofs = {
        name: prove_knowledge(x, challenge(previous_digest, index, contributor, name))
        for name, x in zip(SECRETS, secrets_)
    }
    if previous_challenge is None and index == 0:
        previous_challenge = first_challenge(state.power)
    snarkjs = None
    if previous_challenge is not None:
        snarkjs = snarkjs_contribution(previous_challenge, new_state, *secrets_, name=contributor, beacon=beacon,
                                       g1_s=g1_s)
    record = ContributionRecord(
        index=index,
        contributor=contributor,
        kind="contribution" if beacon is None else "beacon",
        previous_digest=previous_digest.hex(),
        new_digest=new_state.digest().hex(),
        head=new_state.head(),
        proofs=proofs,
        seconds=time.perf_counter() - started,
        beacon=beacon,
        snarkjs=snarkjs,
    )
    return new_state, record


def beacon_secrets(value: bytes, iterations_exponent: int) -> tuple[Fr, Fr, Fr]:
    """(tau, alpha, beta) of the beacon, as snarkjs draws them: see the module docstring."""
    return beacon_randomness(value, iterations_exponent)[0]


def apply_beacon(state, value: bytes, iterations_exponent: int, index: int, contributor="beacon",
                 previous_challenge=None):
    """The final contribution, from the public `value` with 2^iterations_exponent SHA-256
    iterations (run once: they give both the secrets and the snarkjs keys' G1 points); the
    recorded time includes them. `previous_challenge` as for `contribute`."""
    started = time.perf_counter()
    beacon = Beacon(value=bytes(value), iterations_exponent=iterations_exponent)
    secrets_, g1_s = beacon_randomness(beacon.value, iterations_exponent)
    new_state, record = _contribution(state, contributor, index, secrets_, previous_challenge, beacon=beacon,
                                      g1_s=g1_s)
    return new_state, dataclasses.replace(record, seconds=time.perf_counter() - started)


# -- verification -----------------------------------------------------------------------
def verify_phase1(transcript: Transcript, final_state: PowersOfTau, require_beacon=True, *, min_contributors=1,
                  limits=None) -> VerificationReport:
    """Check every record of `transcript` and the final state, with at least
    `min_contributors` (at least 1) contributors and the beacon within `limits` (a
    BeaconLimits, its defaults if None); see the module docstring."""
    limits = BeaconLimits() if limits is None else limits
    report = VerificationReport()
    check = Checker(report, "initial", "")
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
        _verify_record(report, position, record, head, digest, position == len(records) - 1, limits)
        head, digest = getattr(record, "head", None), getattr(record, "new_digest", None)
    last = records[-1] if records else None
    _verify_final(report, transcript, final_state, head, digest, last, require_beacon)
    check_contributors(Checker(report, "final", getattr(last, "contributor", "initial")), records, min_contributors)
    return report


def _verify_record(report, position, record, previous_head, previous_digest, is_last, limits):
    check = Checker(report, position, getattr(record, "contributor", "?"))
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
        limits.check(check, "beacon_secrets", getattr(record.beacon, "iterations_exponent", None),
                     lambda: _beacon_head(previous_head, record.beacon) == head,
                     "the points are not the previous ones times the secrets of the beacon value")


def _beacon_head(previous, beacon):
    tau, alpha, beta = beacon_secrets(beacon.value, beacon.iterations_exponent)
    return dataclasses.replace(
        previous,
        tau_g1=previous.tau_g1 * tau, tau_g2=previous.tau_g2 * tau,
        alpha_g1=previous.alpha_g1 * alpha, beta_g1=previous.beta_g1 * beta, beta_g2=previous.beta_g2 * beta,
    )


def _verify_final(report, transcript, state, head, digest, last, require_beacon):
    contributor = getattr(last, "contributor", "initial")
    check = Checker(report, "final", contributor)
    if not check("power", lambda: isinstance(state, PowersOfTau) and state.power == transcript.power,
                 "the final state is not a PowersOfTau of the transcript's power"):
        return
    check("final_digest", lambda: state.digest().hex() == digest, "the final state's digest is not the last record's")
    check("final_head", lambda: state.head() == head, "the final state's head points are not the last record's")
    if require_beacon:
        check("beacon", lambda: last is not None and last.kind == "beacon", "the last record is not the random beacon")
    check("no_infinity", lambda: not state.beta_g2.is_infinity()
          and not any(_zero_rows(getattr(state, name)).any() for name in ARRAYS), _infinity_detail(state))
    check_powers(report, state, contributor)


def _zero_rows(array):
    return ~array.reshape(array.shape[0], -1).any(axis=1)


def _infinity_detail(state):
    found = [f"{name}[{int(np.flatnonzero(_zero_rows(getattr(state, name)))[0])}]"
             for name in ARRAYS if _zero_rows(getattr(state, name)).any()]
    return "points at infinity: " + ", ".join(found) if found else "beta_g2 is the point at infinity"
