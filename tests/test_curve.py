"""G1Point / G2Point against py_ecc.optimized_bn128: group law, scalar multiplication,
subgroup checks, byte encodings, py_ecc conversion and arrays of points."""
import random

import numpy as np
import pytest
from py_ecc import bn128
from py_ecc import optimized_bn128 as o

from zkwork.curve import (
    G1Point,
    G2Point,
    check_g1_affine_array,
    check_g2_affine_array,
    first_off_curve,
    g1_affine_array,
    g1_points_from_affine_array,
    g2_affine_array,
    g2_points_from_affine_array,
)
from zkwork.curve import points as points_module
from zkwork.curve.msm import fixed_base_mul_g1, fixed_base_mul_g2
from zkwork.errors import (
    EncodingError,
    NonCanonicalEncodingError,
    PointNotInSubgroupError,
    PointNotOnCurveError,
)
from zkwork.field import FR, FieldVector, Fq, P, R
from zkwork.field.fq2_element import Fq2
from zkwork.field.params import X

rng = random.Random(254)

# (point class, py_ecc generator, py_ecc infinity, element class of a coordinate)
G1_CASE = (G1Point, o.G1, o.Z1, Fq)
G2_CASE = (G2Point, o.G2, o.Z2, Fq2)
CASES = pytest.mark.parametrize("case", [G1_CASE, G2_CASE], ids=["G1", "G2"])
TWIST_COFACTOR = 2 * P - R  # #E'(Fq2) = r * (2p - r)


def user_form(element):
    """A py_ecc coordinate as our public int form: int (G1) or (c0, c1) (G2)."""
    if hasattr(element, "coeffs"):
        return tuple(int(c) for c in element.coeffs)
    return int(element)


def oracle_affine(pt):
    """A py_ecc optimized point as ((x, y) in public int form) or None."""
    if o.is_inf(pt):
        return None
    x, y = o.normalize(pt)
    return user_form(x), user_form(y)


def oracle_mul(pt, k):
    """[k]pt by py_ecc, for any int k (py_ecc itself only takes k >= 0)."""
    return o.neg(o.multiply(pt, -k)) if k < 0 else o.multiply(pt, k)


def random_pair(case):
    """A random subgroup point as (ours, py_ecc's)."""
    cls, gen, _, _ = case
    k = rng.randrange(1, R)
    return cls.generator() * k, o.multiply(gen, k)


def twist_point_outside_subgroup():
    """A random point of the twist E'(Fq2), built unchecked. The twist has r*(2p - r)
    points, so a random one is outside G2 with overwhelming probability."""
    while True:
        x = Fq2.random()
        rhs = x * x * x + G2Point.curve.b
        if rhs.is_square():
            return G2Point(G2Point.curve.jacobian(x, rhs.sqrt()))


# -- generator and group law -------------------------------------------------------
@CASES
def test_generator_matches_py_ecc(case):
    cls, gen, _, _ = case
    g = cls.generator()
    assert g.to_affine() == oracle_affine(gen)
    assert g.is_on_curve() and g.is_in_subgroup()
    assert g.scalar_mul_unreduced(R).is_infinity()


@CASES
def test_add_and_sub_match_py_ecc(case):
    for _ in range(3):
        (a, oa), (b, ob) = random_pair(case), random_pair(case)
        assert (a + b).to_affine() == oracle_affine(o.add(oa, ob))
        assert (a - b).to_affine() == oracle_affine(o.add(oa, o.neg(ob)))
        assert (-a).to_affine() == oracle_affine(o.neg(oa))


@CASES
def test_doubling_via_add(case):
    a, oa = random_pair(case)
    assert (a + a).to_affine() == oracle_affine(o.double(oa))
    # P + P where the two operands have different Z (the add formula must notice).
    b = a + a + a - a - a
    assert not np.array_equal(a.jacobian, b.jacobian)
    assert (a + b).to_affine() == oracle_affine(o.double(oa))


