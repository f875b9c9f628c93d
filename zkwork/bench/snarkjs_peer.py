"""snarkjs as zkwork's benchmark peer: Groth16 witness, prove, fullProve and verify times of a
Circom main file, measured in one Node process by tools/snarkjs_peer.mjs (.wasm and zkey
read into memory once, curve built once).

    result = measure_snarkjs("circuits/main/membership_reference_d4.circom", inputs, runs=20)
    statistics.median(result["prove_ms"]), statistics.median(result["verify_ms"])
    statistics.median(result["witness_ms"]), statistics.median(result["fullprove_ms"])

The keys snarkjs proves with (`peer_keys`) are built here, each step cached in `cache_dir`
(default $ZKWORK_SNARKJS_CACHE, else ~/.cache/zkwork/snarkjs):

    compile    circom2 --O2 --r1cs --wasm                   circuits/<stem>-<hash>/build/
    phase1     zkwork's phase 1, one contribution           ptau/pot<power>.phase1.ptau
    prepare    zkwork.ceremony.prepare_phase2               ptau/pot<power>.ptau
    zkey_new   zkwork.ceremony.zkey_new                     circuits/<stem>-<hash>/p<power>-zkwork.zkey
    contribute zkwork.ceremony.zkey_mpc.contribute          (the same file)
    vk         snarkjs zkey export verificationkey (in the harness) p<power>-zkwork.verification_key.json

<hash> covers the circom2 version, the main file and every file it includes (transitively),
as the harness computed it before, so compiled circuits of older caches are reused. The
phase-1 file is zkwork's (zkwork.ceremony.phase1 exported with its snarkjs records, which
`snarkjs powersoftau verify` accepts; 1-2 s at 2^13 against ~10 s for snarkjs's new and
contribute), and the prepare and zkey new steps are zkwork's byte-identical fast paths of
snarkjs's (minutes of snarkjs's `prepare phase2` on a fresh machine); a phase-1 or prepared
file of an older cache, made by snarkjs, is as good and is reused. Without a `power`, a
circuit takes the smallest prepared ptau already in the cache that its domain fits in (the
zkey's name says which), so the report's circuits share one ptau instead of preparing one
per domain size. The zkey's name changed (`-zkwork`) with
its recipe, so an older snarkjs-made zkey is never taken for one. snarkjs still reads the
zkey: it exports the verification key from it, and every proof it makes must verify, so a
zkey snarkjs cannot use fails the run. `setup_s` is the time of the steps that ran (0 when
everything came from the cache), per step in `setup_steps_s`. The keys come from a
one-contribution, benchmark-only ceremony with throwaway entropy: timing material, never
keys to trust. The last proof is exported as snarkjs's proof.json / public.json
(`paths["proof"]`, `paths["public"]`, next to `paths["verification_key"]`), so zkwork can
check it with `zkwork.groth16.snarkjs_json`.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from zkwork.errors import WrongTypeError, ZkworkError
from zkwork.formats.r1cs_file import r1cs_info
from zkwork.resources import ROOT_ENV, project_root

ROOT = project_root()
SCRIPT = ROOT / "tools" / "snarkjs_peer.mjs"
NODE_MODULES = ROOT / "node_modules"
CACHE_ENV = "ZKWORK_SNARKJS_CACHE"
# The zkey's recipe, in its file name: a key made another way gets another name.
ZKEY_RECIPE = "zkwork"
INCLUDE = re.compile(r'^\s*include\s+"([^"]+)"\s*;', re.MULTILINE)


class SnarkjsPeerError(ZkworkError, RuntimeError):
    """Node, the pinned npm packages or the harness script are missing, or the run failed."""


def default_cache_dir():
    """Where the snarkjs peer caches its builds: $ZKWORK_SNARKJS_CACHE, else ~/.cache/zkwork/snarkjs."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "zkwork" / "snarkjs")


