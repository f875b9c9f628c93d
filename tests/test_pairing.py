"""The BN254 pairing against py_ecc: tower arithmetic through the basis change to py_ecc's flat
FQ12, the pairing value itself, bilinearity, pairing checks, infinity and bad input."""
import random

import numpy as np
import pytest
from numba import njit
from py_ecc import bn128
from py_ecc import optimized_bn128 as ob

import zkwork.pairing as zp
from zkwork.errors import EncodingError, NonCanonicalEncodingError, PointNotOnCurveError
from zkwork.field import FQ, P, R, fq2
from zkwork.pairing import final_exp, miller
from zkwork.pairing import tower as T
from zkwork.pairing.gt import GT

F12 = ob.FQ12
rng = random.Random(20240611)


# ---------------------------------------------------------------- helpers

def g1_array(point):
    """py_ecc (optimized) G1 point -> (2, 4) Montgomery array; zeros for infinity."""
    if ob.is_inf(point):
        return np.zeros((2, 4), dtype=np.uint64)
    x, y = ob.normalize(point)
    return np.array([FQ.to_mont_limbs(int(x)), FQ.to_mont_limbs(int(y))], dtype=np.uint64)


def g2_array(point):
    """py_ecc (optimized) G2 point -> (2, 2, 4) Montgomery array; zeros for infinity."""
    if ob.is_inf(point):
        return np.zeros((2, 2, 4), dtype=np.uint64)
    x, y = ob.normalize(point)
    return np.array([fq2.to_mont(tuple(x.coeffs)), fq2.to_mont(tuple(y.coeffs))], dtype=np.uint64)


def to_array(x):
    return T.fq12_array_from_flat(list(x.coeffs))


def from_array(array):
    return F12(T.fq12_array_to_flat(array))


def random_fq12():
    return F12([rng.randrange(P) for _ in range(12)])


def random_fq6():
    """An element of Fq6 = Fq2[v], v = w^2, inside Fq12: only even powers of w (flat: even W^i)."""
    return F12([rng.randrange(P) if i % 2 == 0 else 0 for i in range(12)])


def random_scalar():
    return rng.randrange(1, R)


def edge_fq12():
    return [F12.zero(), F12.one(), F12([P - 1] * 12), F12([0, 1] + [0] * 10)]


def lift12(kernel, arity):
    """Run an Fq12 kernel on py_ecc FQ12 values."""
    if arity == 1:
        @njit
        def run(a, b, out):
            T.fq12_store(out, kernel(T.fq12_load(a)))
    else:
        @njit
        def run(a, b, out):
            T.fq12_store(out, kernel(T.fq12_load(a), T.fq12_load(b)))

    def call(x, y=None):
        out = T.fq12_empty()
        run(to_array(x), to_array(y if y is not None else x), out)
        return from_array(out)

    return call


def lift6(kernel, arity):
    """Run an Fq6 kernel on Fq6 elements embedded in py_ecc FQ12 (the w^0 half of the tower)."""
    if arity == 1:
        @njit
        def run(a, b, out):
            T.fq12_store(out, (kernel(T.fq12_load(a)[0]), T.FQ6_ZERO))
    else:
        @njit
        def run(a, b, out):
            T.fq12_store(out, (kernel(T.fq12_load(a)[0], T.fq12_load(b)[0]), T.FQ6_ZERO))

    def call(x, y=None):
        out = T.fq12_empty()
        run(to_array(x), to_array(y if y is not None else x), out)
        return from_array(out)

    return call


@njit
def _sparse_fq6(a, b):
    """a * (b0 + b1 v) with b's v^2 coefficient ignored."""
    return T.fq6_mul_by_01(a, b[0], b[1])


@njit
def _scalar_fq6(a, b):
    """a * b0 with b's other coefficients ignored."""
    return T.fq6_mul_by_fq2(a, b[0])


@njit
def _line_fq12(f, line):
    """f * (l0 + l1 w + l3 w^3) with the line's coefficients read from an Fq12 value."""
    return T.fq12_mul_by_line(f, line[0][0], line[1][0], line[1][1])