@CASES
def test_infinity_cases(case):
    cls = case[0]
    a, _ = random_pair(case)
    inf = cls.infinity()
    assert (a + (-a)).is_infinity()
    assert (a - a) == inf
    assert a + inf == a and inf + a == a
    assert (inf + inf).is_infinity()
    assert (-inf).is_infinity()
    assert inf.to_affine() is None
    assert not inf.affine_mont().any()
    assert inf.is_on_curve() and inf.is_in_subgroup()
    assert not a.is_infinity()


SCALARS = [0, 1, 2, R - 1, R, R + 1, 2**256 - 1, -1, -2, -R - 5]


@CASES
def test_scalar_mul_edge_cases(case):
    cls, gen, _, _ = case
    a, oa = random_pair(case)
    for k in SCALARS + [rng.randrange(R), -rng.randrange(R)]:
        expected = oracle_affine(oracle_mul(oa, k))
        assert (a * k).to_affine() == expected, k
        assert (k * a).to_affine() == expected, k
    assert (a * FR.element(7)) == a * 7


@CASES
def test_scalar_mul_rejects_non_integers(case):
    a = case[0].generator()
    with pytest.raises(TypeError):
        a * 1.5
    with pytest.raises(ValueError):
        a.scalar_mul_unreduced(-1)


@CASES
def test_equality_and_hash_across_z(case):
    cls = case[0]
    a, oa = random_pair(case)
    same = a + a - a  # another Jacobian representative of a
    assert not np.array_equal(a.jacobian, same.jacobian)
    assert a == same and hash(a) == hash(same)
    assert a != a + cls.generator()
    assert len({a, same, cls.infinity(), cls.infinity() + cls.infinity()}) == 2
    assert G1Point.generator() != G2Point.generator()
    assert repr(a) == f"{cls.__name__}.from_affine({oracle_affine(oa)[0]!r}, {oracle_affine(oa)[1]!r})"


@CASES
def test_points_are_immutable(case):
    a = case[0].generator()
    with pytest.raises(ValueError):
        a.jacobian[0, 0] = 1


# -- affine forms ------------------------------------------------------------------
@CASES
def test_affine_round_trip_and_mont(case):
    cls, _, _, _ = case
    a, oa = random_pair(case)
    x, y = a.to_affine()
    assert cls.from_affine(x, y) == a
    assert cls.from_affine(*((0, 0) if cls is G1Point else ((0, 0), (0, 0)))).is_infinity()
    mont = a.affine_mont()
    assert mont.shape == (2,) + cls.curve.shape and mont.dtype == np.uint64
    # Montgomery form of each coefficient c is c * 2^256 mod p.
    flat = [c for coord in (x, y) for c in ((coord,) if cls is G1Point else coord)]
    limbs = mont.reshape(-1, 4)
    for c, row in zip(flat, limbs):
        assert sum(int(v) << (64 * i) for i, v in enumerate(row)) == c * 2**256 % P


@CASES
def test_from_affine_rejects_non_canonical(case):
    cls = case[0]
    x, y = cls.generator().to_affine()
    bad = P if cls is G1Point else (x[0], P)
    with pytest.raises(NonCanonicalEncodingError, match="not canonical"):
        cls.from_affine(bad, y)
    bad_y = P + y if cls is G1Point else (y[0] + P, y[1])
    with pytest.raises(NonCanonicalEncodingError):
        cls.from_affine(x, bad_y)
    with pytest.raises(NonCanonicalEncodingError):
        cls.from_affine(-1 if cls is G1Point else (-1, 0), y)


@CASES
def test_from_affine_rejects_points_off_the_curve(case):
    cls = case[0]
    x, y = cls.generator().to_affine()
    off = y + 1 if cls is G1Point else (y[0], y[1] + 1)
    with pytest.raises(PointNotOnCurveError, match=str(off[0] if cls is G2Point else off)):
        cls.from_affine(x, off)


def test_g2_from_affine_wants_pairs():
    with pytest.raises(TypeError):
        G2Point.from_affine((1, 2, 3), (4, 5))


