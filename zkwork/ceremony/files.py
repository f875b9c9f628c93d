"""A ceremony as a directory that contributors pass on, one after another, and that anyone
verifies once it is published:

    DIR/ceremony.json                 format, power
    DIR/phase1/state/                 the current powers of tau (PowersOfTau.save)
    DIR/phase1/transcript.json        every phase-1 record in order (records.Transcript)
    DIR/phase2/<circuit>/             one directory per circuit, as `zkwork setup` writes it
                                      (circuit.json, proving_key/, verification_key.json),
                                      so `zkwork prove` takes it as it is, plus
    DIR/phase2/<circuit>/transcript.json   its delta records in order

Phase 1 is open until its beacon; phase 2 of a circuit starts from the sealed phase 1 and
is open until its own beacon. Every step rewrites the files it changes through a temporary
name and a rename, so an interrupted step leaves the previous state intact.
`verify_transcript` checks the phase-1 transcript against the final powers and each
circuit's transcript against its keys, recomputing each circuit's initial keys from the
final powers and the pattern's constraint system.
"""
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from zkwork.ceremony import phase1, phase2
from zkwork.ceremony.pok import TranscriptFormatError
from zkwork.ceremony.powers import PowersOfTau
from zkwork.ceremony.records import Transcript, _expect_object, _get, _int
from zkwork.ceremony.snarkjs_ptau import export_transcript_ptau, transcript_challenge
from zkwork.errors import JsonFormatError, ZkworkError
from zkwork.groth16.files import load_circuit_dir, save_circuit_dir
from zkwork.groth16.snarkjs_json import read_json

FORMAT = "zkwork-ceremony"
PHASE2_FORMAT = "zkwork-ceremony-phase2"
VERSION = 1


class CeremonyStateError(ZkworkError):
    """A step that the ceremony's state does not allow (a contribution after the beacon,
    phase 2 before phase 1 is sealed, a directory that is not a ceremony)."""


def _write_json(path, data):
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(temporary, path)


def _replace_directory(path, write):
    """Write a new version of the directory `path` with `write(new_path)`, then swap it in."""
    new, old = path.with_name(path.name + ".new"), path.with_name(path.name + ".old")
    shutil.rmtree(new, ignore_errors=True)
    write(new)
    if path.exists():
        os.replace(path, old)
    os.replace(new, path)
    shutil.rmtree(old, ignore_errors=True)


def _check_format(data, path, expected):
    _expect_object(data, str(path))
    version = data.get("version")
    if data.get("format") != expected or type(version) is not int or version != VERSION:
        raise TranscriptFormatError(f"{path}: expected format {expected!r} version {VERSION}, got "
                                    f"{data.get('format')!r} version {version!r}"[:300])


def circuit_name(pattern):
    """The directory name of a pattern's phase 2, e.g. membership-hardened-depth20."""
    params = "".join(f"-{key}{value}" for key, value in sorted(pattern.params.items()))
    return f"{pattern.name}-{pattern.variant}{params}"


# -- phase 1 -------------------------------------------------------------------------------
def init(directory, power):
    """A new ceremony for circuits of up to 2^power constraints, in the empty or new
    `directory`."""
    directory = Path(directory)
    if (directory / "ceremony.json").exists():
        raise CeremonyStateError(f"{directory} already holds a ceremony")
    directory.mkdir(parents=True, exist_ok=True)
    state, transcript = phase1.start(power)
    (directory / "phase1").mkdir(exist_ok=True)
    state.save(directory / "phase1" / "state")
    transcript.save(directory / "phase1" / "transcript.json")
    _write_json(directory / "ceremony.json", {"format": FORMAT, "version": VERSION, "power": power})
    return directory


def _header(directory):
    path = Path(directory) / "ceremony.json"
    try:
        header = read_json(path)
    except JsonFormatError as error:
        raise CeremonyStateError(f"not a ceremony directory: {error}") from error
    _check_format(header, path, FORMAT)
    _int(_get(header, "power", str(path)), f"{path}.power", 28)
    return header


def load_phase1(directory):
    """(state, transcript) of phase 1, validated as they are read."""
    directory = Path(directory)
    _header(directory)
    return PowersOfTau.load(directory / "phase1" / "state"), Transcript.load(directory / "phase1" / "transcript.json")


def _sealed(transcript):
    return bool(transcript.records) and transcript.records[-1].kind == "beacon"


def _append_phase1(directory, step):
    state, transcript = load_phase1(directory)
    if _sealed(transcript):
        raise CeremonyStateError(f"{directory}: phase 1 is sealed by its beacon; no more contributions")
    # The record also carries snarkjs's form of the contribution, bound to snarkjs's running
    # challenge, so that the ceremony exports as a .ptau snarkjs verifies.
    state, record = step(state, len(transcript.records), transcript_challenge(transcript))
    transcript.records.append(record)
    _replace_directory(Path(directory) / "phase1" / "state", state.save)
    transcript.save(Path(directory) / "phase1" / "transcript.json")
    return record


