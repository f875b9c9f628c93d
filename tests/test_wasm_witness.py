"""zkwork.interop.wasm_witness: circom's witness calculator (.wasm) run with wasmtime.

- for small pattern circuits compiled with the pinned circom2 (--O2 --wasm), the .wtns zkwork
  writes is `snarkjs wtns calculate`'s byte for byte, and its public part is the pattern's;
- inputs are read as snarkjs reads them (strings, nested lists), values outside [0, r) refused
  unless reduced mod r as snarkjs does (`reduce`, `wtns calculate --reduce`: snarkjs's bytes),
  and a circuit of its own shows log() lines, a 2-D input array and a failing assert's message;
- typed errors: unknown signal, wrong count, missing input, bad values, a failed assert, a
  path that is not a regular file, a module that is not circom's;
- hand-written modules that loop or grow memory forever are stopped by the bounds;
- fullprove (wasm witness, then zkwork's zkey prover; `zkwork groth16 fullprove` and the
  function) gives a proof `snarkjs groth16 verify` accepts, and refuses an input >= r that
  snarkjs would reduce (slow: snarkjs's setup, as in test_zkey_prover).
"""
import importlib.util
import json
import logging
import os
import re
import sys
import time

import numpy as np
import pytest
from node_tools import ROOT, run_node_tool

from zkwork.cli import main
from zkwork.errors import (CircuitAssertionError, CircuitInputError, MissingExtraError, UnreadableFileError,
                           WitnessCalculationError, WitnessLimitError)
from zkwork.field import R
from zkwork.interop.fullprove import fullprove
from zkwork.interop.wasm_witness import WitnessCalculator, calculate_witness, calculate_wtns, fnv1a64
from zkwork.patterns import get_pattern

pytestmark = pytest.mark.node

_spec = importlib.util.spec_from_file_location("circom_counts", ROOT / "tools" / "circom_counts.py")
circom_counts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(circom_counts)

CIRCUITS = {
    "membership_hardened_d4": ("membership", {"depth": 4}),
    "locker_hardened_l3": ("locker", {"depth": 3}),
    "selective_reveal_hardened_f4": ("selective_reveal", {"fields": 4}),
}

# A circuit of its own: a 2-D input array, a log() line, an assert.
TOY = """pragma circom 2.1.6;
template Toy() {
    signal input a;
    signal input b[2][2];
    signal output c;
    log("a is", a, "b11 is", b[1][1]);
    assert(a != 7);
    c <== a * b[1][0];
}
component main = Toy();
"""

# Inputs and witness longer than the driver's buffer (2,047 values): three chunks each way.
WIDE = """pragma circom 2.1.6;
template Wide(n) {
    signal input a[n];
    signal output c;
    var s = 0;
    for (var i = 0; i < n; i++) { s += a[i]; }
    c <== s + a[0] * a[n - 1];
}
component main = Wide(4100);
"""


def pattern(name):
    kind, size = CIRCUITS[name]
    return get_pattern(kind, "hardened", **size)


def as_json(value):
    return [as_json(v) for v in value] if isinstance(value, list) else str(value)


def write_input(path, inputs):
    path.write_text(json.dumps({name: as_json(value) for name, value in inputs.items()}))
    return path


@pytest.fixture(scope="session")
def compiled(tmp_path_factory):
    """compiled(name or (name, source)) -> the .wasm path; each circuit compiled once a session."""
    build_root = tmp_path_factory.mktemp("circom_wasm")
    cache = {}

    def compile_named(name, source=None):
        if name not in cache:
            if source is None:
                source = circom_counts.MAIN_DIR / f"{name}.circom"
            else:
                source_path = build_root / f"{name}.circom"
                source_path.write_text(source)
                source = source_path
            circom_counts.compile_circuit(source, build_root / name)
            cache[name] = build_root / name / f"{name}_js" / f"{name}.wasm"
        return cache[name]

    return compile_named


@pytest.fixture(scope="session")
def membership(compiled):
    return WitnessCalculator(compiled("membership_hardened_d4"))


@pytest.fixture(scope="session")
def toy(compiled):
    return WitnessCalculator(compiled("toy", TOY))


