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
"""
import contextlib

from zkwork.errors import CircuitError, CircuitInputError, UnsatisfiedConstraintError
from zkwork.field import FieldElement, R
from zkwork.r1cs.lc import ONE, LinearCombination
from zkwork.r1cs.r1cs import assemble
from zkwork.r1cs.wires import WireKind


class ConstraintSystem:
    """Records wires and constraints A * B = C; with `inputs`, also computes every value."""

    def __init__(self, inputs=None):
        self.computing = inputs is not None
        self._inputs = dict(inputs) if inputs is not None else None
        self._used_inputs = set()
        self.values = [1]
        self.kinds = [WireKind.ONE]
        self.names = ["one"]
        self.constraints = []  # (A, B, C, label) with A, B, C term dicts
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

    def _new_wire(self, kind, name, value):
        self.values.append(value)
        self.kinds.append(kind)
        self.names.append(self.label(name))
        return LinearCombination(self, {len(self.values) - 1: 1})

    def _input(self, kind, name, n):
        if not self.computing:
            values = [None] * (1 if n is None else n)
        else:
            values = self._input_values(name, n)
        wires = [self._new_wire(kind, name if n is None else f"{name}[{i}]", v) for i, v in enumerate(values)]
        return wires[0] if n is None else wires

    def _input_values(self, name, n):
        if name not in self._inputs:
            raise CircuitInputError(f"missing input {self.label(name)!r}")
        self._used_inputs.add(name)
        given = self._inputs[name]
        if n is None:
            return [self._field_value(name, given)]
        if isinstance(given, (str, bytes)) or not hasattr(given, "__len__") or len(given) != n:
            got = len(given) if hasattr(given, "__len__") else type(given).__name__
            raise CircuitInputError(f"input {self.label(name)!r} must be a list of {n} values, got {got}")
        return [self._field_value(f"{name}[{i}]", v) for i, v in enumerate(given)]

    def _field_value(self, name, value):
        if isinstance(value, FieldElement) and value.field.modulus == R:
            return value.value
        if isinstance(value, bool) or not isinstance(value, int):
            raise CircuitInputError(f"input {self.label(name)!r} must be an int or Fr element, got {value!r}")
        if not 0 <= value < R:
            raise CircuitInputError(f"input {self.label(name)!r} = {value} is not a field element (0 <= x < r)")
        return value

    def public_input(self, name, n=None):
        """A public input signal (or a list of n), in declaration order after the outputs."""
        return self._input(WireKind.PUBLIC, name, n)

    def private_input(self, name, n=None):
        """A private input signal (or a list of n), in declaration order after the public inputs."""
        return self._input(WireKind.PRIVATE, name, n)

    def public_output(self, name, lc):
        """Declares `lc` a public output: a new output wire constrained to equal it."""
        lc = self._lc(lc)
        out = self._new_wire(WireKind.OUTPUT, name, lc.value if self.computing else None)
        self.assert_equal(out, lc, name)
        return out

    def internal(self, name, value=None):
        """A new internal signal; `value` is what it holds while computing."""
        return self._new_wire(WireKind.INTERNAL, name, value if self.computing else None)

    def hint(self, name, compute, *args, n=None):
        """New internal signal(s) whose values `compute(*arg_values)` supplies outside the
        constraints (an inverse, the bits of a number). Unconstrained until the caller
        constrains them: this is the one place where a circuit trusts the prover."""
        if self.computing:
            result = compute(*(self._lc(a).value for a in args))
            values = [result] if n is None else list(result)
            if len(values) != (1 if n is None else n):
                raise CircuitError(f"hint {self.label(name)!r} returned {len(values)} values, expected {n}")
        else:
            values = [None] * (1 if n is None else n)
        wires = [self.internal(name if n is None else f"{name}[{i}]", v % R if v is not None else None)
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
        c = self.internal(name, value)
        self.enforce(a, b, c, name)
        return c

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
            unused = set(self._inputs) - self._used_inputs
            if unused:
                raise CircuitInputError(f"inputs the circuit does not take: {sorted(unused)}")
            violation = self.first_violation() if check else None
            if violation:
                label, a, b, c = violation
                raise UnsatisfiedConstraintError(
                    f"the inputs violate constraint {label}: A*B = {a}*{b} != C = {c}"
                )
        return assemble(self, simplify)
