pragma circom 2.1.6;
// two bits share the weight 2: 0110 and 1000 both sum to 4... (weights 1, 2, 2, 4).
template Decompose() { signal input in; signal output out[4]; var w[4] = [1, 2, 2, 4]; var sum = 0;
    for (var i = 0; i < 4; i++) { out[i] <-- (in >> i) & 1; out[i] * (out[i] - 1) === 0; sum += out[i] * w[i]; }
    sum === in; }
component main = Decompose();
