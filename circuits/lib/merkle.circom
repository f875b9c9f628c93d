pragma circom 2.1.6;

// Shared Merkle-path gadgets for the Membership and Locker patterns.
//
// A binary Poseidon Merkle tree: parent = Poseidon(left, right). At level i the
// running node sits on the left when bits[i] = 0 and on the right when bits[i] = 1;
// siblings[i] is the other child. Level 0 is the leaf level.

include "circomlib/circuits/poseidon.circom";

// Orders (node, sibling) into (left, right) by the direction bit:
//   bit = 0 -> (left, right) = (node, sibling)
//   bit = 1 -> (left, right) = (sibling, node)
// Two multiplications, the form the reference design uses. The bit is NOT
// constrained to be boolean here; callers decide (see MerkleRootFromPath).
template MerklePathSwap() {
    signal input bit;
    signal input node;
    signal input sibling;
    signal output left;
    signal output right;

    left <== (sibling - node) * bit + node;
    right <== (node - sibling) * bit + sibling;
}

// Recomputes the root from a leaf and its authentication path.
//   levels      : tree depth (number of siblings)
//   enforceBits : 1 adds bits[i] * (bits[i] - 1) === 0 at every level; 0 leaves the
//                 direction bits unconstrained (the reference Membership circuit).
// With an unconstrained bit t the swap outputs any pair on the line
// left + right = node + sibling, so a prover who knows the two children (A, B) of
// some node of the tree reaches it from ANY leaf: sibling = A + B - node,
// t = (A - node) / (sibling - node). enforceBits = 1 closes that hole.
template MerkleRootFromPath(levels, enforceBits) {
    signal input leaf;
    signal input siblings[levels];
    signal input bits[levels];
    signal output root;

    component swaps[levels];
    component hashers[levels];
    signal nodes[levels + 1];
    nodes[0] <== leaf;
    for (var i = 0; i < levels; i++) {
        if (enforceBits == 1) {
            bits[i] * (bits[i] - 1) === 0;
        }
        swaps[i] = MerklePathSwap();
        swaps[i].bit <== bits[i];
        swaps[i].node <== nodes[i];
        swaps[i].sibling <== siblings[i];

        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== swaps[i].left;
        hashers[i].inputs[1] <== swaps[i].right;
        nodes[i + 1] <== hashers[i].out;
    }
    root <== nodes[levels];
}
