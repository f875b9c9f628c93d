"""Polynomials over Fr: evaluation domains, NTTs (plain and on a coset) and the helpers a
Groth16 prover and key generator need."""
from zkwork.poly.domain import MULTIPLICATIVE_GENERATOR, TWO_ADICITY, Domain
from zkwork.poly.ntt import coset_intt, coset_ntt, intt, ntt
from zkwork.poly.polynomial import evaluate, lagrange_basis_at, multiply, vanishing_at

__all__ = [
    "Domain", "MULTIPLICATIVE_GENERATOR", "TWO_ADICITY",
    "ntt", "intt", "coset_ntt", "coset_intt",
    "evaluate", "multiply", "vanishing_at", "lagrange_basis_at",
]
