"""The finished rank-1 constraint system: wires in circom's order, constraints A * B = C,
their labels, the witness check and the budget statistics.

`assemble` turns a ConstraintSystem into an R1CS. With `simplify` it eliminates linear
constraints the way circom --O2 does, so that budgets mean the same as circom's:
  - a linear constraint L = 0 that mentions a removable signal (a private input or an
    internal signal; public signals never go) is solved for the removable signal with
    the highest final wire number, which is substituted everywhere, and L disappears;
    one that mentions only public signals stays;
  - substitution can make further constraints linear, so this repeats until nothing changes;
  - private inputs and internal signals that the first round leaves in no constraint are
    dropped from the wires (see _simplify for the ones later rounds orphan).
"""
import re
from dataclasses import dataclass, field

from zkwork.errors import UnsatisfiedConstraintError
from zkwork.field import R
from zkwork.r1cs.lc import ONE
from zkwork.r1cs.wires import WireKind


def _axpy(target, terms, k):
    """target += k * terms (dicts of wire -> coeff mod r)."""
    for wire, coeff in terms.items():
        c = (target.get(wire, 0) + k * coeff) % R
        if c:
            target[wire] = c
        else:
            target.pop(wire, None)


def _evaluate(terms, witness):
    return sum(coeff * witness[wire] for wire, coeff in terms.items()) % R


def _is_constant(terms):
    return all(wire == ONE for wire in terms)


def _linear_form(a, b, c):
    """L with (L = 0) <=> (a * b = c) when one factor is constant; None otherwise."""
    if _is_constant(a) or _is_constant(b):
        k, other = (a.get(ONE, 0), b) if _is_constant(a) else (b.get(ONE, 0), a)
        form = {}
        _axpy(form, other, k)
        _axpy(form, c, R - 1)
        return form
    return None


class _Eliminator:
    """Substitutions wire -> terms, kept fully resolved (no eliminated wire on any right side)."""

    def __init__(self, kinds):
        self.kinds = kinds
        self.subs = {}

    def resolve(self, terms):
        if not any(w in self.subs for w in terms):
            return terms
        out = {}
        for wire, coeff in terms.items():
            _axpy(out, self.subs[wire] if wire in self.subs else {wire: 1}, coeff)
        return out

    def eliminate(self, form):
        """Solve form = 0 for its removable wire numbered last; False if it has none."""
        candidates = [w for w in form if self.kinds[w] in REMOVABLE]
        if not candidates:
            return False
        wire = max(candidates, key=lambda w: (self.kinds[w], w))
        inv = pow(form[wire], -1, R)
        solution = {}
        _axpy(solution, {w: c for w, c in form.items() if w != wire}, R - inv)
        for other, terms in self.subs.items():
            if wire in terms:
                self.subs[other] = self.resolve_one(terms, wire, solution)
        self.subs[wire] = solution
        return True

    @staticmethod
    def resolve_one(terms, wire, solution):
        out = {w: c for w, c in terms.items() if w != wire}
        _axpy(out, solution, terms[wire])
        return out


REMOVABLE = (WireKind.PRIVATE, WireKind.INTERNAL)


def _wires(constraints):
    return {w for a, b, c, _ in constraints for terms in (a, b, c) for w in terms}


def _simplify(constraints, kinds):
    """(remaining constraints, wires to keep: those in use after the first round and not
    solved for later). A round solves the
    constraints that are linear when it starts; substituting them can make others linear,
    which the next round takes. circom drops the signals that the first round leaves in
    no constraint and keeps, as wires, those that later rounds orphan (measured with
    circom2: the inverse inside `IsEqual(a, b).out === 1` keeps its wire)."""
    eliminator = _Eliminator(kinds)
    pending, first_round_wires = list(constraints), None
    while True:
        resolved = [(eliminator.resolve(a), eliminator.resolve(b), eliminator.resolve(c), label)
                    for a, b, c, label in pending]
        kept, progress = [], False
        for a, b, c, label in resolved:
            form = _linear_form(a, b, c)
            if form is not None:
                form = eliminator.resolve(form)  # with this round's earlier solutions
                if not form:
                    continue  # a tautology
                if eliminator.eliminate(form):
                    progress = True
                    continue
            kept.append((a, b, c, label))
        pending = [(eliminator.resolve(a), eliminator.resolve(b), eliminator.resolve(c), label)
                   for a, b, c, label in kept]
        if first_round_wires is None:
            first_round_wires = _wires(pending)
        if not progress:
            return pending, first_round_wires - set(eliminator.subs)


@dataclass
class Satisfaction:
    """The outcome of checking a witness: truthy when every constraint holds, else the
    first failing constraint with its label and the values of A, B and C."""

    index: int = None
    label: str = None
    a: int = None
    b: int = None
    c: int = None

    def __bool__(self):
        return self.index is None

    def __str__(self):
        if self:
            return "all constraints hold"
        return f"constraint {self.index} ({self.label}) fails: A*B = {self.a}*{self.b} != C = {self.c}"


