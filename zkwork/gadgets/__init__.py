"""Circuit gadgets over the R1CS DSL (Poseidon, bit decomposition, comparators, Merkle paths)
and the native computations they mirror (Poseidon, sparse Merkle trees)."""
