"""circom's witness calculator run in-process: the WebAssembly module that `circom --wasm`
writes (<name>_js/<name>.wasm), driven with wasmtime the way circom's generated
witness_calculator.js (and snarkjs's `wtns calculate`) drives it, so that the witness, and the
.wtns file written from it, are snarkjs's byte for byte.

The protocol (circom 2). The module imports four functions from `runtime`:

    exceptionHandler(code)   the module failed: code 1 signal not found, 2 too many signals
                             set, 3 signal already set, 4 assert failed, 5 not enough memory,
                             6 input signal array access exceeds the size, 7 out of bounds
                             array access; it does not return (the host raises)
    printErrorMessage()      a message explaining the failure is ready (read it with getMessageChar)
    writeBufferMessage()     a piece of a circuit `log(...)` is ready; "\\n" ends the line
    showSharedRWMemory()     a field element to log is in the shared memory

and exports `memory` and functions over a "shared read-write memory" of n32 = getFieldNumLen32()
32-bit words, least significant first, which holds one field element at a time:
getVersion, getRawPrime (the prime into the shared memory), read/writeSharedRWMemory(j[, v]),
init(sanityCheck), getInputSignalSize(hMSB, hLSB) (-1 for no such input), getInputSize,
setInputSignal(hMSB, hLSB, i) (element i of the input from the shared memory; the circuit runs
when the last input is set), getWitnessSize, getWitness(i) (witness value i into the shared
memory), getMessageChar (the next character of the pending message, 0 at its end).
An input is named by the FNV-1a 64-bit hash of its name, split into its high and low 32 bits.

Speed. A call from Python into wasmtime costs 10-40 us (wasmtime-py checks and converts every
argument), and the protocol above takes n32 + 1 calls per input value and n32 + 1 (or, reading
the shared memory at getSharedRWMemoryStart, 2) per witness value: 110 ms of
membership_hardened_d20's witness (5,125 wires), nearly all of it. So the loops run inside
wasm: a small module of zkwork's own (DRIVER_WAT), instantiated in the same store and linked
to the circuit's exports, copies input values from its own memory into the shared memory and
sets them, and copies witness values out the same way; Python writes and reads that memory
in one slice per chunk. The circuit's module never sees the driver's memory (it is not
exported to it), so the driver's buffer adds nothing the circuit can reach. d20's witness
then takes about 7 ms (median of 20 warm runs on a quiet 2-core machine; 110 ms before), of
which 5.9 ms is the circuit's own code.

Inputs are snarkjs's: a dict from signal name to a number or nested lists of numbers, flattened
in order (row-major); a dict value names a bus's fields ("a.b", "a[0].b"). A number is an int,
a decimal string with an optional sign, a 0x-hex string, or an integral float below 2^53
(JSON's "1e3"). By default a value must be a field element, an integer in [0, r):
CircuitInputError names a negative one or one >= r. snarkjs instead reduces every value mod r
(BigInt(x) % p, made non-negative), so -1 is r - 1 and r + 5 is 5; `reduce=True` reads inputs
so, for byte-for-byte `wtns calculate` compatibility. Unlike snarkjs, booleans, null and the
empty string (which JavaScript's BigInt reads as 1 and 0) are refused, and a JSON integer keeps
all its digits (JavaScript rounds one above 2^53 to a float before snarkjs sees it).

The .wasm is untrusted input: it is read as a regular file of at most MAX_WASM_BYTES, must
import nothing but the four functions above, and each calculation runs in a fresh wasmtime
Store with a memory limit and a time limit (epoch interruption), so a module that loops or
grows its memory forever is stopped with WitnessLimitError; the witness size it claims is
bounded too, before anything of that size is read, and every witness value is checked < r.
"""
import contextlib
import logging
import numbers
import re
import threading

import numpy as np

from zkwork.errors import CircuitAssertionError, CircuitInputError, UnreadableFileError, WitnessCalculationError, \
    WitnessLimitError
