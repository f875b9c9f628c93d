"""prove_zkey through zkwork.groth16.msm_set.query_sums (the quotient's stages and the five MSMs
as work items, with and without fixed-base tables, on one thread and on two) gives the proof of
the plain formula (zkey_prover's module docstring, as prove_zkey computed it before: one
product, transform and MSM after another) for the same r, s; and a resident process's zkey
cache keeps a zkey's tables with it, while a one-shot read has none.

The zkey is zkwork's own key of a small circuit as a .zkey (zkey_from_proving_key): its H
points sit on zkwork's coset, not snarkjs's, so its proofs fail its key; both ways of proving
must still agree point for point.
"""
import gc

import numba
import numpy as np
import pytest

from zkwork.backend import get_backend
from zkwork.daemon.caches import FileCache
from zkwork.errors import BackendError
from zkwork.field import FR, FieldVector, Fr
from zkwork.formats import read_zkey, write_zkey
from zkwork.formats.zkey_file import zkey_from_proving_key
from zkwork.groth16 import setup
from zkwork.groth16.keys import Proof
from zkwork.groth16.qap import matvec
from zkwork.interop.zkey_prover import (odd_coset_shift, precompute_zkey, prove_zkey, read_zkey_for_proving,
                                        resident_tables, use_zkey_cache)
from zkwork.poly import Domain, coset_ntt, intt
from zkwork.r1cs import solve


def _circuit(cs):
    """y^5 = a, out = y * b + a."""
    a, b, y = cs.public_input("a"), cs.public_input("b"), cs.private_input("y")
    y2 = y * y
    cs.assert_equal(y2 * y2 * y, a, "fifth power")
    cs.public_output("out", y * b + a)


@pytest.fixture(scope="module")
def zkey_and_witness(tmp_path_factory):
    r1cs, witness = solve(_circuit, {"a": 3**5, "b": 7, "y": 3})
    path = tmp_path_factory.mktemp("zkey") / "small.zkey"
    write_zkey(zkey_from_proving_key(setup(r1cs)), path)
    return path, read_zkey(path), witness


def plain_formula(zkey, witness, r, s, backend="reference"):
    """The proof by the module docstring's formula, step by step, with the backend's MSMs."""
    be, n = get_backend(backend), zkey.domain_size
    z = FieldVector.from_ints(FR, witness)
    domain, g = Domain.for_length(n), odd_coset_shift(n)
    rows = []
    for name in ("A", "B"):
        matrix, values = zkey.matrix(name), np.zeros((n, 4), dtype=np.uint64)
        matvec(matrix.indptr, matrix.indices, matrix.coeffs, z.mont, values)
        rows.append(values)
    rows.append(FR.vec.mul(rows[0], rows[1], np.empty_like(rows[0])))
    a, b, c = (coset_ntt(intt(values, domain), g=g, domain=domain) for values in rows)
    p = FieldVector(FR, FR.vec.sub(FR.vec.mul(a, b, a), c, a))
    vk = zkey.vk
    pi_a = vk.alpha_1 + be.msm_g1(zkey.a_query, z) + zkey.delta_1 * r
    pi_b = vk.beta_2 + be.msm_g2(zkey.b2_query, z) + vk.delta_2 * s
    b1 = zkey.beta_1 + be.msm_g1(zkey.b1_query, z) + zkey.delta_1 * s
    pi_c = (be.msm_g1(zkey.c_query, z[zkey.num_public + 1:]) + be.msm_g1(zkey.h_query, p)
            + pi_a * s + b1 * r - zkey.delta_1 * (r * s))
    return Proof(pi_a, pi_b, pi_c)


def test_scheduled_prove_zkey_is_the_plain_formula(zkey_and_witness):
    _, zkey, witness = zkey_and_witness
    r, s = Fr.random(), Fr.random()
    expected = plain_formula(zkey, witness, r, s)
    tables = precompute_zkey(zkey)
    assert set(tables) == {"a_query", "b1_query", "b2_query", "l_query", "h_query"}
    before = numba.get_num_threads()
    try:
        for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(threads)
            for with_tables in (None, tables):
                assert prove_zkey(zkey, witness, check=False, tables=with_tables, randomness=(r, s)) == expected
    finally:
        numba.set_num_threads(before)
    assert prove_zkey(zkey, witness, check=False, backend="reference", randomness=(r, s)) == expected
    with pytest.raises(BackendError, match="fast backend"):
        prove_zkey(zkey, witness, check=False, backend="reference", tables=tables)


def test_a_zkey_prove_leaves_no_reference_cycle(zkey_and_witness):
    """As zkwork's own prover (tests/test_prover.py): a cycle would hold the prove's arrays."""
    _, zkey, witness = zkey_and_witness
    tables = precompute_zkey(zkey)
    prove_zkey(zkey, witness, check=False, tables=tables)
    gc.collect()
    gc.disable()
    try:
        for with_tables in (None, tables):
            prove_zkey(zkey, witness, check=False, tables=with_tables)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_resident_zkey_keeps_its_tables_and_a_one_shot_read_has_none(zkey_and_witness):
    path, _, _ = zkey_and_witness
    once = read_zkey_for_proving(path)
    previous = use_zkey_cache(FileCache())
    try:
        zkey = read_zkey_for_proving(path)
        assert read_zkey_for_proving(path) is zkey
        tables = resident_tables(zkey)
        assert tables and resident_tables(read_zkey_for_proving(path)) is tables
        assert resident_tables(once) is None  # the same file, but not the cache's parse
    finally:
        use_zkey_cache(previous)
    assert resident_tables(read_zkey_for_proving(path)) is None
