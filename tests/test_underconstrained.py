"""Under-constraint analysis (zkwork.audit.underconstrained, `zkwork audit PATTERN|FILE.r1cs`):
the hardened patterns come out without errors, the reference ones show the weaknesses of
patterns.md that structure can show (the second witnesses are confirmed independently by
the pattern's own witness generator), hand-made circuits with a free signal, an unused
signal and a non-boolean selector are caught and named by label, and `zkwork audit
--structural` exits 1 on errors and 0 when clean (the verdicts of `zkwork audit` without it:
tests/test_audit_decide.py)."""
import json

import pytest

from zkwork.audit.pattern_audit import NOT_STRUCTURAL, audit_file, audit_pattern
from zkwork.audit.underconstrained import (
    AuditInputError,
    audit_r1cs,
    occurrences,
    occurs_linearly,
    wire_kinds,
)
from zkwork.cli import main
from zkwork.field import R
from zkwork.formats import write_r1cs, write_wtns
from zkwork.gadgets.bits import switcher
from zkwork.patterns import PATTERNS, get_pattern
from zkwork.r1cs import WireKind, build, solve


def small(name, variant):
    cls = PATTERNS[name]
    return get_pattern(name, variant, **cls.small_params())


@pytest.fixture(scope="module")
def reports():
    """The report of every pattern and variant at its small size, computed once."""
    return {(name, variant): audit_pattern(small(name, variant))
            for name in PATTERNS for variant in ("reference", "hardened")}


def by_kind(report, kind):
    return [f for f in report.findings if f.kind == kind]


# -- the five patterns ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_hardened_patterns_have_no_errors(reports, name):
    report = reports[(name, "hardened")]
    assert report.errors == [], report.format()
    assert all(f.severity in ("warning", "info") for f in report.findings)
    assert not report.documented  # the weaknesses are fixed: nothing to look for


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_reference_patterns_show_each_structural_weakness(reports, name):
    report = reports[(name, "reference")]
    assert report.documented, "every pattern has documented weaknesses"
    for item in report.documented:
        if item["shown"] is None:
            assert item["status"].startswith(NOT_STRUCTURAL)
        else:
            assert item["shown"], item


def test_membership_reference_direction_bits_are_not_boolean(reports):
    """A random direction bit passes: confirmed by the pattern's own witness generator, and
    the same bit fails the hardened circuit's constraints."""
    report = reports[("membership", "reference")]
    selectors = by_kind(report, "unconfined-selector")
    assert [f.signal for f in selectors] == [f"membership/pathIndices[{i}]" for i in range(4)]
    for i, finding in enumerate(selectors):
        assert finding.severity == "error"
        assert finding.constraint == f"membership/level[{i}]/swap/left"
        assert finding.outputs == ("membership/root",) and finding.value not in (0, 1)
    pattern = small("membership", "reference")
    inputs = pattern.sample_inputs()
    inputs["pathIndices"] = [selectors[0].value] + inputs["pathIndices"][1:]
    r1cs, witness = pattern.solve(inputs, check=False)
    assert r1cs.is_satisfied(witness)
    hardened = small("membership", "hardened")
    hardened_inputs = hardened.sample_inputs()
    hardened_inputs["pathIndices"] = inputs["pathIndices"]
    r1cs, witness = hardened.solve(hardened_inputs, check=False)
    assert not r1cs.is_satisfied(witness)
    assert "direction_boolean" in r1cs.is_satisfied(witness).label


def test_structure_reference_lengths_accept_any_nonzero_value(reports):
    report = reports[("structure", "reference")]
    unconfined = by_kind(report, "unconfined-input")
    assert [f.signal for f in unconfined] == [f"structure/componentLengths[{i}]" for i in range(4)]
    assert all(f.severity == "warning" for f in unconfined)  # structure cannot tell it from a mux branch
    pattern = small("structure", "reference")
    inputs = pattern.sample_inputs()
    expected = pattern.expected_public(inputs)
    inputs["componentLengths"] = [unconfined[0].value] + inputs["componentLengths"][1:]
    r1cs, witness = pattern.solve(inputs, check=False)
    assert r1cs.is_satisfied(witness)
    assert r1cs.public_signals(witness) == expected  # nothing public changed
    assert unconfined[0].value >= 256  # not a byte length


