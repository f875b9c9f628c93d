pragma circom 2.1.6;
// Membership, hardened variant, depth D=20.
include "../membership_hardened.circom";
component main {public [root, challenge]} = MembershipHardened(20);
