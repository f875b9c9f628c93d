"""Phase 1 of the ceremony: proofs of knowledge, hashing to G2, the powers-of-tau state
against py_ecc, a 10-contributor ceremony with its beacon, tampered transcripts rejected
at the right contribution and check, and the file formats (with the snarkjs records the
contributions keep; tests/test_ptau.py exports them to snarkjs)."""
import dataclasses
import hashlib
import json
import random

import numpy as np
import pytest
from py_ecc import optimized_bn128 as o

from zkwork.ceremony import (
    KnowledgeProof,
    PowersFileError,
    PowersOfTau,
    Transcript,
    TranscriptFormatError,
    ZeroSecretError,
    apply_beacon,
    apply_secrets,
    beacon_secrets,
    contribute,
    hash_to_g2,
    prove_knowledge,
    same_ratio,
    start,
    transcript_challenge,
    verify_phase1,
)
from zkwork.ceremony.pok import G2_COFACTOR, g2_cofactor
from zkwork.ceremony.powers import DIGEST_TAG
from zkwork.ceremony.snarkjs_rng import ChaCha, scalar_from_rng, seed_words
from zkwork.curve import (
    G1Point,
    G2Point,
    g1_points_from_affine_array,
    g2_points_from_affine_array,
)
from zkwork.errors import EncodingError, JsonFormatError
from zkwork.field import Fr, P, R
from zkwork.field.fq2_element import Fq2

rng = random.Random(0xCE7)
G1, G2 = G1Point.generator(), G2Point.generator()
POWER = 4
CONTRIBUTORS = [f"contributor-{i}" for i in range(10)]
BEACON_VALUE = bytes.fromhex("00000000000000000003b4f5a0d1c2e3f405162738495a6b7c8d9eafb0c1d2e3")
BEACON_EXPONENT = 5
BEACON_INDEX = len(CONTRIBUTORS)


def random_fr():
    return Fr(rng.randrange(1, R))


def twist_point_outside_g2():
    """A point of the twist E'(Fq2) that is not in G2 (cofactor not cleared)."""
    while True:
        x = Fq2(rng.randrange(P), rng.randrange(P))
        rhs = x * x * x + G2Point.curve.b
        if rhs.is_square():
            point = G2Point(G2Point.curve.jacobian(x, rhs.sqrt()))
            if not point.is_in_subgroup():
                return point


# -- proofs of knowledge ---------------------------------------------------------------------
def test_pok_round_trip_and_verifies():
    x = random_fr()
    proof = prove_knowledge(x, b"challenge")
    assert proof.verify(b"challenge")
    assert proof.sx_g1 == proof.s_g1 * x and proof.spx_g2 == proof.base_g2(b"challenge") * x
    again = KnowledgeProof.from_json(json.loads(json.dumps(proof.to_json())), "proof")
    assert again == proof and again.verify(b"challenge")
    assert prove_knowledge(x, b"challenge").s_g1 != proof.s_g1  # a fresh nonce each time


def test_pok_forgeries_rejected():
    x = random_fr()
    proof = prove_knowledge(x, b"c")
    base = proof.base_g2(b"c")
    assert not KnowledgeProof(proof.s_g1, proof.sx_g1, base * (x + 1)).verify(b"c")  # wrong x in G2
    assert not KnowledgeProof(proof.s_g1, proof.s_g1 * (x + 1), proof.spx_g2).verify(b"c")  # wrong x in G1
    assert not KnowledgeProof(proof.sx_g1, proof.s_g1, proof.spx_g2).verify(b"c")  # swapped points
    assert not proof.verify(b"another challenge")
    # x = 0 written out: every point at infinity, which same_ratio refuses
    assert not KnowledgeProof(proof.s_g1, G1Point.infinity(), G2Point.infinity()).verify(b"c")
    # bad data: False, not an exception
    assert not KnowledgeProof(proof.s_g1, proof.sx_g1, proof.s_g1).verify(b"c")
    assert not proof.verify("c")
    with pytest.raises(ZeroSecretError):
        prove_knowledge(Fr(0), b"c")


