"""snarkjs's powers-of-tau files, .ptau (iden3 container, magic "ptau", version 1).

With p the header's power and N = 2^p:

    section 1   header          n8 u32 (= 32), q (BN254's base field prime), power u32,
                                ceremonyPower u32 (the power the ceremony ran at; larger
                                when `snarkjs powersoftau truncate` cut the file down)
    section 2   tauG1           2N - 1 G1 points    [tau^i]_1
    section 3   tauG2           N G2 points         [tau^i]_2
    section 4   alphaTauG1      N G1 points         [alpha tau^i]_1
    section 5   betaTauG1       N G1 points         [beta tau^i]_1
    section 6   betaG2          1 G2 point          [beta]_2
    section 7   contributions   nContributions u32, then per contribution:
                  the new state's tauG1[1], tauG2[1], alphaTauG1[0], betaTauG1[0], betaG2;
                  the public key: tau g1_s, tau g1_sx, alpha g1_s, alpha g1_sx, beta g1_s,
                  beta g1_sx (G1), tau g2_spx, alpha g2_spx, beta g2_spx (G2);
                  partialHash (216 bytes: a BLAKE2b state, see zkwork.ceremony.snarkjs_ptau);
                  nextChallenge (64 bytes); type u32 (0 contribution, 1 beacon);
                  parameters: byte length u32, then entries by increasing id, each an id
                  byte and its value: 1 name (length byte, UTF-8), 2 numIterationsExp (one
                  byte), 3 beacon hash (length byte, bytes)
    sections 12 to 15           phase 2's points in the Lagrange basis, written by `snarkjs
                                powersoftau prepare phase2`: for every power 0..p (and p + 1
                                for tauG1) the domain's Lagrange evaluations, so 2^(p+2) - 1
                                G1 points (12, from tauG1), 2^(p+1) - 1 G2 points (13) and
                                2^(p+1) - 1 G1 points (14 and 15, from alpha and beta)

Points are stored as in zkey files: exactly zkwork's affine Montgomery arrays, all zeros
for infinity (snarkjs's "LEM" form). Reading checks the container (binfile), the prime, the
power (1 to 28, the 2-adicity of Fr; ceremonyPower not below it), every section's size
before allocating, every point (canonical, on its curve, G2 points in the subgroup) and the
contributions, strictly. The phase-2 sections and any other section stay unparsed
memoryviews into the file's map (two thirds of a prepared file, not read until used).
`open_ptau` checks only the header and the point sections' sizes, and reads (and checks)
the points a caller asks for: `zkey new` needs a few blocks of a multi-GB prepared file.
`write_ptau` writes sections 1 to 7, then the others by increasing type, as snarkjs does,
so a snarkjs file reads and writes back byte for byte.
"""
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from zkwork.curve import (
    G1Point,
    G2Point,
    check_g1_affine_array,
    check_g2_affine_array,
    first_off_curve,
    g1_points_from_affine_array,
    g2_points_from_affine_array,
)
from zkwork.errors import (
    EncodingError,
    InvalidValueError,
    InvariantError,
    NonCanonicalEncodingError,
    PointNotInSubgroupError,
    PointNotOnCurveError,
    ShapeMismatchError,
)
from zkwork.field import FQ, P
from zkwork.formats.binfile import N8, limbs_bytes, prime_header, read_bin_file, u32, write_bin_file

