"""Compile the pattern circuits with the pinned circom2 and report their R1CS sizes.

Every `circuits/main/*.circom` file is compiled with

    npx circom2 FILE --O2 --r1cs --wasm --sym -l node_modules -o build/circom/NAME

from the repository root, and circom's summary on stdout is parsed: template instances,
non-linear and linear constraints, public inputs, private inputs (and how many of them
remain in the witness after --O2), public outputs, wires, labels.

    python tools/circom_counts.py                       # table of all circuits
    python tools/circom_counts.py --only version_reference membership_hardened_d4
    python tools/circom_counts.py --json counts.json    # also write the results as JSON
    python tools/circom_counts.py --write-expected      # refresh circuits/expected_counts.json
    python tools/circom_counts.py --poseidon            # also Poseidon(1..5) alone

`circuits/expected_counts.json` is the one place the expected counts live: the circom tests
(tests/test_circom.py) and the Python R1CS builder both assert against it.
"""
import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN_DIR = ROOT / "circuits" / "main"
BUILD_DIR = ROOT / "build" / "circom"
EXPECTED_FILE = ROOT / "circuits" / "expected_counts.json"

# Main files are named <pattern>_<variant>[_<letter><size>], e.g. locker_hardened_l10.
NAME_RE = re.compile(
    r"^(?P<pattern>[a-z_]+?)_(?P<variant>reference|hardened)(?:_(?P<param>[dkfl])(?P<size>\d+))?$")
PRODUCTION_SIZES = {"d": 20, "k": 8, "f": 8, "l": 10}

ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")
SUMMARY_RE = {
    "template_instances": re.compile(r"^template instances: (\d+)$", re.MULTILINE),
    "non_linear": re.compile(r"^non-linear constraints: (\d+)$", re.MULTILINE),
    "linear": re.compile(r"^linear constraints: (\d+)$", re.MULTILINE),
    "public_inputs": re.compile(r"^public inputs: (\d+)$", re.MULTILINE),
    "private_inputs": re.compile(r"^private inputs: (\d+)", re.MULTILINE),
    "public_outputs": re.compile(r"^public outputs: (\d+)$", re.MULTILINE),
    "wires": re.compile(r"^wires: (\d+)$", re.MULTILINE),
    "labels": re.compile(r"^labels: (\d+)$", re.MULTILINE),
}
# "private inputs: 16 (15 belong to witness)" or "(none belong to witness)"; absent when all do.
WITNESS_RE = re.compile(r"^private inputs: \d+ \((none|\d+) belong to witness\)$", re.MULTILINE)

POSEIDON_SOURCE = """pragma circom 2.1.6;
include "circomlib/circuits/poseidon.circom";
// Poseidon({n}) alone: {n} private inputs, the hash as the output.
template PoseidonAlone() {{
    signal input in[{n}];
    signal output out;
    component h = Poseidon({n});
    h.inputs <== in;
    out <== h.out;
}}
component main = PoseidonAlone();
"""


class CompileError(RuntimeError):
    """circom rejected a circuit; the message carries its stderr and stdout."""


def describe(name):
    """Pattern, variant, size parameter and size class of a main file's stem."""
    match = NAME_RE.match(name)
    if match is None:
        return {"pattern": name, "variant": None, "param": None, "size": None, "production": None}
    param = match["param"]
    size = int(match["size"]) if match["size"] else None
    production = param is None or PRODUCTION_SIZES[param] == size
    return {"pattern": match["pattern"], "variant": match["variant"], "param": param, "size": size,
            "production": production}


def parse_summary(stdout):
    """The counts circom prints after compiling, as a dict of ints."""
    text = ANSI_RE.sub("", stdout)
    counts = {}
    for key, pattern in SUMMARY_RE.items():
        match = pattern.search(text)
        if match is None:
            raise ValueError(f"circom output has no '{key}' line:\n{text}")
        counts[key] = int(match[1])
    witness = WITNESS_RE.search(text)
    if witness is None:
        counts["private_inputs_in_witness"] = counts["private_inputs"]
    else:
        counts["private_inputs_in_witness"] = 0 if witness[1] == "none" else int(witness[1])
    counts["constraints"] = counts["non_linear"] + counts["linear"]
    return counts


