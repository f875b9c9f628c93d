"""Numba kernels for the tower Fq12 = Fq6[w]/(w^2 - v), Fq6 = Fq2[v]/(v^3 - xi), xi = 9 + u.

Elements travel as nested tuples: an Fq6 element is a triple (c0, c1, c2) of Fq2 pairs for
c0 + c1 v + c2 v^2, an Fq12 element a pair (a0, a1) of Fq6 triples for a0 + a1 w. In memory an
Fq12 element is a (2, 3, 2, 4) uint64 array of Montgomery limbs in the same nesting.

Products are Karatsuba at both levels (6 Fq2 products per Fq6 product, 3 Fq6 products per Fq12
product); Fq6 squaring is Chung-Hasan's SQR2 and Fq12 squaring the "complex" method (2 Fq6
products).

Since w^6 = xi, an Fq12 element is also sum_{i<6} c_i w^i with c_i = a[i % 2][i // 2] in Fq2.
The Frobenius map x -> x^(p^k) sends c_i w^i to conj^k(c_i) * gamma_{k,i} * w^i with
gamma_{k,i} = xi^(i (p^k - 1) / 6), computed below from P and xi when the module is imported.

py_ecc's FQ12 is the flat field Fq[W]/(W^12 - 18 W^6 + 82); W = w is the same element in both,
with u = w^6 - 9, so (c_i0 + c_i1 u) w^i is (c_i0 - 9 c_i1) W^i + c_i1 W^(i+6) there.
"""
import numpy as np

from zkwork.field import P, fq2
from zkwork.field.fq2_element import Fq2
from zkwork.field.limbs import make_exponentiation
from zkwork.field.params import FQ2_NON_RESIDUE
from zkwork.jit import njit

fq2_add, fq2_sub, fq2_neg, fq2_double = fq2.add, fq2.sub, fq2.neg, fq2.double
fq2_mul, fq2_sqr, fq2_inv, fq2_conj = fq2.mul, fq2.sqr, fq2.inv, fq2.conj
fq2_mul_by_xi, fq2_mul_by_fq, fq2_is_zero = fq2.mul_by_xi, fq2.mul_by_fq, fq2.is_zero
fq2_load, fq2_store = fq2.load, fq2.store
XI = Fq2(*FQ2_NON_RESIDUE)
ZERO2, ONE2 = fq2.ZERO, fq2.ONE

FQ6_ZERO = (ZERO2, ZERO2, ZERO2)
FQ6_ONE = (ONE2, ZERO2, ZERO2)
FQ12_ONE = (FQ6_ONE, FQ6_ZERO)


# ---------------------------------------------------------------- Fq6 = Fq2[v]/(v^3 - xi)

@njit(cache=True)
def fq6_add(a, b):
    """Adds two Fq6 elements (triples of Montgomery Fq2 pairs)."""
    return (fq2_add(a[0], b[0]), fq2_add(a[1], b[1]), fq2_add(a[2], b[2]))


@njit(cache=True)
def fq6_sub(a, b):
    """Subtracts b from a, both Fq6 elements (triples of Montgomery Fq2 pairs)."""
    return (fq2_sub(a[0], b[0]), fq2_sub(a[1], b[1]), fq2_sub(a[2], b[2]))


@njit(cache=True)
def fq6_neg(a):
    """Negates an Fq6 element (a triple of Montgomery Fq2 pairs)."""
    return (fq2_neg(a[0]), fq2_neg(a[1]), fq2_neg(a[2]))


@njit(cache=True)
def fq6_mul_by_fq2(a, s):
    """Multiplies an Fq6 element by the Fq2 element s, both in Montgomery form."""
    return (fq2_mul(a[0], s), fq2_mul(a[1], s), fq2_mul(a[2], s))


@njit(cache=True)
def fq6_mul_by_v(a):
    """Multiplies an Fq6 element by v: (c0, c1, c2) -> (xi c2, c0, c1)."""
    # v^3 = xi wraps the top coefficient around.
    return (fq2_mul_by_xi(a[2]), a[0], a[1])


@njit(cache=True)
def _karatsuba_cross(a_i, a_j, b_i, b_j, v_i, v_j):
    """a_i b_j + a_j b_i = (a_i + a_j)(b_i + b_j) - a_i b_i - a_j b_j, reusing v_i, v_j."""
    return fq2_sub(fq2_mul(fq2_add(a_i, a_j), fq2_add(b_i, b_j)), fq2_add(v_i, v_j))


@njit(cache=True)
def fq6_mul(a, b):
    """Multiplies two Fq6 elements in Montgomery form (Karatsuba, 6 Fq2 products)."""
    v0 = fq2_mul(a[0], b[0])
    v1 = fq2_mul(a[1], b[1])
    v2 = fq2_mul(a[2], b[2])
    c0 = fq2_add(v0, fq2_mul_by_xi(_karatsuba_cross(a[1], a[2], b[1], b[2], v1, v2)))
    c1 = fq2_add(_karatsuba_cross(a[0], a[1], b[0], b[1], v0, v1), fq2_mul_by_xi(v2))
    c2 = fq2_add(_karatsuba_cross(a[0], a[2], b[0], b[2], v0, v2), v1)
    return (c0, c1, c2)


