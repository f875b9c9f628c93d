"""The pattern circuits under circuits/ compiled with the pinned circom2 (tools/circom_counts.py).

- every main file compiles at --O2 and its counts equal circuits/expected_counts.json;
- for the small sizes, `snarkjs wtns calculate` on an honest input gives the public signals
  computed here with the native Poseidon (outputs first, then public inputs, in the order the
  circuits' header comments document), and tampered inputs make circom's assertions fail;
- the reference weaknesses that are soundness holes (unconstrained Merkle direction bit,
  unchecked depth) are shown to be accepted by the reference and refused by the hardened variant.
"""
import json
import struct
import subprocess
from pathlib import Path

import pytest
from node_tools import circom_counts

from zkwork.field import R
from zkwork.gadgets.native_poseidon import poseidon

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = json.loads((ROOT / "circuits" / "expected_counts.json").read_text())["circuits"]


pytestmark = pytest.mark.node

COUNT_KEYS = ["non_linear", "linear", "constraints", "wires", "public_inputs", "private_inputs",
              "private_inputs_in_witness", "public_outputs"]


# -- counts -------------------------------------------------------------------------------


def test_every_main_file_has_expected_counts():
    assert sorted(f.stem for f in circom_counts.main_files()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=[pytest.mark.slow] if counts["production"] else [])
    for name, counts in sorted(EXPECTED.items())
])
def test_counts_match_expected(compiled, name):
    counts, _ = compiled(name)
    assert {k: counts[k] for k in COUNT_KEYS} == {k: EXPECTED[name][k] for k in COUNT_KEYS}


def test_parse_summary_reads_witness_note():
    text = ("\x1b[32mtemplate instances\x1b[0m: 3\nnon-linear constraints: 5\nlinear constraints: 1\n"
            "public inputs: 2\nprivate inputs: 16 (15 belong to witness)\npublic outputs: 1\n"
            "wires: 9\nlabels: 12\n")
    counts = circom_counts.parse_summary(text)
    assert counts["template_instances"] == 3 and counts["constraints"] == 6
    assert counts["private_inputs"] == 16 and counts["private_inputs_in_witness"] == 15
    none = circom_counts.parse_summary(text.replace("15 belong", "none belong"))
    assert none["private_inputs_in_witness"] == 0


# -- witness helpers ----------------------------------------------------------------------


def read_wtns(path):
    """The witness vector of a snarkjs .wtns file (sections: 1 header, 2 values)."""
    data = path.read_bytes()
    assert data[:4] == b"wtns"
    _version, n_sections = struct.unpack_from("<II", data, 4)
    offset, sections = 12, {}
    for _ in range(n_sections):
        kind, size = struct.unpack_from("<IQ", data, offset)
        sections[kind] = data[offset + 12: offset + 12 + size]
        offset += 12 + size
    n8 = struct.unpack_from("<I", sections[1])[0]
    values = sections[2]
    return [int.from_bytes(values[i:i + n8], "little") for i in range(0, len(values), n8)]


def calculate_witness(compiled, name, inputs, tmp_path):
    """Run `snarkjs wtns calculate`; return the witness, or None when a circuit assertion fails.

    Any other failure (a missing or misnamed input, ...) fails the test, so a malformed input
    cannot pass for a rejected one.
    """
    _, build_dir = compiled(name)
    input_file = tmp_path / f"{name}.input.json"
    witness_file = tmp_path / f"{name}.wtns"
    witness_file.unlink(missing_ok=True)
    input_file.write_text(json.dumps(jsonable(inputs)))
    wasm = build_dir / f"{name}_js" / f"{name}.wasm"
    command = ["npx", "--no-install", "snarkjs", "wtns", "calculate", str(wasm), str(input_file),
               str(witness_file)]
    result = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        assert "Assert Failed" in result.stdout + result.stderr, result.stdout + result.stderr
        return None
    return read_wtns(witness_file)


def jsonable(value):
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return str(value % R)


def public_signals(compiled, name, inputs, tmp_path):
    witness = calculate_witness(compiled, name, inputs, tmp_path)
    assert witness is not None, f"witness calculation failed for {name}"
    n_public = EXPECTED[name]["public_outputs"] + EXPECTED[name]["public_inputs"]
    assert witness[0] == 1
    return witness[1:1 + n_public]


def assert_rejected(compiled, name, inputs, tmp_path):
    assert calculate_witness(compiled, name, inputs, tmp_path) is None


