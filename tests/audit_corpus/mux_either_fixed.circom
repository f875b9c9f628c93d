pragma circom 2.1.6;
template Mux() { signal input s; signal input a; signal input b; signal output out;
    s * (s - 1) === 0; out <== s * (b - a) + a; }
component main = Mux();
