pragma circom 2.1.6;
// Version, hardened variant (no size parameter).
include "../version_hardened.circom";
component main {public [oldPIDCommitment, newPIDCommitment, identityCommitment]} = VersionHardened();
