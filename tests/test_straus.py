"""zkwork.curve.straus.segment_sums against plain sums of G1Point / G2Point multiples:
full-size, small and negated scalars (-1 = r - 1), zero, points at infinity, a point three
times in one segment with k, k and -k (equal entries: a doubling and a cancellation, outside
the batch), empty segments, segments sharing or not a chunk's inversions, and every window
size zkey_new could use."""
import random

import numpy as np
import pytest

from zkwork.curve import G1Point, G2Point, g1_affine_array, g2_affine_array
from zkwork.curve.msm import G1_MSM, G2_MSM
from zkwork.curve.straus import segment_sums
from zkwork.errors import ShapeMismatchError
from zkwork.field import R
from zkwork.field.limbs import int_to_limbs

rng = random.Random(0x5742)
GROUPS = {"g1": (G1Point, g1_affine_array, G1_MSM), "g2": (G2Point, g2_affine_array, G2_MSM)}


def _case(group_point, terms, num_points, num_segments):
    """(points, rows, segments, scalars): random terms over num_points bases, one of them
    infinity, with scalars of every kind and two terms of one segment on the same point."""
    g = group_point.generator()
    bases = [g * rng.randrange(1, R) for _ in range(num_points - 1)] + [group_point.infinity()]
    kinds = [lambda: rng.randrange(R), lambda: 1, lambda: R - 1, lambda: rng.randrange(1, 50),
             lambda: R - rng.randrange(1, 50), lambda: 0]
    rows = [rng.randrange(num_points) for _ in range(terms)]
    segments = [rng.randrange(num_segments - 1) for _ in range(terms)]  # the last segment stays empty
    scalars = [rng.choice(kinds)() for _ in range(terms)]
    # one point three times in one segment, k, k, -k: a doubling and a cancellation per digit
    rows[1] = rows[2] = rows[0]
    segments[1] = segments[2] = segments[0]
    scalars[0] = scalars[1] = rng.randrange(1, R)
    scalars[2] = R - scalars[0]
    return bases, rows, segments, scalars


@pytest.mark.parametrize("group", ["g1", "g2"])
@pytest.mark.parametrize("window, chunk", [(4, 64), (5, 3), (6, 1)])
def test_segment_sums_match_plain_sums(group, window, chunk):
    group_point, to_array, kernels = GROUPS[group]
    num_segments = 7
    bases, rows, segments, scalars = _case(group_point, 40, 9, num_segments)
    expected = [group_point.infinity()] * num_segments
    for row, segment, scalar in zip(rows, segments, scalars):
        expected[segment] = expected[segment] + bases[row] * scalar
    got = segment_sums(kernels, to_array(bases), np.array(rows), np.array(segments),
                       np.array([int_to_limbs(k) for k in scalars], dtype=np.uint64), num_segments, window=window,
                       chunk=chunk)
    assert got.tobytes() == to_array(expected).tobytes()


def test_small_and_zero_scalars_only():
    bases = [G1Point.generator() * k for k in (3, 5, 7)]
    scalars = [1, R - 1, 2, 0, R - 3]
    rows, segments = [0, 1, 2, 0, 1], [0, 0, 1, 2, 2]
    got = segment_sums(G1_MSM, g1_affine_array(bases), np.array(rows), np.array(segments),
                       np.array([int_to_limbs(k) for k in scalars], dtype=np.uint64), 4)
    expected = [bases[0] - bases[1], bases[2] * 2, -(bases[1] * 3), G1Point.infinity()]
    assert got.tobytes() == g1_affine_array(expected).tobytes()
    zero = segment_sums(G1_MSM, g1_affine_array(bases), np.array([0]), np.array([0]), np.zeros((1, 4), np.uint64), 1)
    assert zero.tobytes() == g1_affine_array([G1Point.infinity()]).tobytes()


def test_segment_sums_refuses_mismatched_lengths():
    with pytest.raises(ShapeMismatchError, match="segment_sums"):
        segment_sums(G1_MSM, g1_affine_array([G1Point.generator()]), np.array([0, 0]), np.array([0]),
                     np.zeros((2, 4), dtype=np.uint64), 1)
