pragma circom 2.1.6;

// Locker, hardened variant: "I may collect from some locker of this facility, not
// saying which".
//
// Fixes over locker_reference.circom (patterns.md, pattern 5):
// - a public `challenge` (pickup session id chosen by the facility) is bound into the
//   proof through the dummy constraint challengeSquare = challenge^2;
// - a nullifier per (locker, pickup): nullifier = Poseidon(accessNonce, lockerID),
//   a public output the facility records to refuse a second use.
// For the nullifier to be single-use the access nonce must be fixed by the issuer, not
// chosen by the prover, so each leaf commits to one access right:
// leaf = Poseidon(lockerID, accessNonce), where accessNonce is the secret issued with
// the pickup (the tree holds the facility's open access rights). The nullifier hashes
// the same pair in the other order, so it differs from the leaf and cannot be linked
// to it without the nonce. Unchanged: the path check, the root comparison, the access
// commitment and the validationRoot output.
//
// Signals (template LockerHardened(L)), in circom's wire order:
//   output  accessCommitment      Poseidon(lockerID, facilityID, accessNonce)
//                                 (public signal 0)
//   output  validationRoot        the recomputed root (public signal 1)
//   output  nullifier             Poseidon(accessNonce, lockerID) (public signal 2)
//   public  facilityID            encoded facility id (public signal 3)
//   public  lockerSetRoot         Merkle root of the facility's access rights
//                                 (public signal 4)
//   public  challenge             pickup session challenge (public signal 5)
//   private lockerID              encoded locker id
//   private pathElements[L]       sibling hashes, level 0 (leaf level) first
//   private pathIndices[L]        direction bits: 0 = running node is the left child
//   private accessNonce           secret nonce of the access right
// Public signals: [accessCommitment, validationRoot, nullifier, facilityID,
//                  lockerSetRoot, challenge].

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";
include "lib/merkle.circom";

template LockerHardened(L) {
    signal input facilityID;
    signal input lockerSetRoot;
    signal input challenge;
    signal input lockerID;
    signal input pathElements[L];
    signal input pathIndices[L];
    signal input accessNonce;
    signal output accessCommitment;
    signal output validationRoot;
    signal output nullifier;

    component leafHash = Poseidon(2);
    leafHash.inputs[0] <== lockerID;
    leafHash.inputs[1] <== accessNonce;

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

    component spent = Poseidon(2);
    spent.inputs[0] <== accessNonce;
    spent.inputs[1] <== lockerID;
    nullifier <== spent.out;

    // Binds the challenge: without a constraint on it the public input would be free.
    signal challengeSquare <== challenge * challenge;
}
