"""Groth16 end to end on small circuits: completeness on both backends (and across
them), soundness against mutated proofs and statements, batch verification."""
import pytest

from zkwork.curve import G1Point, G2Point
from zkwork.errors import CircuitInputError, UnsatisfiedConstraintError
from zkwork.field import FR, FieldVector, R
from zkwork.groth16 import (
    Proof, ToxicWaste, prepare_verifying_key, prove, setup, setup_from_toxic_waste, verify, verify_batch,
)
from zkwork.r1cs import solve


def chain(cs, length=20):
    """Public x = y^2; public output y^(2^length) + ... : a small nonlinear circuit."""
    x = cs.public_input("x")
    y = cs.private_input("y")
    cs.assert_equal(y * y, x, "square")
    acc = y
    for i in range(length):
        with cs.namespace("step", i):
            acc = acc * acc + y
    cs.public_output("out", acc)


@pytest.fixture(scope="module")
def statement():
    r1cs, witness = solve(chain, {"x": 9, "y": 3})
    return r1cs, witness, r1cs.public_signals(witness)


@pytest.fixture(scope="module")
def keys(statement):
    return setup(statement[0])


def test_completeness_fast(statement, keys):
    _, witness, public = statement
    proof = prove(keys, witness)
    assert verify(keys.vk, public, proof)
    assert verify(prepare_verifying_key(keys.vk), public, proof)


def test_proofs_are_randomised(statement, keys):
    _, witness, public = statement
    p1, p2 = prove(keys, witness), prove(keys, witness)
    assert p1.a != p2.a and verify(keys.vk, public, p1) and verify(keys.vk, public, p2)


@pytest.mark.slow
def test_both_backends_prove_and_verify_each_others_proofs():
    r1cs, witness = solve(chain, {"x": 4, "y": 2}, length=3)
    public = r1cs.public_signals(witness)
    waste = ToxicWaste.random()
    fast_keys = setup_from_toxic_waste(r1cs, waste, backend="fast")
    reference_keys = setup_from_toxic_waste(r1cs, waste, backend="reference")
    assert fast_keys.vk == reference_keys.vk
    fast_proof = prove(fast_keys, witness, backend="fast")
    reference_proof = prove(reference_keys, witness, backend="reference")
    assert verify(fast_keys.vk, public, reference_proof, backend="fast")
    assert verify(reference_keys.vk, public, fast_proof, backend="reference")
    assert not verify(reference_keys.vk, [public[0] + 1, public[1]], fast_proof, backend="reference")


def test_every_single_coordinate_change_is_rejected(statement, keys):
    _, witness, public = statement
    proof = prove(keys, witness)
    g1, g2 = G1Point.generator(), G2Point.generator()
    for mutated in (
        Proof(proof.a + g1, proof.b, proof.c),
        Proof(proof.a, proof.b + g2, proof.c),
        Proof(proof.a, proof.b, proof.c + g1),
        Proof(-proof.a, proof.b, proof.c),
        Proof(proof.c, proof.b, proof.a),
        Proof(G1Point.infinity(), proof.b, proof.c),
    ):
        assert not verify(keys.vk, public, mutated)


def test_statement_changes_are_rejected(statement, keys):
    _, witness, public = statement
    proof = prove(keys, witness)
    out, x = public
    assert not verify(keys.vk, [out, x + 1], proof)
    assert not verify(keys.vk, [out, x + R], proof)  # x + r is not a field element
    assert not verify(keys.vk, [out], proof)
    assert not verify(keys.vk, [out, x, 0], proof)
    assert not verify(keys.vk, [str(out), x], proof)
    assert not verify(keys.vk, [out, -1], proof)
    assert not verify(keys.vk, None, proof)
    assert not verify(keys.vk, public, "not a proof")


def test_a_proof_of_another_statement_does_not_transfer(keys):
    r1cs, witness = solve(chain, {"x": 16, "y": 4})
    other = prove(keys, witness)
    _, first_witness = solve(chain, {"x": 9, "y": 3})
    assert verify(keys.vk, r1cs.public_signals(witness), other)
    assert not verify(keys.vk, r1cs.public_signals(first_witness), other)


