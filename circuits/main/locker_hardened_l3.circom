pragma circom 2.1.6;
// Locker, hardened variant, depth L=3.
include "../locker_hardened.circom";
component main {public [facilityID, lockerSetRoot, challenge]} = LockerHardened(3);
