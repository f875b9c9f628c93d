"""A satisfying witness of an R1CS found from the constraints alone, without the circuit's
witness generator: the seed of the audit's second-witness cross-check.

Given values for the inputs, the constraints are solved forward: a constraint with one
unknown wire, which occurs in it linearly with a non-zero slope at the known values,
defines it; a linear row over unknown bits (k * 2^e coefficients) is solved by the binary
representation of its value; when nothing is defined, the lowest-numbered unknown wire in
the constraint with the fewest unknowns is a hint and gets the guess 0 (an inverse of zero,
a zero bit). The result is returned only when `R1CS.is_satisfied` accepts it.
"""
from zkwork.audit.propagate import boolean_forms, wires_of
from zkwork.field import R


def _value(terms, witness):
    return sum(c * witness[w] for w, c in terms.items()) % R


def _solve_linear(constraint, witness, wire):
    """The value of `wire` (the one unknown) that satisfies the constraint, or None."""
    a, b, c = constraint
    if wire in a and wire in b:
        return None
    trial = dict(witness)
    trial[wire] = 0
    a0, b0, c0 = _value(a, trial), _value(b, trial), _value(c, trial)
    slope = (a.get(wire, 0) * b0 + b.get(wire, 0) * a0 - c.get(wire, 0)) % R
    if slope == 0:
        return None
    return (c0 - a0 * b0) * pow(slope, -1, R) % R


def _solve_bits(constraint, witness, unknown, bits):
    """{bit: value} solving a constraint linear in unknown bits with coefficients k * 2^e, or None."""
    a, b, c = constraint
    if any(w in a or w in b for w in unknown) and wires_of(a) and wires_of(b):
        return None
    if not all(w in bits for w in unknown):
        return None
    trial = dict(witness)
    trial.update(dict.fromkeys(unknown, 0))
    k_a = a.get(0, 0) if not wires_of(a) else None
    k_b = b.get(0, 0) if not wires_of(b) else None
    # sum_j coeff_j bit_j = target, from A B = C with one factor constant (or both known)
    factor = k_a if k_a is not None else k_b
    varying = b if k_a is not None else a
    if factor is None:
        return None
    coeffs = {w: (factor * varying.get(w, 0) - c.get(w, 0)) % R for w in unknown}
    target = (_value(c, trial) - _value(a, trial) * _value(b, trial)) % R
    k = min(coeffs.values())
    inv = pow(k, -1, R)
    scaled = {w: co * inv % R for w, co in coeffs.items()}
    if any(v & (v - 1) or v.bit_length() > 254 for v in scaled.values()):
        return None
    value = target * inv % R
    answer = {w: (value >> (v.bit_length() - 1)) & 1 for w, v in scaled.items()}
    if sum(scaled[w] * bit for w, bit in answer.items()) != value:
        return None
    return answer


def forward_witness(r1cs, inputs):
    """A satisfying witness with `inputs` ({wire: value}), or None when forward solving fails."""
    constraints = list(zip(r1cs.A, r1cs.B, r1cs.C))
    bits = {next(iter(form)) for form, _ in boolean_forms(constraints) if len(form) == 1}
    witness = {0: 1, **inputs}
    wires = [sorted(set(a) | set(b) | set(c)) for a, b, c in constraints]
    pending = set(range(len(constraints)))
    while pending:
        progress = False
        for i in sorted(pending):
            unknown = [w for w in wires[i] if w not in witness]
            if not unknown:
                pending.discard(i)
                continue
            solved = None
            if len(unknown) == 1:
                x = _solve_linear(constraints[i], witness, unknown[0])
                solved = None if x is None else {unknown[0]: x}
            else:
                solved = _solve_bits(constraints[i], witness, unknown, bits)
            if solved:
                witness.update(solved)
                progress = True
        if not progress and pending:
            hint = min(pending, key=lambda i: (sum(w not in witness for w in wires[i]), i))
            witness[min(w for w in wires[hint] if w not in witness)] = 0
    values = [witness.get(w, 0) for w in range(r1cs.num_wires)]
    return values if r1cs.is_satisfied(values) else None