from zkwork.field import R
from zkwork.field.limbs import array_to_ints, ints_to_array
from zkwork.formats import write_wtns
from zkwork.groth16.snarkjs_json import read_json
from zkwork.regular_files import read_regular
from zkwork.resources import require_extra

# circom's .wasm holds the code of each template and function plus constant tables; its size
# grows with the circuit's variety, not its constraints (membership_hardened_d20, 5,125 wires,
# is 1.7 MB). 256 MiB leaves two orders of magnitude above that and bounds what the compiler
# is handed.
MAX_WASM_BYTES = 256 << 20
# A circom module allocates its signals up front and grows little while it runs (d20: 2.4 MB);
# 2 GiB of linear memory (of wasm32's 4 GiB) holds the signals of circuits far beyond what a
# BN254 powers-of-tau file of 2^28 constraints can prove.
DEFAULT_MEMORY_LIMIT = 2 << 30
# Seconds of one calculation, including reading the witness out (d20: about 7 ms).
DEFAULT_TIMEOUT = 300.0
# The most witness values a calculator may claim (checked before the values are read; the
# time limit applies too): 2^28, 8 GiB of values, past what the largest BN254 ptau (2^28
# constraints) lets snarkjs or zkwork prove.
MAX_WITNESS_SIZE = 1 << 28
WASM_MAGIC = b"\0asm"
MAX_MESSAGE_CHARS = 1 << 16  # of one error or log message, so a module cannot stream one forever
# circom's modules have one table (for indirect calls), of one entry per function.
_TABLES, _TABLE_ELEMENTS = 4, 1 << 20
# BN254's r takes 8 words of 32 bits: zkwork runs witness calculators over r only.
N32 = 8
N8 = 4 * N32
# The driver's memory: the shared memory's words (a value to log) at 0, then the exchange
# buffer of input or witness values. One 64 KiB page holds 2,047 values, so d20's witness
# comes out in 3 driver calls; 16 pages take 1, and reading the witness measured 0.79 ms
# against 0.76 (medians of 40, interleaved): an extra call and slice cost ~15 us. One page
# keeps the driver far below any memory limit a circom module can start under.
_DRIVER_PAGES = 1
_DATA = N8
_CHUNK = (_DRIVER_PAGES * 65536 - _DATA) // N8

# zkwork's own module, linked to the circuit's instance in the same store: the loops of the
# protocol in wasm, so that Python makes one call per chunk of values instead of 9 per value.
DRIVER_WAT = f"""(module
  (import "circom" "writeSharedRWMemory" (func $write (param i32 i32)))
  (import "circom" "readSharedRWMemory" (func $read (param i32) (result i32)))
  (import "circom" "setInputSignal" (func $set (param i32 i32 i32)))
  (import "circom" "getWitness" (func $get (param i32)))
  (memory (export "buffer") {_DRIVER_PAGES})
  ;; the shared memory's {N32} words to the buffer at $at
  (func $readShared (export "readShared") (param $at i32)
    (local $j i32)
    (block $done (loop $words
      (br_if $done (i32.ge_u (local.get $j) (i32.const {N32})))
      (i32.store (i32.add (local.get $at) (i32.shl (local.get $j) (i32.const 2))) (call $read (local.get $j)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $words))))
  ;; elements $first .. $first + $count - 1 of the input ($high, $low), from the buffer at {_DATA}
  (func (export "setInputs") (param $high i32) (param $low i32) (param $first i32) (param $count i32)
    (local $k i32) (local $j i32) (local $at i32)
    (local.set $at (i32.const {_DATA}))
    (block $done (loop $values
      (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
      (local.set $j (i32.const 0))
      (block $written (loop $words
        (br_if $written (i32.ge_u (local.get $j) (i32.const {N32})))
        (call $write (local.get $j) (i32.load (local.get $at)))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $words)))
      (call $set (local.get $high) (local.get $low) (i32.add (local.get $first) (local.get $k)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $values))))
  ;; witness values $first .. $first + $count - 1 to the buffer at {_DATA}
  (func (export "getWitnesses") (param $first i32) (param $count i32)
    (local $k i32)
    (block $done (loop $values
      (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
      (call $get (i32.add (local.get $first) (local.get $k)))
      (call $readShared (i32.add (i32.const {_DATA}) (i32.mul (local.get $k) (i32.const {N8}))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $values)))))
"""

