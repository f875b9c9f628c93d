"""The optimal ate pairing e: G1 x G2 -> GT of BN254, on numpy arrays of Montgomery limbs.

Points come in affine coordinates, Montgomery form: a G1 point is a (2, 4) uint64 array (x, y), a
G2 point a (2, 2, 4) array ((x0, x1), (y0, y1)) for x = x0 + x1 u; all zeros is the point at
infinity. Points must be on their curves; G2 points are also assumed to be in the order-r
subgroup (checking that is the job of the code that decodes them).

    miller_loop(g1, g2)          -> (2, 3, 2, 4) Fq12 array, the Miller value
    multi_miller_loop(g1s, g2s)  -> (2, 3, 2, 4) Fq12 array, the product of n Miller values
    final_exponentiation(f)      -> GT, f^((p^12 - 1)/r)
    pairing(g1, g2)              -> GT, equal to py_ecc's pairing(g2, g1)
    pairing_check(g1s, g2s)      -> bool, whether prod_i e(g1s[i], g2s[i]) == 1

pairing_check runs one multi-Miller loop for all pairs and one final exponentiation.
"""
import numpy as np

from zkwork.curve.kernels import G1, G2
from zkwork.errors import (
    EncodingError,
    NonCanonicalEncodingError,
    NotInvertibleError,
    PointNotOnCurveError,
)
from zkwork.field import FQ, fq2
from zkwork.jit import njit
from zkwork.pairing import final_exp, miller
from zkwork.pairing.gt import GT
from zkwork.pairing.tower import fq12_empty, fq12_is_zero, fq12_load, fq12_store

# Verdicts of the point classifier, one per point.
FINITE, INFINITY, NOT_CANONICAL, NOT_ON_CURVE = 0, 1, 2, 3
_VERDICT_ERRORS = {NOT_CANONICAL: NonCanonicalEncodingError, NOT_ON_CURVE: PointNotOnCurveError}
_VERDICT_TEXT = {
    NOT_CANONICAL: "has a coordinate limb vector >= p (not a reduced Montgomery value)",
    NOT_ON_CURVE: "is not on the curve",
}
f_is_canonical = FQ.kernels.is_canonical


@njit(cache=True)
def _fq2_is_canonical(a):
    return f_is_canonical(a[0]) and f_is_canonical(a[1])


def _make_classifier(curve, load, is_canonical):
    """An njit function writing the verdict of each affine point of an array of one group."""
    is_on_curve, from_affine, is_infinity = curve.is_on_curve_affine, curve.from_affine, curve.is_infinity

    @njit(cache=True)
    def classify(points, verdicts):
        for i in range(points.shape[0]):
            q = (load(points[i], 0), load(points[i], 1))
            if not (is_canonical(q[0]) and is_canonical(q[1])):
                verdicts[i] = NOT_CANONICAL
            elif is_infinity(from_affine(q)):
                verdicts[i] = INFINITY
            elif not is_on_curve(q):
                verdicts[i] = NOT_ON_CURVE
            else:
                verdicts[i] = FINITE

    return classify


_classify_g1 = _make_classifier(G1, FQ.kernels.load, f_is_canonical)
_classify_g2 = _make_classifier(G2, fq2.load, _fq2_is_canonical)


# nogil: the pairing is ~70 % of a verification, which the service runs on a thread beside its
# event loop (zkwork.service.app): holding the GIL for it delays every other request.
@njit(cache=True, nogil=True)
def _miller_loop_into(g1s, g2s, out):
    fq12_store(out, miller.multi_miller_loop(g1s, g2s))


@njit(cache=True, nogil=True)
def _final_exponentiation_into(f, out):
    fq12_store(out, final_exp.final_exponentiation(fq12_load(f)))


@njit(cache=True)
def _is_zero(f):
    return fq12_is_zero(fq12_load(f))


def _as_limb_array(value, shape, what):
    array = np.asarray(value)
    if array.dtype != np.uint64 or array.shape[1:] != shape or array.ndim != len(shape) + 1:
        raise EncodingError(
            f"{what} must be a uint64 array of shape (n, {', '.join(map(str, shape))}), "
            f"got {array.dtype} {array.shape}"
        )
    return np.ascontiguousarray(array)


def _finite_pairs(g1s, g2s):
    """Validate (n, 2, 4) and (n, 2, 2, 4) point arrays; keep the pairs with no point at infinity."""
    g1s = _as_limb_array(g1s, (2, 4), "G1 points")
    g2s = _as_limb_array(g2s, (2, 2, 4), "G2 points")
    if g1s.shape[0] != g2s.shape[0]:
        raise EncodingError(f"{g1s.shape[0]} G1 points but {g2s.shape[0]} G2 points")
    verdicts = np.empty((g1s.shape[0], 2), dtype=np.int64)
    _classify_g1(g1s, verdicts[:, 0])
    _classify_g2(g2s, verdicts[:, 1])
    for i, j in zip(*np.nonzero(verdicts >= NOT_CANONICAL)):
        verdict = verdicts[i, j]
        raise _VERDICT_ERRORS[verdict](f"{('G1', 'G2')[j]} point {i} {_VERDICT_TEXT[verdict]}")
    keep = (verdicts == FINITE).all(axis=1)
    return g1s[keep], g2s[keep]


def _shared_miller_loop(g1s, g2s):
    out = fq12_empty()
    _miller_loop_into(g1s, g2s, out)
    return out


def miller_loop(g1_affine, g2_affine):
    """The Miller value of one pair as a (2, 3, 2, 4) Fq12 array; 1 if either point is infinity."""
    return multi_miller_loop(np.asarray(g1_affine)[None], np.asarray(g2_affine)[None])


def multi_miller_loop(g1_array, g2_array):
    """The product of the Miller values of n pairs ((n, 2, 4) and (n, 2, 2, 4) arrays), computed
    with one shared accumulator; pairs with a point at infinity contribute 1."""
    return _shared_miller_loop(*_finite_pairs(g1_array, g2_array))


def final_exponentiation(f):
    """f^((p^12 - 1)/r) for a nonzero Fq12 value f ((2, 3, 2, 4) array or GT), as GT."""
    f = f.array if isinstance(f, GT) else GT(f).array
    if _is_zero(f):
        raise NotInvertibleError("the final exponentiation of 0 is undefined (0 is not in Fq12^*)")
    out = fq12_empty()
    _final_exponentiation_into(np.ascontiguousarray(f), out)
    return GT(out)


def pairing(g1_affine, g2_affine):
    """e(P, Q) for P in G1, Q in G2 (py_ecc writes this pairing(Q, P))."""
    return final_exponentiation(miller_loop(g1_affine, g2_affine))


def pairing_check(g1_array, g2_array):
    """Whether prod_i e(g1_array[i], g2_array[i]) == 1; True for no pairs."""
    g1s, g2s = _finite_pairs(g1_array, g2_array)
    if g1s.shape[0] == 0:
        return True
    return final_exponentiation(_shared_miller_loop(g1s, g2s)).is_one()


__all__ = ["GT", "miller_loop", "multi_miller_loop", "final_exponentiation", "pairing", "pairing_check"]
