"""The reference backend: py_ecc's optimized_bn128 behind zkwork's backend interface.

Slow (a pairing takes about half a second) and obviously correct: it exists so that a
reader can make the same proof both ways and so that tests have an independent oracle.
"""
from py_ecc import optimized_bn128 as bn

from zkwork.backend.arguments import check_msm_arguments
from zkwork.field import R


class _ReferencePoint:
    """A py_ecc point (Jacobian-like triple) with operators; `_generator` and `_zero`
    are the group's py_ecc constants, set on the two subclasses below."""

    __slots__ = ("pt",)
    _generator = None
    _zero = None

    def __init__(self, pt):
        self.pt = pt

    @classmethod
    def generator(cls):
        return cls(cls._generator)

    @classmethod
    def infinity(cls):
        return cls(cls._zero)

    @classmethod
    def from_py_ecc(cls, pt):
        if pt is None:
            return cls.infinity()
        if len(pt) == 2:  # an affine point as py_ecc.bn128 writes it
            one = type(pt[0]).one()
            pt = (pt[0], pt[1], one)
        return cls(pt)

    def to_py_ecc(self):
        return self.pt

    def is_infinity(self):
        return bn.is_inf(self.pt)

    def __add__(self, other):
        return type(self)(bn.add(self.pt, other.pt))

    def __neg__(self):
        return type(self)(bn.neg(self.pt))

    def __sub__(self, other):
        return self + (-other)

    def __mul__(self, scalar):
        return type(self)(bn.multiply(self.pt, int(scalar) % R))

    __rmul__ = __mul__

    def __eq__(self, other):
        return isinstance(other, type(self)) and bn.eq(self.pt, other.pt)

    def __hash__(self):
        return hash(bn.normalize(self.pt))

    def __repr__(self):
        return f"{type(self).__name__}({bn.normalize(self.pt) if not self.is_infinity() else 'infinity'})"


class ReferenceG1(_ReferencePoint):
    __slots__ = ()
    _generator, _zero = bn.G1, bn.Z1


class ReferenceG2(_ReferencePoint):
    __slots__ = ()
    _generator, _zero = bn.G2, bn.Z2


G1, G2 = ReferenceG1, ReferenceG2


def msm(points, scalars):
    """sum(k_i * P_i), one multiplication at a time, as the paper writes it."""
    check_msm_arguments(points, scalars)
    acc = type(points[0]).infinity()
    for point, scalar in zip(points, scalars):
        acc = acc + point * scalar
    return acc


def pairing_check(pairs):
    """prod e(P_i, Q_i) == 1, with one final exponentiation."""
    f = bn.FQ12.one()
    for p, q in pairs:
        if p.is_infinity() or q.is_infinity():
            continue
        f = f * bn.optimized_pairing.pairing(q.pt, p.pt, final_exponentiate=False)
    return bn.final_exponentiate(f) == bn.FQ12.one()
