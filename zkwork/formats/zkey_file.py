"""snarkjs's Groth16 proving keys, .zkey files (iden3 container, magic "zkey", version 1).

    section 1   header          protocol u32 (1 = Groth16; 2 PLONK and 10 FFLONK are refused)
    section 2   Groth16 header  n8q u32 (= 32), q (BN254's base field prime), n8r u32 (= 32),
                                r (the group order), nVars u32, nPublic u32 (public signals,
                                not counting the one), domainSize u32 (a power of two), then
                                the points alpha_1, beta_1, beta_2, gamma_2, delta_1, delta_2
    section 3   IC              nPublic + 1 G1 points
    section 4   coefficients    nCoefs u32, then nCoefs records of 44 bytes: matrix u32 (0 = A,
                                1 = B), constraint u32 (< domainSize), signal u32 (< nVars),
                                value (32 bytes: the coefficient times 2^512, mod r)
    section 5   A               nVars G1 points          [u_i(tau)]_1
    section 6   B1              nVars G1 points          [v_i(tau)]_1
    section 7   B2              nVars G2 points          [v_i(tau)]_2
    section 8   C               nVars - nPublic - 1 G1 points, one per private wire
    section 9   H               domainSize G1 points, for the quotient's evaluations on the
                                odd coset (see zkwork.interop.zkey_prover)
    section 10  contributions   the phase-2 ceremony's transcript, kept as bytes by read_zkey;
                                read_mpc_params parses it (MpcParams):
                                csHash (64 bytes, the circuit hash), n u32, then n records:
                                deltaAfter, g1_s, g1_sx (G1), g2_spx (G2), transcript (64
                                bytes), type u32 (0 contribution, 1 beacon), paramLength u32,
                                then paramLength bytes of parameters by increasing tag:
                                1 name (length byte, UTF-8), 2 numIterationsExp (one byte),
                                3 beacon hash (length byte, bytes); snarkjs writes the last
                                two for beacons only

A G1 point is x, y and a G2 point x.c0, x.c1, y.c0, y.c1, each coordinate 32 bytes of
little-endian limbs in Montgomery form (x R mod q, R = 2^256), all zeros for infinity:
exactly zkwork's affine Montgomery arrays, so sections 5 to 9 load straight into MSM.
A coefficient c is stored as c R^2 mod r (snarkjs multiplies it by the plain witness with a
Montgomery product, giving c z R); one Montgomery reduction turns it into zkwork's c R. Only
A and B are listed, with snarkjs's binding rows A[m + i][i] = 1 for the one and the public
signals; C lives in the IC and C points only.

Reading checks the container (see binfile), protocol, primes, counts and section sizes, the
header and IC points (on the curve, in the subgroup), the long point arrays (canonical, on
the curve; B2's subgroup checks run when a proof fails, see zkwork.groth16.key_checks) and
the coefficients' ranges. `write_zkey` writes the same bytes back, given the file's section
order: by type after `zkey contribute`, NEW_ZKEY_ORDER after `zkey new`.
"""
from dataclasses import dataclass

import numpy as np

from zkwork.curve import (
    G1Point,
    first_off_curve,
    g1_affine_array,
    g1_points_from_affine_array,
    g2_points_from_affine_array,
)
from zkwork.errors import InvalidValueError, UnsupportedProtocolError, ZkworkError
from zkwork.field import FQ, FR, P, R
from zkwork.formats.binfile import Section, limbs_bytes, prime_header, read_bin_file, u32, write_bin_file
from zkwork.groth16.keys import VerifyingKey
from zkwork.groth16.qap import SparseMatrix
from zkwork.poly import TWO_ADICITY

HEADER, GROTH16_HEADER, IC, COEFFICIENTS, A, B1, B2, C, H, CONTRIBUTIONS = range(1, 11)
SECTION_NAMES = {
    HEADER: "header", GROTH16_HEADER: "groth16 header", IC: "IC", COEFFICIENTS: "coefficients",
    A: "points A", B1: "points B1", B2: "points B2", C: "points C", H: "points H", CONTRIBUTIONS: "contributions",
}
GROTH16 = 1
SECTION_ORDER = tuple(range(HEADER, CONTRIBUTIONS + 1))
# `snarkjs zkey new` writes the coefficients before IC, and H before the other point sections.
NEW_ZKEY_ORDER = (HEADER, GROTH16_HEADER, COEFFICIENTS, IC, H, C, A, B1, B2, CONTRIBUTIONS)
G1_SHAPE, G2_SHAPE = (2, 4), (2, 2, 4)
HEADER_POINTS = (("alpha_1", G1_SHAPE), ("beta_1", G1_SHAPE), ("beta_2", G2_SHAPE), ("gamma_2", G2_SHAPE),
                 ("delta_1", G1_SHAPE), ("delta_2", G2_SHAPE))
