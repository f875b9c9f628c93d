"""The fast and reference backends behind one interface agree with each other."""
import pytest
from py_ecc import optimized_bn128 as bn

from zkwork.backend import get_backend
from zkwork.errors import BackendError
from zkwork.field import R

BACKENDS = ["fast", "reference"]


@pytest.mark.parametrize("name", BACKENDS)
def test_group_interface(name, rng):
    be = get_backend(name)
    for G in (be.G1, be.G2):
        g = G.generator()
        a, b = rng.randrange(R), rng.randrange(R)
        assert g * a + g * b == g * (a + b)
        assert (g * a - g * a).is_infinity()
        assert G.infinity().is_infinity() and not g.is_infinity()
        assert g * R == G.infinity() and -g == g * (R - 1)
        assert G.from_py_ecc((g * a).to_py_ecc()) == g * a


@pytest.mark.parametrize("name", BACKENDS)
def test_msm_equals_sum_of_products(name, rng):
    be = get_backend(name)
    for G in (be.G1, be.G2):
        points = [G.generator() * rng.randrange(R) for _ in range(5)] + [G.infinity()]
        scalars = [rng.randrange(R) for _ in range(5)] + [7]
        expected = G.infinity()
        for p, k in zip(points, scalars):
            expected = expected + p * k
        assert be.msm(points, scalars) == expected
    with pytest.raises(ValueError, match="as many scalars as points"):
        be.msm([be.G1.generator()], [1, 2])
    with pytest.raises(ValueError, match="no points"):
        be.msm([], [])


@pytest.mark.parametrize("name", BACKENDS)
def test_pairing_check(name, rng):
    be = get_backend(name)
    a, b = rng.randrange(1, R), rng.randrange(1, R)
    g1, g2 = be.G1.generator(), be.G2.generator()
    assert be.pairing_check([(g1 * a, g2 * b), (-(g1 * (a * b)), g2)])
    assert not be.pairing_check([(g1 * a, g2 * b), (-(g1 * (a * b + 1)), g2)])
    assert be.pairing_check([(be.G1.infinity(), g2), (g1, be.G2.infinity())])


def test_backends_agree_point_for_point(rng):
    fast, ref = get_backend("fast"), get_backend("reference")
    k = rng.randrange(R)
    for fast_group, ref_group in ((fast.G1, ref.G1), (fast.G2, ref.G2)):
        ours = (fast_group.generator() * k).to_py_ecc()
        theirs = (ref_group.generator() * k).to_py_ecc()
        assert bn.eq(ours, theirs)
        assert fast_group.from_py_ecc(theirs) == fast_group.generator() * k


def test_unknown_backend_is_a_typed_error():
    with pytest.raises(BackendError, match="unknown backend 'gpu'"):
        get_backend("gpu")
