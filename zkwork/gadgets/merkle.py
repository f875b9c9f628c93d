"""Poseidon Merkle trees: the in-circuit path check and the native sparse tree it verifies.

A tree of depth D has 2^D leaves; a parent is Poseidon(left, right) of its two children and
the root is the one node at level D. A path from leaf index i is, for each level l = 0..D-1,
the sibling of the current node and the direction bit l of i:

    bit = 0: the current node is the left child,  parent = Poseidon(current, sibling)
    bit = 1: the current node is the right child, parent = Poseidon(sibling, current)

which is circomlib's Switcher convention (selector 0 keeps the order, 1 swaps), the one the
Circom circuits in circuits/ use, so roots and paths agree between the two.

In a circuit each level costs one constraint for the bit being boolean, one for the swap and
240 for Poseidon(2): 242 * D in all. The Circom circuits swap with two products, as the
reference design does (`two_product_swap`), and the reference Membership circuit leaves the
bits unconstrained; `merkle_root_from_path` takes both choices as arguments so that Python
twins of those circuits count what circom counts. Unconstrained bits are a soundness hole:
with a bit t outside {0, 1} the swap yields any pair (A, B) with A + B = node + sibling, so
whoever knows the two children of some node of the tree reaches it from any leaf.

The native tree is sparse: an empty leaf is 0 and an empty subtree of height h hashes to the
precomputed zeros[h] (zeros[0] = 0, zeros[h + 1] = Poseidon(zeros[h], zeros[h])), so only
nodes above some non-empty leaf are stored and 2^20 slots cost nothing until filled. Built
from many leaves at once, each level is hashed with the vectorised `poseidon_many`.
"""
from collections.abc import Mapping
from functools import cache

from zkwork.errors import CircuitError, CircuitInputError, IndexOutOfRangeError
from zkwork.field import FR, FieldVector, R
from zkwork.gadgets.bits import switcher
from zkwork.gadgets.native_poseidon import poseidon as native_poseidon
from zkwork.gadgets.native_poseidon import poseidon_many
from zkwork.gadgets.poseidon import poseidon

# -- in the circuit ------------------------------------------------------------------------


def two_product_swap(cs, bit, node, sibling):
    """(node, sibling) if bit == 0 else (sibling, node), written as the reference design
    and circuits/lib/merkle.circom write it: left = (sibling - node) * bit + node and
    right = (node - sibling) * bit + sibling, two constraints where `switcher` needs one."""
    with cs.namespace("swap"):
        left = cs.mul_add(sibling - node, bit, node, "left")
        right = cs.mul_add(node - sibling, bit, sibling, "right")
    return left, right


def merkle_root_from_path(cs, leaf, siblings, bits, swap=switcher, enforce_bits=True):
    """The root reached from `leaf` through `siblings` and direction `bits` (lists of D
    signals, level 0 first; bit = 1: the current node is the right child). With
    `enforce_bits` each bit is constrained boolean; leave it on except to reproduce the
    reference design's hole. Labels level[l]/direction_boolean, level[l]/switcher/select,
    level[l]/poseidon/..."""
    if len(siblings) != len(bits):
        raise CircuitError(
            f"a Merkle path needs one bit per sibling: {len(siblings)} siblings, {len(bits)} bits"
        )
    node = leaf
    for level, (sibling, bit) in enumerate(zip(siblings, bits)):
        with cs.namespace("level", level):
            if enforce_bits:
                cs.assert_boolean(bit, "direction_boolean")
            left, right = swap(cs, bit, node, sibling)
            node = poseidon(cs, [left, right])
    return node


# -- natively ------------------------------------------------------------------------------


@cache
def zero_hashes(depth):
    """(zeros[0], ..., zeros[depth]): the roots of empty subtrees of height 0 to depth."""
    zeros = [0]
    for _ in range(depth):
        zeros.append(native_poseidon([zeros[-1], zeros[-1]]))
    return tuple(zeros)


def root_from_path(leaf, siblings, bits):
    """The root reached from `leaf` through a path, as the circuit computes it."""
    node = leaf
    for sibling, bit in zip(siblings, bits, strict=True):
        if bit not in (0, 1):
            raise CircuitInputError(f"a direction bit is 0 or 1, not {bit!r}")
        node = native_poseidon([sibling, node] if bit else [node, sibling])
    return node


class SparseMerkleTree:
    """A Poseidon Merkle tree of 2^depth leaves storing only the nodes above non-empty
    leaves. `leaves` is a sequence (leaf k at index k) or a mapping {index: leaf}."""

    def __init__(self, depth, leaves=None):
        if depth < 1:
            raise CircuitError(f"a Merkle tree has depth >= 1, not {depth}")
        self.depth = depth
        self.zeros = zero_hashes(depth)
        # levels[l] = {index: hash} of the stored nodes at height l; levels[depth] holds the root.
        self.levels = [{} for _ in range(depth + 1)]
        if leaves:
            items = leaves.items() if isinstance(leaves, Mapping) else enumerate(leaves)
            self.levels[0] = {self._checked_index(i): self._checked_leaf(leaf) for i, leaf in items}
            for level in range(depth):
                self.levels[level + 1] = self._parents(level)

    def _checked_index(self, index):
        if not 0 <= index < 1 << self.depth:
            raise IndexOutOfRangeError(f"leaf index {index} outside a tree of {1 << self.depth} leaves")
        return index

    @staticmethod
    def _checked_leaf(leaf):
        if not 0 <= leaf < R:
            raise CircuitInputError(f"a leaf is an element of Fr, in [0, r); got {leaf}")
        return leaf

    def _node(self, level, index):
        return self.levels[level].get(index, self.zeros[level])

    def _parents(self, level):
        """Every stored node of level + 1, hashed from level in one vectorised call."""
        parents = sorted({index >> 1 for index in self.levels[level]})
        children = [self._node(level, child) for p in parents for child in (2 * p, 2 * p + 1)]
        # Rows of (left, right) in Montgomery form, as poseidon_many takes them.
        children = FieldVector.from_ints(FR, children)
        return dict(zip(parents, poseidon_many(children.mont.reshape(-1, 2, 4)).to_ints()))

    @property
    def root(self):
        """The root of the tree, as an int in [0, r)."""
        return self._node(self.depth, 0)

    @property
    def stored_nodes(self):
        """How many nodes are stored, on all levels (the memory the tree takes)."""
        return sum(map(len, self.levels))

    def leaf(self, index):
        """The leaf at `index` (0 when empty); IndexOutOfRangeError outside the tree."""
        return self._node(0, self._checked_index(index))

    def insert(self, index, leaf):
        """Sets leaf `index` (replacing what was there) and rehashes its D ancestors."""
        self.levels[0][self._checked_index(index)] = node = self._checked_leaf(leaf)
        for level in range(self.depth):
            sibling = self._node(level, index ^ 1)
            node = native_poseidon([sibling, node] if index & 1 else [node, sibling])
            index >>= 1
            self.levels[level + 1][index] = node

    def path(self, index):
        """(siblings, bits) from leaf `index` to the root, level 0 first."""
        self._checked_index(index)
        siblings, bits = [], []
        for level in range(self.depth):
            siblings.append(self._node(level, index ^ 1))
            bits.append(index & 1)
            index >>= 1
        return siblings, bits

    @staticmethod
    def verify_path(leaf, siblings, bits, root):
        """Whether the path leads from `leaf` to `root`."""
        return root_from_path(leaf, siblings, bits) == root
