"""Batch variable-base scalar multiplication: out[i] = k_i P_i for many points, each with
its own scalar (a ceremony contribution multiplies [tau^i] by x^i; a group FFT multiplies
by twiddle factors). Generic over G1 and G2, over the same arrays as msm.py.

Each product is a GLV-Straus ladder (zkwork.curve.glv): k = k1 + k2 LAMBDA with
|k1|, |k2| < 2^127, so k P = k1 P + k2 phi(P), both halves cut into signed c-bit digits
(msm.signed_digit) with their signs folded in (`recode`), and from the top digit down the
accumulator is doubled c times and gets +-table[|d1|] and +-phi(table)[|d2|], the table
holding P, 2P, .., 2^(c-1) P in affine form. For c = 4 that is 128 doublings and at most
64 additions, against 256 doublings and 64 additions without GLV. The tables of a chunk
of points are built affine the lockstep way below (one doubling and TABLE - 2 additions of
the points, one inversion per step: 2.5x faster in G1 than mixed additions brought to affine
at the end, 4096 points), and on G2 the images of an entry under psi and phi psi share psi.

The ladder runs in lockstep: all points of a chunk take each doubling and each addition
together with affine accumulators, sharing one inversion per step (Montgomery's trick): an
affine addition costs ~6 multiplications against 11 for a mixed one, and the results come
out affine. Points are independent, so both cores take chunks (`prange`). A Jacobian ladder
(mixed additions, brought to affine at the end) saved under a millisecond on G1 batches of
fewer than 256 points (16 points: 0.8 against 1.7 ms; 128: 2.9 against 3.6 ms; but 64: 2.8
against 2.5 ms), was slower on G2 at every size, and cost each fresh clone ~8 s of JIT
compilation: removed.

On G2 a step inverts its denominators d through their norms in Fq, 1/d = conj(d) / (d0^2 +
d1^2): Montgomery's trick then multiplies in Fq, 7 Fq multiplications per denominator
against 9 with Fq2's (a lockstep doubling 10% faster, the G2 lockstep ladder 12-16%, 4096
points).

On G2, `recode_psi` cuts scalars into four parts of 65 bits with phi and psi together
(glv.decompose_4): 64 doublings and at most 68 additions from four tables (measured 26%
faster than two parts at 4096 points); its decomposition runs on Python integers, so only
the group FFT, with few distinct twiddles per stage, uses it.

phi and psi act as LAMBDA and MU on the order-r subgroup only: G1 is all of it, and G2
points must lie in it (as every point read from a checked file does).

The scalars can be recoded once and the digits reused (`batch_mul_recoded_g1/g2`): a group
FFT stage has few distinct twiddles for many points.
"""
from types import SimpleNamespace

import numba
import numpy as np
from numba import prange

from zkwork.curve.glv import HALF_BITS, QUARTER_BITS, decompose_4, decompose_scalars, phi_g1, phi_g2
from zkwork.curve.kernels import G1, G2
from zkwork.curve.msm import (
    G1_MSM, G2_MSM, fq2_load, fq2_store, fq_load, fq_store, num_windows, plain_scalars, signed_digit)
from zkwork.curve.points import PSI_X, PSI_Y
from zkwork.errors import ShapeMismatchError
from zkwork.field import FQ, fq2
from zkwork.field.limbs import array_to_ints, ints_to_array
from zkwork.jit import njit

_fq_one, _fq_add, _fq_mul, _fq_sqr, _fq_inv, _fq_neg = (
    FQ.kernels.one, FQ.kernels.add, FQ.kernels.mul, FQ.kernels.sqr, FQ.kernels.inv, FQ.kernels.neg)
WINDOW = 4  # bits per digit: 5 saves ~10 additions but costs 8 more table entries
TABLE = 1 << (WINDOW - 1)  # multiples 1 .. 2^(c-1) of the point
HALF_WINDOWS = num_windows(WINDOW, HALF_BITS)
QUARTER_WINDOWS = num_windows(WINDOW, QUARTER_BITS)
# A chunk pays one inversion (~380 multiplications) per step against ~4 multiplications
# saved per point and addition, so chunks stay large: 512 points measured best (256: +2%,
# 1024: within noise, G1 and G2 at 4096 points), and below 2 LOCKSTEP_MIN points a thread
# one chunk does best (G1, 255 points on 2 threads: 5.8 ms in 2 chunks, 7.2 in 4, 10.0 in 1).
LOCKSTEP_MIN = 256
LOCKSTEP_MAX = 512


