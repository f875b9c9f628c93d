"""What the verifiers of phase 1 share (zkwork's transcripts in phase1.py, snarkjs's .ptau
files in snarkjs_ptau.py; phase 2 uses the Checker too): the Checker that records checks
into a VerificationReport, and `check_powers`, the consistency of all the powers of a
state with one pairing check per family.

check_powers, with G1 = [1]_1, G2 = [1]_2 and random weights r_i from `secrets`:
    generators          tau_g1[0] and tau_g2[0] are the generators
    tau_g1_powers       same_ratio(sum r_i tau_g1[i], sum r_i tau_g1[i+1], G2, tau_g2[1])
    alpha_tau_g1_powers same_ratio(sum r_i alpha_tau_g1[i], sum r_i alpha_tau_g1[i+1], G2, tau_g2[1])
    beta_tau_g1_powers  likewise
    tau_g2_powers       same_ratio(G1, tau_g1[1], sum r_i tau_g2[i], sum r_i tau_g2[i+1])
    beta_g2             same_ratio(G1, beta_tau_g1[0], G2, beta_g2)
If some consecutive pair had another ratio than tau, the two sums would differ from a
tau-multiple by sum r_i e_i for nonzero errors e_i, which is zero with probability 1/r
over the weights; with the generators at index 0 and tau_g2[1] fixed by the chain of
records (which the callers check), every point is then the right power. The sums are
multi-scalar multiplications.
"""
import numpy as np

from zkwork.ceremony.pok import same_ratio
from zkwork.curve import G1Point, G2Point
from zkwork.curve.msm import msm_g1, msm_g2
from zkwork.errors import ZkworkError
from zkwork.field import FR, FieldVector

# What malformed data built in memory (a record, a point, a proof) can raise while checked.
BAD_DATA = (ZkworkError, ValueError, TypeError, AttributeError, KeyError, IndexError)


class Checker:
    """Adds checks of one contribution (its position, or "initial" / "final") to a report,
    turning an exception raised by bad data into a failure with the error as its detail.
    `evaluate` is called at once, so lambdas over loop variables see the current values."""

    def __init__(self, report, contribution, contributor):
        self.report, self.contribution, self.contributor = report, contribution, contributor

    def __call__(self, name, evaluate, detail=""):
        """Record check `name`: passed if evaluate() is true; returns whether it passed."""
        try:
            passed = bool(evaluate())
        except BAD_DATA as error:
            passed, detail = False, f"{type(error).__name__}: {error}"
        self.report.add(self.contribution, self.contributor, name, passed, "" if passed else detail)
        return passed


def _shifted_sums(cls, msm, array, weights):
    """(sum_i w_i P_i, sum_i w_i P_(i+1)) over the points P of `array`."""
    return cls(msm(array[:-1], weights)), cls(msm(array[1:], weights))


def check_powers(report, state, contributor="", contribution="final"):
    """Add the checks of the module docstring for `state` (a PowersOfTau of power >= 1) to
    `report`, as checks of `contribution` by `contributor`."""
    check = Checker(report, contribution, contributor)
    g1, g2 = G1Point.generator(), G2Point.generator()
    head = state.head()
    check("generators", lambda: np.array_equal(state.tau_g1[0], g1.affine_mont())
          and np.array_equal(state.tau_g2[0], g2.affine_mont()), "tau_g1[0] or tau_g2[0] is not the generator")
    n = state.size
    weights = FieldVector.random(FR, 2 * n - 2)
    first = FieldVector(FR, weights.mont[: n - 1])
    for name, array, w in (
        ("tau_g1_powers", state.tau_g1, weights),
        ("alpha_tau_g1_powers", state.alpha_tau_g1, first),
        ("beta_tau_g1_powers", state.beta_tau_g1, first),
    ):
        check(name, lambda: same_ratio(*_shifted_sums(G1Point, msm_g1, array, w), g2, head.tau_g2),
              f"some consecutive points of {name[:-7]} are not in the ratio tau")
    check("tau_g2_powers", lambda: same_ratio(g1, head.tau_g1, *_shifted_sums(G2Point, msm_g2, state.tau_g2, first)),
          "some consecutive points of tau_g2 are not in the ratio tau")
    check("beta_g2", lambda: same_ratio(g1, head.beta_g1, g2, head.beta_g2),
          "beta_g2 and beta_tau_g1[0] are not the same beta")
