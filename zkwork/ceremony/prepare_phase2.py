"""`snarkjs powersoftau prepare phase2`: a .ptau's points in the Lagrange basis (sections 12
to 15), so that `zkey new` (zkwork.ceremony.zkey_new) only sums points.

For a family of powers P_k = [s tau^k] (s = 1, alpha or beta) and every size 2^m, the
block of size 2^m holds the inverse NTT of P_0 .. P_(2^m - 1) over the domain of 2^m-th
roots of unity, that is [s L_j(tau)] for that domain (zkwork.poly.group_fft):

    section 12  tauG1        blocks m = 0 .. power + 1; the last one transforms the 2N - 1
                             powers of tauG1 padded with infinity (N = 2^power)
    section 13  tauG2        blocks m = 0 .. power
    section 14  alphaTauG1   blocks m = 0 .. power
    section 15  betaTauG1    blocks m = 0 .. power

Block m starts at point 2^m - 1. The roots of unity are ffjavascript's (5^((r-1)/2^28)
squared down, zkwork.poly.domain's), and the points are affine group elements, so the
result is byte for byte snarkjs's: the file is sections 1 to 7 as read, the header's
ceremonyPower replaced by power (snarkjs writes a fresh header), then 12 to 15. At power
28 the last tauG1 block would need a domain of 2^29 > 2^28 points (snarkjs then splits it
over a coset): refused with a DomainSizeError. Any sections 12 to 15 the input already has
are recomputed, as snarkjs does.

The input is opened with zkwork.formats.ptau_file.open_ptau (header and section sizes
checked, section 7 parsed and checked) and each family's points are read and checked
(canonical, on the curve, G2 in the subgroup) when its turn comes; sections 2 to 7 are
copied as stored, as snarkjs copies them. The output sections are computed block by block
into a scratch file beside the output (np.memmap), so memory holds one family's points
and one block at a time.
"""
import tempfile
from pathlib import Path

import numpy as np

from zkwork.errors import DomainSizeError
from zkwork.formats.ptau_file import (
    ALPHA_TAU_G1,
    BETA_G2,
    BETA_TAU_G1,
    G1_SHAPE,
    G2_SHAPE,
    LAGRANGE_ALPHA_TAU_G1,
    LAGRANGE_BETA_TAU_G1,
    LAGRANGE_TAU_G1,
    LAGRANGE_TAU_G2,
    TAU_G1,
    TAU_G2,
    open_ptau,
    point_counts,
    write_prepared_ptau,
)
from zkwork.poly.domain import TWO_ADICITY, Domain
from zkwork.poly.group_fft import group_intt_g1, group_intt_g2


def block_start(m):
    """The index of the first point of block m (of 2^m points) in a Lagrange section."""
    return (1 << m) - 1


def lagrange_blocks(powers, last_block, intt):
    """Yield (start, points) for blocks 0 .. last_block of `powers` (an affine array) with
    the inverse NTT `intt`: block m transforms the first 2^m powers (fewer if the array is
    shorter, the rest infinity)."""
    for m in range(last_block + 1):
        size = 1 << m
        yield block_start(m), intt(np.ascontiguousarray(powers[:size]), Domain(size))


def _families(power):
    """(section type, source section, last block, inverse NTT, point shape) of sections 12 to 15."""
    return ((LAGRANGE_TAU_G1, TAU_G1, power + 1, group_intt_g1, G1_SHAPE),
            (LAGRANGE_TAU_G2, TAU_G2, power, group_intt_g2, G2_SHAPE),
            (LAGRANGE_ALPHA_TAU_G1, ALPHA_TAU_G1, power, group_intt_g1, G1_SHAPE),
            (LAGRANGE_BETA_TAU_G1, BETA_TAU_G1, power, group_intt_g1, G1_SHAPE))


def prepare_phase2(in_path, out_path):
    """Write `out_path`, the .ptau at `in_path` with its Lagrange sections (module docstring)."""
    ptau = open_ptau(in_path)
    if ptau.power + 1 > TWO_ADICITY:
        raise DomainSizeError(f"{in_path}: power {ptau.power} needs a Lagrange block of 2^{ptau.power + 1} points, "
                              f"beyond the 2^{TWO_ADICITY} roots of unity of Fr (snarkjs's coset extension is not "
                              "implemented)")
    ptau.contributions()
    ptau.points(BETA_G2, 0, 1)
    counts = point_counts(ptau.power)
    out_path = Path(out_path)
    with tempfile.TemporaryFile(dir=out_path.parent) as scratch:
        offset, sections = 0, {}
        for section_type, source, last_block, intt, shape in _families(ptau.power):
            powers = ptau.points(source, 0, counts[source])
            array = np.memmap(scratch, dtype=np.uint64, mode="w+", offset=offset,
                              shape=(counts[section_type],) + shape)
            for start, block in lagrange_blocks(powers, last_block, intt):
                array[start : start + block.shape[0]] = block
            array.flush()
            sections[section_type] = memoryview(array).cast("B")
            offset += array.nbytes
        write_prepared_ptau(ptau, sections, out_path)
