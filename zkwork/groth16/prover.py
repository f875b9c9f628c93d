"""prove(pk, witness): a Groth16 proof (A, B, C) with fresh r, s from `secrets`.

    A = [alpha]_1 + sum_i z_i [u_i]_1 + r [delta]_1
    B = [beta]_2  + sum_i z_i [v_i]_2 + s [delta]_2     (and B in G1, for C)
    C = sum_{i private} z_i L_i + sum_k h_k H_k + s A + r B_1 - r s [delta]_1

Zero and one entries of the witness cost nothing or one addition inside the MSMs. With
`check`, the proof is verified with pk.vk before it is returned (key_checks.check_own_proof):
for keys read from files, whose b2_query points are checked on the curve but not in G2 (that
costs 60 - 90% of a prove; a verification 0.5 - 2%).
"""
from zkwork.backend import get_backend
from zkwork.errors import CircuitInputError, InvalidKeyError
from zkwork.field import FR, FieldVector, Fr
from zkwork.groth16.key_checks import check_own_proof
from zkwork.groth16.keys import Proof


def prove(pk, witness, backend="fast", check=False):
    """A proof of `witness` (ints or an Fr FieldVector of pk's wires, starting with 1); with
    `check`, verified with pk.vk before it is returned (InvalidKeyError if it fails)."""
    be = get_backend(backend)
    qap = pk.qap
    z = witness_vector(witness, qap.num_wires)
    h = qap.quotient(z.mont)
    r, s = Fr.random(), Fr.random()
    vk = pk.vk
    a = vk.alpha_1 + be.msm_g1(pk.a_query, z) + pk.delta_1 * r
    b2 = vk.beta_2 + be.msm_g2(pk.b2_query, z) + pk.vk.delta_2 * s
    b1 = pk.beta_1 + be.msm_g1(pk.b1_query, z) + pk.delta_1 * s
    public = qap.num_public + 1
    c = (
        be.msm_g1(pk.l_query, z[public:])
        + be.msm_g1(pk.h_query, FieldVector(FR, h))
        + a * s + b1 * r - pk.delta_1 * (r * s)
    )
    proof = Proof(a, b2, c)
    if check:
        # quotient() has checked the witness against the key's own QAP: a failure is the key's.
        failure = InvalidKeyError("the proving key's points do not belong together: the proof of a satisfying "
                                  "witness fails the key's own verifying key (a corrupted or mismatched key)")
        check_own_proof(pk, z[1:public].to_ints(), proof, "the proving key", "b2_query", failure, backend=be)
    return proof


def witness_vector(witness, num_wires):
    """The witness as an Fr FieldVector of num_wires values, the first 1; else CircuitInputError."""
    if isinstance(witness, FieldVector):
        vector = witness
    else:
        witness = list(witness)
        for i, value in enumerate(witness):
            if not isinstance(value, int) or not 0 <= value < FR.modulus:
                raise CircuitInputError(f"witness value {i} = {value!r} is not a field element (0 <= x < r)")
        vector = FieldVector.from_ints(FR, witness)
    if len(vector) != num_wires:
        raise CircuitInputError(f"the proving key expects {num_wires} witness values, got {len(vector)}")
    if vector[0] != 1:
        raise CircuitInputError("witness value 0 is the constant one and must be 1")
    return vector
