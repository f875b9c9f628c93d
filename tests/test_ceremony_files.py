"""The ceremony as people run it: a directory passed from contributor to contributor through
`zkwork ceremony ...`, verified by anyone, whose keys `zkwork prove` and `zkwork verify` use,
and whose phase 1 and final .zkey snarkjs verifies (issue #19)."""
import json

import pytest

from node_tools import run_node_tool
from zkwork.ceremony import files
from zkwork.cli import main
from zkwork.patterns import get_pattern

pytestmark = pytest.mark.slow  # a 10-contributor ceremony: about a minute on 2 cores

STRUCTURE = ["structure", "--variant", "hardened", "--param", "components=4"]
CIRCUIT = "structure-hardened-components4"
CONTRIBUTORS = [f"contributor-{i}" for i in range(10)]


@pytest.fixture(scope="module")
def ceremony(tmp_path_factory):
    """Ten phase-1 contributors and the beacon; phase 2 of Structure (485 constraints,
    power 9) with two contributors and its beacon."""
    directory = tmp_path_factory.mktemp("ceremony") / "c"
    assert main(["ceremony", "init", str(directory), "--power", "9"]) == 0
    for name in CONTRIBUTORS:
        assert main(["ceremony", "contribute", str(directory), "--name", name]) == 0
    assert main(["ceremony", "beacon", str(directory), "--value", "00" * 31 + "2a", "--exponent", "3"]) == 0
    assert main(["ceremony", "phase2", str(directory), *STRUCTURE]) == 0
    for name in ("dave", "erin"):
        assert main(["ceremony", "contribute", str(directory), "--name", name, "--circuit", CIRCUIT]) == 0
    assert main(["ceremony", "beacon", str(directory), "--value", "ff", "--exponent", "10", "--circuit", CIRCUIT]) == 0
    return directory


def _copy(directory, tmp_path):
    import shutil

    target = tmp_path / "copy"
    shutil.copytree(directory, target)
    return target


def test_the_published_ceremony_verifies(ceremony, tmp_path, capsys):
    checks = tmp_path / "checks.json"
    assert main(["ceremony", "verify", str(ceremony), "--out", str(checks)]) == 0
    assert "OK: every contribution verifies" in capsys.readouterr().out
    written = json.loads(checks.read_text())
    rows = written["checks"]
    assert written["ok"] and {row["stage"] for row in rows} == {"phase1", CIRCUIT} and all(row["passed"] for row in rows)
    transcript = json.loads((ceremony / "phase1" / "transcript.json").read_text())
    assert [r["contributor"] for r in transcript["records"]] == CONTRIBUTORS + ["beacon"]


def test_its_keys_prove_and_verify_on_the_command_line(ceremony, tmp_path, capsys):
    pattern = get_pattern("structure", "hardened", components=4)
    inputs = tmp_path / "input.json"
    inputs.write_text(json.dumps({k: [str(x) for x in v] if isinstance(v, list) else str(v)
                                  for k, v in pattern.sample_inputs().items()}))
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    circuit_dir = ceremony / "phase2" / CIRCUIT
    assert main(["prove", str(circuit_dir), "--input", str(inputs), "--proof", str(proof), "--public", str(public)]) == 0
    assert main(["verify", str(circuit_dir / "verification_key.json"), str(public), str(proof)]) == 0
    values = json.loads(public.read_text())
    values[-1] = str(int(values[-1]) + 1)
    public.write_text(json.dumps(values))
    assert main(["verify", str(circuit_dir / "verification_key.json"), str(public), str(proof)]) == 1


