"""The Groth16 command line: setup, prove, verify (snarkjs's exit statuses), export, circuits."""
import json

import pytest

from node_tools import run_node_tool
from zkwork.cli import main
from zkwork.patterns import get_pattern


@pytest.fixture(scope="module")
def setup_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("membership")
    assert main(["setup", "membership", "--variant", "hardened", "--param", "depth=4", "--out", str(directory)]) == 0
    return directory


def _inputs_file(tmp_path, inputs):
    path = tmp_path / "input.json"
    path.write_text(json.dumps({k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in inputs.items()}))
    return path


@pytest.mark.slow
def test_setup_prove_verify_round_trip(setup_dir, tmp_path, capsys):
    pattern = get_pattern("membership", "hardened", depth=4)
    inputs = _inputs_file(tmp_path, pattern.sample_inputs())
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    assert main(["prove", str(setup_dir), "--input", str(inputs), "--proof", str(proof), "--public", str(public)]) == 0
    vk = setup_dir / "verification_key.json"
    assert main(["verify", str(vk), str(public), str(proof)]) == 0
    assert "OK" in capsys.readouterr().out
    values = json.loads(public.read_text())
    values[0] = str(int(values[0]) + 1)
    public.write_text(json.dumps(values))
    assert main(["verify", str(vk), str(public), str(proof)]) == 1
    assert "INVALID" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.node
def test_snarkjs_verifies_the_cli_proof_with_the_exported_key(setup_dir, tmp_path):
    pattern = get_pattern("membership", "hardened", depth=4)
    inputs = _inputs_file(tmp_path, pattern.sample_inputs())
    proof, public, vk = tmp_path / "proof.json", tmp_path / "public.json", tmp_path / "vk.json"
    assert main(["prove", str(setup_dir), "--input", str(inputs), "--proof", str(proof), "--public", str(public)]) == 0
    assert main(["export", "verificationkey", str(setup_dir), str(vk)]) == 0
    assert "OK" in run_node_tool("snarkjs", "groth16", "verify", vk, public, proof).stdout


def test_malformed_files_are_named_with_exit_status_2(setup_dir, tmp_path, capsys):
    bad = tmp_path / "proof.json"
    bad.write_text('{"pi_a": ["1", "2", "1"]}')
    public = tmp_path / "public.json"
    public.write_text('["1", "2"]')
    assert main(["verify", str(setup_dir / "verification_key.json"), str(public), str(bad)]) == 2
    assert "missing 'pi_b'" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "absent.json"), str(public), str(bad)]) == 2


def test_prove_names_a_bad_input(setup_dir, tmp_path, capsys):
    inputs = tmp_path / "input.json"
    inputs.write_text('{"root": "twelve"}')
    code = main(["prove", str(setup_dir), "--input", str(inputs), "--proof", str(tmp_path / "p"), "--public", str(tmp_path / "q")])
    assert code == 2 and "'root'" in capsys.readouterr().err


def test_circuits_table(tmp_path, capsys):
    out = tmp_path / "circuits.json"
    assert main(["circuits", "--out", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert {(r["pattern"], r["variant"]) for r in rows} >= {("membership", "reference"), ("locker", "hardened")}
    membership = next(r for r in rows if r["pattern"] == "membership" and r["variant"] == "reference")
    assert membership["constraints"] == get_pattern("membership", "reference").build().num_constraints
    assert "membership" in capsys.readouterr().out