# -- subgroup checks ---------------------------------------------------------------
def test_g1_points_on_the_curve_are_in_the_subgroup():
    """Cofactor 1: random points with x^3 + 3 a square have order r."""
    found = 0
    while found < 3:
        x = Fq.random()
        rhs = x * x * x + 3
        if rhs.is_square():
            found += 1
            point = G1Point.from_affine(x.value, rhs.sqrt().value)
            assert point.scalar_mul_unreduced(R).is_infinity()
            assert point.is_in_subgroup()


def test_g2_psi_acts_as_6u2_on_the_subgroup():
    for _ in range(3):
        q, _ = random_pair(G2_CASE)
        assert q.psi() == q * (6 * X * X) == q * P
        assert q.is_in_subgroup()


def test_g2_subgroup_check_agrees_with_multiplying_by_r():
    for _ in range(4):
        t = twist_point_outside_subgroup()
        assert t.is_on_curve()
        assert not t.scalar_mul_unreduced(R).is_infinity()
        assert not t.is_in_subgroup()
        assert t.psi() != t.scalar_mul_unreduced(6 * X * X)
        # Clearing the cofactor lands in G2; multiplying by r leaves the cofactor part.
        cleared = t.scalar_mul_unreduced(TWIST_COFACTOR)
        assert cleared.is_in_subgroup() and cleared.scalar_mul_unreduced(R).is_infinity()
        assert (t.scalar_mul_unreduced(R) + G2Point.generator()).is_in_subgroup() is False


