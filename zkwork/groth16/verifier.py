"""verify(vk, public_inputs, proof): Groth16's pairing equation

    e(A, B) = e(alpha, beta) * e(IC, gamma) * e(C, delta),  IC = IC_0 + sum_i x_i IC_i,

checked as one product of three Miller loops and one final exponentiation against the
prepared e(alpha, beta). Inputs that an attacker controls (the public inputs and the proof)
never raise: anything malformed, out of range or off the subgroup makes the answer False.

verify_batch checks many proofs of one circuit at once with random 128-bit weights rho_k:

    prod_k e(rho_k A_k, B_k) = e(alpha, beta)^(sum rho_k) * e(sum rho_k IC_k, gamma)
                               * e(sum rho_k C_k, delta),

k + 2 Miller loops and a single final exponentiation; a batch with one bad proof fails
except with probability 2^-128. A batch that is not a collection of (public inputs, proof)
pairs makes the answer False, as a malformed statement does for verify.
"""
import secrets
from dataclasses import dataclass

from zkwork.backend import get_backend
from zkwork.curve import G1Point, G2Point
from zkwork.field import R
from zkwork.groth16.keys import Proof, VerifyingKey


@dataclass(frozen=True)
class PreparedVerifyingKey:
    """A verifying key with e(alpha, beta) precomputed by its backend."""
    vk: VerifyingKey
    alpha_beta: object  # e(alpha, beta) in the backend's GT
    backend: object


def prepare_verifying_key(vk, backend="fast"):
    """The PreparedVerifyingKey of vk, pairing [alpha]_1 and [beta]_2 once with the backend."""
    be = get_backend(backend)
    return PreparedVerifyingKey(vk, be.pairing(vk.alpha_1, vk.beta_2), be)


def _prepared(vk, backend):
    if isinstance(vk, PreparedVerifyingKey):
        return vk
    return prepare_verifying_key(vk, backend)


def _valid_public_inputs(vk, public_inputs):
    try:
        values = list(public_inputs)
    except TypeError:
        return None
    if len(values) != vk.num_public:
        return None
    if not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x < R for x in values):
        return None
    return values


def _valid_proof(proof):
    return (
        isinstance(proof, Proof)
        and isinstance(proof.a, G1Point) and isinstance(proof.b, G2Point) and isinstance(proof.c, G1Point)
        and all(p.is_in_subgroup() for p in (proof.a, proof.b, proof.c))
    )


def _input_commitment(vk, values):
    """IC_0 + sum_i x_i IC_i (few public inputs: plain scalar multiplications)."""
    acc = vk.ic[0]
    for point, x in zip(vk.ic[1:], values):
        acc = acc + point * x
    return acc


def verify(vk, public_inputs, proof, backend="fast"):
    """True iff the proof is valid for these public inputs; False for anything else."""
    pvk = _prepared(vk, backend)
    values = _valid_public_inputs(pvk.vk, public_inputs)
    if values is None or not _valid_proof(proof):
        return False
    vk = pvk.vk
    pairs = [(proof.a, proof.b), (-_input_commitment(vk, values), vk.gamma_2), (-proof.c, vk.delta_2)]
    return pvk.backend.pairing_product_is(pairs, pvk.alpha_beta)


def verify_batch(vk, statements, backend="fast"):
    """True iff every (public_inputs, proof) of the batch is valid; one final exponentiation.
    False, never an exception, for a batch or a statement of another shape."""
    pvk = _prepared(vk, backend)
    vk = pvk.vk
    try:
        statements = list(statements)
    except TypeError:
        return False
    if not statements:
        return True
    pairs, ic_sum, c_sum, rho_sum = [], G1Point.infinity(), G1Point.infinity(), 0
    for statement in statements:
        try:
            public_inputs, proof = statement
        except (TypeError, ValueError):  # not iterable, or not of two items
            return False
        values = _valid_public_inputs(vk, public_inputs)
        if values is None or not _valid_proof(proof):
            return False
        rho = secrets.randbits(128) | 1
        pairs.append((proof.a * rho, proof.b))
        ic_sum = ic_sum + _input_commitment(vk, values) * rho
        c_sum = c_sum + proof.c * rho
        rho_sum += rho
    pairs += [(-ic_sum, vk.gamma_2), (-c_sum, vk.delta_2)]
    return pvk.backend.pairing_product_is(pairs, pvk.alpha_beta ** (rho_sum % R))
