"""Readers of untrusted paths (issue #12 item 5): a path that is not a regular file (a symlink
to /dev/zero, a FIFO, a directory) and a header that declares more than the file holds are
refused by a typed error naming the file, at once and within a small memory budget: every
read runs in a thread under a heap limit and a timeout, so a reader that reads /dev/zero to
the end fails with MemoryError and one that blocks on a FIFO fails the test, instead of
exhausting the machine or hanging the run."""
import json
import os
import resource
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from test_key_files import circuit as cube_circuit

from zkwork.ceremony import PowersFileError, PowersOfTau
from zkwork.ceremony.powers import FORMAT as POWERS_FORMAT, VERSION as POWERS_VERSION
from zkwork.curve import G2Point
from zkwork.errors import (
    CountTooLargeError,
    FormatError,
    JsonFormatError,
    KeyFormatError,
    UnreadableBinaryFileError,
    UnreadableFileError,
)
from zkwork.formats import PtauFile, r1cs_info, read_ptau, read_r1cs, read_wtns, read_zkey, write_ptau
from zkwork.formats.binfile import MAX_SECTIONS, u32
from zkwork.groth16 import setup
from zkwork.groth16.key_files import read_proving_key, write_proving_key
from zkwork.groth16.snarkjs_json import MAX_JSON_BYTES, MAX_PROOF_JSON_BYTES, read_json_as, proof_from_json, read_json
from zkwork.r1cs import solve
from zkwork.regular_files import load_npy

TIMEOUT = 10  # seconds: a refusal takes milliseconds, a blocking open of a FIFO forever
HEAP_BUDGET = 256 << 20  # bytes a refusal may allocate; reading /dev/zero to its end takes any amount
NOT_REGULAR = ("dev-zero", "fifo", "directory")


def _heap_bytes():
    """The process's data segment (heap and private mappings), what RLIMIT_DATA limits."""
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmData:"))
    return int(line.split()[1]) * 1024


def _release(path):
    """Let a reader blocked opening the FIFO `path` go on, by opening its other end."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:  # not a FIFO, or nobody is waiting on it
        pass


def refusal(read, path):
    """The exception read(path) raises, run in a thread under HEAP_BUDGET and TIMEOUT."""
    outcome = {}

    def run():
        try:
            read(path)
        except BaseException as error:  # MemoryError included: it is the failure looked for
            outcome["error"] = error

    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = _heap_bytes() + HEAP_BUDGET
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    thread = threading.Thread(target=run, daemon=True)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    try:
        thread.start()
        thread.join(TIMEOUT)
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
    if thread.is_alive():
        _release(path)
        thread.join(TIMEOUT)
        pytest.fail(f"reading {path} was still blocked after {TIMEOUT} s")
    assert "error" in outcome, f"{path} was read without an error"
    return outcome["error"]


def assert_refused(read, path, error_class, message):
    """read(path) raises `error_class`, naming `path`, with `message` in its text."""
    error = refusal(read, path)
    assert isinstance(error, error_class), f"{type(error).__name__}: {error}"[:300]
    assert str(path) in str(error) and message in str(error), str(error)[:300]


def make_not_regular(path, kind):
    """Put a symlink to /dev/zero, a FIFO or a directory at `path` (replacing any file)."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    return path


NOT_REGULAR_MESSAGE = {"dev-zero": "a device, FIFO or socket, not a regular file",
                       "fifo": "a device, FIFO or socket, not a regular file",
                       "directory": "a directory, not a regular file"}


# -- circom and snarkjs binary files ---------------------------------------------------------------
BINARY_READERS = {"read_r1cs": read_r1cs, "r1cs_info": r1cs_info, "read_wtns": read_wtns,
                  "read_zkey": read_zkey, "read_ptau": read_ptau}


@pytest.mark.parametrize("kind", NOT_REGULAR)
@pytest.mark.parametrize("reader", sorted(BINARY_READERS))
def test_binary_readers_refuse_what_is_not_a_regular_file(reader, kind, tmp_path):
    path = make_not_regular(tmp_path / "input.bin", kind)
    assert_refused(BINARY_READERS[reader], path, UnreadableBinaryFileError, NOT_REGULAR_MESSAGE[kind])
    assert issubclass(UnreadableBinaryFileError, FormatError) and issubclass(UnreadableBinaryFileError,
                                                                            UnreadableFileError)