@njit(cache=True)
def fq6_mul_by_01(a, b0, b1):
    """a * (b0 + b1 v): the shape of the Fq6 halves of a line value; 5 Fq2 products."""
    v0 = fq2_mul(a[0], b0)
    v1 = fq2_mul(a[1], b1)
    c0 = fq2_add(v0, fq2_mul_by_xi(fq2_mul(a[2], b1)))
    c1 = _karatsuba_cross(a[0], a[1], b0, b1, v0, v1)
    c2 = fq2_add(v1, fq2_mul(a[2], b0))
    return (c0, c1, c2)


@njit(cache=True)
def fq6_sqr(a):
    """Squares an Fq6 element in Montgomery form (Chung-Hasan SQR2)."""
    # Chung-Hasan SQR2: two squarings of coefficients replaced by one of a0 - a1 + a2.
    s0 = fq2_sqr(a[0])
    s1 = fq2_double(fq2_mul(a[0], a[1]))
    s2 = fq2_sqr(fq2_add(fq2_sub(a[0], a[1]), a[2]))
    s3 = fq2_double(fq2_mul(a[1], a[2]))
    s4 = fq2_sqr(a[2])
    c0 = fq2_add(s0, fq2_mul_by_xi(s3))
    c1 = fq2_add(s1, fq2_mul_by_xi(s4))
    c2 = fq2_sub(fq2_add(fq2_add(s1, s2), s3), fq2_add(s0, s4))
    return (c0, c1, c2)


@njit(cache=True)
def fq6_inv(a):
    """1/a via the adjugate: a * (t0 + t1 v + t2 v^2) is the Fq2 norm; 0 maps to 0."""
    t0 = fq2_sub(fq2_sqr(a[0]), fq2_mul_by_xi(fq2_mul(a[1], a[2])))
    t1 = fq2_sub(fq2_mul_by_xi(fq2_sqr(a[2])), fq2_mul(a[0], a[1]))
    t2 = fq2_sub(fq2_sqr(a[1]), fq2_mul(a[0], a[2]))
    norm = fq2_add(fq2_mul(a[0], t0), fq2_mul_by_xi(fq2_add(fq2_mul(a[2], t1), fq2_mul(a[1], t2))))
    return fq6_mul_by_fq2((t0, t1, t2), fq2_inv(norm))


@njit(cache=True)
def fq6_is_zero(a):
    """Whether an Fq6 element in Montgomery form is zero."""
    return fq2_is_zero(a[0]) and fq2_is_zero(a[1]) and fq2_is_zero(a[2])


# ---------------------------------------------------------------- Fq12 = Fq6[w]/(w^2 - v)

@njit(cache=True)
def fq12_add(a, b):
    """Adds two Fq12 elements (pairs of Montgomery Fq6 triples)."""
    return (fq6_add(a[0], b[0]), fq6_add(a[1], b[1]))


@njit(cache=True)
def fq12_sub(a, b):
    """Subtracts b from a, both Fq12 elements (pairs of Montgomery Fq6 triples)."""
    return (fq6_sub(a[0], b[0]), fq6_sub(a[1], b[1]))


@njit(cache=True)
def fq12_neg(a):
    """Negates an Fq12 element (a pair of Montgomery Fq6 triples)."""
    return (fq6_neg(a[0]), fq6_neg(a[1]))


@njit(cache=True)
def fq12_conj(a):
    """a0 - a1 w = a^(p^6); the inverse of a unitary element (such as any pairing value)."""
    return (a[0], fq6_neg(a[1]))


@njit(cache=True)
def fq12_mul(a, b):
    """Multiplies two Fq12 elements in Montgomery form (Karatsuba, 3 Fq6 products)."""
    v0 = fq6_mul(a[0], b[0])
    v1 = fq6_mul(a[1], b[1])
    c1 = fq6_sub(fq6_mul(fq6_add(a[0], a[1]), fq6_add(b[0], b[1])), fq6_add(v0, v1))
    return (fq6_add(v0, fq6_mul_by_v(v1)), c1)


@njit(cache=True)
def fq12_sqr(a):
    """Squares an Fq12 element in Montgomery form (complex method, 2 Fq6 products)."""
    # (a0 + a1 w)^2 = (a0 + a1)(a0 + v a1) - (1 + v) a0 a1  +  2 a0 a1 w
    t = fq6_mul(a[0], a[1])
    c0 = fq6_sub(fq6_mul(fq6_add(a[0], a[1]), fq6_add(a[0], fq6_mul_by_v(a[1]))), fq6_add(t, fq6_mul_by_v(t)))
    return (c0, fq6_add(t, t))


