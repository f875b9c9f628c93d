pragma circom 2.1.6;
// a square root: both r and -r satisfy r * r === x.
template Sqrt() { signal input x; signal output r; r <-- 0; r * r === x; }
component main = Sqrt();
