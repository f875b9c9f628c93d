"""Is every output of an R1CS uniquely determined by its inputs? safe, unsafe or unknown.

"Inputs" are all input signals, public and private; outputs are the public outputs. The
decision runs in steps:
  1. propagation (zkwork.audit.propagate) marks the wires the inputs determine by local
     rules; when it reaches every output, the outputs are proved determined;
     when some output stays open, integer ranges (zkwork.audit.ranges) add the bits of
     decompositions an alias check proves below r and the quotient and remainder of
     divisions whose remainder a bit-vector query proves below the divisor;
  2. otherwise an SMT query (zkwork.audit.smt) over two copies of the witness, sharing the
     inputs and everything propagation determined, asks for a difference in the outputs
     left open: unsat proves them determined; sat gives two witnesses, which are checked
     with `R1CS.is_satisfied` (same inputs, different outputs) before "unsafe" is said;
     a time or memory limit, or no solver, gives "unknown" with the reason;
  3. an input wire in no constraint makes the circuit unsafe too (two witnesses that differ
     in it alone: the statement ignores it). A private input the compiler removed from the
     wires (circom --O2) counts as unconstrained: it is no input of the question. When the
     outputs are determined by the remaining inputs, the removed ones influence nothing: the
     verdict stands, the reason and the warnings name them (the .r1cs cannot tell an unused
     input from one --O2 expressed through others by a linear equality, as structure's
     component 0 = country code, which is sound). When they are not, the verdict is
     "unknown": the removed input may be what determined them;
  4. every "safe" is cross-checked by the randomized second-witness search of
     zkwork.audit.underconstrained from a witness (the one given, else one solved forward
     from zero inputs by zkwork.audit.evaluate, else one from the solver):
     a second witness it finds (checked) overrides the proof, which would be a bug here.
The structural findings of zkwork.audit.underconstrained (its second-witness pass too when a
witness is known) come as warnings: they show freedoms of the inputs (a missing range check,
a selector not confined to bits) that leave the outputs determined.
"""
import secrets
import time
from dataclasses import dataclass, field

import zkwork.audit.smt as smt
from zkwork.audit.evaluate import forward_witness
from zkwork.audit.propagate import determined_wires
from zkwork.audit.ranges import alias_checked_bits, bounds, division_shapes, integer_system, wire_ranges
from zkwork.audit.underconstrained import Resolver, audit_r1cs, occurrences, wire_kinds
from zkwork.field import R
from zkwork.r1cs import WireKind

SEARCH_CANDIDATES = 64  # the cross-check tries at most this many signals...
SEARCH_SECONDS = 10.0  # ...within this time
INTEGER_SHARE = 0.25  # the share of the time limit the integer relaxation may take
WITNESS_SECONDS = 5.0  # the solver's limit per query for a witness to start the search from


@dataclass
class Verdict:
    """The answer for one circuit: verdict "safe" | "unsafe" | "unknown", the counterexample
    when unsafe, the reason when unknown (or how safe was proved), seconds, warnings."""

    circuit: str
    verdict: str
    seconds: float = 0.0
    reason: str = None
    counterexample: dict = None
    warnings: list = field(default_factory=list)

    def to_dict(self):
        """The verdict as a JSON-ready dict (counterexample and reason only when present)."""
        data = {"circuit": self.circuit, "verdict": self.verdict}
        if self.counterexample is not None:
            data["counterexample"] = self.counterexample
        if self.reason is not None:
            data["reason"] = self.reason
        data["seconds"] = round(self.seconds, 3)
        data["warnings"] = list(self.warnings)
        return data


def _label(r1cs, wire):
    return r1cs.wire_names[wire]


def _counterexample(r1cs, kind, first, second, inputs, outputs):
    """The JSON of two witnesses: which inputs they share, which outputs differ, both in full."""
    return {"kind": kind,
            "inputs": {_label(r1cs, w): str(first[w]) for w in inputs},
            "outputs": {_label(r1cs, o): [str(first[o]), str(second[o])] for o in outputs if first[o] != second[o]},
            "witnesses": [[str(v) for v in first], [str(v) for v in second]]}


def check_pair(r1cs, first, second, inputs, outputs):
    """Whether two witnesses both satisfy `r1cs`, agree on `inputs` and differ on some output."""
    return (bool(r1cs.is_satisfied(first)) and bool(r1cs.is_satisfied(second))
            and all(first[w] == second[w] for w in inputs) and any(first[o] != second[o] for o in outputs))


