"""Contribution records, the phase-1 transcript file, and verification reports.

A record says what one contribution did, enough to check the chain of contributions
from the records alone (the intermediate states need not be kept):

    index, contributor, kind          "contribution" or "beacon"
    previous_digest, new_digest       hex BLAKE2b-512 digests of the states before and after
    head                              the new state's tau_g1[1], tau_g2[1], alpha_tau_g1[0],
                                      beta_tau_g1[0], beta_g2 (powers.StateHead)
    proofs                            proofs of knowledge of the three secrets tau, alpha,
                                      beta, bound to `challenge(...)`
    seconds                           the measured wall time of the contribution
    beacon                            for the beacon: the public value (hex) and the
                                      iteration exponent n (2^n SHA-256 iterations)
    snarkjs                           optional: what snarkjs's .ptau record of the same
                                      contribution adds to the above, so that an exported
                                      transcript passes `snarkjs powersoftau verify`
                                      (zkwork.ceremony.snarkjs_ptau): the public keys
                                      {"tau" | "alpha" | "beta": {"s_g1", "sx_g1", "spx_g2"}}
                                      (snarkjs's g1_s, g1_sx, g2_spx), "partial_hash" (216
                                      bytes, hex) and "next_challenge" (64 bytes, hex: snarkjs's
                                      running challenge after this contribution, which the next
                                      one's keys are bound to; before the first, it is the hash
                                      of the initial state). The .ptau record's head points,
                                      name (the contributor), type and beacon parameters are
                                      this record's, so they are not repeated.

The transcript is a JSON document:

    {"format": "zkwork-ceremony-phase1", "version": 1, "power": k,
     "initial_digest": hex, "records": [record, ...]}

with points in snarkjs's JSON form (decimal strings, see zkwork.groth16.snarkjs_json).
Reading raises TranscriptFormatError naming the record and the field
(`transcript.records[3].head.tau_g2`, `transcript.records[2].snarkjs.partial_hash`); points
must be on their curve and in the subgroup.

A verification report is a list of Checks (contribution, contributor, check name,
passed, detail), one per check made; `ok` when all passed.
"""
import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from zkwork.ceremony.pok import KnowledgeProof, TranscriptFormatError, point_from_json
from zkwork.ceremony.powers import MAX_POWER, StateHead
from zkwork.curve import G1Point, G2Point
from zkwork.errors import EncodingError
from zkwork.formats.ptau_file import (
    BEACON,
    CHALLENGE_BYTES,
    CONTRIBUTION,
    PARTIAL_HASH_BYTES,
    SECRETS,
    PtauContribution,
    PtauKey,
)
from zkwork.groth16.snarkjs_json import g1_to_json, g2_to_json, read_json
from zkwork.json_fields import JsonFields

FIELDS = JsonFields(TranscriptFormatError)  # the readers of a transcript's fields

FORMAT = "zkwork-ceremony-phase1"
VERSION = 1
KINDS = ("contribution", "beacon")
CHALLENGE_TAG = b"zkwork/ceremony/phase1/challenge/v1"
MAX_ITERATIONS_EXPONENT = 63  # as snarkjs's beacon (its command line takes 10 to 63)
HEAD_POINTS = (
    ("tau_g1", G1Point), ("tau_g2", G2Point), ("alpha_g1", G1Point), ("beta_g1", G1Point), ("beta_g2", G2Point),
)


def challenge(previous_digest: bytes, index: int, contributor: str, secret: str) -> bytes:
    """What the proof of knowledge of `secret` ("tau", "alpha" or "beta") of contribution
    `index` by `contributor` is bound to: the digest of the state it starts from, its
    position, its author and the secret's name, each length-prefixed so that no two
    distinct tuples give the same bytes."""
    parts = [bytes(previous_digest), index.to_bytes(4, "big"), contributor.encode(), secret.encode()]
    return CHALLENGE_TAG + b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def record_challenge(previous_digest: str, index: int, contributor: str, secret: str) -> bytes:
    """`challenge` for a record holding its previous digest as hex. A digest that is not hex
    (only possible for a record built in memory) gives a challenge no honest proof is bound to."""
    try:
        previous = bytes.fromhex(previous_digest)
    except ValueError:
        previous = previous_digest.encode()
    return challenge(previous, index, contributor, secret)


