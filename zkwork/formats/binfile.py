"""iden3's binary section container, shared by circom's .r1cs and snarkjs's .wtns and .zkey:

    offset  bytes  content
    0       4      magic: four ASCII letters naming the kind ("r1cs", "wtns", "zkey")
    4       4      format version, u32
    8       4      number of sections, u32
    12      ...    the sections back to back, each
                       4     section type, u32 (its meaning depends on the kind)
                       8     data size in bytes, u64
                       size  data

Integers are little-endian; a field element is an n8-byte little-endian integer (n8 = 32
for BN254), following its section's convention (plain, or Montgomery). Sections are found by
type: their order on disk is free (circom writes an .r1cs's constraints before its header).

Reading memory-maps the file (a regular file only: a device such as /dev/zero, a FIFO or a
directory is an UnreadableBinaryFileError) and scans the section table once, checking that
every section lies inside the file (TruncatedFileError otherwise). The scan touches only the
section headers and sections are memoryviews into the map, so nothing is read beyond what
the file holds, and a multi-GB .ptau costs address space until its points are used.

A `Section` is a cursor over one section's data: a read past its end is a SectionSizeError,
`need` refuses a count whose items cannot fit in what is left (CountTooLargeError, before
anything of that size is allocated) and `finish` checks that the content used up the
declared size exactly. Every error names the file and the section.
"""
import os
import secrets
from pathlib import Path

import numpy as np

from zkwork.errors import (
    CountTooLargeError,
    DuplicateSectionError,
    InvalidValueError,
    MissingSectionError,
    SectionSizeError,
    TruncatedFileError,
    UnreadableBinaryFileError,
    UnsupportedVersionError,
    WrongFieldError,
    WrongMagicError,
)
from zkwork.regular_files import map_regular

FILE_HEADER_BYTES = 12
SECTION_HEADER_BYTES = 12
N8 = 32  # bytes per BN254 field element (both Fq and Fr fit in 4 64-bit limbs)
# The kinds read here define at most 15 section types (a prepared .ptau), each present once.
# Every entry of the table costs a Python object of ~200 bytes, so without a bound a file of
# empty 12-byte section headers would cost ~15 times its size in memory.
MAX_SECTIONS = 64


class Section:
    """Cursor over one section's bytes; `where` is the file and section for messages."""

    def __init__(self, data, where, name):
        self.data = data
        self.where = where
        self.name = name
        self.pos = 0

    @property
    def remaining(self):
        """The number of bytes left after the cursor."""
        return len(self.data) - self.pos

    def error(self, cls, message):
        """An exception of class `cls` (not raised) naming the file and the section."""
        return cls(f"{self.where}: {message}", section=self.name)

    def take(self, size):
        """The next `size` bytes (a memoryview), advancing the cursor; SectionSizeError past the end."""
        if size > self.remaining:
            raise self.error(
                SectionSizeError,
                f"content runs past the section's end: {size} bytes needed at offset {self.pos}, "
                f"the section holds {len(self.data)}",
            )
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def u32(self):
        """The next 4 bytes as a little-endian unsigned int."""
        return int.from_bytes(self.take(4), "little")

    def u64(self):
        """The next 8 bytes as a little-endian unsigned int."""
        return int.from_bytes(self.take(8), "little")

    def integer(self, n8=N8):
        """The next n8 bytes as a little-endian unsigned int (a field element as stored, unchecked)."""
        return int.from_bytes(self.take(n8), "little")

    def need(self, count, item_bytes, what):
        """Refuse `count` items of `item_bytes` each when they cannot fit in the rest."""
        if count * item_bytes > self.remaining:
            raise self.error(
                CountTooLargeError,
                f"{what}: {count} items of {item_bytes} bytes claim {count * item_bytes} bytes, "
                f"the section has {self.remaining} left",
            )

    def limbs(self, count, shape, what):
        """`count` records of 4-limb little-endian u64 groups as a fresh (count,) + shape
        uint64 array (shape ends in 4)."""
        item_bytes = 8 * int(np.prod(shape))
        self.need(count, item_bytes, what)
        raw = np.frombuffer(self.take(count * item_bytes), dtype="<u8")
        return raw.astype(np.uint64).reshape((count,) + tuple(shape))

    def check_below(self, limbs, field, what):
        """Refuse any 4-limb group of `limbs` that is not below `field`'s modulus."""
        flat = np.ascontiguousarray(limbs).reshape(-1, 4)
        below = np.empty(flat.shape[0], dtype=np.bool_)
        field.vec.below_modulus(flat, below)
        if not below.all():
            raise self.error(InvalidValueError, f"{what}: element {int(np.argmin(below))} is not below the "
                                                f"{field.name} modulus")

    def prime(self, expected, field_name):
        """The (n8, prime) pair that opens .r1cs, .wtns and zkey headers, checked to be BN254's."""
        n8 = self.u32()
        if n8 != N8:
            raise self.error(WrongFieldError, f"field elements of {n8} bytes, expected {N8} ({field_name} of BN254)")
        prime = self.integer(n8)
        if prime != expected:
            raise self.error(WrongFieldError, f"prime {prime} is not BN254's {field_name} modulus {expected}")

    def finish(self):
        """Raises SectionSizeError unless the content used up the section's declared size."""
        if self.pos != len(self.data):
            raise self.error(
                SectionSizeError,
                f"the section declares {len(self.data)} bytes but its content ends after {self.pos}",
            )


