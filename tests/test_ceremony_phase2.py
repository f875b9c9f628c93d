"""Phase 2 of the ceremony: keys from the powers of tau equal setup_from_toxic_waste's for the
same secrets (the initial ones and those after delta contributions), prove and verify for
every pattern, a 10-contributor ceremony verifies, tampered records or keys are rejected at
the right contribution and check, records survive JSON."""
import dataclasses
import itertools
import json
import random
import statistics
import time

import numpy as np
import pytest

from zkwork.ceremony.phase2 import (
    CircuitTooLargeError,
    Phase2Record,
    apply_delta,
    beacon,
    beacon_delta,
    contribute,
    initial_keys,
    key_digest,
    verify_phase2,
)
from zkwork.ceremony.pok import TranscriptFormatError, prove_knowledge
from zkwork.ceremony.powers import PowersOfTau
from zkwork.curve import G1Point, G2Point
from zkwork.field import Fr, R
from zkwork.groth16 import prove, verify
from zkwork.groth16.generator import ToxicWaste, setup_from_toxic_waste
from zkwork.patterns import PATTERNS, get_pattern

rng = random.Random(0x9A5E2)
POWER = 11  # the small patterns need domains of up to 2^11 points
TAU, ALPHA, BETA = (Fr(rng.randrange(2, R)) for _ in range(3))
BEACON_VALUE = bytes.fromhex("0000000000000000000a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071")
BEACON_EXPONENT = 4


def small_pattern(name):
    cls = PATTERNS[name]
    return get_pattern(name, "hardened", **cls.small_params())


def solved(name):
    pattern = small_pattern(name)
    return pattern.solve(pattern.sample_inputs())


@pytest.fixture(scope="module")
def powers():
    return PowersOfTau.from_secrets(POWER, TAU, ALPHA, BETA)


def assert_same_keys(pk, expected):
    """Every field of two proving keys, compared directly (not through phase2's helpers)."""
    for name in ("alpha_1", "beta_2", "gamma_2", "delta_2"):
        assert getattr(pk.vk, name) == getattr(expected.vk, name), name
    assert len(pk.vk.ic) == len(expected.vk.ic) and all(p == q for p, q in zip(pk.vk.ic, expected.vk.ic))
    assert pk.beta_1 == expected.beta_1 and pk.delta_1 == expected.delta_1
    for name in ("a_query", "b1_query", "b2_query", "l_query", "h_query"):
        a, b = getattr(pk, name), getattr(expected, name)
        assert a.shape == b.shape and np.array_equal(a, b), name


def toxic_waste_keys(r1cs, delta):
    return setup_from_toxic_waste(r1cs, ToxicWaste(TAU, ALPHA, BETA, Fr(1), Fr(delta)))


def assert_proves(pk, r1cs, witness):
    public = r1cs.public_signals(witness)
    proof = prove(pk, witness)
    assert verify(pk.vk, public, proof)
    assert not verify(pk.vk, [(public[0] + 1) % R] + public[1:], proof)


# -- every pattern: the keys are those of the toxic waste, and they prove -------------------

@pytest.mark.slow  # 40-100 s a pattern on 2 cores; the structure ceremony below covers the fast path
@pytest.mark.parametrize("name", list(PATTERNS))
def test_keys_match_toxic_waste_and_prove(name, powers):
    r1cs, witness = solved(name)
    pk = initial_keys(powers, r1cs)
    assert_same_keys(pk, toxic_waste_keys(r1cs, 1))
    deltas = [Fr(rng.randrange(2, R)) for _ in range(2)]
    records = []
    for index, delta in enumerate(deltas):
        pk, record = apply_delta(pk, f"contributor-{index}", index, delta)
        records.append(record)
    pk, record = beacon(pk, BEACON_VALUE, BEACON_EXPONENT, len(records))
    records.append(record)
    total = deltas[0] * deltas[1] * beacon_delta(BEACON_VALUE, BEACON_EXPONENT)
    assert_same_keys(pk, toxic_waste_keys(r1cs, total))
    assert_proves(pk, r1cs, witness)
    report = verify_phase2(powers, r1cs, records, pk)
    assert report.ok, str(report)