@dataclass(frozen=True)
class Beacon:
    """A public random value (e.g. a future block hash) and the exponent n of the 2^n
    SHA-256 iterations that slow down anyone trying to bias it."""

    value: bytes
    iterations_exponent: int

    def to_json(self):
        """The beacon as a JSON object: the value as hex and the iterations exponent."""
        return {"value": self.value.hex(), "iterations_exponent": self.iterations_exponent}

    @classmethod
    def from_json(cls, data, where):
        """The beacon a to_json object encodes; TranscriptFormatError naming `where` and the field otherwise."""
        FIELDS.object(data, where)
        value = FIELDS.hex(FIELDS.field(data, "value", where), f"{where}.value")
        exponent = FIELDS.field(data, "iterations_exponent", where)
        exponent = FIELDS.int(exponent, f"{where}.iterations_exponent", MAX_ITERATIONS_EXPONENT)
        return cls(value=value, iterations_exponent=exponent)


def snarkjs_record(head, name, beacon, keys, partial_hash, next_challenge) -> PtauContribution:
    """The .ptau record of a contribution that produced the state of head points `head`
    (a StateHead): named `name`, snarkjs's beacon if `beacon` (a Beacon) is given, with
    the public keys `keys` ({secret name: PtauKey}) and snarkjs's two hashes.
    EncodingError if a .ptau cannot hold the name or the beacon value (255 bytes each)."""
    return PtauContribution(
        tau_g1=head.tau_g1, tau_g2=head.tau_g2, alpha_g1=head.alpha_g1, beta_g1=head.beta_g1, beta_g2=head.beta_g2,
        **{f"{secret}_key": keys[secret] for secret in SECRETS}, partial_hash=partial_hash,
        next_challenge=next_challenge, kind=CONTRIBUTION if beacon is None else BEACON, name=name,
        iterations_exponent=None if beacon is None else beacon.iterations_exponent,
        beacon_hash=None if beacon is None else beacon.value,
    )


def _snarkjs_to_json(contribution):
    keys = {secret: KnowledgeProof(*contribution.key(secret)).to_json() for secret in SECRETS}
    return {"keys": keys, "partial_hash": contribution.partial_hash.hex(),
            "next_challenge": contribution.next_challenge.hex()}


def _snarkjs_from_json(data, where, head, contributor, beacon):
    FIELDS.object(data, where)
    keys = FIELDS.object(FIELDS.field(data, "keys", where), f"{where}.keys")
    proofs = {secret: KnowledgeProof.from_json(FIELDS.field(keys, secret, f"{where}.keys"), f"{where}.keys.{secret}")
              for secret in SECRETS}
    hashes = {}
    for name, size in (("partial_hash", PARTIAL_HASH_BYTES), ("next_challenge", CHALLENGE_BYTES)):
        hashes[name] = FIELDS.hex(FIELDS.field(data, name, where), f"{where}.{name}")
        if len(hashes[name]) != size:
            raise TranscriptFormatError(f"{where}.{name}: expected {size} bytes, got {len(hashes[name])}")
    keys = {secret: PtauKey(proof.s_g1, proof.sx_g1, proof.spx_g2) for secret, proof in proofs.items()}
    try:
        return snarkjs_record(head, contributor, beacon, keys, **hashes)
    except EncodingError as error:
        raise TranscriptFormatError(f"{where}: {error}") from error


