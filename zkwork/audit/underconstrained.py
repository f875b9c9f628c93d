"""Under-constraint analysis of an R1CS: which signals the constraints leave free.

A circuit is under-constrained when its constraints admit witnesses the author did not
mean: a signal no constraint mentions, a value a hint computes but nothing checks, a bit
that is never forced to be a bit. Such a circuit proves statements that are false, and
the prover, not the verifier, decides which. This module looks for the cheap cases in three
passes over the finished R1CS (wires in circom's order: one, outputs, public inputs,
private inputs, internal signals):

1. Unused signals. A wire (other than the constant one) that no constraint mentions can
   hold anything. An input in no constraint is an error (the statement ignores it; a
   public one is not even bound by the proof, its IC point is zero), so is an output in
   no constraint (its value is the prover's choice); an internal signal in no constraint
   influences nothing and is noted (linear elimination leaves such wires, as circom --O2
   does with the inverse of `IsEqual()(a, b).out === 1`). A private input that circom --O2
   removed from the wires (in a .r1cs's nPrvIn, named by the .sym with wire -1) is in no
   constraint either: a warning, since the .r1cs cannot tell an input no constraint used
   (unconstrained) from one a linear constraint expressed through other signals, which then
   stand for it (an input forced equal to a public one).

2. Free linear signals. A private signal that occurs in exactly one constraint, and only
   linearly there (alone in C; or alone in A, resp. B, while the other factor is a
   non-zero constant), absorbs any values of the other signals of that constraint: the
   constraint only defines it and checks nothing else. An internal one is a value computed
   and never used (the `challenge^2` that binds a public input is one by design); a
   private input is reported as a warning, since whatever the constraint was meant to
   check about it, it does not.

3. Second witnesses. Starting from a satisfying witness, each candidate signal s is given
   a fresh random value and the system is re-solved around it: the constraints s breaks are
   repaired one at a time, each by solving it for one signal that occurs in it linearly
   and has not been changed yet, depth-first with backtracking under a budget of steps and
   of undos. Both choices follow an evaluation order recovered from the constraints alone
   (inputs first; a constraint with one unknown signal, occurring linearly, defines it; a
   signal no constraint defines is a hint), so the repair runs forward as a witness
   generator would, whatever the wire numbering: upstream constraints first, the
   downstream signal first. The constant, every public input and every input other than s
   stay fixed, so whatever else changes is forced by s alone. If the search ends with every
   constraint satisfied (checked again with `R1CS.is_satisfied`), a second witness exists,
   and what changed in it classifies the finding:
     - s a public output or an internal signal, and some public output changed: error,
       the output is not determined by the inputs;
     - s internal and no public signal changed: noted (e.g. the inverse in an is-zero test
       of a value that is zero, which any number satisfies);
     - s a private input used as a selector (the honest witness gives it a bit, and one
       factor of a product is s while the other combines several signals, as in a
       switcher or a two-product swap): error, the selector is not confined to {0, 1} (a
       random value passes);
     - s any other private input and no public signal changed: warning, a random field
       element passes every constraint on it and no public signal depends on it in this
       witness: either the constraints check nothing about it that a random value fails
       (an unchecked length, a missing range check) or this witness leaves it unused by
       design (the branch a multiplexer did not select), which only a reader can tell;
     - s any other private input and public outputs changed: noted, those outputs are
       chosen by the prover through s and pinned by no public input (by design for a
       nonce or a salt; a weakness when the input should have been tied to a registered
       value).
   Candidates are the private inputs, the public outputs, the selectors and the internal
   signals that occur in at most one constraint. Without a witness (an .r1cs file given
   without its .wtns) this pass is skipped and the report says so.

Limits. This finds cheap under-constraints: freedoms a one-signal change with local linear
re-solving can reach. It is not a proof of soundness: a repair that needs a nonlinear
solve (a second square root, the other root of a quadratic), a coordinated change of two
inputs, a crafted value rather than a random one (d = r - 5 passing a comparator), or a
different public input is out of its reach; a search that runs out of budget counts as
"pinned" and is listed in the notes. Replay, missing salts, low-entropy inputs and which
signals ought to be public are properties of the protocol, not of the constraints, and are
not visible to it at all.

Random values come from `secrets`: a finding does not depend on the value drawn, except
with negligible probability.
"""
import heapq
import re
import secrets
from dataclasses import asdict, dataclass, field

from zkwork.errors import ZkworkError
from zkwork.field import R
from zkwork.r1cs import WireKind

