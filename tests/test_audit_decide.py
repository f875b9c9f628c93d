"""The under-constraint decision (zkwork.audit.decide, `zkwork audit FILE.r1cs|DIR`): safe when
propagation or the solver proves every output determined, unsafe with two witnesses that
is_satisfied accepts, unknown with a reason (no solver, a limit); the command line exits
0 / 1 / 3 / 2 and prints one JSON object per circuit."""
import json

import pytest

from zkwork.audit import smt
from zkwork.audit.decide import decide
from zkwork.cli import main
from zkwork.field import R
from zkwork.formats import write_r1cs
from zkwork.gadgets.bits import switcher
from zkwork.r1cs import solve

needs_solver = pytest.mark.skipif(not smt.solver_available(), reason="zkwork's 'audit' extra (cvc5) not installed")


def free_hint(cs):
    """out = x * y + h, h a hint nothing constrains: the output is the prover's choice."""
    x, y = cs.public_input("x"), cs.private_input("y")
    h = cs.hint("h", lambda: 5)
    cs.public_output("out", cs.mul(x, y, "xy") + h)


def divide(cs, checked=False):
    """q with q * b = a, and with `checked` b * inv = 1: without it a = b = 0 admits any q."""
    a, b = cs.private_input("a"), cs.private_input("b")
    q = cs.hint("q", lambda a, b: a * pow(b, -1, R) % R, a, b)
    cs.enforce(q, b, a, "division")
    if checked:
        inv = cs.hint("inv", lambda b: pow(b, -1, R), b)
        cs.enforce(b, inv, 1, "nonzero")
    cs.public_output("q_out", q * 1)


def mux(cs, boolean=True):
    """out = bit ? b : a through a switcher."""
    a, b, bit = cs.private_input("a"), cs.private_input("b"), cs.private_input("bit")
    if boolean:
        cs.assert_boolean(bit, "bit_boolean")
    left, _ = switcher(cs, bit, a, b)
    cs.public_output("out", left)


def unused(cs):
    """An input in no constraint."""
    x = cs.private_input("x")
    cs.private_input("forgotten")
    cs.public_output("out", cs.mul(x, x, "square"))


def fifth_root(cs):
    """out = r with r^5 = x: x -> x^5 is a bijection of F_r (gcd(5, r - 1) = 1), so r is
    determined, but only a solver can tell (no propagation rule inverts a power)."""
    x = cs.private_input("x")
    r = cs.hint("r", lambda x: pow(x, pow(5, -1, R - 1), R), x)
    square = cs.mul(r, r, "square")
    cs.enforce(cs.mul(square, square, "fourth"), r, x, "fifth")
    cs.public_output("out", r * 1)


def check_counterexample(r1cs, verdict):
    first, second = ([int(v) for v in w] for w in verdict.counterexample["witnesses"])
    assert r1cs.is_satisfied(first) and r1cs.is_satisfied(second) and first != second
    return first, second


@needs_solver
def test_a_free_hint_is_unsafe_with_two_checked_witnesses():
    r1cs, _ = solve(free_hint, {"x": 3, "y": 4}, simplify=False)
    verdict = decide(r1cs, "free_hint", time_limit=10)
    assert verdict.verdict == "unsafe", verdict
    first, second = check_counterexample(r1cs, verdict)
    assert first[1] != second[1] and first[2:4] == second[2:4]  # same inputs x, y; out differs
    assert list(verdict.counterexample["outputs"]) == ["out"]
    assert any("free-linear-internal h" in w for w in verdict.warnings)


@needs_solver
@pytest.mark.parametrize("checked, expected", [(False, "unsafe"), (True, "safe")])
def test_division_by_a_possibly_zero_signal(checked, expected):
    r1cs, witness = solve(lambda cs: divide(cs, checked), {"a": 6, "b": 3}, simplify=False)
    verdict = decide(r1cs, "divide", witness, time_limit=10)
    assert verdict.verdict == expected, verdict
    if expected == "unsafe":
        first, second = check_counterexample(r1cs, verdict)
        assert first[r1cs.wire_names.index("b")] == 0  # only b = 0 leaves q free


