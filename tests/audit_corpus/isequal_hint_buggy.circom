pragma circom 2.1.6;
// IsEqual whose output is a hint only checked boolean.
template Eq() { signal input a; signal input b; signal output out; out <-- a == b ? 1 : 0; out * (out - 1) === 0; }
component main = Eq();