HEADER, TAU_G1, TAU_G2, ALPHA_TAU_G1, BETA_TAU_G1, BETA_G2, CONTRIBUTIONS = range(1, 8)
LAGRANGE_TAU_G1, LAGRANGE_TAU_G2, LAGRANGE_ALPHA_TAU_G1, LAGRANGE_BETA_TAU_G1 = range(12, 16)
SECTION_NAMES = {
    HEADER: "header", TAU_G1: "tauG1", TAU_G2: "tauG2", ALPHA_TAU_G1: "alphaTauG1", BETA_TAU_G1: "betaTauG1",
    BETA_G2: "betaG2", CONTRIBUTIONS: "contributions", LAGRANGE_TAU_G1: "lagrange tauG1",
    LAGRANGE_TAU_G2: "lagrange tauG2", LAGRANGE_ALPHA_TAU_G1: "lagrange alphaTauG1",
    LAGRANGE_BETA_TAU_G1: "lagrange betaTauG1",
}
MAX_POWER = 28  # the 2-adicity of Fr: snarkjs's limit too
G1_SHAPE, G2_SHAPE = (2, 4), (2, 2, 4)
G1_BYTES, G2_BYTES = 2 * N8, 4 * N8
PARTIAL_HASH_BYTES, CHALLENGE_BYTES = 216, 64
SECRETS = ("tau", "alpha", "beta")
CONTRIBUTION, BEACON = 0, 1
PARAM_NAME, PARAM_ITERATIONS, PARAM_BEACON_HASH = 1, 2, 3
# A record's points in file order: the head, then the public key's G1 and G2 points.
RECORD_POINTS = ("tauG1", "tauG2", "alphaG1", "betaG1", "betaG2",
                 "tau g1_s", "tau g1_sx", "alpha g1_s", "alpha g1_sx", "beta g1_s", "beta g1_sx",
                 "tau g2_spx", "alpha g2_spx", "beta g2_spx")
RECORD_G2 = ("tauG2", "betaG2", "tau g2_spx", "alpha g2_spx", "beta g2_spx")
RECORD_G1 = tuple(name for name in RECORD_POINTS if name not in RECORD_G2)
# The points, the hashes, the type and the parameters' length (of a record without any).
MIN_CONTRIBUTION_BYTES = (len(RECORD_G1) * G1_BYTES + len(RECORD_G2) * G2_BYTES + PARTIAL_HASH_BYTES
                          + CHALLENGE_BYTES + 4 + 4)


class PtauKey(NamedTuple):
    """A contributor's public key for one secret s: g1_sx = s g1_s, and g2_spx = s g2_sp
    for the G2 point g2_sp hashed from the challenge and g1_s, g1_sx."""

    g1_s: G1Point
    g1_sx: G1Point
    g2_spx: G2Point


@dataclass(frozen=True)
class PtauContribution:
    """One record of section 7, as parsed: the head points of the state it produced, its
    public keys, snarkjs's hashes and the parameters. `name` holds the raw bytes decoded
    with surrogateescape, so that any name written back is byte-identical."""

    tau_g1: G1Point
    tau_g2: G2Point
    alpha_g1: G1Point
    beta_g1: G1Point
    beta_g2: G2Point
    tau_key: PtauKey
    alpha_key: PtauKey
    beta_key: PtauKey
    partial_hash: bytes
    next_challenge: bytes
    kind: int = CONTRIBUTION
    name: str | None = None
    iterations_exponent: int | None = None
    beacon_hash: bytes | None = None

    def __post_init__(self):
        """Refuse what section 7 cannot hold, so that a record that exists can be written."""
        if len(self.partial_hash) != PARTIAL_HASH_BYTES or len(self.next_challenge) != CHALLENGE_BYTES:
            raise EncodingError(f"a contribution's partial hash has {PARTIAL_HASH_BYTES} bytes and its next "
                                f"challenge {CHALLENGE_BYTES}, got {len(self.partial_hash)} and {len(self.next_challenge)}")
        if self.kind not in (CONTRIBUTION, BEACON):
            raise EncodingError(f"a contribution's type is 0 (contribution) or 1 (beacon), got {self.kind!r}")
        name = self.name_bytes()
        if (name is not None and len(name) > 255) or (self.beacon_hash is not None and len(self.beacon_hash) > 255) or not (
                self.iterations_exponent is None or 0 <= self.iterations_exponent <= 255):
            raise EncodingError("a contribution's name and beacon hash take at most 255 bytes, its iteration exponent "
                                f"one byte: got {self.name!r:.80}, {self.beacon_hash!r:.80}, {self.iterations_exponent!r}")

    def key(self, secret):
        """The public key of "tau", "alpha" or "beta"."""
        return getattr(self, f"{secret}_key")

    def name_bytes(self):
        """The name as written (None without one); EncodingError if it cannot be encoded."""
        try:
            return None if self.name is None else self.name.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as error:
            raise EncodingError(f"a contribution's name must be UTF-8 text: {error}") from None


