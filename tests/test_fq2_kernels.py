"""The numba Fq2 kernels (Karatsuba mul, complex sqr, inv, add/sub, mul_by_xi) against
schoolbook Fq2 arithmetic on Python ints, on random and edge values, and the property
they rely on: Fq's mul accepts unreduced operands below 2p and still reduces fully."""
import random

import numpy as np
import pytest

from zkwork.field import FQ, P, fq2
from zkwork.field.limbs import int_to_limbs, limbs_to_int

rng = random.Random(0xF2)
MONT_R = 1 << 256
# Coordinates that stress the carries and the reductions: 0, 1, p - 1, (p +- 1)/2, a full
# low limb, the largest value below p with a zero low limb, and p - 2^64.
EDGE = [0, 1, 2, P - 1, P - 2, (P - 1) // 2, (P + 1) // 2, (1 << 64) - 1, 1 << 64, P >> 64 << 64, P - (1 << 64)]


def schoolbook_mul(a, b):
    """(a0 + a1 u)(b0 + b1 u) with u^2 = -1, four products on Python ints."""
    return ((a[0] * b[0] - a[1] * b[1]) % P, (a[0] * b[1] + a[1] * b[0]) % P)


def pairs():
    """Edge x edge coordinate pairs, then random ones."""
    edge = [(x, y) for x in EDGE for y in EDGE[::3]]
    return edge + [(rng.randrange(P), rng.randrange(P)) for _ in range(60)]


def run(kernel, *values):
    """kernel on the Montgomery forms of the Fq2 values, back to (c0, c1) ints."""
    return fq2.from_mont(kernel(*(fq2.to_mont(v) for v in values)))


def test_mul_and_sqr_match_schoolbook():
    values = pairs()
    for a in values:
        b = values[rng.randrange(len(values))]
        assert run(fq2.mul, a, b) == schoolbook_mul(a, b), (a, b)
        assert run(fq2.mul, a, a) == schoolbook_mul(a, a), a
        assert run(fq2.sqr, a) == schoolbook_mul(a, a), a


def test_add_sub_neg_double_xi_match_python_ints():
    values = pairs()
    for a in values:
        b = values[rng.randrange(len(values))]
        assert run(fq2.add, a, b) == ((a[0] + b[0]) % P, (a[1] + b[1]) % P)
        assert run(fq2.sub, a, b) == ((a[0] - b[0]) % P, (a[1] - b[1]) % P)
        assert run(fq2.neg, a) == (-a[0] % P, -a[1] % P)
        assert run(fq2.double, a) == (2 * a[0] % P, 2 * a[1] % P)
        assert run(fq2.mul_by_xi, a) == schoolbook_mul((9, 1), a)
        assert run(fq2.conj, a) == (a[0], -a[1] % P)


def test_inv_matches_python_ints():
    for a in [(1, 0), (0, 1), (P - 1, P - 1), (2, P - 1)] + [(rng.randrange(P), rng.randrange(P)) for _ in range(8)]:
        norm_inv = pow(a[0] * a[0] + a[1] * a[1], -1, P)
        assert run(fq2.inv, a) == (a[0] * norm_inv % P, -a[1] * norm_inv % P)
        assert run(fq2.mul, a, run(fq2.inv, a)) == (1, 0)
    assert run(fq2.inv, (0, 0)) == (0, 0)


@pytest.mark.parametrize("lazy, combine", [(fq2._lazy_add, lambda x, y: x + y), (fq2._lazy_sub, lambda x, y: x - y + P)])
def test_lazy_operands_stay_below_2p(lazy, combine):
    for x in EDGE + [rng.randrange(P) for _ in range(20)]:
        for y in EDGE:
            assert limbs_to_int(lazy(int_to_limbs(x), int_to_limbs(y))) == combine(x, y) < 2 * P


def test_fq_mul_reduces_operands_below_2p_fully():
    """fq2.mul and fq2.sqr hand Fq's mul operands in [0, 2p); its result must be < p."""
    r_inv = pow(MONT_R, -1, P)
    operands = [P, P + 1, 2 * P - 1, 2 * P - 2, P + (P >> 1)] + [rng.randrange(2 * P) for _ in range(20)]
    for x in operands:
        for y in operands[:6] + [0, 1, P - 1]:
            product = limbs_to_int(np.array(FQ.kernels.mul(int_to_limbs(x), int_to_limbs(y)), dtype=np.uint64))
            assert product == x * y * r_inv % P, (x, y)
