"""Every pattern, both variants, at production parameters: zkwork proves, zkwork
verifies, and the pinned snarkjs accepts zkwork's proof with zkwork's verification key."""
import pytest

from node_tools import run_node_tool
from zkwork.groth16 import prove, setup, verify
from zkwork.groth16.snarkjs_json import proof_to_json, public_to_json, write_json, vk_to_json
from zkwork.patterns import PATTERNS, VARIANTS, get_pattern


@pytest.mark.slow
@pytest.mark.node
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", list(PATTERNS))
def test_production_pattern_proves_and_snarkjs_accepts(name, variant, tmp_path):
    pattern = get_pattern(name, variant)
    inputs = pattern.sample_inputs()
    r1cs, witness = pattern.solve(inputs)
    public = r1cs.public_signals(witness)
    assert public == pattern.expected_public(inputs)
    pk = setup(r1cs)
    proof = prove(pk, witness)
    assert verify(pk.vk, public, proof)
    assert not verify(pk.vk, [public[0] + 1] + public[1:], proof)
    write_json(tmp_path / "vk.json", vk_to_json(pk.vk))
    write_json(tmp_path / "proof.json", proof_to_json(proof))
    write_json(tmp_path / "public.json", public_to_json(public))
    result = run_node_tool("snarkjs", "groth16", "verify", tmp_path / "vk.json", tmp_path / "public.json",
                           tmp_path / "proof.json")
    assert "OK" in result.stdout
