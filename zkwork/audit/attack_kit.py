"""What every attack of zkwork.audit.attacks uses: the result types, proving and verifying
for real with a key of the attacked circuit, the hardened variant's refusals, and the
attacker's dictionary search over low-entropy identifiers."""
import time
from dataclasses import dataclass, field
from functools import cache

from zkwork.errors import ZkworkError
from zkwork.field import FR, FieldVector, R
from zkwork.gadgets.native_poseidon import poseidon_many
from zkwork.groth16 import Proof, prepare_verifying_key, prove, setup, verify
from zkwork.groth16.snarkjs_json import proof_to_json, public_to_json
from zkwork.patterns import PATTERNS, get_pattern
from zkwork.patterns.encoding import encode_string
from zkwork.r1cs import ConstraintSystem

SIZES = ("small", "production")
OUTSIDER_PID = "XX-00-000-00-T00-B00-BN00-R000"  # registered nowhere
ORDERS = ("order-2025-000117", "order-2025-000118")  # the order a proof was made for, and the replay's
PICKUP_SESSIONS = ("pickup-session-5521", "pickup-session-5522")


class AuditError(ZkworkError, ValueError):
    """An audit asked for something that does not exist (an unknown size class)."""


@dataclass(frozen=True)
class HardenedAttempt:
    """The same attack against the hardened variant."""

    variant: str  # the hardened circuit's label
    resisted: bool
    result: str  # "rejected: constraint ... fails", "rejected: ... does not verify", ...
    failing_constraint: str = None  # the first constraint the attacker's witness violates
    inputs: dict = None  # that witness's inputs
    verified: bool = None  # the hardened verifier's answer to a replayed proof
    proof: Proof = None  # that proof, made under the first challenge
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AttackResult:
    """One weakness of a reference variant, attacked with a real Groth16 proof."""

    pattern: str
    variant: str  # the attacked (reference) circuit's label
    params: dict  # its size parameter, e.g. {"depth": 4}; {} for Version
    attack: str  # the function that ran it
    weakness: str  # in the words of patterns.md or the pattern's docstring
    description: str  # what the attacker knows and does
    attacker_inputs: dict  # the witness inputs the attacker proved with
    public_signals: list  # what the reference verifier was given
    proof: Proof
    accepted: bool  # zkwork.groth16.verify with the reference verifying key
    tampered_accepted: bool  # the same proof with public signal 0 + 1 (control: False)
    claim: str  # what an accepted proof means here
    hardened: HardenedAttempt
    reference_constraints: int
    hardened_constraints: int
    prove_s: float
    verify_s: float
    details: dict = field(default_factory=dict)

    @property
    def result(self):
        """'accepted: <what the proof got away with>', or why the attack failed."""
        if not self.accepted:
            return "rejected: the reference verifier refused the attacker's proof"
        return f"accepted: {self.claim}"

    @property
    def fix_cost(self):
        """Constraints the hardened variant adds to the reference one (same size)."""
        return self.hardened_constraints - self.reference_constraints

    def as_record(self):
        """Plain JSON data: field elements as decimal strings, the proof in snarkjs's JSON."""
        return {
            "pattern": self.pattern, "variant": self.variant, "params": self.params, "attack": self.attack,
            "weakness": self.weakness, "description": self.description,
            "attacker_inputs": _jsonable(self.attacker_inputs),
            "public_signals": public_to_json(self.public_signals), "proof": proof_to_json(self.proof),
            "accepted": self.accepted, "tampered_accepted": self.tampered_accepted, "result": self.result,
            "hardened": {"variant": self.hardened.variant, "resisted": self.hardened.resisted,
                         "result": self.hardened.result, "failing_constraint": self.hardened.failing_constraint,
                         "inputs": _jsonable(self.hardened.inputs),
                         "verified": self.hardened.verified,
                         "proof": None if self.hardened.proof is None else proof_to_json(self.hardened.proof),
                         "details": _jsonable(self.hardened.details)},
            "reference_constraints": self.reference_constraints, "hardened_constraints": self.hardened_constraints,
            "fix_cost": self.fix_cost, "prove_s": self.prove_s, "verify_s": self.verify_s,
            "details": _jsonable(self.details),
        }