EXCEPTIONS = {
    1: "Signal not found.",
    2: "Too many signals set.",
    3: "Signal already set.",
    4: "Assert Failed.",
    5: "Not enough memory.",
    6: "Input signal array access exceeds the size.",
    7: "Out of bounds array access.",
}
ASSERT_FAILED, NOT_ENOUGH_MEMORY = 4, 5

# name -> (parameter types, result types)
IMPORTS = {
    "exceptionHandler": (("i32",), ()),
    "printErrorMessage": ((), ()),
    "writeBufferMessage": ((), ()),
    "showSharedRWMemory": ((), ()),
}
EXPORTS = {
    "getVersion": ((), ("i32",)),
    "getFieldNumLen32": ((), ("i32",)),
    "getRawPrime": ((), ()),
    "readSharedRWMemory": (("i32",), ("i32",)),
    "writeSharedRWMemory": (("i32", "i32"), ()),
    "init": (("i32",), ()),
    "getInputSignalSize": (("i32", "i32"), ("i32",)),
    "getInputSize": ((), ("i32",)),
    "setInputSignal": (("i32", "i32", "i32"), ()),
    "getWitnessSize": ((), ("i32",)),
    "getWitness": (("i32",), ()),
    "getMessageChar": ((), ("i32",)),
}

FNV_OFFSET, FNV_PRIME, MASK64, MASK32 = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1, (1 << 32) - 1
_DECIMAL = re.compile(r"[+-]?[0-9]+")
_HEX = re.compile(r"0[xX][0-9a-fA-F]+")
_EXACT_FLOAT = 1 << 53
_R_LIMBS = ints_to_array([R])[0]

logger = logging.getLogger(__name__)


def fnv1a64(name):
    """circom's hash of a signal name: FNV-1a 64 over its UTF-16 code units (JavaScript's charCodeAt)."""
    units = name.encode("utf-16-le")
    h = FNV_OFFSET
    for i in range(0, len(units), 2):
        h = ((h ^ int.from_bytes(units[i:i + 2], "little")) * FNV_PRIME) & MASK64
    return h


def _i32(value):
    """A u32 as the signed i32 wasmtime takes (JavaScript's ToInt32 wraps likewise)."""
    value &= MASK32
    return value - (1 << 32) if value >> 31 else value


