pragma circom 2.1.6;
template Div() { signal input a; signal input b; signal output q; signal inv;
    inv <-- 1 / b; inv * b === 1; q <-- a / b; q * b === a; }
component main = Div();
