"""A ceremony as a directory that contributors pass on, one after another, and that anyone
verifies once it is published:

    DIR/ceremony.json                 format, power
    DIR/phase1/state/                 the current powers of tau (PowersOfTau.write)
    DIR/phase1/transcript.json        every phase-1 record in order (records.Transcript)
    DIR/phase2/<circuit>/             one directory per circuit, as `zkwork setup` writes it
                                      (circuit.json, proving_key/, verification_key.json),
                                      so `zkwork prove` takes it as it is, plus
    DIR/phase2/<circuit>/transcript.json   its delta records in order

Phase 1 is open until its beacon; phase 2 of a circuit starts from the sealed phase 1 and
is open until its own beacon. Every step rewrites the files it changes through a temporary
name and a rename, so an interrupted step leaves the previous state intact.
`verify_transcript` checks ceremony.json and the phase-1 transcript against the final
powers, and every entry under phase2/ as a circuit directory (phase2_files.verify_circuit:
its transcript against keys recomputed from the final powers and the pattern's constraint
system, and every file a prover or verifier uses against what the transcript derives). A
file of a published ceremony that cannot be read is a failed check naming it; only a
directory without a readable ceremony.json raises (it is not a ceremony). It reports the
number of distinct contributors of each phase against the production guide's ten.
"""
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import zkwork.ceremony.phase1 as phase1
import zkwork.ceremony.phase2 as phase2
from zkwork.ceremony.beacon_limits import (
    DEFAULT_MAX_EXPONENT,
    DEFAULT_TIME_BUDGET,
    BeaconLimits,
    LimitError,
    require_exponent,
)
from zkwork.ceremony.consistency import Checker
from zkwork.ceremony.phase2_files import (
    TRANSCRIPT,
    circuit_name,
    read_checked,
    read_transcript,
    transcript_json,
    verify_circuit,
)
from zkwork.ceremony.powers import PowersOfTau
from zkwork.ceremony.records import FIELDS, Transcript, VerificationReport, check_format, contributors
from zkwork.ceremony.snarkjs_ptau import export_transcript_ptau, transcript_challenge
from zkwork.errors import JsonFormatError, ZkworkError
from zkwork.workspace import read_circuit_dir, write_circuit_dir
from zkwork.groth16.snarkjs_json import read_json

FORMAT = "zkwork-ceremony"
VERSION = 1
HEADER_FIELDS = {"format", "version", "power"}
# shared/seed/production-migration.md: "Multi-party ceremony with >= 10 contributors".
GUIDE_CONTRIBUTORS = 10


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
    state.write(directory / "phase1" / "state")
    transcript.write(directory / "phase1" / "transcript.json")
    _write_json(directory / "ceremony.json", {"format": FORMAT, "version": VERSION, "power": power})
    return directory


def _header(directory):
    path = Path(directory) / "ceremony.json"
    try:
        header = read_json(path)
    except JsonFormatError as error:
        raise CeremonyStateError(f"not a ceremony directory: {error}") from error
    check_format(header, path, FORMAT)
    FIELDS.int(FIELDS.field(header, "power", str(path)), f"{path}.power", 28)
    return header


def read_phase1(directory):
    """(state, transcript) of phase 1, validated as they are read."""
    directory = Path(directory)
    _header(directory)
    return PowersOfTau.read(directory / "phase1" / "state"), Transcript.read(directory / "phase1" / "transcript.json")


def _sealed(transcript):
    return bool(transcript.records) and transcript.records[-1].kind == "beacon"


def _append_phase1(directory, step):
    state, transcript = read_phase1(directory)
    if _sealed(transcript):
        raise CeremonyStateError(f"{directory}: phase 1 is sealed by its beacon; no more contributions")
    # The record also carries snarkjs's form of the contribution, bound to snarkjs's running
    # challenge, so that the ceremony exports as a .ptau snarkjs verifies.
    state, record = step(state, len(transcript.records), transcript_challenge(transcript))
    transcript.records.append(record)
    _replace_directory(Path(directory) / "phase1" / "state", state.write)
    transcript.write(Path(directory) / "phase1" / "transcript.json")
    return record