def structural_warnings(r1cs, witness=None):
    """The findings of zkwork.audit.underconstrained's passes (the second-witness one only
    with a witness) as one line each: kind, signal, message."""
    return [f"{f.kind} {f.signal}: {f.message}" for f in audit_r1cs(r1cs, witness).findings]


def second_witness_search(r1cs, witness, kinds, occ, outputs):
    """A (first, second) pair with the same inputs and different outputs found by the
    randomized re-solving search from `witness`, or None (bounded; see SEARCH_*)."""
    resolver = Resolver(r1cs, kinds, occ)
    internal = [w for w in range(1, r1cs.num_wires) if kinds[w] == WireKind.INTERNAL and occ[w]]
    internal.sort(key=lambda w: len(occ[w]))
    deadline = time.monotonic() + SEARCH_SECONDS
    for wire in (list(outputs) + internal)[:SEARCH_CANDIDATES]:
        if time.monotonic() > deadline:
            break
        value = (witness[wire] + 1 + secrets.randbelow(R - 1)) % R
        other, _ = resolver.second_witness(witness, wire, value)
        if other is not None and any(other[o] != witness[o] for o in outputs):
            return list(witness), other
    return None


def _unsafe_unless_removed(removed, example):
    """("unsafe", None, example), or "unknown" when the compiler removed inputs that may be
    what determines the outputs that differ."""
    if not removed:
        return "unsafe", None, example
    return ("unknown", f"outputs are not determined by the remaining inputs, and the compiler removed the inputs "
            f"{', '.join(removed)}: the .r1cs cannot tell unused inputs (unsafe) from inputs --O2 expressed "
            "through these signals (then they determine them); audit an --O0 or --O1 build", example)


