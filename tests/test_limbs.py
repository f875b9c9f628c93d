"""The scalar Montgomery kernels against Python ints on every pair of edge values (and
random ones): the branchless add/sub at a + b = p, a = b, 0 and p - 1, the branchy
reduction of products, for both BN254 fields."""
import pytest

from zkwork.field import FQ, FR
from zkwork.field.limbs import int_to_limbs, limbs_to_int

FIELDS = [FQ, FR]


def edge_values(modulus):
    """Canonical values at the limb and modulus boundaries, where the final subtraction flips."""
    limb_edges = [2**64 - 1, 2**64, 2**128 - 1, 2**128, 2**192 - 1, 2**192 + 7, 2**255 % modulus]
    near_modulus = [modulus - k for k in range(1, 4)] + [(modulus - 1) // 2, (modulus + 1) // 2]
    return [0, 1, 2] + limb_edges + near_modulus + [modulus - 2**64, 2**256 % modulus]


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_kernels_on_every_pair_of_edge_values(field, rng):
    k, p = field.kernels, field.modulus
    r_inverse = pow(2**256, -1, p)  # mul works in Montgomery form: a*b/2^256
    values = edge_values(p) + [rng.randrange(p) for _ in range(8)]
    for a in values:
        la = int_to_limbs(a)
        assert limbs_to_int(k.neg(la)) == -a % p
        assert limbs_to_int(k.double(la)) == 2 * a % p
        assert limbs_to_int(k.sqr(la)) == a * a * r_inverse % p
        for b in values:
            lb = int_to_limbs(b)
            assert limbs_to_int(k.add(la, lb)) == (a + b) % p
            assert limbs_to_int(k.sub(la, lb)) == (a - b) % p
            assert limbs_to_int(k.mul(la, lb)) == a * b * r_inverse % p


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_sums_that_reach_the_modulus_exactly(field, rng):
    k, p = field.kernels, field.modulus
    for a in [0, 1, p - 1] + [rng.randrange(p) for _ in range(50)]:
        la, l_rest = int_to_limbs(a), int_to_limbs((p - a) % p)
        assert limbs_to_int(k.add(la, l_rest)) == 0
        assert limbs_to_int(k.sub(la, la)) == 0
        assert limbs_to_int(k.sub(int_to_limbs(0), la)) == (p - a) % p
