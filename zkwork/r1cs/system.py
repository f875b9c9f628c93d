"""The constraint system a circuit writes itself into.

One circuit description serves two purposes, as in arkworks' synthesizers: run without
inputs, it only records the constraints; run with inputs, every signal also gets its value,
which yields the full witness. A circuit is a plain function `circuit(cs, **params)` that
declares its inputs, computes with LinearCombinations and declares its outputs.

Wires are numbered as circom numbers them in the finished system: the constant 1, the
public outputs, the public inputs, the private inputs, then the internal signals. Inputs
and outputs can be declared in any order while the circuit runs; `finish` renumbers.

Every constraint carries the namespace path it was made in
(`membership/level[3]/poseidon/full_round[1]/sbox[2]/mul`), so budgets can be broken down
by gadget and a failing constraint can be named.

Every wire also records where its value comes from (`sources`: an input value, a product
of two linear combinations, a linear combination, a hint), and constraints that hold by
construction (a product's, an output's) are marked `implied`: what a WitnessProgram needs to
compute the witness again without running the circuit.
"""
import contextlib

from zkwork.errors import CircuitError, UnsatisfiedConstraintError
from zkwork.field import FieldElement, R
from zkwork.r1cs.hints import Hint
from zkwork.r1cs.inputs import check_no_extra, input_values
from zkwork.r1cs.lc import ONE, LinearCombination
from zkwork.r1cs.r1cs import assemble
from zkwork.r1cs.wires import WireKind


