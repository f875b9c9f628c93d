"""Fixed-base MSM tables (zkwork.curve.fixed_base) against the plain MSM and py_ecc, and a
prove with the proving key's tables against the plain prove with the same randomness."""
import pickle
import random

import numba
import numpy as np
import py_ecc.optimized_bn128 as ecc
import pytest
from test_groth16 import chain

from zkwork.curve import G1Point, G2Point, g2_points_from_affine_array
from zkwork.curve.fixed_base import FixedBaseTable, precomputed_window, table_bytes
from zkwork.curve.msm import fixed_base_mul_g1, fixed_base_mul_g2, msm_g1, msm_g2
from zkwork.errors import BackendError, ShapeMismatchError
from zkwork.field import R, Fr
from zkwork.groth16 import setup, verify
from zkwork.groth16.prover import QUERIES, precompute, prove
from zkwork.patterns import get_pattern
from zkwork.prover import Prover
from zkwork.r1cs import solve
from zkwork.r1cs.witness_program import WitnessProgram

rng = random.Random(0xF1BA5E)
EDGE_SCALARS = [0, 1, R - 1, 2, R - 2, (R - 1) // 2]
GROUPS = {"G1": (G1Point, fixed_base_mul_g1, msm_g1), "G2": (G2Point, fixed_base_mul_g2, msm_g2)}


def bases(group, n, infinities=()):
    """n random multiples of the generator as an affine array, rows in `infinities` at infinity."""
    point, multiples, _ = GROUPS[group]
    points = multiples(point.generator().affine_mont(), [rng.randrange(1, R) for _ in range(n)])
    points[list(infinities)] = 0
    return points


def scalars_for(n):
    """The edge scalars (0, 1, r-1, ...) first, then random ones."""
    return [EDGE_SCALARS[i] if i < len(EDGE_SCALARS) else rng.randrange(R) for i in range(n)]


@pytest.mark.parametrize("group", ["G1", "G2"])
@pytest.mark.parametrize("n", [0, 1, 2, 7, 33])
@pytest.mark.parametrize("window", [5, 9, None])
def test_a_table_msm_equals_the_plain_msm(group, n, window):
    point, _, msm = GROUPS[group]
    points = bases(group, n, infinities=[i for i in (1, 5) if i < n])
    scalars = scalars_for(n)
    table = FixedBaseTable(group, points, window)
    assert table.msm(scalars) == point(msm(points, scalars))


def test_a_table_msm_matches_py_ecc():
    points = bases("G2", 5, infinities=[3])
    scalars = scalars_for(5)
    expected = ecc.Z2
    for point, k in zip(g2_points_from_affine_array(points, check=False), scalars):
        expected = ecc.add(expected, ecc.multiply(point.to_py_ecc(), k))
    assert FixedBaseTable("G2", points).msm(scalars) == G2Point.from_py_ecc(expected)


def test_one_table_serves_many_msms_and_cancelling_terms_give_infinity():
    points = bases("G1", 300)
    table = FixedBaseTable("G1", points)
    for _ in range(3):
        scalars = scalars_for(300)
        assert table.msm(scalars) == G1Point(msm_g1(points, scalars))
    doubled = bases("G1", 1)
    pair = FixedBaseTable("G1", doubled.repeat(2, axis=0), 6)
    assert pair.msm([5, R - 5]).is_infinity()


@pytest.mark.parametrize("threads", [1, 2])
def test_a_table_msm_is_the_same_on_one_core_and_two(threads):
    points, scalars = bases("G1", 50), scalars_for(50)
    table = FixedBaseTable("G1", points, 6)
    before = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        assert table.msm(scalars) == G1Point(msm_g1(points, scalars))
    finally:
        numba.set_num_threads(before)


@pytest.mark.parametrize("group", ["G1", "G2"])
@pytest.mark.parametrize("parts", [1, 3])
def test_a_split_msm_equals_the_plain_msm_with_repeated_bases(group, parts):
    # few buckets and repeated bases: digits wait for later batches, double and cancel buckets
    point, _, msm = GROUPS[group]
    points = np.concatenate([bases(group, 1).repeat(40, axis=0), bases(group, 20)])
    scalars = [rng.choice([5, R - 5, 7]) if i < 40 else rng.randrange(R) for i in range(60)]
    table = FixedBaseTable(group, points, 5)
    split = table.split(scalars, parts)
    for part in reversed(range(split.parts)):
        split.run(part)
    assert split.parts == parts and split.result() == point(msm(points, scalars))
    zeros = table.split([0] * 60, parts)
    for part in range(zeros.parts):
        zeros.run(part)
    assert zeros.result().is_infinity()


def test_the_window_respects_the_budget_and_a_table_its_size():
    assert precomputed_window(1000, 64) is not None
    smallest = min(table_bytes(1000, c, 64) for c in range(5, 15))
    assert precomputed_window(1000, 64, smallest - 1) is None
    window = precomputed_window(1000, 64, smallest)
    assert table_bytes(1000, window, 64) == smallest
    table = FixedBaseTable("G1", bases("G1", 40, infinities=[0]), 7)
    assert table.table.nbytes == table_bytes(39, 7, 64)
    with pytest.raises(ShapeMismatchError):
        FixedBaseTable("G1", bases("G1", 40), budget_bytes=100)
    with pytest.raises(ShapeMismatchError):
        table.msm([1, 2, 3])
    with pytest.raises(ShapeMismatchError):
        FixedBaseTable("G2", bases("G1", 4))


@pytest.fixture(scope="module")
def statement():
    r1cs, witness = solve(chain, {"x": 9, "y": 3})
    return setup(r1cs), witness, r1cs.public_signals(witness)


@pytest.mark.parametrize("budget_mb", [64, 0.05])
def test_a_prove_with_tables_verifies_and_equals_the_plain_prove(statement, budget_mb):
    pk, witness, public = statement
    tables = precompute(pk, budget_mb)
    assert tables if budget_mb == 64 else len(tables) < 5
    randomness = (Fr.random(), Fr.random())
    proof = prove(pk, witness, tables=tables, randomness=randomness)
    assert proof == prove(pk, witness, randomness=randomness)
    assert verify(pk.vk, public, proof)


def test_tables_refuse_the_reference_backend(statement):
    pk, witness, _ = statement
    with pytest.raises(BackendError):
        prove(pk, witness, backend="reference", tables=precompute(pk))


def test_a_precomputing_prover_proves_and_pickles():
    pattern = get_pattern("membership", "hardened", depth=3)
    program = WitnessProgram.record(pattern.circuit)
    prover = Prover(program, setup(program.r1cs), precompute_mb=16)
    assert set(prover.tables) == {name for name, _ in QUERIES} and prover.tables_bytes > 0
    for copy in (prover, pickle.loads(pickle.dumps(prover))):
        proof, public = copy.prove(pattern.sample_inputs())
        assert verify(prover.pk.vk, public, proof)
