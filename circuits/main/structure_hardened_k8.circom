pragma circom 2.1.6;
// Structure, hardened variant, K=8 components.
include "../structure_hardened.circom";
component main {public [countryCode, hierarchyDepth]} = StructureHardened(8);