def _jsonable(value):
    """Big ints as decimal strings (JSON readers lose precision past 2^53), recursively."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, int):
        return str(value) if abs(value) >= 1 << 53 else value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


# -- proving and verifying for real ----------------------------------------------------------


def proving_key(pattern, r1cs, keys=None):
    """The proving key of `pattern` (whose R1CS is `r1cs`): from `keys`, a mutable mapping
    label -> ProvingKey shared between attacks, or made by a real setup (and stored there)."""
    if keys is None:
        return setup(r1cs)
    if pattern.label not in keys:
        keys[pattern.label] = setup(r1cs)
    return keys[pattern.label]


@dataclass(frozen=True)
class _Proved:
    public: list
    proof: Proof
    vk: object
    prove_s: float
    constraints: int


def prove_statement(pattern, inputs, keys):
    """Solve (every constraint checked: a violated one raises UnsatisfiedConstraintError
    naming it) and prove with the ordinary prover."""
    r1cs, witness = pattern.solve(inputs)
    pk = proving_key(pattern, r1cs, keys)
    start = time.perf_counter()
    proof = prove(pk, witness)
    return _Proved(r1cs.public_signals(witness), proof, pk.vk, time.perf_counter() - start, r1cs.num_constraints)


def timed_verify(vk, public, proof):
    """(whether `vk` accepts `proof` for `public`, the seconds the verify took)."""
    start = time.perf_counter()
    accepted = bool(verify(vk, public, proof))
    return accepted, time.perf_counter() - start


def first_failing_constraint(pattern, inputs):
    """The label of the first constraint of `pattern`, as written, that `inputs` violate,
    or None when they satisfy them all (the check the witness solver makes)."""
    cs = ConstraintSystem(inputs)
    pattern.circuit(cs)
    violation = cs.first_violation()
    return None if violation is None else violation[0]


@cache
def constraint_count(name, variant, size=None):
    """`get_pattern(name, variant, <size>).build().num_constraints`, built once."""
    cls = PATTERNS[name]
    return get_pattern(name, variant, **({cls.size_param: size} if cls.size_param else {})).build().num_constraints


def attack_result(reference, attack, weakness, description, inputs, proved, claim, hardened, details=None):
    """The AttackResult of a proof the attacker holds: verified with the reference key for
    its public signals, and the control with public signal 0 changed."""
    public = proved.public
    pvk = prepare_verifying_key(proved.vk)  # so that verify_s times the verification alone
    accepted, verify_s = timed_verify(pvk, public, proved.proof)
    tampered, _ = timed_verify(pvk, [(public[0] + 1) % R, *public[1:]], proved.proof)
    return AttackResult(
        pattern=reference.name, variant=reference.label, params=dict(reference.params), attack=attack,
        weakness=weakness, description=description, attacker_inputs=inputs, public_signals=list(public),
        proof=proved.proof, accepted=accepted, tampered_accepted=tampered, claim=claim, hardened=hardened,
        reference_constraints=proved.constraints,
        hardened_constraints=constraint_count(reference.name, "hardened", reference.size),
        prove_s=proved.prove_s, verify_s=verify_s, details=details or {},
    )


def rejected_witness(hardened, inputs, details=None):
    """The hardened attempt of a forged witness: rejected at its first failing constraint."""
    label = first_failing_constraint(hardened, inputs)
    if label is None:
        return HardenedAttempt(hardened.label, False, "accepted: the attacker's witness satisfies every constraint",
                               inputs=inputs, details=details or {})
    return HardenedAttempt(hardened.label, True, f"rejected: constraint {label} fails", failing_constraint=label,
                           inputs=inputs, details=details or {})


def replayed_on_hardened(hardened, inputs, challenges, keys):
    """A real hardened proof made under challenges[0], verified under challenges[1]."""
    made_for, replayed_in = (encode_string(c) for c in challenges)
    proved = prove_statement(hardened, {**inputs, "challenge": made_for}, keys)
    original, _ = timed_verify(proved.vk, proved.public, proved.proof)
    replay_public = hardened.expected_public({**inputs, "challenge": replayed_in})
    replayed, _ = timed_verify(proved.vk, replay_public, proved.proof)
    if replayed:
        result = f"accepted: the proof made for {challenges[0]} verifies for {challenges[1]}"
    else:
        result = f"rejected: the proof made for {challenges[0]} does not verify for {challenges[1]}"
    return HardenedAttempt(hardened.label, original and not replayed, result, verified=replayed, proof=proved.proof,
                           details={"verified_for_its_own_challenge": original, "public_signals": proved.public,
                                    "replayed_public_signals": replay_public})


def with_search(attempt, matches, tried, what):
    """A hardened attempt that was also a dictionary search: resisted only if nothing matched."""
    search = f"none of {tried} candidates matches the {what}" if not matches else \
        f"{matches} of {tried} candidates match the {what}"
    return HardenedAttempt(attempt.variant, attempt.resisted and not matches, f"{attempt.result}; {search}",
                           failing_constraint=attempt.failing_constraint, verified=attempt.verified,
                           inputs=attempt.inputs, details={**attempt.details, "matches": matches, "dictionary": tried})


# -- the attacker's dictionary ---------------------------------------------------------------


def digit_variants(identifier):
    """Every string equal to `identifier` but for the digits of its last '-'-separated
    component, in increasing order ('...-R342' -> '...-R000' .. '...-R999'): what an
    attacker who knows the building tries for the room."""
    head, dash, last = identifier.rpartition("-")
    positions = [i for i, ch in enumerate(last) if ch.isdigit()]
    variants = []
    for n in range(10 ** len(positions)):
        chars, digits = list(last), str(n).zfill(len(positions))
        for position, digit in zip(positions, digits):
            chars[position] = digit
        variants.append(head + dash + "".join(chars))
    return variants


def dictionary_search(candidates, preimage, targets):
    """{target: candidate} for the candidates whose Poseidon(preimage(candidate)) is one of
    `targets`; all candidates hashed in one vectorised call."""
    rows = [preimage(candidate) for candidate in candidates]
    columns = [FieldVector.from_ints(FR, list(column)) for column in zip(*rows)]
    targets = set(targets)
    return {h: c for c, h in zip(candidates, poseidon_many(columns).to_ints()) if h in targets}
