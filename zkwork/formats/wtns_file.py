"""snarkjs's .wtns witness files (iden3 container, magic "wtns", version 2).

    section 1  header  n8 u32 (= 32), prime (n8 bytes, BN254's r), nWitness u32
    section 2  values  nWitness field elements, n8 bytes each, plain little-endian, < r

The values are the wires in circom's order: the constant one first, then outputs, public
inputs, private inputs and internal signals (zkwork's order too).
"""
import numpy as np

from zkwork.errors import InvalidValueError
from zkwork.field import FR, R
from zkwork.field.limbs import array_to_ints, ints_to_array
from zkwork.formats.binfile import limbs_bytes, prime_header, read_bin_file, u32, write_bin_file

HEADER, VALUES = 1, 2
SECTION_NAMES = {HEADER: "header", VALUES: "witness values"}


def read_wtns_limbs(path):
    """The witness as an (n, 4) uint64 array of plain limbs, each checked < r."""
    binfile = read_bin_file(path, "wtns", 2, SECTION_NAMES)
    header = binfile.section(HEADER)
    header.prime(R, "scalar field Fr")
    count = header.u32()
    header.finish()
    section = binfile.section(VALUES)
    values = section.limbs(count, (4,), "nWitness of the header")
    section.finish()
    section.check_below(values, FR, "witness values")
    return values


def read_wtns(path):
    """The witness values of a .wtns file as a list of ints."""
    return array_to_ints(read_wtns_limbs(path))


def write_wtns(values, path):
    """Write witness values (ints in [0, r)) as a .wtns file."""
    values = [int(v) for v in values]
    for i, value in enumerate(values):
        if not 0 <= value < R:
            raise InvalidValueError(f"{path}: witness value {i} = {value} is not in [0, r)", section="witness values")
    limbs = ints_to_array(values) if values else np.empty((0, 4), dtype=np.uint64)
    write_bin_file(path, "wtns", 2, [(HEADER, prime_header(R) + u32(len(values))), (VALUES, limbs_bytes(limbs))])