class ConstraintSystem:
    """Records wires and constraints A * B = C; with `inputs`, also computes every value."""

    def __init__(self, inputs=None):
        self.computing = inputs is not None
        self._inputs = dict(inputs) if inputs is not None else None
        self.values = [1]
        self.kinds = [WireKind.ONE]
        self.names = ["one"]
        self.constraints = []  # (A, B, C, label) with A, B, C term dicts
        self.sources = [("one",)]  # per wire: how its value is computed (see the module)
        self.input_layout = []  # (name, label, n or None) of each input, in declaration order
        self.implied = set()  # indices of the constraints that hold by construction
        self._path = []

    # -- namespaces ------------------------------------------------------------------
    @contextlib.contextmanager
    def namespace(self, name, index=None):
        """A context manager naming the constraints made inside it name (or name[index])."""
        self._path.append(name if index is None else f"{name}[{index}]")
        try:
            yield
        finally:
            self._path.pop()

    def label(self, name):
        """The full namespace path of `name`, joined with "/"."""
        return "/".join(self._path + [name])

    # -- wires -----------------------------------------------------------------------
    def constant(self, value):
        """The constant value (reduced mod r) as a LinearCombination, with no wire."""
        value = int(value) % R
        return LinearCombination(self, {ONE: value} if value else {})

    def _new_wire(self, kind, name, value, source):
        self.sources.append(source)
        self.values.append(value)
        self.kinds.append(kind)
        self.names.append(self.label(name))
        return LinearCombination(self, {len(self.values) - 1: 1})

    def _input(self, kind, name, n):
        first = sum(1 if count is None else count for _, _, count in self.input_layout)
        self.input_layout.append((name, self.label(name), n))
        if not self.computing:
            values = [None] * (1 if n is None else n)
        else:
            values = input_values(self._inputs, name, self.label(name), n)
        wires = [self._new_wire(kind, name if n is None else f"{name}[{i}]", v, ("input", first + i))
                 for i, v in enumerate(values)]
        return wires[0] if n is None else wires

    def public_input(self, name, n=None):
        """A public input signal (or a list of n), in declaration order after the outputs."""
        return self._input(WireKind.PUBLIC, name, n)

    def private_input(self, name, n=None):
        """A private input signal (or a list of n), in declaration order after the public inputs."""
        return self._input(WireKind.PRIVATE, name, n)

    def public_output(self, name, lc):
        """Declares `lc` a public output: a new output wire constrained to equal it."""
        lc = self._lc(lc)
        out = self._new_wire(WireKind.OUTPUT, name, lc.value if self.computing else None, ("lc", lc.terms))
        self._implied(self.assert_equal, out, lc, name)
        return out

    def internal(self, name, value=None, source=("free",)):
        """A new internal signal; `value` is what it holds while computing, `source` how a
        WitnessProgram computes it (("free",): it cannot, the circuit sets it by hand)."""
        return self._new_wire(WireKind.INTERNAL, name, value if self.computing else None, source)

    def hint(self, name, compute, *args, n=None):
        """New internal signal(s) whose values `compute(*arg_values)` supplies outside the
        constraints (an inverse, the bits of a number). Unconstrained until the caller
        constrains them: this is the one place where a circuit trusts the prover. A
        zkwork.r1cs.hints.Hint of one argument can be compiled into a WitnessProgram."""
        if self.computing:
            result = compute(*(self._lc(a).value for a in args))
            values = [result] if n is None else list(result)
            if len(values) != (1 if n is None else n):
                raise CircuitError(f"hint {self.label(name)!r} returned {len(values)} values, expected {n}")
        else:
            values = [None] * (1 if n is None else n)
        compiled = isinstance(compute, Hint) and len(args) == 1
        arg = self._lc(args[0]).terms if compiled else None
        wires = [self.internal(name if n is None else f"{name}[{i}]", v % R if v is not None else None,
                               ("hint", compute, arg, i) if compiled else ("free",))
                 for i, v in enumerate(values)]
        return wires[0] if n is None else wires

    # -- constraints -----------------------------------------------------------------
    def _lc(self, x):
        if isinstance(x, LinearCombination):
            if x.cs is not self:
                raise CircuitError("cannot combine signals of two different constraint systems")
            return x
        if isinstance(x, FieldElement):
            return self.constant(x.value)
        return self.constant(x)

    def enforce(self, a, b, c, name="enforce"):
        """The constraint a * b = c. A constraint between constants is checked now."""
        a, b, c = self._lc(a), self._lc(b), self._lc(c)
        if a.is_constant() and b.is_constant() and c.is_constant():
            if a.constant_value() * b.constant_value() % R != c.constant_value():
                raise CircuitError(f"constant constraint {self.label(name)!r} can never hold")
            return
        self.constraints.append((a.terms, b.terms, c.terms, self.label(name)))

    def mul(self, a, b, name="mul"):
        """A new signal holding a * b, and the constraint that says so."""
        a, b = self._lc(a), self._lc(b)
        value = a.value * b.value % R if self.computing else None
        c = self.internal(name, value, ("mul", a.terms, b.terms))
        self._implied(self.enforce, a, b, c, name)
        return c

    def mul_add(self, a, b, c, name="mul_add"):
        """A new signal holding a * b + c, with the one constraint a * b = out - c: circom's
        `out <== a * b + c`, whose wire holds the sum (where `mul(a, b) + c` keeps the product)."""
        a, b, c = self._lc(a), self._lc(b), self._lc(c)
        value = (a.value * b.value + c.value) % R if self.computing else None
        out = self.internal(name, value, ("mul_add", a.terms, b.terms, c.terms))
        self._implied(self.enforce, a, b, out - c, name)
        return out

    def _implied(self, constrain, *args):
        """Writes a constraint that holds by construction and marks it so."""
        count = len(self.constraints)
        constrain(*args)
        self.implied.update(range(count, len(self.constraints)))

    def assert_equal(self, a, b, name="equal"):
        """a == b, a linear constraint (a - b) * 1 = 0."""
        self.enforce(self._lc(a) - self._lc(b), 1, 0, name)

    def assert_boolean(self, x, name="boolean"):
        """x in {0, 1}: x * (x - 1) = 0."""
        x = self._lc(x)
        self.enforce(x, x - 1, 0, name)

    # -- the finished system -----------------------------------------------------------
    def first_violation(self):
        """(label, a, b, c) of the first constraint the computed values violate, or None.
        Elimination drops constraints together with the signals they define, so this
        check of every constraint as written is what catches inputs the statement
        excludes, as circom's witness calculator does with its assertions."""
        values = self.values
        for a, b, c, label in self.constraints:
            va, vb, vc = (sum(k * values[w] for w, k in t.items()) % R for t in (a, b, c))
            if va * vb % R != vc:
                return label, va, vb, vc
        return None

    def finish(self, simplify=True, check=True):
        """The R1CS (and, when computing, its witness), with wires in circom's order and,
        with `simplify`, linear constraints eliminated as circom --O2 does. With `check`,
        computed values that violate a constraint raise UnsatisfiedConstraintError."""
        if self.computing:
            check_no_extra(self._inputs, [name for name, _, _ in self.input_layout])
            violation = self.first_violation() if check else None
            if violation:
                raise unsatisfied(*violation)
        return assemble(self, simplify)


def unsatisfied(label, a, b, c):
    """The UnsatisfiedConstraintError of inputs violating constraint `label` (A*B = a*b != C = c)."""
    return UnsatisfiedConstraintError(f"the inputs violate constraint {label}: A*B = {a}*{b} != C = {c}")


def input_layout(circuit):
    """The input layout ((name, label, n or None) per input) of `circuit(cs)`: the circuit is
    run without values, as WitnessProgram.record runs it, and nothing else is kept."""
    cs = ConstraintSystem()
    circuit(cs)
    return list(cs.input_layout)
