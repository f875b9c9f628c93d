"""`zkwork ceremony verify` trusts nothing it does not derive (issue #12): the verification
key files, the proving key, circuit.json, circuit.r1cs and ceremony.json are checked against
the transcripts, a phase 2 without a contribution (delta = gamma, forgeable) is refused,
every directory under phase2/ is verified, unreadable files are failed checks naming them,
beacons are recomputed only within a bound and a time budget, and a directory of format
version 1 with a phase 2 is refused by name (issue #19)."""
import dataclasses
import json
import shutil
import time

import pytest

import zkwork.ceremony.zkey_mpc as zkey_mpc
from zkwork.ceremony import files
from zkwork.ceremony.beacon_limits import BeaconLimits, LimitError, sha256_rate
from zkwork.ceremony.phase2_files import ZKEY, verify_circuit
from zkwork.cli import main
from zkwork.curve import G1Point
from zkwork.field import Fr, R
from zkwork.formats import read_zkey
from zkwork.formats.zkey_file import MpcParams, mpc_params_bytes, read_mpc_params, write_zkey
from zkwork.groth16.keys import Proof
from zkwork.groth16.snarkjs_json import proof_to_json, vk_from_json
from zkwork.pairing import pairing

# Structure with one component: 281 constraints, a domain of 2^9 points.
PATTERN = ["structure", "--param", "components=1"]
CIRCUIT = "structure-reference-components1"
slow = pytest.mark.slow  # the module's ceremony (about 25 s) and full verifications (about 10 s each)


@pytest.fixture(scope="module")
def ceremony(tmp_path_factory):
    """Phase 1 at power 9 by alice and bob and its beacon; phase 2 of CIRCUIT by carol and
    its beacon; all through the command line."""
    directory = tmp_path_factory.mktemp("trust") / "c"
    assert main(["ceremony", "init", str(directory), "--power", "9"]) == 0
    for name in ("alice", "bob"):
        assert main(["ceremony", "contribute", str(directory), "--name", name]) == 0
    assert main(["ceremony", "beacon", str(directory), "--value", "2a", "--exponent", "3"]) == 0
    assert main(["ceremony", "phase2", str(directory), *PATTERN]) == 0
    assert main(["ceremony", "contribute", str(directory), "--name", "carol", "--circuit", CIRCUIT]) == 0
    assert main(["ceremony", "beacon", str(directory), "--value", "ff", "--exponent", "10", "--circuit", CIRCUIT]) == 0
    return directory


