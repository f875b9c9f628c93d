"""A ceremony as a directory that contributors pass on, one after another, and that anyone
verifies once it is published:

    DIR/ceremony.json                 format, version, power
    DIR/phase1/state/                 the current powers of tau (PowersOfTau.write)
    DIR/phase1/transcript.json        every phase-1 record in order (records.Transcript)
    DIR/phase2/<circuit>/             one directory per circuit: its snarkjs .zkey, whose
                                      section 10 is its MPC transcript, and the files
                                      `zkwork prove` takes (phase2_files)

Phase 1 is open until its beacon; phase 2 of a circuit starts from the sealed phase 1 (as
snarkjs's prepared .ptau, then `zkey new` of the pattern's constraint system) and is open
until its own beacon; its contributions and beacon are snarkjs's `zkey contribute` and `zkey
beacon` (zkey_mpc), so the key is the one `snarkjs zkey verify` accepts. Every step rewrites
the files it changes through a temporary name and a rename, so an interrupted step leaves the
previous state intact.

Format versions (ceremony.json's "version"): 2 is the above. 1 had phase 2 in zkwork's own
transcript (phase2/<circuit>/transcript.json), which this zkwork no longer reads: a version-1
directory with entries under phase2/ is refused by name (V1Error), one without any is read
as it is (phase 1 is the same in both) and becomes version 2 when its first phase 2 starts.

`verify_transcript` checks ceremony.json and the phase-1 transcript against the final
powers, and every entry under phase2/ as a circuit directory (phase2_files.verify_circuit,
against the prepared .ptau of phase 1's final state and the pattern's constraint system,
every file a prover or verifier uses included). A file of a published ceremony that cannot
be read is a failed check naming it; only a directory without a readable ceremony.json, or
of format version 1 with a phase 2, raises. It reports the number of distinct contributors
of each phase against the production guide's ten.
"""
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import zkwork.ceremony.phase1 as phase1
import zkwork.ceremony.zkey_mpc as zkey_mpc
from zkwork.ceremony.beacon_limits import (
    DEFAULT_MAX_EXPONENT,
    DEFAULT_TIME_BUDGET,
    BeaconLimits,
    LimitError,
    require_exponent,
)
from zkwork.ceremony.consistency import Checker
from zkwork.ceremony.phase2_files import ZKEY, circuit_name, read_checked, read_pattern, verify_circuit, write_circuit
from zkwork.ceremony.powers import PowersOfTau
from zkwork.ceremony.prepare_phase2 import prepare_phase2
from zkwork.ceremony.records import FIELDS, Transcript, VerificationReport, check_format, contributors
from zkwork.ceremony.snarkjs_ptau import export_transcript_ptau, transcript_challenge
from zkwork.ceremony.zkey_new import new_zkey
from zkwork.errors import JsonFormatError, ZkworkError
from zkwork.formats import read_zkey, write_r1cs
from zkwork.formats.zkey_file import BEACON
from zkwork.groth16.snarkjs_json import read_json

FORMAT = "zkwork-ceremony"
VERSION = 2
READ_VERSIONS = (1, 2)  # see the module docstring
HEADER_FIELDS = {"format", "version", "power"}
# shared/seed/production-migration.md: "Multi-party ceremony with >= 10 contributors".
GUIDE_CONTRIBUTORS = 10


class CeremonyStateError(ZkworkError):
    """A step that the ceremony's state does not allow (a contribution after the beacon,
    phase 2 before phase 1 is sealed, a directory that is not a ceremony)."""


class V1Error(CeremonyStateError):
    """A ceremony directory of format version 1 with a phase 2, which this zkwork no longer reads."""


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
    check_format(header, path, FORMAT, READ_VERSIONS)
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
def circuits(directory):
    """The names of every entry under phase2/, sorted: each must be a circuit's phase 2
    (verify_transcript fails the others, by name), so none is skipped unverified."""
    root = Path(directory) / "phase2"
    return sorted(path.name for path in root.iterdir()) if root.is_dir() else []


def _refuse_version_1(directory, header):
    """V1Error for a version-1 directory holding a phase 2 (module docstring)."""
    if header["version"] == 1 and circuits(directory):
        raise V1Error(
            f"{directory}: ceremony format version 1, whose phase 2 (phase2/*/transcript.json, zkwork's own "
            f"transcript) this zkwork no longer reads or verifies; verify it with zkwork before format version 2, "
            f"or start phase 2 again in snarkjs's transcript: move {Path(directory) / 'phase2'} aside (phase 1 "
            f"stays valid) and run `zkwork ceremony phase2` for each circuit")


def prepared_ptau(state, transcript, work):
    """The path of phase 1 as snarkjs's prepared .ptau (export, then `powersoftau prepare
    phase2`), written in the directory `work`."""
    work = Path(work)
    export_transcript_ptau(state, transcript, work / "phase1.ptau")
    prepare_phase2(work / "phase1.ptau", work / "prepared.ptau")
    return work / "prepared.ptau"


