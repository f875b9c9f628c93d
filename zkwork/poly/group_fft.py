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
halve G2's doublings), then one parallel loop of butterflies computes
E +- (w O) with mixed additions and brings the results back to affine with one inversion
per chunk. The division by n is folded into the last stage: its odd inputs are multiplied
by w/n instead of w and its even inputs by 1/n.

Points are affine Montgomery arrays, (n, 2, 4) for G1 and (n, 2, 2, 4) for G2, an
all-zero row being infinity; inputs shorter than the domain are padded with infinity (as
for the scalar transform: zero values at the missing points).
"""
from types import SimpleNamespace

import numpy as np
from numba import prange

from zkwork.curve.batch_mul import batch_mul_recoded_g1, batch_mul_recoded_g2, recode, recode_psi
from zkwork.curve.kernels import G1, G2
from zkwork.curve.msm import G1_MSM, G2_MSM
from zkwork.errors import DomainSizeError, ShapeMismatchError
from zkwork.field import FR, FieldVector
from zkwork.jit import njit
from zkwork.poly.domain import Domain


def make_butterfly_kernel(curve, msm_kernels):
    """The add/subtract pass of a stage for the group whose Jacobian kernels are `curve`,
    moving points in and out of arrays with `msm_kernels`' loaders."""
    add_mixed, neg, from_affine = curve.add_mixed, curve.neg, curve.from_affine
    load_affine, store_jacobian = msm_kernels.load_affine, msm_kernels.store_jacobian

    @njit(parallel=True, cache=True)
    def butterflies(points, out, log_h):
        """For h = 2^log_h, each group of 2h rows starting at g and k < h, with
        E = points[g + k] and wO = points[g + k + h] (affine):
            out[g + k] = E + wO,   out[g + k + h] = E - wO   (Jacobian)."""
        for b in prange(points.shape[0] >> 1):
            top = ((b >> log_h) << (log_h + 1)) + (b & ((1 << log_h) - 1))
            bottom = top + (1 << log_h)
            e = load_affine(points, top)
            wo = from_affine(load_affine(points, bottom))
            store_jacobian(out, top, add_mixed(wo, e))
            store_jacobian(out, bottom, add_mixed(neg(wo), e))

    return butterflies


_GROUPS = {
    "G1": SimpleNamespace(butterflies=make_butterfly_kernel(G1, G1_MSM), msm=G1_MSM, batch_mul=batch_mul_recoded_g1,
                          recode=recode),
    # G2 takes four-dimensional digits (phi and psi): half the doublings, for a stage's
    # few distinct twiddles recoded with Python integers
    "G2": SimpleNamespace(butterflies=make_butterfly_kernel(G2, G2_MSM), msm=G2_MSM, batch_mul=batch_mul_recoded_g2,
                          recode=recode_psi),
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
    (batch_mul.recode or recode_psi, as `recode`): the odd inputs of its butterflies but those with w^0 = 1, or in the
    last stage every row, by w_k/n (odd) and 1/n (even). A stage has at most 2h distinct
    scalars, so they are recoded once and repeated over its groups of 2h rows."""
    n, h = domain.size, 1 << log_h
    rows = np.arange(n).reshape(n // (2 * h), 2, h)
    twiddles = domain.inv_twiddles[h - 1 : 2 * h - 1]
    if h < n // 2:
        return rows[:, 1, 1:].ravel(), np.tile(recode(FieldVector(FR, twiddles[1:])), (n // (2 * h), 1, 1))
    size_inv = np.array(FR.to_mont_limbs(domain.size_inv.value), dtype=np.uint64)
    scalars = np.empty((2, h, 4), dtype=np.uint64)
    scalars[0] = size_inv
    scalars[1] = FR.vec.scale(twiddles, tuple(size_inv), np.empty_like(twiddles))
    return rows.ravel(), recode(FieldVector(FR, scalars.reshape(-1, 4)))


# Two passes per stage (batch_mul, then butterflies) measured faster than one kernel doing
# double-and-add with mixed additions inside each butterfly: that kernel was 5-15% slower at
# n = 2^10 .. 2^13 in both groups (before batch_mul had GLV and batch-affine ladders, which
# widen the gap), and the extra normalisation per stage is cheap next to n/2 scalar
# multiplications. Folding 1/n into the last stage costs n/2 scalar multiplications more
# than that stage needs anyway, instead of a separate pass of n.
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
    jacobian = np.empty((domain.size, 3) + affine_shape[1:], dtype=np.uint64)
    for log_h in range(domain.log_size):
        rows, digits = _stage_digits(domain, log_h, kernels.recode)
        if rows.size:
            a[rows] = kernels.batch_mul(np.ascontiguousarray(a[rows]), digits)
        kernels.butterflies(a, jacobian, log_h)
        a = kernels.msm.to_affine_array(jacobian)
    return a


def group_intt_g1(points, domain=None):
    """[(1/n) sum_k omega^(-jk) P_k]_j for affine G1 points P (an (m, 2, 4) array, m <= n),
    as an (n, 2, 4) affine array; the domain defaults to the smallest that holds them.
    Applied to [tau^k]_1 for k < n it gives the Lagrange basis [L_j(tau)]_1."""
    return _group_intt("G1", points, domain)


def group_intt_g2(points, domain=None):
    """group_intt_g1 for G2: (m, 2, 2, 4) affine points in, (n, 2, 2, 4) out."""
    return _group_intt("G2", points, domain)