def _sparse_part(x, keep):
    """x with only the tower coefficients c_i (of w^i) for i in keep; others zeroed."""
    array = to_array(x)
    for i in range(6):
        if i not in keep:
            array[i % 2, i // 2] = 0
    return from_array(array)


# ---------------------------------------------------------------- basis conversion

def test_basis_conversion_round_trip_and_generators():
    for x in [random_fq12() for _ in range(5)] + edge_fq12():
        assert from_array(to_array(x)) == x
    w = np.zeros((2, 3, 2, 4), dtype=np.uint64)
    w[1, 0, 0] = FQ.to_mont_limbs(1)  # the tower's w = (0, 1, 0) w^0 + ... is a1 = 1
    assert from_array(w) == F12([0, 1] + [0] * 10)
    u = np.zeros((2, 3, 2, 4), dtype=np.uint64)
    u[0, 0, 1] = FQ.to_mont_limbs(1)  # the Fq2 generator u = W^6 - 9
    assert from_array(u) == F12([P - 9] + [0] * 5 + [1] + [0] * 5)
    assert from_array(T.ONE_ARRAY) == F12.one()


# ---------------------------------------------------------------- Fq6

@pytest.mark.parametrize(
    "kernel, arity, oracle",
    [
        (T.fq6_add, 2, lambda x, y: x + y),
        (T.fq6_sub, 2, lambda x, y: x - y),
        (T.fq6_mul, 2, lambda x, y: x * y),
        (T.fq6_neg, 1, lambda x, y: -x),
        (T.fq6_sqr, 1, lambda x, y: x * x),
        (T.fq6_mul_by_v, 1, lambda x, y: x * F12([0, 0, 1] + [0] * 9)),
    ],
    ids=["add", "sub", "mul", "neg", "sqr", "mul_by_v"],
)
def test_fq6_ops(kernel, arity, oracle):
    run = lift6(kernel, arity)
    samples = [(random_fq6(), random_fq6()) for _ in range(8)]
    samples += [(F12.zero(), random_fq6()), (F12.one(), random_fq6()), (random_fq6(), F12.zero())]
    for x, y in samples:
        assert run(x, y) == oracle(x, y)


def test_fq6_inv():
    run = lift6(T.fq6_inv, 1)
    for x in [random_fq6() for _ in range(8)] + [F12.one()]:
        assert run(x) == x.inv()
        assert run(x) * x == F12.one()
    assert run(F12.zero()) == F12.zero()


def test_fq6_sparse_products():
    sparse, scalar = lift6(_sparse_fq6, 2), lift6(_scalar_fq6, 2)
    for _ in range(8):
        x, y = random_fq6(), random_fq6()
        assert sparse(x, y) == x * _sparse_part(y, keep={0, 2})  # b0 + b1 v = c_0 + c_2 w^2
        assert scalar(x, y) == x * _sparse_part(y, keep={0})


# ---------------------------------------------------------------- Fq12

@pytest.mark.parametrize(
    "kernel, arity, oracle",
    [
        (T.fq12_add, 2, lambda x, y: x + y),
        (T.fq12_sub, 2, lambda x, y: x - y),
        (T.fq12_mul, 2, lambda x, y: x * y),
        (T.fq12_neg, 1, lambda x, y: -x),
        (T.fq12_sqr, 1, lambda x, y: x * x),
        (T.fq12_conj, 1, lambda x, y: F12([-c if i % 2 else c for i, c in enumerate(x.coeffs)])),
    ],
    ids=["add", "sub", "mul", "neg", "sqr", "conj"],
)
def test_fq12_ops(kernel, arity, oracle):
    run = lift12(kernel, arity)
    samples = [(random_fq12(), random_fq12()) for _ in range(6)]
    samples += [(e, random_fq12()) for e in edge_fq12()] + [(random_fq12(), e) for e in edge_fq12()]
    for x, y in samples:
        assert run(x, y) == oracle(x, y)


def test_fq12_inv():
    run = lift12(T.fq12_inv, 1)
    for x in [random_fq12() for _ in range(6)] + edge_fq12()[1:]:
        assert run(x) == x.inv()
    assert run(F12.zero()) == F12.zero()


def test_fq12_frobenius_maps():
    frobenius = [lift12(k, 1) for k in (T.fq12_frobenius1, T.fq12_frobenius2, T.fq12_frobenius3)]
    x = random_fq12()
    assert frobenius[0](x) == x**P
    assert frobenius[1](x) == x ** (P**2)
    assert lift12(T.fq12_conj, 1)(x) == x ** (P**6)
    for y in [random_fq12() for _ in range(4)] + edge_fq12():
        once = frobenius[0](y)
        assert frobenius[1](y) == frobenius[0](once)
        assert frobenius[2](y) == frobenius[0](frobenius[1](y))


def test_fq12_mul_by_line():
    run = lift12(_line_fq12, 2)
    for f, line in [(random_fq12(), random_fq12()) for _ in range(6)] + [(F12.one(), random_fq12())]:
        assert run(f, line) == f * _sparse_part(line, keep={0, 1, 3})


def test_gt_pow_inverse_and_py_ecc_round_trip():
    x = random_fq12()
    g = GT.from_py_ecc(x)
    assert g.to_py_ecc() == bn128.FQ12([int(c) for c in x.coeffs])
    assert GT.from_py_ecc(g.to_py_ecc()) == g
    for e in (0, 1, 2, 3, 2**64 + 1, rng.randrange(2**300)):
        assert from_array((g**e).array) == x**e
    assert from_array((g**-5).array) == x.inv() ** 5
    assert g * g.inverse() == GT.one() and (g * g.inverse()).is_one()
    assert not g.is_one() and GT.one().is_one()
    assert hash(GT.from_py_ecc(x)) == hash(g) and g != GT.one()
    with pytest.raises(ZeroDivisionError):
        GT.from_py_ecc(F12.zero()).inverse()
    with pytest.raises(EncodingError):
        GT(np.zeros((3, 2, 4), dtype=np.uint64))
    with pytest.raises(EncodingError):
        GT.from_py_ecc(ob.FQ2([1, 2]))


# ---------------------------------------------------------------- final exponentiation

_easy = lift12(final_exp.easy_part, 1)


def test_easy_part_lands_in_the_cyclotomic_subgroup():
    for x in [random_fq12() for _ in range(3)]:
        y = _easy(x)
        assert y == x ** ((P**6 - 1) * (P**2 + 1))
        assert y ** (P**4 - P**2 + 1) == F12.one()


def test_cyclotomic_sqr_matches_sqr_on_the_cyclotomic_subgroup():
    run = lift12(final_exp.cyclotomic_sqr, 1)
    for x in [random_fq12() for _ in range(4)] + [F12.one()]:
        y = _easy(x)
        assert run(y) == y * y
    assert run(random_fq12()) != random_fq12() ** 2  # it is only valid on that subgroup


def test_final_exponentiation_is_the_exact_exponent():
    exponent = (P**12 - 1) // R
    for x in [random_fq12() for _ in range(2)]:
        expected = x**exponent
        assert from_array(zp.final_exponentiation(to_array(x)).array) == expected
        assert zp.final_exponentiation(GT.from_py_ecc(x)) == GT.from_py_ecc(x) ** exponent
    assert zp.final_exponentiation(T.ONE_ARRAY).is_one()
    with pytest.raises(ZeroDivisionError):
        zp.final_exponentiation(np.zeros((2, 3, 2, 4), dtype=np.uint64))


# ---------------------------------------------------------------- Miller loop internals

def _projective_to_py_ecc(t):
    x, y, z = (ob.FQ2(list(fq2.from_mont(tuple(map(tuple, c))))) for c in t)
    return (x, y, z)


def test_doubling_and_addition_steps_match_py_ecc():
    @njit
    def steps(q, p, out):
        x_q, y_q = T.fq2_load(q, 0), T.fq2_load(q, 1)
        x_p, y_p = miller.f_load(p, 0), miller.f_load(p, 1)
        doubled, _ = miller.doubling_step((x_q, y_q, T.ONE2), x_p, y_p)
        added, _ = miller.addition_step(doubled, x_q, y_q, x_p, y_p)
        for k in range(3):
            T.fq2_store(out[0], k, doubled[k])
            T.fq2_store(out[1], k, added[k])

    for k in (1, random_scalar()):
        q = ob.multiply(ob.G2, k)
        out = np.zeros((2, 3, 2, 4), dtype=np.uint64)
        steps(g2_array(q), g1_array(ob.G1), out)
        assert ob.eq(_projective_to_py_ecc(out[0]), ob.double(q))
        assert ob.eq(_projective_to_py_ecc(out[1]), ob.multiply(q, 3))


def test_multi_miller_loop_is_the_product_of_miller_loops():
    g1s = np.stack([g1_array(ob.multiply(ob.G1, random_scalar())) for _ in range(3)])
    g2s = np.stack([g2_array(ob.multiply(ob.G2, random_scalar())) for _ in range(3)])
    product = GT.one()
    for i in range(3):
        product = product * GT(zp.miller_loop(g1s[i], g2s[i]))
    assert GT(zp.multi_miller_loop(g1s, g2s)) == product


def test_miller_loop_signed_digits():
    assert sum(int(d) << i for i, d in enumerate(miller.ATE_LOOP_NAF)) == 6 * 4965661367192848881 + 2
    digits = list(miller.ATE_LOOP_NAF)
    assert all(digits[i] == 0 or digits[i + 1] == 0 for i in range(len(digits) - 1))
    assert miller.signed_digits(0) == [] and miller.signed_digits(7) == [-1, 0, 0, 1]


# ---------------------------------------------------------------- the pairing

def test_pairing_matches_py_ecc_bn128_on_generators():
    assert zp.pairing(g1_array(ob.G1), g2_array(ob.G2)).to_py_ecc() == bn128.pairing(bn128.G2, bn128.G1)


def test_pairing_matches_py_ecc_on_random_points():
    for _ in range(3):
        p, q = ob.multiply(ob.G1, random_scalar()), ob.multiply(ob.G2, random_scalar())
        assert zp.pairing(g1_array(p), g2_array(q)) == GT.from_py_ecc(ob.pairing(q, p))


def test_bilinearity():
    p, q = g1_array(ob.G1), g2_array(ob.G2)
    base = zp.pairing(p, q)
    assert not base.is_one() and (base**R).is_one()
    a, b = random_scalar(), random_scalar()
    assert zp.pairing(g1_array(ob.multiply(ob.G1, a)), g2_array(ob.multiply(ob.G2, b))) == base ** (a * b % R)
    assert (zp.pairing(p, q) * zp.pairing(g1_array(ob.neg(ob.G1)), q)).is_one()
    assert zp.pairing(p, g2_array(ob.neg(ob.G2))) == base.inverse()
    p2 = ob.multiply(ob.G1, a)
    assert zp.pairing(g1_array(ob.add(ob.G1, p2)), q) == base * zp.pairing(g1_array(p2), q)


def test_pairing_check():
    a, b = random_scalar(), random_scalar()
    g1s = np.stack([g1_array(ob.multiply(ob.G1, a)), g1_array(ob.neg(ob.multiply(ob.G1, a * b)))])
    g2s = np.stack([g2_array(ob.multiply(ob.G2, b)), g2_array(ob.G2)])
    assert zp.pairing_check(g1s, g2s)
    perturbed = g1s.copy()
    perturbed[1] = g1_array(ob.neg(ob.multiply(ob.G1, a * b + 1)))
    assert not zp.pairing_check(perturbed, g2s)
    perturbed_g2 = g2s.copy()
    perturbed_g2[0] = g2_array(ob.multiply(ob.G2, b + 1))
    assert not zp.pairing_check(g1s, perturbed_g2)
    # a Groth16-sized check: four pairs whose product is one
    c = random_scalar()
    g1s4 = np.concatenate([g1s, np.stack([g1_array(ob.multiply(ob.G1, c)), g1_array(ob.neg(ob.G1))])])
    g2s4 = np.concatenate([g2s, np.stack([g2_array(ob.G2), g2_array(ob.multiply(ob.G2, c))])])
    assert zp.pairing_check(g1s4, g2s4)


def test_degenerate_checks_and_infinity():
    p, q = g1_array(ob.G1), g2_array(ob.G2)
    g1_inf, g2_inf = np.zeros((2, 4), dtype=np.uint64), np.zeros((2, 2, 4), dtype=np.uint64)
    assert zp.pairing_check(np.zeros((0, 2, 4), dtype=np.uint64), np.zeros((0, 2, 2, 4), dtype=np.uint64))
    assert not zp.pairing_check(p[None], q[None])
    assert zp.pairing_check(g1_inf[None], q[None])
    assert zp.pairing_check(p[None], g2_inf[None])
    assert zp.pairing(g1_inf, q).is_one() and zp.pairing(p, g2_inf).is_one()
    assert GT(zp.miller_loop(g1_inf, q)).is_one() and GT(zp.miller_loop(p, g2_inf)).is_one()
    # pairs with a point at infinity drop out of a product
    assert zp.pairing_check(np.stack([p, g1_inf, g1_array(ob.neg(ob.G1))]), np.stack([q, q, q]))
    assert not zp.pairing_check(np.stack([p, p]), np.stack([q, g2_inf]))


def test_bad_inputs_raise_typed_errors():
    p, q = g1_array(ob.G1), g2_array(ob.G2)
    with pytest.raises(EncodingError, match="shape"):
        zp.pairing(p[0], q)
    with pytest.raises(EncodingError, match="uint64"):
        zp.pairing(p.astype(np.int64), q)
    with pytest.raises(EncodingError, match="1 G1 points but 2 G2 points"):
        zp.pairing_check(p[None], np.stack([q, q]))
    off_curve = p.copy()
    off_curve[1] = FQ.to_mont_limbs(5)
    with pytest.raises(PointNotOnCurveError, match="G1 point 0"):
        zp.pairing(off_curve, q)
    off_twist = q.copy()
    off_twist[1, 0] = FQ.to_mont_limbs(5)
    with pytest.raises(PointNotOnCurveError, match="G2 point 1"):
        zp.pairing_check(np.stack([p, p]), np.stack([q, off_twist]))
    not_reduced = p.copy()
    not_reduced[0] = np.array([np.uint64(2**64 - 1)] * 4)
    with pytest.raises(NonCanonicalEncodingError, match="G1 point 0"):
        zp.pairing(not_reduced, q)
    not_reduced_g2 = q.copy()
    not_reduced_g2[0, 1] = np.array([np.uint64(x) for x in FQ.kernels.limbs])  # exactly p
    with pytest.raises(NonCanonicalEncodingError, match="G2 point 0"):
        zp.pairing(p, not_reduced_g2)
    # an off-curve point is rejected even when its partner is the point at infinity
    with pytest.raises(PointNotOnCurveError):
        zp.pairing(off_curve, np.zeros((2, 2, 4), dtype=np.uint64))
