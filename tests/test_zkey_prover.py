"""zkwork proving from snarkjs's own proving key (zkwork.interop.zkey_prover): the small
Membership circuit (depth 4, domain 2^11) goes through snarkjs's setup (the benchmark peer's
cached ptau and zkey, built once in a temporary cache: about a minute), then

- read_zkey gives the verification key snarkjs exports (so the point encodings agree) and
  writes the file back byte for byte;
- prove_zkey on snarkjs's witness is accepted by zkwork's verifier and by
  `snarkjs groth16 verify`, also with fixed-base tables (then the same proof as the plain
  formula's for the same r, s) and through prove_zkey_files (the CLI's entry point);
- a tampered witness is refused (and the proof it would give is one snarkjs rejects);
- an .r1cs written by zkwork (of the small Structure circuit) goes through `snarkjs groth16
  setup` with the same ptau, and prove_zkey proves zkwork's own witness with that zkey.

With $ZKWORK_SNARKJS_CACHE set, the peer's cache there is used (and kept) instead.
"""
import json
import os
from pathlib import Path

import pytest
from node_tools import ROOT, run_node_tool

from zkwork.bench.snarkjs_peer import CACHE_ENV, measure_snarkjs
from zkwork.errors import CircuitInputError, DuplicateSectionError, UnsatisfiedConstraintError
from zkwork.field import R
from zkwork.formats import read_r1cs, read_wtns, read_zkey, write_r1cs, write_wtns, write_zkey
from zkwork.formats.binfile import read_bin_file, write_bin_file
from zkwork.groth16 import verify
from zkwork.groth16.snarkjs_json import read_json_as, proof_to_json, public_to_json, write_json, vk_from_json
from zkwork.interop.zkey_prover import prove_zkey, prove_zkey_files
from zkwork.patterns import get_pattern

pytestmark = [pytest.mark.node, pytest.mark.slow]

MAIN = ROOT / "circuits" / "main" / "membership_reference_d4.circom"


def pattern():
    return get_pattern("membership", "reference", depth=4)


@pytest.fixture(scope="module")
def snarkjs_key(tmp_path_factory):
    """Paths of snarkjs's files for the circuit (zkey, verification key, r1cs, wasm, ptau)
    and a witness computed by snarkjs for the pattern's sample inputs."""
    cache = os.environ.get(CACHE_ENV) or tmp_path_factory.mktemp("zkey_cache")
    inputs = pattern().sample_inputs()
    paths = measure_snarkjs(MAIN, inputs, runs=1, verify_runs=1, warmup=0, cache_dir=cache)["paths"]
    work = tmp_path_factory.mktemp("zkey_work")
    (work / "input.json").write_text(json.dumps({k: [str(x) for x in v] if isinstance(v, list) else str(v)
                                                 for k, v in inputs.items()}))
    run_node_tool("snarkjs", "wtns", "calculate", paths["wasm"], work / "input.json", work / "witness.wtns")
    return {**paths, "wtns": str(work / "witness.wtns"), "inputs": inputs}


@pytest.fixture(scope="module")
def zkey(snarkjs_key):
    return read_zkey(snarkjs_key["zkey"])


def snarkjs_verifies(vk_path, public_path, proof_path):
    result = run_node_tool("snarkjs", "groth16", "verify", vk_path, public_path, proof_path, check=False)
    return result.returncode == 0 and "OK" in result.stdout


def test_read_zkey_agrees_with_snarkjs(snarkjs_key, zkey, tmp_path):
    vk = read_json_as(snarkjs_key["verification_key"], vk_from_json)
    assert zkey.vk == vk  # same points: snarkjs's Montgomery limbs are zkwork's
    r1cs = read_r1cs(snarkjs_key["r1cs"])
    assert (zkey.num_vars, zkey.num_public, zkey.domain_size) == (r1cs.num_wires, r1cs.num_public, 2048)
    assert zkey.c_query.shape == (r1cs.num_wires - r1cs.num_public - 1, 2, 4)
    assert len(zkey.contributions) > 0
    write_zkey(zkey, tmp_path / "again.zkey")
    assert (tmp_path / "again.zkey").read_bytes() == Path(snarkjs_key["zkey"]).read_bytes()


def test_duplicated_section_in_a_snarkjs_zkey(snarkjs_key, tmp_path):
    binfile = read_bin_file(snarkjs_key["zkey"], "zkey", 1, {})
    sections = [(t, data) for t, views in binfile.sections.items() for data in views]
    write_bin_file(tmp_path / "dup.zkey", "zkey", 1, sections + [(9, binfile.sections[9][0])])
    with pytest.raises(DuplicateSectionError, match=r"section 9 \(points H\)"):
        read_zkey(tmp_path / "dup.zkey")


