"""Fixed-base MSM: sum_i k_i P_i over bases that never change (a proving key's queries),
with tables of the bases' window multiples built once and reused by every MSM.

zkwork.curve.msm's Pippenger splits each GLV half-scalar (127 bits, bases Q = (P, phi(P)))
into w signed digits of c bits, accumulates each window into its own 2^(c-1) buckets, reduces
every window's buckets and joins the windows with c doublings each. With the table
T[j][t] = 2^(c j) Q_t, digit j of half t multiplies T[j][t] instead, so all windows' digits go
into ONE set of buckets: the same batch-affine accumulations (one per nonzero digit), but a
single reduction and no doublings. The cores share out the buckets (core k the digits whose
|d| falls in its range, each core scanning every entry): each reduces its range, weighting it
from its lowest bucket lo with one multiplication of the range's plain sum by lo, and the
cores' sums are added at the end.

Memory: 2 m w(c) affine points (64 bytes each in G1, 128 in G2) for the m bases that are not
at infinity (infinities are dropped when the table is built; their scalars are never read).
A larger c means fewer windows, so less memory and fewer accumulations, but 2^(c-1) buckets
to reduce: c minimises the busiest core's ceil(2m w(c) / cores) + REDUCTION_COST 2^c / cores
(msm_window's model with one reduction instead of w), among the windows whose table fits the
memory budget, up to GROUP_BUCKETS buckets (msm.py: beyond, buckets outgrow the caches).
Results equal msm_g1 / msm_g2's as group elements (their Jacobian coordinates may differ).
"""
import numba
import numpy as np
from numba import prange

from zkwork.curve.glv import HALF_BITS, decompose_scalars
from zkwork.curve.kernels import G1, G2
from zkwork.curve.msm import (G1_MSM, G2_MSM, GROUP_BUCKETS, REDUCTION_COST, affine_batch_size, num_windows,
                              plain_scalars, signed_digit)
from zkwork.curve.points import G1Point, G2Point
from zkwork.errors import ShapeMismatchError
from zkwork.jit import njit

SMALLEST_WINDOW = 5  # below 16 buckets msm.py uses plain mixed additions; tables need batch-affine
LARGEST_WINDOW = GROUP_BUCKETS.bit_length()  # 2^(c-1) = GROUP_BUCKETS buckets at most


def finite_rows(points):
    """Which rows of an affine array are not the point at infinity (all zero)."""
    return points.any(axis=tuple(range(1, points.ndim)))


def table_bytes(bases, window, point_bytes):
    """Bytes of the table of `bases` bases (not at infinity) for windows of `window` bits."""
    return 2 * bases * num_windows(window, HALF_BITS) * point_bytes


