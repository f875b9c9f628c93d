pragma circom 2.1.6;

// Structure, hardened variant: "this PID is well formed for its country".
//
// Fixes over structure_reference.circom (patterns.md, pattern 2):
// - every value entering a comparison is range-checked by bit decomposition first:
//   Num2Bits(8) on hierarchyDepth and on every componentLengths[i] (a PID component
//   is at most 255 bytes), so LessThan(8)/IsZero work on the integers they assume;
// - both bounds 1 <= d <= K are enforced (LessEqThan(8), GreaterEqThan(8));
// - a private salt enters the commitment, so it cannot be confirmed by guessing.
// Unchanged: the country match and the "length non-zero exactly when i < d" rule.
//
// Signals (template StructureHardened(K)), in circom's wire order:
//   output  structureCommitment       Poseidon(countryCode, hierarchyDepth,
//                                      components[0..K-1], salt) (public signal 0)
//   public  countryCode               encoded country code (public signal 1)
//   public  hierarchyDepth            number of components d (public signal 2)
//   private components[K]             encoded PID components, country first
//   private componentLengths[K]       byte length of each component (0 = absent)
//   private salt                      commitment salt
// Public signals: [structureCommitment, countryCode, hierarchyDepth].

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";

template StructureHardened(K) {
    // Poseidon takes at most 16 inputs; K must also fit the 8-bit comparisons.
    assert(K + 3 <= 16);

    signal input countryCode;
    signal input hierarchyDepth;
    signal input components[K];
    signal input componentLengths[K];
    signal input salt;
    signal output structureCommitment;

    component depthBits = Num2Bits(8);
    depthBits.in <== hierarchyDepth;

    component depthMax = LessEqThan(8);
    depthMax.in[0] <== hierarchyDepth;
    depthMax.in[1] <== K;
    depthMax.out === 1;

    component depthMin = GreaterEqThan(8);
    depthMin.in[0] <== hierarchyDepth;
    depthMin.in[1] <== 1;
    depthMin.out === 1;

    component countryMatch = IsEqual();
    countryMatch.in[0] <== components[0];
    countryMatch.in[1] <== countryCode;
    countryMatch.out === 1;

    component lengthBits[K];
    component isEmpty[K];
    component isUsed[K];
    signal both[K];
    for (var i = 0; i < K; i++) {
        lengthBits[i] = Num2Bits(8);
        lengthBits[i].in <== componentLengths[i];
        isEmpty[i] = IsZero();
        isEmpty[i].in <== componentLengths[i];
        isUsed[i] = LessThan(8);
        isUsed[i].in[0] <== i;
        isUsed[i].in[1] <== hierarchyDepth;
        // exactly one of "i < d" and "length i is zero" holds
        both[i] <== isUsed[i].out * isEmpty[i].out;
        isUsed[i].out + isEmpty[i].out - 2 * both[i] === 1;
    }

    component commit = Poseidon(K + 3);
    commit.inputs[0] <== countryCode;
    commit.inputs[1] <== hierarchyDepth;
    for (var i = 0; i < K; i++) {
        commit.inputs[i + 2] <== components[i];
    }
    commit.inputs[K + 2] <== salt;
    structureCommitment <== commit.out;
}
