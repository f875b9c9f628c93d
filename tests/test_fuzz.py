"""Fuzzing of the verifiers and parsers: hypothesis properties for verify and verify_batch
(single-bit and single-coordinate mutations of valid proofs, public inputs out of range or
of the wrong type, verifying keys with points off the curve, outside the subgroup or at
infinity, JSON of the wrong shape) and for the binary parsers (truncation, wrong magic and
version, inflated counts, duplicated sections, bit flips); a short `run_campaign` over every
registered target, which must neither crash nor accept anything; and the bugs campaigns
found, each with the exact input that showed it."""
import json
import random
import re
import string
import subprocess
import sys
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkwork.audit import fuzz
from zkwork.audit.fuzz import (
    PTAU_SPEC,
    R1CS_SPEC,
    TARGETS,
    WTNS_SPEC,
    ZKEY_SPEC,
    assemble,
    groth16_seed,
    run_campaign,
    section_table,
)
from zkwork.audit.fuzz.binary_mutations import _count_value, _sections, _with_count
from zkwork.audit.fuzz.groth16_targets import _public_seed, _read_public
from zkwork.audit.fuzz.json_mutations import _get, _paths, _set, _well_formed_replacement
from zkwork.curve import G1Point, G2Point
from zkwork.errors import (
    DuplicateSectionError,
    FormatError,
    JsonFormatError,
    KeyFormatError,
    UnsupportedVersionError,
    WrongMagicError,
)
from zkwork.field import P, R
from zkwork.field.limbs import int_to_limbs, limbs_to_int
from zkwork.formats import read_ptau, read_r1cs, read_wtns, read_zkey
from zkwork.groth16 import verify, verify_batch
from zkwork.groth16.snarkjs_json import (
    g2_to_json,
    read_json_as,
    proof_from_json,
    proof_to_json,
    public_from_json,
    vk_from_json,
    vk_to_json,
)

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW_PROPERTY = settings(max_examples=600, deadline=None)


@pytest.fixture(scope="module")
def seed():
    return groth16_seed()


def with_point(proof, name, point):
    return replace(proof, **{name: point})


# -- verify -----------------------------------------------------------------------------------------


def test_seed_statements_verify(seed):
    """The oracle's premise: the unmutated statements are valid, alone and batched."""
    assert all(verify(seed.pvk, public, proof) for public, proof in seed.statements)
    assert verify_batch(seed.pvk, list(seed.statements))


