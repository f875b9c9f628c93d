"""`snarkjs zkey new` (= `groth16 setup`): a circuit's initial .zkey from a prepared .ptau,
byte for byte what snarkjs 0.7.6 writes.

With nPublic = outputs + public inputs, the domain has d = 2^m points, m = floor(log2(
nConstraints + nPublic)) + 1 (snarkjs's cirPower: always more than the rows, which are the
constraints and the nPublic + 1 binding rows A[nConstraints + s][s] = 1), m <= power. With
[L_j], [L_j]_2, [alpha L_j], [beta L_j] block m of the ptau's sections 12 to 15
(zkwork.ceremony.prepare_phase2) and the .r1cs terms in file order:

    A[s]  = sum of a [L_c]    over the A terms (c, s, a), binding rows included   (section 5)
    B1[s] = sum of b [L_c],   B2[s] = the same in G2                              (6, 7)
    K[s]  = sum of a [beta L_c] + b [alpha L_c] + c [L_c] over the A (binding rows
            included), B and C terms; K of the one and the public signals is IC (3),
            of the others section 8 (C)
    H[i]  = point 2i + 1 of block m + 1 of section 12, i < d                       (9)
    coefficients (4): the A terms then the B terms of each constraint in file order, then
            the binding rows, each value stored as a R^2 mod r
    header (2): alpha_1, beta_1 (alphaTauG1[0], betaTauG1[0]), beta_2 (betaG2), and
            gamma_2 = [1]_2, delta_1 = [1]_1, delta_2 = [1]_2
    contributions (10): the circuit hash, then 0 contributions (u32)

The sums are zkwork.curve.straus.segment_sums, one segment per wire: Straus's interleaved
multiplication on GLV halves with batch-affine additions, each point's table of multiples
(as far as its digits reach) shared by the terms that use it. At membership depth 20 (p13,
load 12-13 from other processes, so CPU seconds): the key took 1.40 s CPU in-process (2.81 s
with the previous Straus: mixed additions per entry, no GLV, full tables), and 2.70 s CPU as
a `zkwork groth16 setup` child process (4.02 s before; process start and JIT cache loading
are the difference), against 15.0 s CPU for snarkjs's `groth16 setup`.

Sections are written in snarkjs's order (zkwork.formats.zkey_file.NEW_ZKEY_ORDER). The
circuit hash is BLAKE2b-512 over the uncompressed encodings (zkwork.ceremony.powers
.encoding) of the six header points, then per point section a big-endian u32 count and
its points: IC, then H's count d - 1 with the points [tau^(i+d)] - [tau^i] (section 2),
then C, A, B1, B2. snarkjs hashes those H points in chunks of min(d - 1, 2^14), so from
d = 2^15 on it hashes d of them, the last one reading [tau^(2d-1)]; when d = 2^power that
point is past section 2 (snarkjs reads whatever bytes follow): refused with a
CircuitTooLargeError, as is m = 28 (whose H block snarkjs takes from a coset extension).
When d = 2^power, H comes from the last tauG1 block, which lacks [tau^(2d-1)] (see
prepare_phase2): snarkjs's H then misses that term, which cancels in every proof.

Inputs are checked: the .r1cs container, header and every term (wire below nWires,
coefficient below r, nothing past the section), the ptau's header and section sizes, and
every point read from it (zkwork.formats.ptau_file.open_ptau; the Lagrange G2 points on
the curve, their subgroup left to the prover's key checks, as for a .zkey read).
"""
import hashlib

import numpy as np