SEVERITIES = ("error", "warning", "info")
DEFAULT_DEPTH = 3  # namespaces as pattern/gadget/sub-gadget, like zkwork.patterns.BUDGET_DEPTH
STEP_BUDGET_PER_CONSTRAINT = 4  # a search may set at most 4 values per constraint...
BACKTRACK_BUDGET = 256  # ...and undo at most this many: a signal pinned by its inputs fails fast
KIND_NAMES = {WireKind.OUTPUT: "public output", WireKind.PUBLIC: "public input",
              WireKind.PRIVATE: "private input", WireKind.INTERNAL: "internal signal"}


class AuditInputError(ZkworkError, ValueError):
    """A witness that does not fit the R1CS under audit (length, first value, constraints)."""


@dataclass(frozen=True)
class Finding:
    """One under-constraint: its severity, kind, the signal by label and wire number, the
    constraint involved (by label, when there is one), a readable message, and for second
    witnesses the alternative value and the public outputs that changed."""

    severity: str
    kind: str
    signal: str
    wire: int
    message: str
    constraint: str = None
    value: int = None
    outputs: tuple = ()

    def to_dict(self):
        """The finding as a JSON-ready dict (the value as a decimal string, the outputs as a list)."""
        data = asdict(self)
        data["value"] = None if self.value is None else str(self.value)
        data["outputs"] = list(self.outputs)
        return data


@dataclass
class Report:
    """The findings on one R1CS, the notes on what was and was not checked, the
    per-gadget summary, and for a pattern the check of its documented weaknesses."""

    title: str
    stats: dict
    findings: list
    notes: list
    summary: object  # pandas DataFrame: namespace, constraints, error, warning, info
    documented: list = field(default_factory=list)  # dicts: weakness, status, finding kinds

    @property
    def errors(self):
        """The findings of severity "error"."""
        return [f for f in self.findings if f.severity == "error"]

    def count(self, severity):
        """The number of findings of `severity`."""
        return sum(1 for f in self.findings if f.severity == severity)

    def to_dict(self):
        """The report as a JSON-ready dict, with counts by severity and the summary as rows."""
        return {
            "title": self.title, "stats": self.stats,
            "counts": {s: self.count(s) for s in SEVERITIES},
            "findings": [f.to_dict() for f in self.findings], "notes": list(self.notes),
            "summary": self.summary.to_dict(orient="records"), "documented": list(self.documented),
        }

    def format(self):
        """The report as text: counts, findings by severity, summary, notes."""
        counts = ", ".join(f"{self.count(s)} {s}{'s' if self.count(s) != 1 else ''}" for s in SEVERITIES)
        size = f"{self.stats['constraints']:,} constraints, {self.stats['wires']:,} wires"
        lines = [f"== {self.title}", f"{size}; {counts}"]
        for severity in SEVERITIES:
            for finding in (f for f in self.findings if f.severity == severity):
                where = f" [{finding.constraint}]" if finding.constraint else ""
                lines.append(f"  {severity.upper():<7} {finding.kind:<22} {finding.signal}{where}")
                lines.append(f"          {finding.message}")
        if self.documented:
            lines.append("  weaknesses documented in patterns.md:")
            for item in self.documented:
                lines.append(f"    - {item['weakness']}: {item['status']}")
        lines.append("  per gadget:")
        for row in self.summary.itertuples():
            marks = ", ".join(f"{getattr(row, s)} {s}" for s in SEVERITIES if getattr(row, s))
            lines.append(f"    {row.namespace:<48} {row.constraints:>7,} constraints  {marks}")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


# -- the system's structure ------------------------------------------------------------------


def wire_kinds(r1cs):
    """The WireKind of every wire, from the R1CS's counts (circom's order)."""
    bounds = ((1 + r1cs.num_outputs, WireKind.OUTPUT), (1 + r1cs.num_public, WireKind.PUBLIC),
              (1 + r1cs.num_public + r1cs.num_private_input_wires, WireKind.PRIVATE))
    kinds = [WireKind.ONE]
    for wire in range(1, r1cs.num_wires):
        kinds.append(next((kind for bound, kind in bounds if wire < bound), WireKind.INTERNAL))
    return kinds


def occurrences(r1cs):
    """For every wire, the indices of the constraints that mention it (wire 0 included)."""
    occ = [[] for _ in range(r1cs.num_wires)]
    for i, rows in enumerate(zip(r1cs.A, r1cs.B, r1cs.C)):
        for wire in set().union(*rows):
            occ[wire].append(i)
    return occ


