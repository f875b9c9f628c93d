"""Key generation: `setup(r1cs)` draws fresh toxic waste from `secrets` and forgets it;
`setup_from_toxic_waste` takes it as given (tests, or a ceremony's output)."""
from dataclasses import dataclass

from zkwork.backend import get_backend
from zkwork.curve import G1Point, G2Point, g1_points_from_affine_array
from zkwork.field import FR, FieldVector, Fr
from zkwork.groth16.keys import ProvingKey, VerifyingKey
from zkwork.groth16.qap import QAP
from zkwork.poly.kernels import powers
from zkwork.errors import DegenerateSecretError


@dataclass(frozen=True)
class ToxicWaste:
    """The secrets of a Groth16 setup: tau, alpha, beta, gamma and delta in Fr."""
    tau: Fr
    alpha: Fr
    beta: Fr
    gamma: Fr
    delta: Fr

    @classmethod
    def random(cls):
        """Five uniform nonzero elements of Fr from `secrets`."""
        values = []
        while len(values) < 5:
            x = Fr.random()
            if x != 0:
                values.append(x)
        return cls(*values)


def setup(r1cs, backend="fast"):
    """A development setup: keys from toxic waste that exists only inside this call."""
    return setup_from_toxic_waste(r1cs, ToxicWaste.random(), backend)


def setup_from_toxic_waste(r1cs, waste, backend="fast"):
    """The ProvingKey of an R1CS from given toxic waste; DegenerateSecretError if Z(tau) = 0."""
    be = get_backend(backend)
    qap = QAP.from_r1cs(r1cs)
    tau, alpha, beta, gamma, delta = waste.tau, waste.alpha, waste.beta, waste.gamma, waste.delta
    if tau ** qap.domain.size == 1:
        raise DegenerateSecretError("tau lies in the evaluation domain, where Z(tau) = 0; draw another")
    g1, g2 = G1Point.generator(), G2Point.generator()
    u, v, w = qap.wire_polynomials_at(tau)
    # K_i = beta u_i + alpha v_i + w_i, split between public (/gamma) and private (/delta) wires
    k = u.scale(beta) + v.scale(alpha) + w
    public = qap.num_public + 1
    ic = k[:public].scale(gamma.inverse())
    l_private = k[public:].scale(delta.inverse())
    z_tau = tau ** qap.domain.size - 1
    h_powers = FieldVector(FR, powers(FR.to_mont_limbs(tau.value), qap.domain.size - 1)).scale(z_tau / delta)
    vk = VerifyingKey(
        alpha_1=g1 * alpha, beta_2=g2 * beta, gamma_2=g2 * gamma, delta_2=g2 * delta,
        ic=tuple(g1_points_from_affine_array(be.fixed_base_g1(g1, ic), check=False)),
    )
    return ProvingKey(
        vk=vk, beta_1=g1 * beta, delta_1=g1 * delta,
        a_query=be.fixed_base_g1(g1, u), b1_query=be.fixed_base_g1(g1, v),
        b2_query=be.fixed_base_g2(g2, v), l_query=be.fixed_base_g1(g1, l_private),
        h_query=be.fixed_base_g1(g1, h_powers), qap=qap,
    )

