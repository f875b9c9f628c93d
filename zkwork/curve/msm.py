"""Multi-scalar multiplication sum_i k_i P_i and fixed-base batch multiplication k_i G,
over raw arrays, generic over G1 and G2 (one factory, instantiated once per group).

Arrays: affine points are Montgomery arrays of shape (n, 2, 4) for G1 and (n, 2, 2, 4)
for G2, an all-zero row being the point at infinity; Jacobian points are (3, 4) /
(3, 2, 4); scalars are (n, 4) uint64 arrays of plain (non-Montgomery) limbs, each < r.

GLV (glv.py) first halves the scalars: phi(x, y) = (beta x, y) multiplies order-r points
by a cube root of unity lambda in Fr (on G2 with beta^2 for beta), and k = k1 + k2 lambda
with |k1|, |k2| < 2^127, so sum_i k_i P_i = sum_i |k1_i| (+-P_i) + |k2_i| (+-phi(P_i)): an MSM
of 2n points with 127-bit scalars, half the windows, bucket reductions and doublings.

Pippenger's bucket method with signed digits: k = sum_j d_j 2^(c j) over w windows of c
bits, each digit recentred into [-2^(c-1) + 1, 2^(c-1)] by a carry into the next window,
so a window needs 2^(c-1) buckets (a negative digit adds -P: y negated). Per window j:
  1. accumulation, bucket[|d_ij| - 1] += sign(d_ij) P_i: batch-affine additions sharing
     one inversion (Montgomery's trick), a batch spanning several windows; a point whose
     bucket is busy goes to a Jacobian overflow bucket with a mixed addition;
  2. reduction, sum_b (b+1) bucket[b], as a running sum: 2 * 2^(c-1) additions;
then S = sum_j S_j 2^(c j), Horner-style with c doublings per window. The cores share out
the windows (`prange`, no shared writes); zero digits and infinity points cost a load. c
minimises the busiest core's ceil(w(c) / cores) * (n + REDUCTION_COST 2^c), `msm_window`.
The kernels release the GIL: the prover runs MSMs side by side on its own threads.

Fixed-base batch multiplication (key generation) uses the same digits with a table
T[j][d-1] = d 2^(c j) G in affine form: w mixed additions per k_i G, no doubling. Table
and results go to affine with one field inversion per chunk of points.
"""
from types import SimpleNamespace

import numba
import numpy as np
from numba import prange

from zkwork.curve.glv import HALF_BITS, decompose_scalars, phi_g1, phi_g2
from zkwork.curve.kernels import G1, G2
from zkwork.errors import ScalarOutOfRangeError, ShapeMismatchError
from zkwork.field import FQ, FR, FieldVector, R, fq2
from zkwork.field.limbs import ints_to_array
from zkwork.jit import njit

SCALAR_BITS = R.bit_length()  # 254: every scalar is < r
# The window-size estimate's cost of reducing a window of c bits, per 2^c, relative to
# accumulating one point. Fitted to one-core timings of GLV's 2n points with 128-bit
# digits (c = 8 .. 12, 2^10 .. 2^16 points, predicted within 5%): about the same time
# per accumulated point as per 2^c (2^(c-1) buckets, a mixed and a full addition each),
# in G1 and in G2 alike.
REDUCTION_COST = 1.0
# Batch-affine additions sharing one inversion, at most: 512 measured best when the batch
# spreads over enough buckets (256 and 1024 are 1-5% slower, 2^12 .. 2^16 points).
MAX_BATCH = 512
# Windows accumulated together share batches, up to this many buckets: enough that a
# batch of MAX_BATCH rarely finds a bucket busy, few enough that the buckets (affine,
# Jacobian and bookkeeping, ~170 bytes each) stay near a core's 1 MB L2 cache. On one
# core at 2^16 points, 8192 measured best (16384: +3%, 32768: +7%); on two, within noise.
GROUP_BUCKETS = 8192