# -- a ceremony of ten contributors and the beacon, and tampering with it -------------------

@pytest.fixture(scope="module")
def structure_ceremony(powers):
    """Ten contributions with secret deltas, then the beacon, on the structure pattern."""
    r1cs, witness = solved("structure")
    initial = initial_keys(powers, r1cs)
    pk, records = initial, []
    for index in range(10):
        pk, record = contribute(pk, f"contributor-{index}", index)
        records.append(record)
    pk, record = beacon(pk, BEACON_VALUE, BEACON_EXPONENT, len(records))
    records.append(record)
    return r1cs, witness, initial, records, pk


def test_ten_contributors_prove_and_verify(powers, structure_ceremony):
    r1cs, witness, initial, records, pk = structure_ceremony
    assert_proves(pk, r1cs, witness)
    report = verify_phase2(powers, r1cs, records, pk)
    assert report.ok, str(report)
    assert {c.contribution for c in report.checks} == {"initial", "final", *range(11)}
    assert [r.index for r in records] == list(range(11))
    assert records[0].previous_digest == key_digest(initial).hex()
    assert all(a.new_digest == b.previous_digest for a, b in itertools.pairwise(records))
    assert records[-1].new_digest == key_digest(pk).hex()
    assert [r.kind for r in records] == ["contribution"] * 10 + ["beacon"]
    assert all(r.seconds > 0 for r in records)
    # the secret deltas moved the keys away from the initial ones
    assert pk.delta_1 != initial.delta_1 and not np.array_equal(pk.l_query, initial.l_query)


def failed_checks(powers, ceremony, records=None, pk=None):
    r1cs, _, _, ceremony_records, ceremony_pk = ceremony
    report = verify_phase2(powers, r1cs, ceremony_records if records is None else records,
                           ceremony_pk if pk is None else pk)
    return report.failed()


def with_point(array, i, point):
    array = array.copy()
    array[i] = point.affine_mont()
    return array


def test_replaced_l_point_is_rejected(powers, structure_ceremony):
    pk = structure_ceremony[4]
    tampered = dataclasses.replace(pk, l_query=with_point(pk.l_query, 5, G1Point.generator() * 12345))
    assert failed_checks(powers, structure_ceremony, pk=tampered) == {("final", "l_query_delta"), ("final", "final_digest")}


def test_replaced_h_point_is_rejected(powers, structure_ceremony):
    pk = structure_ceremony[4]
    tampered = dataclasses.replace(pk, h_query=with_point(pk.h_query, 0, G1Point.generator()))
    assert failed_checks(powers, structure_ceremony, pk=tampered) == {("final", "h_query_delta"), ("final", "final_digest")}


def test_changed_a_and_ic_are_rejected(powers, structure_ceremony):
    pk = structure_ceremony[4]
    g1 = G1Point.generator()
    tampered = dataclasses.replace(pk, a_query=with_point(pk.a_query, 3, g1),
                                   vk=dataclasses.replace(pk.vk, ic=(g1,) + pk.vk.ic[1:]))
    assert failed_checks(powers, structure_ceremony, pk=tampered) == {
        ("final", "a_query_unchanged"), ("final", "ic_unchanged"), ("final", "final_digest")}


def test_proof_of_another_delta_is_rejected(powers, structure_ceremony):
    records = list(structure_ceremony[3])
    # a valid proof of knowledge, bound to the right challenge, of a delta not the one applied
    records[4] = dataclasses.replace(records[4], proof=prove_knowledge(Fr(5), records[4].challenge()))
    assert failed_checks(powers, structure_ceremony, records=records) == {(4, "delta_ratio")}