def test_pok_from_json_names_the_field():
    data = prove_knowledge(random_fr(), b"c").to_json()
    del data["sx_g1"]
    with pytest.raises(TranscriptFormatError, match=r"record\.proof: missing 'sx_g1'"):
        KnowledgeProof.from_json(data, "record.proof")
    data = prove_knowledge(random_fr(), b"c").to_json()
    data["spx_g2"][0][1] = str(P)
    with pytest.raises(TranscriptFormatError, match=r"record\.proof\.spx_g2\[0\]\[1\]"):
        KnowledgeProof.from_json(data, "record.proof")
    data = prove_knowledge(random_fr(), b"c").to_json()
    data["s_g1"][1] = str(int(data["s_g1"][1]) + 1)
    with pytest.raises(TranscriptFormatError, match=r"record\.proof\.s_g1: .*not on the G1 curve"):
        KnowledgeProof.from_json(data, "record.proof")
    with pytest.raises(TranscriptFormatError, match="expected a JSON object"):
        KnowledgeProof.from_json([], "record.proof")
    assert issubclass(TranscriptFormatError, JsonFormatError)


def test_same_ratio():
    a, k = random_fr(), random_fr()
    p, q = G1 * a, G2 * random_fr()
    assert same_ratio(p, p * k, q, q * k)
    assert not same_ratio(p, p * k, q, q * (k + 1))
    assert not same_ratio(G1Point.infinity(), G1Point.infinity(), q, q * k)


# -- hashing to G2 ---------------------------------------------------------------------------
def test_g2_cofactor_from_curve_parameters():
    # independent formula for BN curves: #E'(Fq2) = (p + 1 - t)(p - 1 + t) = r (2p - r)
    assert g2_cofactor() == G2_COFACTOR == 2 * P - R
    # clearing it sends twist points outside G2 into G2
    assert (twist_point_outside_g2().scalar_mul_unreduced(G2_COFACTOR)).is_in_subgroup()


def test_hash_to_g2_in_subgroup_deterministic_and_distinct():
    points = [hash_to_g2(data) for data in (b"", b"a", b"b", bytes(64))]
    for point in points:
        assert not point.is_infinity() and point.is_on_curve() and point.is_in_subgroup()
        ecc = point.to_py_ecc()
        assert o.is_on_curve(ecc, o.b2)
        assert o.is_inf(o.multiply(ecc, o.curve_order))  # order r, checked by py_ecc
    assert len({p.to_bytes() for p in points}) == len(points)
    assert hash_to_g2(b"a") == points[1]
    assert points[1] not in (G2, G2 * int.from_bytes(hashlib.sha256(b"a").digest(), "big"))


# -- the state -------------------------------------------------------------------------------
def oracle_points(power, tau, alpha, beta):
    """The state's points as py_ecc multiplications, per array."""
    n = 1 << power
    t, a, b = int(tau), int(alpha), int(beta)
    return {
        "tau_g1": [o.multiply(o.G1, pow(t, i, R)) for i in range(2 * n - 1)],
        "tau_g2": [o.multiply(o.G2, pow(t, i, R)) for i in range(n)],
        "alpha_tau_g1": [o.multiply(o.G1, a * pow(t, i, R) % R) for i in range(n)],
        "beta_tau_g1": [o.multiply(o.G1, b * pow(t, i, R) % R) for i in range(n)],
    }


def assert_matches_oracle(state, power, tau, alpha, beta):
    for name, expected in oracle_points(power, tau, alpha, beta).items():
        array = getattr(state, name)
        points = (g2_points_from_affine_array if name.endswith("g2") else g1_points_from_affine_array)(array)
        assert len(points) == len(expected), name
        for i, (ours, theirs) in enumerate(zip(points, expected)):
            assert o.eq(ours.to_py_ecc(), theirs), f"{name}[{i}]"
    assert o.eq(state.beta_g2.to_py_ecc(), o.multiply(o.G2, int(beta)))


def test_initial_and_from_secrets_match_py_ecc():
    assert_matches_oracle(PowersOfTau.initial(2), 2, 1, 1, 1)
    tau, alpha, beta = random_fr(), random_fr(), random_fr()
    assert_matches_oracle(PowersOfTau.from_secrets(2, tau, alpha, beta), 2, tau, alpha, beta)


def test_updated_multiplies_the_secrets():
    x, a, b, y, c, d = (random_fr() for _ in range(6))
    state = PowersOfTau.from_secrets(3, x, a, b).updated(y, c, d)
    assert state == PowersOfTau.from_secrets(3, x * y, a * c, b * d)
    assert state != PowersOfTau.from_secrets(3, x * y, a * c, b)


