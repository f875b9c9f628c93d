"""Structure: "this PID is well formed for its country".

Statement. The prover knows the K components of a PID (country first, then up to K - 1
levels, unused slots 0) and their byte lengths such that component 0 is the public country
code, the public hierarchy depth d satisfies 1 <= d <= K, and length i is non-zero exactly
when i < d; the public output commits to the country, d and the components.

Signals, in the order of circuits/structure_<variant>.circom:
  output  structureCommitment   Poseidon(countryCode, d, components[0..K-1][, salt])
                                (public signal 0)
  public  countryCode           encoded country code (public signal 1)
  public  hierarchyDepth        d (public signal 2)
  private components[K]         encoded PID components, 0 past d
  private componentLengths[K]   their UTF-8 byte lengths, 0 past d
  private salt                  hardened only

Reference weakness. The comparators (circomlib LessThan(8)) assume 8-bit inputs but neither
d nor the lengths are range-checked: d = p - 5 passes d < K + 1 (and then every slot must
be empty), d = 0 is accepted since the lower bound is never checked, and any field element,
p - 1 included, is a "length". The commitment is an unsalted hash of guessable values.

Hardened fix. d and every length are decomposed into 8 bits before any comparison, both
bounds 1 <= d <= K are enforced (LessEqThan, GreaterEqThan), and a private salt enters the
commitment.
"""
from zkwork.gadgets.bits import is_zero, less_than, num2bits
from zkwork.gadgets.native_poseidon import poseidon as native_poseidon
from zkwork.gadgets.poseidon import poseidon
from zkwork.patterns.base import (
    Pattern,
    PatternError,
    assert_is_equal,
    given_or_random,
    require,
    with_salt,
)
from zkwork.patterns.encoding import encode_string, parse_pid

SAMPLE_PID = "JP-13-113-01-T07-B12-BN02-R342"
COMPARISON_BITS = 8  # lengths and depths are bytes: a PID component has at most 255 bytes
POSEIDON_MAX_INPUTS = 16


def _range_check(cs, value, name):
    with cs.namespace(name):
        num2bits(cs, value, COMPARISON_BITS)


def _less_than(cs, a, b, name):
    with cs.namespace(name):
        return less_than(cs, COMPARISON_BITS, a, b)


class Structure(Pattern):
    """The structure pattern: a PID of K components is well formed for its country."""
    name = "structure"
    size_param = "components"
    default_size = 8
    small_size = 4
    size_letter = "k"

    @property
    def max_size(self):
        """The largest K: country, d, K components (and the salt) in one 16-input Poseidon."""
        # The commitment hashes country, d, the K components (and the salt) in one Poseidon.
        return POSEIDON_MAX_INPUTS - (3 if self.hardened else 2)

    def commitment(self, country, depth, components, salt=None):
        """The structure commitment, natively."""
        return native_poseidon(with_salt([country, depth, *components], salt))

    def define(self, cs):
        """Declares the signals in the Circom twin's order and writes the constraints."""
        k = self.size
        country = cs.public_input("countryCode")
        depth = cs.public_input("hierarchyDepth")
        components = cs.private_input("components", k)
        lengths = cs.private_input("componentLengths", k)
        salt = cs.private_input("salt") if self.hardened else None

        if self.hardened:
            _range_check(cs, depth, "depth_bits")
            cs.assert_equal(_less_than(cs, depth, k + 1, "depth_at_most_k"), 1, "depth_at_most_k")
            cs.assert_equal(_less_than(cs, 1, depth + 1, "depth_at_least_1"), 1, "depth_at_least_1")
        else:
            cs.assert_equal(_less_than(cs, depth, k + 1, "depth_bound"), 1, "depth_bound")
        assert_is_equal(cs, components[0], country, "country_matches")
        for i, length in enumerate(lengths):
            with cs.namespace("component", i):
                if self.hardened:
                    _range_check(cs, length, "length_bits")
                empty = is_zero(cs, length)
                used = _less_than(cs, i, depth, "used")
                # exactly one of "i < d" and "length i is zero": used XOR empty = 1
                both = cs.mul(used, empty, "both")
                cs.assert_equal(used + empty - 2 * both, 1, "used_xor_empty")
        with cs.namespace("commitment"):
            commitment = poseidon(cs, with_salt([country, depth, *components], salt))
        cs.public_output("structureCommitment", commitment)

    def sample_inputs(self, pid=None, salt=None):
        """Inputs for `pid` (default: the first K components of SAMPLE_PID)."""
        parts = parse_pid(pid) if pid is not None else parse_pid(SAMPLE_PID)[: self.size]
        if len(parts) > self.size:
            raise PatternError(f"PID {pid!r} has {len(parts)} components; this circuit takes {self.size}")
        padding = [0] * (self.size - len(parts))
        inputs = {
            "countryCode": encode_string(parts[0]),
            "hierarchyDepth": len(parts),
            "components": [encode_string(p) for p in parts] + padding,
            "componentLengths": [len(p.encode("utf-8")) for p in parts] + padding,
        }
        if self.hardened:
            inputs["salt"] = given_or_random(salt)
        return inputs

    def expected_public(self, inputs):
        """The public signals, [commitment, country, d], computed natively; StatementError when false."""
        depth, lengths = inputs["hierarchyDepth"], inputs["componentLengths"]
        require(1 <= depth <= self.size, f"hierarchy depth {depth} is outside 1..{self.size}")
        require(inputs["components"][0] == inputs["countryCode"], "component 0 is not the country code")
        for i, length in enumerate(lengths):
            require(0 < length < 1 << COMPARISON_BITS if i < depth else length == 0,
                    f"component {i}: length {length} does not fit depth {depth}")
        commitment = self.commitment(inputs["countryCode"], depth, inputs["components"], inputs.get("salt"))
        return [commitment, inputs["countryCode"], depth]