def test_a_tampered_record_is_rejected_and_named(ceremony, tmp_path, capsys):
    copy = _copy(ceremony, tmp_path)
    path = copy / "phase1" / "transcript.json"
    transcript = json.loads(path.read_text())
    records = transcript["records"]
    records[4]["proofs"]["tau"], records[5]["proofs"]["tau"] = records[5]["proofs"]["tau"], records[4]["proofs"]["tau"]
    path.write_text(json.dumps(transcript))
    assert main(["ceremony", "verify", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "REJECTED" in out and "contributor-4" in out and "pok_tau" in out
    result = files.verify_transcript(copy)
    assert (4, "pok_tau") in result.reports["phase1"].failed() and result.reports[CIRCUIT].ok


def test_phase2_keys_swapped_for_other_keys_are_rejected(ceremony, tmp_path, capsys):
    copy = _copy(ceremony, tmp_path)
    # The keys of a dev setup in place of the ceremony's: same circuit, unrelated secrets.
    assert main(["setup", *STRUCTURE, "--out", str(tmp_path / "dev")]) == 0
    import shutil

    shutil.rmtree(copy / "phase2" / CIRCUIT / "proving_key")
    shutil.copytree(tmp_path / "dev" / "proving_key", copy / "phase2" / CIRCUIT / "proving_key")
    assert main(["ceremony", "verify", str(copy)]) == 1
    result = files.verify_transcript(copy)
    assert result.reports["phase1"].ok and not result.reports[CIRCUIT].ok
    assert ("final", "proving_key") in result.reports[CIRCUIT].failed()


def test_steps_out_of_order_are_refused(ceremony, tmp_path, capsys):
    copy = _copy(ceremony, tmp_path)
    assert main(["ceremony", "contribute", str(copy), "--name", "late"]) == 2
    assert "sealed" in capsys.readouterr().err
    assert main(["ceremony", "contribute", str(copy), "--name", "late", "--circuit", CIRCUIT]) == 2
    assert main(["ceremony", "phase2", str(copy), *STRUCTURE]) == 2
    assert "has started" in capsys.readouterr().err
    fresh = tmp_path / "fresh"
    assert main(["ceremony", "init", str(fresh), "--power", "4"]) == 0
    assert main(["ceremony", "init", str(fresh), "--power", "4"]) == 2
    assert main(["ceremony", "phase2", str(fresh), *STRUCTURE]) == 2
    assert "not sealed" in capsys.readouterr().err
    assert main(["ceremony", "verify", str(fresh)]) == 1  # no beacon yet
    # Nothing wrong, but nothing done yet: with no contributor, every secret is public.
    assert main(["ceremony", "verify", str(fresh), "--open"]) == 1
    assert "contributors" in capsys.readouterr().out


def test_unreadable_files_are_rejected_naming_the_file(ceremony, tmp_path, capsys):
    copy = _copy(ceremony, tmp_path)
    (copy / "phase1" / "transcript.json").write_text("{")
    assert main(["ceremony", "verify", str(copy)]) == 1
    assert "transcript.json" in capsys.readouterr().out
    assert main(["ceremony", "verify", str(tmp_path / "nothing")]) == 2
    assert "not a ceremony directory" in capsys.readouterr().err


@pytest.mark.node
def test_the_ceremony_exports_as_a_ptau_snarkjs_verifies(ceremony, tmp_path, capsys):
    ptau = tmp_path / "phase1.ptau"
    assert main(["ceremony", "export-ptau", str(ceremony), str(ptau)]) == 0
    assert main(["ceremony", "verify-ptau", str(ptau)]) == 0
    run = run_node_tool("snarkjs", "powersoftau", "verify", ptau)
    assert "Powers of Tau Ok!" in run.stdout + run.stderr


@pytest.mark.node
def test_snarkjs_verifies_the_final_zkey_and_zkwork_proves_with_it(ceremony, tmp_path, capsys):
    circuit_dir = ceremony / "phase2" / CIRCUIT
    ptau, prepared = tmp_path / "phase1.ptau", tmp_path / "prepared.ptau"
    assert main(["ceremony", "export-ptau", str(ceremony), str(ptau)]) == 0
    assert main(["powersoftau", "prepare", "phase2", str(ptau), str(prepared)]) == 0
    run = run_node_tool("snarkjs", "zkey", "verify", circuit_dir / "circuit.r1cs", prepared, circuit_dir / "circuit.zkey")
    out = run.stdout + run.stderr
    assert "ZKey Ok!" in out and "dave" in out and "erin" in out
    assert main(["zkey", "verify", str(circuit_dir / "circuit.r1cs"), str(prepared), str(circuit_dir / "circuit.zkey")]) == 0
    # snarkjs's verification key of the .zkey is the one `zkwork verify` reads, and the .zkey proves
    vk = tmp_path / "vk.json"
    run_node_tool("snarkjs", "zkey", "export", "verificationkey", circuit_dir / "circuit.zkey", vk)
    assert json.loads(vk.read_text()) == json.loads((circuit_dir / "verification_key.json").read_text())