def _check_tools():
    node = shutil.which("node")
    if node is None:
        raise SnarkjsPeerError("node is not on PATH; the snarkjs peer needs Node.js >= 20")
    for needed in (NODE_MODULES / "snarkjs" / "package.json", NODE_MODULES / ".bin" / "circom2"):
        if not needed.exists():
            raise SnarkjsPeerError(f"{needed} is missing; run `make install` (npm ci) in {ROOT}")
    if not SCRIPT.exists():
        raise SnarkjsPeerError(f"{SCRIPT} is missing: the snarkjs peer runs from a source checkout "
                               f"(set ${ROOT_ENV} to one)")
    return node


def unavailable():
    """Why the snarkjs peer cannot run here (Node or the npm packages missing); None if it can."""
    try:
        _check_tools()
    except SnarkjsPeerError as error:
        return str(error)
    return None


def _run_tool(command, what):
    """Run a node_modules tool to completion; SnarkjsPeerError with its output if it fails."""
    result = subprocess.run([str(part) for part in command], cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SnarkjsPeerError(f"{what} failed (exit {result.returncode}):\n{result.stderr[-2000:]}\n"
                               f"{result.stdout[-2000:]}")
    return result.stdout


def _cached(target, build):
    """Build `target` (file or directory) unless it exists, into a temporary sibling renamed
    at the end (an interrupted build never leaves a cache entry); the seconds spent, 0 if cached."""
    if target.exists():
        return 0.0
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    _remove(temporary)
    start = time.perf_counter()
    build(temporary)
    if target.exists():  # another process built it meanwhile: theirs is as good
        _remove(temporary)
    else:
        os.replace(temporary, target)
    return time.perf_counter() - start


def _remove(path):
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def source_files(main_file):
    """The main file and every file it includes, resolved as circom does (the including
    file's directory first, then node_modules), sorted."""
    seen = set()
    pending = [Path(main_file).resolve()]
    while pending:
        file = pending.pop()
        if file in seen:
            continue
        seen.add(file)
        for name in INCLUDE.findall(file.read_text()):
            found = next((c for c in (file.parent / name, NODE_MODULES / name) if c.exists()), None)
            if found is None:
                raise SnarkjsPeerError(f"{file} includes {name}, found neither next to it nor in node_modules")
            pending.append(found.resolve())
    return sorted(seen, key=str)


def circuit_hash(main_file):
    """16 hex digits of sha256 over the circom2 version and each source file's name and bytes."""
    digest = hashlib.sha256(json.loads((NODE_MODULES / "circom2" / "package.json").read_text())["version"].encode())
    for file in source_files(main_file):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def compiled(main_file, cache_dir=None):
    """(circuit directory, .r1cs, .wasm, seconds) of `main_file` compiled by the pinned circom2."""
    _check_tools()
    main_file = Path(main_file).resolve()
    if not main_file.is_file():
        raise SnarkjsPeerError(f"no circuit main file {main_file}")
    cache_dir = Path(cache_dir).resolve() if cache_dir is not None else default_cache_dir()
    stem = main_file.stem
    circuit_dir = cache_dir / "circuits" / f"{stem}-{circuit_hash(main_file)}"
    build_dir = circuit_dir / "build"

    def compile_into(out):
        out.mkdir(parents=True)
        output = _run_tool([NODE_MODULES / ".bin" / "circom2", main_file, "--O2", "--r1cs", "--wasm", "-l",
                            NODE_MODULES, "-o", out], f"circom2 on {main_file.name}")
        if "Everything went okay" not in output:
            raise SnarkjsPeerError(f"circom2 did not finish {main_file.name}:\n{output[-2000:]}")

    seconds = _cached(build_dir, compile_into)
    return circuit_dir, build_dir / f"{stem}.r1cs", build_dir / f"{stem}_js" / f"{stem}.wasm", seconds


def phase1_ptau(power, cache_dir=None):
    """(path, seconds) of a one-contribution powers of tau of `power` in snarkjs's format, not
    prepared: zkwork's phase 1 with fresh secrets, dropped at once (benchmark only)."""
    # here, not at the top: they load the JIT kernels, which SnarkjsPeerError's importers don't need
    from zkwork.ceremony.phase1 import contribute, start
    from zkwork.ceremony.snarkjs_ptau import export_transcript_ptau

    cache_dir = Path(cache_dir).resolve() if cache_dir is not None else default_cache_dir()

    def ceremony(out):
        state, transcript = start(power)
        state, record = contribute(state, "zkwork benchmark", 0)
        transcript.records.append(record)
        export_transcript_ptau(state, transcript, out)

    path = cache_dir / "ptau" / f"pot{power}.phase1.ptau"
    return path, _cached(path, ceremony)


def _shared_ptau_power(cache_dir, domain_power):
    """The smallest power >= domain_power of a prepared ptau in the cache, else domain_power."""
    from zkwork.poly.domain import TWO_ADICITY  # here: it loads the JIT kernels (see peer_keys)

    for power in range(domain_power, TWO_ADICITY):
        if (cache_dir / "ptau" / f"pot{power}.ptau").exists():
            return power
    return domain_power


def peer_keys(main_file, cache_dir=None, power=None):
    """Build (or find in the cache) what snarkjs proves `main_file` with: {"circuit",
    "domain_power", "ptau_power", "setup_steps_s", "paths"} (module docstring). `power` is
    the ptau's (default: the smallest prepared one in the cache the circuit's domain fits in,
    else the domain's; a larger ptau makes a zkey with the same powers, whose name says the
    ptau's); SnarkjsPeerError if it is too small."""
    # here, not at the top: they load the JIT kernels, which SnarkjsPeerError's importers don't need
    from zkwork.ceremony.prepare_phase2 import prepare_phase2
    from zkwork.ceremony.zkey_mpc import contribute
    from zkwork.ceremony.zkey_new import circuit_power, new_zkey

    cache_dir = Path(cache_dir).resolve() if cache_dir is not None else default_cache_dir()
    circuit_dir, r1cs, wasm, compile_s = compiled(main_file, cache_dir)
    info = r1cs_info(r1cs)
    domain_power = circuit_power(info["constraints"], info["outputs"] + info["public_inputs"])
    power = _shared_ptau_power(cache_dir, domain_power) if power is None else power
    if power < domain_power:
        raise SnarkjsPeerError(f"{Path(main_file).stem} needs a ptau of power >= {domain_power}, not {power}")
    steps = {"compile": compile_s, "phase1": 0.0, "prepare": 0.0, "zkey": 0.0}
    ptau = cache_dir / "ptau" / f"pot{power}.ptau"
    if not ptau.exists():
        phase1, steps["phase1"] = phase1_ptau(power, cache_dir)
        steps["prepare"] = _cached(ptau, lambda out: prepare_phase2(phase1, out))
    zkey = circuit_dir / f"p{power}-{ZKEY_RECIPE}.zkey"

    def make_zkey(out):
        initial = out.with_name(f"{out.name}.initial")
        try:
            new_zkey(r1cs, ptau, initial)
            contribute(initial, out, name="zkwork benchmark")
        finally:
            initial.unlink(missing_ok=True)

    steps["zkey"] = _cached(zkey, make_zkey)
    return {"circuit": Path(main_file).stem, "domain_power": domain_power, "ptau_power": power,
            "setup_steps_s": steps,
            "paths": {"cache": str(cache_dir), "circuit_dir": str(circuit_dir), "r1cs": str(r1cs), "wasm": str(wasm),
                      "ptau": str(ptau), "zkey": str(zkey),
                      "verification_key": str(zkey.with_name(f"{zkey.stem}.verification_key.json"))}}


def _json_input(value):
    """Circuit inputs as snarkjs reads them: integers as decimal strings, nested lists kept."""
    if isinstance(value, bool):
        raise WrongTypeError("circuit inputs are field elements, not booleans")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_input(v) for v in value]
    raise WrongTypeError(f"a circuit input is an int or a list of them, got {type(value).__name__}")


