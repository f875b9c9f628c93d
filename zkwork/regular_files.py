"""Reading files that an attacker may have chosen: regular files only, sizes checked before
reading. Every reader of untrusted input (JSON, .r1cs, .sym, .wtns, .zkey, .ptau, proving-key
arrays) opens its file here, so a path to /dev/zero, a FIFO or a directory is refused by name
instead of being read until memory runs out.

A file is opened without blocking (a FIFO with no writer would otherwise hang the open), its
type and size taken from the open descriptor (no race with a rename between check and read),
and read up to the size the caller allows; large binary files are memory-mapped, so a
multi-GB .ptau costs address space, not memory, until its points are used. A .npy array
file's header is checked (dtype, shape, and a size that matches the file's exactly) before
its array is mapped or allocated.
"""
import math
import mmap
import os
import stat

import numpy as np

from zkwork.errors import UnreadableFileError

# numpy's header readers by .npy format version (3.0 only adds UTF-8 field names).
_NPY_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def _open_regular(path, error):
    """(descriptor, size) of the regular file at `path`; `error` naming the path otherwise."""
    # O_NOCTTY: a terminal device opened here must not become the process's controlling one.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as reason:
        raise error(f"{path}: {reason.strerror or reason}") from reason
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a device, FIFO or socket"
        raise error(f"{path}: {kind}, not a regular file")
    return fd, info.st_size


def read_regular(path, max_bytes, error=UnreadableFileError, what="file"):
    """The bytes of the regular file at `path`, which must hold at most `max_bytes`;
    `error` (a typed error class) naming the path and the bound otherwise."""
    fd, size = _open_regular(path, error)
    try:
        if size > max_bytes:
            raise error(f"{path}: {size} bytes, more than the {max_bytes} a {what} may hold")
        chunks, left = [], size + 1  # one byte more tells a file that grew since fstat
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as reason:
        raise error(f"{path}: {reason.strerror or reason}") from reason
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise error(f"{path}: grew past the {max_bytes} bytes a {what} may hold")
    return data


def map_regular(path, error=UnreadableFileError):
    """A read-only memoryview of the regular file at `path`, memory-mapped (an empty file
    gives an empty view); `error` naming the path if it is not a readable regular file."""
    fd, size = _open_regular(path, error)
    try:
        return _map(fd, size, path, error)
    finally:
        os.close(fd)


def _map(fd, size, path, error):
    """A read-only memoryview of the `size` bytes of the open file `fd` (mmap keeps its own
    duplicate of the descriptor, so the caller may close it)."""
    if size == 0:
        return memoryview(b"")
    try:
        return memoryview(mmap.mmap(fd, size, access=mmap.ACCESS_READ))
    except (OSError, ValueError) as reason:
        raise error(f"{path}: {reason}") from reason



def load_npy(path, error, expect, mmap_mode=False):
    """The array in the .npy file at `path`, a regular file: its header is read first and
    `expect(dtype, shape)` (which raises a typed error) must accept it, and the file must hold
    exactly the bytes the header declares, all before anything of that size is mapped or
    allocated. The array is read into memory, or with `mmap_mode` memory-mapped read-only;
    `error` names the path if the file is unreadable or not such a .npy file."""
    fd, size = _open_regular(path, error)
    with os.fdopen(fd, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
            header = _NPY_HEADERS[version](f) if version in _NPY_HEADERS else None
        except (OSError, ValueError, TypeError, SyntaxError) as reason:  # a header numpy cannot parse
            raise error(f"{path}: not a .npy array file: {reason}") from reason
        if header is None:
            raise error(f"{path}: .npy format version {version[0]}.{version[1]} is not supported")
        shape, fortran_order, dtype = header
        if any(length < 0 for length in shape):
            raise error(f"{path}: the header declares the negative shape {shape}")
        expect(dtype, shape)
        offset, count = f.tell(), math.prod(shape)
        if offset + count * dtype.itemsize != size:
            raise error(f"{path}: the header declares {dtype} {shape}, {count * dtype.itemsize} bytes after "
                        f"its {offset}-byte header, but the file holds {size - offset}")
        if mmap_mode:
            flat = np.frombuffer(_map(f.fileno(), size, path, error), dtype=dtype, count=count, offset=offset)
        else:
            flat = np.empty(count, dtype=dtype)  # of the size just checked against the file's
            try:
                got = f.readinto(memoryview(flat).cast("B"))
            except OSError as reason:
                raise error(f"{path}: {reason.strerror or reason}") from reason
            if got != flat.nbytes:
                raise error(f"{path}: shrank to {offset + got} bytes while being read")
    # Fortran order stores the transpose: read it as such, as np.load does.
    return flat.reshape(shape[::-1]).transpose() if fortran_order else flat.reshape(shape)
