"""Numba kernels over (n, 4) uint64 arrays of Fr elements in Montgomery form.

The transform is the iterative radix-2 Cooley-Tukey NTT, decimation in time:

1. copy the input in bit-reversed index order (zero-padding it to the domain);
2. for h = 1, 2, 4, ..., n/2, join every pair of adjacent length-h transforms (E, O) into
   one length-2h transform with butterflies  E_k + w^k O_k,  E_k - w^k O_k  for k < h,
   where w is a primitive 2h-th root of unity.

The result is in natural order. Twiddles are laid out stage after stage: the factors
w^0 .. w^(h-1) of the stage of half-size h sit in rows h-1 .. 2h-2 of one (n-1, 4) table.

Stages run in passes of consecutive stages. The stages of half-sizes h .. h 2^(s-1) only
mix rows that are congruent mod h inside a group of h 2^s rows, so such a "column" of 2^s
rows (contiguous when h = 1, strided by h otherwise) is an independent small transform,
and a pass is one parallel loop over columns. The first pass fills contiguous blocks of
2^LOG_BLOCK rows with their bit-reversed input rows and takes them through the first
LOG_BLOCK stages while they sit in a core's L2 cache. Later passes take STRIDED_STAGES
stages each: long strided columns thrash the TLB (measured: 2 stages per pass beat 1, 4
and 8 at 2^20), while every pass costs a sweep over the array and a thread barrier.
"""
import numpy as np
from numba import prange

from zkwork.field import FR
from zkwork.jit import njit

f_mul, f_add, f_sub = FR.kernels.mul, FR.kernels.add, FR.kernels.sub
f_pow, f_one, f_zero = FR.kernels.pow_limbs, FR.kernels.one, FR.kernels.zero
load, store = FR.kernels.load, FR.kernels.store
zero_limb = np.uint64(0)

LOG_BLOCK = 12  # 2^12 rows are 128 KiB, well inside a 1 MiB L2
STRIDED_STAGES = 2
CHUNK = 4096  # rows per task in the geometric-scaling kernel


def _parallel_and_serial(kernel):
    """Two builds of a kernel written with prange. Work that is a single task (one block,
    one chunk) takes the serial one: a parallel loop would only add a thread barrier."""
    # Only the parallel build is cached: both share one function, hence one cache entry. Both
    # release the GIL: the prover runs transforms on its own threads (one numba thread each).
    return njit(parallel=True, nogil=True, cache=True)(kernel), njit(nogil=True)(kernel)


@njit(cache=True)  # not inline="always": numba then sees the caller's prange index being rebound
def _reverse_bits(i, bits):
    reversed_i, rest = 0, i
    for _ in range(bits):
        reversed_i = (reversed_i << 1) | (rest & 1)
        rest >>= 1
    return reversed_i


@njit(inline="always", cache=True)
def _column_stages(a, twiddles, base, j, log_h, stages):
    """The stages of half-sizes 2^log_h .. 2^(log_h + stages - 1) on the column of rows
    base + j + m h, m < 2^stages."""
    h = 1 << log_h
    for t in range(stages):
        for q in range(1 << (stages - 1)):
            # butterfly q of the column's stage t, in column-local row numbers
            k_local = q & ((1 << t) - 1)
            top = base + j + (((q >> t) << (t + 1)) + k_local) * h
            bottom = top + (h << t)
            k = j + k_local * h  # the exponent of w in the stage of half-size h 2^t
            x, y = load(a, top), load(a, bottom)
            if k != 0:
                y = f_mul(load(twiddles, (h << t) - 1 + k), y)
            store(a, top, f_add(x, y))
            store(a, bottom, f_sub(x, y))


def _first_pass(src, dst, twiddles, log_n, log_block):
    """dst = src zero-padded and bit-reversed, then its first log_block stages, block by
    block. Block b holds the source rows congruent to reverse(b) mod 2^(log_n - log_block);
    reading them in source order keeps the scattered accesses inside the cached block."""
    high_bits = log_n - log_block
    for b in prange(dst.shape[0] >> log_block):
        base = b << log_block
        low = _reverse_bits(b, high_bits)
        for m in range(1 << log_block):
            i = (m << high_bits) | low
            store(dst, base + _reverse_bits(m, log_block), load(src, i) if i < src.shape[0] else f_zero)
        _column_stages(dst, twiddles, base, 0, 0, log_block)


def _strided_pass(a, twiddles, log_h, stages):
    for column in prange(a.shape[0] >> stages):
        base = (column >> log_h) << (log_h + stages)
        _column_stages(a, twiddles, base, column & ((1 << log_h) - 1), log_h, stages)


first_pass, first_pass_serial = _parallel_and_serial(_first_pass)
strided_pass = njit(parallel=True, nogil=True, cache=True)(_strided_pass)


def transform(src, twiddles, log_n):
    """The unscaled DIT transform of src zero-padded to 2^log_n rows, as a new array
    (natural order in and out)."""
    a = np.empty((1 << log_n, 4), dtype=np.uint64)
    log_h = min(LOG_BLOCK, log_n)
    (first_pass if log_n > LOG_BLOCK else first_pass_serial)(src, a, twiddles, log_n, log_h)
    while log_h < log_n:
        stages = min(STRIDED_STAGES, log_n - log_h)
        strided_pass(a, twiddles, log_h, stages)
        log_h += stages
    return a


def _scale_geometric(a, c, ratio):
    n = a.shape[0]
    for chunk in prange((n + CHUNK - 1) // CHUNK):
        start = chunk * CHUNK
        factor = f_mul(c, f_pow(ratio, (np.uint64(start), zero_limb, zero_limb, zero_limb)))
        for i in range(start, min(start + CHUNK, n)):
            store(a, i, f_mul(load(a, i), factor))
            factor = f_mul(factor, ratio)
    return a


_scale_geometric_parallel, _scale_geometric_serial = _parallel_and_serial(_scale_geometric)


def scale_geometric(a, c, ratio):
    """a[i] *= c * ratio^i in place. Each chunk of rows seeds its factor with one
    exponentiation, then steps it by one multiplication per row."""
    small = a.shape[0] <= CHUNK
    return (_scale_geometric_serial if small else _scale_geometric_parallel)(a, c, ratio)


def powers(base, n):
    """The (n, 4) array base^0, base^1, ..., base^(n-1)."""
    ones = np.tile(np.array(f_one, dtype=np.uint64), (n, 1))
    return scale_geometric(ones, f_one, base)


@njit(cache=True)
def horner(coeffs, x):
    """sum coeffs[i] x^i by Horner's rule, from the top coefficient down."""
    acc = f_zero
    for i in range(coeffs.shape[0] - 1, -1, -1):
        acc = f_add(f_mul(acc, x), load(coeffs, i))
    return acc


@njit(parallel=True, cache=True)
def subtract_from(x, a):
    """x - a[i] for every row, as a new array."""
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        store(out, i, f_sub(x, load(a, i)))
    return out
