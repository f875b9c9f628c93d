"""The compiled prover (zkwork.prover): end-to-end proofs from inputs that verify, for the
statement they claim only; the JSON path a server takes; pickling to worker processes."""
import gc
import pickle

import pytest

from zkwork.errors import CircuitInputError, InvalidKeyError, UnsatisfiedConstraintError
from zkwork.field import R
from zkwork.groth16 import prepare_verifying_key, setup, verify
from zkwork.groth16.snarkjs_json import proof_from_json, public_from_json
from zkwork.patterns import get_pattern
from zkwork.prover import Prover, compile_prover
from zkwork.r1cs.inputs import inputs_to_json
from zkwork.r1cs.witness_program import WitnessProgram


@pytest.fixture(scope="module")
def membership():
    pattern = get_pattern("membership", "hardened", depth=4)
    program = WitnessProgram.record(pattern.circuit)
    pk = setup(program.r1cs)
    return pattern, Prover(program, pk, label=pattern.label), prepare_verifying_key(pk.vk)


def test_a_proof_verifies_and_a_changed_public_signal_does_not(membership):
    pattern, prover, pvk = membership
    inputs = pattern.sample_inputs()
    proof, public = prover.prove(inputs)
    assert public == pattern.expected_public(inputs)
    assert verify(pvk, public, proof)
    assert not verify(pvk, [public[0], (public[1] + 1) % R], proof)
    assert not verify(pvk, [public[0] ^ 1, public[1]], proof)


def test_the_json_path_gives_snarkjs_shapes_and_stage_times(membership):
    pattern, prover, pvk = membership
    inputs = pattern.sample_inputs()
    timings = {}
    proof_json, public_json = prover.prove_json(inputs_to_json(inputs), timings)
    assert public_json == [str(v) for v in pattern.expected_public(inputs)]
    assert verify(pvk, public_from_json(public_json), proof_from_json(proof_json))
    assert set(timings) == {"witness_s", "witness_cpu_s", "prove_s", "prove_cpu_s"}
    assert 0 < timings["witness_s"] < timings["prove_s"]


@pytest.mark.parametrize("precompute_mb", [0, 64])
def test_a_prove_leaves_no_reference_cycle(membership, precompute_mb):
    """A cycle holds a prove's arrays until the garbage collector runs: with one per prove, a
    prover's heap crept by ~5 MB per 1,000 proves (zkwork bench memory)."""
    pattern, prover, pvk = membership
    prover = Prover(prover.program, prover.pk, label=pattern.label, precompute_mb=precompute_mb)
    inputs = pattern.sample_inputs()
    prover.prove(inputs)
    gc.collect()
    gc.disable()
    try:
        proof, public = prover.prove(inputs)
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert verify(pvk, public, proof)


def test_bad_inputs_raise_before_any_proof(membership):
    pattern, prover, _ = membership
    inputs = pattern.sample_inputs()
    with pytest.raises(UnsatisfiedConstraintError, match="root_matches"):
        prover.prove({**inputs, "root": (inputs["root"] + 1) % R})
    with pytest.raises(CircuitInputError, match="'salt' = 'not a number' is not a number"):
        prover.prove_json({**inputs_to_json(inputs), "salt": "not a number"})


def test_a_pickled_prover_proves(membership):
    pattern, prover, pvk = membership
    copy = pickle.loads(pickle.dumps(prover))
    inputs = pattern.sample_inputs()
    proof, public = copy.prove(inputs)
    assert verify(pvk, public, proof)


def test_a_key_for_another_circuit_is_refused(membership):
    _, prover, _ = membership
    other = get_pattern("membership", "hardened", depth=5)
    with pytest.raises(InvalidKeyError, match="another circuit"):
        compile_prover(other, prover.pk)
