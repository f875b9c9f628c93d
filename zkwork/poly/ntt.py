"""Number-theoretic transforms over a Domain: coefficients <-> evaluations.

ntt(c)[i] = c(omega^i) and coset_ntt(c, g)[i] = c(g omega^i); intt and coset_intt invert
them. Coset evaluation is the plain NTT of the coefficients c_j g^j. The inverse NTT is the
forward butterflies with omega^-1 followed by a division by n; on a coset that division and
the one by g^j are a single pass multiplying row j by n^-1 (g^-1)^j.

Inputs are (n, 4) uint64 Montgomery arrays or FieldVectors over Fr; the result has the same
kind. Inputs shorter than the domain are zero-padded (as coefficients that is the same
polynomial; as evaluations it means zero at the missing points). Without an explicit
domain, the smallest domain that holds the input is used.
"""
import numpy as np

from zkwork.errors import DomainSizeError, FieldMismatchError, NotInvertibleError, WrongTypeError
from zkwork.field import FR, FieldElement, FieldVector, R
from zkwork.poly.domain import Domain
from zkwork.poly.kernels import scale_geometric, transform


def to_fr(x):
    """An int or Fr element as an int in [0, r); elements of other fields are refused."""
    if isinstance(x, FieldElement):
        if x.field is not FR:
            raise FieldMismatchError(f"expected an element of Fr, got one of {x.field.name}")
        return x.value
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return int(x) % R
    raise WrongTypeError(f"expected an int or an Fr element, got {type(x).__name__}")


def mont(x):
    """An int or Fr element as Montgomery limbs for the kernels."""
    return FR.to_mont_limbs(to_fr(x))


def as_mont_array(values):
    """The (n, 4) uint64 Montgomery array behind `values`, and whether it was a FieldVector."""
    if isinstance(values, FieldVector):
        if values.field is not FR:
            raise FieldMismatchError(f"expected a FieldVector over Fr, got one over {values.field.name}")
        return values.mont, True
    if not isinstance(values, np.ndarray):
        raise WrongTypeError(f"expected a FieldVector or an (n, 4) uint64 array, got {type(values).__name__}")
    if values.dtype != np.uint64 or values.ndim != 2 or values.shape[1] != 4:
        raise WrongTypeError(f"expected an (n, 4) uint64 array, got shape {values.shape} of {values.dtype}")
    return np.ascontiguousarray(values), False


def like_input(array, was_vector):
    """The (n, 4) Montgomery array as a FieldVector over Fr if the input was one, else as it is."""
    return FieldVector(FR, array) if was_vector else array


def _fitted(values, domain):
    """The Montgomery array of `values`, the domain (given, or the smallest that fits) and
    whether to answer with a FieldVector."""
    array, was_vector = as_mont_array(values)
    if domain is None:
        domain = Domain.for_length(array.shape[0])
    elif array.shape[0] > domain.size:
        raise DomainSizeError(f"{array.shape[0]} values do not fit a domain of size {domain.size}")
    return array, domain, was_vector


def _coset_shift(g, domain):
    return to_fr(domain.coset_generator if g is None else g)


def ntt(coeffs, domain=None):
    """Evaluations c(omega^i), i < domain.size, of the polynomial with these coefficients."""
    array, domain, was_vector = _fitted(coeffs, domain)
    return like_input(transform(array, domain.twiddles, domain.log_size), was_vector)


def intt(evals, domain=None):
    """Coefficients of the polynomial of degree < domain.size taking these values at omega^i."""
    array, domain, was_vector = _fitted(evals, domain)
    a = transform(array, domain.inv_twiddles, domain.log_size)
    return like_input(scale_geometric(a, mont(domain.size_inv), FR.kernels.one), was_vector)


def coset_ntt(coeffs, g=None, domain=None):
    """Evaluations c(g omega^i); g defaults to the domain's coset generator."""
    array, domain, was_vector = _fitted(coeffs, domain)
    shifted = scale_geometric(array.copy(), FR.kernels.one, mont(_coset_shift(g, domain)))
    return like_input(transform(shifted, domain.twiddles, domain.log_size), was_vector)


def coset_from_evaluations(evals, g=None, domain=None):
    """coset_ntt(intt(evals), g): the values on the coset g H of the polynomial taking `evals`
    at omega^i, with one scaling pass (row j by n^-1 g^j) between the two transforms."""
    array, domain, was_vector = _fitted(evals, domain)
    a = transform(array, domain.inv_twiddles, domain.log_size)
    scale_geometric(a, mont(domain.size_inv), mont(_coset_shift(g, domain)))
    return like_input(transform(a, domain.twiddles, domain.log_size), was_vector)


def coset_intt(evals, g=None, domain=None, factor=1):
    """Coefficients of the polynomial taking these values at g omega^i (inverse of coset_ntt),
    times `factor` (an int or Fr element), which costs nothing: it joins the division by n."""
    array, domain, was_vector = _fitted(evals, domain)
    g = _coset_shift(g, domain)
    if g == 0:
        raise NotInvertibleError("coset generator 0 does not define a coset")
    a = transform(array, domain.inv_twiddles, domain.log_size)
    first = mont(to_fr(domain.size_inv) * to_fr(factor) % R)
    return like_input(scale_geometric(a, first, mont(pow(g, -1, R))), was_vector)
