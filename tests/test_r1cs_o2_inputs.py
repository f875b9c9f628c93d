"""Private inputs that circom --O2 removes from the wires (issue #12, item 8): circom still
counts them in the .r1cs header's nPrvIn and names them in the .sym with wire -1. zkwork
reads such files with the counts `snarkjs r1cs info` gives, takes only the remaining inputs
as private input wires, and the audit reports the removed ones by name; the header and the
wire map are checked as strictly as valid circom output allows, and the .sym is read only
up to a size that follows from the header's label count."""
import os
import re

import pytest
from node_tools import run_node_tool

from zkwork.audit.pattern_audit import audit_file
from zkwork.audit.underconstrained import wire_kinds
from zkwork.cli import main
from zkwork.errors import InvalidValueError, UnreadableFileError
from zkwork.formats import r1cs_info, read_r1cs, read_wtns, write_r1cs
from zkwork.formats.r1cs_file import SYM_LINE_BYTES
from zkwork.r1cs import WireKind, build

CIRCUIT = """pragma circom 2.1.6;
// A public input x; private inputs a (in a product: stays a wire), unused (in no
// constraint) and twin (forced equal to x); --O2 removes unused, and twin in favour of x.
template RemovedInputs() {
    signal input x;
    signal input a;
    signal input unused;
    signal input twin;
    signal output out;
    signal square;
    twin === x;
    square <== a * a;
    out <== square * twin;
}
component main {public [x]} = RemovedInputs();
"""


@pytest.fixture(scope="module")
def circom_build(tmp_path_factory):
    """The circuit above compiled with the pinned circom2 at --O2: (directory, .r1cs, .sym)."""
    out = tmp_path_factory.mktemp("removed_inputs")
    (out / "removed_inputs.circom").write_text(CIRCUIT)
    result = run_node_tool("circom2", out / "removed_inputs.circom", "--O2", "--r1cs", "--wasm", "--sym", "-o", out)
    assert "private inputs: 3 (1 belong to witness)" in re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    return out, out / "removed_inputs.r1cs", out / "removed_inputs.sym"


def snarkjs_info(path):
    """`snarkjs r1cs info`'s counts, keyed as zkwork's r1cs_info keys them."""
    keys = {"Wires": "wires", "Constraints": "constraints", "Private Inputs": "private_inputs",
            "Public Inputs": "public_inputs", "Labels": "labels", "Outputs": "outputs"}
    text = run_node_tool("snarkjs", "r1cs", "info", path).stdout
    return {key: int(text.split(f"# of {title}: ")[1].split()[0]) for title, key in keys.items()}


# -- circom's own file -------------------------------------------------------------------------------


@pytest.mark.node
def test_snarkjs_and_zkwork_read_the_same_counts(circom_build, capsys):
    _, r1cs_path, _ = circom_build
    info = snarkjs_info(r1cs_path)
    # fewer wires (5) than the one, output, public and three private inputs (6)
    assert info == {"wires": 5, "constraints": 2, "private_inputs": 3, "public_inputs": 1, "labels": 7, "outputs": 1}
    assert {k: v for k, v in r1cs_info(r1cs_path).items() if k != "curve"} == info
    assert main(["r1cs", "info", str(r1cs_path)]) == 0
    assert "# of Private Inputs: 3" in capsys.readouterr().out


@pytest.mark.node
def test_removed_inputs_are_counted_and_named(circom_build):
    _, r1cs_path, sym_path = circom_build
    r1cs = read_r1cs(r1cs_path, sym_path)
    assert (r1cs.num_private_inputs, r1cs.removed_inputs, r1cs.num_private_input_wires) == (3, 2, 1)
    assert r1cs.removed_input_names == ("main/unused", "main/twin")
    assert r1cs.wire_names == ["one", "main/out", "main/x", "main/a", "main/square"]
    # the wire after the one remaining private input is an internal signal, not a fourth input
    assert wire_kinds(r1cs) == [WireKind.ONE, WireKind.OUTPUT, WireKind.PUBLIC, WireKind.PRIVATE, WireKind.INTERNAL]
    assert r1cs.stats()["internal_signals"] == 1
    unnamed = read_r1cs(r1cs_path)
    assert (unnamed.removed_inputs, unnamed.removed_input_names) == (2, ())


@pytest.mark.node
def test_zkwork_writes_back_what_it_read(circom_build, tmp_path):
    _, r1cs_path, sym_path = circom_build
    r1cs = read_r1cs(r1cs_path, sym_path)
    write_r1cs(r1cs, tmp_path / "again.r1cs")
    again = read_r1cs(tmp_path / "again.r1cs")
    assert (again.A, again.B, again.C) == (r1cs.A, r1cs.B, r1cs.C)
    assert (again.num_private_inputs, again.removed_inputs) == (3, 2)
    # zkwork's labels are the wires and the two removed inputs
    assert snarkjs_info(tmp_path / "again.r1cs") == {**snarkjs_info(r1cs_path), "labels": 7}


