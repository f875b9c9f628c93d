"""Points of BN254's G1 and G2 as Python objects.

A point holds one representation: a read-only numpy uint64 array of Jacobian coordinates
(X, Y, Z) in Montgomery form, shape (3, 4) for G1 (coordinates in Fq) and (3, 2, 4) for G2
(coordinates in Fq2, on the twist y^2 = x^3 + 3/(9+u)). Z = 0 is the point at infinity.
Arithmetic runs in small njit wrappers that load the arrays into tuples, call the kernels
of `zkwork.curve.kernels` and store the result; one factory builds them for both groups.
The affine form that MSM and the pairing consume is a (2, 4) / (2, 2, 4) Montgomery array
with (0, 0) for infinity; many points convert at once with one field inversion
(Montgomery's trick: invert the product of all Z, then peel off each 1/Z).

Scalars: every point built through the checked API lies in the subgroup of prime order r,
so [k]P only depends on k mod r, and `*` reduces any int k (negative too) mod r.

Subgroup membership:
  G1: #E(Fq) = r, the cofactor is 1, so every point on the curve is in G1.
  G2: the twist has r * (2p - r) points, so being on the curve is not enough. The
      untwist-Frobenius-twist endomorphism psi(x, y) = (conj(x) xi^((p-1)/3),
      conj(y) xi^((p-1)/2)) acts on G2 as multiplication by p = 6u^2 (mod r), and
      psi(Q) == [6u^2]Q characterises G2 (El Housni, Guillevic, Piellard, ePrint 2022/352).
      We use its refinement by Dai, Lin, Zhao and Zhou (ePrint 2022/348), valid when
      u != 4 (mod 13) and u != 92 (mod 97), as holds for BN254:
          Q is in G2  iff  [u+1]Q + psi([u]Q) + psi^2([u]Q) == psi^3([2u]Q),
      one 64-bit scalar multiplication instead of the 254-bit one of [r]Q == O. The tests
      cross-check both, on subgroup points and on twist points outside the subgroup.
"""
import operator
from types import SimpleNamespace

import numpy as np
from numba import prange
from py_ecc import optimized_bn128 as py_ecc_curve

from zkwork.curve.serialize import decode as decode_point, encode as encode_point
from zkwork.curve.kernels import G1, G2, TWIST_B
from zkwork.curve.msm import G1_MSM, G2_MSM, fq2_load as _fq2_load, fq_load as _fq_load
from zkwork.errors import (
    NonCanonicalEncodingError,
    PointNotInSubgroupError,
    PointNotOnCurveError,
    ScalarOutOfRangeError,
    ShapeMismatchError,
    WrongTypeError,
)
from zkwork.field import FQ, FR, FieldElement, Fq, P, R, fq2
from zkwork.field.fq2_element import Fq2
from zkwork.field.limbs import int_to_limbs
from zkwork.field.params import FQ2_NON_RESIDUE, B, X
from zkwork.jit import njit


def make_point_ops(curve, field, msm_kernels):
    """njit wrappers between Jacobian arrays (3, *coordinate shape) and the tuple kernels
    `curve` (from make_jacobian_kernels) over the coordinate field kernels `field`, plus
    the batch conversion to affine of `msm_kernels`."""
    load, store = field.load, field.store
    c_add, c_neg, c_eq, c_scalar_mul = curve.add, curve.neg, curve.eq, curve.scalar_mul
    c_to_affine, c_is_on_curve_affine = curve.to_affine, curve.is_on_curve_affine

    @njit(cache=True)
    def load_point(a):
        return (load(a, 0), load(a, 1), load(a, 2))

    @njit(cache=True)
    def store_point(out, p):
        store(out, 0, p[0])
        store(out, 1, p[1])
        store(out, 2, p[2])

    @njit(cache=True)
    def add(a, b, out):
        store_point(out, c_add(load_point(a), load_point(b)))

    @njit(cache=True)
    def neg(a, out):
        store_point(out, c_neg(load_point(a)))

    @njit(cache=True)
    def scalar_mul(a, k, out):
        store_point(out, c_scalar_mul(load_point(a), k))

    @njit(cache=True)
    def eq(a, b):
        return c_eq(load_point(a), load_point(b))

    @njit(cache=True)
    def is_on_curve(a):
        return c_is_on_curve_affine(c_to_affine(load_point(a)))

    @njit(cache=True)
    def to_affine(a, out):
        x, y = c_to_affine(load_point(a))
        store(out, 0, x)
        store(out, 1, y)

    return SimpleNamespace(
        load_point=load_point, store_point=store_point, add=add, neg=neg,
        scalar_mul=scalar_mul, eq=eq, is_on_curve=is_on_curve, to_affine=to_affine,
        to_affine_array=msm_kernels.to_affine_array,
    )