def compile_circuit(source, out_dir, wasm=True):
    """Compile one circuit at --O2 into out_dir; return circom's counts and the seconds taken."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = ["--r1cs", "--wasm", "--sym"] if wasm else ["--r1cs", "--sym"]
    command = ["npx", "--no-install", "circom2", str(source), "--O2", *outputs,
               "-l", "node_modules", "-o", str(out_dir)]
    start = time.perf_counter()
    result = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0 or "Everything went okay" not in result.stdout:
        raise CompileError(f"circom failed on {source}:\n{result.stderr}\n{result.stdout}")
    counts = parse_summary(result.stdout)
    counts["compile_seconds"] = round(seconds, 2)
    return counts


def main_files(only=None):
    files = sorted(MAIN_DIR.glob("*.circom"))
    if only:
        wanted = set(only)
        missing = wanted - {f.stem for f in files}
        if missing:
            raise SystemExit(f"no main file named {', '.join(sorted(missing))} in {MAIN_DIR}")
        files = [f for f in files if f.stem in wanted]
    return files


def count_all(only=None, poseidon=False):
    results = {}
    for source in main_files(only):
        counts = compile_circuit(source, BUILD_DIR / source.stem)
        results[source.stem] = {**describe(source.stem), **counts}
        print(f"compiled {source.stem} in {counts['compile_seconds']} s", file=sys.stderr)
    if poseidon:
        for n in range(1, 6):
            name = f"poseidon_{n}"
            source = BUILD_DIR / "poseidon" / f"{name}.circom"
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_text(POSEIDON_SOURCE.format(n=n))
            counts = compile_circuit(source, BUILD_DIR / "poseidon", wasm=False)
            results[name] = {"pattern": "poseidon", "variant": None, "param": "n", "size": n,
                             "production": None, **counts}
    return results


COLUMNS = [("circuit", None), ("non-lin", "non_linear"), ("lin", "linear"),
           ("constr", "constraints"), ("wires", "wires"), ("pub in", "public_inputs"),
           ("priv in", "private_inputs"), ("in wit", "private_inputs_in_witness"),
           ("out", "public_outputs"), ("secs", "compile_seconds")]


def format_table(results):
    rows = [[name] + [str(counts[key]) for _, key in COLUMNS[1:]] for name, counts in results.items()]
    widths = [max(len(header), *(len(row[i]) for row in rows)) for i, (header, _) in enumerate(COLUMNS)]
    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line([header for header, _ in COLUMNS]), *(line(row) for row in rows)])


EXPECTED_KEYS = ["pattern", "variant", "param", "size", "production", "non_linear", "linear",
                 "constraints", "wires", "public_inputs", "private_inputs", "private_inputs_in_witness",
                 "public_outputs", "template_instances", "labels"]


def write_expected(results):
    """Merge the main circuits' counts (not timings, not Poseidon alone) into EXPECTED_FILE."""
    expected = json.loads(EXPECTED_FILE.read_text()) if EXPECTED_FILE.exists() else {}
    circuits = expected.setdefault("circuits", {})
    for name, counts in results.items():
        if counts["pattern"] != "poseidon":
            circuits[name] = {key: counts[key] for key in EXPECTED_KEYS}
    expected["circuits"] = dict(sorted(circuits.items()))
    expected["compiler"] = "circom2 0.2.23 (circom 2.2.3), --O2, circomlib 2.0.5"
    EXPECTED_FILE.write_text(json.dumps(expected, indent=2) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="main files to compile (stems)")
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE as JSON")
    parser.add_argument("--write-expected", action="store_true",
                        help=f"merge the counts into {EXPECTED_FILE.relative_to(ROOT)}")
    parser.add_argument("--poseidon", action="store_true", help="also compile Poseidon(1..5) alone")
    args = parser.parse_args(argv)

    results = count_all(args.only, args.poseidon)
    print(format_table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if args.write_expected:
        write_expected(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
