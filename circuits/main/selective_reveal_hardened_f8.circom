pragma circom 2.1.6;
// Selective reveal, hardened variant, F=8 fields.
include "../selective_reveal_hardened.circom";
component main {public [revealMask, revealedValues, fullCommitment]} = SelectiveRevealHardened(8);
