"""The five proof patterns (zkwork.patterns) against their Circom twins in circuits/:

- every pattern x variant, at the production and the small size, solves its sample inputs,
  its public signals equal the natively computed ones, and its constraint and wire counts
  equal what circom --O2 reports (circuits/expected_counts.json);
- the hardened variants refuse tampered inputs, the reference variants accept the wrong
  witnesses that patterns.md describes as their weaknesses;
- for the small sizes, circom's own witness (compiled with the pinned circom2, computed by
  snarkjs) has the same public signals as zkwork's.
"""
import json
import time
from pathlib import Path

import pytest
from node_tools import run_node_tool

from zkwork.audit.attacks import forge_first_level
from zkwork.errors import UnsatisfiedConstraintError
from zkwork.field import R
from zkwork.gadgets.merkle import SparseMerkleTree
from zkwork.gadgets.native_poseidon import poseidon as native_poseidon
from zkwork.patterns import (
    PATTERNS,
    PatternError,
    StatementError,
    circuit_summary,
    get_pattern,
)
from zkwork.patterns.encoding import encode_pid, encode_string

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((ROOT / "circuits" / "expected_counts.json").read_text())["circuits"]


def pattern_for(main_name):
    """The zkwork pattern of a Circom main file, from its entry in expected_counts.json."""
    counts = EXPECTED[main_name]
    cls = PATTERNS[counts["pattern"]]
    params = {cls.size_param: counts["size"]} if cls.size_param else {}
    return get_pattern(counts["pattern"], counts["variant"], **params)


def small(name, variant):
    """The pattern at the small size of the Circom main files (Version has one size)."""
    sizes = [c["size"] for c in EXPECTED.values() if c["pattern"] == name and not c["production"]]
    cls = PATTERNS[name]
    return get_pattern(name, variant, **({cls.size_param: min(sizes)} if cls.size_param else {}))


def rejected(pattern, inputs):
    """The refusal of `inputs`: solving raises UnsatisfiedConstraintError naming the
    violated constraint; returns that message."""
    with pytest.raises(UnsatisfiedConstraintError) as error:
        pattern.solve(inputs)
    return str(error.value)


def accepted(pattern, inputs):
    """Public signals of a witness that satisfies every constraint of `pattern`."""
    r1cs, witness = pattern.solve(inputs)
    assert r1cs.is_satisfied(witness)
    return r1cs.public_signals(witness)


# -- every pattern, both variants, both sizes -------------------------------------------------


@pytest.mark.parametrize("main_name", sorted(EXPECTED))
def test_sample_inputs_satisfy_and_match_native(main_name):
    pattern = pattern_for(main_name)
    inputs = pattern.sample_inputs()
    r1cs, witness = pattern.solve(inputs)
    assert r1cs.is_satisfied(witness)
    assert r1cs.public_signals(witness) == pattern.expected_public(inputs)
    counts = EXPECTED[main_name]
    assert len(pattern.expected_public(inputs)) == counts["public_outputs"] + counts["public_inputs"]


@pytest.mark.parametrize("main_name", sorted(EXPECTED))
def test_constraint_counts_equal_circom(main_name):
    r1cs, counts = pattern_for(main_name).build(), EXPECTED[main_name]
    assert r1cs.num_constraints == counts["constraints"]
    assert (r1cs.num_outputs, r1cs.num_public_inputs) == (counts["public_outputs"], counts["public_inputs"])
    assert r1cs.num_private_inputs == counts["private_inputs_in_witness"]


@pytest.mark.parametrize("main_name", sorted(EXPECTED))
def test_wire_counts_equal_circom(main_name):
    assert pattern_for(main_name).build().num_wires == EXPECTED[main_name]["wires"]


def test_membership_depth_20_builds_and_solves_fast():
    pattern = get_pattern("membership", "hardened", depth=20)
    inputs = pattern.sample_inputs()
    start = time.perf_counter()
    r1cs, witness = pattern.solve(inputs)
    seconds = time.perf_counter() - start
    print(f"\n{pattern.label}: build + witness in {seconds:.2f} s, {r1cs.num_constraints} constraints")
    assert r1cs.is_satisfied(witness)
    assert seconds < 2


