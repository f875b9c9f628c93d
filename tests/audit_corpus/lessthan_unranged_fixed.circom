pragma circom 2.1.6;
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/bitify.circom";
template Div(n) { signal input a; signal input b; signal output q; signal r;
    q <-- a \ b; r <-- a % b; a === q * b + r;
    component rq = Num2Bits(n); rq.in <== q; component rr = Num2Bits(n); rr.in <== r;
    component rb = Num2Bits(n); rb.in <== b;
    component lt = LessThan(n); lt.in[0] <== r; lt.in[1] <== b; lt.out === 1; }
component main = Div(4);
