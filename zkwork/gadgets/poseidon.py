"""Poseidon inside a circuit, constraint for constraint as circomlib's `Poseidon(n)` compiled
by circom --O2, with the same parameters and output as the native `poseidon`.

The permutation (described in full in `native_poseidon`): the state of width t = n + 1 starts
as [0, x_1, ..., x_n]; each round adds its round constants, applies the S-box x -> x^5 to
every element (full round) or to state[0] only (partial round), and multiplies the state by
the MDS matrix. The hash is state[0] after the last round.

What costs: only the S-boxes. x^5 is three multiplications, x2 = x*x, x4 = x2*x2, x5 = x4*x,
hence three constraints each; adding constants and mixing are linear and cost nothing. An
S-box of a constant folds to a constant, as circom folds it: state[0] starts as the constant
0, so the first round saves three constraints (Poseidon(2): 3 * (8 * 3 + 57) - 3 = 240).

Between the S-boxes the state elements are linear combinations; in the partial rounds those
of state[1..t-1] pick up one more term per round. Mixing therefore works on the term dicts
directly, accumulating unreduced products and reducing once, instead of chaining LC
operators that copy a dict per addition.
"""
from zkwork.field import R
from zkwork.gadgets.poseidon_params import SBOX_EXPONENT, params_for
from zkwork.r1cs.lc import LinearCombination


def sbox(cs, x):
    """x^5 as x2 = x*x, x4 = x2*x2, x5 = x4*x (three constraints), or a constant for free."""
    if x.is_constant():
        return cs.constant(pow(x.constant_value(), SBOX_EXPONENT, R))
    x2 = cs.mul(x, x, "x2")
    x4 = cs.mul(x2, x2, "x4")
    return cs.mul(x4, x, "x5")


def full_sbox_layer(cs, state):
    """The S-box on every element, the j-th in namespace sbox[j]."""
    out = []
    for j, x in enumerate(state):
        with cs.namespace("sbox", j):
            out.append(sbox(cs, x))
    return out


def add_round_constants(state, constants):
    """The state's LinearCombinations plus the round's constants, adding no constraint."""
    return [s + c for s, c in zip(state, constants)]


def mix(cs, state, mds):
    """M * state, combining the terms of the state's linear combinations (no constraint)."""
    mixed = []
    for row in mds:
        terms = {}
        for m, element in zip(row, state):
            for wire, coeff in element.terms.items():
                terms[wire] = terms.get(wire, 0) + m * coeff
        reduced = {wire: coeff % R for wire, coeff in terms.items()}
        mixed.append(LinearCombination(cs, {wire: coeff for wire, coeff in reduced.items() if coeff}))
    return mixed


def poseidon(cs, inputs):
    """circomlib's Poseidon of 1 to 16 signals (LinearCombinations or constants), as a
    LinearCombination. Constraints are labelled poseidon/full_round[i]/sbox[j]/x2|x4|x5 and
    poseidon/partial_round[i]/x2|x4|x5."""
    params = params_for(len(inputs))
    state = [cs.constant(0), *(cs.constant(0) + x for x in inputs)]
    full_rounds = partial_rounds = 0
    with cs.namespace("poseidon"):
        for round_index, constants in enumerate(params.round_constants):
            state = add_round_constants(state, constants)
            if params.is_full_round(round_index):
                with cs.namespace("full_round", full_rounds):
                    state = full_sbox_layer(cs, state)
                full_rounds += 1
            else:
                with cs.namespace("partial_round", partial_rounds):
                    state[0] = sbox(cs, state[0])
                partial_rounds += 1
            state = mix(cs, state, params.mds)
    return state[0]
