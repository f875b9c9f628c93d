"""The fast backend: zkwork's numba kernels behind the backend interface."""
from zkwork.backend.arguments import check_msm_arguments
from zkwork.curve import G1Point, G2Point, g1_affine_array, g2_affine_array
from zkwork.curve import msm as _msm
from zkwork.pairing import pairing_check as _pairing_check

G1 = G1Point
G2 = G2Point


def msm(points, scalars):
    """sum(k_i * P_i) by Pippenger's method; the points are all G1 or all G2."""
    check_msm_arguments(points, scalars)
    scalars = [int(k) for k in scalars]
    if isinstance(points[0], G1Point):
        return G1Point(_msm.msm_g1(g1_affine_array(points), scalars))
    return G2Point(_msm.msm_g2(g2_affine_array(points), scalars))


def pairing_check(pairs):
    """prod e(P_i, Q_i) == 1: one multi-Miller loop and one final exponentiation."""
    g1 = g1_affine_array([p for p, _ in pairs])
    g2 = g2_affine_array([q for _, q in pairs])
    return _pairing_check(g1, g2)