def test_g2_subgroup_check_rejects_small_order_points():
    """2p - r has the prime factor 10069; points of that order must fail too."""
    ell = 10069
    assert TWIST_COFACTOR % ell == 0
    small = G2Point.infinity()
    while small.is_infinity():  # a random point may lack a component of order ell
        t = twist_point_outside_subgroup()
        small = t.scalar_mul_unreduced(R).scalar_mul_unreduced(TWIST_COFACTOR // ell)
    assert not small.is_infinity()
    assert small.scalar_mul_unreduced(ell).is_infinity()
    assert not small.is_in_subgroup()
    assert not (small + G2Point.generator()).is_in_subgroup()


def test_g2_from_affine_rejects_points_outside_the_subgroup():
    x, y = twist_point_outside_subgroup().to_affine()
    with pytest.raises(PointNotInSubgroupError, match="not in the subgroup"):
        G2Point.from_affine(x, y)


# -- serialization -----------------------------------------------------------------
def expected_encoding(pt, compressed):
    """The encoding, built independently from py_ecc's affine coordinates."""
    affine = oracle_affine(pt)

    def coordinate_bytes(c):
        if isinstance(c, int):
            return c.to_bytes(32, "big")
        return c[1].to_bytes(32, "big") + c[0].to_bytes(32, "big")

    def larger(y):
        if isinstance(y, int):
            return y > P - y
        c0, c1 = y
        return c1 > (P - c1) % P if c1 else c0 > P - c0

    if affine is None:
        size = 32 if pt[0].__class__ is o.FQ else 64
        return b"\x80" + bytes(size - 1) if compressed else bytes(2 * size)
    x, y = affine
    if not compressed:
        return coordinate_bytes(x) + coordinate_bytes(y)
    data = bytearray(coordinate_bytes(x))
    data[0] |= 0x40 if larger(y) else 0
    return bytes(data)


@CASES
def test_encodings_match_the_format(case):
    cls, _, inf, _ = case
    flags = set()
    for _ in range(4):
        a, oa = random_pair(case)
        for p, op in ((a, oa), (-a, o.neg(oa))):  # both roots of y
            for compressed in (True, False):
                data = p.to_bytes(compressed=compressed)
                assert data == expected_encoding(op, compressed)
                assert cls.from_bytes(data) == p
            flags.add(p.to_bytes()[0] & 0x40)
    assert flags == {0, 0x40}
    for compressed in (True, False):
        data = cls.infinity().to_bytes(compressed=compressed)
        assert data == expected_encoding(inf, compressed)
        assert cls.from_bytes(data).is_infinity()


@CASES
def test_decoding_rejects_wrong_lengths(case):
    cls = case[0]
    size = cls.curve.coordinate_bytes
    for n in (0, size - 1, size + 1, 2 * size - 1, 2 * size + 1):
        with pytest.raises(EncodingError, match=f"{2 * size} bytes .* {size} bytes .*got {n}"):
            cls.from_bytes(bytes(n))


@CASES
def test_decoding_rejects_bad_flags(case):
    cls = case[0]
    size = cls.curve.coordinate_bytes
    good = cls.generator().to_bytes()
    with pytest.raises(EncodingError, match="infinity"):
        cls.from_bytes(bytes([0x80]) + good[1:])  # infinity flag with a nonzero x
    with pytest.raises(EncodingError, match="infinity"):
        cls.from_bytes(bytes([0xC0]) + bytes(size - 1))  # infinity and the y flag
    with pytest.raises(EncodingError, match="infinity"):
        cls.from_bytes(bytes([0x81]) + bytes(size - 1))
    uncompressed = bytearray(cls.generator().to_bytes(compressed=False))
    uncompressed[0] |= 0x40
    with pytest.raises(EncodingError, match="carry no flags"):
        cls.from_bytes(bytes(uncompressed))


@CASES
def test_decoding_rejects_non_canonical_coordinates(case):
    cls = case[0]
    size = cls.curve.coordinate_bytes
    over = P.to_bytes(32, "big")
    with pytest.raises(NonCanonicalEncodingError):
        cls.from_bytes(over + bytes(size - 32))  # compressed x (or x.c1) = p
    good = cls.generator().to_bytes(compressed=False)
    with pytest.raises(NonCanonicalEncodingError):
        cls.from_bytes(good[: 2 * size - 32] + over)  # last coefficient of y = p
    if cls is G2Point:
        with pytest.raises(NonCanonicalEncodingError):
            cls.from_bytes(bytes(32) + over)  # compressed x.c0 = p


@CASES
def test_decoding_rejects_points_off_the_curve(case):
    cls, _, _, coordinate = case
    good = bytearray(cls.generator().to_bytes(compressed=False))
    good[-1] ^= 1
    with pytest.raises(PointNotOnCurveError):
        cls.from_bytes(bytes(good))
    while True:  # an x with x^3 + b not a square has no point
        x = coordinate.random()
        if not (x * x * x + cls.curve.b).is_square():
            break
    with pytest.raises(PointNotOnCurveError, match="not a square"):
        cls.from_bytes(x.to_bytes())


def test_g2_decoding_rejects_points_outside_the_subgroup():
    t = twist_point_outside_subgroup()
    for compressed in (True, False):
        with pytest.raises(PointNotInSubgroupError):
            G2Point.from_bytes(t.to_bytes(compressed=compressed))


# -- py_ecc conversion -------------------------------------------------------------
@CASES
def test_py_ecc_round_trips(case):
    cls, gen, inf, _ = case
    a, oa = random_pair(case)
    assert cls.from_py_ecc(oa) == a
    assert o.eq(a.to_py_ecc(), oa)
    assert cls.from_py_ecc(a.to_py_ecc()) == a
    assert cls.from_py_ecc(inf).is_infinity()
    assert o.is_inf(cls.infinity().to_py_ecc())
    # py_ecc.bn128 affine tuples, with None for infinity
    plain_gen = bn128.G1 if cls is G1Point else bn128.G2
    k = rng.randrange(1, 2**40)
    assert cls.from_py_ecc(bn128.multiply(plain_gen, k)) == cls.generator() * k
    assert cls.from_py_ecc(None).is_infinity()


@CASES
def test_from_py_ecc_validates(case):
    cls, gen, _, _ = case
    x, y, z = gen
    with pytest.raises(PointNotOnCurveError):
        cls.from_py_ecc((x, y + y, z))
    other_gen = o.G2 if cls is G1Point else o.G1
    with pytest.raises(TypeError):
        cls.from_py_ecc(other_gen)


# -- arrays of points --------------------------------------------------------------
@CASES
def test_affine_arrays_round_trip(case):
    cls = case[0]
    to_array = g1_affine_array if cls is G1Point else g2_affine_array
    from_array = g1_points_from_affine_array if cls is G1Point else g2_points_from_affine_array
    g = cls.generator()
    points = [g * rng.randrange(R) + g for _ in range(5)] + [cls.infinity(), g, g + g + g]
    array = to_array(points)
    assert array.shape == (len(points), 2) + cls.curve.shape
    for point, row in zip(points, array):
        assert np.array_equal(row, point.affine_mont())
    assert from_array(array) == points
    assert from_array(array, check=False) == points
    assert to_array([]).shape == (0, 2) + cls.curve.shape


@CASES
def test_affine_array_errors(case):
    cls = case[0]
    to_array = g1_affine_array if cls is G1Point else g2_affine_array
    from_array = g1_points_from_affine_array if cls is G1Point else g2_points_from_affine_array
    other = G2Point if cls is G1Point else G1Point
    with pytest.raises(TypeError, match="element 1"):
        to_array([cls.generator(), other.generator()])
    array = to_array([cls.generator(), cls.generator() + cls.generator()])
    with pytest.raises(ValueError):
        from_array(array[:, :1])
    off = array.copy()
    off[1, 1].reshape(-1)[0] ^= np.uint64(1)
    with pytest.raises(PointNotOnCurveError, match="point 1"):
        from_array(off)
    big = array.copy()
    big[1, 0].reshape(-1)[3] = np.uint64(2**64 - 1)
    with pytest.raises(NonCanonicalEncodingError, match="point 1"):
        from_array(big)


def test_g2_affine_array_rejects_points_outside_the_subgroup():
    array = g2_affine_array([G2Point.generator(), twist_point_outside_subgroup()])
    with pytest.raises(PointNotInSubgroupError, match="point 1"):
        g2_points_from_affine_array(array)


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("check, cls, n", [
    (check_g1_affine_array, G1Point, 300), (check_g1_affine_array, G1Point, 5000),
    (check_g2_affine_array, G2Point, 100), (check_g2_affine_array, G2Point, 300),
])
def test_array_checks_name_the_first_bad_point(check, cls, n, parallel, monkeypatch):
    # Small arrays are checked on one thread, large ones in parallel chunks (made small here
    # to take that path); either way the first bad row is the one reported.
    if parallel:
        for key in points_module.VALIDITY_CHUNK:
            monkeypatch.setitem(points_module.VALIDITY_CHUNK, key, 64)
    multiples = FieldVector.from_ints(FR, range(1, n))
    fixed_base = fixed_base_mul_g1 if cls is G1Point else fixed_base_mul_g2
    array = np.concatenate([fixed_base(cls.generator().affine_mont(), multiples),
                            np.zeros((1, 2) + cls.curve.shape, dtype=np.uint64)])  # and infinity
    check(array)
    off = array.copy()
    off[n - 50, 1].reshape(-1)[0] ^= np.uint64(1)
    off[n - 30, 1].reshape(-1)[0] ^= np.uint64(1)
    with pytest.raises(PointNotOnCurveError, match=f"point {n - 50} "):
        check(off)
    if cls is G2Point:
        outside = array.copy()
        outside[n // 2] = g2_affine_array([twist_point_outside_subgroup()])[0]
        with pytest.raises(PointNotInSubgroupError, match=f"point {n // 2} "):
            check(outside)


def test_first_off_curve_and_the_on_curve_only_g2_check():
    inside = [G2Point.generator(), G2Point.generator() * 5]
    array = g2_affine_array(inside + [twist_point_outside_subgroup()])
    assert first_off_curve(array) is None
    check_g2_affine_array(array, subgroup=False)  # on the curve, though not in G2
    with pytest.raises(PointNotInSubgroupError, match="point 2 "):
        check_g2_affine_array(array)
    array[1, 1].reshape(-1)[0] ^= np.uint64(1)
    assert first_off_curve(array) == 1
    g1 = g1_affine_array([G1Point.generator(), G1Point.generator() * 3])
    assert first_off_curve(g1) is None
    g1[0, 0, 0] ^= np.uint64(1)
    assert first_off_curve(g1) == 0
