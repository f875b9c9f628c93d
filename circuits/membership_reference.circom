pragma circom 2.1.6;

// Membership, reference variant: "this address is in the registered set".
//
// Semantics of rei-k/world-address sdk/core/circuits/membership.circom (MerkleTreeChecker).
// Compile defect mended: the reference lists the output `root` in `public [...]`, which
// circom 2.2 rejects; outputs of main are public anyway, so the list is dropped and the
// root stays an output the verifier compares with the registry's root.
//
// Signals (template MembershipReference(D)), in circom's wire order:
//   output  root                 computed Merkle root (public signal 0)
//   private pid                  leaf preimage: the encoded PID
//   private pathElements[D]      sibling hashes, level 0 (leaf level) first
//   private pathIndices[D]       direction bits: 0 = running node is the left child
// Public signals: [root].
//
// Constraints: leaf = Poseidon(pid); per level (left, right) = swap(node, sibling, bit)
// with two multiplications, node' = Poseidon(left, right); root = last node.
//
// Reference weaknesses kept on purpose:
// - the proof is bound to nothing but the root (replayable by anyone who sees it);
// - the leaf is an unsalted hash of a low-entropy PID (a registry dump can be
//   brute-forced back to addresses);
// - the direction bits are not constrained to be boolean (the reference's Selector
//   has no bit check, unlike its Locker). This is a soundness hole: anyone knowing
//   one authentication path can prove membership of any PID (see lib/merkle.circom).
//   patterns.md lists "direction bit is boolean" among the pattern's constraints; the
//   hardened variant enforces it.

include "circomlib/circuits/poseidon.circom";
include "lib/merkle.circom";

template MembershipReference(D) {
    signal input pid;
    signal input pathElements[D];
    signal input pathIndices[D];
    signal output root;

    component leafHash = Poseidon(1);
    leafHash.inputs[0] <== pid;

    component path = MerkleRootFromPath(D, 0);
    path.leaf <== leafHash.out;
    path.siblings <== pathElements;
    path.bits <== pathIndices;
    root <== path.root;
}
