pragma circom 2.1.6;
// out is assigned with <-- and never constrained: the prover picks it.
template Product() { signal input a; signal input b; signal output out; out <-- a * b; }
component main = Product();
