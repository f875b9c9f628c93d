"""The inverse NTT over group elements: from [tau^k] to the Lagrange basis [L_j(tau)].

For a domain H = {omega^j} of size n, L_j(x) = (1/n) sum_k omega^(-jk) x^k, so

    [L_j(tau)] = (1/n) sum_k omega^(-jk) [tau^k],

the inverse NTT of `zkwork.poly.ntt.intt` with field elements replaced by points and
products by scalar multiplications. The butterflies are those of the scalar transform
(decimation in time over the bit-reversed input, stages of half-size h = 1, 2, .., n/2
with the twiddles omega^(-k n / 2h), k < h, from the Domain's `inv_twiddles` table), so
group_intt_g1([tau^k]_1)[j] is exactly [lagrange_basis_at(domain, tau)[j]]_1.

A stage (E, O) -> (E + w O, E - w O) is two passes over affine arrays: the odd inputs O
are multiplied by their twiddles w (w^0 = 1 skipped) with one batch variable-base
multiplication (zkwork.curve.batch_mul; the stage's at most 2h distinct twiddles are
recoded once, into GLV digits for G1 and four-dimensional phi/psi digits for G2, which
halve G2's doublings), then one parallel loop of butterflies computes E +- (w O) in affine
form: both share the denominator x(wO) - x(E), and a chunk of butterflies one inversion
(Montgomery's trick, 9 multiplications a butterfly against 36 for two mixed additions
brought back to affine).

The division by n rides on multiplications the stages make anyway. Before the stage of
half-size h, row x holds a transform of the bit-reversed inputs that share x's bits from
log h up, and its odd rows (bit log h set) feed the multiplications: so in the first group
(rows below 2h, higher bits zero) they carry exactly the inputs whose highest set bit is
log h, and multiplying them by w/n instead of w (w^0 = 1 included) divides each input but
row 0 by n once, on every path to the outputs; row 0 is multiplied by 1/n in the first
stage. That is log n + 1 scalar multiplications more than the transform needs, against
n/2 + 1 for multiplying every row of the last stage (9% fewer in all at n = 2^12).

Points are affine Montgomery arrays, (n, 2, 4) for G1 and (n, 2, 2, 4) for G2, an
all-zero row being infinity; inputs shorter than the domain are padded with infinity (as
for the scalar transform: zero values at the missing points).
"""
from types import SimpleNamespace

import numpy as np
from numba import prange

from zkwork.curve.batch_mul import (
    FQ2_DENOMINATORS, FQ_DENOMINATORS, batch_mul_recoded_g1, batch_mul_recoded_g2, recode, recode_psi)
from zkwork.curve.kernels import G1, G2
from zkwork.curve.msm import G1_MSM, G2_MSM, fq_load, fq_store
from zkwork.errors import DomainSizeError, ShapeMismatchError
from zkwork.field import FQ, FR, FieldVector, fq2
from zkwork.jit import njit
from zkwork.poly.domain import Domain

_fq_one, _fq_mul, _fq_inv = FQ.kernels.one, FQ.kernels.mul, FQ.kernels.inv


