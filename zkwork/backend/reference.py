"""The reference backend: py_ecc's optimized_bn128 does all group work.

Slow (a pairing takes about half a second, a G1 multiplication several milliseconds) and
obviously correct: it exists so that a reader can make the same proof both ways and so
that tests have an independent oracle. Points cross over to py_ecc and back at the edges.
"""
from py_ecc import optimized_bn128 as bn

from zkwork.curve import (
    G1Point, G2Point, g1_affine_array, g1_points_from_affine_array, g2_affine_array, g2_points_from_affine_array,
)
from zkwork.errors import ShapeMismatchError
from zkwork.field import FieldVector, R

NAME = "reference"


def _scalars(scalars):
    if isinstance(scalars, FieldVector):
        return scalars.to_ints()
    return [int(k) % R for k in scalars]


def _msm(points, scalars, zero):
    """sum(k_i * P_i), one multiplication at a time, as the paper writes it."""
    scalars = _scalars(scalars)
    if len(points) != len(scalars):
        raise ShapeMismatchError(f"msm needs as many scalars as points: {len(scalars)} != {len(points)}")
    acc = zero
    for point, k in zip(points, scalars):
        acc = bn.add(acc, bn.multiply(point.to_py_ecc(), k))
    return acc


def msm_g1(points, scalars):
    """The G1Point sum_i scalars[i] * points[i], via py_ecc, from an affine (n, 2, 4) array."""
    return G1Point.from_py_ecc(_msm(g1_points_from_affine_array(points, check=False), scalars, bn.Z1))


def msm_g2(points, scalars):
    """The G2Point sum_i scalars[i] * points[i], via py_ecc, from an affine (n, 2, 2, 4) array."""
    return G2Point.from_py_ecc(_msm(g2_points_from_affine_array(points, check=False), scalars, bn.Z2))


def _fixed_base(base, scalars):
    return [type(base).from_py_ecc(bn.multiply(base.to_py_ecc(), k)) for k in _scalars(scalars)]


def fixed_base_g1(base, scalars):
    """[k * base for k in scalars] as an (n, 2, 4) affine Montgomery array, via py_ecc."""
    return g1_affine_array(_fixed_base(base, scalars))


def fixed_base_g2(base, scalars):
    """[k * base for k in scalars] as an (n, 2, 2, 4) affine Montgomery array, via py_ecc."""
    return g2_affine_array(_fixed_base(base, scalars))


def pairing(p, q):
    """The pairing e(p, q) as a py_ecc FQ12, for a G1Point p and a G2Point q."""
    if p.is_infinity() or q.is_infinity():
        return bn.FQ12.one()
    return bn.pairing(q.to_py_ecc(), p.to_py_ecc())


def pairing_product_is(pairs, target):
    """Whether prod e(P_i, Q_i) == target (a py_ecc FQ12), with one final exponentiation."""
    f = bn.FQ12.one()
    for p, q in pairs:
        if not (p.is_infinity() or q.is_infinity()):
            f = f * bn.optimized_pairing.pairing(q.to_py_ecc(), p.to_py_ecc(), final_exponentiate=False)
    return bn.final_exponentiate(f) == target


def pairing_check(pairs):
    """Whether prod e(P_i, Q_i) == 1 for (G1Point, G2Point) pairs; True for no pairs."""
    return pairing_product_is(pairs, bn.FQ12.one())
