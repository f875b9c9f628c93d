pragma circom 2.1.6;
// Selective reveal, reference variant, F=8 fields.
include "../selective_reveal_reference.circom";
component main {public [revealedValues]} = SelectiveRevealReference(8);
