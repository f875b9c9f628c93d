"""`zkwork zkey contribute|beacon|verify` (zkwork.ceremony.zkey_mpc): snarkjs's phase-2 MPC.

Without Node, on test_zkey_new's hand-written circuit and a power-3 ptau: a chain of two
contributions and a beacon verifies; section 10 reads and writes back byte for byte; a beacon
is deterministic; tampering is rejected with the contribution and the section named (a changed
point, a changed deltaAfter, a changed L point, reordered records, a wrong beacon hash, a beacon
above the bound), a truncated section 10 is malformed (exit 2) naming the record; snarkjs's
beacon parameter rules.

With Node (slow): snarkjs verifies zkwork's chain, zkwork's beacon is snarkjs's file byte for
byte, zkwork verifies snarkjs's chain, and mixed chains both ways.
"""
import dataclasses
import json
import os
import subprocess
import sys

import pytest
from node_tools import run_node_tool
from test_zkey_new import CIRCUIT

from zkwork.ceremony.beacon_limits import LimitError
from zkwork.ceremony.powers import PowersOfTau
from zkwork.ceremony.prepare_phase2 import prepare_phase2
from zkwork.ceremony.snarkjs_ptau import BeaconError, export_ptau
from zkwork.ceremony.zkey_mpc import beacon, contribute, verify_zkey
from zkwork.cli import main
from zkwork.curve import G1Point, g1_affine_array
from zkwork.errors import InvalidValueError, SectionSizeError
from zkwork.field import Fr
from zkwork.formats import read_zkey, write_r1cs
from zkwork.formats.zkey_file import MpcParams, mpc_params_bytes, read_mpc_params, write_zkey

BEACON_HASH = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """Paths: the circuit, its prepared ptau, the initial key and keys after alice, bob and the beacon."""
    work = tmp_path_factory.mktemp("zkey_mpc")
    write_r1cs(CIRCUIT, work / "circuit.r1cs")
    export_ptau(PowersOfTau.from_secrets(3, Fr(98765), Fr(43), Fr(21)), work / "phase1.ptau")
    prepare_phase2(work / "phase1.ptau", work / "prepared.ptau")
    assert main(["zkey", "new", str(work / "circuit.r1cs"), str(work / "prepared.ptau"), str(work / "k0.zkey")]) == 0
    contribute(work / "k0.zkey", work / "k1.zkey", name="alice", entropy="some text")
    assert main(["zkey", "contribute", str(work / "k1.zkey"), str(work / "k2.zkey"), "--name=bob", "-e=more"]) == 0
    assert main(["zkey", "beacon", str(work / "k2.zkey"), str(work / "k3.zkey"), BEACON_HASH, "10",
                 "--name=final"]) == 0
    return {"dir": work, "r1cs": work / "circuit.r1cs", "ptau": work / "prepared.ptau",
            **{f"k{i}": work / f"k{i}.zkey" for i in range(4)}}


def _verify(chain, path, **limits):
    return verify_zkey(chain["r1cs"], chain["ptau"], path, **limits)


def _tampered(chain, name, change_params=None, change_key=None):
    """A copy of the final key with its section 10 records or its ZKey changed."""
    zkey = read_zkey(chain["k3"])
    if change_params:
        params = read_mpc_params(zkey.contributions)
        params = MpcParams(params.circuit_hash, tuple(change_params(list(params.contributions))))
        zkey = dataclasses.replace(zkey, contributions=mpc_params_bytes(params))
    if change_key:
        zkey = change_key(zkey)
    path = chain["dir"] / name
    write_zkey(zkey, path)
    return path


def test_chain_verifies_and_section_10_round_trips(chain):
    report = _verify(chain, chain["k3"])
    assert report.ok, str(report)
    assert {c.contribution for c in report.checks} == {0, 1, 2, "final"}
    zkey = read_zkey(chain["k3"])
    params = read_mpc_params(zkey.contributions)
    assert [(c.name, c.kind) for c in params.contributions] == [("alice", 0), ("bob", 0), ("final", 1)]
    assert params.contributions[2].iterations_exponent == 10
    assert params.contributions[2].beacon_hash == bytes.fromhex(BEACON_HASH)
    assert mpc_params_bytes(params) == zkey.contributions
    assert _verify(chain, chain["k0"]).ok  # no contribution: delta is the generator


