pragma circom 2.1.6;
// Locker, reference variant, depth L=10.
include "../locker_reference.circom";
component main {public [facilityID, lockerSetRoot]} = LockerReference(10);