def _integer(value, name):
    """The integer an input value denotes (see the module docstring), not yet reduced."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):  # numpy's integers too
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_FLOAT:
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DECIMAL.fullmatch(text):
                return int(text, 10)
            if _HEX.fullmatch(text):
                return int(text, 16)
        except ValueError as reason:  # more digits than Python's int() reads
            raise CircuitInputError(f"input {name!r}: {reason}") from reason
    raise CircuitInputError(f"input {name!r} = {value!r:.80} is not an integer (an int, a decimal string or a "
                            "0x-hex string)")


def input_value(value, name, prime=R, reduce=False):
    """One input value as an element of [0, prime): with `reduce`, reduced mod prime as snarkjs
    does; else CircuitInputError for a value outside [0, prime) (see the module docstring)."""
    number = _integer(value, name)
    if reduce or 0 <= number < prime:
        return number % prime
    where = "negative" if number < 0 else "not below r, the field's modulus"
    raise CircuitInputError(f"input {name!r} = {str(number):.80} is {where}: inputs must be field elements "
                            f"in [0, r) (snarkjs would silently reduce it mod r, to {number % prime})")


def _leaves(value):
    """The non-list items of nested lists, in order (snarkjs's flatArray)."""
    if not isinstance(value, list):
        yield value
        return
    for item in value:
        yield from _leaves(item)


def flatten_inputs(inputs, prime=R, prefix="", reduce=False):
    """[(signal name, [values in [0, prime)])] of a snarkjs input dict: lists flattened in
    order, bus fields named "a.b" and "a[i].b" (snarkjs's qualify_input); values read by
    input_value(..., reduce)."""
    if not isinstance(inputs, dict):
        raise CircuitInputError(f"inputs{' of ' + prefix if prefix else ''}: expected an object of named signals, "
                                f"got {type(inputs).__name__}")
    flat = []
    for key, value in inputs.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        leaves = list(_leaves(value))
        buses = sum(isinstance(leaf, dict) for leaf in leaves)
        if buses and buses != len(leaves):
            raise CircuitInputError(f"input {name!r}: mixes objects and numbers")
        if buses:
            flat += _flatten_bus_list(value, name, prime, reduce)
        else:
            flat.append((name, [input_value(leaf, f"{name}[{i}]" if isinstance(value, list) else name, prime, reduce)
                                for i, leaf in enumerate(leaves)]))
    return flat


def _flatten_bus_list(value, name, prime, reduce):
    """The signals of a bus or (nested) list of buses named `name`."""
    if isinstance(value, dict):
        return flatten_inputs(value, prime, name, reduce)
    return [signal for i, item in enumerate(value)
            for signal in _flatten_bus_list(item, f"{name}[{i}]", prime, reduce)]


class WitnessCalculator:
    """A circom witness-calculator .wasm compiled once, computing witnesses in fresh instances."""

    def __init__(self, wasm_path, timeout=DEFAULT_TIMEOUT, memory_limit=DEFAULT_MEMORY_LIMIT,
                 max_wasm_bytes=MAX_WASM_BYTES, log=None):
        """Read and compile `wasm_path` (a regular file of at most `max_wasm_bytes`); each
        calculation may take `timeout` seconds and `memory_limit` bytes of linear memory;
        circuit log() lines go to `log` (a callable; default: this module's logger, INFO)."""
        require_extra("wasm")
        import wasmtime

        self._wasmtime = wasmtime
        self.path, self.timeout, self.memory_limit = str(wasm_path), float(timeout), int(memory_limit)
        self.log = log or logger.info
        code = read_regular(wasm_path, max_wasm_bytes, UnreadableFileError, "witness-calculator .wasm")
        # wasmtime would parse anything else as the text format: circom writes the binary one.
        if code[:4] != WASM_MAGIC:
            raise WitnessCalculationError(f"{self.path}: not a WebAssembly module: it does not start with the "
                                          "binary format's magic bytes \\0asm")
        config = wasmtime.Config()
        config.epoch_interruption = True
        self._engine = wasmtime.Engine(config)
        try:
            self._module = wasmtime.Module(self._engine, code)
        except wasmtime.WasmtimeError as reason:
            raise WitnessCalculationError(f"{self.path}: not a WebAssembly module: {reason}") from reason
        self._check_interface()
        self._driver = wasmtime.Module(self._engine, DRIVER_WAT)
        # One run at a time: the time limit is the engine's epoch, which every store shares.
        self._lock = threading.Lock()
        with self._run() as run:
            self._check_field(run)
            self.input_size, self.witness_size = run.call("getInputSize"), run.call("getWitnessSize")

    def _check_interface(self):
        """Refuse a module that imports anything but circom's runtime or lacks its exports."""
        wasmtime = self._wasmtime
        for item in self._module.imports:
            wanted = IMPORTS.get(item.name) if item.module == "runtime" else None
            if wanted is None or not isinstance(item.type, wasmtime.FuncType) or _signature(item.type) != wanted:
                raise WitnessCalculationError(f"{self.path}: not a circom witness calculator: it imports "
                                              f"{item.module}.{item.name}, which circom's runtime does not provide")
        exports = {item.name: item.type for item in self._module.exports}
        for name, wanted in EXPORTS.items():
            kind = exports.get(name)
            if not isinstance(kind, wasmtime.FuncType) or _signature(kind) != wanted:
                raise WitnessCalculationError(f"{self.path}: not a circom 2 witness calculator: no function "
                                              f"{name}{_format(wanted)} among its exports")
        memory = exports.get("memory")
        if isinstance(memory, wasmtime.MemoryType) and memory.limits.min * 65536 > self.memory_limit:
            raise WitnessLimitError(f"{self.path}: the module asks for {memory.limits.min * 65536} bytes of memory "
                                    f"at start, more than its memory limit of {self.memory_limit}")

    def _check_field(self, run):
        """Refuse a module of another circom version or field than circom 2 over BN254's r.
        Checked once: every later instance runs the same code from the same state."""
        version = tuple(run.call(name) if name in run.exports else 0
                        for name in ("getVersion", "getMinorVersion", "getPatchVersion"))
        if version[0] != 2:
            raise WitnessCalculationError(f"{self.path}: a circom {version[0]} witness calculator; "
                                          "zkwork runs those of circom 2")
        n32 = run.call("getFieldNumLen32")
        if n32 != N32:
            raise WitnessCalculationError(f"{self.path}: field elements of {n32} 32-bit words; BN254's r takes "
                                          f"{N32} (compile with circom --prime bn128)")
        run.call("getRawPrime")
        prime = int.from_bytes(run.read_shared(), "little")
        if prime != R:
            raise WitnessCalculationError(f"{self.path}: a witness calculator over the prime {prime}, "
                                          "not BN254's scalar field r (compile with circom --prime bn128)")
        self.version, self.n32, self.prime = version, n32, prime

    @contextlib.contextmanager
    def _run(self):
        """A fresh instance in its own bounded store, as a _Run; wasmtime's traps and errors
        become typed errors.

        Fresh per calculation, for isolation: nothing of one calculation (private inputs, or
        the half-done state a failed assert leaves) can reach the next, whatever the module
        does. Measured on d20 (medians of 100): the store and both instances 0.2 ms, the timer
        thread 0.08 ms, and the first touch of the fresh linear memory 0.6 ms more circuit time
        than a reused instance (5.9 against 5.3 ms) -- about 1 ms of a 7 ms witness, paid for
        isolation. The timer is a thread per run rather than a long-lived ticker because that
        0.08 ms is 1% of the run and a ticker would wake forever between calculations."""
        wasmtime = self._wasmtime
        with self._lock:
            store = wasmtime.Store(self._engine)
            timer = threading.Timer(self.timeout, self._engine.increment_epoch)
            try:
                store.set_limits(memory_size=self.memory_limit, table_elements=_TABLE_ELEMENTS, instances=2,
                                 tables=_TABLES, memories=2)
                store.set_epoch_deadline(1)
                timer.daemon = True
                timer.start()
                yield _Run(self, store)
            except wasmtime.Trap as trap:
                if trap.trap_code == wasmtime.TrapCode.INTERRUPT:
                    raise WitnessLimitError(f"{self.path}: stopped at its time limit of {self.timeout:g} s") from None
                raise WitnessCalculationError(f"{self.path}: the witness calculator trapped: {trap.message}") from None
            except wasmtime.WasmtimeError as reason:
                raise WitnessCalculationError(f"{self.path}: {reason}") from None
            finally:
                timer.cancel()
                store.close()

    def calculate_limbs(self, inputs, sanity_check=False, reduce=False):
        """The witness for `inputs` (see the module docstring; `reduce` reads values mod r as
        snarkjs does instead of refusing those outside [0, r)) as an (n, 4) uint64 array of
        plain little-endian limbs, snarkjs's .wtns values."""
        signals = flatten_inputs(inputs, self.prime, reduce=reduce)
        with self._run() as run:
            run.set_inputs(signals, sanity_check)
            return run.witness()

    def calculate(self, inputs, sanity_check=False, reduce=False):
        """The witness for `inputs` as a list of ints in [0, r): 1, the outputs, the public
        inputs, then the rest (circom's order)."""
        return array_to_ints(self.calculate_limbs(inputs, sanity_check, reduce))

    def calculate_wtns(self, inputs, wtns_path, sanity_check=False, reduce=False):
        """Write the witness for `inputs` as a .wtns file (snarkjs's bytes); returns the witness."""
        witness = self.calculate(inputs, sanity_check, reduce)
        write_wtns(witness, wtns_path)
        return witness


class _Run:
    """One instance of the module, and one of the driver linked to it, in their own store:
    the host side of circom's runtime."""

    def __init__(self, calculator, store):
        wasmtime = calculator._wasmtime
        self.calculator, self.store = calculator, store
        self.errors, self.line = [], []
        hosts = {"exceptionHandler": self._exception, "printErrorMessage": self._error_message,
                 "writeBufferMessage": self._log_message, "showSharedRWMemory": self._log_value}
        module = calculator._module
        imports = [wasmtime.Func(store, item.type, hosts[item.name]) for item in module.imports]
        self.exports = wasmtime.Instance(store, module, imports).exports(store)
        linked = [self.exports[item.name] for item in calculator._driver.imports]
        driver = wasmtime.Instance(store, calculator._driver, linked).exports(store)
        self.buffer = driver["buffer"]
        self._read_shared, self._set_inputs, self._get_witnesses = (
            driver[name] for name in ("readShared", "setInputs", "getWitnesses"))

    def call(self, name, *args):
        """Call the circuit's export `name`."""
        return self.exports[name](self.store, *args)

    def read_shared(self):
        """The shared memory's N32 words, as bytes (little-endian)."""
        self._read_shared(self.store, 0)
        return self.buffer.read(self.store, 0, N8)

    def _message(self):
        """The pending message, read with getMessageChar (JavaScript's String.fromCharCode)."""
        chars = []
        while len(chars) < MAX_MESSAGE_CHARS:
            code = self.call("getMessageChar") & 0xFFFF
            if code == 0:
                break
            chars.append("\ufffd" if 0xD800 <= code < 0xE000 else chr(code))
        return "".join(chars)

    def _exception(self, code):
        """exceptionHandler: the module failed; raise the typed error, with its messages."""
        text = " ".join([EXCEPTIONS.get(code, f"Unknown error (code {code})."), *self.errors])
        path = self.calculator.path
        if code == ASSERT_FAILED:
            raise CircuitAssertionError(f"{path}: {text}", code, self.errors)
        if code == NOT_ENOUGH_MEMORY:
            raise WitnessLimitError(f"{path}: {text} (its memory limit is {self.calculator.memory_limit} bytes)", code)
        raise WitnessCalculationError(f"{path}: {text}", code)

    def _error_message(self):
        self.errors.append(self._message())

    def _log_message(self):
        message = self._message()
        if message == "\n":  # a log() call ends with one: the line is complete
            self.calculator.log(" ".join(self.line))
            self.line = []
        else:
            self.line.append(message)

    def _log_value(self):
        self.line.append(str(int.from_bytes(self.read_shared(), "little")))

    def set_inputs(self, signals, sanity_check):
        """init, then every input value through the shared memory (the circuit runs when the
        last is set); CircuitInputError for an unknown name, a wrong count or a missing input."""
        path = self.calculator.path
        self.call("init", 1 if sanity_check else 0)
        count = 0
        for name, values in signals:
            h = fnv1a64(name)
            high, low = _i32(h >> 32), _i32(h)
            size = self.call("getInputSignalSize", high, low)
            if size < 0:
                raise CircuitInputError(f"{path}: the circuit has no input signal {name!r}")
            if len(values) != size:
                raise CircuitInputError(f"{path}: input signal {name!r} takes {size} value(s), given {len(values)}")
            for first in range(0, size, _CHUNK):
                chunk = values[first:first + _CHUNK]
                self.buffer.write(self.store, b"".join(value.to_bytes(N8, "little") for value in chunk), _DATA)
                self._set_inputs(self.store, high, low, first, len(chunk))
            count += size
        expected = self.call("getInputSize")
        if count < expected:
            raise CircuitInputError(f"{path}: {count} input value(s) given, the circuit takes {expected}: "
                                    "some input signal is missing")

    def witness(self):
        """The computed witness as an (n, 4) uint64 array of plain limbs, each checked < r."""
        path = self.calculator.path
        size = self.call("getWitnessSize")
        if not 0 < size <= MAX_WITNESS_SIZE:
            raise WitnessCalculationError(f"{path}: a witness size of {size}, outside 1 .. {MAX_WITNESS_SIZE}")
        # Grown chunk by chunk rather than allocated at the claimed size: memory follows the
        # values the module actually produces, within its time limit.
        data = bytearray()
        for first in range(0, size, _CHUNK):
            count = min(_CHUNK, size - first)
            self._get_witnesses(self.store, first, count)
            data += self.buffer.read(self.store, _DATA, _DATA + count * N8)
        limbs = np.frombuffer(data, dtype="<u8").reshape(size, 4).astype(np.uint64, copy=False)
        below = _below_r(limbs)
        if not below.all():
            raise WitnessCalculationError(f"{path}: witness value {int(np.argmin(below))} is not below r")
        return limbs


def _below_r(limbs):
    """Whether each row of plain limbs is below r, compared from the most significant limb
    (numpy rather than FR.vec's numba kernel, whose first call costs as much as a witness)."""
    below, equal = np.zeros(len(limbs), dtype=np.bool_), np.ones(len(limbs), dtype=np.bool_)
    for k in reversed(range(4)):
        below |= equal & (limbs[:, k] < _R_LIMBS[k])
        equal &= limbs[:, k] == _R_LIMBS[k]
    return below


def _signature(func_type):
    """(parameter types, result types) of a wasmtime FuncType, as strings."""
    return tuple(map(str, func_type.params)), tuple(map(str, func_type.results))


def _format(signature):
    params, results = signature
    return f"({', '.join(params)}) -> ({', '.join(results)})"


# A resident process's cache of compiled calculators (zkwork.daemon.caches.FileCache), installed by
# use_calculator_cache; None: every call compiles its .wasm (~0.5 s for membership d20's 1.8 MB).
_calculator_cache = None


def use_calculator_cache(cache):
    """Compile every .wasm of witness_calculator through `cache` (get(path, compile) -> the
    WitnessCalculator; None: compile every time), as a resident prover does; returns the previous one."""
    global _calculator_cache
    previous, _calculator_cache = _calculator_cache, cache
    return previous


def witness_calculator(wasm_path, **bounds):
    """WitnessCalculator(wasm_path, **bounds), from the installed cache when the bounds are the
    defaults (the module's checks ran when it was compiled; each calculation has a fresh store)."""
    if _calculator_cache is None or bounds:
        return WitnessCalculator(wasm_path, **bounds)
    return _calculator_cache.get(wasm_path, WitnessCalculator)


def calculate_witness(wasm_path, inputs, reduce=False, **bounds):
    """The witness (ints in [0, r)) that circom's witness calculator `wasm_path` computes for
    `inputs` (`reduce`: read them mod r as snarkjs does); `bounds` are WitnessCalculator's
    (timeout, memory_limit, max_wasm_bytes)."""
    return witness_calculator(wasm_path, **bounds).calculate(inputs, reduce=reduce)


def read_inputs(input_json_path):
    """A snarkjs input.json: a JSON object of named signals (read bounded, errors typed)."""
    inputs = read_json(input_json_path, CircuitInputError)
    if not isinstance(inputs, dict):
        raise CircuitInputError(f"{input_json_path}: expected a JSON object of named input signals")
    return inputs


def calculate_wtns(wasm_path, input_json_path, wtns_path, reduce=False, **bounds):
    """snarkjs's `wtns calculate`: the witness of the inputs in `input_json_path` by the
    circuit's .wasm, written to `wtns_path`; returns the witness (ints). Inputs outside [0, r)
    are refused unless `reduce` (snarkjs's reading: mod r)."""
    return witness_calculator(wasm_path, **bounds).calculate_wtns(read_inputs(input_json_path), wtns_path,
                                                                  reduce=reduce)
