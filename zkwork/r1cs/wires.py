"""The kinds of wires of a constraint system, in circom's order (below both the builder,
zkwork.r1cs.system, and the assembled R1CS, zkwork.r1cs.r1cs, which both use them)."""
from enum import IntEnum


class WireKind(IntEnum):
    """Kinds of wires, in circom's order."""

    ONE = 0
    OUTPUT = 1
    PUBLIC = 2
    PRIVATE = 3
    INTERNAL = 4