class _Decision:
    """The state of one decision: the system, its kinds and occurrences, limits."""

    def __init__(self, r1cs, witness, time_limit, memory_mb):
        self.r1cs, self.witness = r1cs, witness
        self.time_limit, self.memory_mb = time_limit, memory_mb
        self.kinds, self.occ = wire_kinds(r1cs), occurrences(r1cs)
        self.constraints = list(zip(r1cs.A, r1cs.B, r1cs.C))
        self.inputs = [w for w, k in enumerate(self.kinds) if k in (WireKind.PUBLIC, WireKind.PRIVATE)]
        self.outputs = [w for w, k in enumerate(self.kinds) if k == WireKind.OUTPUT]
        self.integer_facts = []  # what the integer ranges proved, for the reason of a "safe"

    def base_witness(self, answer=None, use_solver=True):
        """A satisfying witness: the one given, the solver's first copy, one solved forward
        from zero inputs, or (with `use_solver`) a one-copy query's; remembered for the warnings."""
        if self.witness is None and answer is not None and answer.status == "sat":
            self.witness = answer.witnesses[0]
        if self.witness is None:
            self.witness = forward_witness(self.r1cs, dict.fromkeys(self.inputs, 0))
        # inputs pinned to 0 make the query nearly univariate: fast when 0 is a valid input
        for pinned in (dict.fromkeys(self.inputs, 0), {}) if use_solver else ():
            if self.witness is not None:
                break
            found = smt.query(self.constraints, self.r1cs.num_wires, (), (), min(self.time_limit, WITNESS_SECONDS),
                              self.memory_mb, pinned)
            if found.status == "sat" and self.r1cs.is_satisfied(found.witnesses[0]):
                self.witness = found.witnesses[0]
        return None if self.witness is None else list(self.witness)

    def run(self):
        """(verdict, reason, counterexample) as the module docstring decides them."""
        r1cs = self.r1cs
        determined = determined_wires(self.constraints, self.inputs)
        if any(o not in determined for o in self.outputs):
            determined = self._integer_ranges(determined)
        open_outputs = [o for o in self.outputs if o not in determined]
        answer = None
        how = "propagation determines every output"
        if open_outputs:
            answer = smt.query(self.constraints, r1cs.num_wires, determined, open_outputs,
                               self.time_limit, self.memory_mb)
            how = (f"propagation determines {len(self.outputs) - len(open_outputs)} of {len(self.outputs)} outputs; "
                   f"the solver proves the other {len(open_outputs)} determined")
        removed = list(r1cs.removed_input_names) or ([f"{r1cs.removed_inputs} unnamed"] if r1cs.removed_inputs else [])
        if answer is not None and answer.status == "sat":
            first, second = answer.witnesses
            if not check_pair(r1cs, first, second, self.inputs, self.outputs):
                return "unknown", "the solver's two witnesses failed the check by is_satisfied", None
            return _unsafe_unless_removed(removed, _counterexample(r1cs, "outputs-differ", first, second, self.inputs,
                                                                   self.outputs))
        if answer is not None and answer.status == "unknown":
            example = self._search(answer)
            if example is not None:
                return _unsafe_unless_removed(removed, example)
            return "unknown", answer.reason, None
        if self.integer_facts:
            how += f" (with integer ranges: {'; '.join(self.integer_facts)})"
        if removed:
            how += (f"; the compiler removed the inputs {', '.join(removed)}, which no output depends on "
                    "(unused, or expressed through other inputs: see the warnings)")
        return self._unbound_inputs(answer) or self._cross_check(how, answer)

    def _integer_ranges(self, determined):
        """`determined` with what integer ranges (zkwork.audit.ranges) prove determined: the bits
        of decompositions an alias check bounds below r, the quotients and remainders of
        divisions a = q b + r whose remainder the integer relaxation proves below b; and what
        propagation derives from them."""
        bits = alias_checked_bits(self.constraints, determined, set(self.inputs) | set(self.outputs)) - determined
        if bits:
            self.integer_facts.append(f"{len(bits)} bits of sums an alias check proves below r")
            determined = determined_wires(self.constraints, determined | bits)
        ranges = wire_ranges(self.constraints)
        equations, names = None, bounds(ranges)
        while True:
            shapes = [s for s in division_shapes(self.constraints, ranges, determined) if s[0] not in determined]
            for quotient, remainder, divisor in shapes:
                equations = equations or integer_system(self.constraints, ranges)
                below = ([(1, None, f"w{remainder}"), (-1, None, f"w{divisor}")], 0)  # r - b >= 0?
                if smt.integer_query(equations, names, below, self.time_limit * INTEGER_SHARE,
                                     self.memory_mb).status == "unsat":
                    determined = determined_wires(self.constraints, determined | {quotient, remainder})
                    self.integer_facts.append(f"the division {_label(self.r1cs, quotient)} = ... / "
                                              f"{_label(self.r1cs, divisor)}, its remainder proved below the divisor")
                    break
            else:
                return determined

    def _search(self, answer):
        witness = self.base_witness(answer, use_solver=False)  # the solver has had its time already
        if witness is None:
            return None
        pair = second_witness_search(self.r1cs, witness, self.kinds, self.occ, self.outputs)
        if pair is None or not check_pair(self.r1cs, *pair, self.inputs, self.outputs):
            return None
        return _counterexample(self.r1cs, "outputs-differ", *pair, self.inputs, self.outputs)

    def _unbound_inputs(self, answer):
        unused = [w for w in self.inputs if not self.occ[w]]
        if not unused:
            return None
        witness = self.base_witness(answer)
        names = [_label(self.r1cs, w) for w in unused]
        if witness is None:
            return "unknown", f"inputs {', '.join(names)} are bound by no constraint, but no witness was found", None
        second = list(witness)
        for w in unused:
            second[w] = (second[w] + 1) % R
        if not (self.r1cs.is_satisfied(witness) and self.r1cs.is_satisfied(second)):
            return "unknown", "the witnesses for the unbound inputs failed the check by is_satisfied", None
        example = _counterexample(self.r1cs, "unbound-input", witness, second, [], self.outputs)
        example["inputs"] = {_label(self.r1cs, w): [str(witness[w]), str(second[w])] for w in unused}
        return "unsafe", None, example

    def _cross_check(self, how, answer):
        witness = self.base_witness(answer)
        if witness is None:
            reason = "" if smt.solver_available() else f"; {smt.missing_solver()}"
            return "safe", f"{how}; no witness for the second-witness cross-check{reason}", None
        pair = second_witness_search(self.r1cs, witness, self.kinds, self.occ, self.outputs)
        if pair is not None and check_pair(self.r1cs, *pair, self.inputs, self.outputs):
            example = _counterexample(self.r1cs, "outputs-differ", *pair, self.inputs, self.outputs)
            return "unsafe", "the second-witness search contradicts the proof (a bug in the decision)", example
        return "safe", f"{how}; the second-witness search found no other witness", None


def decide(r1cs, title="r1cs", witness=None, time_limit=30.0, memory_mb=2048):
    """The Verdict on `r1cs` (a satisfying `witness`, when given, seeds the cross-check and
    the second-witness warnings)."""
    start = time.monotonic()
    decision = _Decision(r1cs, witness, time_limit, memory_mb)
    verdict, reason, example = decision.run()
    warnings = structural_warnings(r1cs, decision.witness)
    return Verdict(title, verdict, time.monotonic() - start, reason, example, warnings)
