pragma circom 2.1.6;
// Locker, reference variant, depth L=3.
include "../locker_reference.circom";
component main {public [facilityID, lockerSetRoot]} = LockerReference(3);
