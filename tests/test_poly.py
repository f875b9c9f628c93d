"""zkwork.poly against Python-int arithmetic and galois: domains, NTTs, polynomial helpers."""
import math
import random

import galois
import numpy as np
import pytest

from zkwork.errors import DomainSizeError
from zkwork.field import FQ, FR, FieldVector, Fq, Fr, R
from zkwork.poly import (
    MULTIPLICATIVE_GENERATOR, TWO_ADICITY, Domain, coset_intt, coset_ntt, evaluate, intt,
    lagrange_basis_at, multiply, ntt, vanishing_at,
)
from zkwork.poly import kernels

# Fr with 5 declared as its primitive element: galois would otherwise factor r - 1 (minutes).
# test_multiplicative_generator_generates_fr_star checks the declaration.
GF = galois.GF(R, primitive_element=MULTIPLICATIVE_GENERATOR, verify=False)


def random_ints(n):
    return [random.randrange(R) for _ in range(n)]


def horner(coeffs, x):
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % R
    return acc


def naive_evaluations(coeffs, points):
    return [horner(coeffs, x) for x in points]


def vec(ints):
    return FieldVector.from_ints(FR, ints)


# -- domains ---------------------------------------------------------------------------


def test_two_adicity_is_that_of_r_minus_one():
    assert (R - 1) % (1 << TWO_ADICITY) == 0 and ((R - 1) >> TWO_ADICITY) % 2 == 1
    assert TWO_ADICITY == 28


