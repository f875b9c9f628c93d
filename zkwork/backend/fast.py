"""The fast backend: zkwork's numba kernels (Pippenger MSM, multi-Miller-loop pairing)."""
from zkwork.curve import G1Point, G2Point, g1_affine_array, g2_affine_array
from zkwork.curve import msm as _msm
from zkwork.pairing import GT, final_exponentiation, multi_miller_loop
from zkwork.pairing import pairing as _pairing

NAME = "fast"


def msm_g1(points, scalars):
    """The G1Point sum_i scalars[i] * points[i], by Pippenger over an affine (n, 2, 4) array."""
    return G1Point(_msm.msm_g1(points, scalars))


def msm_g2(points, scalars):
    """The G2Point sum_i scalars[i] * points[i], by Pippenger over an affine (n, 2, 2, 4) array."""
    return G2Point(_msm.msm_g2(points, scalars))


def fixed_base_g1(base, scalars):
    """[k * base for k in scalars] as an (n, 2, 4) affine Montgomery array; base: a G1Point."""
    return _msm.fixed_base_mul_g1(base.affine_mont(), scalars)


def fixed_base_g2(base, scalars):
    """[k * base for k in scalars] as an (n, 2, 2, 4) affine Montgomery array; base: a G2Point."""
    return _msm.fixed_base_mul_g2(base.affine_mont(), scalars)


def pairing(p, q):
    """The pairing e(p, q) in GT, for a G1Point p and a G2Point q."""
    return _pairing(p.affine_mont(), q.affine_mont())


def pairing_product_is(pairs, target):
    """prod e(P_i, Q_i) == target: one multi-Miller loop and one final exponentiation."""
    if not pairs:
        return target == GT.one()
    g1 = g1_affine_array([p for p, _ in pairs])
    g2 = g2_affine_array([q for _, q in pairs])
    f = multi_miller_loop(g1, g2)
    return final_exponentiation(f) == target


def pairing_check(pairs):
    """Whether prod e(P_i, Q_i) == 1 for (G1Point, G2Point) pairs; True for no pairs."""
    return pairing_product_is(pairs, GT.one())

