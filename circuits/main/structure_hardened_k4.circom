pragma circom 2.1.6;
// Structure, hardened variant, K=4 components.
include "../structure_hardened.circom";
component main {public [countryCode, hierarchyDepth]} = StructureHardened(4);