def test_proof_bound_to_another_challenge_is_rejected(powers, structure_ceremony):
    records = list(structure_ceremony[3])
    # contribution 3's proof moved to contribution 4
    records[4] = dataclasses.replace(records[4], proof=records[3].proof)
    assert failed_checks(powers, structure_ceremony, records=records) == {(4, "pok_delta"), (4, "delta_ratio")}


def test_swapped_records_are_rejected(powers, structure_ceremony):
    records = list(structure_ceremony[3])
    records[2], records[3] = records[3], records[2]
    # both swapped records, and record 4, which no longer continues from its predecessor
    assert failed_checks(powers, structure_ceremony, records=records) == {
        (2, "index"), (2, "previous_digest"), (2, "delta_ratio"),
        (3, "index"), (3, "previous_digest"), (3, "delta_ratio"),
        (4, "previous_digest"), (4, "delta_ratio"),
    }


def test_final_key_not_matching_last_record_is_rejected(powers, structure_ceremony):
    # the keys of the last contribution before the beacon, with the beacon's record: the
    # transcript's end does not describe these keys
    r1cs, _, _, records, pk = structure_ceremony
    beacon_inverse = beacon_delta(BEACON_VALUE, BEACON_EXPONENT).inverse()
    before_beacon, _ = apply_delta(pk, "undo", 0, beacon_inverse)
    assert failed_checks(powers, structure_ceremony, pk=before_beacon) == {("final", "final_digest"), ("final", "final_delta")}
    # and without the beacon record, the same keys pass
    assert verify_phase2(powers, r1cs, records[:-1], before_beacon).ok


def test_wrong_beacon_value_is_rejected(powers, structure_ceremony):
    records = list(structure_ceremony[3])
    records[-1] = dataclasses.replace(records[-1], beacon=dataclasses.replace(records[-1].beacon, value=b"other"))
    assert failed_checks(powers, structure_ceremony, records=records) == {(10, "beacon_delta")}


def test_inconsistent_delta_2_is_rejected(powers, structure_ceremony):
    records = list(structure_ceremony[3])
    records[6] = dataclasses.replace(records[6], delta_2=records[6].delta_2 * 2)
    assert failed_checks(powers, structure_ceremony, records=records) == {(6, "delta_consistent")}


def test_malformed_records_fail_without_raising(powers, structure_ceremony):
    records = list(structure_ceremony[3])
    records[1] = None
    records[2] = dataclasses.replace(records[2], delta_1="not a point")
    failed = failed_checks(powers, structure_ceremony, records=records)
    assert {(1, name) for name in ("index", "previous_digest", "kind", "pok_delta", "delta_ratio",
                                   "delta_consistent")} <= failed
    assert (2, "delta_ratio") in failed and (2, "delta_consistent") in failed
    assert failed_checks(powers, structure_ceremony, pk="not keys") == {("final", "keys")}
    assert failed_checks(powers, structure_ceremony, records=42) == {("initial", "records")}


def test_circuit_larger_than_the_powers_is_refused(structure_ceremony):
    r1cs = structure_ceremony[0]  # a domain of 2^9 points
    small = PowersOfTau.from_secrets(8, TAU, ALPHA, BETA)
    with pytest.raises(CircuitTooLargeError, match=r"2\^9 = 512 points.*power 8"):
        initial_keys(small, r1cs)
    report = verify_phase2(small, r1cs, [], structure_ceremony[2])
    assert report.failed() == {("initial", "initial_keys")}


def test_digest_covers_every_point(structure_ceremony):
    _, _, initial, _, pk = structure_ceremony
    digest = key_digest(pk)
    assert len(digest) == 64 and digest != key_digest(initial)
    g1 = G1Point.generator()
    for name in ("a_query", "b1_query", "l_query", "h_query"):
        assert key_digest(dataclasses.replace(pk, **{name: with_point(getattr(pk, name), 0, g1)})) != digest
    b2 = with_point(pk.b2_query, 0, G2Point.generator())
    assert key_digest(dataclasses.replace(pk, b2_query=b2)) != digest
    assert key_digest(dataclasses.replace(pk, beta_1=g1)) != digest
    assert key_digest(dataclasses.replace(pk, vk=dataclasses.replace(pk.vk, gamma_2=G2Point.generator() * 2))) != digest


