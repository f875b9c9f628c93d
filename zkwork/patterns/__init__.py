"""The five proof patterns of the address workbench, each in a reference and a hardened
variant, written in the circuit DSL as twins of the Circom circuits in circuits/ (same
signals in the same order, same public signals, same constraint counts under --O2).

    pattern = get_pattern("membership", "hardened", depth=20)
    inputs = pattern.sample_inputs()
    r1cs, witness = pattern.solve(inputs)
    assert r1cs.public_signals(witness) == pattern.expected_public(inputs)

See the pattern specification (shared/patterns.md) for the statements and zkwork/patterns/<name>.py for each
pattern's signals, its reference weakness and the hardened fix.
"""
from zkwork.patterns.base import VARIANTS, Pattern, PatternError, StatementError
from zkwork.patterns.locker import Locker
from zkwork.patterns.membership import Membership
from zkwork.patterns.selective_reveal import SelectiveReveal
from zkwork.patterns.structure import Structure
from zkwork.patterns.version import Version

PATTERNS = {cls.name: cls for cls in (Membership, Structure, SelectiveReveal, Version, Locker)}

TOP_GADGETS = 5
BUDGET_DEPTH = 3  # pattern/gadget/sub-gadget, e.g. membership/level/poseidon


def get_pattern(name, variant="reference", **params):
    """The pattern called `name` ('membership', 'structure', 'selective_reveal', 'version',
    'locker') in `variant`, with its size parameter if given (e.g. depth=4)."""
    if name not in PATTERNS:
        raise PatternError(f"unknown pattern {name!r}; the patterns are {', '.join(PATTERNS)}")
    return PATTERNS[name](variant, **params)


def circuit_summary(pattern, r1cs=None):
    """A pattern's sizes as a table row: constraints, wires, public signals, private
    inputs, and the gadgets taking the most constraints (namespace, constraints, share)."""
    r1cs = pattern.build() if r1cs is None else r1cs
    budget = r1cs.budget(BUDGET_DEPTH).head(TOP_GADGETS)
    return {
        "pattern": pattern.name,
        "variant": pattern.variant,
        "params": dict(pattern.params),
        "label": pattern.label,
        "constraints": r1cs.num_constraints,
        "wires": r1cs.num_wires,
        "public_signals": r1cs.num_public,
        "public_outputs": r1cs.num_outputs,
        "public_inputs": r1cs.num_public_inputs,
        "private_inputs": r1cs.num_private_inputs,
        "top_gadgets": [
            {"namespace": row.namespace, "constraints": int(row.constraints), "share": float(row.share)}
            for row in budget.itertuples()
        ],
    }


__all__ = ["PATTERNS", "VARIANTS", "Locker", "Membership", "Pattern", "PatternError", "SelectiveReveal",
           "StatementError", "Structure", "Version", "circuit_summary", "get_pattern"]