@dataclass(frozen=True, eq=False)
class PtauFile:
    """A .ptau file: the header, the point sections as affine Montgomery arrays (beta_g2 a
    point), the contributions, and every other section as bytes (or a memoryview into the
    file read) by type."""

    power: int
    ceremony_power: int
    tau_g1: np.ndarray  # (2N - 1, 2, 4)
    tau_g2: np.ndarray  # (N, 2, 2, 4)
    alpha_tau_g1: np.ndarray  # (N, 2, 4)
    beta_tau_g1: np.ndarray  # (N, 2, 4)
    beta_g2: G2Point
    contributions: tuple = ()
    other_sections: dict = field(default_factory=dict)  # e.g. 12..15 from prepare phase2


def point_counts(power):
    """{section type: number of points} of sections 2 to 6 and 12 to 15 at `power`."""
    n = 1 << power
    return {
        TAU_G1: 2 * n - 1, TAU_G2: n, ALPHA_TAU_G1: n, BETA_TAU_G1: n, BETA_G2: 1,
        LAGRANGE_TAU_G1: 4 * n - 1, LAGRANGE_TAU_G2: 2 * n - 1, LAGRANGE_ALPHA_TAU_G1: 2 * n - 1,
        LAGRANGE_BETA_TAU_G1: 2 * n - 1,
    }


# -- point validation ----------------------------------------------------------------------
_POINT_ERRORS = (NonCanonicalEncodingError, PointNotOnCurveError, PointNotInSubgroupError)


def _checker(array):
    return check_g2_affine_array if array.shape[1:] == G2_SHAPE else check_g1_affine_array


def check_points(section, array, what):
    """Refuse the first invalid point of the affine array `array` (zkwork.curve's parallel
    check: coordinates below q, on the curve, G2 in the subgroup; infinity is valid) with
    the InvalidValueError of `section`, naming `what` and the point's index."""
    try:
        _checker(array)(array)
    except _POINT_ERRORS as error:
        raise section.error(InvalidValueError, f"{what}: {error}") from error


# -- reading -------------------------------------------------------------------------------
def _read_header(binfile):
    section = binfile.section(HEADER)
    section.prime(P, "base field Fq")
    power, ceremony_power = section.u32(), section.u32()
    section.finish()
    if not 1 <= power <= MAX_POWER:
        raise section.error(InvalidValueError, f"power {power} is not in 1..{MAX_POWER}")
    if not power <= ceremony_power <= MAX_POWER:
        raise section.error(InvalidValueError, f"ceremonyPower {ceremony_power} is not in {power}..{MAX_POWER}")
    return power, ceremony_power


def _read_points(binfile, section_type, count):
    section = binfile.section(section_type)
    shape = G2_SHAPE if section_type in (TAU_G2, BETA_G2) else G1_SHAPE
    array = section.limbs(count, shape, f"{count} points for the header's power")
    section.finish()
    check_points(section, array, f"{count} points")
    return array


