"""Integer ranges of wires (zkwork.audit.ranges), on hand-written constraint lists: ranges only
from constraints that prove them, Euclidean division with a remainder proved below the
divisor, and circomlib's alias check (CompConstant(r - 1) over 254 bits) bounding a
decomposition below r; each beside a twin whose proof must fail (a second witness exists)."""
import pytest

from zkwork.audit import smt
from zkwork.audit.ranges import alias_checked_bits, bounds, division_shapes, integer_system, wire_ranges
from zkwork.field import R

MINUS = R - 1


def bit(x):
    """x * (x - 1) = 0."""
    return ({x: 1}, {x: 1, 0: MINUS}, {})


def decomposition(x, bits, low=0):
    """x = sum 2^i bits[i] (shifted by 2^low), as a linear row, with each bit boolean."""
    return [bit(b) for b in bits] + [({}, {}, {x: 1, **{b: R - (1 << (low + i)) for i, b in enumerate(bits)}})]


def test_ranges_come_from_bits_and_decompositions_only():
    constraints = decomposition(1, [2, 3, 4, 5]) + [({}, {}, {6: 1, 1: MINUS, 0: MINUS})]  # w6 = w1 + 1
    ranges = wire_ranges(constraints)
    assert ranges[1] == (0, 15) and ranges[2] == (0, 1) and ranges[6] == (1, 16)
    unranged = wire_ranges([({}, {}, {7: 1, 8: MINUS})])  # w7 = w8, neither ranged
    assert 7 not in unranged and 8 not in unranged


def euclid(with_remainder_check):
    """a = q b + r (a = w1, b = w2 inputs; q = w3, r = w4), q, r, b 4-bit, and with the check
    LessThan's r + 16 - b = sum 2^i t_i over 5 bits with t_4 = 0 (r < b)."""
    constraints = [({3: MINUS}, {2: 1}, {1: MINUS, 4: 1})]
    constraints += decomposition(3, [10, 11, 12, 13]) + decomposition(4, [14, 15, 16, 17])
    constraints += decomposition(2, [18, 19, 20, 21])
    if with_remainder_check:
        constraints += decomposition(5, [22, 23, 24, 25, 26])
        constraints += [({}, {}, {5: 1, 4: MINUS, 2: 1, 0: R - 16}), ({}, {}, {26: 1})]
    return constraints


@pytest.mark.skipif(not smt.solver_available(), reason="zkwork's 'audit' extra (cvc5) not installed")
@pytest.mark.parametrize("checked", [True, False])
def test_division_is_unique_once_the_remainder_is_proved_below_the_divisor(checked):
    constraints = euclid(checked)
    ranges = wire_ranges(constraints)
    determined = {0, 1, 2, 18, 19, 20, 21}
    assert division_shapes(constraints, ranges, determined) == [(3, 4, 2)]
    remainder_reaches_divisor = ([(1, None, "w4"), (-1, None, "w2")], 0)
    answer = smt.integer_query(integer_system(constraints, ranges), bounds(ranges), remainder_reaches_divisor, 10.0)
    # without the check, r = 7, b = 3 is a witness (a = 7 with q = 0, or q = 2, r = 1)
    assert answer.status == ("unsat" if checked else "unknown")


def comp_constant(bits, constant, out_zero=True):
    """circomlib's CompConstant(constant) over 254 bits (wires `bits`), out === 0 included when
    `out_zero`: parts P_i (wires 600 + i), their sum S (wire 800) in 135 bits (wires 900 + j)."""
    constraints, a, b, e = [], 1, (1 << 128) - 1, 1
    for i in range(127):
        sl, sm, part = bits[2 * i], bits[2 * i + 1], 600 + i
        cl, cm = constant >> (2 * i) & 1, constant >> (2 * i + 1) & 1
        k_both, k_sm, k_sl, k_one = {(0, 0): (-b, b, b, 0), (0, 1): (a, b - a, -a, a),
                                     (1, 0): (b, -a, 0, a), (1, 1): (-a, 0, 0, a)}[(cm, cl)]
        constraints.append(({sm: k_both % R}, {sl: 1}, {part: 1, sm: -k_sm % R, sl: -k_sl % R, 0: -k_one % R}))
        b, a, e = b - e, a + e, e * 2
    constraints.append(({}, {}, {800: 1, **{600 + i: MINUS for i in range(127)}}))
    constraints += decomposition(800, [900 + j for j in range(135)])
    if out_zero:
        constraints.append(({}, {}, {900 + 127: 1}))
    return constraints


@pytest.mark.parametrize("constant, out_zero, bounded", [(R - 1, True, True), (R, True, False), (R - 1, False, False)])
def test_an_alias_check_bounds_a_254_bit_decomposition_below_r(constant, out_zero, bounded):
    # x = w1 in 254 bits (wires 2..255); CompConstant(r - 1) proves them < r: unique. Against r
    # itself, x = 0 has the bits of 0 and those of r; without out === 0 nothing is checked
    bits = list(range(2, 256))
    constraints = decomposition(1, bits) + comp_constant(bits, constant, out_zero)
    found = alias_checked_bits(constraints, {0, 1}, {1})
    assert found == (set(bits) if bounded else set())