from zkwork.ceremony.phase2 import CircuitTooLargeError
from zkwork.ceremony.powers import encoding
from zkwork.curve import G1Point, G2Point, g1_points_from_affine_array, g2_points_from_affine_array
from zkwork.curve.msm import G1_MSM, G2_MSM
from zkwork.curve.straus import segment_sums
from zkwork.errors import InvalidValueError, MissingSectionError, SectionSizeError
from zkwork.field import FR, R
from zkwork.field.limbs import int_to_limbs
from zkwork.formats.binfile import N8, read_bin_file, u32
from zkwork.formats.ptau_file import (
    ALPHA_TAU_G1,
    BETA_G2,
    BETA_TAU_G1,
    LAGRANGE_ALPHA_TAU_G1,
    LAGRANGE_BETA_TAU_G1,
    LAGRANGE_TAU_G1,
    LAGRANGE_TAU_G2,
    TAU_G1,
    open_ptau,
)
from zkwork.formats.r1cs_file import CONSTRAINTS, SECTION_NAMES, r1cs_info
from zkwork.formats.zkey_file import COEFFICIENT, NEW_ZKEY_ORDER, ZKey, write_zkey
from zkwork.groth16.keys import VerifyingKey
from zkwork.jit import njit
from zkwork.poly.domain import TWO_ADICITY

TERM_BYTES = 4 + N8
H_HASH_CHUNK = 1 << 14  # snarkjs's chunk of H points per hash update
MATRIX_A, MATRIX_B, MATRIX_C = 0, 1, 2
# Scan errors of _scan_terms: (code, position)
_OK, _PAST_END, _BAD_WIRE = 0, 1, 2


@njit(cache=True)
def _u32(data, pos):
    """The little-endian u32 at data[pos]."""
    return (np.int64(data[pos]) | (np.int64(data[pos + 1]) << 8) | (np.int64(data[pos + 2]) << 16)
            | (np.int64(data[pos + 3]) << 24))


@njit(cache=True)
def _scan_terms(data, num_constraints, num_wires, matrix, constraint, signal, offset):
    """Walk the constraints section: per constraint A, B, C, each nTerms u32 then (wire u32,
    coefficient) terms; fill the term arrays (the coefficient's byte offset in `offset`).
    Returns (terms, end, error code, where)."""
    pos, t = 0, 0
    for c in range(num_constraints):
        for m in range(3):
            if pos + 4 > data.shape[0]:
                return t, pos, _PAST_END, c
            count = _u32(data, pos)
            pos += 4
            if pos + count * TERM_BYTES > data.shape[0]:
                return t, pos, _PAST_END, c
            for _ in range(count):
                wire = _u32(data, pos)
                if wire >= num_wires:
                    return t, pos, _BAD_WIRE, c
                matrix[t], constraint[t], signal[t], offset[t] = m, c, wire, pos + 4
                pos += TERM_BYTES
                t += 1
    return t, pos, _OK, 0


def read_terms(path):
    """(header counts as r1cs_info gives them, terms): the terms of a .r1cs in file order
    as a record array (matrix 0/1/2 for A/B/C, constraint, signal, value: plain limbs)."""
    info = r1cs_info(path)
    section = read_bin_file(path, "r1cs", 1, SECTION_NAMES).section(CONSTRAINTS)
    data = np.frombuffer(section.data, dtype=np.uint8)
    capacity = len(data) // TERM_BYTES
    matrix, constraint, signal = (np.empty(capacity, dtype=np.int64) for _ in range(3))
    offset = np.empty(capacity, dtype=np.int64)
    count, end, error, where = _scan_terms(data, info["constraints"], info["wires"], matrix, constraint, signal, offset)
    if error == _PAST_END:
        raise section.error(SectionSizeError, f"constraint {where} runs past the section's end")
    if error == _BAD_WIRE:
        raise section.error(InvalidValueError, f"constraint {where}: a wire is not below the {info['wires']} wires")
    section.pos = end
    section.finish()
    terms = np.empty(count, dtype=[("matrix", "<u4"), ("constraint", "<u4"), ("signal", "<u4"), ("value", "<u8", (4,))])
    terms["matrix"], terms["constraint"], terms["signal"] = matrix[:count], constraint[:count], signal[:count]
    raw = data[offset[:count, None] + np.arange(N8)]
    terms["value"] = raw.view("<u8").reshape(count, 4)
    section.check_below(terms["value"], FR, "coefficients")
    return info, terms