def test_multiplicative_generator_generates_fr_star():
    # r - 1 = prod q^e; g generates Fr^* iff g^((r-1)/q) != 1 for every prime q.
    # The factorization is checked here, not trusted.
    primes = [2, 3, 13, 29, 983, 11003, 237073, 405928799, 1670836401704629,
              13818364434197438864469338081]
    exponents = [28, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    assert all(galois.is_prime(q) for q in primes)
    assert math.prod(q**e for q, e in zip(primes, exponents)) == R - 1
    def generates(g):
        return all(pow(g, (R - 1) // q, R) != 1 for q in primes)

    assert generates(MULTIPLICATIVE_GENERATOR)
    assert not any(generates(g) for g in range(2, MULTIPLICATIVE_GENERATOR))


@pytest.mark.parametrize("log_size", [0, 1, 2, 5, 16, 20, 28])
def test_omega_is_a_primitive_root_of_unity_of_the_domain_size(log_size):
    size = 1 << log_size
    omega = Domain.for_length(size).omega.value if log_size <= 16 else _root(log_size)
    assert pow(omega, size, R) == 1
    if size > 1:
        assert pow(omega, size // 2, R) == R - 1  # so the order is exactly `size`


def _root(log_size):
    # Domains of 2^20 and beyond are costly to build; the root comes from the same formula.
    from zkwork.poly.domain import MAX_ROOT_OF_UNITY

    return pow(MAX_ROOT_OF_UNITY, 1 << (TWO_ADICITY - log_size), R)


def test_domain_constants_and_tables():
    d = Domain(16)
    w = d.omega.value
    assert d.omega * d.omega_inv == 1 and d.size_inv * 16 == 1
    assert d.coset_generator == MULTIPLICATIVE_GENERATOR and pow(5, 16, R) != 1
    assert d.elements().to_ints() == [pow(w, i, R) for i in range(16)]
    assert d.element(17) == d.omega
    expected, expected_inv = [], []
    for h in (1, 2, 4, 8):
        expected += [pow(w, k * 16 // (2 * h), R) for k in range(h)]
        expected_inv += [pow(w, -k * 16 // (2 * h), R) for k in range(h)]
    assert FieldVector(FR, d.twiddles).to_ints() == expected
    assert FieldVector(FR, d.inv_twiddles).to_ints() == expected_inv


def test_for_length_picks_the_smallest_domain_and_caches_it():
    assert [Domain.for_length(n).size for n in (0, 1, 2, 3, 4, 5, 1000, 1024, 1025)] == [
        1, 1, 2, 4, 4, 8, 1024, 1024, 2048]
    assert Domain.for_length(100) is Domain.for_length(128)


@pytest.mark.parametrize("size", [0, -4, 3, 6, 1000, 1 << 29, 2.0, "8"])
def test_bad_domain_sizes(size):
    with pytest.raises(DomainSizeError, match="power of two|exceeds 2\\^28"):
        Domain(size)
    assert issubclass(DomainSizeError, ValueError)


# -- transforms ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 4, 8, 64, 256])
def test_ntt_is_evaluation_at_powers_of_omega(size):
    d = Domain(size)
    coeffs = random_ints(size)
    points = [pow(d.omega.value, i, R) for i in range(size)]
    expected = naive_evaluations(coeffs, points)
    assert ntt(vec(coeffs), d).to_ints() == expected
    assert intt(vec(expected), d).to_ints() == coeffs


@pytest.mark.parametrize("log_block, strided_stages", [(0, 1), (1, 3), (3, 2), (5, 4)])
def test_pass_layout_does_not_change_the_transform(monkeypatch, log_block, strided_stages):
    # At 2^8 the default layout is a single pass; smaller blocks exercise the strided passes
    # (and a last pass shorter than the others) against the naive evaluation.
    monkeypatch.setattr(kernels, "LOG_BLOCK", log_block)
    monkeypatch.setattr(kernels, "STRIDED_STAGES", strided_stages)
    d = Domain(256)
    coeffs = random_ints(256)
    expected = naive_evaluations(coeffs, [pow(d.omega.value, i, R) for i in range(256)])
    assert ntt(vec(coeffs), d).to_ints() == expected
    assert intt(vec(expected), d).to_ints() == coeffs


def test_ntt_against_galois():
    size = 1 << 13  # one block of 2^12 plus one strided stage
    coeffs = GF.Random(size)
    evals = ntt(vec(coeffs.tolist()))
    assert evals.to_ints() == np.fft.fft(coeffs).tolist()
    assert intt(evals).to_ints() == coeffs.tolist()
    omega = GF(Domain(size).omega.value)
    poly = galois.Poly(coeffs[::-1])
    for i in random.sample(range(size), 5):
        assert evals[i] == int(poly(omega**i))


@pytest.mark.parametrize("log_size", [15, 16])
def test_ntt_spot_checks_at_sizes_with_several_strided_passes(log_size):
    d = Domain(1 << log_size)
    coeffs = random_ints(d.size)
    evals = ntt(vec(coeffs), d)
    for i in [0, 1, d.size - 1] + random.sample(range(d.size), 3):
        assert evals[i] == horner(coeffs, pow(d.omega.value, i, R))


@pytest.mark.parametrize("log_size", [0, 1, 2, 3, 11, 12, 13, 14, 15, 16])
def test_intt_inverts_ntt(log_size):
    x = FieldVector.random(FR, 1 << log_size)
    assert intt(ntt(x)) == x
    assert ntt(intt(x)) == x


@pytest.mark.slow
def test_round_trips_at_2_20():
    d = Domain(1 << 20)
    x = FieldVector.random(FR, d.size)
    evals = ntt(x, d)
    assert intt(evals, d) == x
    assert coset_intt(coset_ntt(x, domain=d), domain=d) == x
    coeffs = x.to_ints()
    i = random.randrange(d.size)
    assert evals[i] == horner(coeffs, pow(d.omega.value, i, R))


@pytest.mark.parametrize("size", [1, 2, 8, 64])
@pytest.mark.parametrize("shift", [None, "int", "Fr"])
def test_coset_ntt_is_evaluation_on_the_coset(size, shift):
    d = Domain(size)
    g = {None: None, "int": random.randrange(1, R), "Fr": Fr.random()}[shift]
    g_int = MULTIPLICATIVE_GENERATOR if g is None else int(g)
    coeffs = random_ints(size)
    points = [g_int * pow(d.omega.value, i, R) % R for i in range(size)]
    expected = naive_evaluations(coeffs, points)
    assert coset_ntt(vec(coeffs), g, d).to_ints() == expected
    assert coset_intt(vec(expected), g, d).to_ints() == coeffs


def test_coset_round_trip_at_2_16():
    x = FieldVector.random(FR, 1 << 16)
    assert coset_intt(coset_ntt(x)) == x


def test_short_inputs_are_zero_padded_and_inputs_left_alone():
    coeffs = random_ints(5)
    x = vec(coeffs)
    before = x.mont.copy()
    d = Domain(8)
    points = [pow(d.omega.value, i, R) for i in range(8)]
    assert ntt(x).to_ints() == naive_evaluations(coeffs, points)  # smallest domain: 8
    assert ntt(x, Domain(32)) == ntt(vec(coeffs + [0] * 27), Domain(32))
    assert coset_ntt(x, 7) == coset_ntt(vec(coeffs + [0] * 3), 7)
    assert intt(x) == intt(vec(coeffs + [0] * 3))
    assert np.array_equal(x.mont, before)
    # a domain of several blocks, whose parallel first pass does the padding
    long = FieldVector.random(FR, 5000)
    padded = FieldVector(FR, np.concatenate([long.mont, np.zeros((8192 - 5000, 4), np.uint64)]))
    assert ntt(long) == ntt(padded)


def test_arrays_in_arrays_out():
    x = FieldVector.random(FR, 16)
    for transform in (ntt, intt, coset_ntt, coset_intt):
        out = transform(x.mont)
        assert isinstance(out, np.ndarray) and np.array_equal(out, transform(x).mont)
    assert isinstance(multiply(x.mont, x.mont), np.ndarray)
    assert isinstance(multiply(x.mont, x), FieldVector)


def test_transform_errors():
    with pytest.raises(DomainSizeError, match="9 values do not fit a domain of size 8"):
        ntt(FieldVector.random(FR, 9), Domain(8))
    with pytest.raises(DomainSizeError, match="9 values .* size 8"):
        coset_intt(FieldVector.random(FR, 9), domain=Domain(8))
    with pytest.raises(TypeError, match="over Fr"):
        ntt(FieldVector.from_ints(FQ, [1, 2]))
    with pytest.raises(TypeError, match="uint64 array"):
        ntt(np.zeros((4, 4), dtype=np.int64))
    with pytest.raises(TypeError, match="uint64 array"):
        intt(np.zeros((4, 3), dtype=np.uint64))
    with pytest.raises(TypeError, match="list"):
        ntt([1, 2, 3])
    with pytest.raises(ZeroDivisionError, match="coset generator 0"):
        coset_intt(FieldVector.random(FR, 4), 0)
    with pytest.raises(TypeError, match="element of Fr"):
        coset_ntt(FieldVector.random(FR, 4), Fq(5))


# -- polynomial helpers ----------------------------------------------------------------


def test_evaluate_matches_horner():
    coeffs = random_ints(37)
    x = random.randrange(R)
    assert evaluate(vec(coeffs), x) == horner(coeffs, x)
    assert evaluate(vec(coeffs).mont, Fr(x)) == horner(coeffs, x)
    assert evaluate(vec([]), x) == 0
    assert evaluate(vec(coeffs), 0) == coeffs[0]
    with pytest.raises(TypeError, match="int or an Fr element"):
        evaluate(vec(coeffs), 1.5)


@pytest.mark.parametrize("len_a, len_b", [(1, 1), (3, 5), (17, 40), (128, 129), (129, 129)])
def test_multiply_matches_naive_convolution(len_a, len_b):
    a, b = random_ints(len_a), random_ints(len_b)
    expected = [0] * (len_a + len_b - 1)
    for i, ai in enumerate(a):
        for j, bj in enumerate(b):
            expected[i + j] = (expected[i + j] + ai * bj) % R
    assert multiply(vec(a), vec(b)).to_ints() == expected


def test_multiply_by_the_empty_polynomial():
    assert len(multiply(vec([]), vec([1, 2]))) == 0
    assert len(multiply(vec([3]), vec([]))) == 0


def test_vanishing_polynomial():
    d = Domain(64)
    x = random.randrange(R)
    assert vanishing_at(d, x) == pow(x, 64, R) - 1
    assert all(vanishing_at(d, d.element(i)) == 0 for i in range(64))
    assert vanishing_at(d, d.coset_generator) != 0


@pytest.mark.parametrize("size", [1, 2, 8, 64])
def test_lagrange_basis_sums_to_one_and_interpolates(size):
    d = Domain(size)
    tau = Fr.random()
    basis = lagrange_basis_at(d, tau)
    assert basis.sum() == 1
    coeffs = random_ints(size)
    evals = ntt(vec(coeffs), d)
    assert (basis * evals).sum() == horner(coeffs, tau.value)


def test_lagrange_basis_matches_the_product_formula():
    d = Domain(8)
    tau = random.randrange(R)
    points = [pow(d.omega.value, i, R) for i in range(8)]
    expected = []
    for i, xi in enumerate(points):
        num = den = 1
        for j, xj in enumerate(points):
            if j != i:
                num, den = num * (tau - xj) % R, den * (xi - xj) % R
        expected.append(num * pow(den, -1, R) % R)
    assert lagrange_basis_at(d, tau).to_ints() == expected


def test_lagrange_basis_at_a_domain_point_is_a_unit_vector():
    d = Domain(16)
    assert lagrange_basis_at(d, d.element(5)).to_ints() == [int(i == 5) for i in range(16)]