def _read_parameters(section, where):
    size = section.u32()
    params = bytes(section.take(size))
    found, pos, last = {}, 0, 0
    while pos < len(params):
        param = params[pos]
        if param <= last:
            raise section.error(InvalidValueError, f"{where}: parameter {param} after {last}: ids must increase")
        last = param
        if param == PARAM_ITERATIONS:
            value, pos = params[pos + 1 : pos + 2], pos + 2
        elif param in (PARAM_NAME, PARAM_BEACON_HASH):
            length = params[pos + 1] if pos + 1 < len(params) else 0
            value, pos = params[pos + 2 : pos + 2 + length], pos + 2 + length
        else:
            raise section.error(InvalidValueError, f"{where}: unknown parameter id {param}")
        if pos > len(params):
            raise section.error(InvalidValueError, f"{where}: parameter {param} runs past the {size} parameter bytes")
        found[param] = value
    name = found.get(PARAM_NAME)
    iterations = found.get(PARAM_ITERATIONS)
    return {
        "name": None if name is None else name.decode("utf-8", "surrogateescape"),
        "iterations_exponent": None if iterations is None else iterations[0],
        "beacon_hash": found.get(PARAM_BEACON_HASH),
    }


def _read_contribution(section, index):
    """One record, its points as (9, 2, 4) G1 and (5, 2, 2, 4) G2 arrays in the order of
    RECORD_G1 and RECORD_G2 (checked by the caller, all records at once)."""
    where = f"contribution {index}"
    points = {name: section.limbs(1, G1_SHAPE if name in RECORD_G1 else G2_SHAPE, f"{where}, {name}")
              for name in RECORD_POINTS}
    partial_hash = bytes(section.take(PARTIAL_HASH_BYTES))
    next_challenge = bytes(section.take(CHALLENGE_BYTES))
    kind = section.u32()
    if kind not in (CONTRIBUTION, BEACON):
        raise section.error(InvalidValueError, f"{where}: type {kind}, expected 0 (contribution) or 1 (beacon)")
    rest = {"partial_hash": partial_hash, "next_challenge": next_challenge, "kind": kind,
            **_read_parameters(section, where)}
    return (np.concatenate([points[name] for name in RECORD_G1]),
            np.concatenate([points[name] for name in RECORD_G2]), rest)


def _first_invalid_point(arrays, names):
    """(record index, point name, error) of the first invalid point of the records' arrays,
    checked one point at a time: only once the batch check has failed."""
    for index, array in enumerate(arrays):
        for name, row in zip(names, array):
            try:
                _checker(array)(row[None])
            except _POINT_ERRORS as error:
                return index, name, error
    raise InvariantError("the batch check failed but no single point does")


def _read_contributions(binfile):
    section = binfile.section(CONTRIBUTIONS)
    count = section.u32()
    section.need(count, MIN_CONTRIBUTION_BYTES, "nContributions")
    records = [_read_contribution(section, i) for i in range(count)]
    section.finish()
    if not records:
        return ()
    points = []
    for k, (names, from_array) in enumerate(((RECORD_G1, g1_points_from_affine_array),
                                             (RECORD_G2, g2_points_from_affine_array))):
        arrays = [record[k] for record in records]
        array = np.concatenate(arrays)
        try:
            _checker(array)(array)  # every record at once: one parallel pass per group
        except _POINT_ERRORS:
            index, name, error = _first_invalid_point(arrays, names)
            raise section.error(InvalidValueError, f"contribution {index}, {name}: {type(error).__name__}") from error
        points.append(from_array(array, check=False))
    contributions = []
    for i, (_, _, rest) in enumerate(records):
        g1 = dict(zip(RECORD_G1, points[0][len(RECORD_G1) * i :]))
        g2 = dict(zip(RECORD_G2, points[1][len(RECORD_G2) * i :]))
        keys = {f"{name}_key": PtauKey(g1[f"{name} g1_s"], g1[f"{name} g1_sx"], g2[f"{name} g2_spx"])
                for name in SECRETS}
        contributions.append(PtauContribution(tau_g1=g1["tauG1"], tau_g2=g2["tauG2"], alpha_g1=g1["alphaG1"],
                                              beta_g1=g1["betaG1"], beta_g2=g2["betaG2"], **keys, **rest))
    return tuple(contributions)