def check_bit_flip(seed, statement, name, bit):
    public, proof = seed.statements[statement]
    point = getattr(proof, name)
    limbs = np.array(point.jacobian).reshape(-1)
    bit %= 64 * limbs.size
    limbs[bit // 64] ^= np.uint64(1 << (bit % 64))
    # a flip moves one Jacobian coordinate by +-2^k, never a multiple of p: another point
    assert verify(seed.pvk, public, with_point(proof, name, type(point)(limbs.reshape(point.jacobian.shape)))) is False


@PROPERTY
@given(statement=st.integers(0, 2), name=st.sampled_from("abc"), bit=st.integers(0, 6 * 3 * 64 - 1))
def test_verify_refuses_every_single_bit_flip_of_a_proof(seed, statement, name, bit):
    check_bit_flip(seed, statement, name, bit)


@pytest.mark.slow
@SLOW_PROPERTY
@given(statement=st.integers(0, 2), name=st.sampled_from("abc"), bit=st.integers(0, 6 * 3 * 64 - 1))
def test_verify_refuses_bit_flips_bigger_budget(seed, statement, name, bit):
    check_bit_flip(seed, statement, name, bit)


@PROPERTY
@given(name=st.sampled_from("abc"), index=st.integers(0, 8),
       value=st.one_of(st.integers(0, 2**256 - 1), st.sampled_from([0, P, 2 * P, 2**256 - 1])))
def test_verify_refuses_a_replaced_coordinate(seed, name, index, value):
    public, proof = seed.statements[0]
    point = getattr(proof, name)
    groups = np.array(point.jacobian).reshape(-1, 4)
    index %= groups.shape[0]
    old = limbs_to_int(tuple(int(v) for v in groups[index]))
    groups[index] = int_to_limbs(value)
    mutated = type(point)(groups.reshape(point.jacobian.shape))
    # Montgomery limbs congruent mod p denote the same coordinate: then the proof is the same
    assert verify(seed.pvk, public, with_point(proof, name, mutated)) is (value % P == old % P)


@PROPERTY
@given(name=st.sampled_from("abc"), replacement=st.sampled_from(
    ["infinity", "generator", "negation", "other", "off-curve", "off-subgroup", None, "1", 1, (1, 2)]))
def test_verify_refuses_replaced_and_swapped_points(seed, name, replacement):
    public, proof = seed.statements[0]
    point = getattr(proof, name)
    cls = type(point)
    candidates = {
        "infinity": cls.infinity(), "generator": cls.generator(), "negation": -point,
        "other": getattr(seed.statements[1][1], name),
        "off-curve": cls._wrap(cls.curve.jacobian(point._affine_elements()[0], point._affine_elements()[1] + 1)),
        "off-subgroup": seed.off_subgroup_g2 if cls is G2Point else G2Point.generator(),
    }
    value = candidates.get(replacement, replacement)
    assert verify(seed.pvk, public, with_point(proof, name, value)) is False
    assert verify(seed.pvk, public, replace(proof, a=proof.c, c=proof.a)) is False


@PROPERTY
@given(index=st.integers(0, 2), value=st.one_of(
    st.integers(min_value=R, max_value=2**300), st.integers(max_value=-1), st.integers(0, R - 1),
    st.text(max_size=6), st.floats(), st.booleans(), st.none()))
def test_verify_refuses_changed_public_inputs(seed, index, value):
    public, proof = seed.statements[0]
    if isinstance(value, int) and not isinstance(value, bool) and value == public[index]:
        value += 1
    changed = list(public)
    changed[index] = value
    assert verify(seed.pvk, changed, proof) is False
    as_strings = [str(v) for v in public]  # the right numbers, the wrong type
    assert verify(seed.pvk, as_strings, proof) is False


@PROPERTY
@given(shape=st.sampled_from(["short", "long", "empty", "none", "int", "str", "nested"]))
def test_verify_refuses_public_lists_of_the_wrong_shape(seed, shape):
    public, proof = seed.statements[0]
    value = {"short": public[:-1], "long": public + [0], "empty": [], "none": None, "int": public[0],
             "str": ",".join(map(str, public)), "nested": [public]}[shape]
    assert verify(seed.pvk, value, proof) is False


VK_POINTS = ["vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC0", "IC1", "IC3"]


def vk_point_path(obj, name):
    return (obj["IC"], int(name[2:])) if name.startswith("IC") else (obj, name)


@PROPERTY
@given(name=st.sampled_from(VK_POINTS), kind=st.sampled_from(["off-curve", "off-subgroup", "infinity", "swap"]))
def test_verifying_keys_off_the_curve_or_subgroup_are_refused_and_at_infinity_verify_nothing(seed, name, kind):
    obj = vk_to_json(seed.vk)
    parent, key = vk_point_path(obj, name)
    node = parent[key]
    g2 = isinstance(node[0], list)
    if kind == "off-curve":
        if g2:
            node[1][0] = str((int(node[1][0]) + 1) % P)
        else:
            node[1] = str((int(node[1]) + 1) % P)
    elif kind == "off-subgroup":
        if not g2:  # G1 has cofactor 1: every curve point is in the subgroup; use a G2 point
            parent[key] = g2_to_json(G2Point.generator())
        else:
            parent[key] = g2_to_json(seed.off_subgroup_g2)
    elif kind == "infinity":
        parent[key] = [["0", "0"], ["1", "0"], ["0", "0"]] if g2 else ["0", "1", "0"]
    else:
        parent[key] = [["0", "0"], ["1", "0"], ["0", "0"]] if not g2 else ["1", "2", "1"]  # the other group's shape
    if kind == "infinity":
        vk = vk_from_json(obj)
        assert not any(verify(vk, public, proof) for public, proof in seed.statements)
    else:
        label = f"IC[{name[2:]}]" if name.startswith("IC") else name
        with pytest.raises(JsonFormatError, match=re.escape(label)):
            vk_from_json(obj)


@PROPERTY
@given(k=st.integers(0, 2), index=st.integers(0, 2), delta=st.integers(1, R - 1))
def test_verify_batch_refuses_a_batch_with_one_changed_public_input(seed, k, index, delta):
    statements = [(list(p), q) for p, q in seed.statements]
    statements[k][0][index] = (statements[k][0][index] + delta) % R
    assert verify_batch(seed.pvk, statements) is False


@PROPERTY
@given(k=st.integers(0, 2), name=st.sampled_from("abc"), bit=st.integers(0, 6 * 3 * 64 - 1),
       keep=st.integers(1, 3))
def test_verify_batch_refuses_one_flipped_proof_and_accepts_valid_subsets(seed, k, name, bit, keep):
    statements = list(seed.statements)
    public, proof = statements[k]
    point = getattr(proof, name)
    limbs = np.array(point.jacobian).reshape(-1)
    bit %= 64 * limbs.size
    limbs[bit // 64] ^= np.uint64(1 << (bit % 64))
    statements[k] = (public, with_point(proof, name, type(point)(limbs.reshape(point.jacobian.shape))))
    assert verify_batch(seed.pvk, statements) is False
    assert verify_batch(seed.pvk, list(seed.statements)[:keep]) is True


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**80) | st.floats(allow_nan=True)
    | st.text(max_size=8) | st.sampled_from(fuzz.NOT_DECIMAL),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(string.ascii_letters, max_size=6),
                                                                       children, max_size=4),
    max_leaves=20,
)


