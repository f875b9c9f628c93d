pragma circom 2.1.6;
// the inverse is a hint checked only as inv * x === inv * x... i.e. by nothing binding it.
template Inverse() { signal input x; signal output inv; signal t; inv <-- 1 / x; t <== inv * x; }
component main = Inverse();
