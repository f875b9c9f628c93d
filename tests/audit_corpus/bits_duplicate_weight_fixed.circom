pragma circom 2.1.6;
template Decompose() { signal input in; signal output out[4]; var w[4] = [1, 2, 4, 8]; var sum = 0;
    for (var i = 0; i < 4; i++) { out[i] <-- (in >> i) & 1; out[i] * (out[i] - 1) === 0; sum += out[i] * w[i]; }
    sum === in; }
component main = Decompose();