@PROPERTY
@given(obj=JSON_VALUES)
def test_json_of_any_shape_is_a_typed_error(obj):
    """Random JSON values, any text (Unicode digits included) among them."""
    for reader in (vk_from_json, proof_from_json):
        with pytest.raises(JsonFormatError):
            reader(obj)
    try:
        public = public_from_json(obj)
    except JsonFormatError:
        return
    assert all(isinstance(v, int) and 0 <= v < R for v in public)


@PROPERTY
@given(data=st.data())
def test_a_valid_proof_json_with_one_node_replaced_never_verifies(seed, data):
    public, proof = seed.statements[0]
    obj = proof_to_json(proof)
    paths = list(_paths(obj))[1:]
    path = data.draw(st.sampled_from(paths))
    replacement = data.draw(JSON_VALUES)
    if _get(obj, path) == replacement:
        return
    changed = _set(obj, path, replacement)
    try:
        parsed = proof_from_json(changed)
    except JsonFormatError:
        return
    assert verify(seed.pvk, public, parsed) is fuzz.same_proof(parsed, proof)


# -- binary parsers ---------------------------------------------------------------------------------

READERS = {"r1cs": (read_r1cs, R1CS_SPEC), "wtns": (read_wtns, WTNS_SPEC), "zkey": (read_zkey, ZKEY_SPEC),
           "ptau": (read_ptau, PTAU_SPEC)}


@pytest.fixture(scope="module")
def files():
    """Valid files of each kind, as the fuzz targets build them with zkwork's writers."""
    return {kind: TARGETS[kind].build()[0] for kind in READERS}


def read_bytes(tmp_path, kind, data):
    path = tmp_path / f"case.{kind}"
    path.write_bytes(data)
    return READERS[kind][0](path)


def test_seed_files_read_back(tmp_path, files):
    for kind, data in files.items():
        read_bytes(tmp_path, kind, data)
        assert assemble(kind, READERS[kind][1].version, _sections(data)) == data


