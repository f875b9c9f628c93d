"""The two prime fields of BN254: Fq (coordinates) and Fr (scalars, circuit values)."""
from zkwork.field.fields import FQ, FR, Fq, Fr
from zkwork.field.params import P, R
from zkwork.field.prime_field import FieldElement, PrimeField
from zkwork.field.vector import FieldVector

__all__ = ["FQ", "FR", "Fq", "Fr", "FieldElement", "FieldVector", "PrimeField", "P", "R"]