def phase2_init(directory, pattern):
    """Phase 2 of `pattern`'s circuit: its initial .zkey from the sealed phase 1 (snarkjs's
    `zkey new`); CircuitTooLargeError if the powers do not serve it."""
    header = _header(directory)
    _refuse_version_1(directory, header)
    state, transcript = read_phase1(directory)
    if not _sealed(transcript):
        raise CeremonyStateError(f"{directory}: phase 1 is not sealed by a beacon yet; run the beacon first")
    circuit_dir = Path(directory) / "phase2" / circuit_name(pattern)
    if circuit_dir.exists():
        raise CeremonyStateError(f"{circuit_dir} exists: phase 2 of this circuit has started")
    r1cs = pattern.build()
    with tempfile.TemporaryDirectory(prefix="zkwork-phase2-") as work:
        work = Path(work)
        write_r1cs(r1cs, work / "circuit.r1cs")
        new_zkey(work / "circuit.r1cs", prepared_ptau(state, transcript, work), work / ZKEY)
        circuit_dir.parent.mkdir(exist_ok=True)
        _replace_directory(circuit_dir, lambda new: write_circuit(new, pattern, r1cs, work / ZKEY))
    if header["version"] != VERSION:
        _write_json(Path(directory) / "ceremony.json", {**header, "version": VERSION})
    return circuit_dir


def _append_phase2(directory, circuit, step):
    """(position, record) of the contribution `step(in_path, out_path)` makes to the circuit's key."""
    _refuse_version_1(directory, _header(directory))
    circuit_dir = Path(directory) / "phase2" / circuit
    pattern = read_pattern(circuit_dir)
    records = zkey_mpc.read_mpc(read_zkey(circuit_dir / ZKEY)).contributions
    if records and records[-1].kind == BEACON:
        raise CeremonyStateError(f"{circuit_dir}: phase 2 is sealed by its beacon; no more contributions")
    with tempfile.TemporaryDirectory(prefix="zkwork-phase2-") as work:
        new_key = Path(work) / ZKEY
        record = step(circuit_dir / ZKEY, new_key)
        _replace_directory(circuit_dir, lambda new: write_circuit(new, pattern, pattern.build(), new_key))
    return len(records), record


def phase2_contribute(directory, circuit, contributor, entropy=""):
    """(position, record) of `contributor`'s contribution to the phase 2 of `circuit` (a
    directory name): snarkjs's `zkey contribute`, fresh randomness mixed with `entropy`."""
    return _append_phase2(directory, circuit, lambda old, new: zkey_mpc.contribute(
        old, new, name=contributor, entropy=entropy))


def phase2_beacon(directory, circuit, value: bytes, iterations_exponent, max_beacon_exponent=DEFAULT_MAX_EXPONENT,
                  name="beacon"):
    """(position, record) of the beacon sealing the phase 2 of `circuit`: snarkjs's `zkey
    beacon` of the public `value` (BeaconError for what snarkjs refuses: 1 to 255 bytes,
    exponent 10 to 63), LimitError as for `beacon`."""
    return _append_phase2(directory, circuit, lambda old, new: zkey_mpc.beacon(
        old, new, value.hex(), iterations_exponent, name=name, max_exponent=max_beacon_exponent))


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

    def records(self):
        """One JSON object per check of every report (VerificationReport.records), with its `stage`."""
        return [{**record, "stage": stage} for stage, report in self.reports.items() for record in report.records()]

    def table(self):
        """A pandas DataFrame with one row per check of every report, with its `stage` column."""
        import pandas as pd

        return pd.DataFrame(self.records())

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
    """(report, contributors or None, final state or None, transcript or None) of phase 1 and
    ceremony.json."""
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
        return report, None, state, None
    if state is not None:
        report.checks += phase1.verify_phase1(transcript, state, require_beacon=require_sealed,
                                              min_contributors=min_contributors, limits=limits).checks
    return report, len(contributors(transcript.records)), state, transcript


def verify_transcript(directory, require_sealed=True, *, min_contributors=1, max_beacon_exponent=DEFAULT_MAX_EXPONENT,
                      time_budget=DEFAULT_TIME_BUDGET):
    """Checks every contribution of the ceremony in `directory`, from the initial powers to
    every file of each circuit's phase 2 (phase1.verify_phase1, phase2_files.verify_circuit),
    with at least `min_contributors` (>= 1) contributors per phase and the beacons within
    `max_beacon_exponent` and `time_budget` seconds (beacon_limits). A directory without a
    readable ceremony.json raises CeremonyStateError, one of format version 1 with a phase 2
    V1Error; everything else, files that cannot be
    read included, is checked and reported, never raised."""
    if isinstance(min_contributors, bool) or not isinstance(min_contributors, int) or min_contributors < 1:
        raise LimitError(f"the minimum of contributors is an int >= 1 (with none, proofs can be forged), "
                         f"got {min_contributors!r}")
    limits = BeaconLimits(max_beacon_exponent, time_budget)
    header = _header(directory)
    _refuse_version_1(directory, header)
    result = CeremonyVerification()
    report, count, state, transcript = _verify_phase1(directory, header, require_sealed, min_contributors, limits)
    result.reports["phase1"], result.contributors["phase1"] = report, count
    root = Path(directory) / "phase2"
    if root.exists() and not root.is_dir():
        result.reports["phase2"] = VerificationReport()
        result.reports["phase2"].add("files", "", "directory", False, f"{root}: not a directory")
    names = circuits(directory)
    with tempfile.TemporaryDirectory(prefix="zkwork-ceremony-verify-") as work:
        prepared = None
        if names and state is not None and transcript is not None:
            # The initial keys of phase 2 come from phase 1's final state, not from a published copy.
            prepared = read_checked(Checker(report, "files", ""), "prepared_ptau",
                                    lambda: prepared_ptau(state, transcript, work))
        for name in names:
            # "phase1" names phase 1's report: an entry of that name under phase2/ must not replace it.
            stage = name if name != "phase1" else "phase2/phase1"
            result.reports[stage], result.contributors[stage] = verify_circuit(
                root / name, prepared, require_sealed=require_sealed, min_contributors=min_contributors,
                limits=limits)
    return result
