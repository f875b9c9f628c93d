pragma circom 2.1.6;
// integer division checked with LessThan(r, b) but r and q are not range-checked:
// r = -1 (mod p) passes LessThan, so q = (a + 1) / b is a second quotient.
include "circomlib/circuits/comparators.circom";
template Div(n) { signal input a; signal input b; signal output q; signal r;
    q <-- a \ b; r <-- a % b; a === q * b + r;
    component lt = LessThan(n); lt.in[0] <== r; lt.in[1] <== b; lt.out === 1; }
component main = Div(4);
