pragma circom 2.1.6;
// the input b is in no constraint.
template Square() { signal input a; signal input b; signal output out; out <== a * a; }
component main = Square();