# -- the pattern objects --------------------------------------------------------------------


def test_registry_names_labels_and_parameters():
    assert list(PATTERNS) == ["membership", "structure", "selective_reveal", "version", "locker"]
    defaults = {name: get_pattern(name).params for name in PATTERNS}
    assert defaults == {"membership": {"depth": 20}, "structure": {"components": 8},
                        "selective_reveal": {"fields": 8}, "version": {}, "locker": {"depth": 10}}
    assert get_pattern("membership").label == "membership/reference/depth=20"
    assert get_pattern("version", "hardened").label == "version/hardened"
    assert get_pattern("locker", "hardened", depth=3).main_name == "locker_hardened_l3"


@pytest.mark.parametrize("call", [
    lambda: get_pattern("membership", "strong"),
    lambda: get_pattern("postcode"),
    lambda: get_pattern("membership", depth=0),
    lambda: get_pattern("membership", fields=4),
    lambda: get_pattern("version", depth=3),
    lambda: get_pattern("structure", "hardened", components=14),
    lambda: get_pattern("selective_reveal", fields=16),
    lambda: get_pattern("locker", depth="10"),
])
def test_bad_names_variants_and_sizes_raise_pattern_error(call):
    with pytest.raises(PatternError):
        call()


def test_constraints_are_namespaced_by_pattern_and_gadget():
    labels = get_pattern("membership", depth=4).build().labels
    assert all(label.startswith("membership/") for label in labels)
    assert "membership/level[3]/poseidon/partial_round[0]/x2" in labels
    assert "membership/level[3]/swap/left" in labels


def test_circuit_summary():
    pattern = get_pattern("membership", "hardened", depth=4)
    summary = circuit_summary(pattern)
    counts = EXPECTED["membership_hardened_d4"]
    assert summary["constraints"] == counts["constraints"] and summary["public_signals"] == 2
    assert summary["private_inputs"] == counts["private_inputs_in_witness"]
    assert summary["params"] == {"depth": 4} and summary["label"] == "membership/hardened/depth=4"
    top = summary["top_gadgets"][0]
    assert top["namespace"] == "membership/level/poseidon" and top["constraints"] == 4 * 240
    json.dumps(summary)  # plain data, ready for a table or a JSON file


def test_sample_secrets_are_fresh_unless_given():
    pattern = get_pattern("version", "hardened")
    assert pattern.sample_inputs()["userSecret"] != pattern.sample_inputs()["userSecret"]
    chosen = pattern.sample_inputs(secret=7, nonce=8, old_salt=9, new_salt=10)
    assert chosen == pattern.sample_inputs(secret=7, nonce=8, old_salt=9, new_salt=10)
    assert chosen["identityCommitment"] == native_poseidon([7])


def test_membership_sample_is_a_real_registry_path():
    pattern = get_pattern("membership", depth=4)
    pid = "JP-27-128-02-T11-B01-BN07-R905"
    registry = ["JP-13-113-01-T07-B12-BN02-R341", "JP-13-104-03-T02-B05-BN01-R101",
                "JP-01-101-04-T03-B22-BN01-R210"]
    inputs = pattern.sample_inputs(pid=pid, registry=registry, index=9)
    assert inputs["pid"] == encode_pid(pid)
    assert inputs["pathIndices"] == [1, 0, 0, 1]  # 9, least significant bit first
    leaves = {i: native_poseidon([encode_pid(p)]) for i, p in enumerate(registry)}
    tree = SparseMerkleTree(4, {**leaves, 9: native_poseidon([encode_pid(pid)])})
    assert pattern.expected_public(inputs) == [tree.root]


def test_structure_sample_encodes_the_pid_components():
    pattern = get_pattern("structure", components=8)
    inputs = pattern.sample_inputs(pid="JP-13-113")
    assert inputs["countryCode"] == encode_string("JP") and inputs["hierarchyDepth"] == 3
    assert inputs["componentLengths"] == [2, 2, 3, 0, 0, 0, 0, 0]
    with pytest.raises(PatternError):
        get_pattern("structure", components=4).sample_inputs(pid="JP-13-113-01-T07")


