"""Many short multi-scalar sums at once: out[s] = sum of k_t P_t over the terms t of segment
s (a key's per-wire sums of coefficient times Lagrange point, zkwork.ceremony.zkey_new),
by Straus's interleaved multiplication with GLV halves and batch-affine additions.

Each scalar is split by GLV (zkwork.curve.glv) into k = k1 + k2 lambda, |k1|, |k2| < 2^127,
so k P = |k1| (+-P) + |k2| (+-phi(P)): each term becomes two half-length terms, cut into
signed WINDOW-bit digits. Each point gets a table of its multiples 1 .. m (affine), m the
largest digit its terms reach (at most 2^(WINDOW-1); 1 for a point used with +-1 only),
shared by the terms using it (a constraint's Lagrange point serves every wire
the constraint mentions); phi's table is the point's with x times beta. phi acts as lambda
on the order-r subgroup only: for a G2 point off it the sum is not k P (see zkey_new).

Per segment and window j, the entries the digits pick (+-table[|d|]) are summed in affine
coordinates by rounds of pairwise additions, entry a taking entry a + h at round h = 1, 2,
4, ..: the additions of a round, over a chunk of CHUNK segments, share one inversion
(Montgomery's trick), about 6 multiplications each against 11 for a mixed addition into a
Jacobian accumulator. Equal x's (a doubling or a cancellation) and infinity are added on
their own. Then per segment Horner over the windows: WINDOW doublings and one mixed addition
of the window's sum, from the highest window holding a digit (a sum of small coefficients
such as +-1 does few doublings). Chunks are independent: both cores take chunks.

Measured at membership depth 20 on one thread, CPU seconds (load 9-16 from other processes),
against the same Straus without GLV, one mixed addition per entry, full tables: A (8.5k
terms) 0.21 -> 0.11 s, B2 (11.7k terms in G2) 0.88 -> 0.47 s, C (44k terms, 40k of them
full-size) 0.87 -> 0.46 s.
"""
from types import SimpleNamespace

import numpy as np
from numba import prange

from zkwork.curve.glv import HALF_BITS, decompose_scalars, phi_g1, phi_g2
from zkwork.curve.kernels import G1, G2
from zkwork.curve.msm import G1_MSM, G2_MSM, fq2_load, fq2_store, fq_load, fq_store, num_windows, signed_digits
from zkwork.errors import ShapeMismatchError
from zkwork.field import FQ, fq2
from zkwork.jit import njit

# Bits per signed digit: a term costs about 2 * 128 / WINDOW additions, a point up to
# 2^(WINDOW-1) (its table, shared by its terms). At membership depth 20, one thread: 6 beat
# 5 by 5% (A), 4% (B2), 12% (C); 7 lost 6% (A) and 8% (B2) and won 4% (C).
WINDOW = 6
CHUNK = 64  # segments sharing the inversions of their batch-affine rounds