def test_selective_reveal_and_version_reference_outputs_are_prover_chosen(reports):
    reveal = by_kind(reports[("selective_reveal", "reference")], "prover-chosen-output")
    hidden = [f.signal for f in reveal if "fieldValues" in f.signal]
    # the sample reveals country and city (fields 0 and 2): the hidden ones are free
    assert hidden == ["selective_reveal/fieldValues[1]", "selective_reveal/fieldValues[3]"]
    assert all(f.outputs == ("selective_reveal/fullCommitment",) for f in reveal if f.signal in hidden)
    assert not by_kind(reports[("selective_reveal", "hardened")], "prover-chosen-output")
    version = [f.signal for f in by_kind(reports[("version", "reference")], "prover-chosen-output")]
    assert "version/userSecret" in version
    hardened = [f.signal for f in by_kind(reports[("version", "hardened")], "prover-chosen-output")]
    assert hardened == ["version/migrationNonce"]  # the secret is pinned by the identity commitment


def test_notes_and_summary(reports):
    report = reports[("locker", "hardened")]
    assert any("second-witness search" in note for note in report.notes)
    assert report.summary["constraints"].sum() == report.stats["constraints"]
    assert sum(report.summary[s].sum() for s in ("error", "warning", "info")) == len(report.findings)
    dead = by_kind(report, "free-linear-internal")
    assert [(f.signal, f.constraint) for f in dead] == [("locker/challenge/square", "locker/challenge/square")]


# -- hand-made systems ------------------------------------------------------------------------------


def free_hint(cs):
    """out = x * y + h with h a hint nothing else constrains: out is the prover's choice."""
    x = cs.public_input("x")
    y = cs.private_input("y")
    h = cs.hint("h", lambda: 5)
    cs.public_output("out", cs.mul(x, y, "xy") + h)


def unused(cs):
    """A public and a private input that no constraint uses, and a hint left alone."""
    x = cs.public_input("x")
    cs.public_input("ignored")
    y = cs.private_input("y")
    cs.private_input("forgotten")
    cs.hint("loose", lambda: 1)
    cs.public_output("out", x * y)


def mux(cs, boolean=False):
    """out = bit ? b : a through a switcher, its bit checked only with `boolean`."""
    a, b = cs.private_input("a"), cs.private_input("b")
    bit = cs.private_input("bit")
    if boolean:
        cs.assert_boolean(bit, "bit_boolean")
    with cs.namespace("mux"):
        left, _ = switcher(cs, bit, a, b)
    cs.public_output("out", left)


def test_free_hint_makes_the_output_undetermined():
    r1cs, witness = solve(free_hint, {"x": 3, "y": 4}, simplify=False)
    report = audit_r1cs(r1cs, witness)
    undetermined = by_kind(report, "undetermined-output")
    assert {f.signal for f in undetermined} == {"out", "h"}
    assert all(f.severity == "error" and f.outputs == ("out",) for f in undetermined)
    free = by_kind(report, "free-linear-internal")
    assert [(f.signal, f.constraint) for f in free] == [("h", "out")]
    # the second witness is real: rebuild it from the finding and check it independently
    h_wire = r1cs.wire_names.index("h")
    second = list(witness)
    second[h_wire] = next(f.value for f in undetermined if f.signal == "h")
    second[r1cs.wire_names.index("out")] = (3 * 4 + second[h_wire]) % R
    assert r1cs.is_satisfied(second) and second != witness


