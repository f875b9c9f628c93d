pragma circom 2.1.6;
// Membership, reference variant, depth D=20.
include "../membership_reference.circom";
component main = MembershipReference(20);
