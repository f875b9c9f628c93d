"""The audit's entry points: a pattern audited against the weaknesses its specification
(shared/patterns.md) and its module document, and a circom .r1cs file (with its .sym labels
and a witness) audited as it is; both run the passes of zkwork.audit.underconstrained."""
import re
from dataclasses import dataclass

from zkwork.audit.underconstrained import DEFAULT_DEPTH, audit_r1cs


NOT_STRUCTURAL = "not visible to structural analysis"


@dataclass(frozen=True)
class Weakness:
    """A reference weakness of ../shared/patterns.md (or of the pattern's module) and the
    finding kind and signal that show it; `kind` None when no structural pass can see it,
    `why` saying why."""

    pattern: str
    text: str
    kind: str = None
    signal: str = None  # a regular expression over signal labels
    why: str = None


WEAKNESSES = (
    Weakness("membership", "the proof is bound to nothing but the root: replayable", why="replay is a property "
             "of how proofs are used, no constraint is missing"),
    Weakness("membership", "leaves are unsalted hashes of low-entropy PIDs", why="the entropy of an input is "
             "not a property of the constraints"),
    Weakness("membership", "direction bits are not constrained boolean", kind="unconfined-selector",
             signal=r"/pathIndices\[\d+\]$"),
    Weakness("structure", "component lengths are never range-checked", kind="unconfined-input",
             signal=r"/componentLengths\[\d+\]$"),
    Weakness("structure", "the depth is never range-checked (d = r - 5 passes LessThan)", why="it takes a crafted "
             "value of a public input, and the search keeps public inputs and tries random values"),
    Weakness("structure", "the commitment is an unsalted hash of guessable values", why="guessability of "
             "inputs is not a property of the constraints"),
    Weakness("selective_reveal", "the mask is private: a hidden field looks like a revealed 0", why="which "
             "signals ought to be public is a design decision"),
    Weakness("selective_reveal", "the full commitment is an output, not checked against the issuer's",
             kind="prover-chosen-output", signal=r"/fieldValues\[\d+\]$"),
    Weakness("version", "nothing ties the user secret to a registered identity", kind="prover-chosen-output",
             signal=r"/userSecret$"),
    Weakness("version", "PID commitments are unsalted", why="guessability of inputs is not a property of the "
             "constraints"),
    Weakness("locker", "no session challenge: the proof can be replayed", why="replay is a property of how "
             "proofs are used"),
    Weakness("locker", "no nullifier: an access right can be used again", why="single use is a property of the "
             "verifier's records"),
)


def documented_weaknesses(pattern_name):
    """The documented weaknesses (WEAKNESSES) of the pattern named `pattern_name`."""
    return [w for w in WEAKNESSES if w.pattern == pattern_name]


def check_documented(report, pattern_name):
    """For a reference variant: each documented weakness with the findings that show it,
    or why none can."""
    checked = []
    for weakness in documented_weaknesses(pattern_name):
        if weakness.kind is None:
            checked.append({"weakness": weakness.text, "status": f"{NOT_STRUCTURAL} ({weakness.why})",
                            "shown": None, "signals": []})
            continue
        hits = [f.signal for f in report.findings
                if f.kind == weakness.kind and re.search(weakness.signal, f.signal)]
        status = (f"shown by {weakness.kind} on {', '.join(hits)}" if hits
                  else f"NOT shown (expected {weakness.kind})")
        checked.append({"weakness": weakness.text, "status": status, "shown": bool(hits), "signals": hits})
    return checked


def audit_pattern(pattern, depth=DEFAULT_DEPTH):
    """The Report of a pattern object (zkwork.patterns.get_pattern), from its sample inputs'
    witness; a reference variant also gets the check of its documented weaknesses, a
    hardened one a note on what it must be (no errors)."""
    r1cs, witness = pattern.solve(pattern.sample_inputs())
    report = audit_r1cs(r1cs, witness, title=pattern.label, depth=depth)
    if pattern.hardened:
        report.notes.append("hardened variant: the weaknesses of patterns.md are fixed, so no error is expected")
    else:
        report.documented = check_documented(report, pattern.name)
    return report


def audit_file(r1cs_path, sym_path=None, witness_path=None, depth=DEFAULT_DEPTH):
    """The Report of a circom .r1cs file (labels from its .sym, witness from a .wtns)."""
    from zkwork.formats import read_r1cs, read_wtns

    r1cs = read_r1cs(r1cs_path, sym_path)
    witness = read_wtns(witness_path) if witness_path is not None else None
    return audit_r1cs(r1cs, witness, title=str(r1cs_path), depth=depth)
