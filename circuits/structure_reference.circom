pragma circom 2.1.6;

// Structure, reference variant: "this PID is well formed for its country".
//
// Semantics of rei-k/world-address sdk/core/circuits/structure.circom
// (PIDStructureValidator). Compile defects mended without changing the semantics:
// - the reference defines its own template IsZero, clashing with circomlib's; it is
//   the same gadget, so circomlib's IsZero is used;
// - a component and a signal were declared inside the loop; they are arrays here;
// - `lengthValid <== s*(1-z) + (1-s)*z` is not quadratic. It is s XOR z, rewritten as
//   sz <== s*z; s + z - 2*sz === 1 (one multiplication, same relation).
//
// Signals (template StructureReference(K)), in circom's wire order:
//   output  structureCommitment       Poseidon(countryCode, hierarchyDepth,
//                                      components[0..K-1]) (public signal 0)
//   public  countryCode               encoded country code (public signal 1)
//   public  hierarchyDepth            number of components d (public signal 2)
//   private components[K]             encoded PID components, country first
//   private componentLengths[K]       byte length of each component (0 = absent)
// Public signals: [structureCommitment, countryCode, hierarchyDepth].
//
// Constraints: LessThan(8)(d, K+1) = 1; IsEqual(components[0], countryCode) = 1;
// for each i: IsZero(len_i) XOR LessThan(8)(i, d) = 1 (length i non-zero exactly when
// i < d); the commitment.
//
// Reference weaknesses kept on purpose:
// - LessThan(8) assumes 8-bit inputs but d is never range-checked, so a crafted field
//   element (e.g. d = p - 5) passes d < K+1; the lower bound 1 <= d is not checked
//   at all (patterns.md states 1 <= d <= K; the hardened variant enforces it);
// - the commitment is an unsalted hash of guessable values.

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";

template StructureReference(K) {
    signal input countryCode;
    signal input hierarchyDepth;
    signal input components[K];
    signal input componentLengths[K];
    signal output structureCommitment;

    component depthBound = LessThan(8);
    depthBound.in[0] <== hierarchyDepth;
    depthBound.in[1] <== K + 1;
    depthBound.out === 1;

    component countryMatch = IsEqual();
    countryMatch.in[0] <== components[0];
    countryMatch.in[1] <== countryCode;
    countryMatch.out === 1;

    component isEmpty[K];
    component isUsed[K];
    signal both[K];
    for (var i = 0; i < K; i++) {
        isEmpty[i] = IsZero();
        isEmpty[i].in <== componentLengths[i];
        isUsed[i] = LessThan(8);
        isUsed[i].in[0] <== i;
        isUsed[i].in[1] <== hierarchyDepth;
        // exactly one of "i < d" and "length i is zero" holds
        both[i] <== isUsed[i].out * isEmpty[i].out;
        isUsed[i].out + isEmpty[i].out - 2 * both[i] === 1;
    }

    component commit = Poseidon(K + 2);
    commit.inputs[0] <== countryCode;
    commit.inputs[1] <== hierarchyDepth;
    for (var i = 0; i < K; i++) {
        commit.inputs[i + 2] <== components[i];
    }
    structureCommitment <== commit.out;
}
