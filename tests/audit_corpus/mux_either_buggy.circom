pragma circom 2.1.6;
// out is only checked to be one of a, b: the selector does not choose it.
template Mux() { signal input s; signal input a; signal input b; signal output out;
    s * (s - 1) === 0; out <-- s == 1 ? b : a; (out - a) * (out - b) === 0; }
component main = Mux();
