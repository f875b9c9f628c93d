"""Membership: "this address is in the registered set".

Statement. The prover knows a PID whose leaf lies in the registry's Poseidon Merkle tree of
depth D: from the leaf, the D siblings and direction bits of its path lead to the root.

Signals, in the order of circuits/membership_<variant>.circom (wires and public signals
coincide with circom's):
  reference   output  root                  the root the path leads to (public signal 0)
              private pid                   the encoded PID; leaf = Poseidon(pid)
              private pathElements[D]       siblings, leaf level first
              private pathIndices[D]        direction bits (1: the running node is the right child)
  hardened    public  root                  the registry's root (public signal 0)
              public  challenge             the verifier's order or session id (public signal 1)
              private pid, salt             leaf = Poseidon(pid, salt)
              private pathElements[D], pathIndices[D]

Reference weakness. The proof is bound to nothing but the root, so whoever sees it can
replay it; leaves are unsalted hashes of low-entropy PIDs, so a published tree can be
searched back to addresses; and, as in the reference design, the direction bits are not
constrained boolean: with a bit t outside {0, 1} the two-product swap outputs any pair on
the line left + right = node + sibling, so whoever knows one path of the tree proves
membership of any PID (circuits/lib/merkle.circom).

Hardened fix. Salted leaves; the direction bits are boolean; the root is a public input
the recomputed root must equal; a public challenge is bound by challenge^2. No nullifier:
membership may be proved again and again.
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
    bind_challenge,
    given_or_random,
    random_field_element,
    require,
    tree_with_leaf,
    with_salt,
)
from zkwork.patterns.encoding import encode_pid

# A small registry of readable addresses; the default prover holds the third.
SAMPLE_PIDS = (
    "JP-13-113-01-T07-B12-BN02-R341",
    "JP-13-113-01-T07-B12-BN02-R342",
    "JP-13-113-01-T07-B12-BN02-R343",
    "JP-13-104-03-T02-B05-BN01-R101",
    "JP-27-128-02-T11-B01-BN07-R905",
    "JP-01-101-04-T03-B22-BN01-R210",
)


class Membership(Pattern):
    """The membership pattern: a PID's leaf is in the registry's Merkle tree of depth D."""
    name = "membership"
    size_param = "depth"
    default_size = 20
    small_size = 4
    size_letter = "d"

    def leaf(self, pid, salt=None):
        """The leaf of an encoded PID, natively: Poseidon(pid) or Poseidon(pid, salt)."""
        return native_poseidon(with_salt([pid], salt))

    def define(self, cs):
        """Declares the signals in the Circom twin's order and writes the constraints."""
        depth = self.size
        if self.hardened:
            root = cs.public_input("root")
            challenge = cs.public_input("challenge")
        pid = cs.private_input("pid")
        salt = cs.private_input("salt") if self.hardened else None
        siblings = cs.private_input("pathElements", depth)
        bits = cs.private_input("pathIndices", depth)

        with cs.namespace("leaf"):
            leaf = poseidon(cs, with_salt([pid], salt))
        computed = merkle_root_from_path(cs, leaf, siblings, bits, swap=two_product_swap,
                                         enforce_bits=self.hardened)
        if self.hardened:
            cs.assert_equal(computed, root, "root_matches")
            bind_challenge(cs, challenge)
        else:
            cs.public_output("root", computed)

    def sample_inputs(self, pid=SAMPLE_PIDS[2], registry=SAMPLE_PIDS, index=None, salt=None, challenge=None):
        """Inputs proving that `pid` is registered: the `registry` PIDs fill leaves 0, 1, ...
        (each with its own random salt in the hardened variant) and `pid` sits at `index`
        (default: its place in the registry, or the next free leaf)."""
        others = [p for p in registry if p != pid]
        if index is None:
            index = list(registry).index(pid) if pid in registry else len(others)
        leaves = {}
        for i, other in enumerate(others):
            slot = i if i < index else i + 1  # leave room for the prover's leaf
            leaves[slot] = self.leaf(encode_pid(other), random_field_element() if self.hardened else None)
        encoded = encode_pid(pid)
        inputs = {"pid": encoded}
        if self.hardened:
            inputs["salt"] = salt = given_or_random(salt)
        tree, siblings, bits = tree_with_leaf(self.size, leaves, index, self.leaf(encoded, salt))
        inputs.update(pathElements=siblings, pathIndices=bits)
        if self.hardened:
            inputs.update(root=tree.root, challenge=given_or_random(challenge))
        return inputs

    def expected_public(self, inputs):
        """The public signals computed natively: [root], or [root, challenge] when hardened."""
        leaf = self.leaf(inputs["pid"], inputs.get("salt"))
        root = root_from_path(leaf, inputs["pathElements"], inputs["pathIndices"])
        if not self.hardened:
            return [root]
        require(root == inputs["root"], "the path does not lead to the registry's root")
        return [inputs["root"], inputs["challenge"]]
