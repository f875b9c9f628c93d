"""Attacks on the reference variants of the five patterns, each carried out end to end with a
real Groth16 proof, and the same attempt against the hardened variant.

Every weakness that the pattern specification (shared/patterns.md) and each pattern's module
docstring list for a reference variant has one function here. The function plays the attacker: it builds the
inputs the attacker can build from what it knows, lets the ordinary witness solver check
them against every constraint of the reference circuit, proves with a proving key from a
real `zkwork.groth16.setup`, and asks `zkwork.groth16.verify` with that key's verifying key.
As a control it also verifies the same proof with public signal 0 changed, which must fail:
the verifier accepts the attack because the statement is weak, not because it accepts
anything. The attack then meets the hardened variant:

- a soundness attack (a forged witness) is rebuilt for the hardened circuit with the same
  idea and the same knowledge; the first constraint it violates is reported by its label
  (constraints as written, before linear elimination, as the witness solver checks them).
  No witness means no proof: Groth16 is knowledge-sound;
- a replay attack takes a real hardened proof made under challenge A (an order or pickup
  session) and verifies it with the public inputs of challenge B, which fails;
- a guessing attack (unsalted hashes of low-entropy identifiers) searches the same
  dictionary against the hardened, salted values and finds nothing, and the attempt to
  prove with the right identifier but a guessed salt violates a constraint.

The attacker's dictionary (`digit_variants`) is the realistic one: it knows an identifier
but the digits of its last component (the room of a known building, the locker of a known
row), 10^digits candidates, all hashed in one vectorised `poseidon_many`.

    results = run_attacks("small")      # one AttackResult per weakness
    findings_table(results)             # pattern, weakness, attack result, cost of the fix
"""
from zkwork.audit.attack_kit import (
    AuditError,
    HardenedAttempt,
    ORDERS,
    OUTSIDER_PID,
    PICKUP_SESSIONS,
    SIZES,
    attack_result,
    dictionary_search,
    digit_variants,
    prove_statement,
    rejected_witness,
    replayed_on_hardened,
    timed_verify,
    with_search,
)
from zkwork.field import R
from zkwork.gadgets.merkle import SparseMerkleTree
from zkwork.patterns import PATTERNS, get_pattern
from zkwork.patterns.base import random_field_element
from zkwork.patterns.encoding import decode_string, encode_pid, encode_string, parse_pid
from zkwork.patterns.locker import SAMPLE_FACILITY, SAMPLE_LOCKERS
from zkwork.patterns.membership import SAMPLE_PIDS
from zkwork.patterns.selective_reveal import SAMPLE_FIELDS
from zkwork.patterns.structure import SAMPLE_PID
from zkwork.patterns.version import SAMPLE_NEW_PID, SAMPLE_OLD_PID

# -- Membership ------------------------------------------------------------------------------


def forge_first_level(leaf, siblings, bits, fake_leaf):
    """Sibling and non-boolean bit that take `fake_leaf` to the parent of `leaf`: with the
    true children (A, B) of that parent, sibling' = A + B - fake and t = (A - fake) /
    (sibling' - fake) make the two-product swap output (A, B) again."""
    a, b = (siblings[0], leaf) if bits[0] else (leaf, siblings[0])
    sibling = (a + b - fake_leaf) % R
    return sibling, (a - fake_leaf) * pow(sibling - fake_leaf, -1, R) % R


def _forged_path(honest, leaf, fake_leaf):
    """The honest path with its first level forged for `fake_leaf`."""
    sibling, t = forge_first_level(leaf, honest["pathElements"], honest["pathIndices"], fake_leaf)
    return {"pathElements": [sibling, *honest["pathElements"][1:]], "pathIndices": [t, *honest["pathIndices"][1:]]}


