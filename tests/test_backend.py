"""The fast and reference backends compute the same group operations."""
import pytest

from zkwork.backend import get_backend
from zkwork.curve import G1Point, G2Point, g1_affine_array, g2_affine_array
from zkwork.errors import BackendError
from zkwork.field import R

BACKENDS = ["fast", "reference"]


@pytest.mark.parametrize("name", BACKENDS)
def test_msm_and_fixed_base(name, rng):
    be = get_backend(name)
    for cls, to_array, msm, fixed_base in (
        (G1Point, g1_affine_array, be.msm_g1, be.fixed_base_g1),
        (G2Point, g2_affine_array, be.msm_g2, be.fixed_base_g2),
    ):
        g = cls.generator()
        ks = [rng.randrange(R) for _ in range(4)] + [0, 1]
        points = [g * k for k in ks]
        assert (to_array(points) == fixed_base(g, ks)).all()
        scalars = [rng.randrange(R) for _ in ks]
        assert msm(to_array(points), scalars) == g * (sum(k * s for k, s in zip(ks, scalars)) % R)


@pytest.mark.parametrize("name", BACKENDS)
def test_pairings(name, rng):
    be = get_backend(name)
    a, b = rng.randrange(1, R), rng.randrange(1, R)
    g1, g2 = G1Point.generator(), G2Point.generator()
    assert be.pairing(g1 * a, g2 * b) == be.pairing(g1 * (a * b), g2)
    assert be.pairing_check([(g1 * a, g2 * b), (-(g1 * (a * b)), g2)])
    assert not be.pairing_check([(g1 * a, g2 * b), (-(g1 * (a * b + 1)), g2)])
    assert be.pairing_check([(G1Point.infinity(), g2), (g1, G2Point.infinity())])
    target = be.pairing(g1, g2 * 5)
    assert be.pairing_product_is([(g1 * 2, g2), (g1 * 3, g2)], target)
    assert not be.pairing_product_is([(g1 * 2, g2)], target)


def test_backends_agree_on_pairing_values():
    fast, ref = get_backend("fast"), get_backend("reference")
    g1, g2 = G1Point.generator() * 3, G2Point.generator() * 7
    ours, theirs = fast.pairing(g1, g2).to_py_ecc(), ref.pairing(g1, g2)
    assert [int(c) for c in ours.coeffs] == [int(c) for c in theirs.coeffs]


def test_unknown_backend_is_a_typed_error():
    with pytest.raises(BackendError, match="unknown backend 'gpu'"):
        get_backend("gpu")
