"""The attacks of zkwork.audit.attacks: every reference weakness of patterns.md turned into a
real Groth16 proof that the reference verifier accepts, and the same attempt refused by the
hardened variant.

Independent checks beside the library's own verdicts: the native computation of each
pattern (expected_public, root_from_path) says the forged statements are false; the proofs
are verified again here with the keys, with every public signal changed (never accepted),
and, in slow tests, by py_ecc's pairing and by snarkjs; hardened witnesses are refused by
the witness solver and by the prover itself (no proof can be made).
"""
import json

import pytest
from node_tools import run_node_tool

from zkwork.audit import ATTACKS, AttackResult, findings_table, run_attacks
from zkwork.audit.attack_kit import AuditError, dictionary_search, digit_variants, first_failing_constraint, proving_key
from zkwork.audit.attacks import forge_membership_non_boolean_bit, size_params
from zkwork.errors import UnsatisfiedConstraintError
from zkwork.field import R
from zkwork.gadgets.merkle import root_from_path
from zkwork.gadgets.native_poseidon import poseidon as native_poseidon
from zkwork.groth16 import prove, verify
from zkwork.groth16.snarkjs_json import proof_to_json, public_to_json, write_json, vk_to_json
from zkwork.patterns import PATTERNS, StatementError, get_pattern
from zkwork.patterns.encoding import encode_pid, encode_string

# The first constraint each hardened attempt violates (prefix), or the kind of refusal.
EXPECTED_REFUSAL = {
    "forge_membership_non_boolean_bit": "membership/level[0]/direction_boolean",
    "replay_membership": "challenge",
    "guess_membership_leaf": "membership/root_matches",
    "structure_unranged_depth": "structure/depth_bits/num2bits/",
    "structure_zero_depth": "structure/depth_at_least_1",
    "structure_length_p_minus_1": "structure/component[0]/length_bits/num2bits/",
    "guess_structure_commitment": "search",
    "selective_reveal_hidden_vs_zero": "selective_reveal/field[3]/revealed_matches/out_is_one",
    "selective_reveal_invented_values": "selective_reveal/full_commitment_matches",
    "version_without_secret": "version/identity/matches",
    "guess_version_pids": "version/old_pid_matches/out_is_one",
    "locker_replay": "challenge",
    "locker_reuse": "locker/root_matches/out_is_one",
    "locker_guess_id": "locker/root_matches/out_is_one",
}
ATTACK_NAMES = [attack.__name__ for _, attack in ATTACKS]


@pytest.fixture(scope="module")
def keys():
    return {}


@pytest.fixture(scope="module")
def results(keys):
    return {r.attack: r for r in run_attacks("small", keys=keys)}


def reference_of(result):
    return get_pattern(result.pattern, "reference", **result.params)


def test_every_weakness_has_an_attack():
    assert sorted(ATTACK_NAMES) == sorted(EXPECTED_REFUSAL)
    assert {name for name, _ in ATTACKS} == set(PATTERNS)


@pytest.mark.parametrize("attack", ATTACK_NAMES)
def test_the_reference_verifier_accepts_the_attack(results, keys, attack):
    result = results[attack]
    assert isinstance(result, AttackResult) and result.attack == attack
    assert result.accepted and result.result.startswith("accepted: ")
    assert not result.tampered_accepted
    # again here, with the key the attack used
    vk = keys[result.variant].vk
    assert result.variant == reference_of(result).label
    assert verify(vk, result.public_signals, result.proof)
    for i in range(len(result.public_signals)):
        changed = list(result.public_signals)
        changed[i] = (changed[i] + 1) % R
        assert not verify(vk, changed, result.proof), f"public signal {i} changed and still accepted"


@pytest.mark.parametrize("attack", ATTACK_NAMES)
def test_the_public_signals_are_those_of_the_attackers_witness(results, attack):
    result = results[attack]
    if "replay" in attack:  # the replayed proof is the victim's own, made from its inputs
        return
    r1cs, witness = reference_of(result).solve(result.attacker_inputs)
    assert r1cs.public_signals(witness) == result.public_signals


