"""The group inverse NTT against the scalar Lagrange basis: [L_j(tau)] computed from the
points [tau^k] without tau must equal lagrange_basis_at(tau)_j times the generator."""
import statistics
import time

import numpy as np
import pytest

from zkwork.curve import G1Point, G2Point
from zkwork.curve.msm import fixed_base_mul_g1, fixed_base_mul_g2
from zkwork.errors import DomainSizeError, ShapeMismatchError
from zkwork.field import FR, FieldVector, Fr, R
from zkwork.poly import Domain, intt, lagrange_basis_at
from zkwork.poly.group_fft import bit_reversal, group_intt_g1, group_intt_g2
from zkwork.poly.kernels import powers

GROUPS = {
    "G1": (G1Point, fixed_base_mul_g1, group_intt_g1),
    "G2": (G2Point, fixed_base_mul_g2, group_intt_g2),
}


def tau_powers(group, tau, n):
    point, fixed_base, _ = GROUPS[group]
    return fixed_base(point.generator().affine_mont(), FieldVector(FR, powers(FR.to_mont_limbs(tau), n)))


@pytest.mark.parametrize("group", ["G1", "G2"])
@pytest.mark.parametrize("n", [1, 2, 8, 256])
def test_intt_of_tau_powers_is_the_lagrange_basis(group, n, rng):
    point, fixed_base, group_intt = GROUPS[group]
    domain = Domain(n)
    tau = rng.randrange(2, R)
    basis = group_intt(tau_powers(group, tau, n), domain)
    expected = fixed_base(point.generator().affine_mont(), lagrange_basis_at(domain, Fr(tau)))
    assert basis.shape == expected.shape
    assert np.array_equal(basis, expected)


@pytest.mark.parametrize("group", ["G1", "G2"])
def test_intt_is_linear_in_arbitrary_points(group, rng):
    # Points that are not powers of one tau: scalars s_k times the generator go to the
    # scalar intt of (s_k) times the generator; infinity inputs included.
    point, fixed_base, group_intt = GROUPS[group]
    scalars = [rng.randrange(R) for _ in range(16)]
    scalars[3] = scalars[10] = 0
    vector = FieldVector.from_ints(FR, scalars)
    g = point.generator().affine_mont()
    expected = fixed_base(g, intt(vector))
    assert np.array_equal(group_intt(fixed_base(g, vector)), expected)


@pytest.mark.parametrize("group", ["G1", "G2"])
def test_butterflies_of_equal_and_opposite_points(group, rng):
    # [s, s, s, s] meets E = wO (and both infinity) in the affine butterflies, [s, t, -s, -t]
    # meets E = -wO: the cases their shared denominator x(wO) - x(E) cannot take.
    point, fixed_base, group_intt = GROUPS[group]
    s, t = rng.randrange(1, R), rng.randrange(1, R)
    g = point.generator().affine_mont()
    for scalars in ([s, s, s, s], [s, t, R - s, R - t]):
        vector = FieldVector.from_ints(FR, scalars)
        assert np.array_equal(group_intt(fixed_base(g, vector)), fixed_base(g, intt(vector)))


def test_short_input_is_padded_with_infinity(rng):
    g = G1Point.generator().affine_mont()
    scalars = [rng.randrange(R) for _ in range(5)]
    padded = FieldVector.from_ints(FR, scalars + [0, 0, 0])
    expected = fixed_base_mul_g1(g, intt(padded))
    assert np.array_equal(group_intt_g1(fixed_base_mul_g1(g, FieldVector.from_ints(FR, scalars))), expected)


def test_bit_reversal():
    assert bit_reversal(3).tolist() == [0, 4, 2, 6, 1, 5, 3, 7]
    assert bit_reversal(0).tolist() == [0]


def test_bad_inputs_are_refused():
    with pytest.raises(ShapeMismatchError, match="group_intt_g1"):
        group_intt_g1(np.zeros((4, 2, 2, 4), dtype=np.uint64))
    with pytest.raises(ShapeMismatchError, match="group_intt_g2"):
        group_intt_g2(np.zeros((4, 2, 4), dtype=np.uint64))
    with pytest.raises(DomainSizeError, match="5 points"):
        group_intt_g1(np.zeros((5, 2, 4), dtype=np.uint64), Domain(4))


@pytest.mark.slow
@pytest.mark.parametrize("group", ["G1", "G2"])
@pytest.mark.parametrize("log_n", [10, 12, 13])
def test_measure_group_intt(group, log_n, rng):
    """Median of 3 runs; checks a few Lagrange points of the result against the scalars."""
    point, fixed_base, group_intt = GROUPS[group]
    domain = Domain(1 << log_n)
    tau = rng.randrange(2, R)
    points = tau_powers(group, tau, domain.size)
    group_intt(points[:2], Domain(2))  # compile outside the timing
    times = []
    for _ in range(3):
        start = time.perf_counter()
        basis = group_intt(points, domain)
        times.append(time.perf_counter() - start)
    lagrange = lagrange_basis_at(domain, Fr(tau))
    picks = [0, 1, domain.size // 2, domain.size - 1]
    expected = fixed_base(point.generator().affine_mont(), FieldVector(FR, lagrange.mont[picks]))
    assert np.array_equal(basis[picks], expected)
    print(f"\ngroup_intt {group} n=2^{log_n}: median {statistics.median(times):.3f} s of {times}")
