"""snarkjs's .ptau files and phase-1 chain (zkwork.formats.ptau_file, zkwork.ceremony.snarkjs_ptau).

Without Node: the primitives against independent oracles (hashlib's BLAKE2b, the RFC 7539
ChaCha20 vector, zkwork's own compressed encoding, ffjavascript's cofactor), round trips,
a typed error naming the section for each kind of malformed file, and the verification of
a ceremony made of snarkjs-style records built here, rejected when tampered with.

With Node (marked `node`): a real snarkjs ceremony (new, two contributions, the beacon,
prepare phase2) read and written back byte for byte and verified by zkwork; tampered
copies rejected by both zkwork (naming the contribution) and snarkjs; ffjavascript's
random draws (ChaCha, Fr/G1/G2.fromRng) reproduced; and the other way round, a zkwork
state exported to .ptau verified by `snarkjs powersoftau verify` (with a snarkjs-style
contribution), extended by snarkjs and verified again by zkwork, and taken through
prepare phase2, groth16 setup and a proof that snarkjs and zkwork both accept.

zkwork's own phase-1 ceremony (zkwork.ceremony.phase1: contributions and beacon, each
keeping its snarkjs record in the transcript) exported with export_transcript_ptau:
accepted by zkwork's verify_ptau and by `snarkjs powersoftau verify` (exit 0), tampered
exports refused by both (exit 1); and zkwork's beacon secrets are exactly those of a
real snarkjs beacon.
"""
import dataclasses
import hashlib
import json
import random
import subprocess

import numpy as np
import pytest
from node_tools import ROOT, run_node_tool
from test_snarkjs_interop import CIRCUIT, W, X

from zkwork.ceremony import (
    PtauExportError,
    Transcript,
    apply_beacon,
    beacon_secrets,
    contribute,
    export_transcript_ptau,
    start,
    transcript_challenge,
    verify_phase1,
)
from zkwork.ceremony.pok import G2_COFACTOR, ZeroSecretError
from zkwork.ceremony.powers import PowersOfTau
from zkwork.ceremony.blake2b import Blake2b512
from zkwork.ceremony.snarkjs_ptau import (
    encode_compressed,
    export_ptau,
    first_challenge,
    import_ptau,
    snarkjs_contribution,
    state_uncompressed,
    verify_ptau,
)
from zkwork.ceremony.snarkjs_rng import ChaCha, hash_to_g2, point_from_rng, scalar_from_rng
from zkwork.curve import (
    G1Point,
    G2Point,
    g1_affine_array,
    g1_points_from_affine_array,
    g2_affine_array,
    g2_points_from_affine_array,
)
from zkwork.errors import (
    CountTooLargeError,
    DuplicateSectionError,
    EncodingError,
    InvalidValueError,
    MissingSectionError,
    SectionSizeError,
    TruncatedFileError,
    UnsupportedVersionError,
    WrongFieldError,
    WrongMagicError,
)
from zkwork.field import Fr, P, R
from zkwork.field.fq2_element import Fq2
from zkwork.formats.binfile import read_bin_file, write_bin_file
from zkwork.formats.ptau_file import SECTION_NAMES, contribution_bytes, read_ptau, write_ptau
from zkwork.groth16 import verify
from zkwork.groth16.snarkjs_json import read_json_as, proof_from_json, public_from_json, vk_from_json

SECRETS_1 = (Fr(0x1234567), Fr(89), Fr(1011))
SECRETS_2 = (Fr(2**200 + 7), Fr(R - 5), Fr(3))


