"""The proving-key directory format: round trip, proving from a loaded key, and typed
errors for damaged directories."""
import json

import numpy as np
import pytest

from zkwork.errors import KeyFormatError
from zkwork.field import P
from zkwork.groth16 import prove, setup, verify
from zkwork.groth16.key_files import read_proving_key, write_proving_key
from zkwork.r1cs import solve


def circuit(cs):
    x = cs.public_input("x")
    y = cs.private_input("y")
    cs.assert_equal(y * y * y, x)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    r1cs, witness = solve(circuit, {"x": 27, "y": 3})
    pk = setup(r1cs)
    directory = tmp_path_factory.mktemp("pk")
    write_proving_key(pk, directory)
    return pk, directory, witness, r1cs.public_signals(witness)


def test_round_trip_and_prove_from_loaded_key(saved):
    pk, directory, witness, public = saved
    loaded = read_proving_key(directory)
    assert loaded.vk == pk.vk and loaded.beta_1 == pk.beta_1
    for name in ("a_query", "b2_query", "h_query"):
        assert np.array_equal(getattr(loaded, name), getattr(pk, name))
    assert verify(pk.vk, public, prove(loaded, witness))


def _copy(directory, tmp_path):
    target = tmp_path / "copy"
    target.mkdir()
    for f in directory.iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    return target


def test_missing_array_is_named(saved, tmp_path):
    target = _copy(saved[1], tmp_path)
    (target / "h_query.npy").unlink()
    with pytest.raises(KeyFormatError, match="h_query.npy"):
        read_proving_key(target)


def test_wrong_shape_is_named(saved, tmp_path):
    target = _copy(saved[1], tmp_path)
    np.save(target / "b2_query.npy", np.zeros((1, 2, 4), dtype=np.uint64))
    with pytest.raises(KeyFormatError, match=r"b2_query.npy: expected uint64 of shape"):
        read_proving_key(target)


def test_unreduced_limbs_are_named(saved, tmp_path):
    target = _copy(saved[1], tmp_path)
    a = np.load(target / "a_query.npy")
    a[0, 0] = [(P >> (64 * i)) & (2**64 - 1) for i in range(4)]
    np.save(target / "a_query.npy", a)
    with pytest.raises(KeyFormatError, match="a_query.npy: limb vector 0 is not below the Fq modulus"):
        read_proving_key(target)


def test_bad_header(saved, tmp_path):
    target = _copy(saved[1], tmp_path)
    header = json.loads((target / "header.json").read_text())
    header["version"] = 99
    (target / "header.json").write_text(json.dumps(header))
    with pytest.raises(KeyFormatError, match="header.json: not a zkwork-groth16-proving-key version 1"):
        read_proving_key(target)
    (target / "header.json").write_text("{")
    with pytest.raises(KeyFormatError, match="header.json"):
        read_proving_key(target)


@pytest.mark.parametrize("key, value", [("num_wires", -1), ("num_public", 2.0), ("domain_size", "8"),
                                        ("domain_size", None), ("version", 1.0)])
def test_header_integers_are_json_integers(saved, tmp_path, key, value):
    target = _copy(saved[1], tmp_path)
    header = json.loads((target / "header.json").read_text())
    header[key] = value
    (target / "header.json").write_text(json.dumps(header))
    with pytest.raises(KeyFormatError, match=rf"header\.json: {key}: expected an int in \[0, \d+\], got {value!r}"):
        read_proving_key(target)


def test_saving_over_a_loaded_key_leaves_its_arrays_intact(tmp_path):
    """A rewrite replaces the files, so a key mapped from the old ones still reads them."""
    r1cs, witness = solve(circuit, {"x": 27, "y": 3})
    first, second = setup(r1cs), setup(r1cs)
    write_proving_key(first, tmp_path)
    loaded = read_proving_key(tmp_path)
    write_proving_key(second, tmp_path)
    assert np.array_equal(loaded.a_query, first.a_query)
    assert np.array_equal(read_proving_key(tmp_path).a_query, second.a_query)