def test_expected_public_refuses_false_statements():
    pattern = get_pattern("version", "hardened")
    inputs = pattern.sample_inputs()
    with pytest.raises(StatementError):
        pattern.expected_public({**inputs, "userSecret": inputs["userSecret"] + 1})


# -- hardened variants catch tampering -----------------------------------------------------


def test_hardened_membership_refuses_tampered_paths():
    pattern = small("membership", "hardened")
    inputs = pattern.sample_inputs()
    siblings, bits = inputs["pathElements"], inputs["pathIndices"]
    assert "root_matches" in rejected(pattern, {**inputs, "pathElements": [siblings[0] + 1, *siblings[1:]]})
    assert "root_matches" in rejected(pattern, {**inputs, "root": (inputs["root"] + 1) % R})
    assert "level[1]/direction_boolean" in rejected(pattern, {**inputs, "pathIndices": [bits[0], 2, *bits[2:]]})
    assert "root_matches" in rejected(pattern, {**inputs, "salt": inputs["salt"] + 1})


def test_hardened_structure_refuses_out_of_range_depths_and_lengths():
    pattern = small("structure", "hardened")
    k = pattern.size
    inputs = pattern.sample_inputs(pid="JP-13")
    empty = {**inputs, "components": [inputs["countryCode"]] + [0] * (k - 1), "componentLengths": [0] * k}
    assert "depth_at_least_1" in rejected(pattern, {**empty, "hierarchyDepth": 0})
    full = pattern.sample_inputs()
    assert full["hierarchyDepth"] == k
    too_deep = {**full, "hierarchyDepth": k + 1}
    assert "depth_at_most_k" in rejected(pattern, too_deep)
    lengths = full["componentLengths"]
    assert "length_bits" in rejected(pattern, {**full, "componentLengths": [R - 1, *lengths[1:]]})
    assert "depth_bits" in rejected(pattern, {**empty, "hierarchyDepth": R - 5})
    assert "country_matches" in rejected(pattern, {**full, "countryCode": encode_string("FR")})


def test_hardened_selective_reveal_refuses_values_other_than_the_credentials():
    pattern = small("selective_reveal", "hardened")
    inputs = pattern.sample_inputs(reveal=("country",))
    revealed = inputs["revealedValues"]
    lie = [encode_string("FR"), *revealed[1:]]
    assert "field[0]/revealed_matches" in rejected(pattern, {**inputs, "revealedValues": lie})
    peek = [revealed[0], 5, *revealed[2:]]
    assert "field[1]/revealed_matches" in rejected(pattern, {**inputs, "revealedValues": peek})
    forged_values = [encode_string("FR"), *inputs["fieldValues"][1:]]
    forged = {**inputs, "fieldValues": forged_values, "revealedValues": [forged_values[0], *revealed[1:]]}
    assert "full_commitment_matches" in rejected(pattern, forged)
    doubled = {**inputs, "revealMask": [2, *inputs["revealMask"][1:]],
               "revealedValues": [2 * inputs["fieldValues"][0] % R, *revealed[1:]]}
    assert "field[0]/mask_bit" in rejected(pattern, doubled)


def test_hardened_version_refuses_a_secret_not_matching_the_identity():
    pattern = get_pattern("version", "hardened")
    inputs = pattern.sample_inputs()
    assert "identity/matches" in rejected(pattern, {**inputs, "userSecret": inputs["userSecret"] + 1})
    assert "old_pid_matches" in rejected(pattern, {**inputs, "oldSalt": inputs["oldSalt"] + 1})
    # The nullifier depends on the secret and the old address only: a second migration of
    # the same address shows the same nullifier, whatever its new PID and nonce.
    again = pattern.sample_inputs(new_pid="JP-13-101-01-T01-B01-BN01-R001", secret=inputs["userSecret"],
                                  old_salt=inputs["oldSalt"])
    assert pattern.expected_public(again)[2] == pattern.expected_public(inputs)[2]