def _other_sections(binfile, power):
    others = {}
    for section_type in sorted(set(binfile.sections) - set(range(HEADER, CONTRIBUTIONS + 1))):
        data = binfile.section(section_type).data
        if section_type in (LAGRANGE_TAU_G1, LAGRANGE_TAU_G2, LAGRANGE_ALPHA_TAU_G1, LAGRANGE_BETA_TAU_G1):
            count = point_counts(power)[section_type]
            expected = count * (G2_BYTES if section_type == LAGRANGE_TAU_G2 else G1_BYTES)
            if len(data) != expected:
                section = binfile.section(section_type)
                raise section.error(InvalidValueError, f"{len(data)} bytes, but {count} points of power {power} "
                                                       f"take {expected}")
        others[section_type] = data
    return others


def read_ptau(path):
    """The .ptau file at `path`, checked as the module docstring says."""
    binfile = read_bin_file(path, "ptau", 1, SECTION_NAMES)
    power, ceremony_power = _read_header(binfile)
    counts = point_counts(power)
    arrays = {name: _read_points(binfile, section_type, counts[section_type]) for name, section_type in
              (("tau_g1", TAU_G1), ("tau_g2", TAU_G2), ("alpha_tau_g1", ALPHA_TAU_G1), ("beta_tau_g1", BETA_TAU_G1))}
    beta_g2 = g2_points_from_affine_array(_read_points(binfile, BETA_G2, 1), check=False)[0]
    return PtauFile(power=power, ceremony_power=ceremony_power, beta_g2=beta_g2, **arrays,
                    contributions=_read_contributions(binfile), other_sections=_other_sections(binfile, power))


def _point_bytes_of(section_type):
    return G2_BYTES if section_type in (TAU_G2, BETA_G2, LAGRANGE_TAU_G2) else G1_BYTES


@dataclass(frozen=True, eq=False)
class PtauSections:
    """A .ptau with its header and the sizes of its point sections checked, its points
    read (and checked) on demand: what `zkey new` needs of a multi-GB prepared file."""

    power: int
    ceremony_power: int
    binfile: object  # zkwork.formats.binfile.BinFile

    def points(self, section_type, start, count, subgroup=True):
        """Points start .. start + count - 1 of a point section, as a fresh affine array,
        each checked: canonical, on its curve, and for G2 with `subgroup` in the subgroup
        (without, as zkey_file's long arrays: the caller checks it where it matters)."""
        section = self.binfile.section(section_type)
        item_bytes = _point_bytes_of(section_type)
        section.take(start * item_bytes)
        shape = G2_SHAPE if item_bytes == G2_BYTES else G1_SHAPE
        what = f"points {start} to {start + count - 1}"
        array = section.limbs(count, shape, what)
        if subgroup or shape == G1_SHAPE:
            check_points(section, array, what)
            return array
        section.check_below(array, FQ, what)
        index = first_off_curve(array)
        if index is not None:
            raise section.error(InvalidValueError, f"{what}: point {start + index} is not on the curve")
        return array

    def contributions(self):
        """The contributions of section 7, parsed and checked as read_ptau does."""
        return _read_contributions(self.binfile)

    def raw(self, section_type):
        """The bytes of a section as stored (a memoryview into the file's map)."""
        return self.binfile.section(section_type).data


def open_ptau(path):
    """The .ptau at `path` as PtauSections: the container, the header and the size of
    every point section present (2 to 6 required, 12 to 15 if there) checked; no point
    is read."""
    binfile = read_bin_file(path, "ptau", 1, SECTION_NAMES)
    power, ceremony_power = _read_header(binfile)
    for section_type, count in point_counts(power).items():
        if section_type < LAGRANGE_TAU_G1 or binfile.has(section_type):
            section = binfile.section(section_type)
            section.need(count, _point_bytes_of(section_type), f"{count} points for the header's power")
            section.take(count * _point_bytes_of(section_type))
            section.finish()
    return PtauSections(power, ceremony_power, binfile)


