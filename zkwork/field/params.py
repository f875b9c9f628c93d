"""BN254 (alt_bn128) constants as plain integers.

P is the base-field modulus (coordinates of curve points); R is the prime order of G1, G2
and GT, the scalar field in which circuits compute. X is the BN parameter u, from which
P = 36u^4 + 36u^3 + 24u^2 + 6u + 1 and R = 36u^4 + 36u^3 + 18u^2 + 6u + 1.
"""

X = 4965661367192848881
P = 36 * X**4 + 36 * X**3 + 24 * X**2 + 6 * X + 1
R = 36 * X**4 + 36 * X**3 + 18 * X**2 + 6 * X + 1

# Curve equations: G1 is y^2 = x^3 + 3 over Fq; G2 is the D-type sextic twist
# y^2 = x^3 + 3/(9+u) over Fq2 = Fq[u]/(u^2 + 1).
B = 3
FQ2_NON_RESIDUE = (9, 1)  # xi = 9 + u: Fq6 = Fq2[v]/(v^3 - xi), Fq12 = Fq6[w]/(w^2 - v)

assert P == 0x30644E72E131A029B85045B68181585D97816A916871CA8D3C208C16D87CFD47
assert R == 0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001