def forge_membership_non_boolean_bit(depth=4, outsider=OUTSIDER_PID, keys=None):
    """A member of the registry, knowing its own path, proves that the unregistered
    `outsider` PID is registered, with a direction bit outside {0, 1}."""
    reference, hardened = (get_pattern("membership", v, depth=depth) for v in ("reference", "hardened"))
    honest = reference.sample_inputs()
    fake = encode_pid(outsider)
    forged = {"pid": fake, **_forged_path(honest, reference.leaf(honest["pid"]), reference.leaf(fake))}
    proved = prove_statement(reference, forged, keys)
    (root,) = reference.expected_public(honest)

    own = hardened.sample_inputs()  # the same member's path in the hardened registry
    fake_salt = random_field_element()
    hardened_forged = {**own, "pid": fake, "salt": fake_salt,
                       **_forged_path(own, hardened.leaf(own["pid"], own["salt"]), hardened.leaf(fake, fake_salt))}
    return attack_result(
        reference, "forge_membership_non_boolean_bit",
        "the reference leaves out the listed constraint 'direction bit is boolean': with a bit t outside "
        "{0, 1} the swap outputs any pair on left + right = node + sibling",
        f"a member who knows its own Merkle path forges level 0 (sibling' = A + B - leaf', bit t) to reach "
        f"the registry's root from the leaf of {outsider!r}, which is registered nowhere",
        forged, proved, f"{outsider} proved a member of the registry (root matches)",
        rejected_witness(hardened, hardened_forged),
        details={"direction_bit": forged["pathIndices"][0], "registry_root": root,
                 "root_matches": proved.public == [root]},
    )


def replay_membership(depth=4, orders=ORDERS, keys=None):
    """Anyone who saw a member's proof for one order submits the same bytes for another."""
    reference, hardened = (get_pattern("membership", v, depth=depth) for v in ("reference", "hardened"))
    victim = reference.sample_inputs()
    proved = prove_statement(reference, victim, keys)  # the member's own proof, sent with orders[0]
    first, _ = timed_verify(proved.vk, proved.public, proved.proof)
    return attack_result(
        reference, "replay_membership",
        "the proof is bound to nothing but the root, so it can be replayed by anyone who sees it",
        f"the member proves membership for {orders[0]}; an eavesdropper sends the same proof bytes with "
        f"{orders[1]}: the public signals are the root alone, identical for every order",
        {"replayed_proof_of": orders[0], "replayed_for": orders[1]}, proved,
        f"the proof made for {orders[0]} verifies again, as is, for {orders[1]}",
        replayed_on_hardened(hardened, hardened.sample_inputs(), orders, keys),
        details={"verified_for_the_original_order": first},
    )


def guess_membership_leaf(depth=4, keys=None):
    """From the registry's published leaves, the rooms of a building are tried until leaves
    match; the attacker then proves membership as one of the members it found."""
    reference, hardened = (get_pattern("membership", v, depth=depth) for v in ("reference", "hardened"))
    victim = SAMPLE_PIDS[2]
    dictionary = digit_variants(victim)
    tree = SparseMerkleTree(depth, {i: reference.leaf(encode_pid(p)) for i, p in enumerate(SAMPLE_PIDS)})
    found = dictionary_search(dictionary, lambda pid: [encode_pid(pid)], tree.levels[0].values())
    index = {leaf: i for i, leaf in tree.levels[0].items()}
    recovered = {index[leaf]: pid for leaf, pid in found.items()}
    target = max(recovered)  # one of the members found
    siblings, bits = tree.path(target)
    inputs = {"pid": encode_pid(recovered[target]), "pathElements": siblings, "pathIndices": bits}
    proved = prove_statement(reference, inputs, keys)

    salts = {i: random_field_element() for i in range(len(SAMPLE_PIDS))}
    salted = SparseMerkleTree(depth, {i: hardened.leaf(encode_pid(p), salts[i]) for i, p in enumerate(SAMPLE_PIDS)})
    salted_found = dictionary_search(dictionary, lambda pid: [encode_pid(pid)], salted.levels[0].values())
    siblings, bits = salted.path(target)
    # the attacker even knows the right PID; the salt it must guess
    attempt = {"root": salted.root, "challenge": encode_string(ORDERS[0]), "pid": encode_pid(SAMPLE_PIDS[target]),
               "salt": 0, "pathElements": siblings, "pathIndices": bits}
    attempt_result = with_search(rejected_witness(hardened, attempt), len(salted_found), len(dictionary),
                                  "salted leaves")
    return attack_result(
        reference, "guess_membership_leaf",
        "leaves are unsalted hashes of low-entropy PIDs",
        f"the attacker hashes the {len(dictionary)} rooms of a known building and matches them against the "
        f"published leaves, then proves membership as {recovered[target]!r} with the path the tree gives",
        inputs, proved,
        f"{len(found)} registry entries recovered from the leaves; proved membership as one of them",
        attempt_result, details={"dictionary": len(dictionary), "recovered": recovered},
    )


# -- Structure -------------------------------------------------------------------------------


def _empty_pid(k):
    """A structure witness with the country alone: every other slot empty."""
    country = encode_string(parse_pid(SAMPLE_PID)[0])
    return {"countryCode": country, "components": [country] + [0] * (k - 1), "componentLengths": [0] * k}


