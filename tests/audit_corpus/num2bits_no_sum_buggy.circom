pragma circom 2.1.6;
// every bit is boolean, but nothing ties the bits to the input.
template Num2BitsNoSum(n) { signal input in; signal output out[n];
    for (var i = 0; i < n; i++) { out[i] <-- (in >> i) & 1; out[i] * (out[i] - 1) === 0; } }
component main = Num2BitsNoSum(4);
