pragma circom 2.1.6;
// q * b === a holds for any q when a = b = 0.
template Div() { signal input a; signal input b; signal output q; q <-- a / b; q * b === a; }
component main = Div();
