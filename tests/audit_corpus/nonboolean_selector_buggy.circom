pragma circom 2.1.6;
// the selector bit of x is a hint tied to x by a weighted sum, never checked boolean.
template PickByLowBit() { signal input x; signal input a; signal input b; signal output out;
    signal bits[4]; var sum = 0;
    for (var i = 0; i < 4; i++) { bits[i] <-- (x >> i) & 1; sum += bits[i] * (1 << i); }
    sum === x; out <== bits[0] * (b - a) + a; }
component main = PickByLowBit();
