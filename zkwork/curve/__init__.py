"""BN254's groups G1 and G2: point objects, byte encodings, and the numba kernels below them."""
from zkwork.curve.points import (
    G1Point,
    G2Point,
    check_g1_affine_array,
    check_g2_affine_array,
    first_off_curve,
    g1_affine_array,
    g1_points_from_affine_array,
    g2_affine_array,
    g2_points_from_affine_array,
)

__all__ = [
    "G1Point",
    "G2Point",
    "check_g1_affine_array",
    "check_g2_affine_array",
    "first_off_curve",
    "g1_affine_array",
    "g1_points_from_affine_array",
    "g2_affine_array",
    "g2_points_from_affine_array",
]
