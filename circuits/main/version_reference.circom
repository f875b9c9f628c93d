pragma circom 2.1.6;
// Version, reference variant (no size parameter).
include "../version_reference.circom";
component main {public [oldPIDCommitment, newPIDCommitment]} = VersionReference();
