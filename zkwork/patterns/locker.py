"""Locker: "I may collect from some locker of this facility, not saying which".

Statement. The prover knows a locker id whose leaf lies in the facility's locker-set tree
of depth L (a Merkle path to the public root) and an access nonce.

Signals, in the order of circuits/locker_<variant>.circom:
  output  accessCommitment    Poseidon(lockerID, facilityID, accessNonce)   (public 0)
  output  validationRoot      the root the path leads to                     (public 1)
  output  nullifier           hardened: Poseidon(accessNonce, lockerID)      (public 2)
  public  facilityID          encoded facility id
  public  lockerSetRoot       the facility's tree root
  public  challenge           hardened: the pickup session's challenge
  private lockerID            encoded locker id
  private pathElements[L]     siblings, leaf level first
  private pathIndices[L]      direction bits, constrained boolean (both variants)
  private accessNonce

Constraints: leaf = Poseidon(lockerID) (reference) or Poseidon(lockerID, accessNonce)
(hardened); the path as in Membership with boolean bits; IsEqual(validationRoot,
lockerSetRoot) = 1; the access commitment (hardened: also the nullifier and challenge^2).

Reference weakness. The proof is bound to no session, so it can be replayed; nothing makes
an access right single-use; and the leaf is an unsalted hash of a low-entropy locker id,
so the "access right" is mere knowledge of one of the facility's locker ids.

Hardened fix. Each leaf is an access right Poseidon(lockerID, accessNonce) whose nonce the
facility issues; the public nullifier Poseidon(accessNonce, lockerID) (the same pair in the
other order, so unlinkable to the leaf) is recorded to refuse a second pickup; a public
challenge is bound by challenge^2.
"""
from zkwork.gadgets.merkle import (
    merkle_root_from_path,
    root_from_path,
    two_product_swap,
)
from zkwork.gadgets.native_poseidon import poseidon as native_poseidon
from zkwork.gadgets.poseidon import poseidon
from zkwork.patterns.base import (
    Pattern,
    PatternError,
    assert_is_equal,
    bind_challenge,
    given_or_random,
    random_field_element,
    require,
    tree_with_leaf,
)
from zkwork.patterns.encoding import encode_string

SAMPLE_FACILITY = "LKR-JP13-SHINJUKU-07"
SAMPLE_LOCKERS = tuple(f"LKR-07-{row}{col:02d}" for row in "AB" for col in range(1, 4))


class Locker(Pattern):
    """The locker pattern: a locker id in a facility's locker-set tree of depth L."""
    name = "locker"
    size_param = "depth"
    default_size = 10
    small_size = 3
    size_letter = "l"

    def leaf_preimage(self, locker, nonce):
        """What a leaf hashes: the locker (reference) or an access right to it, the
        locker with its issued nonce (hardened). Signals or ints alike."""
        return [locker, nonce] if self.hardened else [locker]

    def leaf(self, locker, nonce):
        """A leaf, natively."""
        return native_poseidon(self.leaf_preimage(locker, nonce))

    def define(self, cs):
        """Declares the signals in the Circom twin's order and writes the constraints."""
        depth = self.size
        facility = cs.public_input("facilityID")
        root = cs.public_input("lockerSetRoot")
        challenge = cs.public_input("challenge") if self.hardened else None
        locker = cs.private_input("lockerID")
        siblings = cs.private_input("pathElements", depth)
        bits = cs.private_input("pathIndices", depth)
        nonce = cs.private_input("accessNonce")

        with cs.namespace("leaf"):
            leaf = poseidon(cs, self.leaf_preimage(locker, nonce))
        computed = merkle_root_from_path(cs, leaf, siblings, bits, swap=two_product_swap)
        with cs.namespace("access_commitment"):
            access = poseidon(cs, [locker, facility, nonce])
        if self.hardened:
            with cs.namespace("nullifier"):
                nullifier = poseidon(cs, [nonce, locker])
        cs.public_output("accessCommitment", access)
        validation_root = cs.public_output("validationRoot", computed)
        if self.hardened:
            cs.public_output("nullifier", nullifier)
        assert_is_equal(cs, validation_root, root, "root_matches")
        if self.hardened:
            bind_challenge(cs, challenge)

    def sample_inputs(self, facility=SAMPLE_FACILITY, lockers=SAMPLE_LOCKERS, locker=None, access_nonce=None,
                      challenge=None):
        """Inputs for collecting from `locker` (default: the second of `lockers`) of
        `facility`, whose tree holds `lockers` at leaves 0, 1, ... In the hardened
        variant every locker's leaf is an access right with its own issued nonce."""
        lockers = list(lockers)
        locker = lockers[1] if locker is None else locker
        if locker not in lockers:
            raise PatternError(f"locker {locker!r} is not one of the facility's {lockers}")
        index = lockers.index(locker)
        nonce = given_or_random(access_nonce)
        # Other lockers' nonces: their own access rights (hardened); unused by the reference leaf.
        leaves = {i: self.leaf(encode_string(other), random_field_element())
                  for i, other in enumerate(lockers) if i != index}
        encoded = encode_string(locker)
        tree, siblings, bits = tree_with_leaf(self.size, leaves, index, self.leaf(encoded, nonce))
        inputs = {
            "facilityID": encode_string(facility),
            "lockerSetRoot": tree.root,
            "lockerID": encoded,
            "pathElements": siblings,
            "pathIndices": bits,
            "accessNonce": nonce,
        }
        if self.hardened:
            inputs["challenge"] = given_or_random(challenge)
        return inputs

    def expected_public(self, inputs):
        """The public signals, outputs first, computed natively; StatementError when false."""
        locker, facility, nonce = inputs["lockerID"], inputs["facilityID"], inputs["accessNonce"]
        root = root_from_path(self.leaf(locker, nonce), inputs["pathElements"], inputs["pathIndices"])
        require(root == inputs["lockerSetRoot"], "the path does not lead to the facility's root")
        public = [native_poseidon([locker, facility, nonce]), root]
        if self.hardened:
            public.append(native_poseidon([nonce, locker]))
        public += [facility, root]
        return public + [inputs["challenge"]] if self.hardened else public
