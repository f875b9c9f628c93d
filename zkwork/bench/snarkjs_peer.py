"""snarkjs as zkwork's benchmark peer: Groth16 witness, prove, fullProve and verify times of a
Circom main file, measured in one Node process by tools/snarkjs_peer.mjs (.wasm and zkey
read into memory once, curve built once).

    result = measure_snarkjs("circuits/main/membership_reference_d4.circom", inputs, runs=20)
    statistics.median(result["prove_ms"]), statistics.median(result["verify_ms"])
    statistics.median(result["witness_ms"]), statistics.median(result["fullprove_ms"])

The compiled circuit, the powers-of-tau file and the zkey are cached in `cache_dir`
(default $ZKWORK_SNARKJS_CACHE, else ~/.cache/zkwork/snarkjs), keyed by a hash of the
circuit's sources and by the ptau power, so only the first call pays for them; `setup_s` is
the time of the steps that ran (0 when everything came from the cache). The keys come from
a one-contribution, benchmark-only ceremony (see the script's header): timing material,
never keys to trust. The last proof is exported as snarkjs's proof.json / public.json
(`paths["proof"]`, `paths["public"]`, next to `paths["verification_key"]`), so zkwork can
check it with `zkwork.groth16.snarkjs_json`.
"""
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from zkwork.errors import WrongTypeError, ZkworkError
from zkwork.resources import ROOT_ENV, project_root

ROOT = project_root()
SCRIPT = ROOT / "tools" / "snarkjs_peer.mjs"
NODE_MODULES = ROOT / "node_modules"
CACHE_ENV = "ZKWORK_SNARKJS_CACHE"


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
    (`verify_runs` times) of one Circom main file after `warmup` untimed rounds.

    inputs      {signal name: int or (nested) list of ints}, the circuit's input JSON
    power       ptau power (default: the circuit's domain, the smallest it fits in; a larger
                one only changes the ptau, not the zkey's size or the prover's work)
    export_dir  where the last proof.json / public.json go (default: the circuit's cache dir)

    Returns the harness's report: `witness_ms` (wtns.calculate, input JSON to .wtns in
    memory), `prove_ms` (of one witness), `fullprove_ms` (groth16.fullProve, input JSON to
    proof: witness and prove) and `verify_ms`, each a list of every run's milliseconds;
    `constraints`, `wires`, `public`, `domain_power`, `ptau_power`, `zkey_bytes`, `setup_s`
    (seconds of the uncached steps; `setup_steps_s` per step), `snarkjs`, `node`, `cpus` and
    `paths` (cache, circuit_dir, r1cs, wasm, ptau, zkey, verification_key, proof, public;
    the proof is the last fullProve's).
    Progress and errors of the harness go to stderr; a failed run raises SnarkjsPeerError."""
    payload = json.dumps({name: _json_input(value) for name, value in inputs.items()})
    node = _check_tools()
    main_file = Path(main_file).resolve()
    if not main_file.is_file():
        raise SnarkjsPeerError(f"no circuit main file {main_file}")
    cache_dir = Path(cache_dir).resolve() if cache_dir is not None else default_cache_dir()
    with tempfile.TemporaryDirectory(prefix="zkwork-snarkjs-") as scratch:
        input_file = Path(scratch) / "input.json"
        input_file.write_text(payload)
        command = [node, str(SCRIPT), "--circuit", str(main_file), "--input", str(input_file),
                   "--runs", str(runs), "--verify-runs", str(verify_runs), "--warmup", str(warmup),
                   "--cache", str(cache_dir)]
        if power is not None:
            command += ["--power", str(power)]
        if export_dir is not None:
            command += ["--export", str(Path(export_dir).resolve())]
        # stderr (progress) goes straight to the caller's stderr; stdout is the report.
        result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        raise SnarkjsPeerError(f"snarkjs peer failed on {main_file.name} (exit {result.returncode}); "
                               f"see its stderr above. stdout:\n{result.stdout}")
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as error:
        raise SnarkjsPeerError(f"snarkjs peer printed no JSON report:\n{result.stdout}") from error


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
