"""A circuit's phase-2 directory in a ceremony: its transcript file, and the verification of
every file a prover or a verifier takes from it.

The transcript, DIR/phase2/<circuit>/transcript.json:

    {"format": "zkwork-ceremony-phase2", "version": 1,
     "circuit": {"pattern", "variant", "params"},      (written since the circuit was
                                                        recorded; optional when read)
     "records": [record, ...]}                         (phase2.Phase2Record's JSON)

The circuit's identity is recorded for the reader's sake and cross-checked, without a new
version: what binds the transcript to the circuit is the QAP inside every key digest the
records chain (phase2.key_digest), which the contributors' proofs of knowledge are bound
to; the identity is a claim nobody signs, like circuit.json's, so transcripts without it
(the first published ones) are read as they are.

`verify_circuit` reports, as checks of contribution "files":
    directory               the entry under phase2/ is a directory (not a link, not a file)
    read_transcript, read_circuit_json, read_proving_key, read_verification_key
                            each file reads (the detail names the file and the error)
    circuit_pattern         circuit.json names a known pattern, variant and parameters
    circuit_name            the directory is named after that circuit (circuit_name), so
                            the circuit a prover picks by name is the one verified
    circuit_json            circuit.json is exactly what that pattern writes (its identity
                            and constraint counts)
    transcript_circuit      the circuit the transcript names, if any, is circuit.json's
    phase1                  phase 1's final state was read (the initial keys derive from it)
then, from the initial keys of the pattern's constraint system and phase 1's final state,
phase2.verify_from_initial's checks of the records and of the proving key (every point
and array the prover uses), and as checks of contribution "final":
    verification_key_json   verification_key.json is exactly the snarkjs JSON of the key
                            the transcript derives: the initial key's alpha_1, beta_2,
                            gamma_2 and IC with the last record's delta_2
    header_vk               likewise the vk in proving_key/header.json
    beacon_last             (when sealed is required) the last record is the beacon.
Nothing read is trusted as a copy: each file is compared with what the transcript and the
pattern derive. Verification never raises on bad files; it reports them.
"""
import dataclasses
import json
from pathlib import Path

import zkwork.ceremony.phase2 as phase2
from zkwork.ceremony.consistency import BAD_DATA, Checker
from zkwork.ceremony.pok import TranscriptFormatError
from zkwork.ceremony.records import FIELDS, VerificationReport, check_format, contributors
from zkwork.errors import KeyFormatError
from zkwork.groth16.key_files import read_proving_key
from zkwork.groth16.snarkjs_json import read_json, vk_to_json

FORMAT = "zkwork-ceremony-phase2"
TRANSCRIPT = "transcript.json"


def circuit_name(pattern):
    """The directory name of a pattern's phase 2, e.g. membership-hardened-depth20."""
    params = "".join(f"-{key}{value}" for key, value in sorted(pattern.params.items()))
    return f"{pattern.name}-{pattern.variant}{params}"


def circuit_identity(pattern) -> dict:
    """The circuit as the transcript records it: {"pattern", "variant", "params"}."""
    return {"pattern": pattern.name, "variant": pattern.variant, "params": dict(pattern.params)}


def transcript_json(records, pattern) -> dict:
    """The transcript of `pattern`'s phase 2 with `records`."""
    return {"format": FORMAT, "version": 1, "circuit": circuit_identity(pattern),
            "records": [record.to_json() for record in records]}


def read_transcript(path):
    """(records, circuit identity or None) of a phase-2 transcript; TranscriptFormatError
    naming the file, record and field."""
    data = check_format(read_json(path, TranscriptFormatError), path, FORMAT)
    identity = data.get("circuit")
    if identity is not None:
        FIELDS.object(identity, f"{path}.circuit")
    records = FIELDS.field(data, "records", str(path))
    if not isinstance(records, list):
        raise TranscriptFormatError(f"{path}.records: expected a list")
    return [phase2.Phase2Record.from_json(r, f"{path}.records[{i}]") for i, r in enumerate(records)], identity


def pattern_of(description, path):
    """The pattern a circuit.json object describes; KeyFormatError naming `path` otherwise."""
    from zkwork.patterns import get_pattern

    try:
        return get_pattern(description["pattern"], description["variant"], **description["params"])
    except (KeyError, TypeError, ValueError) as error:  # ValueError: patterns.PatternError
        raise KeyFormatError(f"{path}: {error!r}") from error


