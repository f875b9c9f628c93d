"""Checks of Groth16 keys that come from files: their points are valid, and they are safe.

Points. read_circuit_dir and read_zkey check every point array of a key on the curve as
they load it (`check_arrays_on_curve`; the error names the array and the index). G1's
cofactor is 1, so a G1 point on the curve is in G1. G2's is not, but its subgroup check is
the expensive part (60 - 90% of a prove, measured beside `check_own_proof`), so the provers
verify their own proof before writing it instead: a B2 point outside G2 with a nonzero
witness value puts B outside G2 (with a cofactor part that depends on the witness, which the
proof must not leak), the verifier refuses it, and only then do the subgroup checks run, to
name the point. Verifying also catches keys whose valid points do not belong together
(beta_1 and beta_2 of different secrets, a key of another circuit).

Safety. e(A, B) = e(alpha, beta) e(IC(x), gamma) e(C, delta), IC(x) = IC_0 + sum x_i IC_i:
  gamma_2 == delta_2: A = alpha_1, B = beta_2, C = -IC(x) is a proof of any x;
  gamma_2 == -delta_2: likewise with C = IC(x);
  delta = [1] (no phase-2 contribution, as in a ceremony's initial keys or snarkjs's
      zkey_0000): gamma IC_i = [beta u_i + alpha v_i + w_i](tau) is a combination of the public
      powers of tau [tau^k]_1, [alpha tau^k]_1, [beta tau^k]_1, so C = -sum x_i gamma IC_i
      forges against delta_2 = [1]_2;
  alpha_1, beta_2, gamma_2, delta_2 (and the prover's beta_1, delta_1) at infinity drop a term
      of the equation (or of the proof's blinding).
`check_verifying_key` refuses all of these; `check_proving_key` also the prover's G1 points.
They are separate from groth16.prove and verify, which take keys as given (the ceremony
builds and tests keys with gamma = delta = [1] on purpose): the command line and other
readers of key files call them.
"""
from zkwork.curve import G1Point, G2Point, check_g2_affine_array, first_off_curve
from zkwork.errors import InvalidKeyError, ZkworkError
from zkwork.groth16.verifier import verify


def check_arrays_on_curve(arrays, where):
    """InvalidKeyError naming the array and the point if a point of `arrays` (name -> affine
    array) is off the curve."""
    for name, array in arrays.items():
        index = first_off_curve(array)
        if index is not None:
            raise InvalidKeyError(f"{where}: {name} point {index} is not on the curve", field=name)


def _refuse(condition, where, field, why):
    if condition:
        raise InvalidKeyError(f"{where}: {field} {why}", field=field)


def _non_trivial(points, where):
    for field, point in points.items():
        _refuse(point.is_infinity(), where, field, "is the point at infinity; the protocol needs a non-trivial point")


def check_verifying_key(vk, where):
    """InvalidKeyError (naming the field, in snarkjs's names) for a verifying key with which
    anyone can forge proofs; see the module docstring."""
    _non_trivial({"vk_alpha_1": vk.alpha_1, "vk_beta_2": vk.beta_2, "vk_gamma_2": vk.gamma_2,
                  "vk_delta_2": vk.delta_2}, where)
    _refuse(vk.delta_2 == vk.gamma_2, where, "vk_delta_2",
            "equals vk_gamma_2: an unsafe key, anyone can forge a proof (A = alpha_1, B = beta_2, C = -IC(x))")
    _refuse(vk.delta_2 == -vk.gamma_2, where, "vk_delta_2",
            "equals -vk_gamma_2: an unsafe key, anyone can forge a proof (A = alpha_1, B = beta_2, C = IC(x))")
    _refuse(vk.delta_2 == G2Point.generator(), where, "vk_delta_2",
            "is the generator [1]_2: no phase-2 contribution, anyone with the powers of tau can forge a proof")


def check_proving_key(key, where):
    """check_verifying_key for key.vk, and the prover's own beta_1 and delta_1 (a ProvingKey or
    a ZKey)."""
    check_verifying_key(key.vk, where)
    _non_trivial({"beta_1": key.beta_1, "delta_1": key.delta_1}, where)
    _refuse(key.delta_1 == G1Point.generator(), where, "delta_1",
            "is the generator [1]_1: no phase-2 contribution, anyone with the powers of tau can forge a proof")


# Measured (best of 11 runs, 2 cores shared with other jobs) for membership hardened at
# depth 20 (5125 wires, 8191 H points) and depth 4 (1221 wires, 2047 H points):
#                                                 depth 20              depth 4
#     a prove                                     410 - 635 ms          150 ms
#     every array on the curve (serial loop)      2.5 ms (0.5%)         0.6 ms (0.4%)
#     B2's points in G2 (curve package)           365 ms (60 - 90%)     105 ms (70%)
#     verifying the proof just made               3.2 ms (0.5 - 0.8%)   3.2 ms (2%)
# The on-curve checks are zkwork.curve's (first_off_curve), on one thread for arrays of this size.
def check_own_proof(key, public, proof, where, b2_name, failure, backend="fast"):
    """Verifies a proof just made with `key`; if it fails, raises InvalidKeyError naming a
    point of key.b2_query outside G2 (called `b2_name`), or else the exception `failure`."""
    if verify(key.vk, public, proof, backend=backend):
        return
    # Only on this failure path: the subgroup checks cost 60 - 90% of a prove (measured above).
    try:
        check_g2_affine_array(key.b2_query)
    except ZkworkError as error:
        raise InvalidKeyError(f"{where}: {b2_name}: {error}", field=b2_name) from error
    raise failure
