"""circom's and snarkjs's binary files (zkwork.formats): .r1cs and .wtns round trips through
zkwork and through snarkjs (`r1cs info`, `wtns check`, `wtns export json`), circom-compiled
.r1cs files against zkwork's pattern R1CS, a .zkey round trip on a key made of zkwork points,
and malformed files of each kind raising the typed error that names the section.
"""
import json
import re

import numpy as np
import pytest
from node_tools import ROOT, run_node_tool

from zkwork.curve import G1Point, G2Point, g1_affine_array, g2_affine_array
from zkwork.errors import (
    CountTooLargeError,
    DuplicateSectionError,
    FormatError,
    InvalidValueError,
    MissingSectionError,
    SectionSizeError,
    TruncatedFileError,
    UnsupportedProtocolError,
    UnsupportedVersionError,
    WrongFieldError,
    WrongMagicError,
)
from zkwork.field import FR, FieldVector, P, R
from zkwork.formats import r1cs_info, read_r1cs, read_wtns, read_zkey, write_r1cs, write_wtns, write_zkey
from zkwork.formats.binfile import read_bin_file, write_bin_file
from zkwork.formats.zkey_file import COEFFICIENT, ZKey
from zkwork.groth16 import VerifyingKey
from zkwork.patterns import get_pattern
from zkwork.r1cs import solve

EXPECTED_COUNTS = json.loads((ROOT / "circuits" / "expected_counts.json").read_text())["circuits"]
PATTERNS = {
    "membership_reference_d4": ("membership", "reference", {"depth": 4}),
    "version_hardened": ("version", "hardened", {}),
    "structure_hardened_k4": ("structure", "hardened", {"components": 4}),
    "selective_reveal_reference_f4": ("selective_reveal", "reference", {"fields": 4}),
    "locker_reference_l3": ("locker", "reference", {"depth": 3}),
}


def pattern_of(name):
    pattern, variant, params = PATTERNS[name]
    return get_pattern(pattern, variant, **params)


def cube_plus(cs):
    """out = y^3 + x with y^2 = x: one output, one public and one private input."""
    x = cs.public_input("x")
    y = cs.private_input("y")
    cs.assert_equal(y * y, x, "square")
    cs.public_output("out", y * y * y + x)


def assert_same_system(read, original):
    assert (read.A, read.B, read.C) == (original.A, original.B, original.C)
    assert (read.num_wires, read.num_outputs, read.num_public_inputs, read.num_private_inputs) == (
        original.num_wires, original.num_outputs, original.num_public_inputs, original.num_private_inputs)


# -- round trips through zkwork --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_r1cs_round_trip(tmp_path, name):
    r1cs = pattern_of(name).build()
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    read = read_r1cs(tmp_path / "c.r1cs")
    assert_same_system(read, r1cs)
    assert read.labels == [f"constraint {i}" for i in range(r1cs.num_constraints)]
    stats = r1cs.stats()
    assert r1cs_info(tmp_path / "c.r1cs") == {
        "curve": "bn128", "wires": stats["wires"], "constraints": stats["constraints"],
        "outputs": stats["public_outputs"], "public_inputs": stats["public_inputs"],
        "private_inputs": stats["private_inputs"], "labels": stats["wires"],
    }


def test_r1cs_reader_ignores_custom_gate_sections(tmp_path):
    r1cs, _ = solve(cube_plus, {"x": 9, "y": 3})
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    sections = raw_sections(tmp_path / "c.r1cs", "r1cs", 1)
    write_bin_file(tmp_path / "gates.r1cs", "r1cs", 1, sections + [[4, b"\0" * 4], [5, b"\0" * 4]])
    assert_same_system(read_r1cs(tmp_path / "gates.r1cs"), r1cs)


def test_wtns_round_trip(tmp_path):
    _, witness = pattern_of("membership_reference_d4").solve(pattern_of("membership_reference_d4").sample_inputs())
    values = witness + [0, R - 1]
    write_wtns(values, tmp_path / "w.wtns")
    assert read_wtns(tmp_path / "w.wtns") == values
    write_wtns([], tmp_path / "empty.wtns")
    assert read_wtns(tmp_path / "empty.wtns") == []