# -- primitives ----------------------------------------------------------------------------------
@pytest.mark.parametrize("length", [0, 1, 127, 128, 129, 255, 256, 257, 1000])
def test_blake2b_matches_hashlib_and_resumes_from_its_partial_hash(length, rng):
    data = rng.randbytes(length)
    assert Blake2b512(data).digest() == hashlib.blake2b(data).digest()
    for split in sorted({0, length // 3, length // 2, length}):
        saved = Blake2b512(data[:split]).partial_hash()
        assert len(saved) == 216
        assert Blake2b512.from_partial_hash(saved).update(data[split:]).digest() == hashlib.blake2b(data).digest()


def test_a_partial_hash_that_cannot_be_a_blake2b_state_is_refused():
    saved = bytearray(Blake2b512(bytes(300)).partial_hash())
    saved[200] = 200  # a buffer position beyond the 128-byte block
    with pytest.raises(ValueError, match="partial hash"):
        Blake2b512.from_partial_hash(bytes(saved))


def test_chacha_is_chacha20_with_a_zero_nonce():
    # RFC 7539, appendix A.1, test vector 1: all-zero key, nonce and counter.
    expected = bytes.fromhex(
        "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
        "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"
    )
    stream = ChaCha([0] * 8)
    assert b"".join(stream.next_u32().to_bytes(4, "little") for _ in range(16)) == expected


def test_the_g2_cofactor_is_ffjavascripts():
    assert G2_COFACTOR == 2 * P - R == 0x30644E72E131A029B85045B68181585E06CEECDA572A2489345F2299C0F9FA8D


def test_compressed_encoding_is_zkworks_with_the_flags_swapped(rng):
    g1 = [G1Point.generator() * rng.randrange(1, R) for _ in range(20)] + [G1Point.infinity()]
    g2 = [G2Point.generator() * rng.randrange(1, R) for _ in range(20)] + [G2Point.infinity()]
    for points, array in ((g1, g1_affine_array(g1)), (g2, g2_affine_array(g2))):
        size = 32 * (2 if points is g2 else 1)
        encoded = encode_compressed(array)
        for i, point in enumerate(points):
            ours = bytearray(point.to_bytes(compressed=True))
            flags = ours[0] & 0xC0
            ours[0] = (ours[0] & 0x3F) | (0x40 if flags & 0x80 else 0) | (0x80 if flags & 0x40 else 0)
            assert encoded[i * size : (i + 1) * size] == bytes(ours)


def flip(data, index):
    return data[:index] + bytes([data[index] ^ 1]) + data[index + 1 :]


def test_hash_to_g2_is_a_point_of_g2_depending_on_the_first_32_bytes_only(rng):
    digest = rng.randbytes(64)
    point = hash_to_g2(digest)
    assert point.is_in_subgroup() and not point.is_infinity()
    assert point == hash_to_g2(digest) != hash_to_g2(flip(digest, 31))
    assert hash_to_g2(flip(digest, 32)) == point  # snarkjs seeds its stream with 8 words


def test_first_challenge_hashes_the_initial_state():
    state = PowersOfTau.initial(3)
    assert first_challenge(3) == hashlib.blake2b(hashlib.blake2b().digest() + state_uncompressed(state)).digest()


# -- a ceremony of snarkjs-style records made here -------------------------------------------------
def make_ceremony(power, *secret_sets):
    state, challenge, records = PowersOfTau.initial(power), first_challenge(power), []
    for i, secrets_ in enumerate(secret_sets):
        state = state.updated(*secrets_)
        records.append(snarkjs_contribution(challenge, state, *secrets_, name=f"zkwork {i}"))
        challenge = records[-1].next_challenge
    return state, records


@pytest.fixture(scope="module")
def ceremony(tmp_path_factory):
    """(path, state, records) of a power-3 ceremony with two contributions."""
    state, records = make_ceremony(3, SECRETS_1, SECRETS_2)
    path = tmp_path_factory.mktemp("ptau") / "zkwork.ptau"
    export_ptau(state, path, records)
    return path, state, records


def test_zkwork_verifies_its_snarkjs_style_ceremony(ceremony):
    path, _, _ = ceremony
    report = verify_ptau(path)
    assert report.ok, str(report)
    assert {c.check for c in report.checks if c.contribution == 1} >= {
        "pok_tau", "pok_alpha", "pok_beta", "tau_g1_ratio", "tau_g2_ratio", "alpha_ratio", "beta_ratio", "beta_g2_ratio"}
    assert {"tau_g1_powers", "tau_g2_powers", "next_challenge", "partial_hash"} <= {c.check for c in report.checks}


def test_export_import_and_write_read_round_trip(ceremony, tmp_path):
    path, state, records = ceremony
    imported, contributions = import_ptau(path)
    assert imported == state
    assert contributions == tuple(records)
    write_ptau(read_ptau(path), tmp_path / "copy.ptau")
    assert (tmp_path / "copy.ptau").read_bytes() == path.read_bytes()
    assert [c.name for c in contributions] == ["zkwork 0", "zkwork 1"]


def test_a_file_without_contributions_is_refused_like_snarkjs_does(tmp_path):
    export_ptau(PowersOfTau.initial(2), tmp_path / "initial.ptau")
    report = verify_ptau(tmp_path / "initial.ptau")
    assert report.failed() == {("final", "contributions")}
    export_ptau(PowersOfTau.initial(2).updated(*SECRETS_1), tmp_path / "updated.ptau")
    assert report_failed(tmp_path / "updated.ptau") == {("final", "contributions"), ("final", "final_head")}


def test_a_zero_secret_makes_no_record():
    state = PowersOfTau.initial(1)
    with pytest.raises(ZeroSecretError):
        snarkjs_contribution(first_challenge(1), state, Fr(0), Fr(1), Fr(1))


def test_a_record_a_ptau_cannot_hold_is_refused_when_made():
    state = PowersOfTau.initial(1).updated(*SECRETS_1)
    with pytest.raises(EncodingError, match="255 bytes"):
        snarkjs_contribution(first_challenge(1), state, *SECRETS_1, name="x" * 256)
    record = snarkjs_contribution(first_challenge(1), state, *SECRETS_1, name="\u00e9" * 127)  # 254 bytes
    with pytest.raises(EncodingError, match="next challenge 64, got 216 and 63"):
        dataclasses.replace(record, next_challenge=bytes(63))
    with pytest.raises(EncodingError, match="type is 0 .* or 1 .*got 2"):
        dataclasses.replace(record, kind=2)


def report_failed(path):
    return verify_ptau(path).failed()


def doubled(point):
    return point + point


def tamper(ptau, position=None, **changes):
    """The PtauFile with `changes` applied to contribution `position`, or to the file."""
    if position is None:
        return dataclasses.replace(ptau, **changes)
    contributions = list(ptau.contributions)
    contributions[position] = dataclasses.replace(contributions[position], **changes)
    return dataclasses.replace(ptau, contributions=tuple(contributions))


def changed_power(array, index, group):
    """A copy of `array` with point `index` doubled (a valid point, in the wrong place)."""
    (point,) = (g1_points_from_affine_array if group is G1Point else g2_points_from_affine_array)(array[index : index + 1])
    array = array.copy()
    array[index] = (g1_affine_array if group is G1Point else g2_affine_array)([doubled(point)])[0]
    return array


def tampered_copies(ptau):
    """{name: (tampered PtauFile, a (contribution, check) pair its report must fail)}."""
    first, second = ptau.contributions[0], ptau.contributions[1]
    key = first.tau_key
    return {
        "key": (tamper(ptau, 0, tau_key=key._replace(g1_sx=doubled(key.g1_sx))), (0, "pok_tau")),
        "challenge": (tamper(ptau, 0, next_challenge=bytes(64)), (1, "pok_alpha")),
        "head": (tamper(ptau, 1, alpha_g1=doubled(second.alpha_g1)), (1, "alpha_ratio")),
        "powers": (tamper(ptau, tau_g1=changed_power(ptau.tau_g1, 5, G1Point)), ("final", "tau_g1_powers")),
        "tau_g2": (tamper(ptau, tau_g2=changed_power(ptau.tau_g2, 3, G2Point)), ("final", "tau_g2_powers")),
        "beta_g2": (tamper(ptau, beta_g2=-ptau.beta_g2), ("final", "beta_g2")),
    }


def test_tampered_copies_are_rejected_naming_the_contribution(ceremony):
    path, _, _ = ceremony
    for name, (ptau, expected) in tampered_copies(read_ptau(path)).items():
        report = verify_ptau(ptau)
        assert not report.ok, name
        assert expected in report.failed(), (name, str(report))
    # A changed nextChallenge cannot be recomputed for a middle record, but the next
    # record's keys were bound to the real one: the failure names contribution 1, not 0.
    challenge_report = verify_ptau(tampered_copies(read_ptau(path))["challenge"][0])
    positions = {position for position, _ in challenge_report.failed()}
    assert 1 in positions and 0 not in positions


# -- malformed files -------------------------------------------------------------------------------
def sections_of(path):
    binfile = read_bin_file(path, "ptau", 1, SECTION_NAMES)
    return [(t, bytes(data)) for t, found in binfile.sections.items() for data in found]


def replaced(sections, section_type, data):
    return [(t, data if t == section_type else d) for t, d in sections]


def header(power, ceremony_power=None, prime=P, n8=32):
    return (n8.to_bytes(4, "little") + prime.to_bytes(32, "little") + power.to_bytes(4, "little")
            + (power if ceremony_power is None else ceremony_power).to_bytes(4, "little"))


def with_point(data, index, size, point_bytes):
    return data[: index * size] + point_bytes + data[(index + 1) * size :]


def twist_point_outside_g2():
    b = G2Point.curve.b
    for c0 in range(1, 100):
        x = Fq2(c0, 1)
        rhs = x * x * x + b
        if rhs.is_square():
            point = G2Point(G2Point.curve.jacobian(x, rhs.sqrt()))
            if not point.is_in_subgroup():
                return point.affine_mont()
    raise AssertionError("no twist point found")


def contribution_params(data, kind, params):
    """Section 7 with the first record's type and parameter bytes replaced."""
    start = 4 + 448 + 768 + 216 + 64
    old_length = int.from_bytes(data[start + 4 : start + 8], "little")
    return data[:start] + kind.to_bytes(4, "little") + len(params).to_bytes(4, "little") + params + \
        data[start + 8 + old_length :]


MALFORMED = {
    "prime": (lambda s: replaced(s, 1, header(3, prime=R)), WrongFieldError, "header"),
    "n8": (lambda s: replaced(s, 1, header(3, n8=48)), WrongFieldError, "header"),
    "power above the sections": (lambda s: replaced(s, 1, header(4)), CountTooLargeError, "tauG1"),
    "power below the sections": (lambda s: replaced(s, 1, header(2)), SectionSizeError, "tauG1"),
    "power too large": (lambda s: replaced(s, 1, header(29)), InvalidValueError, "header"),
    "ceremony power below power": (lambda s: replaced(s, 1, header(3, 2)), InvalidValueError, "header"),
    "missing betaG2": (lambda s: [(t, d) for t, d in s if t != 6], MissingSectionError, "betaG2"),
    "duplicated tauG2": (lambda s: s + [(t, d) for t, d in s if t == 3], DuplicateSectionError, "tauG2"),
    "coordinate not below q": (lambda s: replaced(s, 2, with_point(dict(s)[2], 4, 64, b"\xff" * 64)),
                               InvalidValueError, "tauG1"),
    "point off the curve": (lambda s: replaced(s, 4, with_point(dict(s)[4], 2, 64, dict(s)[4][128:160] + bytes(32))),
                            InvalidValueError, "alphaTauG1"),
    "G2 point outside the subgroup": (
        lambda s: replaced(s, 3, with_point(dict(s)[3], 1, 128, twist_point_outside_g2().astype("<u8").tobytes())),
        InvalidValueError, "tauG2"),
    "contribution count": (lambda s: replaced(s, 7, (1000).to_bytes(4, "little") + dict(s)[7][4:]),
                           CountTooLargeError, "contributions"),
    "contribution type": (lambda s: replaced(s, 7, contribution_params(dict(s)[7], 7, b"")),
                          InvalidValueError, "contributions"),
    "unsorted parameters": (lambda s: replaced(s, 7, contribution_params(dict(s)[7], 1, b"\x02\x0a\x01\x01a")),
                            InvalidValueError, "contributions"),
    "unknown parameter": (lambda s: replaced(s, 7, contribution_params(dict(s)[7], 0, b"\x09\x00")),
                          InvalidValueError, "contributions"),
    "parameter past its end": (lambda s: replaced(s, 7, contribution_params(dict(s)[7], 0, b"\x01\x05ab")),
                               InvalidValueError, "contributions"),
    "lagrange section size": (lambda s: s + [(12, bytes(64 * 30))], InvalidValueError, "lagrange tauG1"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_sections_raise_typed_errors_naming_the_section(case, ceremony, tmp_path):
    path, _, _ = ceremony
    mutate, error, section = MALFORMED[case]
    write_bin_file(tmp_path / "bad.ptau", "ptau", 1, mutate(sections_of(path)))
    with pytest.raises(error) as raised:
        read_ptau(tmp_path / "bad.ptau")
    assert raised.value.section == section
    assert section in str(raised.value)


def test_malformed_containers_raise_typed_errors(ceremony, tmp_path):
    path, _, _ = ceremony
    data = path.read_bytes()
    for name, content, error in (
        ("magic", b"zkey" + data[4:], WrongMagicError),
        ("version", data[:4] + (2).to_bytes(4, "little") + data[8:], UnsupportedVersionError),
        ("truncated", data[:-10], TruncatedFileError),
    ):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(error):
            read_ptau(tmp_path / name)


def test_point_errors_name_the_index(ceremony, tmp_path):
    path, _, _ = ceremony
    mutate, _, _ = MALFORMED["G2 point outside the subgroup"]
    write_bin_file(tmp_path / "bad.ptau", "ptau", 1, mutate(sections_of(path)))
    with pytest.raises(InvalidValueError, match="tauG2.*: 8 points: G2 point 1 of the array is not in the subgroup"):
        read_ptau(tmp_path / "bad.ptau")


@pytest.mark.parametrize("coordinates, error", [
    (lambda x, y: x + x, "PointNotOnCurveError"),
    (lambda x, y: b"\xff" * 64, "NonCanonicalEncodingError"),
])
def test_a_bad_point_in_a_contribution_names_the_record_and_the_point(ceremony, tmp_path, coordinates, error):
    path, _, _ = ceremony
    sections = sections_of(path)
    data = dict(sections)[7]
    # contribution 1's alphaG1: after the count, record 0, and its tauG1 (G1) and tauG2 (G2)
    at = 4 + len(contribution_bytes(read_ptau(path).contributions[0])) + 64 + 128
    data = data[:at] + coordinates(data[at : at + 32], data[at + 32 : at + 64]) + data[at + 64 :]
    write_bin_file(tmp_path / "bad.ptau", "ptau", 1, replaced(sections, 7, data))
    with pytest.raises(InvalidValueError, match=f"contribution 1, alphaG1: {error}") as raised:
        read_ptau(tmp_path / "bad.ptau")
    assert raised.value.section == "contributions"


# -- against snarkjs -------------------------------------------------------------------------------
def snarkjs(*args, check=True):
    return run_node_tool("snarkjs", *args, check=check)


BEACON_HASH = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


@pytest.fixture(scope="module")
def snarkjs_ceremony(tmp_path_factory):
    """Paths of a power-4 snarkjs ceremony: new, two contributions, beacon, prepared."""
    work = tmp_path_factory.mktemp("snarkjs_ptau")
    files = {name: work / f"{name}.ptau" for name in ("new", "first", "second", "beacon", "prepared")}
    snarkjs("powersoftau", "new", "bn128", 4, files["new"])
    snarkjs("powersoftau", "contribute", files["new"], files["first"], "--name=first", "-e=zkwork ptau test 1")
    snarkjs("powersoftau", "contribute", files["first"], files["second"], "--name=second", "-e=zkwork ptau test 2")
    snarkjs("powersoftau", "beacon", files["second"], files["beacon"], BEACON_HASH, 10, "-n=final beacon")
    snarkjs("powersoftau", "prepare", "phase2", files["beacon"], files["prepared"])
    return files


@pytest.mark.node
def test_snarkjs_files_round_trip_byte_for_byte(snarkjs_ceremony, tmp_path):
    for name, path in snarkjs_ceremony.items():
        ptau = read_ptau(path)
        write_ptau(ptau, tmp_path / "copy.ptau")
        assert (tmp_path / "copy.ptau").read_bytes() == path.read_bytes(), name
    prepared = read_ptau(snarkjs_ceremony["prepared"])
    assert sorted(prepared.other_sections) == [12, 13, 14, 15]
    assert [(c.name, c.kind) for c in prepared.contributions] == [("first", 0), ("second", 0), ("final beacon", 1)]
    assert prepared.contributions[2].beacon_hash.hex() == BEACON_HASH
    assert prepared.contributions[2].iterations_exponent == 10
    # Without phase-2 sections, import then export gives snarkjs's file back.
    state, contributions = import_ptau(snarkjs_ceremony["beacon"])
    export_ptau(state, tmp_path / "exported.ptau", contributions)
    assert (tmp_path / "exported.ptau").read_bytes() == snarkjs_ceremony["beacon"].read_bytes()


@pytest.mark.node
def test_zkwork_verifies_snarkjs_ceremonies(snarkjs_ceremony):
    assert report_failed(snarkjs_ceremony["new"]) == {("final", "contributions")}
    for name in ("first", "second", "beacon", "prepared"):
        report = verify_ptau(snarkjs_ceremony[name])
        assert report.ok, (name, str(report))
    beacon = verify_ptau(snarkjs_ceremony["beacon"])
    assert (2, "beacon_key") in {(c.contribution, c.check) for c in beacon.checks if c.passed}


@pytest.mark.node
@pytest.mark.parametrize("case", ["key", "challenge", "head", "powers", "tau_g2", "beta_g2", "beacon"])
def test_tampered_snarkjs_files_are_rejected_by_zkwork_and_snarkjs(case, snarkjs_ceremony, tmp_path):
    ptau = read_ptau(snarkjs_ceremony["beacon"])
    copies = tampered_copies(ptau)
    beacon = ptau.contributions[2]
    copies["beacon"] = (tamper(ptau, 2, beacon_hash=bytes([beacon.beacon_hash[0] ^ 1]) + beacon.beacon_hash[1:]),
                        (2, "beacon_key"))
    tampered, expected = copies[case]
    write_ptau(tampered, tmp_path / "tampered.ptau")
    assert expected in report_failed(tmp_path / "tampered.ptau")
    result = snarkjs("powersoftau", "verify", tmp_path / "tampered.ptau", check=False)
    assert result.returncode != 0 and "Powers of Tau Ok!" not in result.stdout


FROM_RNG_SCRIPT = """
import { buildBn128, ChaCha } from "ffjavascript";
const curve = await buildBn128(true);
const seeds = SEEDS;
const out = seeds.map((seed) => {
    const rng = new ChaCha(seed);
    const words = [rng.nextU32(), rng.nextU32(), rng.nextU32()];
    const fr = curve.Fr.toObject(curve.Fr.fromRng(rng)).toString();
    const g1 = curve.G1.toObject(curve.G1.toAffine(curve.G1.fromRng(rng))).map(String);
    const g2 = curve.G2.toObject(curve.G2.toAffine(curve.G2.fromRng(rng))).map((c) => c.map(String));
    return { words, fr, g1, g2 };
});
process.stdout.write(JSON.stringify(out));
await curve.terminate();
"""


@pytest.mark.node
def test_random_draws_match_ffjavascript():
    gen = random.Random(7)
    seeds = [[gen.getrandbits(32) for _ in range(8)] for _ in range(4)]
    result = subprocess.run(["node", "--input-type=module"], input=FROM_RNG_SCRIPT.replace("SEEDS", json.dumps(seeds)),
                            capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
    for seed, expected in zip(seeds, json.loads(result.stdout)):
        stream = ChaCha(seed)
        assert [stream.next_u32() for _ in range(3)] == expected["words"]
        assert int(scalar_from_rng(stream)) == int(expected["fr"])
        assert point_from_rng(G1Point, stream).to_affine() == tuple(int(c) for c in expected["g1"][:2])
        assert point_from_rng(G2Point, stream).to_affine() == tuple(tuple(map(int, c)) for c in expected["g2"][:2])


@pytest.mark.node
def test_snarkjs_verifies_zkwork_records_and_zkwork_verifies_what_snarkjs_adds(tmp_path):
    state, records = make_ceremony(4, SECRETS_1)
    export_ptau(state, tmp_path / "zkwork.ptau", records)
    assert "Powers of Tau Ok!" in snarkjs("powersoftau", "verify", tmp_path / "zkwork.ptau").stdout
    snarkjs("powersoftau", "contribute", tmp_path / "zkwork.ptau", tmp_path / "mixed.ptau", "--name=snarkjs", "-e=mix")
    snarkjs("powersoftau", "beacon", tmp_path / "mixed.ptau", tmp_path / "final.ptau", BEACON_HASH, 10, "-n=beacon")
    report = verify_ptau(tmp_path / "final.ptau")
    assert report.ok, str(report)
    assert [c.name for c in read_ptau(tmp_path / "final.ptau").contributions] == ["zkwork 0", "snarkjs", "beacon"]
    # Without a contribution, snarkjs's verify refuses the file (and says why).
    export_ptau(state, tmp_path / "bare.ptau")
    result = snarkjs("powersoftau", "verify", tmp_path / "bare.ptau", check=False)
    assert result.returncode == 1 and "no contribution" in result.stdout + result.stderr


@pytest.mark.node
@pytest.mark.slow
def test_a_zkwork_state_sets_up_a_groth16_circuit_in_snarkjs(tmp_path):
    """No contribution records at all: prepare phase2 and groth16 setup do not need them."""
    export_ptau(PowersOfTau.initial(4).updated(*SECRETS_2), tmp_path / "zkwork.ptau")
    (tmp_path / "cube.circom").write_text(CIRCUIT)
    run_node_tool("circom2", tmp_path / "cube.circom", "--O2", "--r1cs", "--wasm", "-o", tmp_path)
    snarkjs("powersoftau", "prepare", "phase2", tmp_path / "zkwork.ptau", tmp_path / "prepared.ptau")
    prepared = read_ptau(tmp_path / "prepared.ptau")
    assert sorted(prepared.other_sections) == [12, 13, 14, 15]
    assert np.array_equal(prepared.tau_g1, read_ptau(tmp_path / "zkwork.ptau").tau_g1)
    snarkjs("groth16", "setup", tmp_path / "cube.r1cs", tmp_path / "prepared.ptau", tmp_path / "cube.zkey")
    snarkjs("zkey", "export", "verificationkey", tmp_path / "cube.zkey", tmp_path / "vk.json")
    (tmp_path / "input.json").write_text(json.dumps({"x": str(X), "w": str(W)}))
    snarkjs("wtns", "calculate", tmp_path / "cube_js" / "cube.wasm", tmp_path / "input.json", tmp_path / "w.wtns")
    snarkjs("groth16", "prove", tmp_path / "cube.zkey", tmp_path / "w.wtns", tmp_path / "proof.json",
            tmp_path / "public.json")
    assert "OK" in snarkjs("groth16", "verify", tmp_path / "vk.json", tmp_path / "public.json",
                           tmp_path / "proof.json").stdout
    vk = read_json_as(tmp_path / "vk.json", vk_from_json)
    public = read_json_as(tmp_path / "public.json", public_from_json)
    proof = read_json_as(tmp_path / "proof.json", proof_from_json)
    assert verify(vk, public, proof)
    assert not verify(vk, [public[0], public[1] + 1], proof)


def test_a_beacon_record_claiming_too_many_iterations_fails_without_running_them(ceremony):
    path, _, _ = ceremony
    ptau = read_ptau(path)
    claimed = tamper(ptau, 1, kind=1, beacon_hash=b"\x01" * 32, iterations_exponent=200)
    report = verify_ptau(claimed)
    (failure,) = [c for c in report.failures() if c.check == "beacon_key"]
    assert failure.contribution == 1 and "2^200" in failure.detail


# -- zkwork's own ceremony, exported ----------------------------------------------------------------
@pytest.fixture(scope="module")
def zkwork_ceremony():
    """(state, transcript) of a zkwork phase-1 ceremony at power 4: three contributions with
    secrets from `secrets`, then the beacon (exponent 10, as snarkjs's command line wants)."""
    state, transcript = start(4)
    for i in range(3):
        state, record = contribute(state, f"zkwork {i}", i, transcript_challenge(transcript))
        transcript.records.append(record)
    state, record = apply_beacon(state, bytes.fromhex(BEACON_HASH), 10, 3,
                                 previous_challenge=transcript_challenge(transcript))
    transcript.records.append(record)
    return state, transcript


def test_a_zkwork_transcript_exports_as_a_ptau_that_verifies(zkwork_ceremony, tmp_path):
    state, transcript = zkwork_ceremony
    assert verify_phase1(transcript, state).ok
    export_transcript_ptau(state, transcript, tmp_path / "zkwork.ptau")
    ptau = read_ptau(tmp_path / "zkwork.ptau")
    assert [(c.name, c.kind) for c in ptau.contributions] == [("zkwork 0", 0), ("zkwork 1", 0), ("zkwork 2", 0),
                                                              ("beacon", 1)]
    assert (ptau.contributions[3].beacon_hash.hex(), ptau.contributions[3].iterations_exponent) == (BEACON_HASH, 10)
    assert import_ptau(tmp_path / "zkwork.ptau")[0] == state
    report = verify_ptau(ptau)
    assert report.ok, str(report)
    assert {(3, "beacon_key"), ("final", "next_challenge"), ("final", "tau_g1_powers")} <= {
        (c.contribution, c.check) for c in report.checks}
    # The transcript file keeps the snarkjs records: reloaded, it exports the same bytes.
    (tmp_path / "transcript.json").write_text(json.dumps(transcript.to_json()))
    reloaded = Transcript.read(tmp_path / "transcript.json")
    assert reloaded == transcript
    export_transcript_ptau(state, reloaded, tmp_path / "again.ptau")
    assert (tmp_path / "again.ptau").read_bytes() == (tmp_path / "zkwork.ptau").read_bytes()


def test_a_record_made_without_the_snarkjs_challenge_cannot_be_exported(tmp_path):
    state, transcript = start(2)
    state, record = contribute(state, "first", 0)  # index 0: the challenge of the initial state
    assert record.snarkjs is not None and transcript_challenge(transcript) == first_challenge(2)
    transcript.records.append(record)
    assert transcript_challenge(transcript) == record.snarkjs.next_challenge
    state, record = contribute(state, "second", 1)  # a later one cannot know the chain
    assert record.snarkjs is None
    transcript.records.append(record)
    assert transcript_challenge(transcript) is None
    assert verify_phase1(transcript, state, require_beacon=False).ok
    with pytest.raises(PtauExportError, match=r"record 1 \('second'\) has no snarkjs record"):
        export_transcript_ptau(state, transcript, tmp_path / "z.ptau")


@pytest.mark.node
def test_snarkjs_verifies_a_zkwork_ceremony_and_refuses_tampered_exports(zkwork_ceremony, tmp_path):
    state, transcript = zkwork_ceremony
    export_transcript_ptau(state, transcript, tmp_path / "zkwork.ptau")
    result = snarkjs("powersoftau", "verify", tmp_path / "zkwork.ptau", check=False)
    assert result.returncode == 0 and "Powers of Tau Ok!" in result.stdout, result.stdout + result.stderr
    ptau = read_ptau(tmp_path / "zkwork.ptau")
    key = ptau.contributions[1].alpha_key
    tampered = {
        "contribution key": (tamper(ptau, 1, alpha_key=key._replace(g2_spx=doubled(key.g2_spx))), (1, "pok_alpha")),
        "power": (tamper(ptau, alpha_tau_g1=changed_power(ptau.alpha_tau_g1, 9, G1Point)),
                  ("final", "alpha_tau_g1_powers")),
    }
    for name, (copy, expected) in tampered.items():
        write_ptau(copy, tmp_path / "tampered.ptau")
        assert expected in report_failed(tmp_path / "tampered.ptau"), name
        result = snarkjs("powersoftau", "verify", tmp_path / "tampered.ptau", check=False)
        assert result.returncode == 1 and "Powers of Tau Ok!" not in result.stdout, name


@pytest.mark.node
def test_zkwork_beacon_secrets_are_snarkjs_beacons(snarkjs_ceremony):
    before, _ = import_ptau(snarkjs_ceremony["second"])
    after, _ = import_ptau(snarkjs_ceremony["beacon"])
    assert before.updated(*beacon_secrets(bytes.fromhex(BEACON_HASH), 10)) == after