def _is_nonzero_constant(terms):
    return bool(terms) and all(w == 0 for w in terms)


def occurs_linearly(r1cs, i, wire):
    """Whether `wire` occurs linearly in constraint i: alone in C, or in one factor while
    the other is a non-zero constant."""
    a, b, c = r1cs.A[i], r1cs.B[i], r1cs.C[i]
    in_a, in_b = wire in a, wire in b
    if not in_a and not in_b:
        return wire in c
    if in_a and in_b or wire in c:
        return False
    return _is_nonzero_constant(b if in_a else a)


def selectors(r1cs, witness):
    """{wire: constraint index} of the signals used as selectors: the honest witness gives
    them a bit, and one factor of some product is the signal alone (s, or k s + c as in
    1 - s) while the other combines two or more signals (b - a in a switcher, where after
    linear elimination a and b are themselves combinations)."""
    found = {}
    for i, (a, b) in enumerate(zip(r1cs.A, r1cs.B)):
        for factor, other in ((a, b), (b, a)):
            signals = [w for w in factor if w != 0]
            if len(signals) == 1 and witness[signals[0]] in (0, 1) and sum(1 for w in other if w != 0) >= 2:
                found.setdefault(signals[0], i)
    return found


def label_of(r1cs, wire):
    """The label of `wire` in `r1cs` (its entry in wire_names)."""
    return r1cs.wire_names[wire]


# -- passes 1 and 2 ---------------------------------------------------------------------------


def unused_signals(r1cs, kinds=None, occ=None):
    """Findings for the wires that no constraint mentions, and the inputs that are no wires."""
    kinds = wire_kinds(r1cs) if kinds is None else kinds
    occ = occurrences(r1cs) if occ is None else occ
    findings = []
    for wire in range(1, r1cs.num_wires):
        if occ[wire]:
            continue
        kind, label = kinds[wire], label_of(r1cs, wire)
        if kind in (WireKind.PUBLIC, WireKind.PRIVATE):
            extra = " and the proof does not bind it (its IC point is zero)" if kind == WireKind.PUBLIC else ""
            findings.append(Finding("error", "unused-input", label, wire,
                                    f"{KIND_NAMES[kind]} in no constraint: the statement ignores it{extra}"))
        elif kind == WireKind.OUTPUT:
            findings.append(Finding("error", "unused-output", label, wire,
                                    "public output in no constraint: the prover chooses its value"))
        else:
            findings.append(Finding("info", "unused-internal", label, wire,
                                    "internal signal in no constraint: it influences nothing (linear "
                                    "elimination leaves such wires, as circom --O2 does)"))
    return findings + removed_inputs(r1cs)


def removed_inputs(r1cs):
    """Warnings for the private inputs the compiler removed from the wires (wire -1, as in
    circom's .sym): by name where the .sym gives one, the others counted in one finding."""
    why = ("private input that circom --O2 removed from the wires: no constraint holds it, so it is "
           "unconstrained, unless a linear constraint expressed it through other signals that stand for it "
           "(as an input forced equal to another); only the circuit's source tells which")
    findings = [Finding("warning", "removed-input", name, -1, why) for name in r1cs.removed_input_names]
    unnamed = r1cs.removed_inputs - len(r1cs.removed_input_names)
    if unnamed:
        findings.append(Finding("warning", "removed-input", f"unnamed private inputs ({unnamed})", -1,
                                f"{why} (circom's .sym names them)"))
    return findings


def free_linear_signals(r1cs, kinds=None, occ=None):
    """Findings for the private signals in exactly one constraint, linearly there."""
    kinds = wire_kinds(r1cs) if kinds is None else kinds
    occ = occurrences(r1cs) if occ is None else occ
    findings = []
    for wire in range(1, r1cs.num_wires):
        if len(occ[wire]) != 1 or kinds[wire] not in (WireKind.PRIVATE, WireKind.INTERNAL):
            continue
        i = occ[wire][0]
        if not occurs_linearly(r1cs, i, wire):
            continue
        label, constraint = label_of(r1cs, wire), r1cs.labels[i]
        if kinds[wire] == WireKind.PRIVATE:
            findings.append(Finding("warning", "free-linear-input", label, wire,
                                    "private input only in this constraint, linearly: it absorbs any values "
                                    "of the constraint's other signals, so the constraint checks nothing else",
                                    constraint=constraint))
        else:
            findings.append(Finding("info", "free-linear-internal", label, wire,
                                    "occurs only in this constraint, linearly: it absorbs any values of the "
                                    "constraint's other signals, so the constraint only defines it (a value used "
                                    "nowhere else, as challenge^2 by design; the second-witness search tells "
                                    "whether it leaves anything free)", constraint=constraint))
    return findings


