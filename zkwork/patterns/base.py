"""What the five proof patterns share: variants, a size parameter, building and solving
the circuit, the inputs' names, and the few constraint idioms their Circom twins repeat.

A pattern is an object (`Membership(variant="hardened", depth=20)`) whose `circuit(cs)`
writes the constraints into a ConstraintSystem under the pattern's name as namespace.
Its input names are the Circom twin's signal names (`pathElements`, `revealMask`, ...),
so one input dict serves `solve` here and `snarkjs wtns calculate` there, and inputs are
declared in the twin's order so that wires and public signals line up with circom's.

Every pattern also computes its public signals natively (`expected_public`), from the
native Poseidon and the native Merkle tree only, as an independent check of the circuit.
"""
import secrets
from abc import ABC, abstractmethod

from zkwork.errors import ZkworkError
from zkwork.field import R
from zkwork.gadgets.bits import is_equal
from zkwork.gadgets.merkle import SparseMerkleTree
from zkwork.r1cs import build, solve

VARIANTS = ("reference", "hardened")


class PatternError(ZkworkError, ValueError):
    """An unknown pattern or variant, or a size parameter the pattern cannot take."""


class StatementError(ZkworkError, ValueError):
    """Inputs for which a pattern's statement is false, found by the native computation."""


def require(condition, message):
    """Raise StatementError(message) unless `condition`."""
    if not condition:
        raise StatementError(message)


def random_field_element():
    """A uniformly random element of Fr from the `secrets` generator (salts, nonces)."""
    return secrets.randbelow(R)


def given_or_random(value):
    """`value` when given, else a fresh random field element."""
    return random_field_element() if value is None else value


def with_salt(values, salt):
    """The preimage of a commitment: `values`, then `salt` unless it is None (the
    reference variants commit without salt)."""
    return [*values] if salt is None else [*values, salt]


def assert_is_equal(cs, a, b, name="match"):
    """circomlib's `IsEqual()(a, b).out === 1`, the idiom the reference design uses for
    equality: the is_zero gadget of a - b with its output forced to 1. After linear
    elimination it costs what circom counts (often nothing, when a or b is a removable
    signal that a = b lets --O2 substitute away)."""
    with cs.namespace(name):
        cs.assert_equal(is_equal(cs, a, b), 1, "out_is_one")


def bind_challenge(cs, challenge):
    """challengeSquare = challenge^2, the constraint that ties a public input nothing else
    uses into the proof (as Tornado Cash and Semaphore do): one constraint."""
    with cs.namespace("challenge"):
        cs.mul(challenge, challenge, "square")


class Pattern(ABC):
    """A proof pattern in one variant and size. Subclasses set `name`, `size_param` (the
    keyword of their size parameter, or None), `default_size`, `size_letter` (the letter
    of the Circom main files, `membership_reference_d4`), the size's bounds `min_size` and
    `max_size` (None: unbounded), and implement `define` (the constraints), `sample_inputs`
    and `expected_public`."""

    name = None
    size_param = None
    default_size = None
    small_size = None  # the size of the small Circom main files, for quick runs and tests
    size_letter = None
    min_size = 1
    max_size = None

    def __init__(self, variant="reference", **params):
        if variant not in VARIANTS:
            raise PatternError(f"{self.name}: variant is one of {', '.join(VARIANTS)}, not {variant!r}")
        expected = {self.size_param} if self.size_param else set()
        if set(params) - expected:
            allowed = f"only {self.size_param}=..." if self.size_param else "no parameter"
            raise PatternError(f"{self.name} takes {allowed}, got {sorted(params)}")
        self.variant = variant
        self.params = {}
        if self.size_param:
            size = params.get(self.size_param, self.default_size)
            if isinstance(size, bool) or not isinstance(size, int):
                raise PatternError(f"{self.name}: {self.size_param} is an int, not {size!r}")
            self.check_size(size)
            self.params[self.size_param] = size

    @classmethod
    def small_params(cls):
        """The keyword arguments of the pattern's small size ({} for a pattern without one)."""
        return {cls.size_param: cls.small_size} if cls.size_param else {}

    @property
    def hardened(self):
        """Whether this is the hardened variant."""
        return self.variant == "hardened"

    @property
    def size(self):
        """The value of the size parameter (None for a pattern without one)."""
        return self.params.get(self.size_param)

    @property
    def label(self):
        """e.g. 'membership/reference/depth=20', 'version/hardened'."""
        return "/".join([self.name, self.variant, *(f"{k}={v}" for k, v in self.params.items())])

    @property
    def main_name(self):
        """The stem of the Circom main file of the same circuit: 'membership_reference_d20'."""
        suffix = f"_{self.size_letter}{self.size}" if self.size_param else ""
        return f"{self.name}_{self.variant}{suffix}"

    def __repr__(self):
        params = "".join(f", {k}={v}" for k, v in self.params.items())
        return f"{type(self).__name__}({self.variant!r}{params})"

    def check_size(self, size):
        """Raise PatternError unless min_size <= size <= max_size (None: unbounded)."""
        if self.max_size is None and size < self.min_size:
            raise PatternError(f"{self.name}: {self.size_param} is at least {self.min_size}, not {size}")
        if self.max_size is not None and not self.min_size <= size <= self.max_size:
            raise PatternError(f"{self.name}/{self.variant}: {self.size_param} is {self.min_size} to "
                               f"{self.max_size}, not {size}")

    @abstractmethod
    def define(self, cs):
        """Declare the signals in the Circom twin's order and write the constraints."""

    @abstractmethod
    def sample_inputs(self, **choices):
        """Consistent, valid inputs (a dict keyed by the Circom signal names)."""

    @abstractmethod
    def expected_public(self, inputs):
        """The public signals, outputs first, computed natively from the inputs."""

    def circuit(self, cs):
        """The constraints of this pattern, namespaced under its name."""
        with cs.namespace(self.name):
            self.define(cs)

    def build(self):
        """The R1CS (no witness)."""
        return build(self.circuit)

    def solve(self, inputs, check=True):
        """(R1CS, witness). With `check`, inputs violating a constraint raise
        UnsatisfiedConstraintError; without, the witness is returned anyway."""
        return solve(self.circuit, inputs, check=check)


def tree_with_leaf(depth, leaves, index, leaf):
    """A SparseMerkleTree of `depth` holding `leaves` (a mapping index -> leaf) and `leaf`
    at `index`, and the path (siblings, bits) from that index: what a registry hands to
    the holder of one of its entries."""
    leaves = {**leaves, index: leaf}
    if max(leaves) >= 1 << depth:
        raise PatternError(f"leaf index {max(leaves)} is outside a tree of depth {depth}")
    tree = SparseMerkleTree(depth, leaves)
    siblings, bits = tree.path(index)
    return tree, siblings, bits
