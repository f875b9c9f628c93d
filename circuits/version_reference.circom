pragma circom 2.1.6;

// Version, reference variant: "the old and the new address belong to the same owner".
//
// Semantics of rei-k/world-address sdk/core/circuits/version.circom
// (VersionProofValidator), which compiles as committed; rewritten here, same relation.
//
// Signals (template VersionReference()), in circom's wire order:
//   output  ownershipTag          Poseidon(userSecret, oldPID, newPID) (public signal 0)
//   output  migrationCommitment   Poseidon(oldPID, newPID, ownershipTag, migrationNonce)
//                                 (public signal 1)
//   public  oldPIDCommitment      Poseidon(oldPID) (public signal 2)
//   public  newPIDCommitment      Poseidon(newPID) (public signal 3)
//   private oldPID                encoded old PID
//   private newPID                encoded new PID
//   private userSecret            the user's secret
//   private migrationNonce        nonce of this migration
// Public signals: [ownershipTag, migrationCommitment, oldPIDCommitment, newPIDCommitment].
//
// Constraints: IsEqual(Poseidon(oldPID), oldPIDCommitment) = 1, likewise for the new
// PID; the two outputs.
//
// Reference weaknesses kept on purpose:
// - userSecret is tied to nothing: anyone who knows both PIDs proves "ownership" with
//   a secret of their choice;
// - the PID commitments are unsalted hashes of low-entropy PIDs.

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";

template VersionReference() {
    signal input oldPIDCommitment;
    signal input newPIDCommitment;
    signal input oldPID;
    signal input newPID;
    signal input userSecret;
    signal input migrationNonce;
    signal output ownershipTag;
    signal output migrationCommitment;

    component oldHash = Poseidon(1);
    oldHash.inputs[0] <== oldPID;
    component oldMatch = IsEqual();
    oldMatch.in[0] <== oldHash.out;
    oldMatch.in[1] <== oldPIDCommitment;
    oldMatch.out === 1;

    component newHash = Poseidon(1);
    newHash.inputs[0] <== newPID;
    component newMatch = IsEqual();
    newMatch.in[0] <== newHash.out;
    newMatch.in[1] <== newPIDCommitment;
    newMatch.out === 1;

    component tag = Poseidon(3);
    tag.inputs[0] <== userSecret;
    tag.inputs[1] <== oldPID;
    tag.inputs[2] <== newPID;
    ownershipTag <== tag.out;

    component migration = Poseidon(4);
    migration.inputs[0] <== oldPID;
    migration.inputs[1] <== newPID;
    migration.inputs[2] <== ownershipTag;
    migration.inputs[3] <== migrationNonce;
    migrationCommitment <== migration.out;
}