def precomputed_window(bases, point_bytes, budget_bytes=None, cores=None):
    """The window minimising the busiest core's work (module docstring) among those whose
    table fits `budget_bytes` (no bound if None); None if none fits."""
    cores = cores or numba.get_num_threads()

    def busiest_core(c):
        return -(-2 * bases * num_windows(c, HALF_BITS) // cores) + REDUCTION_COST * (1 << c) / cores

    fitting = [c for c in range(SMALLEST_WINDOW, LARGEST_WINDOW + 1)
               if budget_bytes is None or table_bytes(bases, c, point_bytes) <= budget_bytes]
    return min(fitting, key=busiest_core) if fitting else None


def table_batch_size(c, cores):
    """Batch-affine additions per inversion for a core's 2^(c-1) / cores buckets: affine_batch_size
    of half as many (measured at c = 13 on two cores: 256 rather than 512 is 2% faster in G1 and
    6% in G2, 128 slower in G1: fewer points find their bucket already in the batch)."""
    return affine_batch_size(c, (1 << (c - 1)) // (2 * cores))


def make_fixed_base_kernels(msm, curve):
    """Table building and table MSM kernels for the group of `msm` (make_msm_kernels's
    namespace) and `curve` (its Jacobian kernels)."""
    load_affine, load_jacobian, store_jacobian = msm.load_affine, msm.load_jacobian, msm.store_jacobian
    accumulate_batch_affine, running_bucket_sum = msm.accumulate_batch_affine, msm.running_bucket_sum
    from_affine, double, add, scalar_mul = curve.from_affine, curve.double, curve.add, curve.scalar_mul

    @njit(parallel=True, cache=True)
    def lift(points, state):
        """state[i] = points[i] in Jacobian coordinates."""
        for i in prange(points.shape[0]):
            store_jacobian(state, i, from_affine(load_affine(points, i)))

    @njit(parallel=True, cache=True)
    def double_times(state, c):
        """state[i] = 2^c state[i]."""
        for i in prange(state.shape[0]):
            q = load_jacobian(state, i)
            for _ in range(c):
                q = double(q)
            store_jacobian(state, i, q)

    @njit(parallel=True, cache=True)
    def table_digits(halves, negative, c, digits):
        """digits[k, j h + t] = digit j of halves[t], negated where negative[t] (h halves), in
        the row k of the core owning its bucket, zero in the others (the rows start at zero):
        the table's bases are never negated, the digits carry GLV's signs."""
        h = halves.shape[0]
        w = digits.shape[1] // h
        cores, num_buckets = digits.shape[0], 1 << (c - 1)
        for t in prange(h):
            carry = 0
            for j in range(w):
                d, carry = signed_digit(halves, t, j, c, carry)
                if d != 0:
                    digits[(abs(d) - 1) * cores // num_buckets, j * h + t] = -d if negative[t] else d

    @njit(parallel=True, cache=True)
    def core_sums(table, digits, num_buckets, batch_size, sums):
        """sums[k] = sum_b (b+1) bucket[b] over core k's buckets b in [lo, hi): their bucket sum
        (weights b - lo + 1) plus lo times their plain sum. lo = ceil(k num_buckets / cores),
        so that b is in core k's range exactly when b cores // num_buckets = k (table_digits)."""
        cores = digits.shape[0]
        for core in prange(cores):
            lo = (core * num_buckets + cores - 1) // cores
            hi = ((core + 1) * num_buckets + cores - 1) // cores
            buckets = accumulate_batch_affine(table, digits[core:core + 1], num_buckets, batch_size)
            total, plain = running_bucket_sum(buckets[lo:hi])
            store_jacobian(sums, core, add(total, scalar_mul(plain, (np.uint64(lo),))))

    def build(points, c):
        """The table of the affine `points` (none at infinity): rows j 2m .. (j+1) 2m - 1
        hold 2^(c j) P and then 2^(c j) phi(P) for the m points."""
        m, w = points.shape[0], num_windows(c, HALF_BITS)
        table = np.empty((w * 2 * m,) + msm.affine_shape, dtype=np.uint64)
        no_halves, positive = np.zeros((2 * m, 4), dtype=np.uint64), np.zeros(2 * m, dtype=np.bool_)
        state = np.empty((m,) + msm.jacobian_shape, dtype=np.uint64)
        lift(points, state)
        window_bases = points
        for j in range(w):
            if j:
                double_times(state, c)
                window_bases = msm.to_affine_array(state)
            msm.glv_points(window_bases, no_halves, positive, table[j * 2 * m:(j + 1) * 2 * m])
        return table

    def table_msm(table, scalars, c):
        """sum_t scalars[t] P_t as a Jacobian array, for the table of the P_t (plain scalars)."""
        m = scalars.shape[0]
        out = np.zeros((1,) + msm.jacobian_shape, dtype=np.uint64)  # Z = 0: infinity
        if m == 0:
            return out[0]
        halves = np.empty((2 * m, 4), dtype=np.uint64)
        negative = np.empty(2 * m, dtype=np.bool_)
        decompose_scalars(scalars, halves, negative)
        cores = min(numba.get_num_threads(), 1 << (c - 1))
        digits = np.zeros((cores, table.shape[0]), dtype=np.int32)
        table_digits(halves, negative, c, digits)
        sums = np.zeros((cores,) + msm.jacobian_shape, dtype=np.uint64)
        core_sums(table, digits, 1 << (c - 1), table_batch_size(c, cores), sums)
        msm.combine_windows(sums, 0, out)
        return out[0]

    return build, table_msm


G1_FIXED = make_fixed_base_kernels(G1_MSM, G1)
G2_FIXED = make_fixed_base_kernels(G2_MSM, G2)
_GROUPS = {"G1": (G1_MSM, G1_FIXED, G1Point, 64), "G2": (G2_MSM, G2_FIXED, G2Point, 128)}


class FixedBaseTable:
    """The window multiples of one set of affine bases: `msm(scalars)` is the group element
    sum_i scalars[i] points[i], equal to msm_g1 / msm_g2's."""

    def __init__(self, group, points, window=None, budget_bytes=None):
        """`group` "G1" or "G2"; `points` an affine Montgomery array; `window` None for
        precomputed_window's choice within `budget_bytes` (ShapeMismatchError if no window fits)."""
        kernels, (build, _), _, point_bytes = _GROUPS[group]
        if not isinstance(points, np.ndarray) or points.dtype != np.uint64 or points.shape[1:] != kernels.affine_shape:
            raise ShapeMismatchError(f"{group} bases must be an (n,) + {kernels.affine_shape} uint64 array of "
                                     f"affine points, got {getattr(points, 'shape', type(points).__name__)}")
        self.group, self.size = group, points.shape[0]
        self.live = np.flatnonzero(finite_rows(points))
        self.window = window or precomputed_window(len(self.live), point_bytes, budget_bytes)
        if self.window is None or self.window < SMALLEST_WINDOW:
            raise ShapeMismatchError(f"no window of {SMALLEST_WINDOW} .. {LARGEST_WINDOW} bits fits "
                                     f"{len(self.live)} {group} bases in {budget_bytes} bytes")
        self.table = build(np.ascontiguousarray(points[self.live]), self.window)

    @property
    def nbytes(self):
        """Bytes held by the table."""
        return self.table.nbytes + self.live.nbytes

    def msm_jacobian(self, scalars):
        """sum_i scalars[i] points[i] as a Jacobian Montgomery array (scalars as for msm_g1)."""
        scalars = plain_scalars(scalars)
        if scalars.shape[0] != self.size:
            raise ShapeMismatchError(f"a table of {self.size} {self.group} bases got {scalars.shape[0]} scalars")
        _, (_, table_msm), _, _ = _GROUPS[self.group]
        return table_msm(self.table, np.ascontiguousarray(scalars[self.live]), self.window)

    def msm(self, scalars):
        """sum_i scalars[i] points[i] as a G1Point or G2Point."""
        _, _, point, _ = _GROUPS[self.group]
        return point(self.msm_jacobian(scalars))

    def __repr__(self):
        return (f"FixedBaseTable({self.group}, {self.size} bases, {len(self.live)} finite, c={self.window}, "
                f"{self.nbytes / 2**20:.1f} MB)")