COEFFICIENT = np.dtype([("matrix", "<u4"), ("constraint", "<u4"), ("signal", "<u4"), ("value", "<u8", (4,))])
MATRICES = {"A": 0, "B": 1}


@dataclass(frozen=True)
class ZKey:
    """A snarkjs Groth16 proving key with zkwork's types: the verifying key as a VerifyingKey,
    point sections as affine Montgomery arrays, coefficient values as Montgomery limbs."""

    num_vars: int
    domain_size: int
    vk: VerifyingKey
    beta_1: G1Point
    delta_1: G1Point
    coefficients: np.ndarray  # COEFFICIENT records, values as zkwork Montgomery limbs (c R mod r)
    a_query: np.ndarray  # (nVars, 2, 4)
    b1_query: np.ndarray  # (nVars, 2, 4)
    b2_query: np.ndarray  # (nVars, 2, 2, 4)
    c_query: np.ndarray  # (nVars - nPublic - 1, 2, 4)
    h_query: np.ndarray  # (domainSize, 2, 4)
    contributions: bytes = None  # section 10 as read, or None when the file has none

    @property
    def num_public(self):
        """The number of public signals, outputs and public inputs (vk.num_public)."""
        return self.vk.num_public

    def matrix(self, name):
        """Matrix "A" or "B" of the coefficients section as domainSize CSR rows."""
        records = self.coefficients[self.coefficients["matrix"] == MATRICES[name]]
        order = np.argsort(records["constraint"], kind="stable")
        records = records[order]
        indptr = np.zeros(self.domain_size + 1, dtype=np.int64)
        np.cumsum(np.bincount(records["constraint"], minlength=self.domain_size), out=indptr[1:])
        return SparseMatrix(indptr, records["signal"].astype(np.int64), np.ascontiguousarray(records["value"]))


def _points(section, count, shape, what):
    array = section.limbs(count, shape, what)
    section.check_below(array, FQ, what)
    return array


def _checked(section, array, from_array, what):
    """Curve points of an affine array, each on the curve and in the subgroup."""
    try:
        return from_array(array, check=True)
    except ZkworkError as error:
        raise section.error(InvalidValueError, f"{what}: {error}") from error


def _header_point(section, shape, what):
    from_array = g1_points_from_affine_array if shape == G1_SHAPE else g2_points_from_affine_array
    return _checked(section, _points(section, 1, shape, what), from_array, what)[0]


def _read_protocol(binfile):
    section = binfile.section(HEADER)
    protocol = section.u32()
    section.finish()
    if protocol != GROTH16:
        raise section.error(UnsupportedProtocolError, f"protocol {protocol}, only Groth16 (1) is supported")


def _read_groth16_header(binfile):
    section = binfile.section(GROTH16_HEADER)
    section.prime(P, "base field Fq")
    section.prime(R, "scalar field Fr")
    num_vars, num_public, domain_size = section.u32(), section.u32(), section.u32()
    points = {name: _header_point(section, shape, name) for name, shape in HEADER_POINTS}
    section.finish()
    if num_public + 1 > num_vars:
        raise section.error(InvalidValueError, f"nPublic {num_public} leaves no room in nVars {num_vars}")
    if domain_size < 1 or domain_size & (domain_size - 1) or domain_size > 1 << TWO_ADICITY:
        raise section.error(InvalidValueError, f"domainSize {domain_size} is not a power of two <= 2^{TWO_ADICITY}")
    return num_vars, num_public, domain_size, points


def _read_coefficients(binfile, num_vars, domain_size):
    section = binfile.section(COEFFICIENTS)
    count = section.u32()
    section.need(count, COEFFICIENT.itemsize, "nCoefs")
    records = np.frombuffer(section.take(count * COEFFICIENT.itemsize), dtype=COEFFICIENT).copy()
    section.finish()
    for field, bound in (("matrix", 2), ("constraint", domain_size), ("signal", num_vars)):
        bad = np.flatnonzero(records[field] >= bound)
        if bad.size:
            raise section.error(InvalidValueError, f"coefficient {int(bad[0])}: {field} "
                                                   f"{int(records[field][bad[0]])} is not below {bound}")
    values = np.ascontiguousarray(records["value"])
    section.check_below(values, FR, "coefficient values")
    records["value"] = FR.vec.from_mont(values, np.empty_like(values))
    return records


def _read_point_section(binfile, section_type, count, shape):
    section = binfile.section(section_type)
    array = _points(section, count, shape, f"{count} points")
    section.finish()
    index = first_off_curve(array)
    if index is not None:
        raise section.error(InvalidValueError, f"point {index} is not on the curve")
    return array