def circuit_power(constraints, public):
    """snarkjs's cirPower: floor(log2(constraints + public)) + 1 (log2(0) taken as 0)."""
    return max(constraints + public, 1).bit_length()


def _mont(values):
    values = np.ascontiguousarray(values, dtype=np.uint64)
    return FR.vec.to_mont(values, np.empty_like(values))


_ONE_MINUS_ONE = np.array([int_to_limbs(1), int_to_limbs(R - 1)], dtype=np.uint64)


def hashed_h_count(d):
    """How many H points snarkjs hashes for a domain of d points (module docstring)."""
    return sum(min(d - 1, H_HASH_CHUNK) for _ in range(0, d - 1, H_HASH_CHUNK))


def _check_domain(r1cs_path, ptau, num_constraints, num_public):
    """The domain's power m; CircuitTooLargeError where snarkjs refuses the circuit or where
    it would hash bytes past section 2 (module docstring)."""
    m = circuit_power(num_constraints, num_public)
    if m > ptau.power or m >= TWO_ADICITY:
        raise CircuitTooLargeError(f"{r1cs_path}: {num_constraints} constraints and {num_public} public signals need "
                                   f"a domain of 2^{m} points; the ptau has power {ptau.power}")
    if hashed_h_count(1 << m) + (1 << m) > 2 * (1 << ptau.power) - 1:
        raise CircuitTooLargeError(f"{r1cs_path}: a domain of 2^{m} points fills the ptau of power {ptau.power}, and "
                                   "snarkjs 0.7.6 would hash a point past its section 2 (tauG1) into the circuit "
                                   f"hash: use a ptau of power {ptau.power + 1}")
    return m


def _hash_h_points(ptau, d):
    """U([tau^(i+d)] - [tau^i]) for the i snarkjs hashes, from section 2."""
    count = hashed_h_count(d)
    index = np.arange(count)
    rows = np.stack([index + d, index], axis=1).ravel()
    coeffs = np.tile(_ONE_MINUS_ONE, (count, 1))
    return encoding(segment_sums(G1_MSM, ptau.points(TAU_G1, 0, d + count), rows, np.repeat(index, 2), coeffs, count))


def _lagrange(ptau, m):
    """The four blocks of 2^m points of sections 12 to 15 (MissingSectionError if the ptau
    is not prepared)."""
    if not ptau.binfile.has(LAGRANGE_TAU_G1):
        raise MissingSectionError(f"{ptau.binfile.path}: no Lagrange sections (12 to 15): prepare it first "
                                  "(`zkwork powersoftau prepare phase2`)", section="lagrange tauG1")
    start, size = (1 << m) - 1, 1 << m
    # G2 subgroup membership of the B2 points is checked where zkwork proves with the key
    # (zkwork.groth16.key_checks), as for a .zkey read: here it would cost a third of the run.
    # A Lagrange G2 point off the subgroup (an invalid ptau) makes B2 differ from snarkjs's
    # (GLV's phi is lambda on the subgroup only; straus): both keys are invalid, and fail there.
    return tuple(ptau.points(section_type, start, size, subgroup=False) for section_type in
                 (LAGRANGE_TAU_G1, LAGRANGE_TAU_G2, LAGRANGE_ALPHA_TAU_G1, LAGRANGE_BETA_TAU_G1))


def _entries(terms, matrices, row_shift=0):
    """(rows, signals, plain coefficients) of the terms of these matrices."""
    chosen = terms[np.isin(terms["matrix"], matrices)]
    return (chosen["constraint"].astype(np.int64) + row_shift, chosen["signal"].astype(np.int64),
            np.ascontiguousarray(chosen["value"]))


def _counted(points):
    """A point section's part of the circuit hash: its count (u32, big-endian), its points."""
    return points.shape[0].to_bytes(4, "big") + encoding(points)