def test_wtns_writer_refuses_values_outside_fr(tmp_path):
    with pytest.raises(InvalidValueError, match="witness value 1"):
        write_wtns([1, R], tmp_path / "w.wtns")


def toy_zkey():
    """A structurally valid zkey of zkwork points (not a working key): 4 wires, 1 public."""
    g1, g2 = G1Point.generator(), G2Point.generator()
    coefficients = np.zeros(3, dtype=COEFFICIENT)
    coefficients["matrix"] = [0, 1, 0]
    coefficients["constraint"] = [0, 0, 3]
    coefficients["signal"] = [2, 3, 1]
    coefficients["value"] = FieldVector.from_ints(FR, [1, 5, R - 1]).mont
    return ZKey(
        num_vars=4, domain_size=4,
        vk=VerifyingKey(alpha_1=g1 * 3, beta_2=g2 * 5, gamma_2=g2 * 7, delta_2=g2 * 11, ic=(g1 * 13, g1 * 17)),
        beta_1=g1 * 5, delta_1=g1 * 11, coefficients=coefficients,
        a_query=g1_affine_array([g1 * k for k in (2, 3, 4, 5)]),
        b1_query=g1_affine_array([g1 * k for k in (6, 7, 8, 9)]),
        b2_query=g2_affine_array([g2 * k for k in (6, 7, 8, 9)]),
        c_query=g1_affine_array([g1 * 19, G1Point.infinity()]),
        h_query=g1_affine_array([g1 * k for k in (23, 29, 31, 37)]),
        contributions=b"a ceremony transcript",
    )


def assert_same_zkey(read, original):
    for name in ("num_vars", "domain_size", "vk", "beta_1", "delta_1", "contributions"):
        assert getattr(read, name) == getattr(original, name), name
    for name in ("coefficients", "a_query", "b1_query", "b2_query", "c_query", "h_query"):
        assert np.array_equal(getattr(read, name), getattr(original, name)), name


def test_zkey_round_trip(tmp_path):
    zkey = toy_zkey()
    write_zkey(zkey, tmp_path / "k.zkey")
    read = read_zkey(tmp_path / "k.zkey")
    assert_same_zkey(read, zkey)
    write_zkey(read, tmp_path / "again.zkey")
    assert (tmp_path / "again.zkey").read_bytes() == (tmp_path / "k.zkey").read_bytes()
    a = read.matrix("A")
    assert a.indptr.tolist() == [0, 1, 1, 1, 2] and a.indices.tolist() == [2, 1]
    assert FieldVector(FR, a.coeffs).to_ints() == [1, R - 1]


# -- malformed files ---------------------------------------------------------------------------


def raw_sections(path, kind, version):
    """[type, bytearray] of every section, in file order (for building malformed files)."""
    binfile = read_bin_file(path, kind, version, {})
    return [[t, bytearray(data)] for t, views in binfile.sections.items() for data in views]


def body(sections, section_type):
    return next(data for t, data in sections if t == section_type)


def put(data, offset, value, size=4):
    data[offset : offset + size] = value.to_bytes(size, "little")


def grown(sections, section_type, extra=b"\0\0\0\0"):
    body(sections, section_type).extend(extra)


def shrunk(sections, section_type, size):
    del body(sections, section_type)[-size:]


def without(sections, section_type):
    sections[:] = [s for s in sections if s[0] != section_type]


def duplicated(sections, section_type):
    sections.append([section_type, body(sections, section_type)])


