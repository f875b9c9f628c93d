"""A circuit's solve recorded once and re-run without the DSL: a WitnessProgram.

Running a circuit in the DSL builds dicts of linear combinations for every signal, then
checks every constraint in Python: ~0.5 s for membership/hardened at depth 20, more than
the Groth16 prove. Yet the computation does not depend on the inputs' values: each wire's
value is an input, a product of two linear combinations of earlier wires (plus a third),
a linear combination (an output), or a hint of one (bits, an inverse). `record` runs the circuit
once without values, noting each wire's source (ConstraintSystem.sources), and lowers the
sources to straight-line operations for the numba kernel of zkwork.r1cs.witness_kernel:

  - a linear combination used as an operand is computed once into a temporary register
    (Poseidon's S-box input is used by x2 = x*x and by x5 = x4*x), unless it is a single
    wire with coefficient one, which is used in place;
  - hints keep their data-dependent branches (the inverse of zero is zero; bits are those
    of the value), as the Python hints do;
  - constraints that hold by construction (a product's, an output's) are not checked;
    every other constraint is, as written (before linear elimination), so inputs the
    statement excludes fail at the constraint that says so, as they do in the DSL.

`run(inputs)` checks the inputs as the DSL does (zkwork.r1cs.inputs), runs the kernel and
returns the witness of the R1CS that `record` built (--O2's wires, in circom's order).
A WitnessProgram is plain data (numpy arrays, names): it pickles to worker processes.
"""
import numpy as np

from zkwork.errors import CircuitError
from zkwork.field import FR, FieldVector, R
import zkwork.r1cs.witness_kernel as kernel
from zkwork.r1cs.inputs import check_inputs
from zkwork.r1cs.system import ConstraintSystem, unsatisfied

_HINT_OPS = {"bits": kernel.BITS, "inverse": kernel.INVERSE}


class _Lowering:
    """Turns a ConstraintSystem's sources into kernel operations over registers."""

    def __init__(self, cs):
        self.cs = cs
        self.registers = len(cs.sources)
        self.ops, self.combinations, self.memo = [], [], {}

    def register(self, terms):
        """The register holding the linear combination `terms`, computing it if needed."""
        if len(terms) == 1:
            (wire, coeff), = terms.items()
            if coeff == 1:
                return wire
        key = tuple(sorted(terms.items()))
        if key not in self.memo:
            self.memo[key] = self.registers
            self.ops.append((kernel.LC, self.registers, len(self.combinations), 0, 0))
            self.combinations.append(key)
            self.registers += 1
        return self.memo[key]

    def wire(self, wire, source):
        """The operation computing `wire` from its source."""
        kind = source[0]
        if kind == "input":
            self.ops.append((kernel.INPUT, wire, source[1], 0, 0))
        elif kind == "mul":
            a, b = self.register(source[1]), self.register(source[2])
            self.ops.append((kernel.MUL, wire, a, b, 0))
        elif kind == "mul_add":
            a, b, c = (self.register(terms) for terms in source[1:])
            self.ops.append((kernel.MUL_ADD, wire, a, b, c))
        elif kind == "lc":
            self.ops.append((kernel.LC, wire, len(self.combinations), 0, 0))
            self.combinations.append(tuple(sorted(source[1].items())))
        elif kind == "hint":
            _, hint, terms, index = source
            if hint.kind not in _HINT_OPS:
                raise CircuitError(f"signal {self.cs.names[wire]!r} comes from a hint of kind {hint.kind!r}, which a "
                                   "witness program cannot run")
            if index == 0:
                self.ops.append((_HINT_OPS[hint.kind], wire, self.register(terms), hint.count or 1, 0))
        elif kind != "one":
            raise CircuitError(f"signal {self.cs.names[wire]!r} is set by hand (an internal signal without a "
                               "source, or a hint of plain Python): a witness program cannot compute it")

    def check(self, index, constraint):
        """The operation checking constraint `index`."""
        a, b, c, _ = constraint
        self.ops.append((kernel.CHECK, index, self.register(a), self.register(b), self.register(c)))

    def terms(self):
        """The linear combinations as CSR arrays: start offsets, wires, kinds, coefficients."""
        start = np.zeros(len(self.combinations) + 1, dtype=np.int64)
        start[1:] = np.cumsum([len(c) for c in self.combinations])
        flat = [term for combination in self.combinations for term in combination]
        wires = np.array([w for w, _ in flat], dtype=np.int64)
        kinds = np.array([kernel.TERM_PLUS if k == 1 else kernel.TERM_MINUS if k == R - 1 else kernel.TERM_TIMES
                          for _, k in flat], dtype=np.int64)
        coeffs = FieldVector.from_ints(FR, [k for _, k in flat]).mont if flat else np.zeros((0, 4), np.uint64)
        return start, wires, kinds, coeffs


class WitnessProgram:
    """A circuit's witness computation as kernel operations; `run(inputs)` -> witness."""

    def __init__(self, cs, r1cs):
        lowering = _Lowering(cs)
        for wire, source in enumerate(cs.sources):
            lowering.wire(wire, source)
        for index, constraint in enumerate(cs.constraints):
            if index not in cs.implied:
                lowering.check(index, constraint)
        self.r1cs = r1cs
        self.input_layout = list(cs.input_layout)
        self.labels = [label for *_, label in cs.constraints]
        self.num_registers = lowering.registers
        self.ops = np.array(lowering.ops, dtype=np.int64).reshape(-1, 5)
        self.lc_start, self.term_wire, self.term_kind, self.term_coeff = lowering.terms()
        self.output = np.array(r1cs.source_wires, dtype=np.int64)

    @classmethod
    def record(cls, circuit, simplify=True, **params):
        """The program of `circuit(cs, **params)`, whose witnesses are those of its R1CS
        (linear constraints eliminated as circom --O2 does, with `simplify`)."""
        cs = ConstraintSystem()
        circuit(cs, **params)
        return cls(cs, cs.finish(simplify)[0])

    @property
    def num_terms(self):
        """Terms of all the linear combinations the program evaluates (its cost, with the products)."""
        return len(self.term_wire)

    def input_vector(self, inputs):
        """The inputs, checked as the DSL checks them, as Montgomery rows in declaration order."""
        values = check_inputs(inputs, self.input_layout)
        # Montgomery form in Python: for tens of values the parallel to_mont kernel's thread
        # wake-up cost more than the whole witness (seen: 1.7 ms runs taking 8 ms).
        return np.array([FR.to_mont_limbs(v) for v in values], dtype=np.uint64).reshape(-1, 4)

    def registers(self, inputs):
        """Every register after a run: the wires before elimination, then the temporaries;
        UnsatisfiedConstraintError naming the first constraint the inputs violate."""
        w = np.zeros((self.num_registers, 4), dtype=np.uint64)
        w[0] = FR.kernels.one
        failed = kernel.run(self.ops, self.lc_start, self.term_wire, self.term_kind, self.term_coeff,
                            self.input_vector(inputs), w)
        if failed >= 0:
            _, index, a, b, c = self.ops[failed]
            a, b, c = FieldVector(FR, w[[a, b, c]]).to_ints()
            raise unsatisfied(self.labels[index], a, b, c)
        return w

    def run(self, inputs):
        """The witness of the R1CS for `inputs`, as an Fr FieldVector (1 first)."""
        return FieldVector(FR, self.registers(inputs)[self.output])