def read_zkey(path):
    """The Groth16 proving key in a snarkjs .zkey file."""
    binfile = read_bin_file(path, "zkey", 1, SECTION_NAMES)
    _read_protocol(binfile)
    num_vars, num_public, domain_size, points = _read_groth16_header(binfile)
    section = binfile.section(IC)
    ic_array = _points(section, num_public + 1, G1_SHAPE, "nPublic + 1 points")
    section.finish()
    ic = _checked(section, ic_array, g1_points_from_affine_array, "IC")
    vk = VerifyingKey(alpha_1=points["alpha_1"], beta_2=points["beta_2"], gamma_2=points["gamma_2"],
                      delta_2=points["delta_2"], ic=tuple(ic))
    contributions = None
    if binfile.has(CONTRIBUTIONS):
        contributions = bytes(binfile.section(CONTRIBUTIONS).data)
    return ZKey(
        num_vars=num_vars, domain_size=domain_size, vk=vk, beta_1=points["beta_1"], delta_1=points["delta_1"],
        coefficients=_read_coefficients(binfile, num_vars, domain_size),
        a_query=_read_point_section(binfile, A, num_vars, G1_SHAPE),
        b1_query=_read_point_section(binfile, B1, num_vars, G1_SHAPE),
        b2_query=_read_point_section(binfile, B2, num_vars, G2_SHAPE),
        c_query=_read_point_section(binfile, C, num_vars - num_public - 1, G1_SHAPE),
        h_query=_read_point_section(binfile, H, domain_size, G1_SHAPE),
        contributions=contributions,
    )


def write_zkey(zkey, path, order=SECTION_ORDER):
    """Write `zkey` as a .zkey file, its sections in `order`: by type (1 to 10) by default,
    as `zkey contribute` writes them; NEW_ZKEY_ORDER is `zkey new`'s."""
    vk = zkey.vk
    groth16_header = b"".join([
        prime_header(P), prime_header(R), u32(zkey.num_vars), u32(zkey.num_public), u32(zkey.domain_size),
        *(limbs_bytes(point.affine_mont()) for point in
          (vk.alpha_1, zkey.beta_1, vk.beta_2, vk.gamma_2, zkey.delta_1, vk.delta_2)),
    ])
    records = zkey.coefficients.copy()
    values = np.ascontiguousarray(records["value"])
    records["value"] = FR.vec.to_mont(values, np.empty_like(values))
    sections = [
        (HEADER, u32(GROTH16)),
        (GROTH16_HEADER, groth16_header),
        (IC, limbs_bytes(g1_affine_array(vk.ic))),
        (COEFFICIENTS, u32(len(records)) + records.astype(COEFFICIENT).tobytes()),
        (A, limbs_bytes(zkey.a_query)),
        (B1, limbs_bytes(zkey.b1_query)),
        (B2, limbs_bytes(zkey.b2_query)),
        (C, limbs_bytes(zkey.c_query)),
        (H, limbs_bytes(zkey.h_query)),
    ]
    if zkey.contributions is not None:
        sections.append((CONTRIBUTIONS, zkey.contributions))
    rank = {section_type: i for i, section_type in enumerate(order)}
    write_bin_file(path, "zkey", 1, sorted(sections, key=lambda section: rank[section[0]]))


# -- section 10, the MPC parameters -----------------------------------------------------------
CIRCUIT_HASH_BYTES = TRANSCRIPT_BYTES = 64
CONTRIBUTION, BEACON = 0, 1
NAME, ITERATIONS_EXPONENT, BEACON_HASH = 1, 2, 3  # parameter tags
MAX_NAME_CHARS = 64  # snarkjs keeps the first 64 characters of a name
MIN_RECORD_BYTES = 3 * 64 + 128 + TRANSCRIPT_BYTES + 4 + 4  # three G1, one G2, transcript, type, paramLength


@dataclass(frozen=True)
class MpcContribution:
    """One record of section 10; its points as affine Montgomery arrays of one point each,
    as read (canonical coordinates, not yet checked on the curve)."""

    delta_after: np.ndarray  # (1, 2, 4)
    g1_s: np.ndarray  # (1, 2, 4)
    g1_sx: np.ndarray  # (1, 2, 4)
    g2_spx: np.ndarray  # (1, 2, 2, 4)
    transcript: bytes
    kind: int = CONTRIBUTION
    name: str = None
    iterations_exponent: int = None  # beacons only
    beacon_hash: bytes = None  # beacons only


@dataclass(frozen=True)
class MpcParams:
    """Section 10: the circuit hash and the contributions, in order."""

    circuit_hash: bytes
    contributions: tuple = ()