class BinFile:
    """The sections of one file, by type, each a list (in file order) of memoryviews."""

    def __init__(self, path, kind, version, sections, names):
        self.path = path
        self.kind = kind
        self.version = version
        self.sections = sections
        self.names = names

    def name_of(self, section_type):
        """The name of a section type for messages, or "section N" for an unnamed one."""
        return self.names.get(section_type, f"section {section_type}")

    def where(self, section_type):
        """"path: section N (name)", the prefix of errors about that section."""
        return f"{self.path}: section {section_type} ({self.name_of(section_type)})"

    def has(self, section_type):
        """Whether the file has at least one section of this type."""
        return section_type in self.sections

    def section(self, section_type):
        """The one section of this type as a Section cursor; missing or duplicated is an error."""
        found = self.sections.get(section_type, [])
        name = self.name_of(section_type)
        if not found:
            raise MissingSectionError(f"{self.where(section_type)}: missing from the file", section=name)
        if len(found) > 1:
            raise DuplicateSectionError(f"{self.where(section_type)}: appears {len(found)} times", section=name)
        return Section(found[0], self.where(section_type), name)


def read_bin_file(path, kind, max_version, names):
    """Scan a file of this kind; `names` maps section types to names for messages."""
    data = map_regular(path, UnreadableBinaryFileError)
    if len(data) < FILE_HEADER_BYTES:
        raise TruncatedFileError(f"{path}: {len(data)} bytes, shorter than the {FILE_HEADER_BYTES}-byte file header")
    magic = bytes(data[:4])
    if magic != kind.encode():
        raise WrongMagicError(f"{path}: magic {magic!r}, expected {kind.encode()!r} (not a .{kind} file)")
    version = int.from_bytes(data[4:8], "little")
    if not 1 <= version <= max_version:
        raise UnsupportedVersionError(f"{path}: .{kind} version {version}, this reader knows 1 to {max_version}")
    count = int.from_bytes(data[8:12], "little")
    if count > MAX_SECTIONS:
        raise CountTooLargeError(f"{path}: {count} sections, more than the {MAX_SECTIONS} a .{kind} file may have")
    sections, pos = {}, FILE_HEADER_BYTES
    for index in range(count):
        if pos + SECTION_HEADER_BYTES > len(data):
            raise TruncatedFileError(f"{path}: the file ends inside the header of section entry {index} of {count}")
        section_type = int.from_bytes(data[pos : pos + 4], "little")
        size = int.from_bytes(data[pos + 4 : pos + 12], "little")
        pos += SECTION_HEADER_BYTES
        if pos + size > len(data):
            name = names.get(section_type, f"section {section_type}")
            raise TruncatedFileError(
                f"{path}: section {section_type} ({name}) declares {size} bytes, the file has {len(data) - pos} left",
                section=name,
            )
        sections.setdefault(section_type, []).append(data[pos : pos + size])
        pos += size
    if pos != len(data):
        raise SectionSizeError(
            f"{path}: {len(data) - pos} bytes after the last of {count} sections: the section table "
            "and the file size disagree"
        )
    return BinFile(str(path), kind, version, sections, names)


def write_bin_file(path, kind, version, sections):
    """Write a file of this kind from (section type, bytes) pairs, in the order given."""
    # Written beside `path` and renamed over it, never truncated in place: the file replaced
    # may be memory-mapped by read_bin_file with its sections still in use (a PtauFile's
    # other_sections, or the very sections being written), and a mapped page cut off by a
    # truncation kills the reader with SIGBUS.
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as f:
            f.write(kind.encode() + version.to_bytes(4, "little") + len(sections).to_bytes(4, "little"))
            for section_type, data in sections:
                f.write(section_type.to_bytes(4, "little") + len(data).to_bytes(8, "little"))
                f.write(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def u32(value):
    """A value as 4 little-endian bytes."""
    return int(value).to_bytes(4, "little")


def u64(value):
    """A value as 8 little-endian bytes."""
    return int(value).to_bytes(8, "little")


def integer(value, n8=N8):
    """A value as n8 little-endian bytes (32 by default: a BN254 field element)."""
    return int(value).to_bytes(n8, "little")


def prime_header(prime):
    """The (n8, prime) pair that opens .r1cs, .wtns and zkey headers, as bytes."""
    return u32(N8) + integer(prime)


def limbs_bytes(array):
    """A uint64 limb array as little-endian bytes (the inverse of Section.limbs)."""
    return np.ascontiguousarray(array, dtype="<u8").tobytes()