def measure_snarkjs(main_file, inputs, runs=20, verify_runs=100, cache_dir=None, warmup=1, power=None,
                    export_dir=None):
    """Time snarkjs's witness, Groth16 prove and fullProve (`runs` times each) and verify
    (`verify_runs` times) of one Circom main file after `warmup` untimed rounds, with the
    keys of `peer_keys` (built on the first call).

    inputs      {signal name: int or (nested) list of ints}, the circuit's input JSON
    power       ptau power (default: the circuit's domain, the smallest it fits in; a larger
                one only changes the ptau, not the zkey's size or the prover's work)
    export_dir  where the last proof.json / public.json go (default: the circuit's cache dir)

    Returns the harness's report: `witness_ms` (wtns.calculate, input JSON to .wtns in
    memory), `prove_ms` (of one witness), `fullprove_ms` (groth16.fullProve, input JSON to
    proof: witness and prove) and `verify_ms`, each a list of every run's milliseconds;
    `constraints`, `wires`, `public`, `domain_power`, `ptau_power`, `zkey_bytes`, `setup_s`
    (seconds of the uncached steps; `setup_steps_s` per step: compile, phase1, prepare, zkey,
    vk), `snarkjs`, `node`, `cpus` and `paths` (cache, circuit_dir, r1cs, wasm, ptau, zkey,
    verification_key, proof, public; the proof is the last fullProve's).
    Progress and errors of the harness go to stderr; a failed run raises SnarkjsPeerError."""
    payload = json.dumps({name: _json_input(value) for name, value in inputs.items()})
    node = _check_tools()
    keys = peer_keys(main_file, cache_dir, power)
    paths = keys["paths"]
    export_dir = Path(export_dir).resolve() if export_dir is not None else Path(paths["circuit_dir"])
    with tempfile.TemporaryDirectory(prefix="zkwork-snarkjs-") as scratch:
        input_file = Path(scratch) / "input.json"
        input_file.write_text(payload)
        command = [node, str(SCRIPT), "--r1cs", paths["r1cs"], "--wasm", paths["wasm"], "--zkey", paths["zkey"],
                   "--vk", paths["verification_key"], "--input", str(input_file), "--runs", str(runs),
                   "--verify-runs", str(verify_runs), "--warmup", str(warmup), "--export", str(export_dir)]
        # stderr (progress) goes straight to the caller's stderr; stdout is the report.
        result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        raise SnarkjsPeerError(f"snarkjs peer failed on {keys['circuit']} (exit {result.returncode}); "
                               f"see its stderr above. stdout:\n{result.stdout}")
    try:
        report = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as error:
        raise SnarkjsPeerError(f"snarkjs peer printed no JSON report:\n{result.stdout}") from error
    steps = {**keys["setup_steps_s"], "vk": report.pop("vk_s")}
    exported = report.pop("paths")
    return {"circuit": keys["circuit"], **report, "domain_power": keys["domain_power"],
            "ptau_power": keys["ptau_power"], "setup_steps_s": steps, "setup_s": sum(steps.values()),
            "paths": {**paths, **exported}}


def snarkjs_witness(wasm_path, inputs, wtns_path):
    """circom's witness for `inputs`, computed by snarkjs (`wtns calculate`) into wtns_path."""
    _check_tools()
    with tempfile.TemporaryDirectory() as directory:
        input_path = Path(directory) / "input.json"
        input_path.write_text(json.dumps({name: _json_input(value) for name, value in inputs.items()}))
        result = subprocess.run(
            [str(NODE_MODULES / ".bin" / "snarkjs"), "wtns", "calculate", str(wasm_path), str(input_path),
             str(wtns_path)], capture_output=True, text=True, timeout=600,
        )
    if result.returncode != 0:
        raise SnarkjsPeerError(f"snarkjs wtns calculate failed:\n{result.stdout}\n{result.stderr}")
    return Path(wtns_path)
