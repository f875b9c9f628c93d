pragma circom 2.1.6;

// Selective reveal, hardened variant: "these fields of my address are true, the rest
// stay hidden".
//
// Fixes over selective_reveal_reference.circom (patterns.md, pattern 3):
// - the mask is public, so the verifier knows which fields are revealed (a revealed 0
//   is told apart from a hidden field);
// - the full commitment is a public input (the commitment of the issued credential)
//   and Poseidon(fieldValues, nonce) must equal it.
// Unchanged: the boolean mask check, revealed_i = mask_i * value_i (via IsEqual, as in
// the reference), the revealed commitment output.
//
// Signals (template SelectiveRevealHardened(F)), in circom's wire order:
//   output  revealedCommitment    Poseidon(revealedValues[0..F-1], nonce) (public signal 0)
//   public  revealMask[F]         1 = reveal, 0 = hide (public signals 1..F)
//   public  revealedValues[F]     field values, 0 where hidden (public signals F+1..2F)
//   public  fullCommitment        credential commitment (public signal 2F+1)
//   private fieldValues[F]        all encoded field values
//   private nonce                 commitment nonce (the credential's)
// Public signals: [revealedCommitment, revealMask[0..F-1], revealedValues[0..F-1],
//                  fullCommitment].

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";

template SelectiveRevealHardened(F) {
    signal input revealMask[F];
    signal input revealedValues[F];
    signal input fullCommitment;
    signal input fieldValues[F];
    signal input nonce;
    signal output revealedCommitment;

    component maskBit[F];
    component matches[F];
    signal expected[F];
    for (var i = 0; i < F; i++) {
        maskBit[i] = Num2Bits(1);
        maskBit[i].in <== revealMask[i];

        expected[i] <== revealMask[i] * fieldValues[i];
        matches[i] = IsEqual();
        matches[i].in[0] <== revealedValues[i];
        matches[i].in[1] <== expected[i];
        matches[i].out === 1;
    }

    component fullHash = Poseidon(F + 1);
    component revealedHash = Poseidon(F + 1);
    for (var i = 0; i < F; i++) {
        fullHash.inputs[i] <== fieldValues[i];
        revealedHash.inputs[i] <== revealedValues[i];
    }
    fullHash.inputs[F] <== nonce;
    revealedHash.inputs[F] <== nonce;
    fullHash.out === fullCommitment;
    revealedCommitment <== revealedHash.out;
}