G1_OPS = make_point_ops(G1, FQ.kernels, G1_MSM)
G2_OPS = make_point_ops(G2, fq2.kernels, G2_MSM)

# psi's coefficients: untwisting maps (x, y) to (x w^2, y w^3) with w^6 = xi, Frobenius
# raises to the p-th power, twisting back divides by w^2 and w^3 again, leaving the
# factors w^(2(p-1)) = xi^((p-1)/3) and w^(3(p-1)) = xi^((p-1)/2), both in Fq2.
XI = Fq2(*FQ2_NON_RESIDUE)
PSI_X = XI ** ((P - 1) // 3)
PSI_Y = XI ** ((P - 1) // 2)

_psi_x, _psi_y = fq2.to_mont(PSI_X.coeffs), fq2.to_mont(PSI_Y.coeffs)
_fq2_mul, _fq2_conj = fq2.mul, fq2.conj
_g2_add, _g2_double, _g2_eq, _g2_scalar_mul = G2.add, G2.double, G2.eq, G2.scalar_mul
_g2_load, _g2_store = G2_OPS.load_point, G2_OPS.store_point
_g1_on_curve, _g2_on_curve, _g2_from_affine = G1.is_on_curve_affine, G2.is_on_curve_affine, G2.from_affine


@njit(cache=True)
def _psi(q):
    # On Jacobian coordinates conj applies to Z too: conj is a field automorphism.
    return (_fq2_mul(_fq2_conj(q[0]), _psi_x), _fq2_mul(_fq2_conj(q[1]), _psi_y), _fq2_conj(q[2]))


@njit(cache=True)
def _g2_psi(a, out):
    _g2_store(out, _psi(_g2_load(a)))


# The hypothesis of the subgroup test of ePrint 2022/348 (see the module docstring).
assert X % 13 != 4 and X % 97 != 92


@njit(cache=True)
def _g2_in_subgroup(a, u_limbs):
    return _g2_subgroup_tuple(_g2_load(a), u_limbs)


@njit(cache=True)
def _g2_subgroup_tuple(q, u_limbs):
    # [u+1]Q + psi([u]Q) + psi^2([u]Q) == psi^3([2u]Q)
    uq = _g2_scalar_mul(q, u_limbs)
    psi_uq = _psi(uq)
    lhs = _g2_add(_g2_add(_g2_add(uq, q), psi_uq), _psi(psi_uq))
    rhs = _psi(_psi(_psi(_g2_double(uq))))
    return _g2_eq(lhs, rhs)


def _limbs_array(k):
    return np.array(int_to_limbs(k), dtype=np.uint64)


_U_LIMBS = _limbs_array(X)


class _Curve:
    """What G1Point and G2Point differ in: kernels, coordinate field, constants."""

    def __init__(self, name, ops, coordinate, degree, b, generator, py_ecc_field, py_ecc_infinity):
        self.name = name
        self.ops = ops
        self.coordinate = coordinate  # element class: Fq or Fq2
        self.degree = degree  # coefficients per coordinate: 1 or 2
        self.shape = (4,) if degree == 1 else (degree, 4)
        self.coordinate_bytes = 32 * degree
        self.b = b
        self.generator = generator
        self.py_ecc_field = py_ecc_field
        self.py_ecc_infinity = py_ecc_infinity
        self.one = self.to_mont(coordinate(1))
        self.infinity = np.stack([self.one, self.one, np.zeros_like(self.one)])

    def jacobian(self, x, y):
        """The Jacobian array (x, y, 1) of affine coordinate elements."""
        return np.stack([self.to_mont(x), self.to_mont(y), self.one])

    def coeffs(self, element):
        return (element.value,) if self.degree == 1 else element.coeffs

    def to_mont(self, element):
        limbs = [FQ.to_mont_limbs(c) for c in self.coeffs(element)]
        return np.array(limbs, dtype=np.uint64).reshape(self.shape)

    def from_mont(self, array):
        return self.coordinate(*(FQ.from_mont_limbs(tuple(row)) for row in array.reshape(-1, 4)))

    def to_user(self, element):
        """The public int form of a coordinate: an int (G1) or a (c0, c1) pair (G2)."""
        coeffs = self.coeffs(element)
        return coeffs[0] if self.degree == 1 else tuple(coeffs)

    def from_user(self, value, label):
        """The coordinate element of an int (G1) or (c0, c1) pair (G2), each coefficient in [0, p)."""
        coeffs = (value,) if self.degree == 1 else tuple(value)
        if len(coeffs) != self.degree:
            raise WrongTypeError(f"a {self.name} coordinate is a pair (c0, c1) of ints, got {value!r}")
        for c in coeffs:
            c = operator.index(c)
            if not 0 <= c < P:
                raise NonCanonicalEncodingError(
                    f"{self.name} coordinate {label} = {value!r} is not canonical: "
                    f"every coefficient must lie in [0, p)"
                )
        return self.coordinate(*coeffs)

    def from_py_ecc_element(self, element):
        coeffs = [int(c) for c in element.coeffs] if hasattr(element, "coeffs") else [int(element)]
        if len(coeffs) != self.degree:
            raise WrongTypeError(f"{element!r} is not a {self.name} coordinate")
        return self.coordinate(*coeffs)

    def to_py_ecc_element(self, element):
        coeffs = self.coeffs(element)
        return self.py_ecc_field(coeffs[0] if self.degree == 1 else list(coeffs))


class CurvePoint:
    """A point of G1 or G2; see the module docstring. Immutable."""

    __slots__ = ("jacobian",)
    curve = None  # a _Curve, set by each subclass

    def __init__(self, jacobian):
        """Wraps a Jacobian Montgomery array (copied) WITHOUT any check: internal use, e.g.
        for results of MSM. Use from_affine / from_bytes / from_py_ecc for outside input."""
        jacobian = np.array(jacobian, dtype=np.uint64)
        if jacobian.shape != (3,) + self.curve.shape:
            raise ShapeMismatchError(
                f"a {self.curve.name} Jacobian array has shape {(3,) + self.curve.shape}, got {jacobian.shape}"
            )
        self._freeze(jacobian)

    def _freeze(self, jacobian):
        # Read-only so that hash and == stay valid; every point array then has the same
        # numba type, so each wrapper compiles once.
        jacobian.flags.writeable = False
        self.jacobian = jacobian

    @classmethod
    def _wrap(cls, jacobian):
        """A point owning the freshly computed array `jacobian`, without copying it."""
        point = cls.__new__(cls)
        point._freeze(jacobian)
        return point

    # -- construction --------------------------------------------------------------
    @classmethod
    def generator(cls):
        """The standard generator of the group (EIP-196/197)."""
        # The standard generator (EIP-196/197); tests check it is on the curve and in the
        # subgroup, so it is built without the checks.
        curve = cls.curve
        return cls._wrap(curve.jacobian(*(curve.from_user(c, "generator") for c in curve.generator)))

    @classmethod
    def infinity(cls):
        """The point at infinity, the group's identity."""
        return cls._wrap(cls.curve.infinity.copy())

    @classmethod
    def from_affine(cls, x, y):
        """The point (x, y): ints for G1, (c0, c1) int pairs for G2; (0, 0) is infinity.
        Raises NonCanonicalEncodingError, PointNotOnCurveError, PointNotInSubgroupError."""
        curve = cls.curve
        return cls._from_affine_elements(curve.from_user(x, "x"), curve.from_user(y, "y"))

    @classmethod
    def _from_affine_elements(cls, x, y):
        curve = cls.curve
        if x == 0 and y == 0:
            return cls.infinity()
        if y * y != x * x * x + curve.b:
            raise PointNotOnCurveError(
                f"({curve.to_user(x)}, {curve.to_user(y)}) is not on the {curve.name} curve"
            )
        point = cls._wrap(curve.jacobian(x, y))
        if not point.is_in_subgroup():
            raise PointNotInSubgroupError(
                f"{curve.name} point ({curve.to_user(x)}, {curve.to_user(y)}) is on the curve "
                f"but not in the subgroup of order r"
            )
        return point

    # -- conversions ---------------------------------------------------------------
    def affine_mont(self):
        """(x, y) as a (2, 4) / (2, 2, 4) Montgomery array; zeros for infinity."""
        out = np.empty((2,) + self.curve.shape, dtype=np.uint64)
        self.curve.ops.to_affine(self.jacobian, out)
        return out

    def _affine_elements(self):
        if self.is_infinity():
            return None
        x, y = self.affine_mont()
        return self.curve.from_mont(x), self.curve.from_mont(y)

    def to_affine(self):
        """(x, y) as ints (G1) or (c0, c1) pairs (G2); None for infinity."""
        affine = self._affine_elements()
        return None if affine is None else tuple(self.curve.to_user(c) for c in affine)

    def to_bytes(self, compressed=True):
        """See zkwork.curve.serialize for the format."""
        return encode_point(self.curve, self._affine_elements(), compressed)

    @classmethod
    def from_bytes(cls, data):
        """Decodes either form (the length tells which) and checks curve and subgroup."""
        affine = decode_point(cls.curve, data)
        return cls.infinity() if affine is None else cls._from_affine_elements(*affine)

    @classmethod
    def from_py_ecc(cls, pt):
        """From py_ecc.optimized_bn128 (x, y, z) (homogeneous: affine (x/z, y/z)) or
        py_ecc.bn128 affine (x, y) / None."""
        curve = cls.curve
        if pt is None:
            return cls.infinity()
        if len(pt) == 2:
            return cls._from_affine_elements(*(curve.from_py_ecc_element(c) for c in pt))
        if len(pt) != 3:
            raise WrongTypeError(f"a py_ecc point has 2 or 3 coordinates, got {len(pt)}")
        x, y, z = (curve.from_py_ecc_element(c) for c in pt)
        if z == 0:
            return cls.infinity()
        return cls._from_affine_elements(x / z, y / z)

    def to_py_ecc(self):
        """A py_ecc.optimized_bn128 point (x, y, 1), or its infinity."""
        affine = self._affine_elements()
        if affine is None:
            return self.curve.py_ecc_infinity
        one = self.curve.to_py_ecc_element(self.curve.coordinate(1))
        return tuple(self.curve.to_py_ecc_element(c) for c in affine) + (one,)

    # -- predicates ----------------------------------------------------------------
    def is_infinity(self):
        """Whether this is the point at infinity (Z = 0)."""
        return not self.jacobian[2].any()

    def is_on_curve(self):
        """Whether the point satisfies the curve equation (infinity counts as on the curve)."""
        return bool(self.curve.ops.is_on_curve(self.jacobian))

    def is_in_subgroup(self):
        """Whether the point is in the subgroup of order r (G1: being on the curve suffices)."""
        # G1's cofactor is 1: every point on the curve is in the subgroup (G2 overrides).
        return self.is_on_curve()

    # -- group law -----------------------------------------------------------------
    def __add__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        out = np.empty_like(self.jacobian)
        self.curve.ops.add(self.jacobian, other.jacobian, out)
        return self._wrap(out)

    def __neg__(self):
        out = np.empty_like(self.jacobian)
        self.curve.ops.neg(self.jacobian, out)
        return self._wrap(out)

    def __sub__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self + (-other)

    def __mul__(self, k):
        """[k]P for an int (or Fr element) k, reduced mod r."""
        if isinstance(k, FieldElement) and k.field is FR:
            k = k.value
        try:
            k = operator.index(k)
        except TypeError:
            return NotImplemented
        return self.scalar_mul_unreduced(k % R)

    __rmul__ = __mul__

    def scalar_mul_unreduced(self, k):
        """[k]P for 0 <= k < 2^256 without reducing k mod r: right for any curve point,
        also outside the subgroup (e.g. [r]Q as a reference subgroup test)."""
        if not 0 <= k < 1 << 256:
            raise ScalarOutOfRangeError(f"scalar_mul_unreduced needs 0 <= k < 2^256, got {k}")
        out = np.empty_like(self.jacobian)
        self.curve.ops.scalar_mul(self.jacobian, _limbs_array(k), out)
        return self._wrap(out)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.curve.ops.eq(self.jacobian, other.jacobian))

    def __hash__(self):
        return hash((self.curve.name, self.affine_mont().tobytes()))

    def __repr__(self):
        affine = self.to_affine()
        if affine is None:
            return f"{type(self).__name__}(infinity)"
        return f"{type(self).__name__}.from_affine({affine[0]!r}, {affine[1]!r})"


class G1Point(CurvePoint):
    """A point of G1: y^2 = x^3 + 3 over Fq."""

    __slots__ = ()
    curve = _Curve("G1", G1_OPS, Fq, 1, Fq(B), (1, 2), py_ecc_curve.FQ, py_ecc_curve.Z1)


class G2Point(CurvePoint):
    """A point of G2, on the twist y^2 = x^3 + 3/(9+u) over Fq2."""

    __slots__ = ()
    curve = _Curve(
        "G2", G2_OPS, Fq2, 2, Fq2(*TWIST_B),
        (
            (0x1800DEEF121F1E76426A00665E5C4479674322D4F75EDADD46DEBD5CD992F6ED,
             0x198E9393920D483A7260BFB731FB5D25F1AA493335A9E71297E485B7AEF312C2),
            (0x12C85EA5DB8C6DEB4AAB71808DCB408FE3D1E7690C43D37B4CE6CC0166FA7DAA,
             0x090689D0585FF075EC9E99AD690C3395BC4B313370B38EF355ACDADCD122975B),
        ),
        py_ecc_curve.FQ2, py_ecc_curve.Z2,
    )

    def psi(self):
        """The untwist-Frobenius-twist endomorphism; on G2 it equals [p mod r] = [6u^2]."""
        out = np.empty_like(self.jacobian)
        _g2_psi(self.jacobian, out)
        return self._wrap(out)

    def is_in_subgroup(self):
        """Whether the point is on the twist and in G2, by the psi test of the module docstring."""
        return self.is_on_curve() and bool(_g2_in_subgroup(self.jacobian, _U_LIMBS))


# -- arrays of points ----------------------------------------------------------------
def _affine_array(cls, points):
    points = list(points)
    for i, point in enumerate(points):
        if type(point) is not cls:
            raise WrongTypeError(f"element {i} is a {type(point).__name__}, expected {cls.__name__}")
    if not points:
        return np.empty((0, 2) + cls.curve.shape, dtype=np.uint64)
    return cls.curve.ops.to_affine_array(np.stack([point.jacobian for point in points]))


def _points_from_affine_array(cls, array, check):
    curve = cls.curve
    array = np.asarray(array)
    if array.dtype != np.uint64 or array.ndim != 2 + len(curve.shape) or array.shape[1:] != (2,) + curve.shape:
        raise ShapeMismatchError(
            f"expected a (n, 2, {', '.join(map(str, curve.shape))}) uint64 array, "
            f"got {array.dtype} {array.shape}"
        )
    if check:
        _check_affine_array(curve, array)
    points = []
    for x, y in array:
        is_infinity = not (x.any() or y.any())
        points.append(cls._wrap(curve.infinity.copy() if is_infinity else np.stack([x, y, curve.one])))
    return points


# Validity of rows lo .. hi-1 of an affine array: 0 valid (or infinity), 1 not on the curve,
# 2 on the curve but outside the subgroup (G2 with `subgroup` only: G1's cofactor is 1).
# Large arrays go through the prange wrapper in chunks; smaller ones stay on one thread.
@njit(cache=True)
def _g1_validity(array, out, lo, hi, subgroup):
    for i in range(lo, hi):
        out[i] = 0 if _g1_on_curve((_fq_load(array, i, 0), _fq_load(array, i, 1))) else 1


@njit(cache=True)
def _g2_validity(array, out, lo, hi, subgroup):
    for i in range(lo, hi):
        x, y = _fq2_load(array, i, 0), _fq2_load(array, i, 1)
        if not _g2_on_curve((x, y)):
            out[i] = 1
        elif subgroup and not _g2_subgroup_tuple(_g2_from_affine((x, y)), _U_LIMBS):
            out[i] = 2
        else:
            out[i] = 0


def _make_parallel_validity(chunk_validity):
    @njit(parallel=True, cache=True)
    def validity(array, out, chunk, subgroup):
        n = array.shape[0]
        for start in prange((n + chunk - 1) // chunk):
            chunk_validity(array, out, start * chunk, min(start * chunk + chunk, n), subgroup)

    return validity


_VALIDITY = {1: (_g1_validity, _make_parallel_validity(_g1_validity)),
             2: (_g2_validity, _make_parallel_validity(_g2_validity))}
# Rows per parallel task, (degree, subgroup check) -> rows. An on-curve check costs ~70 ns
# (G1) to ~200 ns (G2) a row, a G2 subgroup check ~150 us. Measured on 2 cores at load 3.4:
# 12,000 G1 rows took 0.85 ms on one thread and 12 ms through the thread pool, whose
# threads wait for each other when the machine is busy; so a task must hold ~10 ms of work.
VALIDITY_CHUNK = {(1, False): 1 << 17, (2, False): 1 << 16, (2, True): 128}


def _validity(curve, array, subgroup):
    """Per row of an affine array: 0 valid, 1 off the curve, 2 outside the subgroup."""
    validity = np.empty(array.shape[0], dtype=np.uint8)
    subgroup = bool(subgroup and curve.degree == 2)
    serial, parallel = _VALIDITY[curve.degree]
    chunk = VALIDITY_CHUNK[curve.degree, subgroup]
    if array.shape[0] <= chunk:
        serial(array, validity, 0, array.shape[0], subgroup)
    else:
        parallel(array, validity, chunk, subgroup)
    return validity


def _check_affine_array(curve, array, subgroup=True):
    """Raises the typed error for the first invalid row of an affine array: a coordinate
    not reduced mod p, a point off the curve, or (G2, with `subgroup`) outside the subgroup."""
    array = np.ascontiguousarray(array)
    rows = array.reshape(-1, 4)
    below = np.empty(rows.shape[0], dtype=np.bool_)
    FQ.vec.below_modulus(rows, below)
    if not below.all():
        bad = int(np.flatnonzero(~below)[0]) // (2 * curve.degree)
        raise NonCanonicalEncodingError(f"{curve.name} point {bad} has a coordinate limb array >= p")
    validity = _validity(curve, array, subgroup)
    if validity.any():
        bad = int(np.flatnonzero(validity)[0])
        if validity[bad] == 1:
            raise PointNotOnCurveError(f"{curve.name} point {bad} of the array is not on the curve")
        raise PointNotInSubgroupError(f"{curve.name} point {bad} of the array is not in the subgroup")


def check_g1_affine_array(array):
    """Validates an (n, 2, 4) affine array without building point objects (limbs < p, on
    the curve); raises the typed error naming the first bad point."""
    _check_affine_array(G1Point.curve, array)


def check_g2_affine_array(array, subgroup=True):
    """As check_g1_affine_array for (n, 2, 2, 4) G2 arrays, with the subgroup check unless
    `subgroup` is False (measured ~0.15 ms a point on two busy cores, ~700x the curve equation)."""
    _check_affine_array(G2Point.curve, array, subgroup)


def first_off_curve(array):
    """Index of the first point of an affine G1 (n, 2, 4) or G2 (n, 2, 2, 4) Montgomery array,
    coordinates below p, that is not on the curve ((0, 0), infinity, is on it); None if none."""
    curve = G1Point.curve if array.ndim == 3 else G2Point.curve
    bad = np.flatnonzero(_validity(curve, np.ascontiguousarray(array), subgroup=False))
    return int(bad[0]) if bad.size else None


def g1_affine_array(points):
    """G1 points -> (n, 2, 4) affine Montgomery array (zeros for infinity), one inversion."""
    return _affine_array(G1Point, points)


def g2_affine_array(points):
    """G2 points -> (n, 2, 2, 4) affine Montgomery array (zeros for infinity), one inversion."""
    return _affine_array(G2Point, points)


def g1_points_from_affine_array(array, check=True):
    """Inverse of g1_affine_array; with check, every point is validated (limbs < p, on curve)."""
    return _points_from_affine_array(G1Point, array, check)


def g2_points_from_affine_array(array, check=True):
    """Inverse of g2_affine_array; with check, every point is validated (limbs < p, on
    curve, in the subgroup)."""
    return _points_from_affine_array(G2Point, array, check)
