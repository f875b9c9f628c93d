"""The under-constraint decision on circom's own output: the corpus of tests/audit_corpus
(small circuits with well-known bug classes beside their fixed twins) and circomlib's
comparators, bitify, mux, switcher, gates and Poseidon, each compiled with the pinned
circom2. Every buggy circuit is unsafe with two witnesses is_satisfied accepts, every
fixed twin safe; circomlib: never unsafe, safe for at least 80 %."""
from pathlib import Path

import pytest
from node_tools import ROOT, run_node_tool

from zkwork.audit import smt
from zkwork.audit.decide import decide
from zkwork.formats import read_r1cs

pytestmark = [pytest.mark.slow, pytest.mark.node,
              pytest.mark.skipif(not smt.solver_available(), reason="zkwork's 'audit' extra (cvc5) not installed")]

CORPUS = Path(__file__).parent / "audit_corpus"
BUGS = sorted(p.name[: -len("_buggy.circom")] for p in CORPUS.glob("*_buggy.circom"))
TIME_LIMIT = 20.0

CIRCOMLIB = {  # name: (file under circomlib/circuits, main component)
    "IsZero": ("comparators", "IsZero()"), "IsEqual": ("comparators", "IsEqual()"),
    "LessThan8": ("comparators", "LessThan(8)"), "LessEqThan8": ("comparators", "LessEqThan(8)"),
    "GreaterThan8": ("comparators", "GreaterThan(8)"), "GreaterEqThan8": ("comparators", "GreaterEqThan(8)"),
    "ForceEqualIfEnabled": ("comparators", "ForceEqualIfEnabled()"),
    "Num2Bits8": ("bitify", "Num2Bits(8)"), "Num2Bits_strict": ("bitify", "Num2Bits_strict()"),
    "Bits2Num8": ("bitify", "Bits2Num(8)"), "Bits2Num_strict": ("bitify", "Bits2Num_strict()"),
    "Num2BitsNeg8": ("bitify", "Num2BitsNeg(8)"),
    "Mux1": ("mux1", "Mux1()"), "MultiMux1_2": ("mux1", "MultiMux1(2)"), "Mux2": ("mux2", "Mux2()"),
    "Mux3": ("mux3", "Mux3()"), "Switcher": ("switcher", "Switcher()"),
    "XOR": ("gates", "XOR()"), "AND": ("gates", "AND()"), "OR": ("gates", "OR()"), "NOT": ("gates", "NOT()"),
    "NAND": ("gates", "NAND()"), "NOR": ("gates", "NOR()"), "MultiAND4": ("gates", "MultiAND(4)"),
    "Poseidon2": ("poseidon", "Poseidon(2)"),
}


def compile_circom(source, out, level):
    """circom2 SOURCE --level --r1cs --sym into `out`: (R1CS with labels)."""
    out.mkdir(parents=True, exist_ok=True)
    run_node_tool("circom2", source, f"--{level}", "--r1cs", "--sym", "-l", ROOT / "node_modules", "-o", out)
    stem = out / Path(source).stem
    return read_r1cs(f"{stem}.r1cs", f"{stem}.sym")


def checked_unsafe(r1cs, verdict):
    first, second = ([int(v) for v in w] for w in verdict.counterexample["witnesses"])
    return bool(r1cs.is_satisfied(first)) and bool(r1cs.is_satisfied(second)) and first != second


@pytest.mark.parametrize("bug", BUGS)
def test_each_buggy_circuit_is_unsafe_and_its_fixed_twin_safe(tmp_path, bug):
    buggy = compile_circom(CORPUS / f"{bug}_buggy.circom", tmp_path, "O0")
    verdict = decide(buggy, bug, time_limit=TIME_LIMIT)
    assert verdict.verdict == "unsafe", verdict.reason
    assert checked_unsafe(buggy, verdict)
    fixed = compile_circom(CORPUS / f"{bug}_fixed.circom", tmp_path, "O0")
    verdict = decide(fixed, f"{bug} fixed", time_limit=TIME_LIMIT)
    assert verdict.verdict == "safe", verdict.reason


def test_an_unused_input_removed_by_o2_is_no_false_safe(tmp_path):
    """At --O2 circom drops the unused input; the output, determined by the other input,
    leaves it influencing nothing: the removed input is named among the warnings."""
    r1cs = compile_circom(CORPUS / "unused_input_buggy.circom", tmp_path, "O2")
    assert r1cs.removed_input_names == ("main/b",)
    verdict = decide(r1cs, "unused_input O2", time_limit=TIME_LIMIT)
    assert verdict.verdict == "safe" and "main/b" in verdict.reason
    assert any(w.startswith("removed-input main/b") for w in verdict.warnings)


@pytest.fixture(scope="module")
def circomlib_verdicts(tmp_path_factory):
    """{(name, level): Verdict} of every CIRCOMLIB template at --O0 and --O2."""
    out = tmp_path_factory.mktemp("circomlib")
    verdicts = {}
    for name, (library, component) in CIRCOMLIB.items():
        source = out / f"{name}.circom"
        source.write_text(f'pragma circom 2.1.6;\ninclude "circomlib/circuits/{library}.circom";\n'
                          f"component main = {component};\n")
        for level in ("O0", "O2"):
            r1cs = compile_circom(source, out / level, level)
            verdicts[(name, level)] = (r1cs, decide(r1cs, f"{name} {level}", time_limit=TIME_LIMIT))
    return verdicts


def test_circomlib_is_never_unsafe_and_mostly_safe(circomlib_verdicts):
    found = {key: verdict.verdict for key, (_, verdict) in circomlib_verdicts.items()}
    assert [key for key, v in found.items() if v == "unsafe"] == []
    safe = sum(v == "safe" for v in found.values())
    assert safe >= 0.8 * len(found), found
    for key, (_, verdict) in circomlib_verdicts.items():
        if verdict.verdict == "unknown":
            assert verdict.reason, key