def swap(node, sibling, bit):
    """(left, right) exactly as MerklePathSwap computes them, for any field value of bit."""
    return (node + (sibling - node) * bit) % R, (sibling + (node - sibling) * bit) % R


def fold_path(leaf, siblings, bits):
    """The nodes from the leaf up to the root along a path (nodes[-1] is the root)."""
    nodes = [leaf]
    for sibling, bit in zip(siblings, bits):
        nodes.append(poseidon(list(swap(nodes[-1], sibling, bit))))
    return nodes


def random_path(rng, depth):
    return [rng.randrange(R) for _ in range(depth)], [rng.randrange(2) for _ in range(depth)]


def forged_top_level(nodes, siblings, bits, fake_node):
    """A sibling and a non-boolean bit that take fake_node to the true root in one step.

    The true top-level children are (A, B) = swap(nodes[-2], siblings[-1], bits[-1]); with
    sibling' = A + B - fake_node and t = (A - fake_node) / (sibling' - fake_node) the swap
    outputs (A, B) again, so the last hash is the true root.
    """
    a, b = swap(nodes[-2], siblings[-1], bits[-1])
    sibling = (a + b - fake_node) % R
    t = (a - fake_node) * pow(sibling - fake_node, -1, R) % R
    return sibling, t


# -- Membership ---------------------------------------------------------------------------


def test_membership_reference_witness(compiled, rng, tmp_path):
    pid = rng.randrange(R)
    siblings, bits = random_path(rng, 4)
    root = fold_path(poseidon([pid]), siblings, bits)[-1]
    inputs = {"pid": pid, "pathElements": siblings, "pathIndices": bits}
    assert public_signals(compiled, "membership_reference_d4", inputs, tmp_path) == [root]
    # The root is an output: a wrong sibling yields another root, which the verifier refuses.
    tampered = {**inputs, "pathElements": [siblings[0] + 1, *siblings[1:]]}
    assert public_signals(compiled, "membership_reference_d4", tampered, tmp_path) != [root]


def test_membership_hardened_witness(compiled, rng, tmp_path):
    pid, salt, challenge = rng.randrange(R), rng.randrange(R), rng.randrange(R)
    siblings, bits = random_path(rng, 4)
    root = fold_path(poseidon([pid, salt]), siblings, bits)[-1]
    inputs = {"root": root, "challenge": challenge, "pid": pid, "salt": salt,
              "pathElements": siblings, "pathIndices": bits}
    assert public_signals(compiled, "membership_hardened_d4", inputs, tmp_path) == [root, challenge]
    assert_rejected(compiled, "membership_hardened_d4", {**inputs, "root": root + 1}, tmp_path)
    tampered = {**inputs, "pathElements": [*siblings[:-1], siblings[-1] + 1]}
    assert_rejected(compiled, "membership_hardened_d4", tampered, tmp_path)


def test_membership_forged_path_reference_accepts_hardened_refuses(compiled, rng, tmp_path):
    """Knowing one real path, prove membership of an unregistered PID with a non-boolean bit."""
    pid, salt = rng.randrange(R), rng.randrange(R)
    siblings, bits = random_path(rng, 4)
    fake_pid = rng.randrange(R)

    nodes = fold_path(poseidon([pid]), siblings, bits)
    fake_nodes = fold_path(poseidon([fake_pid]), siblings[:-1], bits[:-1])
    sibling, t = forged_top_level(nodes, siblings, bits, fake_nodes[-1])
    forged = {"pid": fake_pid, "pathElements": [*siblings[:-1], sibling], "pathIndices": [*bits[:-1], t]}
    assert public_signals(compiled, "membership_reference_d4", forged, tmp_path) == [nodes[-1]]

    nodes = fold_path(poseidon([pid, salt]), siblings, bits)
    fake_nodes = fold_path(poseidon([fake_pid, salt]), siblings[:-1], bits[:-1])
    sibling, t = forged_top_level(nodes, siblings, bits, fake_nodes[-1])
    forged = {"root": nodes[-1], "challenge": 7, "pid": fake_pid, "salt": salt,
              "pathElements": [*siblings[:-1], sibling], "pathIndices": [*bits[:-1], t]}
    assert_rejected(compiled, "membership_hardened_d4", forged, tmp_path)


# -- Structure ----------------------------------------------------------------------------


def structure_inputs(rng):
    country = rng.randrange(R)
    components = [country, rng.randrange(R), rng.randrange(R), 0]
    return {"countryCode": country, "hierarchyDepth": 3, "components": components,
            "componentLengths": [2, 2, 3, 0]}