# -- records as JSON ------------------------------------------------------------------------

def test_records_round_trip_through_json(powers, structure_ceremony):
    r1cs, _, _, records, pk = structure_ceremony
    text = json.dumps([record.to_json() for record in records])
    parsed = [Phase2Record.from_json(data, f"records[{i}]") for i, data in enumerate(json.loads(text))]
    assert parsed == records
    assert verify_phase2(powers, r1cs, parsed, pk).ok


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("new_digest"), r"records\[3\]: missing 'new_digest'"),
    (lambda d: d["head"].pop("delta_2"), r"records\[3\]\.head: missing 'delta_2'"),
    (lambda d: d["head"].__setitem__("delta_1", ["1", "3", "1"]), r"records\[3\]\.head\.delta_1"),
    (lambda d: d["proofs"]["delta"].__setitem__("sx_g1", "x"), r"records\[3\]\.proofs\.delta\.sx_g1"),
    (lambda d: d.__setitem__("kind", "gift"), r"records\[3\]\.kind"),
    (lambda d: d.__setitem__("previous_digest", "ab"), r"records\[3\]\.previous_digest"),
    (lambda d: d.__setitem__("beacon", {"value": "00", "iterations_exponent": 1}), r"records\[3\]\.beacon"),
    (lambda d: d.__setitem__("seconds", -1), r"records\[3\]\.seconds"),
])
def test_malformed_record_json_names_the_field(structure_ceremony, mutate, message):
    data = json.loads(json.dumps(structure_ceremony[3][3].to_json()))
    mutate(data)
    with pytest.raises(TranscriptFormatError, match=message):
        Phase2Record.from_json(data, "records[3]")


def test_beacon_record_json_keeps_the_beacon(structure_ceremony):
    record = structure_ceremony[3][-1]
    data = record.to_json()
    assert data["beacon"] == {"value": BEACON_VALUE.hex(), "iterations_exponent": BEACON_EXPONENT}
    assert Phase2Record.from_json(data).beacon == record.beacon


# -- production size ------------------------------------------------------------------------

@pytest.mark.slow
def test_measure_membership_depth_20(powers):
    """Membership (hardened) at depth 20 needs power 13: times of initial_keys (twice), of
    each contribution and of verification, after a warm-up on a small circuit that loads
    or compiles every kernel; printed. The keys prove and the records verify."""
    warm_pk = initial_keys(powers, solved("structure")[0])
    contribute(warm_pk, "warm-up", 0)
    pattern = get_pattern("membership", "hardened", depth=20)
    r1cs, witness = pattern.solve(pattern.sample_inputs())
    powers_13 = PowersOfTau.from_secrets(13, TAU, ALPHA, BETA)
    initial_seconds = []
    for _ in range(2):
        start = time.perf_counter()
        pk = initial_keys(powers_13, r1cs)
        initial_seconds.append(time.perf_counter() - start)
    records = []
    for index in range(3):
        pk, record = contribute(pk, f"contributor-{index}", index)
        records.append(record)
    start = time.perf_counter()
    report = verify_phase2(powers_13, r1cs, records, pk)
    verify_seconds = time.perf_counter() - start
    assert report.ok, str(report)
    assert_proves(pk, r1cs, witness)
    print(f"\nmembership depth 20 (domain 2^{pk.qap.domain.log_size}, {r1cs.num_wires} wires): initial_keys "
          f"{', '.join(f'{t:.2f}' for t in initial_seconds)} s, contributions "
          f"{', '.join(f'{r.seconds:.2f}' for r in records)} s (median "
          f"{statistics.median(r.seconds for r in records):.2f}), verify_phase2 {verify_seconds:.2f} s")