# -- writing -------------------------------------------------------------------------------
def _point_bytes(points):
    return b"".join(limbs_bytes(point.affine_mont()) for point in points)


def _parameter_bytes(contribution):
    c = contribution
    name = c.name_bytes()
    params = b""
    if name is not None:
        params += bytes([PARAM_NAME, len(name)]) + name
    if c.iterations_exponent is not None:
        params += bytes([PARAM_ITERATIONS, c.iterations_exponent])
    if c.beacon_hash is not None:
        params += bytes([PARAM_BEACON_HASH, len(c.beacon_hash)]) + c.beacon_hash
    return u32(len(params)) + params


def contribution_bytes(contribution):
    """One record of section 7 (see the module docstring)."""
    c = contribution
    keys = [c.key(name) for name in SECRETS]
    return b"".join([
        _point_bytes([c.tau_g1, c.tau_g2, c.alpha_g1, c.beta_g1, c.beta_g2]),
        _point_bytes([point for key in keys for point in (key.g1_s, key.g1_sx)]),
        _point_bytes([key.g2_spx for key in keys]),
        c.partial_hash, c.next_challenge, u32(c.kind), _parameter_bytes(c),
    ])


def write_prepared_ptau(ptau, lagrange, path):
    """Write what `snarkjs powersoftau prepare phase2` writes: a fresh header (ceremonyPower
    = power), sections 2 to 7 of `ptau` (PtauSections) byte for byte, then `lagrange`
    ({12..15: bytes-like}, each of its point count's size)."""
    counts = point_counts(ptau.power)
    if sorted(lagrange) != list(range(LAGRANGE_TAU_G1, LAGRANGE_BETA_TAU_G1 + 1)):
        raise ShapeMismatchError(f"a prepared ptau has sections 12 to 15, got {sorted(lagrange)}")
    for section_type, data in lagrange.items():
        expected = counts[section_type] * _point_bytes_of(section_type)
        if len(data) != expected:
            raise ShapeMismatchError(f"{SECTION_NAMES[section_type]} of power {ptau.power} takes {expected} bytes, "
                                     f"got {len(data)}")
    sections = [(HEADER, prime_header(P) + u32(ptau.power) + u32(ptau.power))]
    sections += [(section_type, ptau.raw(section_type)) for section_type in range(TAU_G1, CONTRIBUTIONS + 1)]
    write_bin_file(path, "ptau", 1, sections + sorted(lagrange.items()))


def write_ptau(ptau, path):
    """Write `ptau` (a PtauFile) as a .ptau file (sections 1 to 7, then the others)."""
    counts = point_counts(ptau.power)
    arrays = ((TAU_G1, ptau.tau_g1), (TAU_G2, ptau.tau_g2), (ALPHA_TAU_G1, ptau.alpha_tau_g1),
              (BETA_TAU_G1, ptau.beta_tau_g1))
    for section_type, array in arrays:
        shape = (counts[section_type],) + (G2_SHAPE if section_type == TAU_G2 else G1_SHAPE)
        if array.shape != shape:
            raise ShapeMismatchError(f"{SECTION_NAMES[section_type]} of power {ptau.power} has shape {shape}, got {array.shape}")
    sections = [(HEADER, prime_header(P) + u32(ptau.power) + u32(ptau.ceremony_power))]
    sections += [(section_type, limbs_bytes(array)) for section_type, array in arrays]
    sections.append((BETA_G2, limbs_bytes(ptau.beta_g2.affine_mont())))
    sections.append((CONTRIBUTIONS, u32(len(ptau.contributions)) +
                     b"".join(contribution_bytes(c) for c in ptau.contributions)))
    sections += sorted(ptau.other_sections.items())
    write_bin_file(path, "ptau", 1, sections)