def test_a_section_table_longer_than_any_file_kind_has_is_refused(tmp_path):
    # Empty sections cost 12 bytes on disk each and a Python object in memory: the count is
    # refused before the table is scanned.
    count = 100_000
    path = tmp_path / "many.wtns"
    path.write_bytes(b"wtns" + u32(2) + u32(count) + (u32(1) + (0).to_bytes(8, "little")) * count)
    assert_refused(read_wtns, path, CountTooLargeError, f"{count} sections, more than the {MAX_SECTIONS}")


def _ptau_of_infinities(power, other_sections):
    n = 1 << power
    return PtauFile(power=power, ceremony_power=power, tau_g1=np.zeros((2 * n - 1, 2, 4), np.uint64),
                    tau_g2=np.zeros((n, 2, 2, 4), np.uint64), alpha_tau_g1=np.zeros((n, 2, 4), np.uint64),
                    beta_tau_g1=np.zeros((n, 2, 4), np.uint64), beta_g2=G2Point.infinity(),
                    other_sections=other_sections)


def test_ptau_sections_kept_unparsed_are_views_of_the_file_and_survive_its_rewriting(tmp_path):
    extra = bytes(range(256)) * 4096  # 1 MiB: not copied on reading
    path = tmp_path / "extra.ptau"
    write_ptau(_ptau_of_infinities(1, {20: extra}), path)
    ptau = read_ptau(path)
    assert isinstance(ptau.other_sections[20], memoryview) and ptau.other_sections[20] == extra
    # Writing over the file it was read from replaces the file instead of truncating the
    # pages still mapped (which would kill the process with SIGBUS).
    write_ptau(_ptau_of_infinities(1, {}), path)
    assert bytes(ptau.other_sections[20]) == extra
    assert read_ptau(path).other_sections == {}
    write_ptau(ptau, path)
    assert read_ptau(path).other_sections[20] == extra
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extra.ptau"]  # no temporary file left


# -- JSON files ------------------------------------------------------------------------------------
JSON_READERS = {"read_json": read_json, "read_json_as(proof)": lambda path: read_json_as(path, proof_from_json)}


@pytest.mark.parametrize("kind", NOT_REGULAR)
@pytest.mark.parametrize("reader", sorted(JSON_READERS))
def test_json_readers_refuse_what_is_not_a_regular_file(reader, kind, tmp_path):
    path = make_not_regular(tmp_path / "input.json", kind)
    assert_refused(JSON_READERS[reader], path, JsonFormatError, NOT_REGULAR_MESSAGE[kind])


