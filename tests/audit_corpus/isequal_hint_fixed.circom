pragma circom 2.1.6;
include "circomlib/circuits/comparators.circom";
template Eq() { signal input a; signal input b; signal output out; component e = IsEqual(); e.in[0] <== a; e.in[1] <== b; out <== e.out; }
component main = Eq();