def make_straus_kernels(curve, field, msm_kernels, phi, load, store):
    """Kernels of `segment_sums` for the group whose Jacobian kernels are `curve` over the
    coordinate field kernels `field`, moving points with `msm_kernels`' loaders and
    `load`/`store` (one coordinate); `phi` is the group's GLV endomorphism (affine)."""
    add, add_mixed, double, neg, infinity = curve.add, curve.add_mixed, curve.double, curve.neg, curve.infinity
    from_affine, to_affine = curve.from_affine, curve.to_affine
    f_sub, f_mul, f_sqr, f_inv, f_eq, f_is_zero, f_one = (
        field.sub, field.mul, field.sqr, field.inv, field.eq, field.is_zero, field.one)
    load_affine, store_jacobian = msm_kernels.load_affine, msm_kernels.store_jacobian

    @njit(cache=True)
    def store_affine(array, i, q):
        store(array, i, 0, q[0])
        store(array, i, 1, q[1])

    @njit(parallel=True, cache=True)
    def multiples(points, offsets, table):
        """table[offsets[u] + d] = (d + 1) points[u] (Jacobian), d < offsets[u + 1] - offsets[u]."""
        for u in prange(points.shape[0]):
            q = load_affine(points, u)
            acc = from_affine(q)
            for d in range(offsets[u + 1] - offsets[u]):
                store_jacobian(table, offsets[u] + d, acc)
                acc = add_mixed(acc, q)

    @njit(parallel=True, cache=True)
    def with_phi(table, out):
        """out[i] = table[i], out[m + i] = phi(table[i]) for the m affine points of table."""
        m = table.shape[0]
        for i in prange(m):
            q = load_affine(table, i)
            store_affine(out, i, q)
            store_affine(out, m + i, phi(q))

    @njit(cache=True)
    def is_zero_point(q):
        return f_is_zero(q[0]) and f_is_zero(q[1])

    @njit(cache=True)
    def pair_round(entries, group_start, group_count, h, pairs, scratch):
        """entries[a] += entries[a + h] for every a = start + 2h k, a + h < start + count of
        each group: distinct x's in affine coordinates sharing one inversion (Montgomery's
        trick), an infinity (all zeros) or equal x's on their own. Returns whether any
        group had a pair."""
        count = 0
        product = f_one
        for g in range(group_start.shape[0]):
            lo = group_start[g]
            for a in range(lo, lo + group_count[g] - h, 2 * h):
                p, q = load_affine(entries, a), load_affine(entries, a + h)
                if is_zero_point(q):
                    continue
                if is_zero_point(p) or f_eq(p[0], q[0]):  # infinity, doubling or cancellation
                    store_affine(entries, a, to_affine(add(from_affine(p), from_affine(q))))
                    continue
                dx = f_sub(q[0], p[0])
                store(scratch, count, 0, dx)
                store(scratch, count, 1, product)
                product = f_mul(product, dx)
                pairs[count] = a
                count += 1
        inv = f_inv(product)
        for k in range(count - 1, -1, -1):
            a = pairs[k]
            x1, y1 = load_affine(entries, a)
            x2, y2 = load_affine(entries, a + h)
            dx_inv = f_mul(inv, load(scratch, k, 1))
            inv = f_mul(inv, load(scratch, k, 0))
            lam = f_mul(f_sub(y2, y1), dx_inv)
            x3 = f_sub(f_sub(f_sqr(lam), x1), x2)
            store_affine(entries, a, (x3, f_sub(f_mul(lam, f_sub(x1, x3)), y1)))
        return count

    @njit(cache=True)
    def chunk_sums(table, window, entry_of, negative, digits, starts, s0, s1, out):
        """out[s] for s0 <= s < s1 (segment_sums): per segment and window the sum of the
        table entries its digits pick, by rounds of pairwise batch-affine additions, then
        Horner over the windows with doublings."""
        w = digits.shape[0]
        groups = (s1 - s0) * w
        group_count = np.zeros(groups, dtype=np.int64)
        for s in range(s0, s1):
            for t in range(starts[s], starts[s + 1]):
                for j in range(w):
                    if digits[j, t] != 0:
                        group_count[(s - s0) * w + j] += 1
        group_start = np.zeros(groups, dtype=np.int64)
        total = 0
        longest = 0
        for g in range(groups):
            group_start[g] = total
            total += group_count[g]
            longest = max(longest, group_count[g])
        entries = np.empty((total,) + table.shape[1:], dtype=np.uint64)
        fill = group_start.copy()
        for s in range(s0, s1):
            for t in range(starts[s], starts[s + 1]):
                for j in range(w):
                    d = digits[j, t]
                    if d != 0:
                        x, y = load_affine(table, entry_of[t] + abs(d) - 1)
                        if (d < 0) != negative[t]:
                            y = neg((x, y, y))[1]  # -(x, y) = (x, -y): neg negates the y of a triple
                        g = (s - s0) * w + j
                        store_affine(entries, fill[g], (x, y))
                        fill[g] += 1
        pairs = np.empty(max(total // 2, 1), dtype=np.int64)
        scratch = np.empty((max(total // 2, 1), 2) + table.shape[2:], dtype=np.uint64)
        h = 1
        while h < longest:
            pair_round(entries, group_start, group_count, h, pairs, scratch)
            h *= 2
        for s in range(s0, s1):
            acc = infinity
            for j in range(w - 1, -1, -1):
                for _ in range(window):
                    acc = double(acc)
                g = (s - s0) * w + j
                if group_count[g]:
                    q = load_affine(entries, group_start[g])
                    if not is_zero_point(q):
                        acc = add_mixed(acc, q)
            store_jacobian(out, s, acc)

    @njit(parallel=True, cache=True)
    def segment_sums(table, window, entry_of, negative, digits, starts, chunk, out):
        """out[s] = sum of (-1)^negative[t] k_t P_t for starts[s] <= t < starts[s + 1],
        P_t the point whose affine multiples start at table[entry_of[t]], k_t given
        by its signed `window`-bit digits digits[:, t] (Jacobian); `chunk` segments share
        their inversions."""
        segments = starts.shape[0] - 1
        for c in prange((segments + chunk - 1) // chunk):
            chunk_sums(table, window, entry_of, negative, digits, starts, c * chunk,
                       min(c * chunk + chunk, segments), out)

    return SimpleNamespace(multiples=multiples, with_phi=with_phi, segment_sums=segment_sums)


_KERNELS = {id(G1_MSM): make_straus_kernels(G1, FQ.kernels, G1_MSM, phi_g1, fq_load, fq_store),
            id(G2_MSM): make_straus_kernels(G2, fq2.kernels, G2_MSM, phi_g2, fq2_load, fq2_store)}


def segment_sums(msm_kernels, bases, rows, segments, plain, num_segments, window=WINDOW, chunk=CHUNK):
    """out[s] = sum of plain[t] bases[rows[t]] over the terms t with segments[t] == s, as an
    affine array of num_segments points (msm_kernels: G1_MSM or G2_MSM, whose affine arrays
    `bases` holds, points of the order-r subgroup); `plain` holds the scalars as (n, 4) plain
    limbs, each below r."""
    kernels = _KERNELS[id(msm_kernels)]
    n = len(rows)
    if not (len(segments) == n == len(plain)):
        raise ShapeMismatchError(f"segment_sums: {n} rows, {len(segments)} segments and {len(plain)} scalars")
    order = np.argsort(segments, kind="stable")
    used, point_of = np.unique(rows[order], return_inverse=True)
    points = np.ascontiguousarray(bases[used])
    halves = np.empty((2 * n, 4), dtype=np.uint64)
    signs = np.empty(2 * n, dtype=np.bool_)
    decompose_scalars(np.ascontiguousarray(plain[order], dtype=np.uint64), halves, signs)
    # term i of the sorted order becomes half-terms 2i (|k1|, P) and 2i + 1 (|k2|, phi(P))
    interleaved = np.empty_like(halves)
    interleaved[0::2], interleaved[1::2] = halves[:n], halves[n:]
    negative = np.empty_like(signs)
    negative[0::2], negative[1::2] = signs[:n], signs[n:]
    digits = np.empty((num_windows(window, HALF_BITS), 2 * n), dtype=np.int8)
    signed_digits(interleaved, window, digits)
    at_infinity = ~points.reshape(len(used), -1).any(axis=1)
    digits[:, np.repeat(at_infinity[point_of], 2)] = 0  # infinity is an all-zero row: nothing to add
    # each point's table holds the multiples its digits reach: one entry for a point used
    # with +-1 only (the H points of the circuit hash, many constraints' Lagrange points)
    reach = np.zeros(len(used), dtype=np.int64)
    np.maximum.at(reach, np.repeat(point_of, 2), np.abs(digits).max(axis=0, initial=0))
    offsets = np.concatenate([[0], np.cumsum(reach)])
    table = np.empty((offsets[-1],) + msm_kernels.jacobian_shape, dtype=np.uint64)
    kernels.multiples(points, offsets, table)
    affine = msm_kernels.to_affine_array(table)
    tables = np.empty((2 * affine.shape[0],) + affine.shape[1:], dtype=np.uint64)
    kernels.with_phi(affine, tables)
    entry_of = np.empty(2 * n, dtype=np.int64)
    entry_of[0::2], entry_of[1::2] = offsets[point_of], offsets[point_of] + offsets[-1]
    starts = 2 * np.concatenate([[0], np.cumsum(np.bincount(segments, minlength=num_segments))])
    jacobian = np.empty((num_segments,) + msm_kernels.jacobian_shape, dtype=np.uint64)
    kernels.segment_sums(tables, window, entry_of, negative, digits, starts, chunk, jacobian)
    return msm_kernels.to_affine_array(jacobian)