@njit(cache=True)
def fq12_inv(a):
    """1/a = (a0 - a1 w) / (a0^2 - v a1^2); 0 maps to 0."""
    d = fq6_inv(fq6_sub(fq6_sqr(a[0]), fq6_mul_by_v(fq6_sqr(a[1]))))
    return (fq6_mul(a[0], d), fq6_neg(fq6_mul(a[1], d)))


@njit(cache=True)
def fq12_mul_by_line(f, l0, l1, l3):
    """f * (l0 + l1 w + l3 w^3), the sparse shape of a Miller-loop line value; 13 Fq2 products.

    In the tower the line is (l0, 0, 0) + (l1, l3, 0) w, so Karatsuba needs one Fq6-by-Fq2
    product and two products by an Fq6 element with a zero top coefficient.
    """
    v0 = fq6_mul_by_fq2(f[0], l0)
    v1 = fq6_mul_by_01(f[1], l1, l3)
    c1 = fq6_sub(fq6_mul_by_01(fq6_add(f[0], f[1]), fq2_add(l0, l1), l3), fq6_add(v0, v1))
    return (fq6_add(v0, fq6_mul_by_v(v1)), c1)


@njit(cache=True)
def fq12_is_zero(a):
    """Whether an Fq12 element in Montgomery form is zero."""
    return fq6_is_zero(a[0]) and fq6_is_zero(a[1])


@njit(cache=True)
def fq12_eq(a, b):
    """Whether two Fq12 elements in Montgomery form are equal."""
    return fq12_is_zero(fq12_sub(a, b))


# a^e for e given as little-endian uint64 limbs (any count)
fq12_pow = make_exponentiation(fq12_sqr, fq12_mul, FQ12_ONE)


# ---------------------------------------------------------------- Frobenius

def frobenius_coefficient(k, i):
    """gamma_{k,i} = xi^(i (p^k - 1) / 6) = w^(i (p^k - 1)) as a Montgomery Fq2 pair."""
    assert (P**k - 1) % 6 == 0
    return fq2.to_mont((XI ** (i * (P**k - 1) // 6)).coeffs)


def _make_frobenius(k):
    g1, g2, g3, g4, g5 = (frobenius_coefficient(k, i) for i in range(1, 6))
    conjugate_coefficients = k % 2 == 1  # Fq2's own Frobenius u -> -u has order 2

    @njit(cache=True)
    def frobenius(a):
        (c0, c2, c4), (c1, c3, c5) = a
        if conjugate_coefficients:
            c0, c1, c2 = fq2_conj(c0), fq2_conj(c1), fq2_conj(c2)
            c3, c4, c5 = fq2_conj(c3), fq2_conj(c4), fq2_conj(c5)
        return (
            (c0, fq2_mul(c2, g2), fq2_mul(c4, g4)),
            (fq2_mul(c1, g1), fq2_mul(c3, g3), fq2_mul(c5, g5)),
        )

    frobenius.__doc__ = f"a^(p^{k})"
    return frobenius


fq12_frobenius1 = _make_frobenius(1)
fq12_frobenius2 = _make_frobenius(2)
fq12_frobenius3 = _make_frobenius(3)


# ---------------------------------------------------------------- arrays and conversions

@njit(cache=True)
def _fq6_load(array):
    return (fq2_load(array, 0), fq2_load(array, 1), fq2_load(array, 2))


@njit(cache=True)
def fq12_load(array):
    """The Fq12 element held in a (2, 3, 2, 4) array."""
    return (_fq6_load(array[0]), _fq6_load(array[1]))


@njit(cache=True)
def fq12_store(out, a):
    """Write the Fq12 element a into a (2, 3, 2, 4) array."""
    for half in range(2):
        fq2_store(out[half], 0, a[half][0])
        fq2_store(out[half], 1, a[half][1])
        fq2_store(out[half], 2, a[half][2])


def fq12_empty():
    """An uninitialised (2, 3, 2, 4) uint64 array for one Fq12 element."""
    return np.empty((2, 3, 2, 4), dtype=np.uint64)


def fq12_array_from_flat(coeffs):
    """py_ecc-basis coefficients (12 ints of W^0..W^11) to a Montgomery (2, 3, 2, 4) array."""
    out = fq12_empty()
    for i in range(6):
        high = int(coeffs[i + 6]) % P
        c = ((int(coeffs[i]) + 9 * high) % P, high)
        out[i % 2, i // 2] = np.array(fq2.to_mont(c), dtype=np.uint64)
    return out


def fq12_array_to_flat(array):
    """Inverse of fq12_array_from_flat: 12 ints, the coefficients of W^0..W^11."""
    flat = [0] * 12
    for i in range(6):
        c0, c1 = fq2.from_mont(tuple(tuple(row) for row in array[i % 2, i // 2]))
        flat[i], flat[i + 6] = (c0 - 9 * c1) % P, c1
    return flat


ONE_ARRAY = fq12_array_from_flat([1] + [0] * 11)