@dataclass
class R1CS:
    """Constraints A_i * B_i = C_i over Fr; rows are {wire: coeff} dicts, wires numbered
    one, outputs, public inputs, private inputs, internal signals."""

    A: list
    B: list
    C: list
    labels: list
    wire_names: list
    num_outputs: int
    num_public_inputs: int
    num_private_inputs: int
    _stats: dict = field(default=None, repr=False)
    # Private inputs counted in num_private_inputs that the compiler removed from the wires
    # (circom --O2 keeps them in its header's nPrvIn), and the names its .sym gives them.
    removed_inputs: int = 0
    removed_input_names: tuple = ()
    # For an R1CS built from a circuit: the circuit's wire number of each of these wires
    # (what a WitnessProgram reads its witness from); None when read from a file.
    source_wires: tuple = field(default=None, repr=False, compare=False)

    @property
    def num_constraints(self):
        """The number of constraints A_i * B_i = C_i."""
        return len(self.labels)

    @property
    def num_wires(self):
        """The number of wires, the constant one included."""
        return len(self.wire_names)

    @property
    def num_private_input_wires(self):
        """The private inputs that are wires: those declared, less those the compiler removed."""
        return self.num_private_inputs - self.removed_inputs

    @property
    def num_public(self):
        """Public signals as snarkjs counts them: outputs, then public inputs."""
        return self.num_outputs + self.num_public_inputs

    def public_signals(self, witness):
        """The public values of a witness: outputs, then public inputs, as snarkjs lists them."""
        return list(witness[1 : 1 + self.num_public])

    def is_satisfied(self, witness):
        """A Satisfaction, falsy at the first failing constraint; UnsatisfiedConstraintError if malformed."""
        if len(witness) != self.num_wires or witness[0] != 1:
            raise UnsatisfiedConstraintError(
                f"a witness has {self.num_wires} values starting with 1; got {len(witness)} values"
            )
        for i, (a, b, c) in enumerate(zip(self.A, self.B, self.C)):
            va, vb, vc = _evaluate(a, witness), _evaluate(b, witness), _evaluate(c, witness)
            if va * vb % R != vc:
                return Satisfaction(i, self.labels[i], va, vb, vc)
        return Satisfaction()

    def assert_satisfied(self, witness):
        """Raises UnsatisfiedConstraintError naming the first failing constraint, if any."""
        result = self.is_satisfied(witness)
        if not result:
            raise UnsatisfiedConstraintError(str(result))

    def stats(self):
        """Sizes as data: constraints, wires, public and private counts, non-zeros."""
        return {
            "constraints": self.num_constraints,
            "wires": self.num_wires,
            "public_outputs": self.num_outputs,
            "public_inputs": self.num_public_inputs,
            "private_inputs": self.num_private_inputs,
            "internal_signals": self.num_wires - 1 - self.num_public - self.num_private_input_wires,
            "nonzeros_A": sum(map(len, self.A)),
            "nonzeros_B": sum(map(len, self.B)),
            "nonzeros_C": sum(map(len, self.C)),
        }

    def budget(self, depth=None):
        """Constraints per namespace as a pandas DataFrame, most expensive first. Labels are
        cut to their first `depth` path components (all but the constraint's own name by
        default) with indices dropped, so `level[3]/poseidon/...` counts under `level/poseidon`."""
        import pandas as pd

        counts = {}
        for label in self.labels:
            parts = [re.sub(r"\[\d+\]$", "", p) for p in label.split("/")[:-1]] or ["(top level)"]
            key = "/".join(parts if depth is None else parts[:depth])
            counts[key] = counts.get(key, 0) + 1
        frame = pd.DataFrame(sorted(counts.items(), key=lambda kv: -kv[1]), columns=["namespace", "constraints"])
        frame["share"] = frame["constraints"] / max(self.num_constraints, 1)
        return frame


def assemble(cs, simplify):
    """The R1CS of a ConstraintSystem (and its witness when it computed one)."""
    if simplify:
        constraints, first_round_wires = _simplify(cs.constraints, cs.kinds)
        kept = [w for w in range(len(cs.kinds)) if cs.kinds[w] not in REMOVABLE or w in first_round_wires]
    else:
        constraints, kept = cs.constraints, range(len(cs.kinds))
    order = sorted(kept, key=lambda w: (cs.kinds[w], w))
    renumber = {old: new for new, old in enumerate(order)}

    def rows(k):
        return [{renumber[w]: c for w, c in constraint[k].items()} for constraint in constraints]

    count = {kind: sum(1 for w in order if cs.kinds[w] == kind) for kind in WireKind}
    r1cs = R1CS(
        A=rows(0), B=rows(1), C=rows(2), labels=[c[3] for c in constraints],
        wire_names=[cs.names[w] for w in order], num_outputs=count[WireKind.OUTPUT],
        num_public_inputs=count[WireKind.PUBLIC], num_private_inputs=count[WireKind.PRIVATE],
        source_wires=tuple(order),
    )
    witness = [cs.values[w] for w in order] if cs.computing else None
    return r1cs, witness
