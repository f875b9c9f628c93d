"""Rank-1 constraint systems and a small circuit DSL.

    def square_root_of(cs):
        x = cs.public_input("x")
        y = cs.private_input("y")
        cs.assert_equal(y * y, x)

    r1cs = build(square_root_of)                       # constraints only
    r1cs, witness = solve(square_root_of, {"x": 9, "y": 3})
"""
from zkwork.r1cs.lc import LinearCombination
from zkwork.r1cs.r1cs import R1CS, Satisfaction
from zkwork.r1cs.system import ConstraintSystem
from zkwork.r1cs.wires import WireKind
from zkwork.r1cs.witness_program import WitnessProgram


def build(circuit, simplify=True, **params):
    """The R1CS of `circuit(cs, **params)`, without computing any value."""
    cs = ConstraintSystem()
    circuit(cs, **params)
    return cs.finish(simplify)[0]


def solve(circuit, inputs, simplify=True, check=True, **params):
    """(R1CS, witness) of `circuit(cs, **params)` for these named inputs. With `check`
    (the default) inputs that violate a constraint raise UnsatisfiedConstraintError
    naming it; without, the witness is returned anyway (to study attacks)."""
    cs = ConstraintSystem(inputs)
    circuit(cs, **params)
    return cs.finish(simplify, check)


__all__ = ["ConstraintSystem", "LinearCombination", "R1CS", "Satisfaction", "WireKind", "WitnessProgram", "build", "solve"]