def test_unused_inputs_are_errors_and_unused_internals_notes():
    r1cs, witness = solve(unused, {"x": 3, "ignored": 7, "y": 4, "forgotten": 9}, simplify=False)
    report = audit_r1cs(r1cs, witness)
    assert {(f.signal, f.severity) for f in by_kind(report, "unused-input")} == {
        ("ignored", "error"), ("forgotten", "error")}
    assert [(f.signal, f.severity) for f in by_kind(report, "unused-internal")] == [("loose", "info")]
    # with --O2-style elimination the private input goes, the public one stays and is reported
    simplified = audit_r1cs(build(unused))
    assert [f.signal for f in by_kind(simplified, "unused-input")] == ["ignored"]
    assert any("skipped" in note for note in simplified.notes)


@pytest.mark.parametrize("boolean", [False, True])
def test_a_selector_without_boolean_check_has_a_non_boolean_second_witness(boolean):
    r1cs, witness = solve(lambda cs: mux(cs, boolean), {"a": 10, "b": 20, "bit": 1})
    report = audit_r1cs(r1cs, witness, title="mux")
    selectors = by_kind(report, "unconfined-selector")
    if boolean:
        assert report.errors == []
        # with bit = 1 the unselected input a is free in this witness: a warning, not an error
        assert [(f.signal, f.severity) for f in report.findings if f.kind == "unconfined-input"] == [("a", "warning")]
        return
    assert [(f.signal, f.constraint, f.outputs) for f in selectors] == [("bit", "mux/switcher/select", ("out",))]
    bit = selectors[0].value
    assert bit not in (0, 1)
    # the output of the second witness is a + bit (b - a), neither a nor b
    other = list(witness)
    other[r1cs.wire_names.index("bit")] = bit
    out = (10 + bit * (20 - 10)) % R
    other[r1cs.wire_names.index("out")] = out
    for wire, name in enumerate(r1cs.wire_names):
        if name == "mux/switcher/select":
            other[wire] = bit * 10 % R
    assert r1cs.is_satisfied(other) and out not in (10, 20)


def test_structure_helpers():
    r1cs = build(free_hint, simplify=False)
    kinds = wire_kinds(r1cs)
    assert kinds[0] == WireKind.ONE and kinds[1] == WireKind.OUTPUT and kinds[2] == WireKind.PUBLIC
    assert kinds[3] == WireKind.PRIVATE and kinds[-1] == WireKind.INTERNAL
    occ = occurrences(r1cs)
    h = r1cs.wire_names.index("h")
    assert len(occ[h]) == 1 and occurs_linearly(r1cs, occ[h][0], h)
    x = r1cs.wire_names.index("x")
    assert not occurs_linearly(r1cs, r1cs.labels.index("xy"), x)  # x * y: x is a factor


def test_a_witness_that_does_not_fit_is_refused():
    r1cs, witness = solve(free_hint, {"x": 3, "y": 4}, simplify=False)
    with pytest.raises(AuditInputError, match="wires"):
        audit_r1cs(r1cs, witness[:-1])
    bad = list(witness)
    bad[-1] += 1
    with pytest.raises(AuditInputError, match="does not satisfy"):
        audit_r1cs(r1cs, bad)


# -- files and the command line -----------------------------------------------------------------------


@pytest.fixture
def mux_files(tmp_path):
    """The unchecked mux as .r1cs, .wtns and a circom-style .sym."""
    r1cs, witness = solve(mux, {"a": 10, "b": 20, "bit": 0})
    write_r1cs(r1cs, tmp_path / "mux.r1cs")
    write_wtns(witness, tmp_path / "mux.wtns")
    sym = [f"{w},{w},0,main.{name.replace('/', '.')}" for w, name in enumerate(r1cs.wire_names) if w]
    (tmp_path / "mux.sym").write_text("\n".join(sym) + "\n")
    return tmp_path


