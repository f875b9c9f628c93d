pragma circom 2.1.6;

// Membership, hardened variant: "this address is in the registered set".
//
// Fixes over membership_reference.circom (patterns.md, pattern 1):
// - salted leaf: leaf = Poseidon(pid, salt), so a published tree does not reveal PIDs;
// - a public `challenge` (order or session id chosen by the verifier) is bound into the
//   proof through the dummy constraint challengeSquare = challenge^2 (as Tornado Cash
//   and Semaphore do), so a proof made for one challenge does not verify for another;
// - direction bits are boolean (bits[i] * (bits[i] - 1) === 0).
// The root is a public input checked against the recomputed root (patterns.md lists
// it as public, not as an output). No nullifier: membership may be proved repeatedly.
//
// Signals (template MembershipHardened(D)), in circom's wire order:
//   public  root                 registered-set Merkle root (public signal 0)
//   public  challenge            verifier's challenge (public signal 1)
//   private pid                  leaf preimage: the encoded PID
//   private salt                 per-address secret salt
//   private pathElements[D]      sibling hashes, level 0 (leaf level) first
//   private pathIndices[D]       direction bits: 0 = running node is the left child
// Public signals: [root, challenge].

include "circomlib/circuits/poseidon.circom";
include "lib/merkle.circom";

template MembershipHardened(D) {
    signal input root;
    signal input challenge;
    signal input pid;
    signal input salt;
    signal input pathElements[D];
    signal input pathIndices[D];

    component leafHash = Poseidon(2);
    leafHash.inputs[0] <== pid;
    leafHash.inputs[1] <== salt;

    component path = MerkleRootFromPath(D, 1);
    path.leaf <== leafHash.out;
    path.siblings <== pathElements;
    path.bits <== pathIndices;
    path.root === root;

    // Binds the challenge: without a constraint on it the public input would be free.
    signal challengeSquare <== challenge * challenge;
}