def test_beacon_is_deterministic(chain):
    again = chain["dir"] / "k3-again.zkey"
    beacon(chain["k2"], again, BEACON_HASH, 10, name="final")
    assert again.read_bytes() == chain["k3"].read_bytes()


def test_changed_point_rejected_naming_the_contribution(chain, capsys):
    path = _tampered(chain, "changed-g1sx.zkey", change_params=lambda cs: [
        cs[0], dataclasses.replace(cs[1], g1_sx=g1_affine_array([G1Point.generator() * 7])), cs[2]])
    report = _verify(chain, path)
    assert {(1, "transcript"), (1, "pok")} <= report.failed()
    assert all(c.contributor == "bob" and "section 10" in c.detail for c in report.failures() if c.contribution == 1)
    assert main(["zkey", "verify", str(chain["r1cs"]), str(chain["ptau"]), str(path)]) == 1
    assert "bob" in capsys.readouterr().out


def test_changed_delta_after_rejected(chain):
    path = _tampered(chain, "changed-delta.zkey", change_params=lambda cs: [
        dataclasses.replace(cs[0], delta_after=g1_affine_array([G1Point.generator() * 5])), *cs[1:]])
    failed = _verify(chain, path).failed()
    assert (0, "delta_after") in failed and (1, "delta_after") in failed


def test_changed_l_point_rejected_naming_section_8(chain):
    def change(zkey):
        points = zkey.c_query.copy()
        points[0] = g1_affine_array([G1Point.generator() * 3])[0]
        return dataclasses.replace(zkey, c_query=points)

    report = _verify(chain, _tampered(chain, "changed-l.zkey", change_key=change))
    assert report.failed() == {("final", "points_c")}
    assert "section 8" in report.failures()[0].detail


def test_reordered_contributions_rejected(chain):
    failed = _verify(chain, _tampered(chain, "reordered.zkey", change_params=lambda cs: [cs[1], cs[0], cs[2]])).failed()
    assert (0, "transcript") in failed and (0, "delta_after") in failed


def test_wrong_beacon_rejected(chain):
    path = _tampered(chain, "wrong-beacon.zkey", change_params=lambda cs: [
        *cs[:2], dataclasses.replace(cs[2], beacon_hash=bytes(32))])
    report = _verify(chain, path)
    assert report.failed() == {(2, "beacon_key")}  # the transcript does not cover the parameters
    assert "section 10" in report.failures()[0].detail


def test_beacon_above_the_bound_refused(chain):
    report = _verify(chain, chain["k3"], max_beacon_exponent=9)
    assert report.failed() == {(2, "beacon_key")}
    assert "--max-beacon-exponent" in report.failures()[0].detail


def test_truncated_section_is_malformed(chain, capsys):
    zkey = read_zkey(chain["k3"])
    path = chain["dir"] / "truncated.zkey"
    write_zkey(dataclasses.replace(zkey, contributions=zkey.contributions[:-40]), path)
    with pytest.raises(SectionSizeError, match="contribution #3"):
        _verify(chain, path)
    assert main(["zkey", "verify", str(chain["r1cs"]), str(chain["ptau"]), str(path)]) == 2
    assert "section 10 (contributions), contribution #3" in capsys.readouterr().err


def test_names_cut_and_unordered_parameters_refused(chain):
    params = read_mpc_params(read_zkey(chain["k3"]).contributions)
    long_name = dataclasses.replace(params.contributions[0], name="\u00e9" * 100)
    written = mpc_params_bytes(MpcParams(params.circuit_hash, (long_name,)))
    assert read_mpc_params(written).contributions[0].name == "\u00e9" * 64  # snarkjs keeps 64 characters
    unnamed = mpc_params_bytes(MpcParams(params.circuit_hash, (dataclasses.replace(long_name, name=None),)))
    assert unnamed.endswith(bytes(4))  # paramLength 0: now tag 2 (iterations) before tag 1 (name)
    with pytest.raises(InvalidValueError, match="contribution #1: parameter tag 1"):
        read_mpc_params(unnamed[:-4] + (4).to_bytes(4, "little") + bytes([2, 10, 1, 0]))