@njit(parallel=True, cache=True)
def _recode_parts(parts, negative, digits):
    """digits[i, h, j] = signed digit j of part h of scalar i (parts[h n + i]), negated
    where that part is negative."""
    n = digits.shape[0]
    for i in prange(n):
        for h in range(digits.shape[1]):
            carry = 0
            for j in range(digits.shape[2]):
                d, carry = signed_digit(parts, h * n + i, j, WINDOW, carry)
                digits[i, h, j] = -d if negative[h * n + i] else d


def recode(scalars):
    """The GLV signed digits of scalars (an Fr FieldVector, (n, 4) plain limbs or ints), as
    an (n, 2, HALF_WINDOWS) int8 array for `batch_mul_recoded_g1/g2`."""
    scalars = plain_scalars(scalars)
    n = scalars.shape[0]
    halves = np.empty((2 * n, 4), dtype=np.uint64)
    negative = np.empty(2 * n, dtype=np.bool_)
    decompose_scalars(scalars, halves, negative)
    digits = np.empty((n, 2, HALF_WINDOWS), dtype=np.int8)
    _recode_parts(halves, negative, digits)
    return digits


def recode_psi(scalars):
    """The four-dimensional (phi and psi, glv.decompose_4) signed digits of scalars, as an
    (n, 4, QUARTER_WINDOWS) int8 array for `batch_mul_recoded_g2`: half the doublings of
    `recode`'s. Decomposed with Python integers, so meant for few distinct scalars (a group
    FFT stage's twiddles)."""
    scalars = plain_scalars(scalars)
    n = scalars.shape[0]
    parts = [decompose_4(k) for k in array_to_ints(scalars)]
    quarters = ints_to_array([abs(part[h]) for h in range(4) for part in parts]) if n else np.empty((0, 4), np.uint64)
    negative = np.array([part[h] < 0 for h in range(4) for part in parts], dtype=np.bool_)
    digits = np.empty((n, 4, QUARTER_WINDOWS), dtype=np.int8)
    _recode_parts(quarters, negative, digits)
    return digits


