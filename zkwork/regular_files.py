"""Reading files that an attacker may have chosen: regular files only, sizes checked before
reading. Every reader of untrusted input (JSON, .r1cs, .sym, .wtns, .zkey, .ptau, proving-key
arrays) opens its file here, so a path to /dev/zero, a FIFO or a directory is refused by name
instead of being read until memory runs out.

A file is opened without blocking (a FIFO with no writer would otherwise hang the open), its
type and size taken from the open descriptor (no race with a rename between check and read),
and read up to the size the caller allows; large binary files are memory-mapped, so a
multi-GB .ptau costs address space, not memory, until its points are used.
"""
import mmap
import os
import stat

from zkwork.errors import UnreadableFileError


def _open_regular(path, error):
    """(descriptor, size) of the regular file at `path`; `error` naming the path otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
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
        if size == 0:
            return memoryview(b"")
        return memoryview(mmap.mmap(fd, size, access=mmap.ACCESS_READ))
    except (OSError, ValueError) as reason:
        raise error(f"{path}: {reason}") from reason
    finally:
        os.close(fd)


def check_regular(path, error=UnreadableFileError):
    """The size of the regular file at `path`; `error` naming the path otherwise (for
    readers such as numpy's that open the file themselves)."""
    fd, size = _open_regular(path, error)
    os.close(fd)
    return size