# r1cs header: n8 @0, prime @4, nWires @36, nPubOut @40, nPubIn @44, nPrvIn @48, nLabels @52,
# nConstraints @60; constraints: nTerms of the first A @0, its wire @4, its coefficient @8.
R1CS_CASES = {
    "header too long": (lambda s: grown(s, 1), SectionSizeError, "header"),
    "header too short": (lambda s: shrunk(s, 1, 4), SectionSizeError, "header"),
    "constraints too long": (lambda s: grown(s, 2), SectionSizeError, "constraints"),
    "nConstraints too large": (lambda s: put(body(s, 1), 60, 2**32 - 1), CountTooLargeError, "constraints"),
    "nWires too large": (lambda s: put(body(s, 1), 36, 2**32 - 1), CountTooLargeError, "wire map"),
    "nTerms too large": (lambda s: put(body(s, 2), 0, 2**31), CountTooLargeError, "constraints"),
    "wire out of range": (lambda s: put(body(s, 2), 4, 10**6), InvalidValueError, "constraints"),
    "coefficient >= r": (lambda s: put(body(s, 2), 8, R, 32), InvalidValueError, "constraints"),
    "label out of range": (lambda s: put(body(s, 3), 0, 2**40, 8), InvalidValueError, "wire map"),
    "too few wires": (lambda s: put(body(s, 1), 48, 10), InvalidValueError, "header"),
    "prime of Fq": (lambda s: put(body(s, 1), 4, P, 32), WrongFieldError, "header"),
    "48-byte elements": (lambda s: put(body(s, 1), 0, 48), WrongFieldError, "header"),
    "header twice": (lambda s: duplicated(s, 1), DuplicateSectionError, "header"),
    "no constraints": (lambda s: without(s, 2), MissingSectionError, "constraints"),
    "no wire map": (lambda s: without(s, 3), MissingSectionError, "wire map"),
}
# wtns header: n8 @0, prime @4, nWitness @36.
WTNS_CASES = {
    "nWitness too large": (lambda s: put(body(s, 1), 36, 2**32 - 1), CountTooLargeError, "witness values"),
    "values too long": (lambda s: grown(s, 2, b"\0" * 32), SectionSizeError, "witness values"),
    "value >= r": (lambda s: put(body(s, 2), 32, R, 32), InvalidValueError, "witness values"),
    "prime of Fq": (lambda s: put(body(s, 1), 4, P, 32), WrongFieldError, "header"),
    "no header": (lambda s: without(s, 1), MissingSectionError, "header"),
    "values twice": (lambda s: duplicated(s, 2), DuplicateSectionError, "witness values"),
}
# zkey groth16 header: n8q @0, q @4, n8r @36, r @40, nVars @72, nPublic @76, domainSize @80,
# alpha_1 @84; coefficients: nCoefs @0, the first record's signal @12.
ZKEY_CASES = {
    "PLONK": (lambda s: put(body(s, 1), 0, 2), UnsupportedProtocolError, "header"),
    "q of another curve": (lambda s: put(body(s, 2), 4, P + 2, 32), WrongFieldError, "groth16 header"),
    "r of another curve": (lambda s: put(body(s, 2), 40, R + 2, 32), WrongFieldError, "groth16 header"),
    "alpha_1 off the curve": (lambda s: put(body(s, 2), 84, 5, 8), InvalidValueError, "groth16 header"),
    "domain not a power of two": (lambda s: put(body(s, 2), 80, 6), InvalidValueError, "groth16 header"),
    "nPublic too large": (lambda s: put(body(s, 2), 76, 2), CountTooLargeError, "IC"),
    "nCoefs too large": (lambda s: put(body(s, 4), 0, 2**32 - 1), CountTooLargeError, "coefficients"),
    "signal out of range": (lambda s: put(body(s, 4), 12, 4), InvalidValueError, "coefficients"),
    "nVars too large": (lambda s: put(body(s, 2), 72, 2**20), CountTooLargeError, "points A"),
    "H one point short": (lambda s: shrunk(s, 9, 64), CountTooLargeError, "points H"),
    "H one point long": (lambda s: grown(s, 9, b"\0" * 64), SectionSizeError, "points H"),
    "coordinate >= q": (lambda s: put(body(s, 7), 0, P, 32), InvalidValueError, "points B2"),
    "A twice": (lambda s: duplicated(s, 5), DuplicateSectionError, "points A"),
    "no H": (lambda s: without(s, 9), MissingSectionError, "points H"),
}
READERS = {"r1cs": (read_r1cs, 1), "wtns": (read_wtns, 2), "zkey": (read_zkey, 1)}


@pytest.fixture
def valid_files(tmp_path):
    """A valid file of each kind: cube_plus's R1CS and witness, and the toy zkey."""
    r1cs, witness = solve(cube_plus, {"x": 9, "y": 3})
    write_r1cs(r1cs, tmp_path / "valid.r1cs")
    write_wtns(witness, tmp_path / "valid.wtns")
    write_zkey(toy_zkey(), tmp_path / "valid.zkey")
    return {kind: tmp_path / f"valid.{kind}" for kind in READERS}