def make_butterfly_kernel(curve, field, msm_kernels, denominators):
    """The add/subtract pass of a stage for the group whose Jacobian kernels are `curve` over
    the coordinate field kernels `field`, moving points in and out of arrays with
    `msm_kernels`' loaders, inverting as `denominators` (batch_mul.FQ_DENOMINATORS or
    FQ2_DENOMINATORS) says."""
    add_mixed, from_affine, to_affine = curve.add_mixed, curve.from_affine, curve.to_affine
    f_mul, f_sqr, f_neg, f_is_zero, f_add, f_sub = field.mul, field.sqr, field.neg, field.is_zero, field.add, field.sub
    norm, from_norm_inverse = denominators.norm, denominators.from_norm_inverse
    load_affine, store_affine = msm_kernels.load_affine, msm_kernels.store_affine

    @njit(cache=True)
    def rows(b, log_h):
        """The rows (top, bottom) of butterfly b: k = b mod h in the group of 2h rows b / h."""
        top = ((b >> log_h) << (log_h + 1)) + (b & ((1 << log_h) - 1))
        return top, top + (1 << log_h)

    @njit(cache=True)
    def chunk_butterflies(points, out, log_h, lo, hi, norms, pending):
        """Butterflies lo .. hi - 1, E + wO and E - wO sharing their denominator x(wO) - x(E),
        all sharing one inversion (Montgomery's trick on the norms, as batch_mul's steps)."""
        product = _fq_one
        for b in range(lo, hi):
            pending[b - lo] = False
            top, bottom = rows(b, log_h)
            e, wo = load_affine(points, top), load_affine(points, bottom)
            if f_is_zero(wo[0]) and f_is_zero(wo[1]):
                store_affine(out, top, e)
                store_affine(out, bottom, e)
            elif f_is_zero(e[0]) and f_is_zero(e[1]):
                store_affine(out, top, wo)
                store_affine(out, bottom, (wo[0], f_neg(wo[1])))
            elif f_is_zero(f_sub(wo[0], e[0])):  # E = +-wO: the Jacobian formulas settle it
                store_affine(out, top, to_affine(add_mixed(from_affine(e), wo)))
                store_affine(out, bottom, to_affine(add_mixed(from_affine(e), (wo[0], f_neg(wo[1])))))
            else:
                n = norm(f_sub(wo[0], e[0]))
                fq_store(norms, b - lo, 0, product)
                fq_store(norms, b - lo, 1, n)
                pending[b - lo] = True
                product = _fq_mul(product, n)
        product_inv = _fq_inv(product)
        for b in range(hi - 1, lo - 1, -1):
            if not pending[b - lo]:
                continue
            top, bottom = rows(b, log_h)
            (x1, y1), (x2, y2) = load_affine(points, top), load_affine(points, bottom)
            den_inv = from_norm_inverse(f_sub(x2, x1), _fq_mul(product_inv, fq_load(norms, b - lo, 0)))
            product_inv = _fq_mul(product_inv, fq_load(norms, b - lo, 1))
            x12 = f_add(x1, x2)
            slope = f_mul(f_sub(y2, y1), den_inv)
            x3 = f_sub(f_sqr(slope), x12)
            store_affine(out, top, (x3, f_sub(f_mul(slope, f_sub(x1, x3)), y1)))
            slope = f_neg(f_mul(f_add(y2, y1), den_inv))
            x3 = f_sub(f_sqr(slope), x12)
            store_affine(out, bottom, (x3, f_sub(f_mul(slope, f_sub(x1, x3)), y1)))

    @njit(parallel=True, cache=True)
    def butterflies(points, out, log_h, chunk):
        """For h = 2^log_h, each group of 2h rows starting at g and k < h, with
        E = points[g + k] and wO = points[g + k + h] (affine):
            out[g + k] = E + wO,   out[g + k + h] = E - wO   (affine),
        `chunk` butterflies per inversion."""
        count = points.shape[0] >> 1
        for start in prange((count + chunk - 1) // chunk):
            lo, hi = start * chunk, min(start * chunk + chunk, count)
            chunk_butterflies(points, out, log_h, lo, hi, np.empty((chunk, 2, 4), dtype=np.uint64),
                              np.empty(chunk, dtype=np.bool_))

    return butterflies


# Butterflies sharing one inversion (and a parallel task): at 2^13 points 1024 measured best,
# 0.27 us a butterfly in G1 and 0.79 in G2 (128: 0.33 / 0.86, 256: 0.30 / 0.82, 4096: 0.27 /
# 0.81), against 0.97 / 2.94 for the mixed additions and their conversion to affine.
BUTTERFLY_CHUNK = 1024

_GROUPS = {
    "G1": SimpleNamespace(butterflies=make_butterfly_kernel(G1, FQ.kernels, G1_MSM, FQ_DENOMINATORS), msm=G1_MSM,
                          batch_mul=batch_mul_recoded_g1, recode=recode),
    # G2 takes four-dimensional digits (phi and psi): half the doublings, for a stage's
    # few distinct twiddles recoded with Python integers
    "G2": SimpleNamespace(butterflies=make_butterfly_kernel(G2, fq2.kernels, G2_MSM, FQ2_DENOMINATORS), msm=G2_MSM,
                          batch_mul=batch_mul_recoded_g2, recode=recode_psi),
}


def bit_reversal(log_n):
    """The permutation i -> i with its log_n low bits reversed, as an index array."""
    i = np.arange(1 << log_n, dtype=np.int64)
    reversed_i = np.zeros_like(i)
    for bit in range(log_n):
        reversed_i |= ((i >> bit) & 1) << (log_n - 1 - bit)
    return reversed_i


def _stage_digits(domain, log_h, recode):
    """The rows the stage of half-size 2^log_h multiplies and their scalars' GLV digits
    (batch_mul.recode or recode_psi, as `recode`): the odd inputs of its butterflies by w_k,
    but those with w^0 = 1, and in its first group all of them by w_k/n (module docstring),
    with row 0 by 1/n in the first stage. A stage has at most 2h distinct scalars, so they
    are recoded once and repeated over its groups of 2h rows."""
    n, h = domain.size, 1 << log_h
    rows = np.arange(n).reshape(n // (2 * h), 2, h)
    twiddles = domain.inv_twiddles[h - 1 : 2 * h - 1]
    size_inv = np.array(FR.to_mont_limbs(domain.size_inv.value), dtype=np.uint64)
    scaled = FR.vec.scale(twiddles, tuple(size_inv), np.empty_like(twiddles))
    if log_h == 0:
        return np.array([0, 1]), recode(FieldVector(FR, np.stack([size_inv, scaled[0]])))
    first = recode(FieldVector(FR, scaled))
    others = np.tile(recode(FieldVector(FR, twiddles[1:])), (n // (2 * h) - 1, 1, 1))
    return np.concatenate([rows[0, 1], rows[1:, 1, 1:].ravel()]), np.concatenate([first, others])


# Two passes per stage (batch_mul, then butterflies) measured faster than one kernel doing
# double-and-add with mixed additions inside each butterfly: that kernel was 5-15% slower at
# n = 2^10 .. 2^13 in both groups (before batch_mul had GLV and batch-affine ladders, which
# widen the gap), and the extra normalisation per stage is cheap next to n/2 scalar
# multiplications.
def _group_intt(group, points, domain):
    kernels = _GROUPS[group]
    affine_shape = kernels.msm.affine_shape
    if not isinstance(points, np.ndarray) or points.dtype != np.uint64 or points.shape[1:] != affine_shape:
        raise ShapeMismatchError(
            f"group_intt_{group.lower()}: points must be an (n,) + {affine_shape} uint64 array of "
            f"affine points, got {getattr(points, 'shape', type(points).__name__)}"
        )
    if domain is None:
        domain = Domain.for_length(points.shape[0])
    elif points.shape[0] > domain.size:
        raise DomainSizeError(f"{points.shape[0]} points do not fit a domain of size {domain.size}")
    a = np.zeros((domain.size,) + affine_shape, dtype=np.uint64)
    a[: points.shape[0]] = points
    a = a[bit_reversal(domain.log_size)]
    for log_h in range(domain.log_size):
        rows, digits = _stage_digits(domain, log_h, kernels.recode)
        if rows.size:
            a[rows] = kernels.batch_mul(np.ascontiguousarray(a[rows]), digits)
        out = np.empty_like(a)
        kernels.butterflies(a, out, log_h, BUTTERFLY_CHUNK)
        a = out
    return a


def group_intt_g1(points, domain=None):
    """[(1/n) sum_k omega^(-jk) P_k]_j for affine G1 points P (an (m, 2, 4) array, m <= n),
    as an (n, 2, 4) affine array; the domain defaults to the smallest that holds them.
    Applied to [tau^k]_1 for k < n it gives the Lagrange basis [L_j(tau)]_1."""
    return _group_intt("G1", points, domain)


def group_intt_g2(points, domain=None):
    """group_intt_g1 for G2: (m, 2, 2, 4) affine points in, (n, 2, 2, 4) out."""
    return _group_intt("G2", points, domain)
