"""Fq and Fr: the numba Montgomery kernels and the scalar API against Python integers
and galois, on random inputs and the edge values 0, 1 and modulus - 1."""
import galois
import numpy as np
import pytest

from zkwork.errors import EncodingError, NonCanonicalEncodingError, NotASquareError
from zkwork.field import FQ, FR, FieldVector, Fq, Fr, P, R
from zkwork.field.limbs import array_to_ints, ints_to_array

FIELDS = [FQ, FR]
GALOIS = {P: galois.GF(P, primitive_element=3, verify=False), R: galois.GF(R, primitive_element=5, verify=False)}


def sample(field, rng, n=300):
    m = field.modulus
    edges = [0, 1, 2, m - 1, m - 2, (m - 1) // 2, 2**64 - 1, 2**128, 2**192 + 7]
    return edges + [rng.randrange(m) for _ in range(n - len(edges))]


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_vector_arithmetic_matches_python_ints(field, rng):
    m = field.modulus
    a, b = sample(field, rng), sample(field, rng)[::-1]
    va, vb = FieldVector.from_ints(field, a), FieldVector.from_ints(field, b)
    assert (va + vb).to_ints() == [(x + y) % m for x, y in zip(a, b)]
    assert (va - vb).to_ints() == [(x - y) % m for x, y in zip(a, b)]
    assert (va * vb).to_ints() == [x * y % m for x, y in zip(a, b)]
    assert va.square().to_ints() == [x * x % m for x in a]
    assert (-va).to_ints() == [-x % m for x in a]
    assert va.sum() == sum(a) % m


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_vector_multiplication_matches_galois(field, rng):
    gf = GALOIS[field.modulus]
    a, b = sample(field, rng, 64), sample(field, rng, 64)[::-1]
    expected = gf(a) * gf(b)
    got = (FieldVector.from_ints(field, a) * FieldVector.from_ints(field, b)).to_ints()
    assert got == [int(x) for x in expected]


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_batch_inverse(field, rng):
    values = [v for v in sample(field, rng) if v]
    inv = FieldVector.from_ints(field, values).inverse().to_ints()
    assert inv == [pow(v, -1, field.modulus) for v in values]


def test_batch_inverse_names_the_zero_element():
    with pytest.raises(ZeroDivisionError, match="element 2"):
        FieldVector.from_ints(FR, [3, 5, 0, 7]).inverse()


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_scalar_kernels_pow_and_inverse(field, rng):
    k = field.kernels
    for v in [1, 2, field.modulus - 1, rng.randrange(1, field.modulus)]:
        mont = np.array([field.to_mont_limbs(v)], dtype=np.uint64)
        e = rng.randrange(2**256)
        exp = np.array([[(e >> (64 * i)) & (2**64 - 1) for i in range(4)]], dtype=np.uint64)
        out = np.empty_like(mont)
        field.vec.pow(mont, exp, out)
        assert field.from_mont_limbs(tuple(out[0])).value == pow(v, e, field.modulus)
    assert k.modulus == field.modulus


def test_limb_conversion_round_trip(rng):
    values = [0, 1, 2**64, 2**256 - 1] + [rng.randrange(2**256) for _ in range(50)]
    assert array_to_ints(ints_to_array(values)) == values


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_random_vector_is_reduced_and_varied(field):
    values = FieldVector.random(field, 2000).to_ints()
    assert all(0 <= v < field.modulus for v in values)
    assert len(set(values)) == 2000
    # the top limb is not stuck at zero: values spread over the whole range
    assert max(values) > field.modulus // 2


def test_vector_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="length mismatch"):
        FieldVector.from_ints(FR, [1, 2]) * FieldVector.from_ints(FR, [1])


def test_vector_rejects_mixed_fields():
    with pytest.raises(TypeError):
        FieldVector.from_ints(FR, [1]) + FieldVector.from_ints(FQ, [1])


@pytest.mark.parametrize("cls", [Fq, Fr], ids=["Fq", "Fr"])
def test_scalar_api(cls, rng):
    m = cls.field.modulus
    for _ in range(50):
        x, y = rng.randrange(m), rng.randrange(1, m)
        a, b = cls(x), cls(y)
        assert (a + b).value == (x + y) % m
        assert (a - b).value == (x - y) % m
        assert (a * b).value == x * y % m
        assert (a / b) * b == a
        assert (a**5).value == pow(x, 5, m)
        assert b ** -1 == b.inverse() and (b * b.inverse()) == 1
        assert -a + a == 0
        assert 3 - a == cls(3 - x) and 3 * a == cls(3 * x) and 1 / b == b.inverse()
    assert cls(-1) == m - 1 and int(cls(m + 5)) == 5
    with pytest.raises(ZeroDivisionError, match="0 has no inverse"):
        cls(0).inverse()
    with pytest.raises(TypeError):
        Fq(1) + Fr(1) if cls is Fq else Fr(1) + Fq(1)


@pytest.mark.parametrize("cls", [Fq, Fr], ids=["Fq", "Fr"])
def test_sqrt(cls, rng):
    for _ in range(20):
        a = cls(rng.randrange(cls.field.modulus))
        root = (a * a).sqrt()
        assert root * root == a * a
        assert root in (a, -a)
    non_residue = cls(cls.field.non_residue)
    assert not non_residue.is_square()
    with pytest.raises(NotASquareError):
        non_residue.sqrt()
    assert cls(0).sqrt() == 0


@pytest.mark.parametrize("cls", [Fq, Fr], ids=["Fq", "Fr"])
def test_bytes_round_trip_and_errors(cls, rng):
    m = cls.field.modulus
    for v in [0, 1, m - 1, rng.randrange(m)]:
        for order in ("big", "little"):
            assert cls.from_bytes(cls(v).to_bytes(order), order) == v
    with pytest.raises(EncodingError, match="32 bytes, got 31"):
        cls.from_bytes(bytes(31))
    with pytest.raises(NonCanonicalEncodingError, match="not reduced"):
        cls.from_bytes(m.to_bytes(32, "big"))
    with pytest.raises(NonCanonicalEncodingError):
        cls.from_bytes(b"\xff" * 32)


def test_elements_and_vectors_pickle_to_the_same_field():
    """Worker processes receive keys and provers by pickle: elements come back as elements
    of the one Fr (not of a twin class that would refuse to mix with it)."""
    import pickle

    from zkwork.field import FR, FieldVector, Fq, Fr

    x = pickle.loads(pickle.dumps(Fr(5)))
    assert type(x) is Fr and x + Fr(1) == Fr(6)
    assert pickle.loads(pickle.dumps(Fq(7))) == Fq(7)
    vector = FieldVector.from_ints(FR, [1, 2, 3])
    copy = pickle.loads(pickle.dumps(vector))
    assert copy.field is FR and copy.to_ints() == [1, 2, 3]
