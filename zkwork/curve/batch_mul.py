"""Batch variable-base scalar multiplication: out[i] = k_i P_i for many points, each with
its own scalar (a ceremony contribution multiplies [tau^i] by x^i; a group FFT multiplies
by twiddle factors). Generic over G1 and G2, over the same arrays as msm.py.

Each product is a GLV-Straus ladder (zkwork.curve.glv): k = k1 + k2 LAMBDA with
|k1|, |k2| < 2^127, so k P = k1 P + k2 phi(P), both halves cut into signed c-bit digits
(msm.signed_digit) with their signs folded in (`recode`), and from the top digit down the
accumulator is doubled c times and gets +-table[|d1|] and +-phi(table)[|d2|], the table
holding P, 2P, .., 2^(c-1) P in affine form. For c = 4 that is 128 doublings and at most
64 additions, against 256 doublings and 64 additions without GLV. The tables of a chunk
of points are brought to affine with one inversion (Montgomery's trick).

Two ladders, chosen by the number of points:
  lockstep   (>= LOCKSTEP_MIN points) all points of a chunk take each doubling and each
             addition together with affine accumulators, sharing one inversion per step
             (Montgomery's trick): an affine addition costs ~6 multiplications against 11
             for a mixed one, and the results come out affine;
  Jacobian   (fewer points, where an inversion per step would cost more than it saves)
             Jacobian accumulators with mixed additions, brought to affine at the end.
Points are independent, so both cores take chunks (`prange`).

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

WINDOW = 4  # bits per digit: 5 saves ~10 additions but costs 8 more table entries
TABLE = 1 << (WINDOW - 1)  # multiples 1 .. 2^(c-1) of the point
HALF_WINDOWS = num_windows(WINDOW, HALF_BITS)
QUARTER_WINDOWS = num_windows(WINDOW, QUARTER_BITS)
CHUNK = 64  # points per parallel task (and per table inversion) of the Jacobian ladder
# The lockstep ladder pays one inversion (~380 multiplications) per step and chunk against
# ~4 multiplications saved per point and addition: below LOCKSTEP_MIN points the Jacobian
# ladder wins (128 points: lockstep 4% slower in G1); 512 measured best (256: +2%, 1024:
# within noise, G1 and G2 at 4096 points).
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


def make_batch_mul_kernels(curve, field, msm_kernels, load, store, endomorphisms):
    """Kernels for the group whose Jacobian kernels are `curve` over the coordinate field
    kernels `field`, moving points in and out of arrays with `msm_kernels`' loaders and
    `store` (one field element). `endomorphisms` lists the maps on affine points whose
    eigenvalues the digits' parts go with (the identity first): (id, phi) for `recode`'s
    digits, (id, phi, psi, phi psi) for `recode_psi`'s."""
    parts = len(endomorphisms)
    first, second = endomorphisms[0], endomorphisms[1]
    third, fourth = (endomorphisms[2], endomorphisms[3]) if parts == 4 else (first, second)
    add_mixed, double, infinity, from_affine = curve.add_mixed, curve.double, curve.infinity, curve.from_affine
    to_affine = curve.to_affine
    f_one, f_zero, f_mul, f_sqr, f_inv, f_neg, f_is_zero = (
        field.one, field.zero, field.mul, field.sqr, field.inv, field.neg, field.is_zero)
    f_add, f_sub, f_double = field.add, field.sub, field.double
    load_affine, load_jacobian, store_jacobian = (
        msm_kernels.load_affine, msm_kernels.load_jacobian, msm_kernels.store_jacobian)
    jacobian_shape, affine_shape = msm_kernels.jacobian_shape, msm_kernels.affine_shape

    @njit(cache=True)
    def store_affine(array, i, q):
        store(array, i, 0, q[0])
        store(array, i, 1, q[1])

    @njit(cache=True)
    def store_images(table, slot, q):
        """table[slot + h TABLE] = the h-th endomorphism of q, for each part h."""
        store_affine(table, slot, first(q))
        store_affine(table, slot + TABLE, second(q))
        if parts == 4:
            store_affine(table, slot + 2 * TABLE, third(q))
            store_affine(table, slot + 3 * TABLE, fourth(q))

    @njit(cache=True)
    def chunk_tables(points, lo, hi):
        """A new table with, for lo <= i < hi and d < TABLE: table[parts TABLE (i - lo) + h TABLE
        + d] = the h-th endomorphism of (d + 1) points[i], affine, with one inversion for all of
        them. The x slots hold prefix products of the Z's until the affine points overwrite them."""
        jacobian = np.empty(((hi - lo) * TABLE,) + jacobian_shape, dtype=np.uint64)
        table = np.empty((parts * (hi - lo) * TABLE,) + affine_shape, dtype=np.uint64)
        for i in range(lo, hi):
            q = load_affine(points, i)
            acc = from_affine(q)
            for d in range(TABLE):
                store_jacobian(jacobian, (i - lo) * TABLE + d, acc)
                acc = add_mixed(acc, q)
        prefix = f_one
        for e in range((hi - lo) * TABLE):
            store(table, e + (e // TABLE) * (parts - 1) * TABLE, 0, prefix)
            z = load_jacobian(jacobian, e)[2]
            if not f_is_zero(z):
                prefix = f_mul(prefix, z)
        prefix_inv = f_inv(prefix)
        for e in range((hi - lo) * TABLE - 1, -1, -1):
            slot = e + (e // TABLE) * (parts - 1) * TABLE
            x, y, z = load_jacobian(jacobian, e)
            if f_is_zero(z):
                store_images(table, slot, (f_zero, f_zero))  # every map fixes (0, 0)
                continue
            z_inv = f_mul(prefix_inv, load_affine(table, slot)[0])
            prefix_inv = f_mul(prefix_inv, z)
            z_inv2 = f_sqr(z_inv)
            store_images(table, slot, (f_mul(x, z_inv2), f_mul(f_mul(y, z_inv2), z_inv)))
        return table

    @njit(cache=True)
    def signed_entry(table, slot, d):
        """sign(d) * table[slot + |d| - 1], affine."""
        x, y = load_affine(table, slot + abs(d) - 1)
        return (x, f_neg(y)) if d < 0 else (x, y)

    @njit(cache=True)
    def ladder(table, base, digits, i):
        """The Jacobian product whose tables start at table[base] and digits are digits[i]."""
        acc = infinity
        for j in range(digits.shape[2] - 1, -1, -1):
            for _ in range(WINDOW):
                acc = double(acc)
            for h in range(parts):
                d = digits[i, h, j]
                if d != 0:
                    acc = add_mixed(acc, signed_entry(table, base + h * TABLE, d))
        return acc

    @njit(parallel=True, cache=True)
    def products(points, digits, out, chunk):
        n = points.shape[0]
        for start in prange((n + chunk - 1) // chunk):
            lo, hi = start * chunk, min(start * chunk + chunk, n)
            table = chunk_tables(points, lo, hi)
            for i in range(lo, hi):
                store_jacobian(out, i, ladder(table, parts * TABLE * (i - lo), digits, i))

    @njit(cache=True)
    def double_all(acc, infinite, prefix, m):
        """acc[p] = 2 acc[p] for p < m (affine, infinity where infinite[p]), sharing one
        inversion of the denominators 2y (Montgomery's trick; prefix is scratch)."""
        product = f_one
        for p in range(m):
            if infinite[p]:
                continue
            store(prefix, p, 0, product)
            product = f_mul(product, f_double(load(acc, p, 1)))
        product_inv = f_inv(product)
        for p in range(m - 1, -1, -1):
            if infinite[p]:
                continue
            x, y = load_affine(acc, p)
            den_inv = f_mul(product_inv, load(prefix, p, 0))
            product_inv = f_mul(product_inv, f_double(y))
            xx = f_sqr(x)
            slope = f_mul(f_add(f_double(xx), xx), den_inv)
            x3 = f_sub(f_sqr(slope), f_double(x))
            store_affine(acc, p, (x3, f_sub(f_mul(slope, f_sub(x, x3)), y)))

    @njit(cache=True)
    def add_entries(acc, infinite, table, digits, lo, m, j, half, prefix, pending):
        """acc[p] += the table entry of digit j of half `half` of point lo + p, for p < m,
        sharing one inversion of the denominators x2 - x1. Infinity is settled on the spot,
        and so is equal x, which small multiples of an order-r point never reach (it would
        take a small relation between P and phi(P)) but other G2 points could."""
        product = f_one
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
            store(prefix, p, 0, product)
            pending[p] = True
            product = f_mul(product, den)
        product_inv = f_inv(product)
        for p in range(m - 1, -1, -1):
            if not pending[p]:
                continue
            x2, y2 = signed_entry(table, (parts * p + half) * TABLE, digits[lo + p, half, j])
            x1, y1 = load_affine(acc, p)
            den_inv = f_mul(product_inv, load(prefix, p, 0))
            product_inv = f_mul(product_inv, f_sub(x2, x1))
            slope = f_mul(f_sub(y2, y1), den_inv)
            x3 = f_sub(f_sub(f_sqr(slope), x1), x2)
            store_affine(acc, p, (x3, f_sub(f_mul(slope, f_sub(x1, x3)), y1)))

    @njit(cache=True)
    def lockstep_ladder(table, digits, lo, hi, out, scratch, infinite, pending):
        """out[lo .. hi) = the products of points lo .. hi - 1 (affine), all going through the
        ladder's doublings and additions together; scratch holds m accumulators and m
        prefix products."""
        m = hi - lo
        infinite[:] = True
        for j in range(digits.shape[2] - 1, -1, -1):
            if j < digits.shape[2] - 1:
                for _ in range(WINDOW):
                    double_all(scratch, infinite, scratch[m:], m)
            for h in range(parts):
                add_entries(scratch, infinite, table, digits, lo, m, j, h, scratch[m:], pending)
        for p in range(m):
            store_affine(out, lo + p, (f_zero, f_zero) if infinite[p] else load_affine(scratch, p))

    @njit(parallel=True, cache=True)
    def lockstep_products(points, digits, out, chunk):
        n = points.shape[0]
        for start in prange((n + chunk - 1) // chunk):
            lo, hi = start * chunk, min(start * chunk + chunk, n)
            table = chunk_tables(points, lo, hi)
            scratch = np.empty((2 * chunk,) + affine_shape, dtype=np.uint64)
            lockstep_ladder(table, digits, lo, hi, out, scratch, np.empty(chunk, dtype=np.bool_),
                            np.empty(chunk, dtype=np.bool_))

    return SimpleNamespace(products=products, lockstep_products=lockstep_products, jacobian_shape=jacobian_shape)


@njit(cache=True)
def _identity(q):
    return q


_PSI_X, _PSI_Y = fq2.to_mont(PSI_X.coeffs), fq2.to_mont(PSI_Y.coeffs)


@njit(cache=True)
def psi_affine(q):
    """psi (zkwork.curve.points) on an affine G2 point: (conj(x) PSI_X, conj(y) PSI_Y)."""
    return (fq2.mul(fq2.conj(q[0]), _PSI_X), fq2.mul(fq2.conj(q[1]), _PSI_Y))


@njit(cache=True)
def _phi_psi(q):
    return phi_g2(psi_affine(q))


G1_BATCH = make_batch_mul_kernels(G1, FQ.kernels, G1_MSM, fq_load, fq_store, (_identity, phi_g1))
G2_BATCH = make_batch_mul_kernels(G2, fq2.kernels, G2_MSM, fq2_load, fq2_store, (_identity, phi_g2))
G2_PSI_BATCH = make_batch_mul_kernels(G2, fq2.kernels, G2_MSM, fq2_load, fq2_store,
                                      (_identity, phi_g2, psi_affine, _phi_psi))
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
    """Points per lockstep chunk for n points on `threads` threads, or 0 for the Jacobian
    ladder: two chunks per thread (uneven run times even out), between LOCKSTEP_MIN and
    LOCKSTEP_MAX points."""
    if n < LOCKSTEP_MIN:
        return 0
    return min(LOCKSTEP_MAX, max(LOCKSTEP_MIN, -(-n // (2 * threads))))


def _batch_mul_recoded(kernel_sets, msm_kernels, what, points, digits):
    """kernel_sets maps a digit layout (parts, windows) to the kernels taking it."""
    _check_points(msm_kernels, what, points, digits.shape[0])
    if digits.dtype != np.int8 or digits.shape[1:] not in kernel_sets:
        expected = " or ".join(f"(n, {parts}, {windows}) from {_LAYOUTS[parts, windows]}"
                               for parts, windows in kernel_sets)
        raise ShapeMismatchError(f"{what}: digits must be an int8 array {expected}, got {digits.shape} {digits.dtype}")
    kernels = kernel_sets[digits.shape[1:]]
    points, digits = np.ascontiguousarray(points), np.ascontiguousarray(digits)
    chunk = lockstep_chunk(points.shape[0], numba.get_num_threads())
    if chunk:
        out = np.empty_like(points)
        kernels.lockstep_products(points, digits, out, chunk)
        return out
    jacobian = np.empty((points.shape[0],) + kernels.jacobian_shape, dtype=np.uint64)
    kernels.products(points, digits, jacobian, CHUNK)
    return msm_kernels.to_affine_array(jacobian)


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
