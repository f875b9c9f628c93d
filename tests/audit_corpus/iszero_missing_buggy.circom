pragma circom 2.1.6;
// IsZero without in * out === 0: out = 1 - in * inv takes any value.
template IsZeroBroken() { signal input in; signal output out; signal inv;
    inv <-- in != 0 ? 1 / in : 0; out <== -in * inv + 1; }
component main = IsZeroBroken();
