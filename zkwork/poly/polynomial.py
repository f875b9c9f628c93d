"""Polynomial helpers for the Groth16 prover and key generation.

A polynomial is its coefficient vector, lowest degree first, as an (n, 4) Montgomery array
or a FieldVector over Fr (results come back as the input's kind).

Lagrange basis of a domain H = {omega^i} of size n: L_i is 1 at omega^i and 0 elsewhere on
H. Since Z(x) = x^n - 1 = prod (x - omega^j) and Z'(omega^i) = n omega^(-i),

    L_i(tau) = Z(tau) / (Z'(omega^i) (tau - omega^i)) = (Z(tau) / n) * omega^i / (tau - omega^i),

so all n values cost one batch inversion and a geometric scaling by omega.
"""
import numpy as np

from zkwork.field import FR, FieldVector, Fr, R
from zkwork.poly.domain import Domain
from zkwork.poly.kernels import horner, scale_geometric, subtract_from
from zkwork.poly.ntt import as_mont_array, intt, like_input, mont, ntt, to_fr


def evaluate(coeffs, x):
    """c(x) as an Fr element, by Horner's rule."""
    array, _ = as_mont_array(coeffs)
    return FR.from_mont_limbs(horner(array, mont(x)))


def multiply(a, b):
    """The product polynomial, of length len(a) + len(b) - 1 (empty if either is empty):
    evaluate both on a domain large enough for the product, multiply pointwise, interpolate."""
    a_array, a_vector = as_mont_array(a)
    b_array, b_vector = as_mont_array(b)
    if a_array.shape[0] == 0 or b_array.shape[0] == 0:
        return like_input(np.empty((0, 4), dtype=np.uint64), a_vector or b_vector)
    length = a_array.shape[0] + b_array.shape[0] - 1
    domain = Domain.for_length(length)
    a_evals, b_evals = ntt(a_array, domain), ntt(b_array, domain)
    product = intt(FR.vec.mul(a_evals, b_evals, a_evals), domain)
    return like_input(np.ascontiguousarray(product[:length]), a_vector or b_vector)


def vanishing_at(domain, x):
    """Z(x) = x^n - 1, the polynomial that is zero exactly on the domain."""
    return Fr(pow(to_fr(x), domain.size, R) - 1)


def lagrange_basis_at(domain, tau):
    """L_0(tau), ..., L_(n-1)(tau) for the domain, as a FieldVector."""
    z = vanishing_at(domain, tau)
    points = domain.elements()
    if z == 0:  # tau = omega^k: L_i(tau) is 1 for i = k and 0 otherwise
        k = int(np.flatnonzero((points.mont == np.array(mont(tau), dtype=np.uint64)).all(axis=1))[0])
        basis = FieldVector.zeros(FR, domain.size)
        basis.mont[k] = FR.kernels.one
        return basis
    differences = subtract_from(mont(tau), points.mont)
    FR.vec.batch_inverse(differences, differences)
    return FieldVector(FR, scale_geometric(differences, mont(z * domain.size_inv), mont(domain.omega)))