def test_json_files_larger_than_their_bound_are_refused_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as f:  # sparse: its size is what is refused, never its content
        f.truncate(MAX_JSON_BYTES + 1)
    assert_refused(read_json, path, JsonFormatError, f"more than the {MAX_JSON_BYTES}")
    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps({"pi_a": ["1" * 100] * (MAX_PROOF_JSON_BYTES // 100)}))
    assert_refused(lambda p: read_json_as(p, proof_from_json), proof, JsonFormatError, f"more than the "
                                                                                  f"{MAX_PROOF_JSON_BYTES}")
    small = tmp_path / "small.json"
    small.write_text('{"a": 1}')
    assert read_json(small, max_bytes=8) == {"a": 1}
    assert_refused(lambda p: read_json(p, KeyFormatError, max_bytes=7), small, KeyFormatError, "8 bytes, more than the 7")


# -- zkwork's proving-key directories and phase-1 states -------------------------------------------
@pytest.fixture(scope="module")
def key_directory(tmp_path_factory):
    r1cs, _ = solve(cube_circuit, {"x": 27, "y": 3})
    directory = tmp_path_factory.mktemp("pk")
    write_proving_key(setup(r1cs), directory)
    return directory


@pytest.fixture(scope="module")
def powers_directory(tmp_path_factory):
    directory = tmp_path_factory.mktemp("powers")
    PowersOfTau.initial(2).write(directory)
    return directory


def _copy(directory, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(directory, target)
    return target


@pytest.mark.parametrize("kind", NOT_REGULAR)
@pytest.mark.parametrize("name", ["a_query.npy", "b2_query.npy", "A_indptr.npy", "C_coeffs.npy", "header.json"])
def test_proving_key_files_must_be_regular_files(key_directory, name, kind, tmp_path):
    directory = _copy(key_directory, tmp_path)
    path = make_not_regular(directory / name, kind)
    assert_refused(lambda _: read_proving_key(directory), path, KeyFormatError, NOT_REGULAR_MESSAGE[kind])


def _npy_header_only(path, dtype, shape):
    """A .npy file whose header declares `shape` and that holds none of its data."""
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                                                 "fortran_order": False, "shape": shape})


def test_a_proving_key_array_declaring_more_than_its_file_holds_is_refused_before_mapping(key_directory, tmp_path):
    directory = _copy(key_directory, tmp_path)
    path = directory / "A_indptr.npy"  # of any length: only the file's size bounds it
    _npy_header_only(path, np.int64, (1 << 40,))
    assert_refused(lambda _: read_proving_key(directory), path, KeyFormatError,
                   f"the header declares int64 ({1 << 40},), {8 << 40} bytes")


@pytest.mark.parametrize("kind", NOT_REGULAR)
@pytest.mark.parametrize("name", ["tau_g1.npy", "beta_g2.npy", "header.json"])
def test_phase1_state_files_must_be_regular_files(powers_directory, name, kind, tmp_path):
    directory = _copy(powers_directory, tmp_path)
    path = make_not_regular(directory / name, kind)
    assert_refused(lambda _: PowersOfTau.read(directory), path, PowersFileError, NOT_REGULAR_MESSAGE[kind])


def test_a_phase1_array_declaring_more_than_its_file_holds_is_refused_before_allocating(tmp_path):
    # A power-28 header asks for a 32 GiB tau_g1: the file's size refuses it, not an allocation.
    power, directory = 28, tmp_path / "state"
    directory.mkdir()
    (directory / "header.json").write_text(json.dumps({"format": POWERS_FORMAT, "version": POWERS_VERSION,
                                                       "power": power, "digest": "00" * 64}))
    shape = ((2 << power) - 1, 2, 4)
    _npy_header_only(directory / "tau_g1.npy", np.uint64, shape)
    assert_refused(lambda _: PowersOfTau.read(directory), directory / "tau_g1.npy", PowersFileError,
                   f"the header declares uint64 {shape}")


def test_a_phase1_header_larger_than_any_state_writes_is_refused(powers_directory, tmp_path):
    directory = _copy(powers_directory, tmp_path)
    header = json.loads((directory / "header.json").read_text())
    (directory / "header.json").write_text(json.dumps({**header, "padding": " " * 10_000}))
    assert_refused(lambda _: PowersOfTau.read(directory), directory / "header.json", PowersFileError,
                   "more than the 4096")


@pytest.mark.parametrize("mmap_mode", [False, True])
@pytest.mark.parametrize("version", [(1, 0), (2, 0)])
def test_load_npy_reads_what_np_load_reads(version, mmap_mode, tmp_path):
    expected = np.arange(24, dtype=np.uint64).reshape(2, 3, 4)
    for name, array in (("c.npy", expected), ("f.npy", np.asfortranarray(expected)), ("empty.npy", expected[:0])):
        with open(tmp_path / name, "wb") as f:
            np.lib.format.write_array(f, array, version=version)
        loaded = load_npy(tmp_path / name, KeyFormatError, lambda dtype, shape: None, mmap_mode=mmap_mode)
        assert np.array_equal(loaded, np.load(tmp_path / name)) and loaded.shape == array.shape
        assert loaded.flags.writeable != mmap_mode
    (tmp_path / "text.npy").write_text("not numpy")
    assert_refused(lambda p: load_npy(p, KeyFormatError, lambda dtype, shape: None), tmp_path / "text.npy",
                   KeyFormatError, "not a .npy array file")