def num_windows(c, bits=SCALAR_BITS):
    """Windows of c bits for signed digits of a scalar of `bits` bits (< r by default):
    one more bit than the scalar has, because the top window may receive a carry."""
    return -(-(bits + 1) // c)


def msm_window(n, bits=SCALAR_BITS, cores=None):
    """The window size c for n scalars of `bits` bits minimising the busiest core's
    ceil(w(c) / cores) * (n + REDUCTION_COST * 2^c): the cores share out the windows, so
    a window count that does not divide evenly costs a whole window more. c stops where a
    window's buckets outgrow GROUP_BUCKETS (at 2^17 points c = 16 measured 8% slower than
    c = 13 on two cores and 35% on one, though the count of additions favours it)."""
    cores = cores or numba.get_num_threads()

    def busiest_core(c):
        return -(-num_windows(c, bits) // cores) * (n + REDUCTION_COST * (1 << c))

    return min(range(1, GROUP_BUCKETS.bit_length() + 1), key=busiest_core)


def affine_batch_size(c, group_buckets):
    """Additions sharing one inversion, for windows of c bits accumulated in groups of
    group_buckets buckets: a quarter of those buckets, so that few points find their
    bucket busy, up to MAX_BATCH (measured: 256 rather than 512 for groups of 1024
    buckets is 3-9% faster); 0 (plain mixed additions) below 16 buckets a window, where
    batches never paid off (from 16 up, batch-affine measured faster even for 32 points)."""
    return 0 if c < 5 else min(MAX_BATCH, group_buckets // 4)


def fixed_base_window(n):
    """The window size for n scalars times one base: w(c) * (n + 8 * 2^(c-1)) mixed
    additions. A table entry costs far more than its one addition (normalisation, and
    a table outgrowing the caches slows every lookup); the factor 8 matches the
    measured optimum (c = 11 for 2^16 scalars, within 3% of c = 10 .. 13)."""
    return min(range(1, 17), key=lambda c: num_windows(c) * (n + 8 * (1 << (c - 1))))


# -- signed digits -------------------------------------------------------------------

@njit(cache=True)
def window_bits(scalars, i, start, c):
    """Bits start .. start+c-1 of scalar i (plain little-endian limbs), as an int."""
    limb = start // 64
    shift = start % 64
    bits = scalars[i, limb] >> np.uint64(shift)
    if shift + c > 64 and limb + 1 < 4:
        bits |= scalars[i, limb + 1] << np.uint64(64 - shift)
    return np.int64(bits & np.uint64((1 << c) - 1))


@njit(cache=True)
def signed_digit(scalars, i, j, c, carry):
    """Digit j of scalar i in [-2^(c-1) + 1, 2^(c-1)], and the carry into digit j+1."""
    d = window_bits(scalars, i, j * c, c) + carry
    if d > (1 << (c - 1)):
        return d - (1 << c), 1
    return d, 0


@njit(parallel=True, nogil=True, cache=True)
def signed_digits(scalars, c, digits):
    """digits[j, i] = digit j of scalar i; laid out window-major for the bucket pass."""
    for i in prange(scalars.shape[0]):
        carry = 0
        for j in range(digits.shape[0]):
            d, carry = signed_digit(scalars, i, j, c, carry)
            digits[j, i] = d


# -- element and point I/O ------------------------------------------------------------
# A point's coordinates sit at array[i, k] (k = 0, 1 for affine x, y; 0, 1, 2 for
# Jacobian X, Y, Z); an Fq element is 4 limbs there, an Fq2 element 2 x 4 limbs.

@njit(cache=True)
def fq_load(array, i, k):
    """The Fq element (Montgomery 4-tuple) at array[i, k], coordinate k of point i."""
    return (array[i, k, 0], array[i, k, 1], array[i, k, 2], array[i, k, 3])


@njit(cache=True)
def fq_store(array, i, k, a):
    """Writes the Fq element a (Montgomery 4-tuple) into array[i, k]."""
    array[i, k, 0] = a[0]
    array[i, k, 1] = a[1]
    array[i, k, 2] = a[2]
    array[i, k, 3] = a[3]


@njit(cache=True)
def fq2_load(array, i, k):
    """The Fq2 element (pair of Montgomery 4-tuples) at array[i, k], coordinate k of point i."""
    return (
        (array[i, k, 0, 0], array[i, k, 0, 1], array[i, k, 0, 2], array[i, k, 0, 3]),
        (array[i, k, 1, 0], array[i, k, 1, 1], array[i, k, 1, 2], array[i, k, 1, 3]),
    )


@njit(cache=True)
def fq2_store(array, i, k, a):
    """Writes the Fq2 element a (pair of Montgomery 4-tuples) into array[i, k]."""
    for c in range(2):
        array[i, k, c, 0] = a[c][0]
        array[i, k, c, 1] = a[c][1]
        array[i, k, c, 2] = a[c][2]
        array[i, k, c, 3] = a[c][3]


# -- the generic algorithms -----------------------------------------------------------

def make_msm_kernels(curve, field, load, store, element_shape, phi):
    """MSM and fixed-base kernels for the group whose Jacobian kernels are `curve`, over
    the field whose kernels are `field`; `load`/`store` move one field element between
    array[i, k] and a tuple; `element_shape` is the array shape of one field element;
    `phi` is the GLV endomorphism on an affine point (acting as LAMBDA, see glv.py)."""
    add, add_mixed, double, infinity = curve.add, curve.add_mixed, curve.double, curve.infinity
    from_affine = curve.from_affine
    f_mul, f_sqr, f_neg, f_inv, f_is_zero = field.mul, field.sqr, field.neg, field.inv, field.is_zero
    f_sub, f_eq = field.sub, field.eq
    f_one, f_zero = field.one, field.zero
    jacobian_shape = (3,) + element_shape
    affine_shape = (2,) + element_shape

    @njit(cache=True)
    def jacobian_zeros(m):
        """m points at infinity (an all-zero row has Z = 0)."""
        return np.zeros((m,) + jacobian_shape, dtype=np.uint64)

    @njit(cache=True)
    def load_affine(array, i):
        return (load(array, i, 0), load(array, i, 1))

    @njit(cache=True)
    def store_affine(array, i, q):
        store(array, i, 0, q[0])
        store(array, i, 1, q[1])

    @njit(cache=True)
    def load_jacobian(array, i):
        return (load(array, i, 0), load(array, i, 1), load(array, i, 2))

    @njit(cache=True)
    def store_jacobian(array, i, p):
        store(array, i, 0, p[0])
        store(array, i, 1, p[1])
        store(array, i, 2, p[2])

    @njit(cache=True)
    def signed_affine(array, i, d):
        """The affine point sign(d) * array[i]."""
        x, y = load_affine(array, i)
        return (x, f_neg(y)) if d < 0 else (x, y)

    @njit(cache=True)
    def bucket_sum(buckets):
        """sum_b (b+1) buckets[b]."""
        return running_bucket_sum(buckets)[0]

    @njit(cache=True)
    def running_bucket_sum(buckets):
        """(sum_b (b+1) buckets[b], sum_b buckets[b]): the running sum holds buckets[b] + ... +
        buckets[top], and adding it once per b counts bucket b exactly b+1 times."""
        running = infinity
        total = infinity
        for b in range(buckets.shape[0] - 1, -1, -1):
            bucket = load_jacobian(buckets, b)
            if f_eq(bucket[2], f_one):  # an affine bucket (batch-affine): a cheaper mixed addition
                running = add_mixed(running, (bucket[0], bucket[1]))
            else:
                running = add(running, bucket)
            total = add(total, running)
        return total, running

    @njit(cache=True)
    def accumulate_mixed(points, digits, num_buckets):
        """Jacobian buckets of one window, bucket[|d| - 1] += sign(d) P, mixed additions."""
        buckets = jacobian_zeros(num_buckets)
        for i in range(digits.shape[0]):
            d = digits[i]
            if d != 0:
                b = abs(d) - 1
                store_jacobian(buckets, b, add_mixed(load_jacobian(buckets, b), signed_affine(points, i, d)))
        return buckets

    # About 6 multiplications per addition, against 11 for a mixed (Jacobian + affine) one.
    @njit(cache=True)
    def add_affine_batch(buckets, points, batch_bucket, batch_point, batch_digit, scratch, count, product):
        """buckets[batch_bucket[t]] += sign * points[batch_point[t]] for t < count, in affine
        coordinates, all x's distinct from the bucket's: lambda = (y2 - y1) / (x2 - x1).
        scratch[t] holds (x2 - x1, product of the earlier x2 - x1); `product` is the full
        product, whose single inverse yields every 1/(x2 - x1) walking backwards."""
        inv = f_inv(product)
        for t in range(count - 1, -1, -1):
            b = batch_bucket[t]
            x1, y1 = load_affine(buckets, b)
            x2, y2 = signed_affine(points, batch_point[t], batch_digit[t])
            dx_inv = f_mul(inv, load(scratch, t, 1))
            inv = f_mul(inv, load(scratch, t, 0))
            lam = f_mul(f_sub(y2, y1), dx_inv)
            x3 = f_sub(f_sub(f_sqr(lam), x1), x2)
            store_affine(buckets, b, (x3, f_sub(f_mul(lam, f_sub(x1, x3)), y1)))

    @njit(cache=True)
    def has_digit(digits, i):
        """Whether column i of `digits` has a nonzero digit."""
        for k in range(digits.shape[0]):
            if digits[k, i] != 0:
                return True
        return False

    @njit(cache=True)
    def accumulate_batch_affine(points, digits, num_buckets, batch_size):
        """Jacobian buckets of the windows of `digits` (one row per window, window k's
        buckets at k * num_buckets ..), accumulated mostly with batch-affine additions.

        Affine buckets take additions in batches sharing one inversion; a batch mixes the
        windows, so it can be long while few of its points find their bucket busy. A point
        whose bucket already waits in the current batch, or whose x equals the bucket's
        (doubling or cancellation), goes instead to an overflow bucket in Jacobian
        coordinates with a mixed addition; the two are merged at the end. Infinity
        points are skipped, so affine buckets never hold infinity."""
        total_buckets = digits.shape[0] * num_buckets
        affine = np.zeros((total_buckets,) + affine_shape, dtype=np.uint64)
        # -1: empty, else the last batch the bucket waited in (0: none); one array, one cache miss
        state = np.full(total_buckets, -1, dtype=np.int64)
        overflow = jacobian_zeros(total_buckets)
        batch_bucket = np.empty(batch_size, dtype=np.int64)
        batch_point = np.empty(batch_size, dtype=np.int64)
        batch_digit = np.empty(batch_size, dtype=np.int64)
        scratch = np.empty((batch_size,) + affine_shape, dtype=np.uint64)
        batch = 1
        count = 0
        product = f_one
        for i in range(digits.shape[1]):
            if not has_digit(digits, i):
                continue  # before loading the point: zero scalars, and other cores' digits in fixed_base
            x, y = load_affine(points, i)
            if f_is_zero(x) and f_is_zero(y):
                continue
            for k in range(digits.shape[0]):
                d = digits[k, i]
                if d == 0:
                    continue
                b = k * num_buckets + abs(d) - 1
                q = (x, f_neg(y)) if d < 0 else (x, y)
                if state[b] < 0:
                    store_affine(affine, b, q)
                    state[b] = 0
                    continue
                x1 = load(affine, b, 0)
                if state[b] == batch or f_eq(x1, x):
                    store_jacobian(overflow, b, add_mixed(load_jacobian(overflow, b), q))
                    continue
                state[b] = batch
                dx = f_sub(x, x1)
                store(scratch, count, 0, dx)
                store(scratch, count, 1, product)
                product = f_mul(product, dx)
                batch_bucket[count] = b
                batch_point[count] = i
                batch_digit[count] = d
                count += 1
                if count == batch_size:
                    add_affine_batch(affine, points, batch_bucket, batch_point, batch_digit, scratch, count, product)
                    batch += 1
                    count = 0
                    product = f_one
        add_affine_batch(affine, points, batch_bucket, batch_point, batch_digit, scratch, count, product)
        for b in range(total_buckets):
            if state[b] >= 0:
                store_jacobian(overflow, b, add_mixed(load_jacobian(overflow, b), load_affine(affine, b)))
        return overflow

    @njit(parallel=True, nogil=True, cache=True)
    def window_sums(points, digits, num_buckets, batch_size, cores, group_size, sums):
        """sums[j] = sum_i digits[j, i] * points[i]. The windows are cut into `cores`
        contiguous runs, one per prange iteration; each run goes in groups of up to
        group_size windows sharing their batches. batch_size 0 selects plain mixed
        additions, one window at a time."""
        w = digits.shape[0]
        for core in prange(cores):
            start, stop = core * w // cores, (core + 1) * w // cores
            for lo in range(start, stop, group_size if batch_size else 1):
                hi = min(lo + group_size, stop)
                if batch_size:
                    buckets = accumulate_batch_affine(points, digits[lo:hi], num_buckets, batch_size)
                    for j in range(lo, hi):
                        k = (j - lo) * num_buckets
                        store_jacobian(sums, j, bucket_sum(buckets[k : k + num_buckets]))
                else:
                    store_jacobian(sums, lo, bucket_sum(accumulate_mixed(points, digits[lo], num_buckets)))

    @njit(cache=True)
    def combine_windows(sums, c, out):
        """out[0] = sum_j sums[j] 2^(c j), Horner-style from the top window."""
        acc = infinity
        for j in range(sums.shape[0] - 1, -1, -1):
            for _ in range(c):
                acc = double(acc)
            acc = add(acc, load_jacobian(sums, j))
        store_jacobian(out, 0, acc)

    def pippenger(points, scalars, c, batch_size=None, bits=SCALAR_BITS):
        """sum_i scalars[i] points[i] as a Jacobian array, for scalars below 2^bits;
        inputs already validated; batch_size None for the measured choice."""
        out = np.zeros((1,) + jacobian_shape, dtype=np.uint64)
        w = num_windows(c, bits)
        digits = np.empty((w, scalars.shape[0]), dtype=np.int32)
        signed_digits(scalars, c, digits)
        sums = np.empty((w,) + jacobian_shape, dtype=np.uint64)
        cores = min(w, numba.get_num_threads())
        group_size = min(max(1, GROUP_BUCKETS >> (c - 1)), -(-w // cores))
        if batch_size is None:
            batch_size = affine_batch_size(c, group_size << (c - 1))
        window_sums(points, digits, 1 << (c - 1), batch_size, cores, group_size, sums)
        combine_windows(sums, c, out)
        return out[0]

    @njit(parallel=True, nogil=True, cache=True)
    def glv_points(points, halves, negative, out):
        """out[i] = +-points[i] and out[n + i] = +-phi(points[i]), negated where the
        matching half-scalar is negative (negative[i], negative[n + i]). Returns how many
        of the 2n (point, half) pairs do any work: point not at infinity, half not zero."""
        n = points.shape[0]
        live = 0
        for i in prange(n):
            q = load_affine(points, i)
            store_affine(out, i, (q[0], f_neg(q[1])) if negative[i] else q)
            x, y = phi(q)
            store_affine(out, n + i, (x, f_neg(y)) if negative[n + i] else (x, y))
            if not (f_is_zero(q[0]) and f_is_zero(q[1])):
                live += (halves[i, 0] | halves[i, 1] != 0) + (halves[n + i, 0] | halves[n + i, 1] != 0)
        return live

    def glv_msm(points, scalars, window, batch_size):
        """sum_i scalars[i] points[i] as Pippenger on 2n points with half-length scalars:
        k P = |k1| (+-P) + |k2| (+-phi(P)). window and batch_size default to the choice
        for the pairs that do any work (a proving key's queries hold many infinities)."""
        n = points.shape[0]
        halves = np.empty((2 * n, 4), dtype=np.uint64)
        negative = np.empty(2 * n, dtype=np.bool_)
        decompose_scalars(scalars, halves, negative)
        doubled = np.empty((2 * n,) + affine_shape, dtype=np.uint64)
        live = glv_points(points, halves, negative, doubled)
        return pippenger(doubled, halves, window or msm_window(max(live, 1), HALF_BITS), batch_size, HALF_BITS)

    @njit(cache=True)
    def chunk_to_affine(jacobian, out, lo, hi):
        """out[i] = affine form of jacobian[i] for lo <= i < hi, with one inversion.
        out[i, 0] holds the prefix product of the Z's until x overwrites it."""
        acc = f_one
        for i in range(lo, hi):
            store(out, i, 0, acc)
            z = load(jacobian, i, 2)
            if not f_is_zero(z):
                acc = f_mul(acc, z)
        acc_inv = f_inv(acc)
        for i in range(hi - 1, lo - 1, -1):
            x, y, z = load_jacobian(jacobian, i)
            if f_is_zero(z):
                store_affine(out, i, (f_zero, f_zero))
                continue
            z_inv = f_mul(acc_inv, load(out, i, 0))
            acc_inv = f_mul(acc_inv, z)
            z_inv2 = f_sqr(z_inv)
            store_affine(out, i, (f_mul(x, z_inv2), f_mul(f_mul(y, z_inv2), z_inv)))

    @njit(parallel=True, cache=True)
    def batch_to_affine(jacobian, out, chunk):
        m = jacobian.shape[0]
        for start in prange((m + chunk - 1) // chunk):
            chunk_to_affine(jacobian, out, start * chunk, min(start * chunk + chunk, m))

    @njit(parallel=True, cache=True)
    def fixed_base_table(base, c, w, table):
        """table[j * 2^(c-1) + d - 1] = d 2^(c j) base (Jacobian), d = 1 .. 2^(c-1)."""
        num_buckets = 1 << (c - 1)
        window_bases = jacobian_zeros(w)
        q = from_affine(load_affine(base, 0))
        for j in range(w):
            store_jacobian(window_bases, j, q)
            for _ in range(c):
                q = double(q)
        for j in prange(w):
            q = load_jacobian(window_bases, j)
            acc = q
            for d in range(num_buckets):
                store_jacobian(table, j * num_buckets + d, acc)
                acc = add(acc, q)

    @njit(parallel=True, cache=True)
    def fixed_base_products(table, scalars, c, w, out):
        """out[i] = scalars[i] * base (Jacobian), w mixed additions from the table."""
        num_buckets = 1 << (c - 1)
        for i in prange(scalars.shape[0]):
            acc = infinity
            carry = 0
            for j in range(w):
                d, carry = signed_digit(scalars, i, j, c, carry)
                if d != 0:
                    acc = add_mixed(acc, signed_affine(table, j * num_buckets + abs(d) - 1, d))
            store_jacobian(out, i, acc)

    def to_affine_array(jacobian, chunk=4096):
        out = np.empty((jacobian.shape[0],) + affine_shape, dtype=np.uint64)
        if jacobian.shape[0] <= chunk:
            # one chunk: waking the thread pool would cost more than the work
            chunk_to_affine(jacobian, out, 0, jacobian.shape[0])
        else:
            batch_to_affine(jacobian, out, chunk)
        return out

    def fixed_base_mul(base, scalars, c):
        """scalars[i] * base for all i, as an (n,) + affine_shape array; validated inputs."""
        w = num_windows(c)
        table = np.empty((w << (c - 1),) + jacobian_shape, dtype=np.uint64)
        fixed_base_table(base.reshape((1,) + affine_shape), c, w, table)
        products = np.empty((scalars.shape[0],) + jacobian_shape, dtype=np.uint64)
        fixed_base_products(to_affine_array(table), scalars, c, w, products)
        return to_affine_array(products)

    return SimpleNamespace(
        load_affine=load_affine, store_affine=store_affine, load_jacobian=load_jacobian, store_jacobian=store_jacobian,
        load_element=load, store_element=store, add_affine_batch=add_affine_batch,
        combine_windows=combine_windows, affine_shape=affine_shape, jacobian_shape=jacobian_shape,
        pippenger=pippenger, glv_msm=glv_msm, glv_points=glv_points, fixed_base_mul=fixed_base_mul,
        to_affine_array=to_affine_array,
    )


G1_MSM = make_msm_kernels(G1, FQ.kernels, fq_load, fq_store, (4,), phi_g1)
G2_MSM = make_msm_kernels(G2, fq2.kernels, fq2_load, fq2_store, (2, 4), phi_g2)


# -- Python entry points ----------------------------------------------------------------

def plain_scalars(scalars):
    """Scalars as an (n, 4) uint64 array of plain limbs, each < r. Accepts an Fr
    FieldVector (Montgomery), such an array, or a sequence of ints (reduced mod r)."""
    if isinstance(scalars, FieldVector):
        if scalars.field is not FR:
            raise ScalarOutOfRangeError(f"MSM scalars must be in Fr, got a vector over {scalars.field.name}")
        return FR.vec.from_mont(scalars.mont, np.empty_like(scalars.mont))
    if isinstance(scalars, np.ndarray):
        if scalars.dtype != np.uint64 or scalars.ndim != 2 or scalars.shape[1] != 4:
            raise ShapeMismatchError(
                f"scalars must be an (n, 4) uint64 array of limbs, got shape {scalars.shape} dtype {scalars.dtype}"
            )
        scalars = np.ascontiguousarray(scalars)
        below = np.empty(scalars.shape[0], dtype=np.bool_)
        FR.vec.below_modulus(scalars, below)
        if not below.all():
            bad = int(np.argmin(below))
            raise ScalarOutOfRangeError(f"scalar {bad} is not below the group order r")
        return scalars
    values = [int(k) % R for k in scalars]
    return ints_to_array(values) if values else np.empty((0, 4), dtype=np.uint64)


def _points_array(points, kernels, what):
    if not isinstance(points, np.ndarray) or points.dtype != np.uint64 or points.shape[1:] != kernels.affine_shape:
        shape = getattr(points, "shape", type(points).__name__)
        raise ShapeMismatchError(
            f"{what} must be an (n,) + {kernels.affine_shape} uint64 array of affine points, got {shape}"
        )
    return np.ascontiguousarray(points)


def _msm(kernels, what, points, scalars, window, batch_size):
    """Shared body of msm_g1 / msm_g2: validation, edge cases, parameter choice."""
    points = _points_array(points, kernels, what)
    scalars = plain_scalars(scalars)
    if points.shape[0] != scalars.shape[0]:
        raise ShapeMismatchError(
            f"{what}: {points.shape[0]} points (shape {points.shape}) but {scalars.shape[0]} scalars "
            f"(shape {scalars.shape})"
        )
    if points.shape[0] == 0:
        return np.zeros(kernels.jacobian_shape, dtype=np.uint64)  # Z = 0: infinity
    return kernels.glv_msm(points, scalars, window, batch_size)


def _fixed_base(kernels, what, base, scalars, window):
    base = np.asarray(base)
    if base.dtype != np.uint64 or base.shape != kernels.affine_shape:
        raise ShapeMismatchError(f"{what}: base must be a {kernels.affine_shape} uint64 array, got {base.shape}")
    scalars = plain_scalars(scalars)
    if scalars.shape[0] == 0:
        return np.empty((0,) + kernels.affine_shape, dtype=np.uint64)
    return kernels.fixed_base_mul(np.ascontiguousarray(base), scalars, window or fixed_base_window(scalars.shape[0]))


def msm_g1(points, scalars, window=None, batch_size=None):
    """sum_i scalars[i] * points[i] in G1 as a Jacobian (3, 4) Montgomery array.
    points: (n, 2, 4) affine; scalars: Fr FieldVector, (n, 4) plain limbs or ints.
    window (bits per digit) and batch_size (batch-affine additions per inversion,
    0 for plain mixed additions) default to measured choices for n."""
    return _msm(G1_MSM, "msm_g1", points, scalars, window, batch_size)


def msm_g2(points, scalars, window=None, batch_size=None):
    """sum_i scalars[i] * points[i] in G2 as a Jacobian (3, 2, 4) Montgomery array.
    points: (n, 2, 2, 4) affine; scalars, window and batch_size as for msm_g1."""
    return _msm(G2_MSM, "msm_g2", points, scalars, window, batch_size)


def fixed_base_mul_g1(base_affine, scalars, window=None):
    """[k * base for k in scalars] as an (n, 2, 4) affine array; base: (2, 4) affine."""
    return _fixed_base(G1_MSM, "fixed_base_mul_g1", base_affine, scalars, window)


def fixed_base_mul_g2(base_affine, scalars, window=None):
    """[k * base for k in scalars] as an (n, 2, 2, 4) affine array; base: (2, 2, 4)."""
    return _fixed_base(G2_MSM, "fixed_base_mul_g2", base_affine, scalars, window)
