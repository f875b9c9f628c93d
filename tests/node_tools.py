"""Running the pinned npm peers (snarkjs, circom2) for real from tests, and tools/circom_counts.py
(compiling the pattern circuits) as a module."""
import importlib.util
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "node_modules" / ".bin"

_spec = importlib.util.spec_from_file_location("circom_counts", ROOT / "tools" / "circom_counts.py")
circom_counts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(circom_counts)


def run_node_tool(tool, *args, timeout=600, check=True):
    """Run node_modules/.bin/<tool>; fails loudly when Node or the package is missing,
    since the test command installs both."""
    executable = BIN / tool
    if shutil.which("node") is None:
        raise RuntimeError("node is not on PATH; `make test` expects Node.js >= 20")
    if not executable.exists():
        raise RuntimeError(f"{executable} is missing; run `make install` (npm ci)")
    result = subprocess.run([str(executable), *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if check and result.returncode != 0:
        raise AssertionError(f"{tool} {' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}")
    return result
