pragma circom 2.1.6;

// Locker, reference variant: "I may collect from some locker of this facility, not
// saying which".
//
// Semantics of rei-k/world-address sdk/core/circuits/locker.circom
// (LockerMembershipValidator), which compiles as committed; rewritten here, same
// relation.
//
// Signals (template LockerReference(L)), in circom's wire order:
//   output  accessCommitment      Poseidon(lockerID, facilityID, accessNonce)
//                                 (public signal 0)
//   output  validationRoot        the recomputed root (public signal 1)
//   public  facilityID            encoded facility id (public signal 2)
//   public  lockerSetRoot         Merkle root of the facility's lockers (public signal 3)
//   private lockerID              encoded locker id; leaf = Poseidon(lockerID)
//   private pathElements[L]       sibling hashes, level 0 (leaf level) first
//   private pathIndices[L]        direction bits: 0 = running node is the left child
//   private accessNonce           nonce of this access
// Public signals: [accessCommitment, validationRoot, facilityID, lockerSetRoot].
//
// Constraints: leaf = Poseidon(lockerID); per level the direction bit is boolean,
// swap, Poseidon(left, right); IsEqual(validationRoot, lockerSetRoot) = 1; the access
// commitment.
//
// Reference weaknesses kept on purpose:
// - the proof is bound to no session: it can be replayed;
// - nothing makes an access right single-use (no nullifier);
// - the leaf is an unsalted hash of a low-entropy locker id, so the access right is
//   mere knowledge of a locker id of the facility.

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";
include "lib/merkle.circom";

template LockerReference(L) {
    signal input facilityID;
    signal input lockerSetRoot;
    signal input lockerID;
    signal input pathElements[L];
    signal input pathIndices[L];
    signal input accessNonce;
    signal output accessCommitment;
    signal output validationRoot;

    component leafHash = Poseidon(1);
    leafHash.inputs[0] <== lockerID;

    component path = MerkleRootFromPath(L, 1);
    path.leaf <== leafHash.out;
    path.siblings <== pathElements;
    path.bits <== pathIndices;
    validationRoot <== path.root;

    component rootMatch = IsEqual();
    rootMatch.in[0] <== validationRoot;
    rootMatch.in[1] <== lockerSetRoot;
    rootMatch.out === 1;

    component access = Poseidon(3);
    access.inputs[0] <== lockerID;
    access.inputs[1] <== facilityID;
    access.inputs[2] <== accessNonce;
    accessCommitment <== access.out;
}