@pytest.mark.parametrize("attack", ATTACK_NAMES)
def test_the_hardened_variant_refuses_the_same_attempt(results, keys, attack):
    hardened = results[attack].hardened
    expected = EXPECTED_REFUSAL[attack]
    assert hardened.resisted
    assert hardened.result.startswith(("rejected: ", "resisted: "))
    assert hardened.variant == get_pattern(results[attack].pattern, "hardened", **results[attack].params).label
    if expected == "challenge":
        assert hardened.verified is False and hardened.details["verified_for_its_own_challenge"]
        vk = keys[hardened.variant].vk
        assert verify(vk, hardened.details["public_signals"], hardened.proof)
        assert not verify(vk, hardened.details["replayed_public_signals"], hardened.proof)
        # the two statements differ in the challenge alone
        changed = [i for i, (a, b) in enumerate(zip(hardened.details["public_signals"],
                                                    hardened.details["replayed_public_signals"])) if a != b]
        assert len(changed) == 1
        return
    if expected == "search":
        assert hardened.details["matches"] == 0 and hardened.inputs is None
        return
    assert hardened.failing_constraint.startswith(expected)
    pattern = get_pattern(results[attack].pattern, "hardened", **results[attack].params)
    with pytest.raises(UnsatisfiedConstraintError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        pattern.solve(hardened.inputs)
    # no proof can be made: the prover itself refuses the witness
    r1cs, witness = pattern.solve(hardened.inputs, check=False)
    pk = proving_key(pattern, r1cs, keys)
    with pytest.raises(UnsatisfiedConstraintError):
        prove(pk, witness)
    if "guess" in attack:
        assert hardened.details["matches"] == 0


# -- what each attack proved, checked natively ---------------------------------------------


def test_the_forged_membership_proves_an_unregistered_pid(results):
    result = results["forge_membership_non_boolean_bit"]
    inputs = result.attacker_inputs
    assert inputs["pid"] == encode_pid("XX-00-000-00-T00-B00-BN00-R000")
    assert inputs["pathIndices"][0] not in (0, 1)
    assert result.public_signals == [result.details["registry_root"]]
    with pytest.raises(ValueError):
        root_from_path(native_poseidon([inputs["pid"]]), inputs["pathElements"], inputs["pathIndices"])
    # with an honest bit, the forged sibling leads elsewhere
    honest_bits = [0, *inputs["pathIndices"][1:]]
    assert root_from_path(native_poseidon([inputs["pid"]]), inputs["pathElements"], honest_bits) != \
        result.details["registry_root"]


@pytest.mark.parametrize("attack", ["structure_unranged_depth", "structure_zero_depth", "structure_length_p_minus_1"])
def test_the_structure_attacks_prove_false_statements(results, attack):
    result = results[attack]
    with pytest.raises(StatementError):
        reference_of(result).expected_public(result.attacker_inputs)
    if attack == "structure_unranged_depth":
        assert result.public_signals[2] == R - 5
    if attack == "structure_length_p_minus_1":
        assert result.attacker_inputs["componentLengths"][0] == R - 1 and result.details["same_public_as_honest"]


def test_guessing_attacks_recover_the_hidden_identifiers(results):
    structure = results["guess_structure_commitment"]
    assert structure.details["recovered"] == "JP-13-113-01" and structure.details["same_public_as_victim"]
    assert set(results["guess_membership_leaf"].details["recovered"].values()) == {
        f"JP-13-113-01-T07-B12-BN02-R{room}" for room in (341, 342, 343)}
    assert results["guess_version_pids"].details["recovered"] == [
        "JP-13-113-01-T07-B12-BN02-R342", "JP-13-104-03-T02-B05-BN01-R101"]
    assert set(results["locker_guess_id"].details["recovered"].values()) == {"LKR-07-A01", "LKR-07-A02", "LKR-07-A03"}


def test_selective_reveal_attacks(results):
    hidden = results["selective_reveal_hidden_vs_zero"]
    assert hidden.attacker_inputs["revealMask"][-1] == 0 and hidden.public_signals[-1] == 0
    assert hidden.details["same_revealed_signals_as_a_zero_field"]
    invented = results["selective_reveal_invented_values"]
    assert invented.public_signals[2] == encode_string("FR")


def test_version_and_locker_attacks(results):
    stranger = results["version_without_secret"]
    assert stranger.details["same_pid_commitments_as_owner"]
    reuse = results["locker_reuse"]
    assert reuse.details["access_commitments_differ"] and reuse.details["other_public_signals_shared_by_every_holder"]
    assert reuse.hardened.details["second_pickup_shows_the_same_nullifier"]
    for attack in ("replay_membership", "locker_replay"):
        replay = results[attack]
        assert next(v for k, v in replay.details.items() if k.startswith("verified_")) is True


# -- the table and the pieces --------------------------------------------------------------


def test_findings_table_has_one_row_per_weakness_with_measured_fix_costs(results):
    table = findings_table(list(results.values()))
    assert len(table) == len(ATTACKS) and list(table["attack"]) == list(results)
    assert {"pattern", "variant", "weakness", "attack result", "hardened result",
            "fix cost (constraints)"} <= set(table.columns)
    for _, row in table.iterrows():
        result = results[row["attack"]]
        reference = reference_of(result).build().num_constraints
        hardened = get_pattern(result.pattern, "hardened", **result.params).build().num_constraints
        assert row["reference constraints"] == reference and row["hardened constraints"] == hardened
        assert row["fix cost (constraints)"] == hardened - reference >= 0
        assert row["attack result"].startswith("accepted: ")
        assert row["hardened result"].startswith(("rejected: ", "resisted: "))


def test_records_are_plain_json(results):
    record = json.loads(json.dumps(results["forge_membership_non_boolean_bit"].as_record()))
    assert record["accepted"] is True and record["hardened"]["resisted"] is True
    assert int(record["attacker_inputs"]["pathIndices"][0]) not in (0, 1)
    assert record["proof"]["protocol"] == "groth16"


def test_digit_variants_and_dictionary_search():
    rooms = digit_variants("JP-13-B12-R342")
    assert len(rooms) == 1000 and rooms[0] == "JP-13-B12-R000" and rooms[-1] == "JP-13-B12-R999"
    assert "JP-13-B12-R342" in rooms and len(set(rooms)) == 1000
    assert digit_variants("LKR-07-A02")[:2] == ["LKR-07-A00", "LKR-07-A01"]
    targets = [native_poseidon([encode_pid(p), 7]) for p in ("JP-13-B12-R017", "JP-13-B12-R900")]
    found = dictionary_search(rooms, lambda pid: [encode_pid(pid), 7], targets + [12345])
    assert found == {targets[0]: "JP-13-B12-R017", targets[1]: "JP-13-B12-R900"}


def test_first_failing_constraint():
    pattern = get_pattern("version", "hardened")
    inputs = pattern.sample_inputs()
    assert first_failing_constraint(pattern, inputs) is None
    assert first_failing_constraint(pattern, {**inputs, "userSecret": 1}) == "version/identity/matches"


def test_sizes():
    assert size_params("membership", "small") == {"depth": 4}
    assert size_params("locker", "production") == {"depth": 10}
    assert size_params("version", "production") == {}
    with pytest.raises(AuditError):
        run_attacks("huge")


def test_without_a_key_cache_each_attack_makes_its_own_setup():
    result = forge_membership_non_boolean_bit(depth=3)
    assert result.accepted and not result.tampered_accepted and result.hardened.resisted
    assert result.variant == "membership/reference/depth=3"


# -- independent verifiers and production sizes --------------------------------------------


@pytest.mark.slow
def test_py_ecc_accepts_the_forged_membership_proof(results, keys):
    result = results["forge_membership_non_boolean_bit"]
    vk = keys[result.variant].vk
    assert verify(vk, result.public_signals, result.proof, backend="reference")
    assert not verify(vk, [(result.public_signals[0] + 1) % R], result.proof, backend="reference")


@pytest.mark.slow
@pytest.mark.node
@pytest.mark.parametrize("attack", ["forge_membership_non_boolean_bit", "structure_unranged_depth",
                                    "selective_reveal_invented_values", "locker_guess_id"])
def test_snarkjs_accepts_the_attackers_proofs(results, keys, attack, tmp_path):
    result = results[attack]
    write_json(tmp_path / "vk.json", vk_to_json(keys[result.variant].vk))
    write_json(tmp_path / "proof.json", proof_to_json(result.proof))
    write_json(tmp_path / "public.json", public_to_json(result.public_signals))
    run = run_node_tool("snarkjs", "groth16", "verify", tmp_path / "vk.json", tmp_path / "public.json",
                        tmp_path / "proof.json")
    assert "OK" in run.stdout


@pytest.mark.slow
def test_production_sizes():
    production = run_attacks("production")
    assert [r.attack for r in production] == ATTACK_NAMES
    for result in production:
        assert result.accepted and not result.tampered_accepted and result.hardened.resisted, result.attack
        cls = PATTERNS[result.pattern]
        assert result.params == ({cls.size_param: cls.default_size} if cls.size_param else {})
        assert result.fix_cost >= 0