@PROPERTY
@given(kind=st.sampled_from(sorted(READERS)), cut=st.integers(0, 10**7))
def test_every_truncation_is_a_format_error(tmp_path, files, kind, cut):
    data = files[kind]
    cut %= len(data)
    with pytest.raises(FormatError) as raised:
        read_bytes(tmp_path, kind, data[:cut])
    inside = [s for s in section_table(data) if s[2] < cut < s[2] + s[3]]
    if inside:  # cut inside a section's data: the error names that section
        assert raised.value.section is not None


@PROPERTY
@given(kind=st.sampled_from(sorted(READERS)), magic=st.binary(min_size=4, max_size=4),
       version=st.integers(0, 2**32 - 1))
def test_wrong_magic_and_version(tmp_path, files, kind, magic, version):
    data = files[kind]
    if magic != kind.encode():
        with pytest.raises(WrongMagicError):
            read_bytes(tmp_path, kind, magic + data[4:])
    if not 1 <= version <= READERS[kind][1].version:
        with pytest.raises(UnsupportedVersionError):
            read_bytes(tmp_path, kind, data[:4] + version.to_bytes(4, "little") + data[8:])


@PROPERTY
@given(kind=st.sampled_from(sorted(READERS)), which=st.integers(0, 100), extra=st.integers(1, 2**64))
def test_inflated_counts_are_refused_before_allocating(tmp_path, files, kind, which, extra):
    spec = READERS[kind][1]
    fields = [f for f in spec.counts if f.sizes_data]
    count_field = fields[which % len(fields)]
    data = files[kind]
    value = min(_count_value(data, count_field) + extra, 2 ** (8 * count_field.width) - 1)
    mutated = _with_count(data, spec, count_field, value)
    tracemalloc.start()
    try:
        with pytest.raises(FormatError):
            read_bytes(tmp_path, kind, mutated)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"{count_field.name} = {value}: {peak} bytes allocated"


@PROPERTY
@given(kind=st.sampled_from(sorted(READERS)), which=st.integers(0, 20))
def test_duplicated_sections_are_named(tmp_path, files, kind, which):
    data = files[kind]
    sections = _sections(data)
    section_type, body = sections[which % len(sections)]
    with pytest.raises(DuplicateSectionError) as raised:
        read_bytes(tmp_path, kind, assemble(kind, READERS[kind][1].version, sections + [(section_type, body)]))
    assert raised.value.section and f"({raised.value.section})" in str(raised.value)


