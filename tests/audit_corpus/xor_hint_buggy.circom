pragma circom 2.1.6;
// the xor of two bits computed by a hint, never constrained.
template Xor() { signal input a; signal input b; signal output out;
    a * (a - 1) === 0; b * (b - 1) === 0; out <-- a ^ b; out * (out - 1) === 0; }
component main = Xor();
