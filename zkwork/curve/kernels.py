"""The Jacobian kernels of BN254's G1 (over Fq) and G2 (over Fq2, the twist)."""
from zkwork.curve.jacobian import make_jacobian_kernels
from zkwork.field import FQ, P
from zkwork.field import fq2
from zkwork.field.params import B, FQ2_NON_RESIDUE


def _twist_b():
    """b' = 3 / (9 + u) in Fq2, computed with plain integers."""
    a, c = FQ2_NON_RESIDUE
    norm_inv = pow(a * a + c * c, -1, P)
    return (B * a * norm_inv % P, -B * c * norm_inv % P)


G1 = make_jacobian_kernels(FQ.kernels, FQ.to_mont_limbs(B))
TWIST_B = _twist_b()
G2 = make_jacobian_kernels(fq2.kernels, fq2.to_mont(TWIST_B))
