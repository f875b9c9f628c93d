"""Groth16 over BN254: key generation, proving, verification (single and batched)."""
from zkwork.groth16.generator import ToxicWaste, setup, setup_from_toxic_waste
from zkwork.groth16.keys import Proof, ProvingKey, VerifyingKey
from zkwork.groth16.prover import prove
from zkwork.groth16.verifier import PreparedVerifyingKey, prepare_verifying_key, verify, verify_batch

__all__ = [
    "Proof", "ProvingKey", "VerifyingKey", "PreparedVerifyingKey", "ToxicWaste",
    "setup", "setup_from_toxic_waste", "prove", "verify", "verify_batch", "prepare_verifying_key",
]