# -- pass 3: second witnesses -----------------------------------------------------------------


def _evaluate(terms, witness):
    return sum(coeff * witness[wire] for wire, coeff in terms.items()) % R


def evaluation_levels(r1cs, kinds, occ):
    """For every wire, its depth in an evaluation order recovered from the constraints
    alone, whatever the wire numbering (zkwork's and circom's differ): inputs and the
    constant are at level 0; a constraint whose wires are all known but one, which occurs
    in it linearly, defines that one a level above the highest of the others; when no
    constraint defines anything, the lowest-numbered unknown wire is a hint (an inverse, a
    bit) and goes a level above the known wires of its constraints. Wires in no constraint
    stay at 0."""
    wires_of = [set(a) | set(b) | set(c) for a, b, c in zip(r1cs.A, r1cs.B, r1cs.C)]
    level = [0 if kinds[w] in (WireKind.ONE, WireKind.PUBLIC, WireKind.PRIVATE) or not occ[w] else None
             for w in range(r1cs.num_wires)]
    unknown = [sum(1 for w in ws if level[w] is None) for ws in wires_of]
    ready = [i for i, n in enumerate(unknown) if n == 1]
    pending = [w for w in range(r1cs.num_wires) if level[w] is None]  # ascending: a heap already

    def settle(wire, constraints):
        known = [level[w] for i in constraints for w in wires_of[i] if level[w] is not None]
        level[wire] = 1 + max(known, default=0)
        for i in occ[wire]:
            unknown[i] -= 1
            if unknown[i] == 1:
                ready.append(i)

    while pending:
        while ready:
            i = ready.pop()
            if unknown[i] != 1:
                continue
            wire = next(w for w in wires_of[i] if level[w] is None)
            if not (wire in r1cs.A[i] and wire in r1cs.B[i]):
                settle(wire, (i,))
        while pending and level[pending[0]] is not None:
            heapq.heappop(pending)
        if pending:
            wire = heapq.heappop(pending)
            settle(wire, occ[wire])
    return level


class Resolver:
    """Re-solves a witness around one changed signal (see the module docstring)."""

    def __init__(self, r1cs, kinds, occ):
        self.r1cs, self.kinds, self.occ = r1cs, kinds, occ
        self.budget = STEP_BUDGET_PER_CONSTRAINT * r1cs.num_constraints + 100
        self.level = evaluation_levels(r1cs, kinds, occ)
        # a constraint is repaired in evaluation order: by the level of the wire it defines
        self.order = [max((self.level[w] for w in set(a) | set(b) | set(c)), default=0)
                      for a, b, c in zip(r1cs.A, r1cs.B, r1cs.C)]

    def holds(self, w, i):
        """Whether constraint i holds for the values `w`."""
        r = self.r1cs
        return _evaluate(r.A[i], w) * _evaluate(r.B[i], w) % R == _evaluate(r.C[i], w)

    def solve_for(self, w, i, wire):
        """The value of `wire` that satisfies constraint i given the other values, or None
        when the constraint does not fix it (it occurs in both factors, or its coefficient
        vanishes here)."""
        r = self.r1cs
        a_k, b_k, c_k = r.A[i].get(wire, 0), r.B[i].get(wire, 0), r.C[i].get(wire, 0)
        if a_k and b_k:
            return None
        x = w[wire]
        a0 = (_evaluate(r.A[i], w) - a_k * x) % R
        b0 = (_evaluate(r.B[i], w) - b_k * x) % R
        c0 = (_evaluate(r.C[i], w) - c_k * x) % R
        # (a_k x + a0)(b_k x + b0) = c_k x + c0 with a_k b_k = 0 is linear in x
        slope = (a_k * b0 + b_k * a0 - c_k) % R
        if slope == 0:
            return None
        return (c0 - a0 * b0) * pow(slope, -1, R) % R

    def candidates(self, i, fixed, changed):
        """The wires that may be re-solved to repair constraint i, downstream first."""
        r = self.r1cs
        wires = set(r.A[i]) | set(r.B[i]) | set(r.C[i])
        free = [w for w in wires if w not in fixed and w not in changed]
        return sorted(free, key=lambda w: (self.level[w], w), reverse=True)

    def second_witness(self, witness, signal, value):
        """A satisfying witness equal to `witness` on every input but `signal`, which is
        `value`; None if the search finds none ("pinned") or runs out of budget
        ("budget")."""
        kinds = self.kinds
        fixed = {w for w in range(self.r1cs.num_wires)
                 if kinds[w] in (WireKind.ONE, WireKind.PUBLIC, WireKind.PRIVATE) and w != signal}
        w = list(witness)
        w[signal] = value
        changed = {signal}
        heap, queued = [], set()

        def push(indices):
            for j in indices:
                if j not in queued:
                    queued.add(j)
                    heapq.heappush(heap, (self.order[j], j))

        push(self.occ[signal])
        frames, steps, backtracks = [], 0, 0  # frame: [constraint, candidates, next candidate, wire set, its old value]
        while True:
            violated = None
            while heap:
                _, j = heapq.heappop(heap)
                queued.discard(j)
                if not self.holds(w, j):
                    violated = j
                    break
            if violated is None:
                return w, "found"
            frames.append([violated, self.candidates(violated, fixed, changed), 0, None, None])
            while True:
                if not frames:
                    return None, "pinned"
                frame = frames[-1]
                if frame[3] is not None:  # undo this frame's last attempt
                    backtracks += 1
                    if backtracks > BACKTRACK_BUDGET:
                        return None, "budget"
                    wire = frame[3]
                    w[wire] = frame[4]
                    changed.discard(wire)
                    frame[3] = None
                    push(self.occ[wire])
                    push((frame[0],))
                if frame[2] >= len(frame[1]):
                    frames.pop()
                    continue
                wire = frame[1][frame[2]]
                frame[2] += 1
                x = self.solve_for(w, frame[0], wire)
                if x is None:
                    continue
                steps += 1
                if steps > self.budget:
                    return None, "budget"
                frame[3], frame[4] = wire, w[wire]
                w[wire] = x
                changed.add(wire)
                push(self.occ[wire])
                break