def test_a_switcher_with_a_boolean_selector_is_safe_by_propagation():
    r1cs, witness = solve(mux, {"a": 10, "b": 20, "bit": 1})
    verdict = decide(r1cs, "mux", witness)
    assert verdict.verdict == "safe" and verdict.reason.startswith("propagation determines every output")
    assert "second-witness search found no other witness" in verdict.reason


def test_a_selector_input_without_boolean_check_leaves_the_output_determined():
    # the inputs are fixed in the question: a non-boolean selector is a warning, as circomlib's Mux1
    r1cs, witness = solve(lambda cs: mux(cs, boolean=False), {"a": 10, "b": 20, "bit": 1})
    verdict = decide(r1cs, "mux", witness)
    assert verdict.verdict == "safe"
    assert any(w.startswith("unconfined-selector bit") for w in verdict.warnings)


def test_an_input_in_no_constraint_is_unsafe():
    r1cs, witness = solve(unused, {"x": 3, "forgotten": 9}, simplify=False)
    verdict = decide(r1cs, "unused", witness)
    assert verdict.verdict == "unsafe" and verdict.counterexample["kind"] == "unbound-input"
    assert verdict.counterexample["inputs"]["forgotten"][0] != verdict.counterexample["inputs"]["forgotten"][1]
    check_counterexample(r1cs, verdict)


def test_without_the_solver_the_verdict_is_unknown_and_names_the_extra(monkeypatch):
    monkeypatch.setattr(smt, "solver_available", lambda: False)
    r1cs, witness = solve(fifth_root, {"x": 7}, simplify=False)
    verdict = decide(r1cs, "fifth_root", witness)
    assert verdict.verdict == "unknown" and "'audit' extra" in verdict.reason
    assert verdict.to_dict()["reason"] == verdict.reason and "counterexample" not in verdict.to_dict()
    # the randomized second-witness search needs no solver: a free hint is still found
    r1cs, _ = solve(free_hint, {"x": 3, "y": 4}, simplify=False)
    verdict = decide(r1cs, "free_hint")
    assert verdict.verdict == "unsafe"
    check_counterexample(r1cs, verdict)


@needs_solver
def test_cli_exit_codes_json_and_directories(tmp_path, capsys):
    safe, _ = solve(lambda cs: divide(cs, True), {"a": 6, "b": 3}, simplify=False)
    unsafe, _ = solve(free_hint, {"x": 3, "y": 4}, simplify=False)
    write_r1cs(safe, tmp_path / "safe.r1cs")
    write_r1cs(unsafe, tmp_path / "unsafe.r1cs")
    assert main(["audit", str(tmp_path / "safe.r1cs"), "--json"]) == 0
    single = json.loads(capsys.readouterr().out)
    assert single["verdict"] == "safe" and single["circuit"].endswith("safe.r1cs")
    assert set(single) == {"circuit", "verdict", "reason", "seconds", "warnings"}
    assert main(["audit", str(tmp_path), "--json"]) == 1
    both = json.loads(capsys.readouterr().out)
    assert [v["verdict"] for v in both] == ["safe", "unsafe"] and "counterexample" in both[1]
    assert main(["audit", str(tmp_path)]) == 1
    table = capsys.readouterr().out
    assert "1 safe, 1 unsafe, 0 unknown" in table
    (tmp_path / "broken.r1cs").write_bytes(b"r1cs\x01\x00")
    assert main(["audit", str(tmp_path / "broken.r1cs")]) == 2


def test_cli_unknown_exits_3(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(smt, "solver_available", lambda: False)
    r1cs, _ = solve(fifth_root, {"x": 7}, simplify=False)
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    assert main(["audit", str(tmp_path / "c.r1cs")]) == 3
    assert "'audit' extra" in capsys.readouterr().out
