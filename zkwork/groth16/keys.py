"""Groth16's data: proving key, verifying key, proof (the prepared key is in `verifier`).

Names follow the paper (Groth 2016, "On the Size of Pairing-based Non-interactive
Arguments") and snarkjs: for wire polynomials u_i, v_i, w_i and toxic waste
tau, alpha, beta, gamma, delta,
  vk:  [alpha]_1, [beta]_2, [gamma]_2, [delta]_2 and
       IC_i = [(beta u_i(tau) + alpha v_i(tau) + w_i(tau)) / gamma]_1 for public wires i;
  pk:  vk, [beta]_1, [delta]_1, [u_i(tau)]_1, [v_i(tau)]_1, [v_i(tau)]_2 for all wires,
       L_i = [(beta u_i + alpha v_i + w_i)(tau) / delta]_1 for the private wires and
       H_k = [tau^k Z(tau) / delta]_1 for k < n - 1.
Long lists of points are affine Montgomery arrays, ready for MSM.
"""
from dataclasses import dataclass

import numpy as np

from zkwork.curve import G1Point, G2Point
from zkwork.groth16.qap import QAP


@dataclass(frozen=True)
class VerifyingKey:
    """The verifying key of a Groth16 proof: [alpha]_1, [beta]_2, [gamma]_2, [delta]_2 and the IC points."""
    alpha_1: G1Point
    beta_2: G2Point
    gamma_2: G2Point
    delta_2: G2Point
    ic: tuple  # of G1Point: IC_0 for the constant one, then one per public signal

    @property
    def num_public(self):
        """The number of public signals, one less than the IC points."""
        return len(self.ic) - 1


@dataclass(frozen=True)
class ProvingKey:
    """The proving key: vk, [beta]_1, [delta]_1, the A, B, L and H queries and the QAP."""
    vk: VerifyingKey
    beta_1: G1Point
    delta_1: G1Point
    a_query: np.ndarray  # (wires, 2, 4)
    b1_query: np.ndarray  # (wires, 2, 4)
    b2_query: np.ndarray  # (wires, 2, 2, 4)
    l_query: np.ndarray  # (private wires, 2, 4)
    h_query: np.ndarray  # (n - 1, 2, 4)
    qap: QAP


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof: the points [A]_1, [B]_2 and [C]_1."""
    a: G1Point
    b: G2Point
    c: G1Point