@dataclass(frozen=True)
class ContributionRecord:
    """One contribution (or the beacon); see the module docstring."""

    index: int
    contributor: str
    kind: str
    previous_digest: str
    new_digest: str
    head: StateHead
    proofs: dict  # secret name -> KnowledgeProof
    seconds: float
    beacon: Beacon | None = None
    snarkjs: PtauContribution | None = None  # see the module docstring

    def challenge(self, secret: str) -> bytes:
        """The challenge this record's proof for `secret` should be bound to. A digest that
        is not hex (only possible for a record built in memory) gives a challenge no
        honest proof is bound to."""
        return record_challenge(self.previous_digest, self.index, self.contributor, secret)

    def to_json(self) -> dict:
        """The record as a JSON object; its beacon and snarkjs fields only when it has them."""
        head = self.head
        data = {
            "index": self.index,
            "contributor": self.contributor,
            "kind": self.kind,
            "previous_digest": self.previous_digest,
            "new_digest": self.new_digest,
            "head": {
                name: (g1_to_json if cls is G1Point else g2_to_json)(getattr(head, name)) for name, cls in HEAD_POINTS
            },
            "proofs": {name: self.proofs[name].to_json() for name in SECRETS},
            "seconds": self.seconds,
        }
        if self.beacon is not None:
            data["beacon"] = self.beacon.to_json()
        if self.snarkjs is not None:
            data["snarkjs"] = _snarkjs_to_json(self.snarkjs)
        return data

    @classmethod
    def from_json(cls, data, where) -> "ContributionRecord":
        """The record a to_json object encodes; TranscriptFormatError naming `where` and the field otherwise."""
        kind, beacon, contributor, seconds, head, proofs = record_fields(data, where)
        head = StateHead(**{name: point_from_json(cls_, head, name, f"{where}.head") for name, cls_ in HEAD_POINTS})
        snarkjs = None
        if "snarkjs" in data:
            snarkjs = _snarkjs_from_json(data["snarkjs"], f"{where}.snarkjs", head, contributor, beacon)
        return cls(
            index=FIELDS.int(FIELDS.field(data, "index", where), f"{where}.index", 2**32 - 1),
            contributor=contributor,
            kind=kind,
            previous_digest=read_digest(FIELDS.field(data, "previous_digest", where), f"{where}.previous_digest"),
            new_digest=read_digest(FIELDS.field(data, "new_digest", where), f"{where}.new_digest"),
            head=head,
            proofs={
                name: KnowledgeProof.from_json(FIELDS.field(proofs, name, f"{where}.proofs"), f"{where}.proofs.{name}")
                for name in SECRETS
            },
            seconds=float(seconds),
            beacon=beacon,
            snarkjs=snarkjs,
        )


@dataclass
class Transcript:
    """Every record of phase 1 in order, from the initial state of `power`."""

    power: int
    initial_digest: str
    records: list = field(default_factory=list)

    def to_json(self) -> dict:
        """The transcript as a JSON object: format, version, power, initial digest and records."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "power": self.power,
            "initial_digest": self.initial_digest,
            "records": [record.to_json() for record in self.records],
        }

    @classmethod
    def from_json(cls, data, where="transcript") -> "Transcript":
        """The transcript a to_json object encodes; TranscriptFormatError naming `where` otherwise."""
        FIELDS.object(data, where)
        if data.get("format") != FORMAT:
            raise TranscriptFormatError(f"{where}.format: expected {FORMAT!r}, got {data.get('format')!r}"[:200])
        if type(data.get("version")) is not int or data["version"] != VERSION:  # not true, not 1.0
            raise TranscriptFormatError(f"{where}.version: version {data.get('version')!r} is not supported")
        records = FIELDS.field(data, "records", where)
        if not isinstance(records, list):
            raise TranscriptFormatError(f"{where}.records: expected a list")
        return cls(
            power=FIELDS.int(FIELDS.field(data, "power", where), f"{where}.power", MAX_POWER),
            initial_digest=read_digest(FIELDS.field(data, "initial_digest", where), f"{where}.initial_digest"),
            records=[ContributionRecord.from_json(r, f"{where}.records[{i}]") for i, r in enumerate(records)],
        )

    def write(self, path):
        """Write the transcript to `path` as indented JSON."""
        Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n")

    @classmethod
    def read(cls, path) -> "Transcript":
        """Read a transcript file; TranscriptFormatError naming the file, record and field."""
        return cls.from_json(read_json(path, TranscriptFormatError), where=str(path))


# -- verification reports ------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One check of a verification: `contribution` is the record's position in the
    transcript, or "initial" / "final" for checks of the initial and final states."""

    contribution: int | str
    contributor: str
    check: str
    passed: bool
    detail: str = ""


