"""A circuit's phase-2 directory in a ceremony (format version 2): its snarkjs .zkey, the files
`zkwork prove` takes from it, and the verification of every one of them.

    DIR/phase2/<circuit>/circuit.zkey     the current key, snarkjs's: its section 10 is the
                                          whole MPC transcript (zkey_mpc), so no earlier key
                                          is kept (the initial one, delta = 1, forges proofs)
    DIR/phase2/<circuit>/circuit.r1cs     the pattern's constraint system as circom's .r1cs,
                                          for `snarkjs zkey verify circuit.r1cs ptau circuit.zkey`
    DIR/phase2/<circuit>/circuit.json, proving_key/, verification_key.json, input.json
                                          zkwork.workspace's circuit directory, the proving key
                                          derived from circuit.zkey (phase2.proving_key), so
                                          `zkwork prove` takes the directory as it is

`verify_circuit` reports, as checks of contribution "files":
    directory               the entry under phase2/ is a directory (not a link, not a file)
    read_circuit_json, read_zkey, read_contributions
                            each reads (the detail names the file and the error)
    circuit_pattern         circuit.json names a known pattern, variant and parameters
    circuit_name            the directory is named after that circuit (circuit_name), so
                            the circuit a prover picks by name is the one verified
    circuit_json            circuit.json is exactly what that pattern writes (its identity
                            and constraint counts)
    phase1                  phase 1's prepared .ptau could be derived (the initial key comes
                            from it)
    read_circuit_r1cs, circuit_r1cs
                            circuit.r1cs reads and is byte for byte the pattern's constraint system
then (when phase 1 could be read) zkey_mpc.verify_zkey's checks of circuit.zkey against the
initial key of the pattern's constraint system (written afresh, not read) and of the prepared
.ptau of phase 1's final state, phase2.check_ceremony's, and as checks of contribution "final":
    proving_key_derived     phase2.proving_key takes the .zkey as the circuit's key
    verification_key_json   verification_key.json is exactly the snarkjs JSON of the .zkey's key
    header_vk               likewise the vk in proving_key/header.json
    proving_key             every file of proving_key/ is the one zkwork writes for the key
                            derived from circuit.zkey, and no other is there
(with read_verification_key, read_proving_key_header and read_proving_key, of "files", for
reading them).
Nothing read is trusted as a copy. Verification never raises on bad files; it reports them.
"""
import json
import shutil
import tempfile
from pathlib import Path

import zkwork.ceremony.phase2 as phase2
from zkwork.ceremony.consistency import BAD_DATA, Checker
from zkwork.ceremony.records import VerificationReport
from zkwork.ceremony.zkey_mpc import read_mpc, verify_zkey
from zkwork.errors import KeyFormatError
from zkwork.formats import read_zkey, write_r1cs
from zkwork.groth16.key_files import write_proving_key
from zkwork.groth16.snarkjs_json import read_json, vk_to_json
from zkwork.workspace import write_circuit_dir

ZKEY, R1CS = "circuit.zkey", "circuit.r1cs"


def circuit_name(pattern):
    """The directory name of a pattern's phase 2, e.g. membership-hardened-depth20."""
    params = "".join(f"-{key}{value}" for key, value in sorted(pattern.params.items()))
    return f"{pattern.name}-{pattern.variant}{params}"


def pattern_of(description, path):
    """The pattern a circuit.json object describes; KeyFormatError naming `path` otherwise."""
    from zkwork.patterns import get_pattern

    try:
        return get_pattern(description["pattern"], description["variant"], **description["params"])
    except (KeyError, TypeError, ValueError) as error:  # ValueError: patterns.PatternError
        raise KeyFormatError(f"{path}: {error!r}") from error


def read_pattern(directory):
    """The pattern of a circuit directory's circuit.json; KeyFormatError naming it otherwise."""
    path = Path(directory) / "circuit.json"
    return pattern_of(read_json(path, KeyFormatError), path)


def circuit_description(pattern, r1cs) -> dict:
    """circuit.json as zkwork.workspace.write_circuit_dir writes it, in its JSON form."""
    identity = {"pattern": pattern.name, "variant": pattern.variant, "params": dict(pattern.params)}
    return json.loads(json.dumps({**identity, **r1cs.stats()}))