def test_prove_zkey_is_accepted_by_zkwork_and_snarkjs(snarkjs_key, zkey, tmp_path):
    witness = read_wtns(snarkjs_key["wtns"])
    public = witness[1 : 1 + zkey.num_public]
    assert public == pattern().expected_public(snarkjs_key["inputs"])
    proof = prove_zkey(zkey, witness)
    assert verify(zkey.vk, public, proof)
    assert not verify(zkey.vk, [(public[0] + 1) % R], proof)
    write_json(tmp_path / "proof.json", proof_to_json(proof))
    write_json(tmp_path / "public.json", public_to_json(public))
    assert snarkjs_verifies(snarkjs_key["verification_key"], tmp_path / "public.json", tmp_path / "proof.json")
    write_json(tmp_path / "wrong.json", public_to_json([(public[0] + 1) % R]))
    assert not snarkjs_verifies(snarkjs_key["verification_key"], tmp_path / "wrong.json", tmp_path / "proof.json")


def test_prove_zkey_with_tables_is_the_plain_formula_and_snarkjs_accepts_it(snarkjs_key, zkey, tmp_path):
    from test_zkey_prover_tasks import plain_formula

    from zkwork.field import Fr
    from zkwork.interop.zkey_prover import precompute_zkey

    witness = read_wtns(snarkjs_key["wtns"])
    public = witness[1 : 1 + zkey.num_public]
    r, s = Fr.random(), Fr.random()
    proof = prove_zkey(zkey, witness, tables=precompute_zkey(zkey), randomness=(r, s))
    assert proof == plain_formula(zkey, witness, r, s, backend="fast")
    write_json(tmp_path / "proof.json", proof_to_json(proof))
    write_json(tmp_path / "public.json", public_to_json(public))
    assert snarkjs_verifies(snarkjs_key["verification_key"], tmp_path / "public.json", tmp_path / "proof.json")


def test_prove_zkey_files(snarkjs_key, tmp_path):
    _, public = prove_zkey_files(snarkjs_key["zkey"], snarkjs_key["wtns"], tmp_path / "proof.json",
                                 tmp_path / "public.json")
    assert json.loads((tmp_path / "public.json").read_text()) == [str(v) for v in public]
    assert snarkjs_verifies(snarkjs_key["verification_key"], tmp_path / "public.json", tmp_path / "proof.json")


def test_tampered_witness_is_refused(snarkjs_key, zkey, tmp_path):
    witness = read_wtns(snarkjs_key["wtns"])
    witness[500] = (witness[500] + 1) % R  # an internal signal of a Poseidon permutation
    with pytest.raises(UnsatisfiedConstraintError, match="fails its verifying key"):
        prove_zkey(zkey, witness)
    r1cs = read_r1cs(snarkjs_key["r1cs"])
    with pytest.raises(UnsatisfiedConstraintError, match=r"constraint \d+ \(constraint \d+\) fails"):
        prove_zkey(zkey, witness, r1cs=r1cs)
    # unchecked, the proof comes out, and snarkjs rejects it too
    proof = prove_zkey(zkey, witness, check=False)
    write_json(tmp_path / "proof.json", proof_to_json(proof))
    write_json(tmp_path / "public.json", public_to_json(witness[1 : 1 + zkey.num_public]))
    assert not snarkjs_verifies(snarkjs_key["verification_key"], tmp_path / "public.json", tmp_path / "proof.json")
    with pytest.raises(CircuitInputError, match="expects 1191 witness values"):
        prove_zkey(zkey, witness[:-1])


def test_zkwork_r1cs_through_snarkjs_setup_and_prove_zkey(snarkjs_key, tmp_path):
    structure = get_pattern("structure", "reference", components=4)  # 410 constraints: the power-11 ptau fits
    r1cs, witness = structure.solve(structure.sample_inputs())
    write_r1cs(r1cs, tmp_path / "zkwork.r1cs")
    run_node_tool("snarkjs", "groth16", "setup", tmp_path / "zkwork.r1cs", snarkjs_key["ptau"], tmp_path / "zkwork.zkey")
    run_node_tool("snarkjs", "zkey", "export", "verificationkey", tmp_path / "zkwork.zkey", tmp_path / "vk.json")
    write_wtns(witness, tmp_path / "zkwork.wtns")
    _, public = prove_zkey_files(tmp_path / "zkwork.zkey", tmp_path / "zkwork.wtns", tmp_path / "proof.json",
                                 tmp_path / "public.json")
    assert public == r1cs.public_signals(witness)
    assert snarkjs_verifies(tmp_path / "vk.json", tmp_path / "public.json", tmp_path / "proof.json")



def test_command_line_prove_zkey_and_r1cs_info(snarkjs_key, tmp_path, capsys):
    from zkwork.cli import main

    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    assert main(["prove-zkey", snarkjs_key["zkey"], snarkjs_key["wtns"], str(proof), str(public)]) == 0
    assert snarkjs_verifies(snarkjs_key["verification_key"], public, proof)
    capsys.readouterr()
    assert main(["r1cs", "info", snarkjs_key["r1cs"], "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["constraints"] == pattern().build().num_constraints
    assert main(["prove-zkey", str(tmp_path / "missing.zkey"), snarkjs_key["wtns"], str(proof), str(public)]) == 2