def contribute(directory, contributor):
    """`contributor`'s phase-1 contribution, with fresh secrets that never leave the call."""
    return _append_phase1(directory, lambda state, index, challenge: phase1.contribute(
        state, contributor, index, previous_challenge=challenge))


def beacon(directory, value: bytes, iterations_exponent, max_beacon_exponent=DEFAULT_MAX_EXPONENT):
    """Seals phase 1 with the beacon of the public `value`; LimitError, before iterating,
    for an exponent above `max_beacon_exponent` (beacon_limits)."""
    require_exponent(iterations_exponent, max_beacon_exponent)
    return _append_phase1(directory, lambda state, index, challenge: phase1.apply_beacon(
        state, value, iterations_exponent, index, previous_challenge=challenge))


def export_ptau(directory, path):
    """The ceremony's phase 1 as a snarkjs .ptau (`snarkjs powersoftau verify` accepts it,
    `snarkjs powersoftau prepare phase2` and `groth16 setup` use it)."""
    state, transcript = read_phase1(directory)
    export_transcript_ptau(state, transcript, path)


# -- phase 2 -------------------------------------------------------------------------------
def read_phase2(circuit_dir):
    """(pattern, proving key, records) of a circuit's phase 2."""
    circuit_dir = Path(circuit_dir)
    records, _ = read_transcript(circuit_dir / TRANSCRIPT)
    pattern, pk = read_circuit_dir(circuit_dir)
    return pattern, pk, records


def phase2_init(directory, pattern):
    """Phase 2 of `pattern`'s circuit: its initial keys from the sealed phase 1."""
    state, transcript = read_phase1(directory)
    if not _sealed(transcript):
        raise CeremonyStateError(f"{directory}: phase 1 is not sealed by a beacon yet; run the beacon first")
    r1cs = pattern.build()
    pk = phase2.initial_keys(state, r1cs)
    circuit_dir = Path(directory) / "phase2" / circuit_name(pattern)
    if circuit_dir.exists():
        raise CeremonyStateError(f"{circuit_dir} exists: phase 2 of this circuit has started")
    write_circuit_dir(circuit_dir, pattern, r1cs, pk)
    _write_json(circuit_dir / TRANSCRIPT, transcript_json([], pattern))
    return circuit_dir


def _append_phase2(directory, circuit, step):
    circuit_dir = Path(directory) / "phase2" / circuit
    pattern, pk, records = read_phase2(circuit_dir)
    if records and records[-1].kind == "beacon":
        raise CeremonyStateError(f"{circuit_dir}: phase 2 is sealed by its beacon; no more contributions")
    pk, record = step(pk, len(records))
    records.append(record)
    _replace_directory(circuit_dir, lambda new: write_circuit_dir(new, pattern, pattern.build(), pk))
    _write_json(circuit_dir / TRANSCRIPT, transcript_json(records, pattern))
    return record


def phase2_contribute(directory, circuit, contributor):
    """`contributor`'s delta contribution to the phase 2 of `circuit` (a directory name)."""
    return _append_phase2(directory, circuit, lambda pk, index: phase2.contribute(pk, contributor, index))


def phase2_beacon(directory, circuit, value: bytes, iterations_exponent, max_beacon_exponent=DEFAULT_MAX_EXPONENT):
    """Seals the phase 2 of `circuit` with the beacon of the public `value`; LimitError as
    for `beacon`."""
    require_exponent(iterations_exponent, max_beacon_exponent)
    return _append_phase2(directory, circuit,
                          lambda pk, index: phase2.beacon(pk, value, iterations_exponent, index))


def circuits(directory):
    """The names of every entry under phase2/, sorted: each must be a circuit's phase 2
    (verify_transcript fails the others, by name), so none is skipped unverified."""
    root = Path(directory) / "phase2"
    return sorted(path.name for path in root.iterdir()) if root.is_dir() else []


