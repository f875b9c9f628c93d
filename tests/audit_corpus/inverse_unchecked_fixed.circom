pragma circom 2.1.6;
template Inverse() { signal input x; signal output inv; inv <-- 1 / x; inv * x === 1; }
component main = Inverse();