STRUCTURE_RANGE = ("comparators assume small inputs but lengths and depth are never range-checked, so a crafted "
                   "large value can satisfy LessThan")


def _structure_depth_attack(attack, depth_value, weakness, description, claim, components, keys):
    reference, hardened = (get_pattern("structure", v, components=components) for v in ("reference", "hardened"))
    inputs = {**_empty_pid(components), "hierarchyDepth": depth_value}
    proved = prove_statement(reference, inputs, keys)
    attempt = rejected_witness(hardened, {**inputs, "salt": random_field_element()})
    return attack_result(reference, attack, weakness, description, inputs, proved, claim, attempt,
                   details={"hierarchy_depth": depth_value, "k": components})


def structure_unranged_depth(components=4, keys=None):
    """Hierarchy depth p - 5: LessThan(8)(d, K + 1) computes d + 256 - (K + 1), which wraps
    to a small number, so the 'depth at most K' check passes."""
    return _structure_depth_attack(
        "structure_unranged_depth", R - 5, STRUCTURE_RANGE + " (the depth d = p - 5)",
        "public hierarchy depth d = p - 5 with the country alone: LessThan(8)(d, K + 1) sees "
        "d + 256 - (K + 1) mod p, a small number, and outputs 1",
        "a PID of hierarchy depth p - 5 proved well formed", components, keys)


def structure_zero_depth(components=4, keys=None):
    """Hierarchy depth 0: the bound 1 <= d is never checked."""
    return _structure_depth_attack(
        "structure_zero_depth", 0,
        "the statement requires 1 <= d <= K, but the reference checks d < K + 1 only: d = 0 is accepted",
        "public hierarchy depth 0 with every length zero", "a PID of hierarchy depth 0 proved well formed",
        components, keys)


def structure_length_p_minus_1(components=4, keys=None):
    """A component 'length' of p - 1: lengths meet only IsZero, so any non-zero field
    element is a length."""
    reference, hardened = (get_pattern("structure", v, components=components) for v in ("reference", "hardened"))
    honest = reference.sample_inputs()
    inputs = {**honest, "componentLengths": [R - 1, *honest["componentLengths"][1:]]}
    proved = prove_statement(reference, inputs, keys)
    issued = hardened.sample_inputs()
    attempt = rejected_witness(hardened, {**issued, "componentLengths": [R - 1, *issued["componentLengths"][1:]]})
    return attack_result(
        reference, "structure_length_p_minus_1", STRUCTURE_RANGE + " (a length of p - 1)",
        "component 0 (the country) given the length p - 1 instead of its byte length",
        inputs, proved, "a component of length p - 1 proved well formed, with the honest PID's public signals",
        attempt, details={"length": R - 1, "same_public_as_honest": proved.public == reference.expected_public(honest)},
    )


def guess_structure_commitment(components=4, keys=None):
    """The commitment, country and depth are public: the attacker tries the values of the
    last component until the commitment matches, then proves the same statement itself."""
    reference, hardened = (get_pattern("structure", v, components=components) for v in ("reference", "hardened"))
    victim_pid = "-".join(parse_pid(SAMPLE_PID)[:components])
    victim = reference.sample_inputs(pid=victim_pid)
    commitment, country, depth = reference.expected_public(victim)
    dictionary = digit_variants(victim_pid)
    padding = [0] * (components - len(parse_pid(victim_pid)))

    def preimage(pid):
        return [country, depth, *(encode_string(p) for p in parse_pid(pid)), *padding]

    found = dictionary_search(dictionary, preimage, [commitment])
    recovered = found[commitment]
    inputs = reference.sample_inputs(pid=recovered)
    proved = prove_statement(reference, inputs, keys)

    salted = hardened.expected_public(hardened.sample_inputs(pid=victim_pid))[0]
    salted_found = dictionary_search(dictionary, preimage, [salted])
    attempt = HardenedAttempt(hardened.label, not salted_found,
                              f"resisted: none of {len(dictionary)} candidates matches the salted commitment"
                              if not salted_found else f"{len(salted_found)} candidates match the salted commitment",
                              details={"matches": len(salted_found), "dictionary": len(dictionary)})
    return attack_result(
        reference, "guess_structure_commitment", "the commitment is an unsalted hash of guessable values",
        f"from the public commitment, country and depth of a victim's proof the attacker hashes the "
        f"{len(dictionary)} values of the last component and proves the same statement with what matched",
        inputs, proved, f"the hidden PID {recovered!r} recovered from public signals; proved with them",
        attempt, details={"recovered": recovered, "dictionary": len(dictionary),
                          "same_public_as_victim": proved.public == [commitment, country, depth]},
    )


