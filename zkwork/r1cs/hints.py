"""The hints a compiled witness program can run: values the prover supplies outside the
constraints, each a small function of one field value that the witness kernel computes
too (zkwork.r1cs.witness_kernel), with the same data-dependent branches.

    bits(n)    the n low bits of v, least significant first (num2bits, comparators)
    INVERSE    1 / v, and 0 for v = 0 (is_zero)

`ConstraintSystem.hint` takes any callable; a circuit whose hints are all of these can be
recorded once and re-run without the DSL (zkwork.r1cs.witness_program).
"""
from dataclasses import dataclass

from zkwork.field import R


@dataclass(frozen=True)
class Hint:
    """A compilable hint: `kind` names the kernel operation, `count` how many values it
    gives (None: one value, not a list)."""

    kind: str
    count: int = None

    def __call__(self, value):
        """The hint's value(s) for the field value `value`, computed in Python."""
        if self.kind == "bits":
            return [(value >> i) & 1 for i in range(self.count)]
        return pow(value, -1, R) if value else 0


def bits(n):
    """The hint giving the n low bits of a value, least significant first."""
    return Hint("bits", n)


INVERSE = Hint("inverse")