# -- verification --------------------------------------------------------------------------
@dataclass
class CeremonyVerification:
    """The verification report of phase 1 and of each circuit's phase 2, with the number of
    distinct contributors of each (None where the transcript could not be read)."""

    reports: dict = field(default_factory=dict)  # "phase1" or circuit name -> VerificationReport
    contributors: dict = field(default_factory=dict)  # the same keys -> int or None

    @property
    def ok(self):
        """Whether there is at least one report and every report passed."""
        return bool(self.reports) and all(report.ok for report in self.reports.values())

    def table(self):
        """A pandas DataFrame with one row per check of every report, with its `stage` column."""
        import pandas as pd

        return pd.concat([report.table().assign(stage=stage) for stage, report in self.reports.items()],
                         ignore_index=True)

    def contributor_lines(self):
        """One line per phase: its contributors against the guide's GUIDE_CONTRIBUTORS."""
        lines = []
        for stage, count in self.contributors.items():
            name = "phase 1" if stage == "phase1" else f"phase 2 {stage}"
            if count is None:
                lines.append(f"{name}: contributors unknown (its transcript did not read)")
            else:
                warning = "WARNING: " if count < GUIDE_CONTRIBUTORS else ""
                lines.append(f"{warning}{name}: {count} contributors (the guide asks for >= {GUIDE_CONTRIBUTORS})")
        return lines

    def __str__(self):
        return "\n".join([f"{stage}: {report}" for stage, report in self.reports.items()] + self.contributor_lines())


def _verify_phase1(directory, header, require_sealed, min_contributors, limits):
    """(report, contributors or None, final state or None) of phase 1 and ceremony.json."""
    directory = Path(directory)
    report = VerificationReport()
    check = Checker(report, "files", "")
    state = read_checked(check, "read_state", lambda: PowersOfTau.read(directory / "phase1" / "state"))
    transcript = read_checked(check, "read_transcript",
                              lambda: Transcript.read(directory / "phase1" / "transcript.json"))
    check("ceremony_json", lambda: set(header) == HEADER_FIELDS,
          f"{directory / 'ceremony.json'}: fields {sorted(set(header) ^ HEADER_FIELDS)} not those of a ceremony"[:300])
    powers = {"transcript": getattr(transcript, "power", None), "state": getattr(state, "power", None)}
    check("ceremony_power", lambda: all(power in (None, header["power"]) for power in powers.values()),
          f"ceremony.json says power {header['power']}, phase 1 has {powers}")
    if transcript is None:
        return report, None, state
    if state is not None:
        report.checks += phase1.verify_phase1(transcript, state, require_beacon=require_sealed,
                                              min_contributors=min_contributors, limits=limits).checks
    return report, len(contributors(transcript.records)), state


def verify_transcript(directory, require_sealed=True, *, min_contributors=1, max_beacon_exponent=DEFAULT_MAX_EXPONENT,
                      time_budget=DEFAULT_TIME_BUDGET):
    """Checks every contribution of the ceremony in `directory`, from the initial powers to
    every file of each circuit's phase 2 (phase1.verify_phase1, phase2_files.verify_circuit),
    with at least `min_contributors` (>= 1) contributors per phase and the beacons within
    `max_beacon_exponent` and `time_budget` seconds (beacon_limits). A directory without a
    readable ceremony.json raises CeremonyStateError; everything else, files that cannot be
    read included, is checked and reported, never raised."""
    if isinstance(min_contributors, bool) or not isinstance(min_contributors, int) or min_contributors < 1:
        raise LimitError(f"the minimum of contributors is an int >= 1 (with none, proofs can be forged), "
                         f"got {min_contributors!r}")
    limits = BeaconLimits(max_beacon_exponent, time_budget)
    header = _header(directory)
    result = CeremonyVerification()
    report, count, state = _verify_phase1(directory, header, require_sealed, min_contributors, limits)
    result.reports["phase1"], result.contributors["phase1"] = report, count
    root = Path(directory) / "phase2"
    if root.exists() and not root.is_dir():
        result.reports["phase2"] = VerificationReport()
        result.reports["phase2"].add("files", "", "directory", False, f"{root}: not a directory")
    for name in circuits(directory):
        # "phase1" names phase 1's report: an entry of that name under phase2/ must not replace it.
        stage = name if name != "phase1" else "phase2/phase1"
        result.reports[stage], result.contributors[stage] = verify_circuit(
            root / name, state, require_sealed=require_sealed, min_contributors=min_contributors, limits=limits)
    return result