def test_digest_is_blake2b_of_the_uncompressed_points():
    state = PowersOfTau.from_secrets(2, random_fr(), random_fr(), random_fr())
    h = hashlib.blake2b(DIGEST_TAG + (2).to_bytes(4, "big"), digest_size=64)
    for name in ("tau_g1", "tau_g2", "alpha_tau_g1", "beta_tau_g1"):
        array = getattr(state, name)
        for point in (g2_points_from_affine_array if array.ndim == 4 else g1_points_from_affine_array)(array):
            h.update(point.to_bytes(compressed=False))
    h.update(state.beta_g2.to_bytes(compressed=False))
    assert state.digest() == h.digest()
    tau_g1 = state.tau_g1.copy()
    tau_g1[3] = state.tau_g1[2]
    assert dataclasses.replace(state, tau_g1=tau_g1).digest() != state.digest()


# -- a ceremony ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ceremony():
    """10 contributions with secrets from `secrets`, then the beacon: (transcript, final state,
    state before the beacon)."""
    state, transcript = start(POWER)
    for i, name in enumerate(CONTRIBUTORS):
        state, record = contribute(state, name, i, transcript_challenge(transcript))
        transcript.records.append(record)
    before_beacon = state
    state, record = apply_beacon(state, BEACON_VALUE, BEACON_EXPONENT, BEACON_INDEX,
                                 previous_challenge=transcript_challenge(transcript))
    transcript.records.append(record)
    return transcript, state, before_beacon


def failed(transcript, state, **kwargs):
    report = verify_phase1(transcript, state, **kwargs)
    assert report.ok == (not report.failures())
    return report.failed()


def test_ceremony_of_ten_contributors_and_beacon_verifies(ceremony):
    transcript, state, _ = ceremony
    report = verify_phase1(transcript, state)
    assert report.ok, str(report)
    assert len({c.contribution for c in report.checks}) == 2 + len(transcript.records)
    assert len(report.table()) == len(report.checks)
    for i, record in enumerate(transcript.records):
        assert record.index == i and record.seconds > 0
        assert record.kind == ("beacon" if i == BEACON_INDEX else "contribution")
    assert transcript.records[-1].beacon.iterations_exponent == BEACON_EXPONENT
    assert len({r.new_digest for r in transcript.records}) == len(transcript.records)  # fresh secrets each time
    # every record keeps its snarkjs record, on the head it produced, chained to the previous one
    for record in transcript.records:
        snarkjs = record.snarkjs
        assert (snarkjs.tau_g1, snarkjs.tau_g2, snarkjs.alpha_g1, snarkjs.beta_g1, snarkjs.beta_g2) == (
            record.head.tau_g1, record.head.tau_g2, record.head.alpha_g1, record.head.beta_g1, record.head.beta_g2)
        assert snarkjs.name == record.contributor and snarkjs.kind == (record.kind == "beacon")
    assert len({r.snarkjs.next_challenge for r in transcript.records}) == len(transcript.records)
    assert transcript.records[-1].snarkjs.beacon_hash == BEACON_VALUE


def test_chosen_secrets_give_the_product_state():
    state, transcript = start(3)
    secrets_ = [(random_fr(), random_fr(), random_fr()) for _ in range(3)]
    for i, (x, a, b) in enumerate(secrets_):
        state, record = apply_secrets(state, f"c{i}", i, x, a, b)
        transcript.records.append(record)
    state, record = apply_beacon(state, b"beacon", 2, 3)
    transcript.records.append(record)
    tau, alpha, beta = Fr(1), Fr(1), Fr(1)
    for x, a, b in secrets_ + [beacon_secrets(b"beacon", 2)]:
        tau, alpha, beta = tau * x, alpha * a, beta * b
    assert state == PowersOfTau.from_secrets(3, tau, alpha, beta)
    assert verify_phase1(transcript, state).ok


def test_beacon_secrets_are_snarkjs_draws_after_iterating_sha256():
    # snarkjs's beacon: SHA-256 2^n times, then the first three scalars of ffjavascript's
    # ChaCha stream keyed by the hash (tests/test_ptau.py checks them against a real snarkjs
    # beacon, and the stream against ffjavascript)
    h = b"v"
    for _ in range(8):
        h = hashlib.sha256(h).digest()
    stream = ChaCha(seed_words(h))
    assert beacon_secrets(b"v", 3) == tuple(scalar_from_rng(stream) for _ in range(3))
    assert beacon_secrets(b"v", 3) != beacon_secrets(b"v", 4)
    assert all(0 < int(s) < R for s in beacon_secrets(b"v", 3))