@dataclass
class VerificationReport:
    """The checks of one verification, in order."""
    checks: list = field(default_factory=list)

    def add(self, contribution, contributor, check, passed, detail=""):
        """Record one check, `passed` taken as a bool."""
        self.checks.append(Check(contribution, contributor, check, bool(passed), detail))

    @property
    def ok(self) -> bool:
        """Whether there is at least one check and every check passed."""
        return bool(self.checks) and all(c.passed for c in self.checks)

    def failures(self) -> list:
        """The checks that failed, in order."""
        return [c for c in self.checks if not c.passed]

    def failed(self) -> set:
        """{(contribution, check name)} of every failed check."""
        return {(c.contribution, c.check) for c in self.failures()}

    def records(self) -> list:
        """One JSON object per check, with Check's fields."""
        return [asdict(c) for c in self.checks]

    def table(self):
        """A pandas DataFrame with one row per check (`records`; the command line uses those:
        importing pandas is a tenth of a fresh `zkwork zkey verify`)."""
        import pandas as pd

        return pd.DataFrame(self.records(), columns=[f.name for f in fields(Check)])

    def __str__(self):
        failures = self.failures()
        lines = [f"{len(self.checks)} checks, {len(failures)} failed: {'OK' if self.ok else 'REJECTED'}"]
        lines += [f"  {c.contribution!s:>8}  {c.contributor:<16}  {c.check:<22}  FAILED  {c.detail}" for c in failures]
        return "\n".join(lines)


def contributors(records) -> list:
    """The distinct names of the records' contributors other than the beacon, in order."""
    names = [getattr(r, "contributor", None) for r in records if getattr(r, "kind", None) != "beacon"]
    return list(dict.fromkeys(name for name in names if isinstance(name, str)))


def check_contributors(check, records, minimum):
    """The check "contributors" of `records` (check_contributor_count of their distinct
    contributors besides the beacon)."""
    return check_contributor_count(check, len(contributors(records)), minimum)


def check_contributor_count(check, count, minimum):
    """The check "contributors": at least `minimum` (at least 1) distinct contributors
    besides the beacon, of whom there are `count`. With none, every secret is public (phase
    1's come from the beacon value, phase 2's delta is 1 = gamma, with which anyone forges
    proofs)."""
    return check("contributors", lambda: count >= max(1, minimum),
                 f"{count} distinct contributors besides the beacon, at least {max(1, minimum)} required "
                 f"(--min-contributors); without one, the secrets are public and proofs can be forged")


# -- JSON field readers ----------------------------------------------------------------------
def record_fields(data, where):
    """(kind, beacon, contributor, seconds, head, proofs) of a phase-1 record's JSON object, each checked; TranscriptFormatError naming `where` and the field."""
    FIELDS.object(data, where)
    kind = FIELDS.field(data, "kind", where)
    if kind not in KINDS:
        raise TranscriptFormatError(f"{where}.kind: expected one of {KINDS}, got {kind!r}"[:200])
    beacon = None
    if kind == "beacon":
        beacon = Beacon.from_json(FIELDS.field(data, "beacon", where), f"{where}.beacon")
    elif "beacon" in data:
        raise TranscriptFormatError(f"{where}.beacon: only a record of kind 'beacon' has a beacon")
    contributor = FIELDS.field(data, "contributor", where)
    if not isinstance(contributor, str):
        raise TranscriptFormatError(f"{where}.contributor: expected a string, got {contributor!r}"[:200])
    seconds = FIELDS.field(data, "seconds", where)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds < math.inf:
        raise TranscriptFormatError(f"{where}.seconds: expected a non-negative number, got {seconds!r}"[:200])
    head = FIELDS.object(FIELDS.field(data, "head", where), f"{where}.head")
    proofs = FIELDS.object(FIELDS.field(data, "proofs", where), f"{where}.proofs")
    return kind, beacon, contributor, seconds, head, proofs


def check_format(data, path, expected, versions=(VERSION,)):
    """`data`, checked to be a JSON object of format `expected` and one of `versions`;
    TranscriptFormatError naming `path` otherwise."""
    FIELDS.object(data, str(path))
    version = data.get("version")
    if data.get("format") != expected or type(version) is not int or version not in versions:
        wanted = " or ".join(map(str, versions))
        raise TranscriptFormatError(f"{path}: expected format {expected!r} version {wanted}, got "
                                    f"{data.get('format')!r} version {version!r}"[:300])
    return data


def read_digest(value, where):
    """A BLAKE2b-512 digest of a record: 64 bytes as 128 hex digits, lower-cased."""
    FIELDS.hex(value, where, 64)
    return value.lower()
