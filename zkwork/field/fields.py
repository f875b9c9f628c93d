"""BN254's two prime fields: Fq, of the curve's coordinates, and Fr, of the group order (the
scalars and circuit values); FQ and FR hold their kernels, Fq and Fr make their elements."""
from zkwork.field.params import P, R
from zkwork.field.prime_field import PrimeField

FQ = PrimeField("Fq", P)
FR = PrimeField("Fr", R)
Fq = FQ.element
Fr = FR.element