# -- tampering -------------------------------------------------------------------------------
def with_records(transcript, records):
    return Transcript(power=transcript.power, initial_digest=transcript.initial_digest, records=records)


def replace_record(transcript, index, **changes):
    records = list(transcript.records)
    records[index] = dataclasses.replace(records[index], **changes)
    return with_records(transcript, records)


def with_point(state, name, index, point):
    array = getattr(state, name).copy()
    array[index] = point.affine_mont()
    return dataclasses.replace(state, **{name: array})


@pytest.mark.parametrize("name, index, check", [
    ("tau_g1", 2 * (1 << POWER) - 2, "tau_g1_powers"),
    ("tau_g1", 5, "tau_g1_powers"),
    ("tau_g2", 3, "tau_g2_powers"),
    ("alpha_tau_g1", 7, "alpha_tau_g1_powers"),
    ("beta_tau_g1", 2, "beta_tau_g1_powers"),
])
def test_a_replaced_power_is_rejected(ceremony, name, index, check):
    transcript, state, _ = ceremony
    cls = G2Point if name.endswith("g2") else G1Point
    original = (g2_points_from_affine_array if cls is G2Point else g1_points_from_affine_array)(getattr(state, name))
    tampered = with_point(state, name, index, original[index] * 2)
    assert failed(transcript, tampered) == {("final", "final_digest"), ("final", check)}
    # with the last record's digest forged to match, the pairing check alone catches it
    forged = replace_record(transcript, BEACON_INDEX, new_digest=tampered.digest().hex())
    assert failed(forged, tampered) == {("final", check)}


def test_a_point_at_infinity_is_rejected(ceremony):
    transcript, state, _ = ceremony
    tampered = with_point(state, "beta_tau_g1", 4, G1Point.infinity())
    assert ("final", "no_infinity") in failed(transcript, tampered)


def test_a_wrong_proof_of_knowledge_names_its_contribution(ceremony):
    transcript, state, _ = ceremony
    record = transcript.records[5]
    # a valid proof, for the right challenge, of another secret: the update ratio fails
    other = prove_knowledge(random_fr(), record.challenge("tau"))
    tampered = replace_record(transcript, 5, proofs={**record.proofs, "tau": other})
    assert failed(tampered, state) == {(5, "tau_g1_ratio")}
    # the previous contributor's proof of alpha: bound to another challenge
    borrowed = transcript.records[4].proofs["alpha"]
    tampered = replace_record(transcript, 5, proofs={**record.proofs, "alpha": borrowed})
    assert (5, "pok_alpha") in failed(tampered, state)
    assert {c for c, _ in failed(tampered, state)} == {5}
    # proofs missing altogether: reported, not raised
    tampered = replace_record(transcript, 5, proofs={})
    assert {(5, "pok_tau"), (5, "tau_g1_ratio"), (5, "beta_ratio")} <= failed(tampered, state)


def test_swapped_records_are_rejected_from_the_first_swapped(ceremony):
    transcript, state, _ = ceremony
    records = list(transcript.records)
    records[3], records[4] = records[4], records[3]
    result = failed(with_records(transcript, records), state)
    assert {(3, "index"), (4, "index"), (3, "previous_digest"), (3, "tau_g1_ratio")} <= result
    assert min(c for c, _ in result if isinstance(c, int)) == 3
    assert not any(c == "final" for c, _ in result)


def test_a_last_record_not_matching_the_final_state_is_rejected(ceremony):
    transcript, state, before_beacon = ceremony
    head = transcript.records[-1].head
    tampered = replace_record(transcript, BEACON_INDEX, head=dataclasses.replace(head, tau_g1=head.tau_g1 * 2))
    result = failed(tampered, state)
    assert {(BEACON_INDEX, "tau_g1_ratio"), (BEACON_INDEX, "beacon_secrets"), ("final", "final_head")} <= result
    assert {c for c, _ in result} == {BEACON_INDEX, "final"}
    # the state of another point of the ceremony as the final one
    assert {("final", "final_digest"), ("final", "final_head")} <= failed(transcript, before_beacon)