# -- Selective reveal ------------------------------------------------------------------------


def _credential_fields(f):
    return dict(list(SAMPLE_FIELDS.items())[:f])


def selective_reveal_hidden_vs_zero(fields=4, keys=None):
    """The verifier asks for the last field; the prover hides it and the public revealed
    value 0 reads as 'revealed, and it is 0'."""
    reference, hardened = (get_pattern("selective_reveal", v, fields=fields) for v in ("reference", "hardened"))
    credential = _credential_fields(fields)
    demanded = list(credential)[-1]
    nonce = random_field_element()
    inputs = reference.sample_inputs(fields=credential, reveal=("country",), nonce=nonce)
    proved = prove_statement(reference, inputs, keys)
    # what an honest holder whose demanded field is 0 shows when revealing it
    zero = reference.sample_inputs(fields=credential, reveal=("country", demanded), nonce=nonce)
    zero["fieldValues"][-1] = zero["revealedValues"][-1] = 0
    shown_zero = reference.expected_public(zero)

    issued = hardened.sample_inputs(fields=credential, reveal=("country", demanded), nonce=nonce)
    attempt = rejected_witness(hardened, {**issued, "revealedValues": [*issued["revealedValues"][:-1], 0]})
    return attack_result(
        reference, "selective_reveal_hidden_vs_zero",
        "the mask is private, so the verifier cannot tell a hidden field from a revealed field whose value is 0",
        f"asked to reveal {demanded!r}, the holder hides it: the public revealed value is 0, as if revealed "
        f"and empty",
        inputs, proved, f"{demanded} hidden, yet the public signals read as '{demanded} revealed, value 0'",
        attempt, details={"demanded_field": demanded,
                          "same_revealed_signals_as_a_zero_field": proved.public[1:] == shown_zero[1:]},
    )


def selective_reveal_invented_values(fields=4, invented_country="FR", keys=None):
    """The holder of a Japanese credential 'reveals' a country of its choosing."""
    reference, hardened = (get_pattern("selective_reveal", v, fields=fields) for v in ("reference", "hardened"))
    credential = _credential_fields(fields)
    invented = {**credential, "country": invented_country}
    inputs = reference.sample_inputs(fields=invented, reveal=("country",))
    proved = prove_statement(reference, inputs, keys)
    issued = hardened.sample_inputs(fields=credential, reveal=("country",))
    attempt = rejected_witness(hardened, {**issued, "fieldValues": inputs["fieldValues"],
                                           "revealedValues": inputs["revealedValues"]})
    revealed = decode_string(proved.public[2])
    return attack_result(
        reference, "selective_reveal_invented_values",
        "the full commitment is an output, not checked against the issuer's commitment",
        f"the holder of a credential issued for country {credential['country']!r} proves with field values "
        f"of its own, revealing country {invented_country!r}",
        inputs, proved, f"country {revealed!r} revealed, which no issuer signed", attempt,
        details={"issued_country": credential["country"], "revealed_country": revealed},
    )


# -- Version ---------------------------------------------------------------------------------


def version_without_secret(keys=None):
    """A stranger who knows the owner's two PIDs proves the migration with its own secret."""
    reference, hardened = get_pattern("version", "reference"), get_pattern("version", "hardened")
    owner = reference.sample_inputs()
    stranger_secret = random_field_element()
    inputs = reference.sample_inputs(secret=stranger_secret)
    proved = prove_statement(reference, inputs, keys)
    registered = hardened.sample_inputs()
    attempt = rejected_witness(hardened, {**registered, "userSecret": stranger_secret})
    return attack_result(
        reference, "version_without_secret",
        "nothing ties the user secret to a registered identity, so anyone who knows both PIDs can produce a "
        "valid proof",
        "a stranger who knows the old and the new PID, not the owner's secret, proves the migration with a "
        "secret of its own",
        inputs, proved, "migration of the owner's address proved by a stranger", attempt,
        details={"same_pid_commitments_as_owner": proved.public[2:] == reference.expected_public(owner)[2:]},
    )