# -- snarkjs's witness, byte for byte -------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CIRCUITS))
def test_wtns_equals_snarkjs_byte_for_byte(compiled, name, tmp_path):
    wasm, inputs = compiled(name), pattern(name).sample_inputs()
    input_json = write_input(tmp_path / "input.json", inputs)
    run_node_tool("snarkjs", "wtns", "calculate", wasm, input_json, tmp_path / "snarkjs.wtns")
    witness = calculate_wtns(wasm, input_json, tmp_path / "zkwork.wtns")
    assert (tmp_path / "zkwork.wtns").read_bytes() == (tmp_path / "snarkjs.wtns").read_bytes()
    expected = pattern(name).expected_public(inputs)
    assert witness[0] == 1 and witness[1:1 + len(expected)] == expected
    assert calculate_witness(wasm, inputs) == witness  # ints straight from Python


def test_wtns_calculate_reduce_is_snarkjs_reading(compiled, tmp_path, capsys):
    name = "membership_hardened_d4"
    wasm, inputs = compiled(name), pattern(name).sample_inputs()
    elements = inputs["pathElements"]
    outside = {**inputs, "challenge": inputs["challenge"] - R, "pathElements": [elements[0] + R, *elements[1:]]}
    input_json = write_input(tmp_path / "input.json", outside)
    run_node_tool("snarkjs", "wtns", "calculate", wasm, input_json, tmp_path / "snarkjs.wtns")
    zkwork_wtns = tmp_path / "zkwork.wtns"
    assert main(["wtns", "calculate", str(wasm), str(input_json), str(zkwork_wtns)]) == 2
    assert "snarkjs would silently reduce it mod r" in capsys.readouterr().err and not zkwork_wtns.exists()
    assert main(["wtns", "calculate", str(wasm), str(input_json), str(zkwork_wtns), "--reduce"]) == 0
    assert zkwork_wtns.read_bytes() == (tmp_path / "snarkjs.wtns").read_bytes()