def test_a_changed_beacon_value_is_rejected(ceremony):
    transcript, state, _ = ceremony
    beacon = dataclasses.replace(transcript.records[-1].beacon, value=b"\x01" + BEACON_VALUE[1:])
    assert failed(replace_record(transcript, BEACON_INDEX, beacon=beacon), state) == {(BEACON_INDEX, "beacon_secrets")}
    exponent = dataclasses.replace(transcript.records[-1].beacon, iterations_exponent=BEACON_EXPONENT - 1)
    result = failed(replace_record(transcript, BEACON_INDEX, beacon=exponent), state)
    assert result == {(BEACON_INDEX, "beacon_secrets")}


def test_a_missing_beacon_is_rejected(ceremony):
    transcript, _, before_beacon = ceremony
    without = with_records(transcript, transcript.records[:-1])
    assert failed(without, before_beacon) == {("final", "beacon")}
    assert failed(without, before_beacon, require_beacon=False) == set()


def test_garbage_records_are_reported_not_raised(ceremony):
    transcript, state, _ = ceremony
    records = list(transcript.records)
    records[5] = None
    records[6] = dataclasses.replace(records[6], head=None, proofs=None)
    result = failed(with_records(transcript, records), state)
    assert {(5, "index"), (5, "pok_tau"), (6, "tau_g1_ratio"), (6, "tau_g2_consistent"), (7, "alpha_ratio")} <= result
    assert min(c for c, _ in result if isinstance(c, int)) == 5


def test_a_wrong_initial_digest_is_rejected(ceremony):
    transcript, state, _ = ceremony
    tampered = Transcript(power=POWER, initial_digest="00" * 64, records=transcript.records)
    assert failed(tampered, state) == {("initial", "initial_digest")}


# -- files -----------------------------------------------------------------------------------
def test_transcript_file_round_trip(ceremony, tmp_path):
    transcript, state, _ = ceremony
    transcript.write(tmp_path / "transcript.json")
    loaded = Transcript.read(tmp_path / "transcript.json")
    assert loaded == transcript
    assert verify_phase1(loaded, state).ok
    # a transcript without snarkjs records (they are optional) loads as well
    data = transcript.to_json()
    for record in data["records"]:
        del record["snarkjs"]
    (tmp_path / "bare.json").write_text(json.dumps(data))
    bare = Transcript.read(tmp_path / "bare.json")
    assert all(record.snarkjs is None for record in bare.records)
    assert verify_phase1(bare, state).ok


def test_a_long_contributor_name_is_refused_before_anything_is_recorded():
    state, _ = start(1)
    with pytest.raises(EncodingError, match="255 bytes"):
        contribute(state, "x" * 256, 0)


def test_a_tampered_transcript_file_is_rejected(ceremony, tmp_path):
    transcript, state, _ = ceremony
    data = transcript.to_json()
    # record 7's tau_g1[1] replaced by record 6's: a valid point, so the file loads
    data["records"][7]["head"]["tau_g1"] = data["records"][6]["head"]["tau_g1"]
    (tmp_path / "t.json").write_text(json.dumps(data))
    result = failed(Transcript.read(tmp_path / "t.json"), state)
    assert (7, "tau_g1_ratio") in result and (7, "tau_g2_consistent") in result
    assert min(c for c, _ in result if isinstance(c, int)) == 7


def mutate(data, path, value):
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value