def make_batch_mul_kernels(curve, field, msm_kernels, load, store, endomorphisms, denominators):
    """Kernels for the group whose Jacobian kernels are `curve` over the coordinate field
    kernels `field`, moving points in and out of arrays with `msm_kernels`' loaders and
    `store` (one field element). `endomorphisms` are the maps on affine points besides the
    identity: (phi,) for `recode`'s digits, whose parts go with id and phi, or (phi, psi)
    for `recode_psi`'s (id, phi, psi, phi psi). `denominators` inverts through norms in Fq
    (FQ_DENOMINATORS, FQ2_DENOMINATORS)."""
    parts = 2 * len(endomorphisms)
    phi, psi = endomorphisms[0], endomorphisms[-1]
    add_mixed, from_affine, to_affine = curve.add_mixed, curve.from_affine, curve.to_affine
    f_zero, f_mul, f_sqr, f_neg, f_is_zero = field.zero, field.mul, field.sqr, field.neg, field.is_zero
    f_add, f_sub, f_double = field.add, field.sub, field.double
    norm, from_norm_inverse = denominators.norm, denominators.from_norm_inverse
    load_affine, affine_shape = msm_kernels.load_affine, msm_kernels.affine_shape

    @njit(cache=True)
    def store_affine(array, i, q):
        store(array, i, 0, q[0])
        store(array, i, 1, q[1])

    @njit(cache=True)
    def store_images(table, slot, q):
        """table[slot + h TABLE] = the h-th endomorphism of q, for each part h."""
        store_affine(table, slot, q)
        store_affine(table, slot + TABLE, phi(q))
        if parts == 4:
            image = psi(q)
            store_affine(table, slot + 2 * TABLE, image)
            store_affine(table, slot + 3 * TABLE, phi(image))

    @njit(cache=True)
    def signed_entry(table, slot, d):
        """sign(d) * table[slot + |d| - 1], affine."""
        x, y = load_affine(table, slot + abs(d) - 1)
        return (x, f_neg(y)) if d < 0 else (x, y)

    @njit(cache=True)
    def double_all(acc, infinite, norms, m):
        """acc[p] = 2 acc[p] for p < m (affine, infinity where infinite[p]), sharing one
        inversion of the denominators 2y (Montgomery's trick on their norms; norms[p] holds
        the prefix product and the norm)."""
        product = _fq_one
        for p in range(m):
            if infinite[p]:
                continue
            n = norm(f_double(load(acc, p, 1)))
            fq_store(norms, p, 0, product)
            fq_store(norms, p, 1, n)
            product = _fq_mul(product, n)
        product_inv = _fq_inv(product)
        for p in range(m - 1, -1, -1):
            if infinite[p]:
                continue
            x, y = load_affine(acc, p)
            den_inv = from_norm_inverse(f_double(y), _fq_mul(product_inv, fq_load(norms, p, 0)))
            product_inv = _fq_mul(product_inv, fq_load(norms, p, 1))
            xx = f_sqr(x)
            slope = f_mul(f_add(f_double(xx), xx), den_inv)
            x3 = f_sub(f_sqr(slope), f_double(x))
            store_affine(acc, p, (x3, f_sub(f_mul(slope, f_sub(x, x3)), y)))

    @njit(cache=True)
    def add_entries(acc, infinite, table, digits, lo, m, j, half, norms, pending):
        """acc[p] += the table entry of digit j of half `half` of point lo + p, for p < m,
        sharing one inversion of the denominators x2 - x1 (as double_all). Infinity is settled on the spot,
        and so is equal x, which small multiples of an order-r point never reach (it would
        take a small relation between P and phi(P)) but other G2 points could."""
        product = _fq_one
        for p in range(m):
            pending[p] = False
            d = digits[lo + p, half, j]
            if d == 0:
                continue
            q = signed_entry(table, (parts * p + half) * TABLE, d)
            if f_is_zero(q[0]) and f_is_zero(q[1]):
                continue
            if infinite[p]:
                store_affine(acc, p, q)
                infinite[p] = False
                continue
            x1, y1 = load_affine(acc, p)
            den = f_sub(q[0], x1)
            if f_is_zero(den):  # acc = +-q: the Jacobian formulas settle doubling or cancelling
                total = to_affine(add_mixed(from_affine((x1, y1)), q))
                store_affine(acc, p, total)
                infinite[p] = f_is_zero(total[0]) and f_is_zero(total[1])
                continue
            n = norm(den)
            fq_store(norms, p, 0, product)
            fq_store(norms, p, 1, n)
            pending[p] = True
            product = _fq_mul(product, n)
        product_inv = _fq_inv(product)
        for p in range(m - 1, -1, -1):
            if not pending[p]:
                continue
            x2, y2 = signed_entry(table, (parts * p + half) * TABLE, digits[lo + p, half, j])
            x1, y1 = load_affine(acc, p)
            den_inv = from_norm_inverse(f_sub(x2, x1), _fq_mul(product_inv, fq_load(norms, p, 0)))
            product_inv = _fq_mul(product_inv, fq_load(norms, p, 1))
            slope = f_mul(f_sub(y2, y1), den_inv)
            x3 = f_sub(f_sub(f_sqr(slope), x1), x2)
            store_affine(acc, p, (x3, f_sub(f_mul(slope, f_sub(x1, x3)), y1)))

    @njit(cache=True)
    def chunk_scratch(chunk):
        """Scratch for the steps of a chunk: accumulators, norms (double_all's), infinity and
        pending flags."""
        return (np.empty((chunk,) + affine_shape, dtype=np.uint64), np.empty((chunk, 2, 4), dtype=np.uint64),
                np.empty(chunk, dtype=np.bool_), np.empty(chunk, dtype=np.bool_))

    @njit(cache=True)
    def chunk_tables(points, lo, hi, scratch, norms, infinite, pending):
        """A new table with, for lo <= i < hi and d < TABLE: table[parts TABLE (i - lo) + h TABLE
        + d] = the h-th endomorphism of (d + 1) points[i], affine. The multiples of all the
        points are made together, as the ladder's steps: one doubling, then TABLE - 2
        additions of the point (its digit 1 in the table), in the scratch of `chunk_scratch`."""
        m = hi - lo
        table = np.empty((parts * m * TABLE,) + affine_shape, dtype=np.uint64)
        for p in range(m):
            q = load_affine(points, lo + p)
            infinite[p] = f_is_zero(q[0]) and f_is_zero(q[1])
            store_affine(scratch, p, q)
            store_images(table, parts * TABLE * p, q)
        ones = np.ones((m, 1, 1), dtype=np.int8)
        for d in range(1, TABLE):
            if d == 1:
                double_all(scratch, infinite, norms, m)
            else:
                add_entries(scratch, infinite, table, ones, 0, m, 0, 0, norms, pending)
            for p in range(m):
                multiple = (f_zero, f_zero) if infinite[p] else load_affine(scratch, p)
                store_images(table, parts * TABLE * p + d, multiple)  # every map fixes (0, 0)
        return table

    @njit(cache=True)
    def lockstep_ladder(table, digits, lo, hi, out, scratch, norms, infinite, pending):
        """out[lo .. hi) = the products of points lo .. hi - 1 (affine), all going through the
        ladder's doublings and additions together, in the scratch of `chunk_scratch`."""
        m = hi - lo
        infinite[:] = True
        for j in range(digits.shape[2] - 1, -1, -1):
            if j < digits.shape[2] - 1:
                for _ in range(WINDOW):
                    double_all(scratch, infinite, norms, m)
            for h in range(parts):
                add_entries(scratch, infinite, table, digits, lo, m, j, h, norms, pending)
        for p in range(m):
            store_affine(out, lo + p, (f_zero, f_zero) if infinite[p] else load_affine(scratch, p))

    @njit(parallel=True, cache=True)
    def lockstep_products(points, digits, out, chunk):
        n = points.shape[0]
        for start in prange((n + chunk - 1) // chunk):
            lo, hi = start * chunk, min(start * chunk + chunk, n)
            scratch, norms, infinite, pending = chunk_scratch(chunk)
            table = chunk_tables(points, lo, hi, scratch, norms, infinite, pending)
            lockstep_ladder(table, digits, lo, hi, out, scratch, norms, infinite, pending)

    return SimpleNamespace(lockstep_products=lockstep_products)


@njit(cache=True)
def _fq_norm(d):
    """An Fq element is its own norm."""
    return d


@njit(cache=True)
def _fq_from_norm_inverse(d, norm_inv):
    """1/d = 1/norm(d) in Fq."""
    return norm_inv


@njit(cache=True)
def _fq2_norm(d):
    """d0^2 + d1^2 = d conj(d), in Fq."""
    return _fq_add(_fq_sqr(d[0]), _fq_sqr(d[1]))


@njit(cache=True)
def _fq2_from_norm_inverse(d, norm_inv):
    """1/d = conj(d) / (d0^2 + d1^2)."""
    return (_fq_mul(d[0], norm_inv), _fq_neg(_fq_mul(d[1], norm_inv)))


# How a batch step inverts its denominators d: Montgomery's trick on norm(d), an Fq element,
# then 1/d = from_norm_inverse(d, 1/norm(d)).
FQ_DENOMINATORS = SimpleNamespace(norm=_fq_norm, from_norm_inverse=_fq_from_norm_inverse)
FQ2_DENOMINATORS = SimpleNamespace(norm=_fq2_norm, from_norm_inverse=_fq2_from_norm_inverse)


_PSI_X, _PSI_Y = fq2.to_mont(PSI_X.coeffs), fq2.to_mont(PSI_Y.coeffs)


@njit(cache=True)
def psi_affine(q):
    """psi (zkwork.curve.points) on an affine G2 point: (conj(x) PSI_X, conj(y) PSI_Y)."""
    return (fq2.mul(fq2.conj(q[0]), _PSI_X), fq2.mul(fq2.conj(q[1]), _PSI_Y))


G1_BATCH = make_batch_mul_kernels(G1, FQ.kernels, G1_MSM, fq_load, fq_store, (phi_g1,), FQ_DENOMINATORS)
G2_BATCH = make_batch_mul_kernels(G2, fq2.kernels, G2_MSM, fq2_load, fq2_store, (phi_g2,), FQ2_DENOMINATORS)
G2_PSI_BATCH = make_batch_mul_kernels(G2, fq2.kernels, G2_MSM, fq2_load, fq2_store,
                                      (phi_g2, psi_affine), FQ2_DENOMINATORS)
# The digit layouts (parts, windows per part) each kernel set takes.
_LAYOUTS = {(2, HALF_WINDOWS): "recode", (4, QUARTER_WINDOWS): "recode_psi"}


def _check_points(msm_kernels, what, points, count):
    if not isinstance(points, np.ndarray) or points.dtype != np.uint64 or points.shape[1:] != msm_kernels.affine_shape:
        shape = getattr(points, "shape", type(points).__name__)
        raise ShapeMismatchError(
            f"{what}: points must be an (n,) + {msm_kernels.affine_shape} uint64 array of affine points, got {shape}"
        )
    if points.shape[0] != count:
        raise ShapeMismatchError(f"{what}: {points.shape[0]} points but {count} scalars")


def lockstep_chunk(n, threads):
    """Points per lockstep chunk for n points on `threads` threads: two chunks per thread
    (uneven run times even out) of LOCKSTEP_MIN to LOCKSTEP_MAX points, but one chunk per
    thread when fewer points would leave a thread idle."""
    return min(LOCKSTEP_MAX, max(-(-n // (2 * threads)), min(LOCKSTEP_MIN, -(-n // threads)), 1))


def _batch_mul_recoded(kernel_sets, msm_kernels, what, points, digits):
    """kernel_sets maps a digit layout (parts, windows) to the kernels taking it."""
    _check_points(msm_kernels, what, points, digits.shape[0])
    if digits.dtype != np.int8 or digits.shape[1:] not in kernel_sets:
        expected = " or ".join(f"(n, {parts}, {windows}) from {_LAYOUTS[parts, windows]}"
                               for parts, windows in kernel_sets)
        raise ShapeMismatchError(f"{what}: digits must be an int8 array {expected}, got {digits.shape} {digits.dtype}")
    kernels = kernel_sets[digits.shape[1:]]
    points, digits = np.ascontiguousarray(points), np.ascontiguousarray(digits)
    out = np.empty_like(points)
    kernels.lockstep_products(points, digits, out, lockstep_chunk(points.shape[0], numba.get_num_threads()))
    return out


def _batch_mul(kernels, msm_kernels, what, points, scalars):
    scalars = plain_scalars(scalars)
    _check_points(msm_kernels, what, points, scalars.shape[0])
    return _batch_mul_recoded({(2, HALF_WINDOWS): kernels}, msm_kernels, what, points, recode(scalars))


def batch_mul_g1(points, scalars):
    """[scalars[i] * points[i]] as an (n, 2, 4) affine Montgomery array. points: (n, 2, 4)
    affine; scalars: an Fr FieldVector, (n, 4) plain limbs or ints (as for msm_g1)."""
    return _batch_mul(G1_BATCH, G1_MSM, "batch_mul_g1", points, scalars)


def batch_mul_g2(points, scalars):
    """[scalars[i] * points[i]] as an (n, 2, 2, 4) affine array, for points in the order-r
    subgroup; otherwise as batch_mul_g1."""
    return _batch_mul(G2_BATCH, G2_MSM, "batch_mul_g2", points, scalars)


def batch_mul_recoded_g1(points, digits):
    """batch_mul_g1 with the scalars given as their `recode` digits."""
    return _batch_mul_recoded({(2, HALF_WINDOWS): G1_BATCH}, G1_MSM, "batch_mul_g1", points, digits)


def batch_mul_recoded_g2(points, digits):
    """batch_mul_g2 with the scalars given as their `recode` or `recode_psi` digits."""
    return _batch_mul_recoded({(2, HALF_WINDOWS): G2_BATCH, (4, QUARTER_WINDOWS): G2_PSI_BATCH}, G2_MSM,
                              "batch_mul_g2", points, digits)