def test_structure_reference_witness(compiled, rng, tmp_path):
    inputs = structure_inputs(rng)
    commitment = poseidon([inputs["countryCode"], 3, *inputs["components"]])
    expected = [commitment, inputs["countryCode"], 3]
    assert public_signals(compiled, "structure_reference_k4", inputs, tmp_path) == expected
    assert_rejected(compiled, "structure_reference_k4", {**inputs, "hierarchyDepth": 2}, tmp_path)
    assert_rejected(compiled, "structure_reference_k4", {**inputs, "countryCode": inputs["countryCode"] + 1},
                    tmp_path)
    assert_rejected(compiled, "structure_reference_k4", {**inputs, "hierarchyDepth": 5}, tmp_path)


def test_structure_hardened_witness(compiled, rng, tmp_path):
    inputs = {**structure_inputs(rng), "salt": rng.randrange(R)}
    commitment = poseidon([inputs["countryCode"], 3, *inputs["components"], inputs["salt"]])
    expected = [commitment, inputs["countryCode"], 3]
    assert public_signals(compiled, "structure_hardened_k4", inputs, tmp_path) == expected
    assert_rejected(compiled, "structure_hardened_k4", {**inputs, "hierarchyDepth": 4}, tmp_path)
    long_component = {**inputs, "componentLengths": [2, 2, 256, 0]}
    assert_rejected(compiled, "structure_hardened_k4", long_component, tmp_path)


@pytest.mark.parametrize("depth", [0, R - 5], ids=["zero", "p-5"])
def test_structure_bad_depth_reference_accepts_hardened_refuses(compiled, rng, tmp_path, depth):
    """d = 0 (no lower bound) and d = p - 5 (no range check) pass the reference's LessThan."""
    country = rng.randrange(R)
    inputs = {"countryCode": country, "hierarchyDepth": depth, "components": [country, 0, 0, 0],
              "componentLengths": [0, 0, 0, 0]}
    signals = public_signals(compiled, "structure_reference_k4", inputs, tmp_path)
    assert signals[2] == depth
    assert_rejected(compiled, "structure_hardened_k4", {**inputs, "salt": 1}, tmp_path)


# -- Selective reveal ---------------------------------------------------------------------


def test_selective_reveal_reference_witness(compiled, rng, tmp_path):
    values, nonce, mask = [rng.randrange(R) for _ in range(4)], rng.randrange(R), [1, 0, 1, 0]
    revealed = [m * v for m, v in zip(mask, values)]
    inputs = {"revealedValues": revealed, "fieldValues": values, "revealMask": mask, "nonce": nonce}
    expected = [poseidon([*values, nonce]), poseidon([*revealed, nonce]), *revealed]
    assert public_signals(compiled, "selective_reveal_reference_f4", inputs, tmp_path) == expected
    leaked = {**inputs, "revealedValues": [values[0], values[1], values[2], 0]}
    assert_rejected(compiled, "selective_reveal_reference_f4", leaked, tmp_path)
    non_boolean_mask = {**inputs, "revealMask": [1, 0, 2, 0]}
    assert_rejected(compiled, "selective_reveal_reference_f4", non_boolean_mask, tmp_path)


def test_selective_reveal_hardened_witness(compiled, rng, tmp_path):
    values, nonce, mask = [rng.randrange(R) for _ in range(4)], rng.randrange(R), [0, 1, 1, 0]
    revealed = [m * v for m, v in zip(mask, values)]
    full = poseidon([*values, nonce])
    inputs = {"revealMask": mask, "revealedValues": revealed, "fullCommitment": full, "fieldValues": values,
              "nonce": nonce}
    expected = [poseidon([*revealed, nonce]), *mask, *revealed, full]
    assert public_signals(compiled, "selective_reveal_hardened_f4", inputs, tmp_path) == expected
    wrong_credential = {**inputs, "fullCommitment": full + 1}
    assert_rejected(compiled, "selective_reveal_hardened_f4", wrong_credential, tmp_path)
    other_values = {**inputs, "fieldValues": [values[0] + 1, *values[1:]]}
    assert_rejected(compiled, "selective_reveal_hardened_f4", other_values, tmp_path)


# -- Version ------------------------------------------------------------------------------