def test_audit_file_names_signals_from_the_sym_file(mux_files):
    report = audit_file(mux_files / "mux.r1cs", mux_files / "mux.sym", mux_files / "mux.wtns")
    assert [f.signal for f in report.errors] == ["main/bit"]
    unlabelled = audit_file(mux_files / "mux.r1cs", witness_path=mux_files / "mux.wtns")
    assert [f.signal for f in unlabelled.errors] == [f"wire {unlabelled.errors[0].wire}"]
    without_witness = audit_file(mux_files / "mux.r1cs", mux_files / "mux.sym")
    assert without_witness.errors == [] and any("skipped" in note for note in without_witness.notes)


def test_cli_exit_status_and_json(mux_files, capsys):
    assert main(["audit", "membership", "--structural", "--variant", "hardened", "--param", "depth=3"]) == 0
    assert "0 errors" in capsys.readouterr().out
    assert main(["audit", "membership", "--structural", "--variant", "reference", "--param", "depth=3", "--json"]) == 1
    [report] = json.loads(capsys.readouterr().out)
    assert report["counts"]["error"] == 3
    assert {f["signal"] for f in report["findings"] if f["severity"] == "error"} == {
        "membership/pathIndices[0]", "membership/pathIndices[1]", "membership/pathIndices[2]"}
    assert any(d["shown"] for d in report["documented"])
    files = [str(mux_files / "mux.r1cs"), "--sym", str(mux_files / "mux.sym"), "--witness", str(mux_files / "mux.wtns")]
    assert main(["audit", "--structural", *files]) == 1
    assert "main/bit" in capsys.readouterr().out
    assert main(["audit", "--structural", str(mux_files / "mux.r1cs")]) == 0  # no witness: nothing structural
    assert "skipped" in capsys.readouterr().out
    # the decision: the output is determined by the inputs, the free selector a warning
    assert main(["audit", *files, "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["verdict"] == "safe" and any("unconfined-selector main/bit" in w for w in verdict["warnings"])
    (mux_files / "short.wtns").write_bytes((mux_files / "mux.wtns").read_bytes()[:-32])
    assert main(["audit", str(mux_files / "mux.r1cs"), "--witness", str(mux_files / "short.wtns")]) == 2


# -- circom's own constraints ------------------------------------------------------------------------


@pytest.mark.node
@pytest.mark.slow
@pytest.mark.parametrize("pattern, variant, size, kind, signal", [
    ("membership", "reference", 4, "unconfined-selector", "pathIndices"),
    ("membership", "hardened", 4, None, None),
    ("structure", "reference", 4, "unconfined-input", "componentLengths"),
])
def test_circom_compiled_twins_give_the_same_findings(tmp_path, pattern, variant, size, kind, signal):
    """The circom twin of a pattern, compiled with --O2 and its witness computed by
    snarkjs: the analysis, which sees only circom's .r1cs, .sym and .wtns (another wire
    numbering, other labels), finds what it finds on zkwork's R1CS."""
    from node_tools import ROOT, run_node_tool

    pattern_object = small(pattern, variant)
    name = pattern_object.main_name
    run_node_tool("circom2", ROOT / "circuits" / "main" / f"{name}.circom", "--O2", "--r1cs", "--wasm", "--sym",
                  "-l", ROOT / "node_modules", "-o", tmp_path)
    inputs = pattern_object.sample_inputs()
    strings = {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in inputs.items()}
    (tmp_path / "input.json").write_text(json.dumps(strings))
    run_node_tool("snarkjs", "wtns", "calculate", tmp_path / f"{name}_js" / f"{name}.wasm", tmp_path / "input.json",
                  tmp_path / "w.wtns")
    report = audit_file(tmp_path / f"{name}.r1cs", tmp_path / f"{name}.sym", tmp_path / "w.wtns")
    ours = audit_pattern(pattern_object)
    if kind is None:
        assert report.errors == [] and ours.errors == []
        return
    expected = [f"main/{signal}[{i}]" for i in range(size)]
    assert [f.signal for f in by_kind(report, kind)] == expected
    assert [f.signal.replace(f"{pattern}/", "main/") for f in by_kind(ours, kind)] == expected
