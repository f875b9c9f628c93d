"""`zkwork verify` with a public.json of the wrong length (issue #12, item 9): the statement
is malformed, not false, so the exit status is 2 with a message naming the verification
key's nPublic and the count given, while the library's `verify` still returns False."""
import json

import pytest

from zkwork.cli import main
from zkwork.groth16 import prove, setup, verify
from zkwork.groth16.snarkjs_json import proof_to_json, public_to_json, write_json, vk_to_json
from zkwork.r1cs import solve


def square_times(cs):
    """x public, y private with y^2 = x, public output y * x: two public signals."""
    x = cs.public_input("x")
    y = cs.private_input("y")
    cs.assert_equal(y * y, x, "square")
    cs.public_output("out", y * x)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """vk.json, public.json and proof.json of a valid proof, and the public signals."""
    r1cs, witness = solve(square_times, {"x": 9, "y": 3})
    keys = setup(r1cs)
    proof = prove(keys, witness)
    public = r1cs.public_signals(witness)
    directory = tmp_path_factory.mktemp("verify")
    paths = {name: directory / f"{name}.json" for name in ("vk", "public", "proof")}
    write_json(paths["vk"], vk_to_json(keys.vk))
    write_json(paths["public"], public_to_json(public))
    write_json(paths["proof"], proof_to_json(proof))
    return paths, keys.vk, proof, public


@pytest.mark.parametrize("change", ["one more", "one fewer", "none"])
def test_wrong_number_of_public_signals_is_malformed(files, tmp_path, capsys, change):
    paths, vk, proof, public = files
    assert main(["verify", str(paths["vk"]), str(paths["public"]), str(paths["proof"])]) == 0
    given = {"one more": public + [1], "one fewer": public[:-1], "none": []}[change]
    (tmp_path / "public.json").write_text(json.dumps(public_to_json(given)))
    capsys.readouterr()
    assert main(["verify", str(paths["vk"]), str(tmp_path / "public.json"), str(paths["proof"])]) == 2
    err = capsys.readouterr().err
    assert f"{len(given)} public signals, the verification key's nPublic is 2" in err and "public.json" in err
    assert verify(vk, given, proof) is False  # the library still answers, never raises
