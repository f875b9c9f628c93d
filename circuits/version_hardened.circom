pragma circom 2.1.6;

// Version, hardened variant: "the old and the new address belong to the same owner".
//
// Fixes over version_reference.circom (patterns.md, pattern 4):
// - a public identityCommitment = Poseidon(userSecret), registered with the old
//   credential, ties the secret to an identity: knowing the PIDs is no longer enough;
// - salted PID commitments: Poseidon(oldPID, oldSalt) and Poseidon(newPID, newSalt);
// - a public nullifier = Poseidon(userSecret, oldPIDCommitment): the verifier records
//   it, so one old address migrates once.
// Unchanged: the IsEqual commitment checks, ownershipTag and migrationCommitment.
//
// Signals (template VersionHardened()), in circom's wire order:
//   output  ownershipTag          Poseidon(userSecret, oldPID, newPID) (public signal 0)
//   output  migrationCommitment   Poseidon(oldPID, newPID, ownershipTag, migrationNonce)
//                                 (public signal 1)
//   output  nullifier             Poseidon(userSecret, oldPIDCommitment) (public signal 2)
//   public  oldPIDCommitment      Poseidon(oldPID, oldSalt) (public signal 3)
//   public  newPIDCommitment      Poseidon(newPID, newSalt) (public signal 4)
//   public  identityCommitment    Poseidon(userSecret) (public signal 5)
//   private oldPID                encoded old PID
//   private newPID                encoded new PID
//   private oldSalt               salt of the old PID commitment
//   private newSalt               salt of the new PID commitment
//   private userSecret            the user's identity secret
//   private migrationNonce        nonce of this migration
// Public signals: [ownershipTag, migrationCommitment, nullifier, oldPIDCommitment,
//                  newPIDCommitment, identityCommitment].

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";

template VersionHardened() {
    signal input oldPIDCommitment;
    signal input newPIDCommitment;
    signal input identityCommitment;
    signal input oldPID;
    signal input newPID;
    signal input oldSalt;
    signal input newSalt;
    signal input userSecret;
    signal input migrationNonce;
    signal output ownershipTag;
    signal output migrationCommitment;
    signal output nullifier;

    component oldHash = Poseidon(2);
    oldHash.inputs[0] <== oldPID;
    oldHash.inputs[1] <== oldSalt;
    component oldMatch = IsEqual();
    oldMatch.in[0] <== oldHash.out;
    oldMatch.in[1] <== oldPIDCommitment;
    oldMatch.out === 1;

    component newHash = Poseidon(2);
    newHash.inputs[0] <== newPID;
    newHash.inputs[1] <== newSalt;
    component newMatch = IsEqual();
    newMatch.in[0] <== newHash.out;
    newMatch.in[1] <== newPIDCommitment;
    newMatch.out === 1;

    component identity = Poseidon(1);
    identity.inputs[0] <== userSecret;
    identity.out === identityCommitment;

    component spent = Poseidon(2);
    spent.inputs[0] <== userSecret;
    spent.inputs[1] <== oldPIDCommitment;
    nullifier <== spent.out;

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
