"""The scalar Fq2 class against py_ecc's FQ2 (optimized_bn128), same u^2 = -1 modulus."""
import random

import pytest
from py_ecc.optimized_bn128 import FQ2

from zkwork.errors import EncodingError, NonCanonicalEncodingError, NotASquareError
from zkwork.field import Fq, P
from zkwork.field.fq2_element import Fq2

rng = random.Random(2024)


def random_fq2():
    return Fq2(rng.randrange(P), rng.randrange(P))


def oracle(a):
    return FQ2([a.c0, a.c1])


def coeffs(x):
    return tuple(int(c) for c in x.coeffs)


@pytest.mark.parametrize("trial", range(5))
def test_arithmetic_matches_py_ecc(trial):
    a, b = random_fq2(), random_fq2()
    k = rng.randrange(-(P**2), P**2)
    assert (a + b).coeffs == coeffs(oracle(a) + oracle(b))
    assert (a - b).coeffs == coeffs(oracle(a) - oracle(b))
    assert (a * b).coeffs == coeffs(oracle(a) * oracle(b))
    assert (a / b).coeffs == coeffs(oracle(a) / oracle(b))
    assert (-a).coeffs == coeffs(-oracle(a))
    assert a.inverse().coeffs == coeffs(oracle(a).inv())
    assert (a**1000).coeffs == coeffs(oracle(a) ** 1000)
    assert (a * k).coeffs == coeffs(oracle(a) * (k % P))
    assert (k - a).coeffs == coeffs(FQ2([k % P, 0]) - oracle(a))
    assert (1 / a) * a == 1
    assert a ** -3 * a**3 == Fq2(1)


def test_mixed_operands_and_conjugate():
    a = random_fq2()
    x = Fq(rng.randrange(P))
    assert a * x == a * Fq2(x)
    assert x + a == Fq2(x) + a
    assert a.conjugate() == a ** P  # conjugation is the Frobenius map
    assert a.norm() == Fq((a * a.conjugate()).c0)
    assert (a * a.conjugate()).c1 == 0


def test_zero_has_no_inverse():
    with pytest.raises(ZeroDivisionError):
        Fq2(0).inverse()


@pytest.mark.parametrize("trial", range(6))
def test_sqrt_of_squares(trial):
    root = random_fq2()
    square = root * root
    assert square.is_square()
    s = square.sqrt()
    assert s * s == square
    assert s in (root, -root)
    assert s.sort_key() <= (-s).sort_key()


def test_sqrt_of_base_field_elements():
    # c1 == 0: both the case a0 square in Fq and a0 non-square in Fq (root = c*u).
    seen_square = seen_nonsquare = False
    while not (seen_square and seen_nonsquare):
        a = Fq2(rng.randrange(1, P))
        s = a.sqrt()
        assert s * s == a
        if Fq(a.c0).is_square():
            seen_square = True
        else:
            seen_nonsquare = True
            assert s.c0 == 0
    assert Fq2(0).sqrt() == 0


def test_non_squares_raise():
    found = 0
    while found < 3:
        a = random_fq2()
        euler = a ** ((P * P - 1) // 2)
        assert a.is_square() == (euler == 1)
        if not a.is_square():
            found += 1
            with pytest.raises(NotASquareError, match="not a square in Fq2"):
                a.sqrt()


def test_bytes_round_trip_and_order():
    a = random_fq2()
    data = a.to_bytes()
    assert data == a.c1.to_bytes(32, "big") + a.c0.to_bytes(32, "big")
    assert Fq2.from_bytes(data) == a


def test_from_bytes_errors():
    with pytest.raises(EncodingError, match="64 bytes, got 63"):
        Fq2.from_bytes(bytes(63))
    with pytest.raises(NonCanonicalEncodingError):
        Fq2.from_bytes(P.to_bytes(32, "big") + bytes(32))
    with pytest.raises(NonCanonicalEncodingError):
        Fq2.from_bytes(bytes(32) + P.to_bytes(32, "big"))


def test_equality_and_hash():
    a = random_fq2()
    assert a == Fq2(a.c0 + P, a.c1 - P)
    assert hash(a) == hash(Fq2(a.c0, a.c1))
    assert a != a + 1
    assert Fq2(5) == 5 and Fq2(5, 1) != 5
