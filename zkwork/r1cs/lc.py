"""Linear combinations of wires: the values a circuit computes with.

A LinearCombination is sum(coeff * wire) over Fr, with wire 0 the constant one. Adding,
subtracting and scaling by constants builds new combinations without any constraint;
multiplying two non-constant combinations asks the constraint system for a new signal
and one constraint (a * b = c), which is the only thing that costs.
"""
from zkwork.errors import CircuitError, FieldMismatchError
from zkwork.field import FieldElement, R

ONE = 0  # the wire that always holds 1


class LinearCombination:
    """A linear combination sum(coeff * wire) over Fr; wire 0 is the constant 1."""
    __slots__ = ("cs", "terms")

    def __init__(self, cs, terms):
        self.cs = cs
        self.terms = terms  # {wire: coeff}, coeffs in [1, r)

    # -- inspection ------------------------------------------------------------------
    def is_constant(self):
        """Whether the combination mentions no wire but the constant one."""
        return all(wire == ONE for wire in self.terms)

    def constant_value(self):
        """The value of a constant combination."""
        return self.terms.get(ONE, 0)

    @property
    def value(self):
        """The value under the witness being computed (None while only building)."""
        values = self.cs.values
        total = 0
        for wire, coeff in self.terms.items():
            v = values[wire]
            if v is None:
                return None
            total += coeff * v
        return total % R

    # -- arithmetic ------------------------------------------------------------------
    def _coerce(self, other):
        if isinstance(other, LinearCombination):
            if other.cs is not self.cs:
                raise CircuitError("cannot combine signals of two different constraint systems")
            return other
        if isinstance(other, FieldElement):
            if other.field.modulus != R:
                raise FieldMismatchError(f"circuits compute in Fr, got an element of {other.field.name}")
            other = other.value
        if isinstance(other, int):
            return self.cs.constant(other)
        return None

    def __add__(self, other):
        other = self._coerce(other)
        if other is None:
            return NotImplemented
        terms = dict(self.terms)
        for wire, coeff in other.terms.items():
            c = (terms.get(wire, 0) + coeff) % R
            if c:
                terms[wire] = c
            else:
                terms.pop(wire, None)
        return LinearCombination(self.cs, terms)

    __radd__ = __add__

    def __neg__(self):
        return LinearCombination(self.cs, {w: R - c for w, c in self.terms.items()})

    def __sub__(self, other):
        other = self._coerce(other)
        return NotImplemented if other is None else self + (-other)

    def __rsub__(self, other):
        other = self._coerce(other)
        return NotImplemented if other is None else other + (-self)

    def scale(self, k):
        """The combination times the constant k (reduced mod r), adding no constraint."""
        k %= R
        if k == 0:
            return LinearCombination(self.cs, {})
        return LinearCombination(self.cs, {w: c * k % R for w, c in self.terms.items()})

    def __mul__(self, other):
        other = self._coerce(other)
        if other is None:
            return NotImplemented
        if other.is_constant():
            return self.scale(other.constant_value())
        if self.is_constant():
            return other.scale(self.constant_value())
        return self.cs.mul(self, other)

    __rmul__ = __mul__

    def __repr__(self):
        parts = [f"{c}*w{w}" if w != ONE else str(c) for w, c in sorted(self.terms.items())]
        return "LC(" + (" + ".join(parts) or "0") + ")"