@pytest.mark.parametrize("kind, case", [
    *(("r1cs", case) for case in R1CS_CASES), *(("wtns", case) for case in WTNS_CASES),
    *(("zkey", case) for case in ZKEY_CASES),
])
def test_malformed_sections_raise_the_typed_error_naming_the_section(tmp_path, valid_files, kind, case):
    edit, error, section = {"r1cs": R1CS_CASES, "wtns": WTNS_CASES, "zkey": ZKEY_CASES}[kind][case]
    read, version = READERS[kind]
    sections = raw_sections(valid_files[kind], kind, version)
    edit(sections)
    write_bin_file(tmp_path / f"bad.{kind}", kind, version, sections)
    with pytest.raises(error) as raised:
        read(tmp_path / f"bad.{kind}")
    assert raised.value.section == section
    assert f"({section})" in str(raised.value) and "bad." in str(raised.value)


@pytest.mark.parametrize("kind", sorted(READERS))
def test_malformed_containers(tmp_path, valid_files, kind):
    read, version = READERS[kind]
    data = valid_files[kind].read_bytes()
    bad = tmp_path / f"bad.{kind}"
    for content, error in [
        (data[:-1], TruncatedFileError), (data[:30], TruncatedFileError), (data[:7], TruncatedFileError),
        (b"ptau" + data[4:], WrongMagicError), (data[:4] + (version + 1).to_bytes(4, "little") + data[8:],
                                                UnsupportedVersionError),
        (data + b"\0", SectionSizeError),
    ]:
        bad.write_bytes(content)
        with pytest.raises(error, match="bad"):
            read(bad)
    bad.write_bytes(data[:-1])
    with pytest.raises(TruncatedFileError) as raised:
        read(bad)
    assert raised.value.section is not None  # the last section is the one cut short


def test_sym_file_errors_name_the_line(tmp_path, valid_files):
    (tmp_path / "c.sym").write_text("1,1,0,main.out\nnot a line\n")
    with pytest.raises(FormatError, match="line 2"):
        read_r1cs(valid_files["r1cs"], tmp_path / "c.sym")
    (tmp_path / "c.sym").write_text("1,99,0,main.out\n")
    with pytest.raises(InvalidValueError, match="wire 99"):
        read_r1cs(valid_files["r1cs"], tmp_path / "c.sym")


# -- with snarkjs and circom ---------------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SNARKJS_INFO = {"wires": "Wires", "constraints": "Constraints", "private_inputs": "Private Inputs",
                "public_inputs": "Public Inputs", "labels": "Labels", "outputs": "Outputs"}


def snarkjs_r1cs_info(path):
    text = ANSI.sub("", run_node_tool("snarkjs", "r1cs", "info", path).stdout)
    assert "Curve: bn-128" in text
    return {key: int(re.search(rf"# of {label}: (\d+)", text).group(1)) for key, label in SNARKJS_INFO.items()}


def input_json(inputs, path):
    """Circuit inputs as snarkjs reads them: decimal strings."""
    def strings(value):
        return [strings(v) for v in value] if isinstance(value, list) else str(value)

    path.write_text(json.dumps({name: strings(value) for name, value in inputs.items()}))
    return path


@pytest.mark.node
@pytest.mark.parametrize("name", ["membership_reference_d4", "selective_reveal_reference_f4", "locker_reference_l3"])
def test_snarkjs_reads_zkwork_r1cs_with_the_same_counts(tmp_path, name):
    r1cs = pattern_of(name).build()
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    info = snarkjs_r1cs_info(tmp_path / "c.r1cs")
    stats = r1cs.stats()
    assert info == {"wires": stats["wires"], "constraints": stats["constraints"],
                    "private_inputs": stats["private_inputs"], "public_inputs": stats["public_inputs"],
                    "labels": stats["wires"], "outputs": stats["public_outputs"]}