def initial_zkey(r1cs_path, ptau_path):
    """(ZKey, circuit hash): snarkjs's initial key of the circuit at `r1cs_path` from the
    prepared ptau at `ptau_path` (module docstring), in memory."""
    info, terms = read_terms(r1cs_path)
    ptau = open_ptau(ptau_path)
    num_constraints, num_vars = info["constraints"], info["wires"]
    num_public = info["outputs"] + info["public_inputs"]
    m = _check_domain(r1cs_path, ptau, num_constraints, num_public)
    d = 1 << m
    binding = np.zeros(num_public + 1, dtype=terms.dtype)
    binding["constraint"] = num_constraints + np.arange(num_public + 1)
    binding["signal"] = np.arange(num_public + 1)
    binding["value"][:, 0] = 1
    ab = terms[terms["matrix"] != MATRIX_C]
    a_terms = np.concatenate([terms[terms["matrix"] == MATRIX_A], binding])
    lagrange_g1, lagrange_g2, alpha_lagrange, beta_lagrange = _lagrange(ptau, m)
    a_query = segment_sums(G1_MSM, lagrange_g1, *_entries(a_terms, [MATRIX_A]), num_vars)
    b_entries = _entries(terms, [MATRIX_B])
    b1_query = segment_sums(G1_MSM, lagrange_g1, *b_entries, num_vars)
    b2_query = segment_sums(G2_MSM, lagrange_g2, *b_entries, num_vars)
    k_parts = [_entries(a_terms, [MATRIX_A]), _entries(terms, [MATRIX_B], d), _entries(terms, [MATRIX_C], 2 * d)]
    k = segment_sums(G1_MSM, np.concatenate([beta_lagrange, alpha_lagrange, lagrange_g1]),
                    *(np.concatenate(parts) for parts in zip(*k_parts)), num_vars)
    ic, c_query = k[: num_public + 1], np.ascontiguousarray(k[num_public + 1 :])
    h_query = np.ascontiguousarray(ptau.points(LAGRANGE_TAU_G1, 2 * d - 1, 2 * d)[1::2])
    alpha_1, beta_1 = (ptau.points(section_type, 0, 1) for section_type in (ALPHA_TAU_G1, BETA_TAU_G1))
    beta_2 = ptau.points(BETA_G2, 0, 1)
    g1, g2 = G1Point.generator(), G2Point.generator()
    header_points = [alpha_1, beta_1, beta_2] + [point.affine_mont()[None] for point in (g2, g1, g2)]
    hasher = hashlib.blake2b(b"".join(encoding(points) for points in header_points), digest_size=64)
    hasher.update(_counted(ic))
    hasher.update((d - 1).to_bytes(4, "big") + _hash_h_points(ptau, d))
    for points in (c_query, a_query, b1_query, b2_query):
        hasher.update(_counted(points))
    circuit_hash = hasher.digest()
    coefficients = np.concatenate([ab, binding]).astype(COEFFICIENT)  # per constraint its A then B terms
    coefficients["value"] = _mont(coefficients["value"])
    vk = VerifyingKey(alpha_1=g1_points_from_affine_array(alpha_1, check=False)[0],
                      beta_2=g2_points_from_affine_array(beta_2, check=False)[0], gamma_2=g2, delta_2=g2,
                      ic=tuple(g1_points_from_affine_array(ic, check=False)))
    zkey = ZKey(num_vars=num_vars, domain_size=d, vk=vk, beta_1=g1_points_from_affine_array(beta_1, check=False)[0],
                delta_1=g1, coefficients=coefficients, a_query=a_query, b1_query=b1_query, b2_query=b2_query,
                c_query=c_query, h_query=h_query, contributions=circuit_hash + u32(0))
    return zkey, circuit_hash


def new_zkey(r1cs_path, ptau_path, zkey_path):
    """Write `zkey_path`, snarkjs's initial .zkey of the circuit at `r1cs_path` from the
    prepared ptau at `ptau_path` (module docstring); returns the circuit hash (64 bytes)."""
    zkey, circuit_hash = initial_zkey(r1cs_path, ptau_path)
    write_zkey(zkey, zkey_path, order=NEW_ZKEY_ORDER)
    return circuit_hash
