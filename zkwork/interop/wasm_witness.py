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

Inputs are snarkjs's: a dict from signal name to a number or nested lists of numbers, flattened
in order (row-major); a dict value names a bus's fields ("a.b", "a[0].b"). A number is an int,
a decimal string with an optional sign, a 0x-hex string, or an integral float below 2^53
(JSON's "1e3"). Every value is reduced mod r as snarkjs does (BigInt(x) % p, made
non-negative), so -1 is r - 1 and r + 5 is 5. Unlike snarkjs, booleans, null and the empty
string (which JavaScript's BigInt reads as 1 and 0) are refused, and a JSON integer keeps all
its digits (JavaScript rounds one above 2^53 to a float before snarkjs sees it).

The .wasm is untrusted input: it is read as a regular file of at most MAX_WASM_BYTES, must
import nothing but the four functions above, and each calculation runs in a fresh wasmtime
Store with a memory limit and a time limit (epoch interruption), so a module that loops or
grows its memory forever is stopped with WitnessLimitError; the witness size it claims is
bounded too, before anything of that size is read.
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
# Seconds of one calculation, including reading the witness out (d20: about 0.2 s).
DEFAULT_TIMEOUT = 300.0
# The most witness values a calculator may claim (checked before the values are read; the
# time limit applies too): 2^28, 8 GiB of values, past what the largest BN254 ptau (2^28
# constraints) lets snarkjs or zkwork prove.
MAX_WITNESS_SIZE = 1 << 28
WASM_MAGIC = b"\0asm"
MAX_MESSAGE_CHARS = 1 << 16  # of one error or log message, so a module cannot stream one forever
# circom's modules have one table (for indirect calls), of one entry per function.
_TABLES, _TABLE_ELEMENTS = 4, 1 << 20

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
# Not used by circom's JS, but exported by circom 2: where the shared memory sits in `memory`,
# so a witness value is read in one call instead of n32.
FAST_EXPORTS = {"getSharedRWMemoryStart": ((), ("i32",))}

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


def input_value(value, name, prime=R):
    """One input value as snarkjs reads it, reduced into [0, prime) (see the module docstring)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):  # numpy's integers too
        return int(value) % prime
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_FLOAT:
        return int(value) % prime
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DECIMAL.fullmatch(text):
                return int(text, 10) % prime
            if _HEX.fullmatch(text):
                return int(text, 16) % prime
        except ValueError as reason:  # more digits than Python's int() reads
            raise CircuitInputError(f"input {name!r}: {reason}") from reason
    raise CircuitInputError(f"input {name!r} = {value!r:.80} is not an integer (an int, a decimal string or a "
                            "0x-hex string)")


def _leaves(value):
    """The non-list items of nested lists, in order (snarkjs's flatArray)."""
    if not isinstance(value, list):
        yield value
        return
    for item in value:
        yield from _leaves(item)


def flatten_inputs(inputs, prime=R, prefix=""):
    """[(signal name, [values mod prime])] of a snarkjs input dict: lists flattened in order,
    bus fields named "a.b" and "a[i].b" (snarkjs's qualify_input)."""
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
            flat += _flatten_bus_list(value, name, prime)
        else:
            flat.append((name, [input_value(leaf, f"{name}[{i}]" if isinstance(value, list) else name, prime)
                                for i, leaf in enumerate(leaves)]))
    return flat


def _flatten_bus_list(value, name, prime):
    """The signals of a bus or (nested) list of buses named `name`."""
    if isinstance(value, dict):
        return flatten_inputs(value, prime, name)
    return [signal for i, item in enumerate(value) for signal in _flatten_bus_list(item, f"{name}[{i}]", prime)]


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
        # One run at a time: the time limit is the engine's epoch, which every store shares.
        self._lock = threading.Lock()
        with self._run() as run:
            self.version = run.version
            self.n32, self.prime = run.n32, run.prime
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

    @contextlib.contextmanager
    def _run(self):
        """A fresh instance in its own bounded store, as a _Run; wasmtime's traps and errors
        become typed errors."""
        wasmtime = self._wasmtime
        with self._lock:
            store = wasmtime.Store(self._engine)
            timer = threading.Timer(self.timeout, self._engine.increment_epoch)
            try:
                store.set_limits(memory_size=self.memory_limit, table_elements=_TABLE_ELEMENTS, instances=1,
                                 tables=_TABLES, memories=1)
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

    def calculate_limbs(self, inputs, sanity_check=False):
        """The witness for `inputs` (see the module docstring) as an (n, 4) uint64 array of
        plain little-endian limbs, snarkjs's .wtns values."""
        signals = flatten_inputs(inputs, self.prime)
        with self._run() as run:
            run.set_inputs(signals, sanity_check)
            return run.witness()

    def calculate(self, inputs, sanity_check=False):
        """The witness for `inputs` as a list of ints in [0, r): 1, the outputs, the public
        inputs, then the rest (circom's order)."""
        return array_to_ints(self.calculate_limbs(inputs, sanity_check))

    def calculate_wtns(self, inputs, wtns_path, sanity_check=False):
        """Write the witness for `inputs` as a .wtns file (snarkjs's bytes); returns the witness."""
        witness = self.calculate(inputs, sanity_check)
        write_wtns(witness, wtns_path)
        return witness


class _Run:
    """One instance of the module in its own store: the host side of circom's runtime."""

    def __init__(self, calculator, store):
        wasmtime = calculator._wasmtime
        self.calculator, self.store = calculator, store
        self.errors, self.line = [], []
        hosts = {"exceptionHandler": self._exception, "printErrorMessage": self._error_message,
                 "writeBufferMessage": self._log_message, "showSharedRWMemory": self._log_value}
        module = calculator._module
        imports = [wasmtime.Func(store, item.type, hosts[item.name]) for item in module.imports]
        instance = wasmtime.Instance(store, module, imports)
        self.exports = instance.exports(store)
        self.version = tuple(self.call(name) if name in self.exports else 0
                             for name in ("getVersion", "getMinorVersion", "getPatchVersion"))
        if self.version[0] != 2:
            raise WitnessCalculationError(f"{calculator.path}: a circom {self.version[0]} witness calculator; "
                                          "zkwork runs those of circom 2")
        self.n32 = self.call("getFieldNumLen32")
        if not 0 < self.n32 <= 64:
            raise WitnessCalculationError(f"{calculator.path}: field elements of {self.n32} words")
        self.read_shared = self._shared_reader()
        self.call("getRawPrime")
        self.prime = int.from_bytes(self.read_shared(), "little")
        if self.prime != R:
            raise WitnessCalculationError(f"{calculator.path}: a witness calculator over the prime {self.prime}, "
                                          "not BN254's scalar field r (compile with circom --prime bn128)")

    def call(self, name, *args):
        """Call the export `name`."""
        return self.exports[name](self.store, *args)

    def _shared_reader(self):
        """A function giving the shared memory's n32 words as bytes: one read of `memory` at
        getSharedRWMemoryStart where the module exports both, else n32 readSharedRWMemory calls."""
        n8 = 4 * self.n32

        def words():
            return b"".join((self.call("readSharedRWMemory", j) & MASK32).to_bytes(4, "little") for j in range(self.n32))

        memory = self.exports["memory"] if "memory" in self.exports else None
        start_type = FAST_EXPORTS["getSharedRWMemoryStart"]
        start_func = self.exports["getSharedRWMemoryStart"] if "getSharedRWMemoryStart" in self.exports else None
        if not isinstance(memory, self.calculator._wasmtime.Memory) or start_func is None \
                or _signature(start_func.type(self.store)) != start_type:
            return words
        start = self.call("getSharedRWMemoryStart") & MASK32
        if start + n8 > memory.data_len(self.store):
            return words

        def fast():
            return memory.read(self.store, start, start + n8)

        self.call("getRawPrime")  # both ways must agree on a value before the fast one is trusted
        return fast if fast() == words() else words

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
        path, n8 = self.calculator.path, 4 * self.n32
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
            for i, value in enumerate(values):
                data = value.to_bytes(n8, "little")
                for j in range(self.n32):
                    self.call("writeSharedRWMemory", j, _i32(int.from_bytes(data[4 * j:4 * j + 4], "little")))
                self.call("setInputSignal", high, low, i)
                count += 1
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
        data = bytearray()
        get = self.exports["getWitness"]
        for i in range(size):
            get(self.store, i)
            data += self.read_shared()
        limbs = np.frombuffer(bytes(data), dtype="<u8").reshape(size, 4).astype(np.uint64)
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


def calculate_witness(wasm_path, inputs, **bounds):
    """The witness (ints in [0, r)) that circom's witness calculator `wasm_path` computes for
    `inputs`; `bounds` are WitnessCalculator's (timeout, memory_limit, max_wasm_bytes)."""
    return WitnessCalculator(wasm_path, **bounds).calculate(inputs)


def read_inputs(input_json_path):
    """A snarkjs input.json: a JSON object of named signals (read bounded, errors typed)."""
    inputs = read_json(input_json_path, CircuitInputError)
    if not isinstance(inputs, dict):
        raise CircuitInputError(f"{input_json_path}: expected a JSON object of named input signals")
    return inputs


def calculate_wtns(wasm_path, input_json_path, wtns_path, **bounds):
    """snarkjs's `wtns calculate`: the witness of the inputs in `input_json_path` by the
    circuit's .wasm, written to `wtns_path`; returns the witness (ints)."""
    return WitnessCalculator(wasm_path, **bounds).calculate_wtns(read_inputs(input_json_path), wtns_path)