def test_version_reference_witness(compiled, rng, tmp_path):
    old, new, secret, nonce = (rng.randrange(R) for _ in range(4))
    inputs = {"oldPIDCommitment": poseidon([old]), "newPIDCommitment": poseidon([new]), "oldPID": old,
              "newPID": new, "userSecret": secret, "migrationNonce": nonce}
    tag = poseidon([secret, old, new])
    expected = [tag, poseidon([old, new, tag, nonce]), inputs["oldPIDCommitment"], inputs["newPIDCommitment"]]
    assert public_signals(compiled, "version_reference", inputs, tmp_path) == expected
    wrong_old = {**inputs, "oldPIDCommitment": poseidon([old + 1])}
    assert_rejected(compiled, "version_reference", wrong_old, tmp_path)
    # Reference weakness: any secret works; only the tag changes.
    other_secret = public_signals(compiled, "version_reference", {**inputs, "userSecret": 1}, tmp_path)
    assert other_secret[0] == poseidon([1, old, new]) and other_secret[2:] == expected[2:]


def test_version_hardened_witness(compiled, rng, tmp_path):
    old, new, old_salt, new_salt, secret, nonce = (rng.randrange(R) for _ in range(6))
    old_commitment = poseidon([old, old_salt])
    inputs = {"oldPIDCommitment": old_commitment, "newPIDCommitment": poseidon([new, new_salt]),
              "identityCommitment": poseidon([secret]), "oldPID": old, "newPID": new, "oldSalt": old_salt,
              "newSalt": new_salt, "userSecret": secret, "migrationNonce": nonce}
    tag = poseidon([secret, old, new])
    expected = [tag, poseidon([old, new, tag, nonce]), poseidon([secret, old_commitment]), old_commitment,
                inputs["newPIDCommitment"], inputs["identityCommitment"]]
    assert public_signals(compiled, "version_hardened", inputs, tmp_path) == expected
    assert_rejected(compiled, "version_hardened", {**inputs, "userSecret": secret + 1}, tmp_path)
    assert_rejected(compiled, "version_hardened", {**inputs, "oldSalt": old_salt + 1}, tmp_path)


# -- Locker -------------------------------------------------------------------------------


def test_locker_reference_witness(compiled, rng, tmp_path):
    locker, facility, nonce = rng.randrange(R), rng.randrange(R), rng.randrange(R)
    siblings, bits = random_path(rng, 3)
    root = fold_path(poseidon([locker]), siblings, bits)[-1]
    inputs = {"facilityID": facility, "lockerSetRoot": root, "lockerID": locker, "pathElements": siblings,
              "pathIndices": bits, "accessNonce": nonce}
    expected = [poseidon([locker, facility, nonce]), root, facility, root]
    assert public_signals(compiled, "locker_reference_l3", inputs, tmp_path) == expected
    assert_rejected(compiled, "locker_reference_l3", {**inputs, "lockerSetRoot": root + 1}, tmp_path)
    tampered = {**inputs, "pathElements": [siblings[0] + 1, *siblings[1:]]}
    assert_rejected(compiled, "locker_reference_l3", tampered, tmp_path)


def test_locker_hardened_witness(compiled, rng, tmp_path):
    locker, facility, nonce, challenge = (rng.randrange(R) for _ in range(4))
    siblings, bits = random_path(rng, 3)
    nodes = fold_path(poseidon([locker, nonce]), siblings, bits)
    root = nodes[-1]
    inputs = {"facilityID": facility, "lockerSetRoot": root, "challenge": challenge, "lockerID": locker,
              "pathElements": siblings, "pathIndices": bits, "accessNonce": nonce}
    nullifier = poseidon([nonce, locker])
    expected = [poseidon([locker, facility, nonce]), root, nullifier, facility, root, challenge]
    assert public_signals(compiled, "locker_hardened_l3", inputs, tmp_path) == expected
    assert_rejected(compiled, "locker_hardened_l3", {**inputs, "lockerSetRoot": root + 1}, tmp_path)
    tampered = {**inputs, "pathElements": [siblings[0] + 1, *siblings[1:]]}
    assert_rejected(compiled, "locker_hardened_l3", tampered, tmp_path)
    fake_nodes = fold_path(poseidon([locker + 1, nonce]), siblings[:-1], bits[:-1])
    sibling, t = forged_top_level(nodes, siblings, bits, fake_nodes[-1])
    forged = {**inputs, "lockerID": locker + 1, "pathElements": [*siblings[:-1], sibling],
              "pathIndices": [*bits[:-1], t]}
    assert_rejected(compiled, "locker_hardened_l3", forged, tmp_path)
