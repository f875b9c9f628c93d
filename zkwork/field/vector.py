"""Vector API: many field elements at once, as numpy uint64 arrays of shape (n, 4)
in Montgomery form, with numba-compiled element-wise kernels.

`FieldVector` is the user-facing wrapper; the `make_vector_kernels` functions are
the raw kernels that higher layers (MSM, NTT) call on bare arrays.
"""
import secrets
from types import SimpleNamespace

import numpy as np
from numba import prange

from zkwork.errors import NotInvertibleError, ShapeMismatchError
from zkwork.field.limbs import array_to_ints, ints_to_array
from zkwork.jit import njit


def make_vector_kernels(f):
    """Element-wise and batch kernels over (n, 4) arrays for the field kernels `f`; they release
    the GIL, since the prover runs them on several Python threads at once (zkwork.groth16.tasks)."""
    load, store = f.load, f.store
    f_one, f_zero = f.one, f.zero
    f_mul, f_add, f_inv, f_is_zero, f_is_canonical = f.mul, f.add, f.inv, f.is_zero, f.is_canonical

    def elementwise(op):
        @njit(parallel=True, cache=True, nogil=True)
        def kernel(a, b, out):
            for i in prange(a.shape[0]):
                store(out, i, op(load(a, i), load(b, i)))
            return out

        return kernel

    def unary(op):
        @njit(parallel=True, cache=True, nogil=True)
        def kernel(a, out):
            for i in prange(a.shape[0]):
                store(out, i, op(load(a, i)))
            return out

        return kernel

    @njit(parallel=True, cache=True, nogil=True)
    def scale(a, k, out):
        """out = k * a for one Montgomery element k."""
        for i in prange(a.shape[0]):
            store(out, i, f_mul(load(a, i), k))
        return out

    @njit(cache=True, nogil=True)
    def batch_inverse(a, out):
        """Montgomery's trick: n inversions for one inversion and 3(n-1) multiplications.
        Zeros are left as zeros; returns how many zeros there were."""
        n = a.shape[0]
        prefix = np.empty((n, 4), dtype=np.uint64)
        acc = f_one
        zeros = 0
        for i in range(n):
            store(prefix, i, acc)
            x = load(a, i)
            if f_is_zero(x):
                zeros += 1
            else:
                acc = f_mul(acc, x)
        acc_inv = f_inv(acc)
        for i in range(n - 1, -1, -1):
            x = load(a, i)
            if f_is_zero(x):
                store(out, i, x)
            else:
                store(out, i, f_mul(acc_inv, load(prefix, i)))
                acc_inv = f_mul(acc_inv, x)
        return zeros

    @njit(cache=True, nogil=True)
    def sum_all(a):
        acc = f_zero
        for i in range(a.shape[0]):
            acc = f_add(acc, load(a, i))
        return acc

    @njit(cache=True, nogil=True)
    def below_modulus(a, keep):
        """keep[i] = whether row i holds a value < modulus."""
        for i in range(a.shape[0]):
            keep[i] = f_is_canonical(load(a, i))

    return SimpleNamespace(
        add=elementwise(f.add), sub=elementwise(f.sub), mul=elementwise(f.mul),
        pow=elementwise(f.pow_limbs),  # exponents as plain limbs, one per row
        sqr=unary(f.sqr), neg=unary(f.neg), to_mont=unary(f.to_mont), from_mont=unary(f.from_mont),
        scale=scale, batch_inverse=batch_inverse, sum_all=sum_all, below_modulus=below_modulus,
    )