@pytest.mark.node
def test_audit_names_the_removed_inputs(circom_build, tmp_path, capsys):
    out, r1cs_path, sym_path = circom_build
    (tmp_path / "input.json").write_text('{"x": "3", "a": "5", "unused": "7", "twin": "3"}')
    run_node_tool("snarkjs", "wtns", "calculate", out / "removed_inputs_js" / "removed_inputs.wasm",
                  tmp_path / "input.json", tmp_path / "w.wtns")
    assert len(read_wtns(tmp_path / "w.wtns")) == 5
    report = audit_file(r1cs_path, sym_path, tmp_path / "w.wtns")
    removed = [f for f in report.findings if f.kind == "removed-input"]
    assert [(f.signal, f.severity, f.wire) for f in removed] == [("main/unused", "warning", -1),
                                                                  ("main/twin", "warning", -1)]
    assert "unconstrained" in removed[0].message
    unnamed = audit_file(r1cs_path)
    assert [f.signal for f in unnamed.findings if f.kind == "removed-input"] == ["unnamed private inputs (2)"]
    assert main(["audit", str(r1cs_path), "--sym", str(sym_path)]) == 0  # warnings only
    assert "main/unused" in capsys.readouterr().out


# -- zkwork's own files, edited ------------------------------------------------------------------------


def product(cs):
    """x public, a and b private, out = a * b * x: wires one, out, x, a, b, then a * b."""
    x = cs.public_input("x")
    a, b = cs.private_input("a"), cs.private_input("b")
    cs.public_output("out", cs.mul(cs.mul(a, b), x))


# .r1cs as write_r1cs lays it out: 12-byte file header, then the header section's 12-byte
# header; its data: n8 @24, prime @28, nWires @60, nPubOut @64, nPubIn @68, nPrvIn @72,
# nLabels @76 (u64), nConstraints @84. The wire map is the last section, nWires u64 at the end.
N_PUB_IN, N_PRV_IN, N_LABELS = 68, 72, 76


@pytest.fixture
def written(tmp_path):
    """(path, bytearray, R1CS) of the product circuit written by zkwork."""
    r1cs = build(product, simplify=False)
    path = tmp_path / "c.r1cs"
    write_r1cs(r1cs, path)
    return path, bytearray(path.read_bytes()), r1cs


def put(data, offset, value, size=4):
    data[offset : offset + size] = value.to_bytes(size, "little")


def put_label(data, num_wires, wire, label):
    put(data, len(data) - 8 * (num_wires - wire), label, 8)


def test_removed_input_round_trip(written):
    path, _, r1cs = written
    r1cs.removed_inputs, r1cs.removed_input_names = 1, ("c",)
    r1cs.num_private_inputs += 1
    write_r1cs(r1cs, path)
    again = read_r1cs(path)
    assert (again.num_private_inputs, again.removed_inputs, again.num_private_input_wires) == (3, 1, 2)
    assert again.stats()["internal_signals"] == r1cs.num_wires - 5


@pytest.mark.parametrize("edit, section, match", [
    (lambda d, n: put(d, N_PUB_IN, n), "header", "wires cannot hold"),
    (lambda d, n: put(d, N_PRV_IN, n), "header", "labels cannot name"),
    (lambda d, n: put_label(d, n, 1, 2), "wire map", "public wire 1 maps to label 2"),
    (lambda d, n: (put_label(d, n, 3, n - 1), put_label(d, n, n - 1, 3)), "wire map", "wire 3 maps to label"),
    (lambda d, n: put_label(d, n, 2, 1), "wire map", "public wire 2 maps to label 1"),
])
def test_header_and_wire_map_stay_strict(written, edit, section, match):
    path, data, r1cs = written
    edit(data, r1cs.num_wires)
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidValueError, match=match) as raised:
        read_r1cs(path)
    assert raised.value.section == section


def test_more_input_wires_than_declared_is_refused(written):
    path, data, r1cs = written
    put_label(data, r1cs.num_wires, 4, 3)  # wires 3 and 4 both carry input a's label
    put(data, N_PRV_IN, 1)
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidValueError, match="2 wires map to the labels of the header's 1 private inputs"):
        read_r1cs(path)


def test_sym_may_not_remove_an_input_the_wire_map_keeps(written, tmp_path):
    path, _, _ = written
    (tmp_path / "c.sym").write_text("1,1,0,main.out\n2,2,0,main.x\n3,-1,0,main.a\n")
    with pytest.raises(InvalidValueError, match=r"main/a \(label 3\) no wire") as raised:
        read_r1cs(path, tmp_path / "c.sym")
    assert raised.value.section == "sym"


# -- the .sym is read only up to a size the header bounds ----------------------------------------------


def test_sym_larger_than_its_labels_allow_is_refused_before_reading(written, tmp_path):
    path, _, r1cs = written
    sym = tmp_path / "c.sym"
    with sym.open("wb") as f:
        f.truncate(r1cs.num_wires * SYM_LINE_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(UnreadableFileError, match=f"more than the {r1cs.num_wires * SYM_LINE_BYTES}"):
        read_r1cs(path, sym)


def test_sym_that_is_a_device_is_refused(written, tmp_path):
    path, _, _ = written
    os.symlink("/dev/zero", tmp_path / "zero.sym")
    with pytest.raises(UnreadableFileError, match="not a regular file"):
        read_r1cs(path, tmp_path / "zero.sym")
