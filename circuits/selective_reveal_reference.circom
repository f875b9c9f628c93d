pragma circom 2.1.6;

// Selective reveal, reference variant: "these fields of my address are true, the rest
// stay hidden".
//
// Semantics of rei-k/world-address sdk/core/circuits/selective-reveal.circom
// (SelectiveRevealValidator). Compile defect mended: `signal expectedValue` was
// declared inside the loop; it is an array here.
//
// Signals (template SelectiveRevealReference(F)), in circom's wire order:
//   output  fullCommitment        Poseidon(fieldValues[0..F-1], nonce) (public signal 0)
//   output  revealedCommitment    Poseidon(revealedValues[0..F-1], nonce) (public signal 1)
//   public  revealedValues[F]     field values, 0 where hidden (public signals 2..F+1)
//   private fieldValues[F]        all encoded field values
//   private revealMask[F]         1 = reveal, 0 = hide
//   private nonce                 commitment nonce
// Public signals: [fullCommitment, revealedCommitment, revealedValues[0..F-1]].
//
// Constraints: Num2Bits(1)(revealMask[i]) (mask bit boolean);
// expected_i = revealMask[i] * fieldValues[i]; IsEqual(revealedValues[i], expected_i) = 1;
// the two commitments.
//
// Reference weaknesses kept on purpose:
// - the mask is private: a revealed field whose value is 0 looks like a hidden one;
// - fullCommitment is only an output, never checked against the issuer's commitment,
//   so the prover may commit to any values it likes.

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";

template SelectiveRevealReference(F) {
    signal input revealedValues[F];
    signal input fieldValues[F];
    signal input revealMask[F];
    signal input nonce;
    signal output fullCommitment;
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
    fullCommitment <== fullHash.out;
    revealedCommitment <== revealedHash.out;
}