class FieldVector:
    """n elements of one prime field, stored as a (n, 4) uint64 Montgomery array.

    Arithmetic (+, -, *, unary -) is element-wise with another vector of the same
    field and length. Convert with `from_ints` / `to_ints` at the edges only.
    """

    __slots__ = ("field", "mont")

    def __init__(self, field, mont):
        mont = np.ascontiguousarray(mont, dtype=np.uint64)
        if mont.ndim != 2 or mont.shape[1] != 4:
            raise ShapeMismatchError(f"expected an (n, 4) uint64 array, got shape {mont.shape}")
        self.field = field
        self.mont = mont

    # -- edges ---------------------------------------------------------------------
    @classmethod
    def from_ints(cls, field, values):
        """The vector of these ints, reduced mod the modulus and put in Montgomery form."""
        values = [int(v) % field.modulus for v in values]
        plain = ints_to_array(values) if values else np.empty((0, 4), dtype=np.uint64)
        return cls(field, field.vec.to_mont(plain, np.empty_like(plain)))

    def to_ints(self):
        """The elements as canonical Python ints (out of Montgomery form)."""
        return array_to_ints(self.field.vec.from_mont(self.mont, np.empty_like(self.mont)))

    @classmethod
    def zeros(cls, field, n):
        """The vector of n zeros."""
        return cls(field, np.zeros((n, 4), dtype=np.uint64))

    @classmethod
    def random(cls, field, n):
        """n uniform elements from `secrets`, by rejection of 256-bit strings masked to
        the modulus' bit length (no modular bias)."""
        bits = field.modulus.bit_length()
        top_mask = np.uint64((1 << (bits - 192)) - 1)
        out = np.empty((0, 4), dtype=np.uint64)
        while out.shape[0] < n:
            want = n - out.shape[0]
            draw = np.frombuffer(secrets.token_bytes(32 * (want + want // 2 + 8)), dtype="<u8")
            draw = draw.reshape(-1, 4).astype(np.uint64)
            draw[:, 3] &= top_mask
            keep = np.empty(draw.shape[0], dtype=np.bool_)
            field.vec.below_modulus(draw, keep)
            out = np.concatenate([out, draw[keep][:want]])
        return cls(field, field.vec.to_mont(out, np.empty_like(out)))

    # -- arithmetic ----------------------------------------------------------------
    def _binary(self, other, kernel):
        if not isinstance(other, FieldVector) or other.field is not self.field:
            return NotImplemented
        if other.mont.shape != self.mont.shape:
            raise ShapeMismatchError(f"length mismatch: {len(self)} and {len(other)}")
        return FieldVector(self.field, kernel(self.mont, other.mont, np.empty_like(self.mont)))

    def __add__(self, other):
        return self._binary(other, self.field.vec.add)

    def __sub__(self, other):
        return self._binary(other, self.field.vec.sub)

    def __mul__(self, other):
        return self._binary(other, self.field.vec.mul)

    def __neg__(self):
        return FieldVector(self.field, self.field.vec.neg(self.mont, np.empty_like(self.mont)))

    def scale(self, k):
        """k * self for an int or element k."""
        k = self.field.to_mont_limbs(int(k))
        return FieldVector(self.field, self.field.vec.scale(self.mont, k, np.empty_like(self.mont)))

    def square(self):
        """The element-wise square."""
        return FieldVector(self.field, self.field.vec.sqr(self.mont, np.empty_like(self.mont)))

    def inverse(self):
        """Batch inversion; raises NotInvertibleError naming the first zero element."""
        out = np.empty_like(self.mont)
        if self.field.vec.batch_inverse(self.mont, out):
            first = int(np.flatnonzero(~self.mont.any(axis=1))[0])
            raise NotInvertibleError(f"element {first} of the vector is zero and has no inverse")
        return FieldVector(self.field, out)

    def sum(self):
        """The sum of all elements, as a scalar field element."""
        return self.field.from_mont_limbs(self.field.vec.sum_all(self.mont))

    def __len__(self):
        return self.mont.shape[0]

    def __eq__(self, other):
        return (
            isinstance(other, FieldVector)
            and other.field is self.field
            and np.array_equal(self.mont, other.mont)
        )

    __hash__ = None

    def __getitem__(self, index):
        if isinstance(index, slice):
            return FieldVector(self.field, self.mont[index])
        return self.field.from_mont_limbs(tuple(self.mont[index]))

    def __repr__(self):
        return f"FieldVector({self.field.name}, n={len(self)})"