def _read_parameters(section):
    """{tag: value} of a record's parameters (tags strictly increasing, as snarkjs requires)."""
    data = Section(section.take(section.u32()), section.where, section.name)
    found, last = {}, 0
    while data.remaining:
        tag = data.take(1)[0]
        if tag <= last or tag not in (NAME, ITERATIONS_EXPONENT, BEACON_HASH):
            raise section.error(InvalidValueError, f"parameter tag {tag} is unknown or out of order")
        last = tag
        if tag == ITERATIONS_EXPONENT:
            found[tag] = data.take(1)[0]
        else:
            found[tag] = bytes(data.take(data.take(1)[0]))
    return found


def _read_contribution(section):
    g1 = [_points(section, 1, G1_SHAPE, name) for name in ("deltaAfter", "g1_s", "g1_sx")]
    g2_spx = _points(section, 1, G2_SHAPE, "g2_spx")
    transcript, kind = bytes(section.take(TRANSCRIPT_BYTES)), section.u32()
    if kind not in (CONTRIBUTION, BEACON):
        raise section.error(InvalidValueError, f"type {kind} is neither 0 (contribution) nor 1 (beacon)")
    parameters = _read_parameters(section)
    try:
        name = parameters[NAME].decode("utf-8") if NAME in parameters else None
    except UnicodeDecodeError as error:
        raise section.error(InvalidValueError, f"the name is not UTF-8 ({error})") from error
    return MpcContribution(delta_after=g1[0], g1_s=g1[1], g1_sx=g1[2], g2_spx=g2_spx, transcript=transcript,
                           kind=kind, name=name, iterations_exponent=parameters.get(ITERATIONS_EXPONENT),
                           beacon_hash=parameters.get(BEACON_HASH))


def read_mpc_params(data, where="section 10 (contributions)"):
    """The MpcParams of a section 10's bytes (ZKey.contributions); SectionSizeError,
    CountTooLargeError or InvalidValueError, naming the record, for a malformed one."""
    section = Section(memoryview(data), where, SECTION_NAMES[CONTRIBUTIONS])
    circuit_hash = bytes(section.take(CIRCUIT_HASH_BYTES))
    count = section.u32()
    section.need(count, MIN_RECORD_BYTES, "contributions")
    contributions = []
    for index in range(count):
        section.where = f"{where}, contribution #{index + 1}"  # errors name the record being read
        contributions.append(_read_contribution(section))
    section.where = where
    section.finish()
    return MpcParams(circuit_hash, tuple(contributions))


def _parameter_bytes(contribution):
    parameters = b""
    if contribution.name:
        name = contribution.name[:MAX_NAME_CHARS].encode("utf-8")
        # its length is one byte: cut a name of many multi-byte characters at a character's end
        name = name[:255].decode("utf-8", "ignore").encode("utf-8")
        parameters += bytes([NAME, len(name)]) + name
    if contribution.kind == BEACON:
        parameters += bytes([ITERATIONS_EXPONENT, contribution.iterations_exponent,
                             BEACON_HASH, len(contribution.beacon_hash)]) + contribution.beacon_hash
    return u32(len(parameters)) + parameters


def mpc_params_bytes(params):
    """Section 10's bytes for `params` (MpcParams), as snarkjs writes them."""
    records = [b"".join([limbs_bytes(c.delta_after), limbs_bytes(c.g1_s), limbs_bytes(c.g1_sx),
                         limbs_bytes(c.g2_spx), c.transcript, u32(c.kind), _parameter_bytes(c)])
               for c in params.contributions]
    return b"".join([params.circuit_hash, u32(len(records)), *records])

def zkey_from_proving_key(pk):
    """A structurally valid snarkjs-layout ZKey holding zkwork's key for the same circuit:
    A and B coefficients from the QAP, the private wires' L points as section C, H padded
    to the domain size. Good for exercising the reader; not a key snarkjs would prove with
    (snarkjs's H points sit on another coset)."""
    qap = pk.qap
    records = []
    for matrix, rows in ((0, qap.A), (1, qap.B)):
        for row in range(len(rows.indptr) - 1):
            for k in range(rows.indptr[row], rows.indptr[row + 1]):
                records.append((matrix, row, int(rows.indices[k]), rows.coeffs[k]))
    coefficients = np.zeros(len(records), dtype=COEFFICIENT)
    for k, (matrix, row, signal_, value) in enumerate(records):
        coefficients[k] = (matrix, row, signal_, value)
    h = np.concatenate([pk.h_query, g1_affine_array([G1Point.generator()])])
    return ZKey(num_vars=qap.num_wires, domain_size=qap.domain.size, vk=pk.vk, beta_1=pk.beta_1,
                delta_1=pk.delta_1, coefficients=coefficients, a_query=np.array(pk.a_query),
                b1_query=np.array(pk.b1_query), b2_query=np.array(pk.b2_query), c_query=np.array(pk.l_query),
                h_query=h, contributions=b"contributions of a fuzzing seed")
