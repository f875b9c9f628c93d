"""Fixed-base MSM: sum_i k_i P_i over bases that never change (a proving key's queries),
with tables of the bases' window multiples built once and reused by every MSM.

zkwork.curve.msm's Pippenger splits each GLV half-scalar (127 bits, bases Q = (P, phi(P)))
into w signed digits of c bits, accumulates each window into its own 2^(c-1) buckets, reduces
every window's buckets and joins the windows with c doublings each. With the table
T[j][t] = 2^(c j) Q_t, digit j of half t multiplies T[j][t] instead, so all windows' digits go
into ONE set of buckets: the same batch-affine accumulations (one per nonzero digit), but a
single reduction and no doublings. A digit whose bucket already waits in the current batch
mostly waits for the next batch (msm.py adds it to a Jacobian overflow bucket at once): most
buckets stay affine, which saved 7% of a table MSM (membership d20, G1 and G2, CPU time).
The cores share out the buckets (core k the digits whose |d| falls in its range, each core
scanning every entry): each reduces its range, weighting it from its lowest bucket lo with one
multiplication of the range's plain sum by lo, and the cores' sums are added at the end.

Memory: 2 m w(c) affine points (64 bytes each in G1, 128 in G2) for the m bases that are not
at infinity (infinities are dropped when the table is built; their scalars are never read).
A larger c means fewer windows, so less memory and fewer accumulations, but 2^(c-1) buckets
to reduce: c minimises the busiest core's ceil(2m w(c) / cores) + REDUCTION_COST 2^c / cores
(msm_window's model with one reduction instead of w), among the windows whose table fits the
memory budget, up to GROUP_BUCKETS buckets (msm.py: beyond, buckets outgrow the caches).
Results equal msm_g1 / msm_g2's as group elements (their Jacobian coordinates may differ).
SplitMSM hands the cores' bucket ranges out as separate tasks (the prover's threads run them).
"""
from types import SimpleNamespace

import numba
import numpy as np
from numba import prange

from zkwork.curve.glv import HALF_BITS, decompose_scalars
from zkwork.curve.kernels import G1, G2
from zkwork.curve.msm import (G1_MSM, G2_MSM, GROUP_BUCKETS, REDUCTION_COST, affine_batch_size, num_windows,
                              plain_scalars, signed_digit)
