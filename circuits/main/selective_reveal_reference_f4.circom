pragma circom 2.1.6;
// Selective reveal, reference variant, F=4 fields.
include "../selective_reveal_reference.circom";
component main {public [revealedValues]} = SelectiveRevealReference(4);