@pytest.fixture
def copy(ceremony, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(ceremony, target)
    return target


def _edit_json(path, edit):
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def _rejected(directory, capsys, *names, args=()):
    """Run `ceremony verify`, expect exit 1, and return its output, which holds every name."""
    capsys.readouterr()
    assert main(["ceremony", "verify", str(directory), *args]) == 1
    out = capsys.readouterr().out
    assert "REJECTED" in out
    for name in names:
        assert name in out, name
    return out


@slow
def test_the_ceremony_verifies_and_reports_its_contributors(ceremony, capsys):
    assert main(["ceremony", "verify", str(ceremony)]) == 0
    out = capsys.readouterr().out
    assert "OK: every contribution verifies" in out
    assert "WARNING: phase 1: 2 contributors (the guide asks for >= 10)" in out
    assert f"WARNING: phase 2 {CIRCUIT}: 1 contributors (the guide asks for >= 10)" in out
    result = files.verify_transcript(ceremony, min_contributors=2)
    assert result.reports["phase1"].ok and result.reports[CIRCUIT].failed() == {("final", "contributors")}
    _rejected(ceremony, capsys, "contributors", "at least 2 required", args=["--min-contributors", "2"])
    assert main(["ceremony", "verify", str(ceremony), "--min-contributors", "0"]) == 2


def _e(g1, g2):
    return pairing(g1.affine_mont(), g2.affine_mont())


def _forge(vk_path, tmp_path):
    """A proof that A = alpha_1, B = beta_2, C = -IC(x) for public signals x = 7, 7, ...: the
    verification equation holds whenever the key's delta_2 is its gamma_2."""
    vk = vk_from_json(json.loads(vk_path.read_text()))
    public = [7] * vk.num_public
    ic = vk.ic[0]
    for x, point in zip(public, vk.ic[1:]):
        ic = ic + point * x
    proof = Proof(a=vk.alpha_1, b=vk.beta_2, c=-ic)
    assert _e(proof.a, proof.b) == _e(vk.alpha_1, vk.beta_2) * _e(ic, vk.gamma_2) * _e(proof.c, vk.delta_2)
    proof_path, public_path = tmp_path / "forged.json", tmp_path / "public.json"
    proof_path.write_text(json.dumps(proof_to_json(proof)))
    public_path.write_text(json.dumps([str(x) for x in public]))
    return proof_path, public_path


@slow
def test_a_verification_key_with_gamma_as_delta_forges_proofs_and_is_rejected(copy, tmp_path, capsys):
    vk_path = copy / "phase2" / CIRCUIT / "verification_key.json"
    _edit_json(vk_path, lambda vk: vk.update(vk_delta_2=vk["vk_gamma_2"]))
    proof, public = _forge(vk_path, tmp_path)
    # `zkwork verify` accepts the forgery (0), or refuses the unsafe key (2) once the
    # groth16 layer checks keys as it loads them; the proof itself is never invalid (1).
    assert main(["verify", str(vk_path), str(public), str(proof)]) in (0, 2)
    out = _rejected(copy, capsys, "verification_key.json", "verification_key_json", "vk_delta_2")
    assert "header_vk" not in out  # the proving key's own vk is intact


@slow
def test_swapped_ic_points_are_rejected_in_either_vk(copy, capsys):
    circuit = copy / "phase2" / CIRCUIT
    original = (circuit / "verification_key.json").read_text()
    _edit_json(circuit / "verification_key.json", lambda vk: vk["IC"].__setitem__(1, vk["IC"][2]))
    _rejected(copy, capsys, "verification_key_json", "IC")
    (circuit / "verification_key.json").write_text(original)
    _edit_json(circuit / "proving_key" / "header.json", lambda h: h["vk"]["IC"].__setitem__(1, h["vk"]["IC"][2]))
    out = _rejected(copy, capsys, "header_vk", "proving_key", "header.json")
    assert "verification_key_json" not in out


@slow
def test_the_proving_key_header_vk_is_derived_too(copy, capsys):
    header = copy / "phase2" / CIRCUIT / "proving_key" / "header.json"
    _edit_json(header, lambda h: h["vk"].update(vk_delta_2=h["vk"]["vk_gamma_2"]))
    out = _rejected(copy, capsys, "header_vk", "proving_key")
    assert "verification_key_json" not in out
    _edit_json(header, lambda h: h["vk"].update(vk_alphabeta_12=[[["1", "0"]] * 3] * 2))  # read by no loader
    result = files.verify_transcript(copy)
    assert ("final", "header_vk") in result.reports[CIRCUIT].failed()


def _identity_failures(circuit_dir):
    """The failed checks of the circuit directory's files and identity (verify_circuit
    without phase 1 skips the .zkey's chain, whose checks the other tests make)."""
    report, _ = verify_circuit(circuit_dir, None)
    return {c.check: c.detail for c in report.failures() if c.check != "phase1"}


@slow
def test_circuit_json_must_be_the_circuit_of_the_directory(copy, capsys):
    circuit_json = copy / "phase2" / CIRCUIT / "circuit.json"
    original = circuit_json.read_text()
    assert _identity_failures(circuit_json.parent) == {}
    for edit, failed, named in (
        (lambda c: c.update(variant="hardened"), "circuit_name", "structure-hardened-components1"),
        (lambda c: c.update(constraints=c["constraints"] + 1), "circuit_json", "constraints"),
        (lambda c: c.update(extra=1), "circuit_json", "extra"),
        (lambda c: c.update(pattern="nonesuch"), "circuit_pattern", "circuit.json"),
        (lambda c: c.pop("params"), "circuit_pattern", "circuit.json"),
    ):
        circuit_json.write_text(original)
        _edit_json(circuit_json, edit)
        failures = _identity_failures(circuit_json.parent)
        assert failed in failures and named in failures[failed], (failed, failures)
    circuit_json.write_text(original)
    _edit_json(circuit_json, lambda c: c["params"].update(components=2))
    _rejected(copy, capsys, "circuit_name", "structure-reference-components2")


@slow
def test_circuit_r1cs_must_be_the_patterns(copy, capsys):
    r1cs = copy / "phase2" / CIRCUIT / "circuit.r1cs"
    data = bytearray(r1cs.read_bytes())
    data[-9] ^= 1  # the wire map's last entry
    r1cs.write_bytes(bytes(data))
    # Only the published copy is wrong: the key is checked against the pattern's own constraints.
    result = files.verify_transcript(copy)
    assert result.reports[CIRCUIT].failed() == {("files", "circuit_r1cs")}
    r1cs.unlink()
    _rejected(copy, capsys, "read_circuit_r1cs", "circuit.r1cs")


@slow
def test_a_phase2_without_contribution_is_refused(copy, capsys):
    shutil.rmtree(copy / "phase2" / CIRCUIT)
    assert main(["ceremony", "phase2", str(copy), *PATTERN]) == 0
    # The initial keys: delta = gamma = 1, so the proof of _forge verifies against them.
    result = files.verify_transcript(copy, require_sealed=False)
    assert result.reports[CIRCUIT].failed() == {("final", "delta_not_gamma"), ("final", "contributors")}
    _rejected(copy, capsys, "delta_not_gamma", "contributors", args=["--open"])
    assert main(["ceremony", "beacon", str(copy), "--value", "01", "--exponent", "10", "--circuit", CIRCUIT]) == 0
    result = files.verify_transcript(copy)
    assert result.reports[CIRCUIT].failed() == {("final", "contributors")}


@slow
def test_a_contribution_of_delta_one_is_refused(copy, monkeypatch):
    """Mallory's contributions keep delta at +-1 with valid records: only delta_not_gamma fails."""
    shutil.rmtree(copy / "phase2" / CIRCUIT)
    assert main(["ceremony", "phase2", str(copy), *PATTERN]) == 0
    for secret in (1, R - 1):  # delta = -1: C = IC(x) forges
        g1_s = G1Point.generator() * 5
        monkeypatch.setattr(zkey_mpc, "_key_from_rng", lambda rng: (Fr(secret), g1_s, g1_s * secret))
        files.phase2_contribute(copy, CIRCUIT, "mallory")
        result = files.verify_transcript(copy, require_sealed=False)
        assert result.reports[CIRCUIT].failed() == {("final", "delta_not_gamma")}


def test_phase1_needs_a_contributor(tmp_path, capsys):
    directory = tmp_path / "c"
    assert main(["ceremony", "init", str(directory), "--power", "3"]) == 0
    _rejected(directory, capsys, "contributors", args=["--open"])
    assert main(["ceremony", "beacon", str(directory), "--value", "01", "--exponent", "3"]) == 0
    assert files.verify_transcript(directory).reports["phase1"].failed() == {("final", "contributors")}


@slow
def test_a_circuit_without_its_zkey_fails_by_name(copy, capsys):
    (copy / "phase2" / CIRCUIT / ZKEY).unlink()
    _rejected(copy, capsys, CIRCUIT, "read_zkey", ZKEY)
    assert files.circuits(copy) == [CIRCUIT]


@slow
def test_every_entry_under_phase2_is_verified(copy, capsys):
    (copy / "phase2" / "stray").mkdir()
    (copy / "phase2" / "notes.txt").write_text("hello")
    (copy / "phase2" / "phase1").mkdir()
    result = files.verify_transcript(copy)
    assert result.reports["phase1"].ok and result.reports[CIRCUIT].ok
    assert ("files", "read_zkey") in result.reports["stray"].failed()
    assert result.reports["notes.txt"].failed() == {("files", "directory")}
    assert not result.reports["phase2/phase1"].ok
    _rejected(copy, capsys, "stray", "notes.txt")


@slow
def test_unreadable_files_are_failed_checks_naming_them(copy, capsys):
    (copy / "phase1" / "transcript.json").write_text("{")
    (copy / "phase2" / CIRCUIT / "proving_key" / "l_query.npy").write_bytes(b"")
    out = _rejected(copy, capsys, "read_transcript", "phase1/transcript.json", "proving_key", "l_query.npy")
    assert "contributors unknown" in out
    shutil.rmtree(copy / "phase1" / "state")
    _rejected(copy, capsys, "read_state", "phase1")
    (copy / "ceremony.json").unlink()
    assert main(["ceremony", "verify", str(copy)]) == 2  # not a ceremony at all
    assert "not a ceremony directory" in capsys.readouterr().err


@slow
def test_ceremony_json_is_checked_against_phase1(copy, capsys):
    header = copy / "ceremony.json"
    _edit_json(header, lambda h: h.update(power=10))
    _rejected(copy, capsys, "ceremony_power", "power 10")
    _edit_json(header, lambda h: h.update(power=9, note="extra"))
    _rejected(copy, capsys, "ceremony_json", "note")


def _set_beacon_exponent(path, exponent):
    _edit_json(path, lambda t: t["records"][-1]["beacon"].update(iterations_exponent=exponent))


def _set_zkey_beacon_exponent(path, exponent):
    zkey = read_zkey(path)
    params = read_mpc_params(zkey.contributions)
    records = (*params.contributions[:-1], dataclasses.replace(params.contributions[-1], iterations_exponent=exponent))
    write_zkey(dataclasses.replace(zkey, contributions=mpc_params_bytes(MpcParams(params.circuit_hash, records))), path)


@slow
def test_beacons_beyond_the_bound_are_refused_at_once(copy, capsys):
    _set_beacon_exponent(copy / "phase1" / "transcript.json", 62)
    _set_zkey_beacon_exponent(copy / "phase2" / CIRCUIT / ZKEY, 62)
    started = time.perf_counter()
    result = files.verify_transcript(copy)
    assert time.perf_counter() - started < 120  # 2^62 iterations would take millennia
    phase1_failed = result.reports["phase1"].failures()
    assert [(c.contribution, c.check) for c in phase1_failed] == [(2, "beacon_secrets")]
    assert "bound 2^30" in phase1_failed[0].detail and "--max-beacon-exponent" in phase1_failed[0].detail
    assert result.reports[CIRCUIT].failed() == {(1, "beacon_key")}
    # A raised bound leaves the time budget, estimated before iterating, to refuse them.
    out = _rejected(copy, capsys, "beacon_key", "--time-budget", args=["--max-beacon-exponent", "63"])
    assert "time budget of 1800 s" in out


@slow
def test_the_time_budget_is_a_parameter(ceremony, capsys):
    assert files.verify_transcript(ceremony, time_budget=0).reports["phase1"].failed() == {(2, "beacon_secrets")}
    _rejected(ceremony, capsys, "--time-budget", args=["--time-budget", "0"])
    assert main(["ceremony", "verify", str(ceremony), "--max-beacon-exponent", "2"]) == 1


def test_beacon_limits_refuse_before_iterating():
    limits = BeaconLimits(max_exponent=40, time_budget=60)
    assert limits.refusal(3) is None and limits.spent > 0
    assert "--time-budget" in limits.refusal(40)  # about a week at the measured rate
    assert "bound 2^40" in limits.refusal(41)
    assert 1e5 < sha256_rate() < 1e9
    for bad in (64, -1, True, 3.0):
        with pytest.raises(LimitError):
            BeaconLimits(max_exponent=bad)
    with pytest.raises(LimitError):
        BeaconLimits(time_budget=-1)


@slow
def test_creating_a_beacon_respects_the_bound(copy, capsys):
    shutil.rmtree(copy / "phase2" / CIRCUIT)
    assert main(["ceremony", "phase2", str(copy), *PATTERN]) == 0
    args = ["ceremony", "beacon", str(copy), "--value", "01", "--circuit", CIRCUIT]
    assert main([*args, "--exponent", "40"]) == 2
    assert "--max-beacon-exponent" in capsys.readouterr().err
    assert main([*args, "--exponent", "64", "--max-beacon-exponent", "64"]) == 2
    assert "0..63" in capsys.readouterr().err
    assert main([*args, "--exponent", "9"]) == 2  # snarkjs's beacon takes 10 to 63
    assert "10..63" in capsys.readouterr().err
    assert main([*args[:4], "0x01", *args[5:], "--exponent", "12", "--max-beacon-exponent", "63"]) == 0


@slow
def test_verify_ptau_takes_the_same_limits(ceremony, tmp_path, capsys):
    ptau = tmp_path / "phase1.ptau"
    assert main(["ceremony", "export-ptau", str(ceremony), str(ptau)]) == 0
    assert main(["ceremony", "verify-ptau", str(ptau)]) == 0
    capsys.readouterr()
    assert main(["ceremony", "verify-ptau", str(ptau), "--max-beacon-exponent", "2"]) == 1
    assert "beacon_key" in (out := capsys.readouterr().out) and "--max-beacon-exponent" in out
    assert main(["ceremony", "verify-ptau", str(ptau), "--time-budget", "0"]) == 1
    assert "--time-budget" in capsys.readouterr().out


@slow
def test_a_version_1_directory_is_refused_by_name_or_upgraded(copy, capsys):
    header = copy / "ceremony.json"
    _edit_json(header, lambda h: h.update(version=1))
    for command in (["verify", str(copy)], ["contribute", str(copy), "--name", "x", "--circuit", CIRCUIT],
                    ["phase2", str(copy), "structure"]):
        assert main(["ceremony", *command]) == 2
        assert "format version 1" in (err := capsys.readouterr().err) and "zkwork ceremony phase2" in err
    # Without a phase 2, phase 1 reads as it is, and the first phase 2 makes it version 2.
    shutil.rmtree(copy / "phase2")
    assert files.verify_transcript(copy).ok
    assert main(["ceremony", "phase2", str(copy), *PATTERN]) == 0
    assert json.loads(header.read_text())["version"] == 2