@pytest.mark.parametrize("path, value, message", [
    (("records", 2, "head", "tau_g2", 0, 0), str(P), r"records\[2\]\.head\.tau_g2\[0\]\[0\]"),
    (("records", 3, "head", "alpha_g1", 0), "1", r"records\[3\]\.head\.alpha_g1: .*not on the G1 curve"),
    (("records", 1, "proofs", "alpha"), KeyError, r"records\[1\]\.proofs: missing 'alpha'"),
    (("records", 4, "previous_digest"), "xyz", r"records\[4\]\.previous_digest: expected a hex string"),
    (("records", 4, "new_digest"), "00", r"records\[4\]\.new_digest: expected 64 bytes"),
    (("records", 0, "kind"), "other", r"records\[0\]\.kind"),
    (("records", 10, "beacon"), KeyError, r"records\[10\]: missing 'beacon'"),
    (("records", 10, "beacon", "iterations_exponent"), 64, r"records\[10\]\.beacon\.iterations_exponent"),
    (("records", 5, "seconds"), "fast", r"records\[5\]\.seconds"),
    (("records", 6, "index"), -1, r"records\[6\]\.index"),
    (("records", 2, "snarkjs", "partial_hash"), "00" * 215, r"records\[2\]\.snarkjs\.partial_hash: expected 216 bytes"),
    (("records", 3, "snarkjs", "next_challenge"), "xyz", r"records\[3\]\.snarkjs\.next_challenge: expected a hex"),
    (("records", 1, "snarkjs", "keys", "beta"), KeyError, r"records\[1\]\.snarkjs\.keys: missing 'beta'"),
    (("records", 4, "snarkjs", "keys", "tau", "spx_g2", 0, 0), str(P), r"records\[4\]\.snarkjs\.keys\.tau\.spx_g2"),
    (("records", 5, "snarkjs"), [], r"records\[5\]\.snarkjs: expected a JSON object"),
    (("format",), "ptau", r"\.format"),
    (("power",), "4", r"\.power"),
])
def test_malformed_transcript_file_names_record_and_field(ceremony, tmp_path, path, value, message):
    data = ceremony[0].to_json()
    mutate(data, path, value)
    (tmp_path / "t.json").write_text(json.dumps(data))
    with pytest.raises(TranscriptFormatError, match=message):
        Transcript.read(tmp_path / "t.json")


def test_a_twist_point_outside_g2_in_a_record_is_refused(ceremony, tmp_path):
    data = ceremony[0].to_json()
    (x0, x1), (y0, y1) = twist_point_outside_g2().to_affine()
    data["records"][8]["proofs"]["beta"]["spx_g2"] = [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]
    (tmp_path / "t.json").write_text(json.dumps(data))
    with pytest.raises(TranscriptFormatError, match=r"records\[8\]\.proofs\.beta\.spx_g2: .*subgroup"):
        Transcript.read(tmp_path / "t.json")


def test_unreadable_transcript_file(tmp_path):
    (tmp_path / "t.json").write_text("{not json")
    with pytest.raises(TranscriptFormatError, match="t.json"):
        Transcript.read(tmp_path / "t.json")
    with pytest.raises(TranscriptFormatError):
        Transcript.read(tmp_path / "missing.json")


def test_state_save_load_round_trip(ceremony, tmp_path):
    state = ceremony[1]
    state.write(tmp_path / "ptau")
    assert PowersOfTau.read(tmp_path / "ptau") == state


@pytest.fixture
def saved_state(tmp_path):
    state = PowersOfTau.from_secrets(2, random_fr(), random_fr(), random_fr())
    state.write(tmp_path / "ptau")
    return tmp_path / "ptau", state


def test_state_file_with_a_point_off_the_curve(saved_state):
    directory, state = saved_state
    array = state.alpha_tau_g1.copy()
    array[2, 1] = array[1, 1]  # y of another point
    np.save(directory / "alpha_tau_g1.npy", array)
    with pytest.raises(PowersFileError, match=r"alpha_tau_g1\.npy: G1 point 2 of the array is not on the curve"):
        PowersOfTau.read(directory)


def test_state_file_with_a_g2_point_outside_the_subgroup(saved_state):
    directory, state = saved_state
    array = state.tau_g2.copy()
    array[1] = twist_point_outside_g2().affine_mont()
    np.save(directory / "tau_g2.npy", array)
    with pytest.raises(PowersFileError, match=r"tau_g2\.npy: G2 point 1 of the array is not in the subgroup"):
        PowersOfTau.read(directory)


def test_state_file_with_wrong_shape_digest_or_header(saved_state):
    directory, state = saved_state
    np.save(directory / "beta_tau_g1.npy", state.beta_tau_g1[:-1])
    with pytest.raises(PowersFileError, match=r"beta_tau_g1\.npy: expected a uint64 array of shape \(4, 2, 4\)"):
        PowersOfTau.read(directory)
    np.save(directory / "beta_tau_g1.npy", state.beta_tau_g1[::-1])  # valid points, another state
    with pytest.raises(PowersFileError, match="digest does not match"):
        PowersOfTau.read(directory)
    (directory / "beta_tau_g1.npy").unlink()
    with pytest.raises(PowersFileError, match=r"beta_tau_g1\.npy"):
        PowersOfTau.read(directory)
    header = json.loads((directory / "header.json").read_text())
    (directory / "header.json").write_text(json.dumps({**header, "version": 9}))
    with pytest.raises(PowersFileError, match="version 9"):
        PowersOfTau.read(directory)
