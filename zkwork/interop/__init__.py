"""Where zkwork does a snarkjs user's job with snarkjs's own files: proving from a .zkey and
a .wtns (zkey_prover). Above the file formats and Groth16, which it joins."""