def circuit_description(pattern, r1cs) -> dict:
    """circuit.json as zkwork.workspace.write_circuit_dir writes it, in its JSON form."""
    return json.loads(json.dumps({**circuit_identity(pattern), **r1cs.stats()}))


def read_checked(check, name, read):
    """read(), or None after the check `name` failed with the error (naming the file)."""
    try:
        value = read()
    except (*BAD_DATA, OSError) as error:
        check(name, lambda: False, f"{type(error).__name__}: {error}")
        return None
    check(name, lambda: True)
    return value


def _differences(actual, expected):
    """Which top-level fields of a JSON object differ from the expected one's."""
    if not isinstance(actual, dict):
        return f"it is a {type(actual).__name__}, not a JSON object"
    names = sorted(key for key in actual.keys() | expected.keys() if actual.get(key) != expected.get(key))
    return ", ".join(names)[:300]


def verify_circuit(directory, state, *, require_sealed=True, min_contributors=1, limits=None):
    """(report, number of distinct contributors or None if the transcript did not read) of
    the circuit directory against phase 1's final `state` (None if it could not be read);
    see the module docstring."""
    directory = Path(directory)
    report = VerificationReport()
    check = Checker(report, "files", "")
    if not check("directory", lambda: directory.is_dir() and not directory.is_symlink(),
                 f"{directory}: not a circuit directory (one holding {TRANSCRIPT}, circuit.json, proving_key/ "
                 f"and verification_key.json); a published ceremony holds nothing else under phase2/"):
        return report, None
    circuit_json, vk_path = directory / "circuit.json", directory / "verification_key.json"
    transcript = read_checked(check, "read_transcript", lambda: read_transcript(directory / TRANSCRIPT))
    description = read_checked(check, "read_circuit_json", lambda: read_json(circuit_json, KeyFormatError))
    pk = read_checked(check, "read_proving_key", lambda: read_proving_key(directory / "proving_key"))
    vk_json = read_checked(check, "read_verification_key", lambda: read_json(vk_path, KeyFormatError))
    pattern = None if description is None else read_checked(check, "circuit_pattern",
                                                     lambda: pattern_of(description, circuit_json))
    r1cs = None
    if pattern is not None:
        r1cs = pattern.build()
        check("circuit_name", lambda: directory.name == circuit_name(pattern),
              f"{circuit_json} describes {circuit_name(pattern)}, in the directory {directory.name}")
        expected = circuit_description(pattern, r1cs)
        check("circuit_json", lambda: description == expected,
              f"{circuit_json}: {_differences(description, expected)} not what {circuit_name(pattern)} gives")
        if transcript is not None and transcript[1] is not None:
            check("transcript_circuit", lambda: transcript[1] == circuit_identity(pattern),
                  f"{directory / TRANSCRIPT} is the transcript of {transcript[1]!r}"[:300] +
                  f", circuit.json describes {circuit_name(pattern)}")
    check("phase1", lambda: state is not None, "phase 1's final state could not be read (see phase1's checks); "
                                                "the initial keys derive from it")
    count = None if transcript is None else len(contributors(transcript[0]))
    if any(part is None for part in (transcript, r1cs, pk, vk_json, state)):
        return report, count
    initial = read_checked(Checker(report, "initial", ""), "initial_keys", lambda: phase2.initial_keys(state, r1cs))
    if initial is None:
        return report, count
    records = transcript[0]
    phase2.verify_from_initial(initial, records, pk, min_contributors=min_contributors, limits=limits, report=report)
    last = records[-1] if records else None
    vk = dataclasses.replace(initial.vk, delta_2=last.delta_2) if last else initial.vk
    expected_vk = vk_to_json(vk)
    final = Checker(report, "final", last.contributor if last else "initial")
    derived = "the key the transcript derives (the initial alpha_1, beta_2, gamma_2, IC; the last record's delta_2)"
    final("verification_key_json", lambda: vk_json == expected_vk,
          f"{vk_path}: {_differences(vk_json, expected_vk)} not those of {derived}")
    header_path = directory / "proving_key" / "header.json"
    final("header_vk", lambda: read_json(header_path, KeyFormatError)["vk"] == expected_vk,
          f"{header_path}: its vk is not {derived}")
    if require_sealed:
        final("beacon_last", lambda: last is not None and last.kind == "beacon", "the last record is not the beacon")
    return report, count