@pytest.mark.node
def test_snarkjs_checks_zkwork_witness_against_zkwork_r1cs(tmp_path):
    pattern = pattern_of("structure_hardened_k4")
    r1cs, witness = pattern.solve(pattern.sample_inputs())
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    write_wtns(witness, tmp_path / "w.wtns")
    check = run_node_tool("snarkjs", "wtns", "check", tmp_path / "c.r1cs", tmp_path / "w.wtns")
    assert "WITNESS IS CORRECT" in ANSI.sub("", check.stdout)
    run_node_tool("snarkjs", "wtns", "export", "json", tmp_path / "w.wtns", tmp_path / "w.json")
    assert [int(v) for v in json.loads((tmp_path / "w.json").read_text())] == witness
    tampered = list(witness)
    tampered[-1] = (tampered[-1] + 1) % R
    write_wtns(tampered, tmp_path / "bad.wtns")
    refused = run_node_tool("snarkjs", "wtns", "check", tmp_path / "c.r1cs", tmp_path / "bad.wtns", check=False)
    assert "WITNESS IS CORRECT" not in ANSI.sub("", refused.stdout + refused.stderr)


@pytest.fixture(scope="module")
def circom_builds(tmp_path_factory):
    """compile(name) -> (build dir, stem): circom2 --O2 --r1cs --wasm --sym, once per circuit."""
    root, done = tmp_path_factory.mktemp("circom_formats"), {}

    def compile_circuit(name):
        if name not in done:
            out = root / name
            out.mkdir()
            run_node_tool("circom2", ROOT / "circuits" / "main" / f"{name}.circom", "--O2", "--r1cs", "--wasm",
                          "--sym", "-l", ROOT / "node_modules", "-o", out)
            done[name] = out
        return done[name]

    return compile_circuit


@pytest.mark.node
@pytest.mark.parametrize("name", ["membership_reference_d4", "structure_hardened_k4"])
def test_circom_r1cs_matches_the_pattern_and_snarkjs_witness(tmp_path, circom_builds, name):
    build = circom_builds(name)
    pattern = pattern_of(name)
    zkwork_r1cs = pattern.build()
    circom_r1cs = read_r1cs(build / f"{name}.r1cs", build / f"{name}.sym")
    expected = EXPECTED_COUNTS[name]
    for attr, key in (("num_constraints", "constraints"), ("num_wires", "wires"), ("num_outputs", "public_outputs"),
                      ("num_public_inputs", "public_inputs")):
        assert getattr(circom_r1cs, attr) == getattr(zkwork_r1cs, attr) == expected[key], attr
    # circom's header counts every declared private input, zkwork those left as wires by --O2
    assert circom_r1cs.num_private_inputs == expected["private_inputs"]
    assert zkwork_r1cs.num_private_inputs == expected["private_inputs_in_witness"]
    info = snarkjs_r1cs_info(build / f"{name}.r1cs")
    assert {k: v for k, v in r1cs_info(build / f"{name}.r1cs").items() if k != "curve"} == info
    assert info["labels"] == expected["labels"]
    # names come from the .sym file: the public signals keep their declared names
    public = slice(1, 1 + circom_r1cs.num_public)
    assert all(n.startswith("main/") for n in circom_r1cs.wire_names[public])
    assert [n.split("/")[-1] for n in circom_r1cs.wire_names[public]] == [
        n.split("/")[-1] for n in zkwork_r1cs.wire_names[public]]
    assert circom_r1cs.budget(2)["constraints"].sum() == circom_r1cs.num_constraints

    inputs = pattern.sample_inputs()
    wasm = build / f"{name}_js" / f"{name}.wasm"
    run_node_tool("snarkjs", "wtns", "calculate", wasm, input_json(inputs, tmp_path / "in.json"), tmp_path / "w.wtns")
    witness = read_wtns(tmp_path / "w.wtns")
    run_node_tool("snarkjs", "wtns", "export", "json", tmp_path / "w.wtns", tmp_path / "w.json")
    assert witness == [int(v) for v in json.loads((tmp_path / "w.json").read_text())]
    circom_r1cs.assert_satisfied(witness)
    assert circom_r1cs.public_signals(witness) == pattern.expected_public(inputs)
    _, zkwork_witness = pattern.solve(inputs)
    assert zkwork_r1cs.public_signals(zkwork_witness) == circom_r1cs.public_signals(witness)
    witness[-1] = (witness[-1] + 1) % R
    assert not circom_r1cs.is_satisfied(witness)