def test_fullprove_help_says_inputs_above_r_are_refused(capsys):
    assert main(["groth16", "fullprove", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "snarkjs silently reduces" in text and "zkwork refuses them" in text


def test_calculator_reports_the_module(membership):
    assert membership.version[0] == 2 and membership.prime == R and membership.n32 == 8
    assert membership.witness_size == 1221 and membership.input_size == 12


def test_many_witnesses_from_one_calculator(membership):
    p = pattern("membership_hardened_d4")
    for _ in range(3):
        inputs = p.sample_inputs()
        assert membership.calculate(inputs)[1:3] == p.expected_public(inputs)


def test_a_resident_process_compiles_each_wasm_once(compiled):
    from zkwork.daemon.caches import FileCache
    from zkwork.interop.wasm_witness import calculate_witness, use_calculator_cache

    wasm, p = compiled("membership_hardened_d4"), pattern("membership_hardened_d4")
    cache = FileCache()
    previous = use_calculator_cache(cache)
    try:
        for _ in range(2):
            inputs = p.sample_inputs()
            assert calculate_witness(wasm, inputs)[1:3] == p.expected_public(inputs)
        assert (cache.misses, cache.hits) == (1, 1)
        calculate_witness(wasm, p.sample_inputs(), timeout=5.0)  # other bounds: compiled apart
        assert (cache.misses, cache.hits) == (1, 1)
    finally:
        use_calculator_cache(previous)


def test_inputs_are_read_as_snarkjs_reads_them(membership):
    inputs = pattern("membership_hardened_d4").sample_inputs()
    witness = membership.calculate(inputs)
    elements = inputs["pathElements"]
    alike = {
        **inputs,
        "pid": str(inputs["pid"]),                     # a decimal string
        "salt": hex(inputs["salt"]),                   # a 0x-hex string
        "pathElements": [elements[:2], elements[2:]],  # nested, flattened
        "pathIndices": [float(bit) for bit in inputs["pathIndices"]],  # JSON's 1.0
    }
    assert membership.calculate(alike) == witness
    alike["pathIndices"] = np.array(inputs["pathIndices"], dtype=np.int64).tolist()[:2] + \
        [np.int64(bit) for bit in inputs["pathIndices"][2:]]  # numpy's integers
    assert membership.calculate(alike) == witness
    reduced = {**alike, "challenge": inputs["challenge"] - R,  # negative: reduced to the same value
               "pathElements": [[elements[0] + R, str(elements[1] - R)], elements[2:]]}
    assert membership.calculate(reduced, reduce=True) == witness
    assert calculate_witness(membership.path, reduced, reduce=True) == witness


@pytest.mark.parametrize("name, value, named, message", [
    ("pid", R, "pid", "is not below r.*to 0"),
    ("pid", hex(R + 5), "pid", "is not below r.*to 5"),
    ("pid", 2 ** 300, "pid", f"is not below r.*to {2 ** 300 % R}"),
    ("pid", -1, "pid", f"is negative.*to {R - 1}"),
    ("pid", " -1", "pid", f"is negative.*to {R - 1}"),
    ("pathElements", [1, 2, R + 3, 4], "pathElements[2]", "is not below r.*to 3"),
])
def test_inputs_outside_the_field_are_refused(membership, name, value, named, message):
    inputs = {**pattern("membership_hardened_d4").sample_inputs(), name: value}
    with pytest.raises(CircuitInputError, match=rf"input '{re.escape(named)}' = .* {message}") as error:
        membership.calculate(inputs)
    assert "snarkjs would silently reduce it mod r" in str(error.value)
    with pytest.raises(CircuitAssertionError):  # snarkjs's reading: the reduced value reaches the circuit
        membership.calculate(inputs, reduce=True)


@pytest.mark.parametrize("value", [True, None, "", "1.5", "12abc", 1.5, 2.0 ** 60, "1_000"])
def test_values_that_are_not_integers_are_refused(membership, value):
    inputs = {**pattern("membership_hardened_d4").sample_inputs(), "pid": value}
    with pytest.raises(CircuitInputError, match="input 'pid'"):
        membership.calculate(inputs)


def test_unknown_signal_wrong_count_and_missing_input(membership):
    inputs = pattern("membership_hardened_d4").sample_inputs()
    with pytest.raises(CircuitInputError, match="has no input signal 'bogus'"):
        membership.calculate({**inputs, "bogus": 1})
    with pytest.raises(CircuitInputError, match=r"'pathElements' takes 4 value\(s\), given 3"):
        membership.calculate({**inputs, "pathElements": inputs["pathElements"][:3]})
    with pytest.raises(CircuitInputError, match=r"'pathIndices' takes 4 value\(s\), given 5"):
        membership.calculate({**inputs, "pathIndices": inputs["pathIndices"] + [0]})
    missing = {name: value for name, value in inputs.items() if name != "salt"}
    with pytest.raises(CircuitInputError, match="11 input value.*takes 12: some input signal is missing"):
        membership.calculate(missing)
    with pytest.raises(CircuitInputError, match="mixes objects and numbers"):
        membership.calculate({**inputs, "pathIndices": [{"x": 1}, 0, 1, 0]})
    with pytest.raises(CircuitInputError, match="expected an object"):
        membership.calculate([1, 2])


def test_a_failed_assert_gives_the_circuits_message(membership):
    inputs = pattern("membership_hardened_d4").sample_inputs()
    with pytest.raises(CircuitAssertionError, match=r"Assert Failed\. Error in template \w+ line: \d+") as error:
        membership.calculate({**inputs, "root": inputs["root"] + 1})
    assert error.value.code == 4 and error.value.messages and "line:" in error.value.messages[0]
    assert membership.calculate(inputs)[1:3] == [inputs["root"], inputs["challenge"]]  # a fresh instance


def test_own_circuit_nested_arrays_log_and_assert(toy, caplog):
    with caplog.at_level(logging.INFO, logger="zkwork.interop.wasm_witness"):
        witness = toy.calculate({"a": 3, "b": [[1, 2], [5, 9]]})
    assert witness[:2] == [1, 15]  # c = a * b[1][0]
    assert "a is 3 b11 is 9" in caplog.messages
    lines = []
    quiet = WitnessCalculator(toy.path, log=lines.append)
    assert quiet.calculate({"a": 3, "b": [1, 2, 5, 9]}) == witness  # flat or nested alike
    assert lines == ["a is 3 b11 is 9"]
    with pytest.raises(CircuitAssertionError, match=r"Assert Failed\. Error in template Toy_\d+ line: 7"):
        quiet.calculate({"a": 7, "b": [[1, 2], [5, 9]]})


def test_inputs_and_witness_longer_than_the_buffer(compiled):
    values = [R - 1 - i for i in range(4100)]  # full-width values, all distinct
    witness = WitnessCalculator(compiled("wide", WIDE)).calculate({"a": values})
    assert witness == [1, (sum(values) + values[0] * values[-1]) % R, *values]


def test_input_json_must_be_an_object(membership, tmp_path):
    (tmp_path / "input.json").write_text("[1, 2]")
    with pytest.raises(CircuitInputError, match="expected a JSON object"):
        calculate_wtns(membership.path, tmp_path / "input.json", tmp_path / "w.wtns")
    (tmp_path / "input.json").write_text("{")
    with pytest.raises(CircuitInputError, match="input.json"):
        calculate_wtns(membership.path, tmp_path / "input.json", tmp_path / "w.wtns")
    assert not (tmp_path / "w.wtns").exists()


# -- untrusted modules ----------------------------------------------------------------------

def test_paths_that_are_not_regular_files(tmp_path):
    for path in ("/dev/zero", tmp_path, tmp_path / "missing.wasm"):
        with pytest.raises(UnreadableFileError):
            WitnessCalculator(path)
    fifo = tmp_path / "fifo.wasm"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableFileError, match="not a regular file"):
        WitnessCalculator(fifo)
    (tmp_path / "big.wasm").write_bytes(b"\0" * 100)
    with pytest.raises(UnreadableFileError, match="more than the 64"):
        WitnessCalculator(tmp_path / "big.wasm", max_wasm_bytes=64)


def test_modules_that_are_not_circoms(tmp_path):
    for text in ("not wasm", "(module)"):  # wasmtime would compile the second, WebAssembly's text format
        (tmp_path / "text.wasm").write_text(text)
        with pytest.raises(WitnessCalculationError, match="not a WebAssembly module"):
            WitnessCalculator(tmp_path / "text.wasm")
    wasm = module(tmp_path, imports='(import "env" "system" (func (param i32)))')
    with pytest.raises(WitnessCalculationError, match="imports env.system"):
        WitnessCalculator(wasm)
    (tmp_path / "empty.wasm").write_bytes(wat2wasm('(module (memory (export "memory") 1))'))
    with pytest.raises(WitnessCalculationError, match="no function getVersion"):
        WitnessCalculator(tmp_path / "empty.wasm")
    with pytest.raises(WitnessCalculationError, match="over the prime 7, not BN254"):
        WitnessCalculator(module(tmp_path, prime=7))
    with pytest.raises(WitnessCalculationError, match="a circom 1 witness calculator"):
        WitnessCalculator(module(tmp_path, version=1))
    with pytest.raises(WitnessCalculationError, match="witness size of -1"):
        WitnessCalculator(module(tmp_path, witness_size=-1)).calculate({})


def test_a_module_that_loops_forever_is_stopped(tmp_path):
    calculator = WitnessCalculator(module(tmp_path, init="(loop $forever (br $forever))"), timeout=0.5)
    start = time.monotonic()
    with pytest.raises(WitnessLimitError, match="stopped at its time limit of 0.5 s"):
        calculator.calculate({})
    assert time.monotonic() - start < 10
    # the calculator runs again after a stop (each run has its own store and deadline)
    with pytest.raises(WitnessLimitError):
        calculator.calculate({})


def test_a_module_that_grows_its_memory_is_stopped(tmp_path):
    grow = "(if (i32.eq (memory.grow (i32.const 1000)) (i32.const -1)) (then (call $exception (i32.const 5))))"
    calculator = WitnessCalculator(module(tmp_path, init=grow), memory_limit=16 << 20)
    with pytest.raises(WitnessLimitError, match=r"Not enough memory\. .*memory limit is 16777216") as error:
        calculator.calculate({})
    assert error.value.code == 5
    assert WitnessCalculator(module(tmp_path, init=grow), memory_limit=128 << 20).calculate({}) == [1]
    with pytest.raises(WitnessLimitError, match="asks for 655360 bytes of memory at start"):
        WitnessCalculator(module(tmp_path, pages=10), memory_limit=1 << 16)


def wat2wasm(text):
    import wasmtime

    return wasmtime.wat2wasm(text)


def module(tmp_path, init="", imports="", prime=R, version=2, witness_size=1, pages=1):
    """A hand-written module with circom's interface: its shared memory (8 words at address
    0) holds `prime` until getWitness writes 1 there; `init` is the body of init."""
    data = "".join(f"\\{byte:02x}" for byte in prime.to_bytes(32, "little"))
    one = "".join(f"\\{byte:02x}" for byte in (1).to_bytes(32, "little"))
    wat = f"""(module
      (import "runtime" "exceptionHandler" (func $exception (param i32)))
      {imports}
      (memory (export "memory") {pages})
      (data (i32.const 0) "{data}")
      (data (i32.const 64) "{one}")
      (func (export "getVersion") (result i32) (i32.const {version}))
      (func (export "getFieldNumLen32") (result i32) (i32.const 8))
      (func (export "getRawPrime"))
      (func (export "readSharedRWMemory") (param i32) (result i32) (i32.load (i32.mul (local.get 0) (i32.const 4))))
      (func (export "writeSharedRWMemory") (param i32 i32))
      (func (export "init") (param i32) {init})
      (func (export "getInputSignalSize") (param i32 i32) (result i32) (i32.const -1))
      (func (export "getInputSize") (result i32) (i32.const 0))
      (func (export "setInputSignal") (param i32 i32 i32))
      (func (export "getWitnessSize") (result i32) (i32.const {witness_size}))
      (func (export "getWitness") (param i32) (memory.copy (i32.const 0) (i32.const 64) (i32.const 32)))
      (func (export "getMessageChar") (result i32) (i32.const 0)))"""
    path = tmp_path / f"m{len(list(tmp_path.glob('m*.wasm')))}.wasm"
    path.write_bytes(wat2wasm(wat))
    return path


def test_without_wasmtime_the_extra_is_named(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "wasmtime", None)  # as if not installed
    with pytest.raises(MissingExtraError, match=r"wasmtime not installed.*'wasm' extra"):
        WitnessCalculator(tmp_path / "circuit.wasm")


def test_fnv1a64():
    assert fnv1a64("") == 0xCBF29CE484222325
    assert fnv1a64("a") == 0xAF63DC4C8601EC8C  # FNV's published test vector


# -- fullprove: snarkjs verifies ------------------------------------------------------------

@pytest.mark.slow
def test_fullprove_is_accepted_by_snarkjs(tmp_path_factory, tmp_path, capsys):
    from zkwork.bench.snarkjs_peer import CACHE_ENV, measure_snarkjs

    cache = os.environ.get(CACHE_ENV) or tmp_path_factory.mktemp("zkey_cache")
    name = "membership_hardened_d4"
    inputs = pattern(name).sample_inputs()
    main_file = ROOT / "circuits" / "main" / f"{name}.circom"
    paths = measure_snarkjs(main_file, inputs, runs=1, verify_runs=1, warmup=0, cache_dir=cache)["paths"]
    wasm, zkey = paths["wasm"], paths["zkey"]
    input_json = write_input(tmp_path / "input.json", inputs)
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    assert main(["groth16", "fullprove", str(input_json), wasm, zkey, str(proof), str(public)]) == 0
    assert json.loads(public.read_text()) == as_json(pattern(name).expected_public(inputs))
    result = run_node_tool("snarkjs", "groth16", "verify", paths["verification_key"], public, proof, check=False)
    assert result.returncode == 0 and "OK" in result.stdout, result.stdout + result.stderr
    assert fullprove(input_json, wasm, zkey, proof, public)[1] == pattern(name).expected_public(inputs)
    bad = write_input(tmp_path / "bad.json", {**inputs, "root": inputs["root"] + 1})
    with pytest.raises(CircuitAssertionError):
        fullprove(bad, wasm, zkey, tmp_path / "p2.json", tmp_path / "s2.json")
    assert not (tmp_path / "p2.json").exists()
    # snarkjs would prove the statement of challenge mod r; zkwork refuses the input
    outside = write_input(tmp_path / "outside.json", {**inputs, "challenge": inputs["challenge"] + R})
    capsys.readouterr()
    assert main(["groth16", "fullprove", str(outside), wasm, zkey, str(tmp_path / "p3.json"),
                 str(tmp_path / "s3.json")]) == 2
    assert "input 'challenge'" in capsys.readouterr().err and not (tmp_path / "p3.json").exists()
    with pytest.raises(CircuitInputError, match="input 'challenge'.*snarkjs would silently reduce"):
        fullprove(outside, wasm, zkey, tmp_path / "p3.json", tmp_path / "s3.json")