def test_hardened_locker_refuses_tampered_paths_and_repeats_its_nullifier():
    pattern = small("locker", "hardened")
    inputs = pattern.sample_inputs()
    siblings, bits = inputs["pathElements"], inputs["pathIndices"]
    assert "root_matches" in rejected(pattern, {**inputs, "pathElements": [*siblings[:-1], siblings[-1] + 1]})
    assert "level[0]/direction_boolean" in rejected(pattern, {**inputs, "pathIndices": [3, *bits[1:]]})
    assert "root_matches" in rejected(pattern, {**inputs, "lockerSetRoot": inputs["lockerSetRoot"] + 1})
    # A nonce the facility did not issue is no access right.
    assert "root_matches" in rejected(pattern, {**inputs, "accessNonce": inputs["accessNonce"] + 1})
    first = accepted(pattern, inputs)
    second = accepted(pattern, {**inputs, "challenge": inputs["challenge"] + 1})
    assert first[2] == second[2]  # the same access right, twice: the facility sees it


# -- reference weaknesses, demonstrated ----------------------------------------------------


def test_reference_membership_proves_an_unregistered_pid_with_a_non_boolean_bit():
    pattern = small("membership", "reference")
    honest = pattern.sample_inputs()
    (root,) = pattern.expected_public(honest)
    outsider = encode_pid("XX-00-000-00-T00-B00-BN00-R000")
    sibling, t = forge_first_level(native_poseidon([honest["pid"]]), honest["pathElements"],
                                   honest["pathIndices"], native_poseidon([outsider]))
    assert t not in (0, 1)
    forged = {"pid": outsider, "pathElements": [sibling, *honest["pathElements"][1:]],
              "pathIndices": [t, *honest["pathIndices"][1:]]}
    assert accepted(pattern, forged) == [root]
    hardened = small("membership", "hardened")
    forged_hardened = {**forged, "root": root, "challenge": 1, "salt": 0}
    assert "direction_boolean" in rejected(hardened, forged_hardened)


def test_reference_membership_is_replayable_and_its_leaves_are_guessable():
    pattern = small("membership", "reference")
    inputs = pattern.sample_inputs(pid="JP-13-113-01-T07-B12-BN02-R342")
    # The public signals are the root alone: nothing session-specific to bind a proof to.
    assert accepted(pattern, inputs) == pattern.expected_public(inputs) and pattern.build().num_public == 1
    # An unsalted leaf is found back by trying the rooms of a building.
    leaf = native_poseidon([inputs["pid"]])
    building = "JP-13-113-01-T07-B12-BN02"
    guesses = {native_poseidon([encode_pid(f"{building}-R{room}")]): room for room in range(300, 400)}
    assert guesses[leaf] == 342


def test_reference_structure_accepts_unranged_depths_and_lengths():
    pattern = small("structure", "reference")
    k = pattern.size
    country = encode_string("JP")
    empty = {"countryCode": country, "components": [country] + [0] * (k - 1), "componentLengths": [0] * k}
    # d = p - 5 passes LessThan(8)(d, K + 1): d + 256 - (K + 1) wraps to a small number.
    for depth in (R - 5, 0):
        public = accepted(pattern, {**empty, "hierarchyDepth": depth})
        assert public[1:] == [country, depth]
        with pytest.raises(StatementError):
            pattern.expected_public({**empty, "hierarchyDepth": depth})
    # Lengths only meet IsZero: p - 1 is as good a length as 2.
    honest = pattern.sample_inputs()
    odd = {**honest, "componentLengths": [R - 1, *honest["componentLengths"][1:]]}
    assert accepted(pattern, odd) == accepted(pattern, honest)
    hardened = small("structure", "hardened")
    assert "depth_bits" in rejected(hardened, {**empty, "hierarchyDepth": R - 5, "salt": 1})