def test_points_outside_the_subgroup_are_rejected(statement, keys):
    _, witness, public = statement
    proof = prove(keys, witness)
    # a twist point of small order added to B stays on the curve but leaves the subgroup
    from test_curve import twist_point_outside_subgroup

    bad_b = G2Point(proof.b.jacobian) + twist_point_outside_subgroup()
    assert bad_b.is_on_curve() and not bad_b.is_in_subgroup()
    assert not verify(keys.vk, public, Proof(proof.a, bad_b, proof.c))


def test_batch_verification(statement, keys):
    r1cs, witness, public = statement
    proofs = [prove(keys, witness) for _ in range(3)]
    assert verify_batch(keys.vk, [(public, p) for p in proofs])
    assert verify_batch(keys.vk, [])
    bad = Proof(proofs[1].a, proofs[1].b, proofs[1].c + G1Point.generator())
    assert not verify_batch(keys.vk, [(public, proofs[0]), (public, bad), (public, proofs[2])])
    assert not verify_batch(keys.vk, [(public, proofs[0]), ([public[0], public[1] + 1], proofs[1])])


def test_prover_refuses_bad_witnesses(statement, keys):
    _, witness, _ = statement
    with pytest.raises(UnsatisfiedConstraintError, match="constraint"):
        prove(keys, [1] + [(v + 1) % R for v in witness[1:]])
    with pytest.raises(CircuitInputError, match="expects"):
        prove(keys, witness[:-1])
    with pytest.raises(CircuitInputError, match="constant one"):
        prove(keys, [2] + witness[1:])
    with pytest.raises(CircuitInputError, match="not a field element"):
        prove(keys, witness[:-1] + [R])


def test_the_prove_is_the_same_on_one_thread_and_on_two(statement, keys):
    import numba

    from zkwork.field import Fr
    _, witness, public = statement
    randomness = (Fr.random(), Fr.random())
    before = numba.get_num_threads()
    proofs = []
    for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
        numba.set_num_threads(threads)
        try:
            proofs.append(prove(keys, witness, randomness=randomness))
        finally:
            numba.set_num_threads(before)
    assert proofs[0] == proofs[1] and verify(keys.vk, public, proofs[0])
    assert numba.get_num_threads() == before


def test_run_tasks_reuses_its_helper_threads():
    """A thread started per prove grew a prover's RSS by ~25 MB per 1,000 proves (a new malloc
    arena each): every run_tasks must run on the same helper threads."""
    import threading

    from zkwork.groth16.tasks import run_tasks, usable_workers

    FieldVector.from_ints(FR, [1, 2, 3])  # a parallel kernel: numba picks its threading layer
    assert usable_workers(2) == 2

    def threads_used():
        seen, barrier = set(), threading.Barrier(2, timeout=10)

        def item():
            seen.add(threading.current_thread())
            barrier.wait()  # both workers hold an item at once: the helper is surely used

        run_tasks([(1, item), (1, item)], workers=2)
        return seen

    first = threads_used()
    count = threading.active_count()
    assert len(first) == 2
    for _ in range(3):
        assert threads_used() == first
    assert threading.active_count() == count


def test_run_tasks_runs_follow_ups_and_raises_the_first_error():
    from zkwork.groth16.tasks import after, run_tasks
    done = []
    joined = after(2, lambda: [(0, lambda: done.append("end"))])

    def part(name):
        def run():
            done.append(name)
            return joined()
        return run

    run_tasks([(1, part("a")), (2, part("b"))], workers=2)
    assert sorted(done[:2]) == ["a", "b"] and done[2:] == ["end"]

    def fail():
        raise UnsatisfiedConstraintError("boom")

    with pytest.raises(UnsatisfiedConstraintError, match="boom"):
        run_tasks([(1, fail), (0, lambda: done.append("maybe"))], workers=2)
