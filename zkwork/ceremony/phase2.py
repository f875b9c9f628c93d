"""Phase 2 of the ceremony (ceremony format version 2): snarkjs's MPC on a .zkey, and what
zkwork's own prover takes from the result.

A circuit's phase 2 is snarkjs's, so the key snarkjs verifies is the ceremony's key: the
sealed phase 1 as a prepared .ptau (snarkjs_ptau.export_transcript_ptau, prepare_phase2),
the circuit's initial .zkey (zkey_new, gamma = delta = 1), then contributions and a beacon
on delta in snarkjs's transcript (zkey_mpc: section 10 of the .zkey), checked by
zkey_mpc.verify_zkey as `snarkjs zkey verify` checks them.

`proving_key` turns a .zkey into zkwork's ProvingKey of the same circuit, so that `zkwork
prove` proves with the ceremony's key. Both hold the same alpha_1, beta_1, beta_2, gamma_2,
delta_1, delta_2, IC and A, B1, B2 points, and the .zkey's C points are zkwork's L query
(zkwork's QAP has snarkjs's binding rows A[m + i][i] = 1 and the same domain, the smallest
power of two above the constraints and public signals). The H points differ: snarkjs's are
H_j = [L'_(2j+1)(tau) / delta] (L' the Lagrange basis of the domain of 2n points, whose odd
points are the coset g H with g = omega_2n, see zkwork.interop.zkey_prover), zkwork's are h_k = [tau^k Z(tau)
/ delta] for k < n - 1. The polynomial x^k Z(x) has degree n + k < 2n, vanishes on H and is
(g omega^j)^k (g^n - 1) = -2 g^k omega^(jk) on the coset, so

    h_k = -2 g^k sum_j omega^(jk) H_j = -2 n g^k INTT(H_(-j mod n))_k,

one inverse group NTT of the reversed points (zkwork.poly.group_fft) and one batch
multiplication. Tests check the result equal to setup_from_toxic_waste's key for known
secrets. (A domain of 2^28 points, where snarkjs takes another coset, is refused.)

`check_ceremony` adds what a ceremony needs besides a valid chain (zkey_mpc.verify_zkey
accepts a key without contributions, whose delta = gamma forges proofs):
    contributors       at least `min_contributors` (>= 1) distinct contributors besides
                       beacons (records.check_contributor_count; an unnamed record counts
                       as its own contributor)
    delta_not_gamma    delta_2 is not +-gamma_2 and delta_1 not +-[1]_1: with delta = gamma,
                       A = alpha_1, B = beta_2, C = -IC(x) verifies for any public x
    beacon_position    a beacon, if any, is the last record
    beacon_last        (when sealing is required) the last record is a beacon.
"""
import numpy as np

from zkwork.ceremony.records import check_contributor_count
from zkwork.curve import G1Point
from zkwork.curve.batch_mul import batch_mul_g1
from zkwork.errors import DomainSizeError, KeyFormatError
from zkwork.field import FR, FieldVector, Fr
from zkwork.formats.zkey_file import BEACON
from zkwork.groth16.keys import ProvingKey
from zkwork.groth16.qap import QAP
from zkwork.poly import TWO_ADICITY, Domain
from zkwork.poly.group_fft import group_intt_g1


class CircuitTooLargeError(DomainSizeError):
    """A circuit whose QAP domain is larger than the powers of tau serve."""


def h_query(zkey):
    """zkwork's H query [tau^k Z(tau) / delta]_1, k < n - 1, from a .zkey's H points (module
    docstring)."""
    n = zkey.domain_size
    if n >= 1 << TWO_ADICITY:
        raise CircuitTooLargeError(f"a .zkey domain of 2^{TWO_ADICITY} points (snarkjs's other coset) is not supported")
    reversed_points = np.ascontiguousarray(zkey.h_query[(-np.arange(n)) % n])
    transformed = group_intt_g1(reversed_points, Domain(n))[: n - 1]
    step, scalar = Domain(2 * n).omega, Fr(-2) * Fr(n)
    scalars = np.empty((n - 1, 4), dtype=np.uint64)
    for k in range(n - 1):
        scalars[k] = FR.to_mont_limbs(scalar.value)
        scalar = scalar * step
    return batch_mul_g1(np.ascontiguousarray(transformed), FieldVector(FR, scalars))


def proving_key(zkey, r1cs) -> ProvingKey:
    """zkwork's proving key of `r1cs` holding the .zkey's key (module docstring);
    KeyFormatError if the .zkey's sizes are not the circuit's."""
    qap = QAP.from_r1cs(r1cs)
    mine = (qap.num_wires, qap.num_public, qap.domain.size)
    theirs = (zkey.num_vars, zkey.num_public, zkey.domain_size)
    if mine != theirs:
        raise KeyFormatError(f"the .zkey has (nVars, nPublic, domainSize) {theirs}, the circuit {mine}")
    return ProvingKey(vk=zkey.vk, beta_1=zkey.beta_1, delta_1=zkey.delta_1, a_query=zkey.a_query,
                      b1_query=zkey.b1_query, b2_query=zkey.b2_query, l_query=zkey.c_query, h_query=h_query(zkey),
                      qap=qap)


def contributor_names(params) -> list:
    """The distinct contributors of an MpcParams besides beacons, in order (an unnamed
    record is its own contributor, named by its snarkjs number)."""
    names = [c.name or f"unnamed #{position + 1}" for position, c in enumerate(params.contributions)
             if c.kind != BEACON]
    return list(dict.fromkeys(names))


def check_ceremony(check, zkey, params, *, require_sealed=True, min_contributors=1):
    """Adds the checks of the module docstring with `check` (a consistency.Checker) for the
    .zkey `zkey` and its MpcParams `params`."""
    records = params.contributions
    check_contributor_count(check, len(contributor_names(params)), min_contributors)
    gamma_2, g1 = zkey.vk.gamma_2, G1Point.generator()
    check("delta_not_gamma", lambda: zkey.vk.delta_2 not in (gamma_2, -gamma_2) and zkey.delta_1 not in (g1, -g1),
          "delta is +-1, +-gamma (section 2): anyone can forge a proof for any public signals")
    check("beacon_position", lambda: all(c.kind != BEACON for c in records[:-1]),
          "a beacon is not the last record (section 10)")
    if require_sealed:
        check("beacon_last", lambda: bool(records) and records[-1].kind == BEACON,
              "the last record is not the beacon (section 10)")
