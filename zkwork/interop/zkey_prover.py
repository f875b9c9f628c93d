"""prove_zkey(zkey, witness): a Groth16 proof from a snarkjs proving key (zkwork.formats.ZKey),
in the zkey's own QAP convention (snarkjs's groth16_prove.js), so that snarkjs accepts it
with the zkey's verification key.

A zkey holds the A and B matrices only (binding rows included, see zkey_file). For the
witness z, on the domain H = <omega> of size n:

    a = A z,  b = B z,  c = a * b (row-wise)

which for a satisfying witness is C z; C's part of the statement sits in the IC and C points.
The H points are set up for the evaluations of a(x) b(x) - c(x) (a, b, c interpolating the
rows on H) on the odd coset g H, g = omega_2n a primitive 2n-th root of unity (the points
half-way between those of H), with the division by Z(x) = x^n - 1 = -2 there folded into the
points. So, with g = omega_2n (snarkjs's Fr.w[log n + 1]; Fr.shift = 25 when n = 2^28 and no
2n-th root exists):

    a' = coset_ntt(intt(a), g), likewise b', c';   p_j = a'_j b'_j - c'_j  (j < n)
    A  = alpha_1 + sum_i z_i A_i + r delta_1
    B  = beta_2  + sum_i z_i B2_i + s delta_2          (B1 likewise in G1, with beta_1)
    C  = sum_{i private} z_i C_i + sum_j p_j H_j + s A + r B1 - r s delta_1

with r, s fresh from `secrets`. With no C matrix, a witness that breaks a constraint just
makes a failing proof, so prove_zkey verifies it with the zkey's verifying key (`check`, on
by default; UnsatisfiedConstraintError, after naming any B2 point outside G2, see
key_checks.check_own_proof); given the circuit's R1CS it first checks the witness against it.
"""
import numpy as np

from zkwork.backend import get_backend
from zkwork.errors import UnsatisfiedConstraintError
from zkwork.field import FR, FieldVector, Fr
from zkwork.formats import read_wtns_limbs, read_zkey
from zkwork.groth16.key_checks import check_own_proof, check_proving_key
from zkwork.groth16.keys import Proof
from zkwork.groth16.prover import witness_vector
from zkwork.groth16.qap import matvec
from zkwork.groth16.snarkjs_json import proof_to_json, public_to_json, write_json
from zkwork.poly import TWO_ADICITY, Domain, coset_ntt, intt

SHIFT_AT_MAX_DOMAIN = 25  # snarkjs's Fr.shift: the square of Fr's first non-residue, 5


def odd_coset_shift(domain_size):
    """The g of the coset g H on which snarkjs's H points expect the quotient's numerator."""
    if domain_size == 1 << TWO_ADICITY:
        return Fr(SHIFT_AT_MAX_DOMAIN)
    return Domain(2 * domain_size).omega


def quotient_evaluations(zkey, z):
    """p_j = a'_j b'_j - c'_j on the odd coset (see the module docstring), for the witness z
    as an (nVars, 4) Montgomery array; an (n, 4) Montgomery array."""
    n = zkey.domain_size
    domain = Domain.for_length(n)
    rows = []
    for name in ("A", "B"):
        matrix = zkey.matrix(name)
        values = np.zeros((n, 4), dtype=np.uint64)
        matvec(matrix.indptr, matrix.indices, matrix.coeffs, z, values)
        rows.append(values)
    rows.append(FR.vec.mul(rows[0], rows[1], np.empty_like(rows[0])))
    g = odd_coset_shift(n)
    a, b, c = (coset_ntt(intt(values, domain), g=g, domain=domain) for values in rows)
    return FR.vec.sub(FR.vec.mul(a, b, a), c, a)


def prove_zkey(zkey, witness, r1cs=None, check=True, backend="fast"):
    """A Groth16 proof of `witness` (ints or an Fr FieldVector, nVars values starting with 1)
    with a snarkjs proving key. With `r1cs` the witness is checked against it first; with
    `check` the proof is verified with zkey.vk before it is returned."""
    be = get_backend(backend)
    z = witness_vector(witness, zkey.num_vars)
    if r1cs is not None:
        r1cs.assert_satisfied(z.to_ints())
    p = FieldVector(FR, quotient_evaluations(zkey, z.mont))
    r, s = Fr.random(), Fr.random()
    vk = zkey.vk
    a = vk.alpha_1 + be.msm_g1(zkey.a_query, z) + zkey.delta_1 * r
    b2 = vk.beta_2 + be.msm_g2(zkey.b2_query, z) + vk.delta_2 * s
    b1 = zkey.beta_1 + be.msm_g1(zkey.b1_query, z) + zkey.delta_1 * s
    c = (
        be.msm_g1(zkey.c_query, z[zkey.num_public + 1 :])
        + be.msm_g1(zkey.h_query, p)
        + a * s + b1 * r - zkey.delta_1 * (r * s)
    )
    proof = Proof(a, b2, c)
    if check:
        failure = UnsatisfiedConstraintError(
            "the witness does not satisfy the zkey's circuit: the proof fails its verifying key "
            "(pass the circuit's R1CS to find the failing constraint)"
        )
        check_own_proof(zkey, public_signals(zkey, z), proof, "the zkey", "section 7 (points B2)", failure, backend=be)
    return proof


def public_signals(zkey, witness):
    """The public signals of a witness: values 1 .. nPublic (outputs, then public inputs)."""
    return witness[1 : zkey.num_public + 1].to_ints()


def read_zkey_for_proving(zkey_path, refuse_unsafe=False):
    """The .zkey at `zkey_path`; with `refuse_unsafe` (the command line's choice), a zkey
    anyone can forge proofs for (snarkjs's zkey_0000, without a phase-2 contribution:
    key_checks.check_proving_key) raises InvalidKeyError."""
    zkey = read_zkey(zkey_path)
    if refuse_unsafe:
        check_proving_key(zkey, zkey_path)
    return zkey


def prove_and_write(zkey, limbs, proof_path, public_path, backend="fast"):
    """Proves the witness given as plain (n, 4) limbs and writes proof.json and public.json
    in snarkjs's shape; returns (proof, public signals)."""
    witness = FieldVector(FR, FR.vec.to_mont(limbs, np.empty_like(limbs)))
    proof = prove_zkey(zkey, witness, backend=backend)
    public = public_signals(zkey, witness)
    write_json(proof_path, proof_to_json(proof))
    write_json(public_path, public_to_json(public))
    return proof, public


def prove_zkey_files(zkey_path, wtns_path, proof_path, public_path, backend="fast", refuse_unsafe=False):
    """snarkjs's `groth16 prove` with zkwork: read a .zkey and a .wtns, write proof.json and
    public.json in snarkjs's shape. Returns (proof, public signals); `refuse_unsafe` as in
    read_zkey_for_proving."""
    zkey = read_zkey_for_proving(zkey_path, refuse_unsafe)
    return prove_and_write(zkey, read_wtns_limbs(wtns_path), proof_path, public_path, backend)
