"""Propagation of uniquely determined wires (zkwork.audit.propagate), on hand-written
constraint lists: each rule determines what it should, and nothing a second witness
could change (the shapes with a free wire stay undetermined)."""
from zkwork.audit.propagate import (
    boolean_forms,
    decomposed_bits,
    determined_wires,
    echelon,
    is_zero_outputs,
)
from zkwork.field import R

MINUS = R - 1


def bit(x):
    """x * (x - 1) = 0."""
    return ({x: 1}, {x: 1, 0: MINUS}, {})


def test_linear_chain_and_products_of_known_factors():
    # w3 = w1 * w2; w4 = w3 + 5; w5 * 1 = w4 - w1
    constraints = [({1: 1}, {2: 1}, {3: 1}), ({0: 1}, {3: 1, 0: 5}, {4: 1}), ({0: 1}, {5: 1}, {4: 1, 1: MINUS})]
    assert determined_wires(constraints, {1, 2}) == {0, 1, 2, 3, 4, 5}


def test_linear_system_with_two_unknowns_per_row():
    # w3 + w4 = w1 and w3 - w4 = w2: neither row alone fixes a wire, together they fix both
    constraints = [({0: 1}, {3: 1, 4: 1}, {1: 1}), ({0: 1}, {3: 1, 4: MINUS}, {2: 1})]
    assert {3, 4} <= determined_wires(constraints, {1, 2})
    assert echelon([{3: 1, 4: 1}]) == {3: {3: 1, 4: 1}}


def test_a_hint_in_one_linear_row_with_another_hint_stays_free():
    constraints = [({0: 1}, {3: 1, 4: 1}, {1: 1})]  # w3 + w4 = w1: one equation, two unknowns
    assert determined_wires(constraints, {1}) == {0, 1}


def test_bit_decomposition_determines_the_bits_and_duplicate_weights_do_not():
    bits = [2, 3, 4, 5]
    weights = [1, 2, 4, 8]
    total = ({0: 1}, {b: w for b, w in zip(bits, weights)}, {1: 1})
    assert set(bits) <= determined_wires([bit(b) for b in bits] + [total], {1})
    duplicate = ({0: 1}, {b: w for b, w in zip(bits, [1, 2, 2, 4])}, {1: 1})
    assert not set(bits) & determined_wires([bit(b) for b in bits] + [duplicate], {1})
    unbooleaned = determined_wires([total], {1})  # a weighted sum of field elements: free
    assert not set(bits) & unbooleaned


def test_negated_bits_and_a_bit_replaced_by_a_linear_form():
    # --O2 shape of LessThan: out is a bit, b0 was substituted by L = w1 - 2 w2 + 4 out (w2 a bit)
    form = {1: 1, 2: R - 2, 3: 4}
    constraints = [bit(2), ({3: MINUS}, {0: 1, 3: MINUS}, {}), ({**form, 0: MINUS}, form, {})]
    forms = boolean_forms(constraints)
    assert {frozenset(f) for f, _ in forms} == {frozenset({2}), frozenset({3}), frozenset(form)}
    assert decomposed_bits([], forms, {0, 1}) == {2, 3}
    assert {2, 3} <= determined_wires(constraints, {1})


def test_is_zero_shape_determines_the_output_not_the_inverse():
    # circomlib IsZero: -in * inv = out - 1; in * out = 0 (in = w1, out = w2, inv = w3)
    constraints = [({1: MINUS}, {3: 1}, {2: 1, 0: MINUS}), ({1: 1}, {2: 1}, {})]
    found = is_zero_outputs(constraints, {0, 1})
    assert set(found) == {2} and found[2] is not None
    assert determined_wires(constraints, {1}) == {0, 1, 2}
    assert 2 not in determined_wires(constraints[:1], {1})  # without in * out = 0: free


def test_division_needs_a_nonzero_divisor():
    # q * b = a: q is fixed only once b * inv = 1 proves b non-zero
    division = ({3: 1}, {2: 1}, {1: 1})
    assert 3 not in determined_wires([division], {1, 2})
    assert 3 in determined_wires([division, ({2: 1}, {4: 1}, {0: 1})], {1, 2})


def test_slope_of_one_minus_two_bits_is_never_zero():
    # (c - 1 - 2 x) * c = -x with c a bit: x (1 - 2 c) = c - c^2, and 1 - 2 c is +-1
    constraints = [bit(1), ({0: MINUS, 2: R - 2, 1: 1}, {1: 1}, {2: MINUS})]
    assert 2 in determined_wires(constraints, {1})