def test_reference_selective_reveal_hides_and_reveals_zero_alike():
    pattern = small("selective_reveal", "reference")
    fields = {"country": "JP", "province": "Tokyo", "city": "Shinjuku-ku", "postal_code": "160-0022"}
    hidden = pattern.sample_inputs(fields=fields, reveal=("country",), nonce=42)
    # A credential whose postal code is the field element 0, revealed, shows the same
    # revealed values and revealed commitment as one that hides its postal code.
    zero = pattern.sample_inputs(fields=fields, reveal=("country", "postal_code"), nonce=42)
    zero["fieldValues"][3] = zero["revealedValues"][3] = 0
    shown_hidden, shown_zero = accepted(pattern, hidden), accepted(pattern, zero)
    assert shown_hidden[1:] == shown_zero[1:]
    # And nothing ties the values to an issued credential: any country can be "revealed".
    invented = pattern.sample_inputs(fields={**fields, "country": "FR"}, reveal=("country",), nonce=42)
    assert accepted(pattern, invented)[2] == encode_string("FR")
    # The hardened variant shows the mask and checks the credential's commitment.
    hardened = small("selective_reveal", "hardened")
    issued = hardened.sample_inputs(fields=fields, reveal=("country",), nonce=42)
    assert accepted(hardened, issued)[1:5] == [1, 0, 0, 0]
    forged = {**issued, "fieldValues": invented["fieldValues"], "revealedValues": invented["revealedValues"]}
    assert "full_commitment_matches" in rejected(hardened, forged)


def test_reference_version_is_provable_by_anyone_knowing_both_pids():
    pattern = get_pattern("version", "reference")
    owner = pattern.sample_inputs()
    # A stranger knows the two (public, unsalted) commitments' PIDs but not the secret.
    stranger = pattern.sample_inputs(secret=12345)
    assert accepted(pattern, stranger)[2:] == accepted(pattern, owner)[2:]
    # Hardened: the secret must open the registered identity commitment.
    hardened = get_pattern("version", "hardened")
    registered = hardened.sample_inputs()
    assert "identity/matches" in rejected(hardened, {**registered, "userSecret": 12345})


def test_reference_locker_has_no_nullifier_and_no_session():
    pattern = small("locker", "reference")
    inputs = pattern.sample_inputs()
    first = accepted(pattern, inputs)
    # Whoever knows a locker id of the facility collects again with a fresh nonce: the two
    # pickups show unrelated access commitments and nothing the facility could match.
    again = accepted(pattern, {**inputs, "accessNonce": inputs["accessNonce"] + 1})
    assert first[1:] == again[1:] and first[0] != again[0]


# -- circom's witness, for the small sizes ---------------------------------------------------

SMALL_MAINS = sorted(name for name, counts in EXPECTED.items()
                     if not counts["production"] or counts["size"] is None)


@pytest.fixture(scope="module")
def circom_witness(tmp_path_factory):
    """circom_witness(main_name, inputs) -> circom's witness as ints; each main file is
    compiled once per module (circom2 --O2 --wasm), the witness computed by snarkjs."""
    build_root = tmp_path_factory.mktemp("circom_patterns")
    compiled = set()

    def witness(main_name, inputs):
        out = build_root / main_name
        if main_name not in compiled:
            out.mkdir()
            run_node_tool("circom2", ROOT / "circuits" / "main" / f"{main_name}.circom", "--O2", "--r1cs",
                          "--wasm", "-l", ROOT / "node_modules", "-o", out)
            compiled.add(main_name)
        (out / "input.json").write_text(json.dumps(jsonable(inputs)))
        wasm = out / f"{main_name}_js" / f"{main_name}.wasm"
        run_node_tool("snarkjs", "wtns", "calculate", wasm, out / "input.json", out / "out.wtns")
        run_node_tool("snarkjs", "wtns", "export", "json", out / "out.wtns", out / "out.json")
        return [int(v) for v in json.loads((out / "out.json").read_text())]

    return witness


def jsonable(inputs):
    """snarkjs's input.json: every number as a decimal string."""
    return {name: [str(v) for v in value] if isinstance(value, list) else str(value)
            for name, value in inputs.items()}


@pytest.mark.node
@pytest.mark.slow
@pytest.mark.parametrize("main_name", SMALL_MAINS)
def test_public_signals_equal_circoms_witness(circom_witness, main_name):
    pattern = pattern_for(main_name)
    inputs = pattern.sample_inputs()
    r1cs, witness = pattern.solve(inputs)
    theirs = circom_witness(main_name, inputs)
    assert theirs[0] == 1
    assert theirs[1: 1 + r1cs.num_public] == r1cs.public_signals(witness) == pattern.expected_public(inputs)
    assert len(theirs) == EXPECTED[main_name]["wires"]