def _random_other(value, avoid=()):
    while True:
        x = secrets.randbelow(R)
        if x != value and x not in avoid:
            return x


def second_witnesses(r1cs, witness, kinds=None, occ=None):
    """(findings, statistics) of pass 3 over the candidates (see the module docstring)."""
    kinds = wire_kinds(r1cs) if kinds is None else kinds
    occ = occurrences(r1cs) if occ is None else occ
    selector_of = {w: i for w, i in selectors(r1cs, witness).items()
                   if kinds[w] in (WireKind.PRIVATE, WireKind.INTERNAL)}
    candidates = sorted(
        w for w in range(1, r1cs.num_wires)
        if kinds[w] in (WireKind.PRIVATE, WireKind.OUTPUT) or w in selector_of
        or (kinds[w] == WireKind.INTERNAL and len(occ[w]) <= 1 and occ[w])
    )
    resolver = Resolver(r1cs, kinds, occ)
    outputs = range(1, 1 + r1cs.num_outputs)
    findings, stats = [], {"candidates": len(candidates), "found": 0, "pinned": 0, "budget": 0}
    for wire in candidates:
        value = _random_other(witness[wire], avoid=(0, 1) if wire in selector_of else ())
        other, outcome = resolver.second_witness(witness, wire, value)
        if other is not None and not r1cs.is_satisfied(other):
            outcome = "pinned"  # cannot happen: every constraint the changes touch was re-checked
        stats[outcome] += 1
        if outcome == "found":
            changed = tuple(label_of(r1cs, o) for o in outputs if other[o] != witness[o])
            finding = _classify(r1cs, kinds, occ, wire, value, changed, selector_of)
            if finding is not None:
                findings.append(finding)
    return findings, stats


def _short(value):
    text = str(value)
    return text if len(text) <= 20 else f"{text[:8]}...{text[-6:]}"