def guess_version_pids(keys=None):
    """From the public PID commitments of an owner's migration, the attacker recovers both
    PIDs (the rooms of known buildings) and proves a migration between them itself."""
    reference, hardened = get_pattern("version", "reference"), get_pattern("version", "hardened")
    owner = reference.sample_inputs()
    old_commitment, new_commitment = reference.expected_public(owner)[2:]
    dictionary = digit_variants(SAMPLE_OLD_PID) + digit_variants(SAMPLE_NEW_PID)
    found = dictionary_search(dictionary, lambda pid: [encode_pid(pid)], [old_commitment, new_commitment])
    old_pid, new_pid = found[old_commitment], found[new_commitment]
    inputs = reference.sample_inputs(old_pid=old_pid, new_pid=new_pid, secret=random_field_element())
    proved = prove_statement(reference, inputs, keys)

    registered = hardened.sample_inputs()
    salted = [registered["oldPIDCommitment"], registered["newPIDCommitment"]]
    salted_found = dictionary_search(dictionary, lambda pid: [encode_pid(pid)], salted)
    # the attacker even knows the right PIDs; the salts (and the secret) it must guess
    attempt = rejected_witness(hardened, {**registered, "oldSalt": 0, "newSalt": 0,
                                           "userSecret": random_field_element()})
    return attack_result(
        reference, "guess_version_pids", "PID commitments are unsalted",
        f"from the public PID commitments of the owner's migration the attacker hashes {len(dictionary)} "
        f"rooms of the two buildings, recovers both addresses and proves the migration itself",
        inputs, proved, f"both addresses recovered ({old_pid!r} -> {new_pid!r}); a migration between them proved",
        with_search(attempt, len(salted_found), len(dictionary), "salted PID commitments"),
        details={"recovered": [old_pid, new_pid], "dictionary": len(dictionary)},
    )


# -- Locker ----------------------------------------------------------------------------------


def locker_replay(depth=3, sessions=PICKUP_SESSIONS, keys=None):
    """A pickup proof shown at one session is replayed at another."""
    reference, hardened = (get_pattern("locker", v, depth=depth) for v in ("reference", "hardened"))
    holder = reference.sample_inputs()
    proved = prove_statement(reference, holder, keys)  # the holder's own proof, shown at sessions[0]
    first, _ = timed_verify(proved.vk, proved.public, proved.proof)
    return attack_result(
        reference, "locker_replay",
        "the proof is bound to no session, so it can be replayed (the hardened variant binds a public "
        "challenge)",
        f"the holder shows a pickup proof at {sessions[0]}; whoever captured it shows the same bytes at "
        f"{sessions[1]}",
        {"replayed_proof_of": sessions[0], "replayed_for": sessions[1]}, proved,
        f"the pickup proof of {sessions[0]} verifies again, as is, at {sessions[1]}",
        replayed_on_hardened(hardened, hardened.sample_inputs(), sessions, keys),
        details={"verified_at_the_original_session": first},
    )


def locker_reuse(depth=3, keys=None):
    """One access right, two pickups: nothing in the public signals links them."""
    reference, hardened = (get_pattern("locker", v, depth=depth) for v in ("reference", "hardened"))
    holder = reference.sample_inputs()
    first = reference.expected_public(holder)
    inputs = {**holder, "accessNonce": random_field_element()}
    proved = prove_statement(reference, inputs, keys)

    issued = hardened.sample_inputs()
    again = hardened.sample_inputs(access_nonce=issued["accessNonce"])
    nullifier_repeats = hardened.expected_public(issued)[2] == hardened.expected_public(again)[2]
    # a second pickup shows the first one's nullifier; to change it the nonce must change
    attempt = rejected_witness(hardened, {**issued, "accessNonce": random_field_element()},
                                {"second_pickup_shows_the_same_nullifier": nullifier_repeats})
    return attack_result(
        reference, "locker_reuse",
        "nothing makes an access right single-use (the hardened variant adds a nullifier per (locker, pickup))",
        "the holder collects a second time with a fresh access nonce",
        inputs, proved, "a second pickup with the same access right, unlinkable to the first", attempt,
        details={"access_commitments_differ": first[0] != proved.public[0],
                 "other_public_signals_shared_by_every_holder": first[1:] == proved.public[1:]},
    )