@pytest.mark.parametrize("beacon_hash, exponent", [("", 10), ("abc", 10), ("zz", 10), ("00" * 256, 10),
                                                   (BEACON_HASH, 9), (BEACON_HASH, 64)])
def test_beacon_parameters_snarkjs_refuses(chain, beacon_hash, exponent):
    with pytest.raises(BeaconError):
        beacon(chain["k2"], chain["dir"] / "refused.zkey", beacon_hash, exponent)
    assert not (chain["dir"] / "refused.zkey").exists()


def test_beacon_above_the_bound_not_created(chain):
    with pytest.raises(LimitError):
        beacon(chain["k2"], chain["dir"] / "refused.zkey", BEACON_HASH, 31)


# -- with snarkjs ------------------------------------------------------------------------------
def _snarkjs_verify(chain, path):
    result = run_node_tool("snarkjs", "zkey", "verify", chain["r1cs"], chain["ptau"], path, check=False)
    return "ZKey Ok!" in result.stdout


@pytest.mark.slow
def test_snarkjs_verifies_zkwork_chain_and_beacon_matches(chain):
    assert _snarkjs_verify(chain, chain["k3"])
    theirs = chain["dir"] / "k3-snarkjs.zkey"
    run_node_tool("snarkjs", "zkey", "beacon", chain["k2"], theirs, BEACON_HASH, "10", "-n=final")
    assert theirs.read_bytes() == chain["k3"].read_bytes()
    assert not _snarkjs_verify(chain, _tampered(chain, "reordered-for-snarkjs.zkey",
                                                change_params=lambda cs: [cs[1], cs[0], cs[2]]))


@pytest.mark.slow
def test_snarkjs_and_mixed_chains_both_ways(chain):
    d = chain["dir"]
    run_node_tool("snarkjs", "zkey", "contribute", chain["k0"], d / "s1.zkey", "--name=snark one", "-e=entropy 1")
    run_node_tool("snarkjs", "zkey", "contribute", d / "s1.zkey", d / "s2.zkey", "--name=snark two", "-e=entropy 2")
    assert _verify(chain, d / "s2.zkey").ok
    assert main(["zkey", "contribute", str(d / "s2.zkey"), str(d / "m3.zkey"), "--name=zkwork three"]) == 0
    run_node_tool("snarkjs", "zkey", "contribute", d / "m3.zkey", d / "m4.zkey", "--name=snark four", "-e=e4")
    run_node_tool("snarkjs", "zkey", "beacon", d / "m4.zkey", d / "m5.zkey", BEACON_HASH, "10", "-n=sealed")
    for path in (d / "m3.zkey", d / "m5.zkey"):
        assert _verify(chain, path).ok and _snarkjs_verify(chain, path)
    report = _verify(chain, d / "m5.zkey")
    assert [c.contributor for c in report.checks if c.check == "pok"] == [
        "snark one", "snark two", "zkwork three", "snark four", "sealed"]


def test_command_line_verify_prints_every_check_without_loading_pandas(chain):
    # pandas was a tenth of a fresh `zkwork zkey verify` (it only turned the checks into JSON)
    script = ("import json, sys; from zkwork.cli import main; code = main(sys.argv[1:]); "
              "print(json.dumps({'code': code, 'pandas': 'pandas' in sys.modules}))")
    result = subprocess.run([sys.executable, "-c", script, "zkey", "verify", str(chain["r1cs"]), str(chain["ptau"]),
                             str(chain["k3"]), "--json"], capture_output=True, text=True, env={**os.environ,
                            "ZKWORK_DAEMON": "0"}, timeout=120)
    printed, status = result.stdout.strip().rsplit("\n", 1)
    assert json.loads(status) == {"code": 0, "pandas": False}, result.stderr[-2000:]
    assert json.loads(printed)["checks"] == _verify(chain, chain["k3"]).records()