def _classify(r1cs, kinds, occ, wire, value, changed, selector_of):
    label, kind = label_of(r1cs, wire), kinds[wire]
    constraint = r1cs.labels[occ[wire][0]] if len(occ[wire]) == 1 else None
    shown = ", ".join(changed)
    alternative = (f"a second witness with {label} = {_short(value)} and every other input unchanged satisfies "
                   "every constraint")
    if kind == WireKind.OUTPUT:
        return Finding("error", "undetermined-output", label, wire,
                       f"{alternative}: the output is not determined by the inputs", constraint=constraint,
                       value=value, outputs=changed)
    if wire in selector_of:
        constraint = r1cs.labels[selector_of[wire]]
        if kind == WireKind.PRIVATE or changed:
            effect = f"; public outputs change: {shown}" if changed else ""
            return Finding("error", "unconfined-selector", label, wire,
                           f"selects between signals but is not confined to {{0, 1}}: {alternative}{effect}",
                           constraint=constraint, value=value, outputs=changed)
    if kind == WireKind.INTERNAL:
        if changed:
            return Finding("error", "undetermined-output", label, wire,
                           f"{alternative}, with public outputs {shown} changed: they are not determined by "
                           "the inputs", constraint=constraint, value=value, outputs=changed)
        return Finding("info", "undetermined-internal", label, wire,
                       f"{alternative}; no public signal depends on it", constraint=constraint, value=value)
    if not changed:
        return Finding("warning", "unconfined-input", label, wire,
                       f"a random value passes every constraint on it ({alternative}) and no public signal "
                       "changes: its constraints check nothing a random field element fails (a missing range "
                       "check), unless this witness leaves it unused by design (an unselected branch)",
                       constraint=constraint, value=value)
    return Finding("info", "prover-chosen-output", label, wire,
                   f"public outputs {shown} depend on it and no public input pins it: the prover chooses "
                   "them through it (by design for a nonce or salt)", constraint=constraint, value=value,
                   outputs=changed)


# -- the report --------------------------------------------------------------------------------


def namespace(label, depth=DEFAULT_DEPTH):
    """A label's gadget: its path without the last component and without indices, cut to
    `depth` components, grouped as `R1CS.budget(depth)` groups constraints."""
    parts = [re.sub(r"\[\d+\]$", "", p) for p in label.split("/")[:-1]] or ["(top level)"]
    return "/".join(parts[:depth])


def gadget_summary(r1cs, findings, depth=DEFAULT_DEPTH):
    """Constraints per namespace (R1CS.budget) with the findings counted where they sit:
    the namespace of their constraint, or of their signal when they have none."""
    frame = r1cs.budget(depth)[["namespace", "constraints"]].copy()
    counts = {}
    for finding in findings:
        key = namespace(finding.constraint or finding.signal, depth)
        counts.setdefault(key, dict.fromkeys(SEVERITIES, 0))[finding.severity] += 1
    missing = [k for k in counts if k not in set(frame["namespace"])]
    if missing:
        import pandas as pd

        frame = pd.concat([frame, pd.DataFrame({"namespace": missing, "constraints": 0})], ignore_index=True)
    for severity in SEVERITIES:
        frame[severity] = [counts.get(k, {}).get(severity, 0) for k in frame["namespace"]]
    return frame.reset_index(drop=True)


def check_witness(r1cs, witness):
    """Raise AuditInputError unless `witness` is a satisfying witness of `r1cs`."""
    if len(witness) != r1cs.num_wires or witness[0] != 1:
        raise AuditInputError(f"the witness has {len(witness)} values (first {witness[0] if witness else None}); "
                              f"the R1CS has {r1cs.num_wires} wires and the first value is 1")
    result = r1cs.is_satisfied(witness)
    if not result:
        raise AuditInputError(f"the witness does not satisfy the R1CS: {result}")


def audit_r1cs(r1cs, witness=None, title="r1cs", depth=DEFAULT_DEPTH):
    """The under-constraint Report of `r1cs`; pass 3 runs only with a satisfying `witness`."""
    kinds, occ = wire_kinds(r1cs), occurrences(r1cs)
    findings = unused_signals(r1cs, kinds, occ) + free_linear_signals(r1cs, kinds, occ)
    notes = []
    if witness is None:
        notes.append("second-witness search skipped: no witness given (--witness FILE.wtns)")
    else:
        check_witness(r1cs, witness)
        found, stats = second_witnesses(r1cs, witness, kinds, occ)
        findings += found
        notes.append(f"second-witness search: {stats['candidates']} candidate signals, {stats['found']} with a "
                     f"second witness, {stats['pinned']} pinned, {stats['budget']} given up at the search budget "
                     "(inconclusive, counted as pinned)")
    notes.append("structural analysis: finds cheap under-constraints, not a proof of soundness")
    order = {s: k for k, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (order[f.severity], f.wire))
    stats = {"constraints": r1cs.num_constraints, "wires": r1cs.num_wires, "public_outputs": r1cs.num_outputs,
             "public_inputs": r1cs.num_public_inputs, "private_inputs": r1cs.num_private_inputs}
    return Report(title, stats, findings, notes, gadget_summary(r1cs, findings, depth))
