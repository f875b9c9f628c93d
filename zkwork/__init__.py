"""zkwork: a research and benchmarking workbench for Groth16 on BN254."""

__version__ = "0.1.0"