def locker_guess_id(depth=3, keys=None):
    """From the facility's published leaves, locker ids of a row are tried until leaves
    match; the attacker then collects from one of them."""
    reference, hardened = (get_pattern("locker", v, depth=depth) for v in ("reference", "hardened"))
    facility = encode_string(SAMPLE_FACILITY)
    dictionary = digit_variants(SAMPLE_LOCKERS[0])
    tree = SparseMerkleTree(depth, {i: reference.leaf(encode_string(lk), None) for i, lk in enumerate(SAMPLE_LOCKERS)})
    found = dictionary_search(dictionary, lambda lk: [encode_string(lk)], tree.levels[0].values())
    index = {leaf: i for i, leaf in tree.levels[0].items()}
    recovered = {index[leaf]: lk for leaf, lk in found.items()}
    target = min(recovered)
    siblings, bits = tree.path(target)
    inputs = {"facilityID": facility, "lockerSetRoot": tree.root, "lockerID": encode_string(recovered[target]),
              "pathElements": siblings, "pathIndices": bits, "accessNonce": random_field_element()}
    proved = prove_statement(reference, inputs, keys)

    nonces = {i: random_field_element() for i in range(len(SAMPLE_LOCKERS))}
    rights = SparseMerkleTree(depth, {i: hardened.leaf(encode_string(lk), nonces[i])
                                    for i, lk in enumerate(SAMPLE_LOCKERS)})
    rights_found = dictionary_search(dictionary, lambda lk: [encode_string(lk)], rights.levels[0].values())
    siblings, bits = rights.path(target)
    # the attacker even knows the right locker id; the issued nonce it must guess
    attempt = rejected_witness(hardened, {**inputs, "lockerSetRoot": rights.root, "pathElements": siblings,
                                           "pathIndices": bits, "challenge": encode_string(PICKUP_SESSIONS[0])})
    return attack_result(
        reference, "locker_guess_id",
        "the leaf is an unsalted hash of a low-entropy locker id, so the 'access right' is mere knowledge of "
        "one of the facility's locker ids",
        f"the attacker hashes the {len(dictionary)} lockers of a row and matches them against the facility's "
        f"published leaves, then collects from {recovered[target]!r}",
        inputs, proved, f"{len(found)} locker ids recovered from the leaves; a pickup proved without any access right",
        with_search(attempt, len(rights_found), len(dictionary), "access-right leaves"),
        details={"recovered": recovered, "dictionary": len(dictionary)},
    )


# -- all of them -----------------------------------------------------------------------------

ATTACKS = (
    ("membership", forge_membership_non_boolean_bit),
    ("membership", replay_membership),
    ("membership", guess_membership_leaf),
    ("structure", structure_unranged_depth),
    ("structure", structure_zero_depth),
    ("structure", structure_length_p_minus_1),
    ("structure", guess_structure_commitment),
    ("selective_reveal", selective_reveal_hidden_vs_zero),
    ("selective_reveal", selective_reveal_invented_values),
    ("version", version_without_secret),
    ("version", guess_version_pids),
    ("locker", locker_replay),
    ("locker", locker_reuse),
    ("locker", locker_guess_id),
)


def size_params(name, sizes):
    """The size keyword of pattern `name` for a size class: its small size (that of the
    small Circom main files) or its production size; {} for Version, which has none."""
    if sizes not in SIZES:
        raise AuditError(f"sizes is one of {', '.join(SIZES)}, not {sizes!r}")
    cls = PATTERNS[name]
    if sizes == "small":
        return cls.small_params()
    return {cls.size_param: cls.default_size} if cls.size_param else {}


def run_attacks(sizes="small", keys=None, patterns=None):
    """Every attack of ATTACKS (those on `patterns` if given) at the small or the production
    sizes, one AttackResult per weakness; `keys` (label -> ProvingKey) is shared and filled."""
    keys = {} if keys is None else keys
    selected = [(name, attack) for name, attack in ATTACKS if patterns is None or name in patterns]
    return [attack(**size_params(name, sizes), keys=keys) for name, attack in selected]


def findings_table(results):
    """One row per weakness: pattern, variant (size), weakness, the attack's result on the
    reference and on the hardened variant, both constraint counts and the cost of the fix
    (hardened minus reference constraints), the attacker's prove and verify times."""
    import pandas as pd

    rows = []
    for r in results:
        size = ", ".join(f"{k}={v}" for k, v in r.params.items()) or "-"
        rows.append({
            "pattern": r.pattern, "variant": "reference", "size": size, "attack": r.attack, "weakness": r.weakness,
            "attack result": r.result, "hardened result": r.hardened.result,
            "reference constraints": r.reference_constraints, "hardened constraints": r.hardened_constraints,
            "fix cost (constraints)": r.fix_cost, "prove ms": r.prove_s * 1e3, "verify ms": r.verify_s * 1e3,
        })
    return pd.DataFrame(rows)

