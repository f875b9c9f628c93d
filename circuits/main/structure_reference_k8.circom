pragma circom 2.1.6;
// Structure, reference variant, K=8 components.
include "../structure_reference.circom";
component main {public [countryCode, hierarchyDepth]} = StructureReference(8);