from zkwork.curve.points import G1Point, G2Point
from zkwork.errors import ShapeMismatchError
from zkwork.field import FQ, fq2
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
    6% in G2, 128 slower in G1: fewer points find their bucket already in the batch); at least 1."""
    return max(1, affine_batch_size(c, (1 << (c - 1)) // (2 * cores)))


def make_fixed_base_kernels(msm, curve, field):
    """Table building and table MSM kernels for the group of `msm` (make_msm_kernels's
    namespace), `curve` (its Jacobian kernels) and `field` (its coordinates' field kernels)."""
    load_affine, load_jacobian, store_jacobian = msm.load_affine, msm.load_jacobian, msm.store_jacobian
    store_affine, load_element, store_element = msm.store_affine, msm.load_element, msm.store_element
    add_affine_batch = msm.add_affine_batch
    from_affine, double, add, scalar_mul = curve.from_affine, curve.double, curve.add, curve.scalar_mul
    add_mixed, infinity = curve.add_mixed, curve.infinity
    f_mul, f_sub, f_neg, f_eq, f_is_zero, f_one = field.mul, field.sub, field.neg, field.eq, field.is_zero, field.one
    affine_shape, jacobian_shape = msm.affine_shape, msm.jacobian_shape

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

    @njit(parallel=True, nogil=True, cache=True)
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

    @njit(cache=True)
    def spill(overflow, b, q):
        """overflow[b] += q (affine), a Jacobian mixed addition."""
        store_jacobian(overflow, b, add_mixed(load_jacobian(overflow, b), q))

    @njit(nogil=True, cache=True)
    def accumulate_affine(table, row, num_buckets, batch_size):
        """Buckets of bucket[|d| - 1] += sign(d) table[t] for the digits d = row[t], mostly by
        batch-affine additions into affine buckets. An entry whose bucket already waits in the
        current batch waits in a queue of batch_size entries and is retried after the batch, so
        that its bucket stays affine; when the queue is full, at the end, and where x equals the
        bucket's (doubling, cancellation), it goes instead to the bucket's Jacobian overflow by a
        mixed addition, as in msm.py (a run of digits crowding few buckets, as a top window's
        do, would otherwise cost a batch, and an inversion, per few entries). Returns (affine
        buckets, their state: -1 empty, overflow buckets (Z = 0: infinity)); table rows are
        never at infinity."""
        n = row.shape[0]
        affine = np.zeros((num_buckets,) + affine_shape, dtype=np.uint64)
        state = np.full(num_buckets, -1, dtype=np.int64)  # else the last batch the bucket waited in
        overflow = np.zeros((num_buckets,) + jacobian_shape, dtype=np.uint64)
        queue = np.empty(batch_size, dtype=np.int64)  # a ring: entries queue[head .. tail)
        batch_bucket = np.empty(batch_size, dtype=np.int64)
        batch_point = np.empty(batch_size, dtype=np.int64)
        batch_digit = np.empty(batch_size, dtype=np.int64)
        scratch = np.empty((batch_size,) + affine_shape, dtype=np.uint64)
        head, tail, retry_until, i = 0, 0, 0, 0
        batch, count, product = 1, 0, f_one
        while True:
            if head < retry_until:  # after a batch, first the entries that waited for it
                t = queue[head % batch_size]
                head += 1
            elif i < n:
                t = i
                i += 1
                if row[t] == 0:
                    continue
            else:
                break
            d = row[t]
            b = abs(d) - 1
            x, y = load_affine(table, t)
            q = (x, f_neg(y)) if d < 0 else (x, y)
            if state[b] < 0:
                store_affine(affine, b, q)
                state[b] = 0
                continue
            if state[b] == batch:
                if tail - head < batch_size:
                    queue[tail % batch_size] = t
                    tail += 1
                else:
                    spill(overflow, b, q)
                continue
            x1 = load_element(affine, b, 0)
            if f_eq(x1, x):
                spill(overflow, b, q)
                continue
            state[b] = batch
            dx = f_sub(x, x1)
            store_element(scratch, count, 0, dx)
            store_element(scratch, count, 1, product)
            product = f_mul(product, dx)
            batch_bucket[count] = b
            batch_point[count] = t
            batch_digit[count] = d
            count += 1
            if count == batch_size:
                add_affine_batch(affine, table, batch_bucket, batch_point, batch_digit, scratch, count, product)
                batch, count, product, retry_until = batch + 1, 0, f_one, tail
        add_affine_batch(affine, table, batch_bucket, batch_point, batch_digit, scratch, count, product)
        for k in range(head, tail):
            t = queue[k % batch_size]
            x, y = load_affine(table, t)
            spill(overflow, abs(row[t]) - 1, (x, f_neg(y)) if row[t] < 0 else (x, y))
        return affine, state, overflow

    @njit(nogil=True, cache=True)
    def bucket_range_sum(affine, state, overflow, lo, hi):
        """(sum_b (b - lo + 1) bucket[b], sum_b bucket[b]) over the buckets b in [lo, hi) of
        accumulate_affine, as running_bucket_sum (msm.py): a mixed addition per affine bucket."""
        running = infinity
        total = infinity
        for b in range(hi - 1, lo - 1, -1):
            if state[b] >= 0:
                running = add_mixed(running, load_affine(affine, b))
            spilled = load_jacobian(overflow, b)
            if not f_is_zero(spilled[2]):
                running = add(running, spilled)
            total = add(total, running)
        return total, running

    @njit(nogil=True, cache=True)
    def core_sum(table, digits, core, num_buckets, batch_size, sums):
        """sums[core] = sum_b (b+1) bucket[b] over the core's buckets b in [lo, hi): their bucket
        sum (weights b - lo + 1) plus lo times their plain sum. lo = ceil(core num_buckets / cores),
        so that b is in the core's range exactly when b cores // num_buckets = core (table_digits).
        Without the GIL: the prover runs the cores' ranges as tasks on its own threads."""
        cores = digits.shape[0]
        lo = (core * num_buckets + cores - 1) // cores
        hi = ((core + 1) * num_buckets + cores - 1) // cores
        affine, state, overflow = accumulate_affine(table, digits[core], num_buckets, batch_size)
        total, plain = bucket_range_sum(affine, state, overflow, lo, hi)
        store_jacobian(sums, core, add(total, scalar_mul(plain, (np.uint64(lo),))))

    @njit(parallel=True, cache=True)
    def core_sums(table, digits, num_buckets, batch_size, sums):
        """core_sum for every core (row of digits), one per thread."""
        for core in prange(digits.shape[0]):
            core_sum(table, digits, core, num_buckets, batch_size, sums)

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

    def split_digits(table, scalars, c, cores):
        """The digits of the plain `scalars` (at least one) for their table, one row per core's
        bucket range (at most one range per bucket)."""
        m = scalars.shape[0]
        halves = np.empty((2 * m, 4), dtype=np.uint64)
        negative = np.empty(2 * m, dtype=np.bool_)
        decompose_scalars(scalars, halves, negative)
        digits = np.zeros((min(cores, 1 << (c - 1)), table.shape[0]), dtype=np.int32)
        table_digits(halves, negative, c, digits)
        return digits

    def joined(sums):
        """The sum of the cores' sums, a Jacobian array."""
        out = np.zeros((1,) + msm.jacobian_shape, dtype=np.uint64)  # Z = 0: infinity
        msm.combine_windows(sums, 0, out)
        return out[0]

    def table_msm(table, scalars, c):
        """sum_t scalars[t] P_t as a Jacobian array, for the table of the P_t (plain scalars)."""
        if scalars.shape[0] == 0:
            return np.zeros(msm.jacobian_shape, dtype=np.uint64)
        digits = split_digits(table, scalars, c, numba.get_num_threads())
        sums = np.zeros((digits.shape[0],) + msm.jacobian_shape, dtype=np.uint64)
        core_sums(table, digits, 1 << (c - 1), table_batch_size(c, digits.shape[0]), sums)
        return joined(sums)

    return SimpleNamespace(build=build, table_msm=table_msm, split_digits=split_digits, core_sum=core_sum,
                           joined=joined, jacobian_shape=msm.jacobian_shape)


G1_FIXED = make_fixed_base_kernels(G1_MSM, G1, FQ.kernels)
G2_FIXED = make_fixed_base_kernels(G2_MSM, G2, fq2.kernels)
_GROUPS = {"G1": (G1_MSM, G1_FIXED, G1Point, 64), "G2": (G2_MSM, G2_FIXED, G2Point, 128)}
# Time of a table entry's accumulation relative to G1's (measured at c = 13: 230 ns in G1, 730 in G2).
GROUP_COST = {"G1": 1.0, "G2": 3.2}


class FixedBaseTable:
    """The window multiples of one set of affine bases: `msm(scalars)` is the group element
    sum_i scalars[i] points[i], equal to msm_g1 / msm_g2's."""

    def __init__(self, group, points, window=None, budget_bytes=None):
        """`group` "G1" or "G2"; `points` an affine Montgomery array; `window` None for
        precomputed_window's choice within `budget_bytes` (ShapeMismatchError if no window fits)."""
        kernels, fixed, _, point_bytes = _GROUPS[group]
        if not isinstance(points, np.ndarray) or points.dtype != np.uint64 or points.shape[1:] != kernels.affine_shape:
            raise ShapeMismatchError(f"{group} bases must be an (n,) + {kernels.affine_shape} uint64 array of "
                                     f"affine points, got {getattr(points, 'shape', type(points).__name__)}")
        self.group, self.size = group, points.shape[0]
        self.live = np.flatnonzero(finite_rows(points))
        self.window = window or precomputed_window(len(self.live), point_bytes, budget_bytes)
        if self.window is None or self.window < SMALLEST_WINDOW:
            raise ShapeMismatchError(f"no window of {SMALLEST_WINDOW} .. {LARGEST_WINDOW} bits fits "
                                     f"{len(self.live)} {group} bases in {budget_bytes} bytes")
        self.table = fixed.build(np.ascontiguousarray(points[self.live]), self.window)

    @property
    def nbytes(self):
        """Bytes held by the table."""
        return self.table.nbytes + self.live.nbytes

    def live_scalars(self, scalars):
        """The plain scalars (as for msm_g1) of the bases not at infinity, contiguous."""
        scalars = plain_scalars(scalars)
        if scalars.shape[0] != self.size:
            raise ShapeMismatchError(f"a table of {self.size} {self.group} bases got {scalars.shape[0]} scalars")
        return np.ascontiguousarray(scalars[self.live])

    def msm_jacobian(self, scalars):
        """sum_i scalars[i] points[i] as a Jacobian Montgomery array (scalars as for msm_g1)."""
        return _GROUPS[self.group][1].table_msm(self.table, self.live_scalars(scalars), self.window)

    def msm(self, scalars):
        """sum_i scalars[i] points[i] as a G1Point or G2Point."""
        _, _, point, _ = _GROUPS[self.group]
        return point(self.msm_jacobian(scalars))

    def split(self, scalars, parts):
        """The MSM of `scalars` as a SplitMSM of up to `parts` pieces."""
        return SplitMSM(self, self.live_scalars(scalars), parts)

    def __repr__(self):
        return (f"FixedBaseTable({self.group}, {self.size} bases, {len(self.live)} finite, c={self.window}, "
                f"{self.nbytes / 2**20:.1f} MB)")


class SplitMSM:
    """One table MSM cut into bucket ranges that any threads may run, in any order: run(k) for
    every k < parts (without the GIL: a table_msm core's range), then result(). The cut costs
    nothing but a scan of the digits per range: each range is one core's share in table_msm."""

    def __init__(self, table, live_scalars, parts):
        """`live_scalars`: table.live_scalars(...)'s."""
        self.table, self.fixed = table, _GROUPS[table.group][1]
        self.digits = np.zeros((0, 0), dtype=np.int32)
        if live_scalars.shape[0]:
            self.digits = self.fixed.split_digits(table.table, live_scalars, table.window, parts)
        self.parts = self.digits.shape[0]
        self.sums = np.zeros((self.parts,) + self.fixed.jacobian_shape, dtype=np.uint64)
        self.batch_size = table_batch_size(table.window, max(self.parts, 1))
        self.part_cost = GROUP_COST[table.group] * table.table.shape[0] / max(self.parts, 1)

    def run(self, part):
        """Fills the sum of range `part`."""
        self.fixed.core_sum(self.table.table, self.digits, part, 1 << (self.table.window - 1), self.batch_size,
                            self.sums)

    def result(self):
        """The MSM (once every part has run) as a G1Point or G2Point."""
        return _GROUPS[self.table.group][2](self.fixed.joined(self.sums))