def contribute(directory, contributor):
    """`contributor`'s phase-1 contribution, with fresh secrets that never leave the call."""
    return _append_phase1(directory, lambda state, index, challenge: phase1.contribute(
        state, contributor, index, previous_challenge=challenge))


def beacon(directory, value: bytes, iterations_exponent):
    """Seals phase 1 with the beacon of the public `value`."""
    return _append_phase1(directory, lambda state, index, challenge: phase1.apply_beacon(
        state, value, iterations_exponent, index, previous_challenge=challenge))


def export_ptau(directory, path):
    """The ceremony's phase 1 as a snarkjs .ptau (`snarkjs powersoftau verify` accepts it,
    `snarkjs powersoftau prepare phase2` and `groth16 setup` use it)."""
    state, transcript = load_phase1(directory)
    export_transcript_ptau(state, transcript, path)


# -- phase 2 -------------------------------------------------------------------------------
def _phase2_transcript(records):
    return {"format": PHASE2_FORMAT, "version": VERSION, "records": [record.to_json() for record in records]}


def load_phase2(circuit_dir):
    """(pattern, proving key, records) of a circuit's phase 2."""
    circuit_dir = Path(circuit_dir)
    path = circuit_dir / "transcript.json"
    data = read_json(path, TranscriptFormatError)
    _check_format(data, path, PHASE2_FORMAT)
    records = _get(data, "records", str(path))
    if not isinstance(records, list):
        raise TranscriptFormatError(f"{path}.records: expected a list")
    records = [phase2.Phase2Record.from_json(r, f"{path}.records[{i}]") for i, r in enumerate(records)]
    pattern, pk = load_circuit_dir(circuit_dir)
    return pattern, pk, records


def phase2_init(directory, pattern):
    """Phase 2 of `pattern`'s circuit: its initial keys from the sealed phase 1."""
    state, transcript = load_phase1(directory)
    if not _sealed(transcript):
        raise CeremonyStateError(f"{directory}: phase 1 is not sealed by a beacon yet; run the beacon first")
    r1cs = pattern.build()
    pk = phase2.initial_keys(state, r1cs)
    circuit_dir = Path(directory) / "phase2" / circuit_name(pattern)
    if circuit_dir.exists():
        raise CeremonyStateError(f"{circuit_dir} exists: phase 2 of this circuit has started")
    save_circuit_dir(circuit_dir, pattern, r1cs, pk)
    _write_json(circuit_dir / "transcript.json", _phase2_transcript([]))
    return circuit_dir


def _append_phase2(directory, circuit, step):
    circuit_dir = Path(directory) / "phase2" / circuit
    pattern, pk, records = load_phase2(circuit_dir)
    if records and records[-1].kind == "beacon":
        raise CeremonyStateError(f"{circuit_dir}: phase 2 is sealed by its beacon; no more contributions")
    pk, record = step(pk, len(records))
    records.append(record)
    _replace_directory(circuit_dir, lambda new: save_circuit_dir(new, pattern, pattern.build(), pk))
    _write_json(circuit_dir / "transcript.json", _phase2_transcript(records))
    return record


def phase2_contribute(directory, circuit, contributor):
    """`contributor`'s delta contribution to the phase 2 of `circuit` (a directory name)."""
    return _append_phase2(directory, circuit, lambda pk, index: phase2.contribute(pk, contributor, index))


def phase2_beacon(directory, circuit, value: bytes, iterations_exponent):
    return _append_phase2(directory, circuit,
                          lambda pk, index: phase2.beacon(pk, value, iterations_exponent, index))


def circuits(directory):
    """The names of the circuits with a phase 2 in the ceremony, sorted."""
    root = Path(directory) / "phase2"
    return sorted(path.name for path in root.iterdir() if (path / "transcript.json").exists()) if root.exists() else []


# -- verification --------------------------------------------------------------------------
@dataclass
class CeremonyVerification:
    """The verification report of phase 1 and of each circuit's phase 2."""

    reports: dict = field(default_factory=dict)  # "phase1" or circuit name -> VerificationReport

    @property
    def ok(self):
        return bool(self.reports) and all(report.ok for report in self.reports.values())

    def table(self):
        import pandas as pd

        return pd.concat([report.table().assign(stage=stage) for stage, report in self.reports.items()],
                         ignore_index=True)

    def __str__(self):
        return "\n".join(f"{stage}: {report}" for stage, report in self.reports.items())


def verify_transcript(directory, require_sealed=True):
    """Checks every contribution of the ceremony in `directory`, from the initial powers to
    each circuit's final keys (see phase1.verify_phase1 and phase2.verify_phase2). Files that
    cannot be read raise a typed error naming the file; everything read is checked and
    reported, never raised."""
    state, transcript = load_phase1(directory)
    result = CeremonyVerification()
    result.reports["phase1"] = phase1.verify_phase1(transcript, state, require_beacon=require_sealed)
    for circuit in circuits(directory):
        pattern, pk, records = load_phase2(Path(directory) / "phase2" / circuit)
        report = phase2.verify_phase2(state, pattern.build(), records, pk)
        if require_sealed:
            report.add("final", "", "beacon_last", bool(records) and records[-1].kind == "beacon")
        result.reports[circuit] = report
    return result