def write_circuit(directory, pattern, r1cs, zkey_path):
    """Writes the circuit directory of the key at `zkey_path` (module docstring)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(zkey_path, directory / ZKEY)
    write_r1cs(r1cs, directory / R1CS)
    write_circuit_dir(directory, pattern, r1cs, phase2.proving_key(read_zkey(zkey_path), r1cs))


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


def _file_differences(published, derived):
    """The names of the files of directory `published` that are not those of `derived`
    (JSON files compared as JSON, the others byte for byte), missing or extra."""
    names = {path.name for path in derived.iterdir()}
    found = {path.name for path in published.iterdir()} if published.is_dir() else set()
    different = sorted(names ^ found)
    for name in sorted(names & found):
        mine, theirs = published / name, derived / name
        if name.endswith(".json"):
            same = read_json(mine, KeyFormatError) == read_json(theirs, KeyFormatError)
        else:
            same = mine.read_bytes() == theirs.read_bytes()
        if not same:
            different.append(name)
    return different


def _verify_keys(report, directory, zkey, params, r1cs, prepared, work, limits, sealing):
    """zkey_mpc.verify_zkey's checks (if phase 1's `prepared` .ptau is not None), the
    ceremony's (`sealing`: phase2.check_ceremony's options) and those of the derived files."""
    r1cs_path = work / R1CS
    write_r1cs(r1cs, r1cs_path)
    files = Checker(report, "files", "")
    published = read_checked(files, "read_circuit_r1cs", (directory / R1CS).read_bytes)
    if published is not None:
        files("circuit_r1cs", lambda: published == r1cs_path.read_bytes(),
              f"{directory / R1CS} is not the circuit's constraint system as circom's .r1cs")
    if prepared is not None:
        chain = verify_zkey(r1cs_path, prepared, directory / ZKEY, limits=limits)
        report.checks += chain.checks
    final = Checker(report, "final", (params.contributions[-1].name or "") if params.contributions else "initial")
    phase2.check_ceremony(final, zkey, params, **sealing)
    pk = read_checked(final, "proving_key_derived", lambda: phase2.proving_key(zkey, r1cs))
    if pk is None:
        return
    write_proving_key(pk, work / "proving_key")
    expected_vk = vk_to_json(pk.vk)
    vk_path, header_path = directory / "verification_key.json", directory / "proving_key" / "header.json"
    vk_json = read_checked(files, "read_verification_key", lambda: read_json(vk_path, KeyFormatError))
    header = read_checked(files, "read_proving_key_header", lambda: read_json(header_path, KeyFormatError))
    differences = read_checked(files, "read_proving_key", lambda: _file_differences(directory / "proving_key",
                                                                                    work / "proving_key"))
    if vk_json is not None:
        final("verification_key_json", lambda: vk_json == expected_vk,
              f"{vk_path}: {_differences(vk_json, expected_vk)} not those of {ZKEY}'s key")
    if header is not None:
        final("header_vk", lambda: header["vk"] == expected_vk, f"{header_path}: its vk is not {ZKEY}'s key")
    if differences is not None:
        final("proving_key", lambda: not differences,
              f"{directory / 'proving_key'}: {', '.join(differences)[:300]} not what {ZKEY}'s key gives")


def verify_circuit(directory, prepared, *, require_sealed=True, min_contributors=1, limits=None):
    """(report, number of distinct contributors or None if circuit.zkey's transcript did not
    read) of the circuit directory against phase 1's prepared .ptau at `prepared` (None if
    it could not be derived); see the module docstring. `limits` a BeaconLimits."""
    directory = Path(directory)
    report = VerificationReport()
    check = Checker(report, "files", "")
    if not check("directory", lambda: directory.is_dir() and not directory.is_symlink(),
                 f"{directory}: not a circuit directory (one holding {ZKEY}, {R1CS}, circuit.json, proving_key/ "
                 f"and verification_key.json); a published ceremony holds nothing else under phase2/"):
        return report, None
    circuit_json = directory / "circuit.json"
    description = read_checked(check, "read_circuit_json", lambda: read_json(circuit_json, KeyFormatError))
    zkey = read_checked(check, "read_zkey", lambda: read_zkey(directory / ZKEY))
    params = None if zkey is None else read_checked(check, "read_contributions", lambda: read_mpc(zkey))
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
    check("phase1", lambda: prepared is not None, "phase 1's prepared .ptau could not be derived (see phase1's "
                                                   "checks); the initial key comes from it")
    count = None if params is None else len(phase2.contributor_names(params))
    if params is None or r1cs is None:
        return report, count
    sealing = {"require_sealed": require_sealed, "min_contributors": min_contributors}
    with tempfile.TemporaryDirectory(prefix="zkwork-ceremony-verify-") as work:
        _verify_keys(report, directory, zkey, params, r1cs, prepared, Path(work), limits, sealing)
    return report, count