@PROPERTY
@given(kind=st.sampled_from(sorted(READERS)), bits=st.lists(st.integers(96, 10**7), min_size=1, max_size=3))
def test_bit_flips_parse_or_raise_a_typed_error(tmp_path, files, kind, bits):
    data = bytearray(files[kind])
    for bit in bits:
        bit = 96 + bit % (8 * len(data) - 96)
        data[bit // 8] ^= 1 << (bit % 8)
    try:
        read_bytes(tmp_path, kind, bytes(data))
    except FormatError:
        pass


def test_json_text_cut_short_is_a_typed_error(tmp_path, seed):
    text = json.dumps(proof_to_json(seed.statements[0][1]))
    for cut in range(0, len(text) - 1, 7):
        (tmp_path / "p.json").write_text(text[:cut])
        with pytest.raises(JsonFormatError):
            read_json_as(tmp_path / "p.json", proof_from_json)


# -- the campaign -----------------------------------------------------------------------------------

CAMPAIGN_CASES = 200


@pytest.fixture(scope="module")
def campaign():
    return run_campaign(CAMPAIGN_CASES, seed=2024)


def campaign_row(campaign, target):
    return campaign.set_index("target").loc[target]


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_short_campaign_accepts_nothing_and_never_crashes(campaign, target):
    row = campaign_row(campaign, target)
    assert row.cases == CAMPAIGN_CASES and row.hangs == 0
    assert row.rejected + row.equivalent + row.variant + row.accepted + row.crashes == CAMPAIGN_CASES
    assert row.rejected > CAMPAIGN_CASES // 5  # the mutations do reach the checks
    assert row.crashes == 0 and row.accepted == 0, campaign.attrs["bad"].get(target)


def test_campaign_table_and_errors_by_type(campaign):
    assert list(campaign["target"]) == list(TARGETS)
    r1cs = campaign_row(campaign, "r1cs")
    assert {"TruncatedFileError", "WrongMagicError", "UnsupportedVersionError", "CountTooLargeError",
            "DuplicateSectionError", "MissingSectionError"} <= set(r1cs.errors)
    assert campaign_row(campaign, "zkey").equivalent >= 9  # sections swapped, an unknown section added
    text = fuzz.format_campaign(campaign)
    assert all(name in text for name in TARGETS) and "accepted" in text


def test_cases_are_reproducible(seed):
    target = TARGETS["verify"]
    first = [c.mutation for c in fuzz.cases_of(target, seed, 60, campaign_seed=5)]
    again = [c.mutation for c in fuzz.cases_of(target, seed, 60, campaign_seed=5)]
    other = [c.mutation for c in fuzz.cases_of(target, seed, 60, campaign_seed=6)]
    assert first == again and first != other


def test_new_targets_register_with_their_mutations():
    """The hooks for readers written elsewhere (.ptau, transcripts): a binary and a JSON
    target built from a spec, a seed and a reader."""
    binary = fuzz.binary_target("wtns-again", "the .wtns reader once more", WTNS_SPEC, TARGETS["wtns"].build,
                                read_wtns, lambda a, b: a == b)
    text = fuzz.json_target("public-again", "public.json without the verify stage", _public_seed,
                            _read_public, fuzz.PUBLIC_SPEC)
    try:
        wtns = fuzz.run_target(binary, 120, seed=3)
        public = fuzz.run_target(text, 40, seed=3)
    finally:
        del TARGETS["wtns-again"], TARGETS["public-again"]
    assert wtns.cases == 120 and wtns.outcomes["accepted"] == wtns.outcomes["crash"] == 0
    assert wtns.errors["WrongMagicError"] >= 4 and wtns.errors["DuplicateSectionError"] >= 2
    assert public.cases == 40 and public.outcomes["variant"] + public.outcomes["equivalent"] > 0
    assert public.outcomes["crash"] == public.outcomes["accepted"] == 0


@pytest.mark.slow
def test_longer_campaign():
    frame = run_campaign(2000, seed=7)
    for row in frame.itertuples():
        assert row.hangs == row.crashes == row.accepted == 0, (row.target, frame.attrs["bad"].get(row.target))


def test_cli_fuzz_exit_status(capsys):
    from zkwork.cli import main

    assert main(["audit", "--fuzz", "30", "--targets", "wtns", "zkey"]) == 0
    assert "wtns" in capsys.readouterr().out
    fuzz.register(fuzz.Target("crashes", "a reader that raises ValueError", lambda: None, lambda seed: [],
                              lambda seed, rng: fuzz.Case("anything", b""), lambda seed, case, scratch: int("x"),
                              lambda seed, case, value: "variant"))
    try:
        assert main(["audit", "--fuzz", "3", "--targets", "crashes", "--json"]) == 1
    finally:
        del TARGETS["crashes"]
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["target"] == "crashes" and rows[0]["crashes"] == 3 and rows[0]["crash_types"] == {"ValueError": 3}


# -- bugs found by fuzzing -----------------------------------------------------------------------------


def test_superscript_digit_in_json_is_a_typed_error(seed):
    obj = proof_to_json(seed.statements[0][1])
    obj["pi_a"][0] = "\u00b2"  # str.isdigit is true for it, int() refuses it
    with pytest.raises(JsonFormatError, match=r"pi_a\[0\]: expected a decimal string"):
        proof_from_json(obj)


def test_non_ascii_digits_are_refused():
    with pytest.raises(JsonFormatError, match=r"public\[0\]: expected a decimal string"):
        public_from_json(["\u0661\u0662"])  # Arabic-Indic digits, which int() reads as 12


def test_overlong_number_in_json_is_a_typed_error():
    with pytest.raises(JsonFormatError, match=r"public\[0\]: a number of 5000 digits is not below the group order"):
        public_from_json(["9" * 5000])  # int() refuses more than 4300 digits


def test_json_file_that_is_not_utf8_is_a_typed_error(tmp_path):
    (tmp_path / "proof.json").write_bytes(b'{"pi_a": "\xff"}')
    with pytest.raises(JsonFormatError, match="proof.json"):
        read_json_as(tmp_path / "proof.json", proof_from_json)


DEEP_READERS = """
import sys
from pathlib import Path
from zkwork.ceremony import PowersOfTau, Transcript
from zkwork.ceremony.files import read_phase1
from zkwork.ceremony.phase2_files import read_pattern
from zkwork.groth16.key_files import read_proving_key
from zkwork.groth16.snarkjs_json import read_json_as, proof_from_json
d = Path(sys.argv[1])
for path, read in ((d / "proof.json", lambda: read_json_as(d / "proof.json", proof_from_json)),
                   (d / "header.json", lambda: read_proving_key(d)), (d / "header.json", lambda: PowersOfTau.read(d)),
                   (d / "transcript.json", lambda: Transcript.read(d / "transcript.json")),
                   (d / "ceremony.json", lambda: read_phase1(d)), (d / "circuit.json", lambda: read_pattern(d))):
    try:
        read()
    except Exception as error:
        print(type(error).__name__, str(path) in str(error) and "nested deeper than 64" in str(error))
"""


def test_deeply_nested_json_is_a_typed_error_not_a_segfault(tmp_path):
    """py_ecc raises the recursion limit to 10^5 at import: json.loads of text nested 10^5
    deep overflowed the C stack (SIGSEGV). Every zkwork reader of a JSON file now refuses
    it first, with its typed error naming the file."""
    # proof.json and a phase-1 header.json may hold 64 KiB and 4 KiB (larger ones are refused
    # by size, unread): 4,000 levels fit and still exercise the depth check.
    for name, depth in (("proof.json", 4000), ("header.json", 4000), ("transcript.json", 100_000),
                        ("ceremony.json", 100_000), ("circuit.json", 100_000)):
        (tmp_path / name).write_text("[" * depth)
    done = subprocess.run([sys.executable, "-c", DEEP_READERS, str(tmp_path)], capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split("\n")[:-1] == [f"{error} True" for error in (
        "JsonFormatError", "KeyFormatError", "PowersFileError", "TranscriptFormatError", "CeremonyStateError",
        "KeyFormatError")]


@pytest.fixture
def key_dir(tmp_path):
    from zkwork.groth16.key_files import write_proving_key

    write_proving_key(groth16_seed().pk, tmp_path / "pk")
    return tmp_path / "pk"


def test_proving_key_header_with_an_infinite_count_is_a_typed_error(key_dir):
    from zkwork.groth16.key_files import read_proving_key

    header = json.loads((key_dir / "header.json").read_text())
    (key_dir / "header.json").write_text(json.dumps({**header, "num_wires": float("inf")}))  # int(inf): OverflowError
    with pytest.raises(KeyFormatError, match=r"num_wires: expected an int in \[0, \d+\], got inf"):
        read_proving_key(key_dir)


def test_proving_key_header_that_is_not_utf8_is_a_typed_error(key_dir):
    from zkwork.groth16.key_files import read_proving_key

    (key_dir / "header.json").write_bytes(b"\xff" + (key_dir / "header.json").read_bytes())
    with pytest.raises(KeyFormatError, match="header.json: 'utf-8' codec can't decode"):
        read_proving_key(key_dir)


def test_proving_key_header_with_a_boolean_version_is_refused(key_dir):
    from zkwork.groth16.key_files import read_proving_key

    header = json.loads((key_dir / "header.json").read_text())
    (key_dir / "header.json").write_text(json.dumps({**header, "version": True}))  # True == 1 in Python
    with pytest.raises(KeyFormatError, match=r"version: expected an int in \[0, \d+\], got True"):
        read_proving_key(key_dir)


def test_empty_npy_file_is_a_typed_error(key_dir):
    from zkwork.groth16.key_files import read_proving_key

    (key_dir / "a_query.npy").write_bytes(b"")  # np.load raises EOFError
    with pytest.raises(KeyFormatError, match="a_query.npy"):
        read_proving_key(key_dir)


def test_sym_file_that_is_not_utf8_is_a_typed_error(tmp_path, files):
    (tmp_path / "c.r1cs").write_bytes(files["r1cs"])
    (tmp_path / "c.sym").write_bytes(b"1,1,0,main.x\n2,2,0,main.\xff\n")
    with pytest.raises(FormatError, match=r"c\.sym: line 2 is not UTF-8") as raised:
        read_r1cs(tmp_path / "c.r1cs", tmp_path / "c.sym")
    assert raised.value.section == "sym"


@pytest.mark.parametrize("bad", ["one", "three", "none"])
def test_verify_batch_with_a_malformed_statement_answers_false(seed, bad):
    public, proof = seed.statements[0]
    statement = {"one": (public,), "three": (public, proof, proof), "none": None}[bad]
    assert verify_batch(seed.pvk, [seed.statements[1], statement]) is False


def test_verify_batch_of_something_that_is_not_a_batch_answers_false(seed):
    assert verify_batch(seed.pvk, None) is False
    assert verify_batch(seed.pvk, 5) is False


def test_transcript_with_a_boolean_or_float_version_is_refused():
    from zkwork.ceremony import Transcript, TranscriptFormatError

    obj = TARGETS["transcript"].build()[1]
    for version in (True, 1.0):  # both == 1 in Python
        with pytest.raises(TranscriptFormatError, match="transcript.version"):
            Transcript.from_json({**obj, "version": version})


def test_a_count_mutation_changes_the_count_even_when_it_wraps_around():
    """Campaign seed 11, .ptau case 1423 drew the one-byte name length 19 + 256: back at 19
    after the wrap-around, an unchanged file that a must-reject case counted as accepted."""
    seed = TARGETS["ptau"].build()
    case = TARGETS["ptau"].mutate(seed, random.Random("11/ptau/1423"))
    count_field = next(f for f in PTAU_SPEC.counts if case.mutation.startswith(f.name + " :="))
    assert case.must_reject and count_field.width == 1
    assert _count_value(case.value, count_field) != _count_value(seed[0], count_field)


def test_free_keys_and_free_lists_take_a_new_value_of_their_type():
    """What TRANSCRIPT_SPEC calls free, the reader does take: a mutation there is no must-reject."""
    from zkwork.ceremony import Transcript

    spec, obj = fuzz.TRANSCRIPT_SPEC, TARGETS["transcript"].build()[1]
    replacements = {int: 1, float: 1, str: ""}
    free = [path for path in _paths(obj) if path and path[-1] in spec.free_keys]
    assert {path[-1] for path in free} == set(spec.free_keys)
    for path in free:
        node = _get(obj, path)
        value = replacements[type(node)]
        assert _well_formed_replacement(spec, path, node, value)
        Transcript.from_json(_set(obj, path, value))
        assert not _well_formed_replacement(spec, path, node, True)
    assert _well_formed_replacement(spec, ("records",), obj["records"], [])
    assert not _well_formed_replacement(spec, ("records",), obj["records"], [obj["records"]])
    assert not _well_formed_replacement(spec, ("initial_digest",), obj["initial_digest"], "")
    assert _well_formed_replacement(fuzz.PUBLIC_SPEC, (), ["1"], [])


def test_g1_generator_off_curve_helper_is_off_the_curve():
    """The off-curve points the tests build are what they claim."""
    g = G1Point.generator()
    x, y = g._affine_elements()
    assert not G1Point._wrap(G1Point.curve.jacobian(x, y + 1)).is_on_curve()
    off = groth16_seed().off_subgroup_g2
    assert off.is_on_curve() and not off.is_in_subgroup()
