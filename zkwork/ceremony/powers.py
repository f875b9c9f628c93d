"""The state of phase 1 (powers of tau), laid out as snarkjs's .ptau files.

For a power k and N = 2^k, with the ceremony's combined secrets tau, alpha and beta
(the products of every contributor's secrets, which nobody knows):

    tau_g1[i]       = [tau^i]_1          i < 2N - 1  (the quotient polynomial h(X) t(X)
                                                      of a domain of N points has degree 2N - 2)
    tau_g2[i]       = [tau^i]_2          i < N
    alpha_tau_g1[i] = [alpha tau^i]_1    i < N
    beta_tau_g1[i]  = [beta tau^i]_1     i < N
    beta_g2         = [beta]_2

Arrays are affine Montgomery limb arrays as everywhere in zkwork ((n, 2, 4) for G1,
(n, 2, 2, 4) for G2, all zeros for the point at infinity), read-only.

A contribution with secrets (x, a, b) multiplies tau_g1[i] and tau_g2[i] by x^i,
alpha_tau_g1[i] by a x^i, beta_tau_g1[i] by b x^i and beta_g2 by b: the state of
(tau x, alpha a, beta b). Each point gets its own scalar, so this is a batch
variable-base multiplication (zkwork.curve.batch_mul) of the current points.

The digest is BLAKE2b-512 over DIGEST_TAG, the power (4 bytes, big-endian), and the
uncompressed encodings (zkwork.curve.serialize: big-endian x || y, Fq2 as c1 || c0,
all zeros for infinity) of every point in the order tau_g1, tau_g2, alpha_tau_g1,
beta_tau_g1, beta_g2: a function of the points alone, not of zkwork's limb layout.

On disk a state is a directory: header.json (format, version, power, digest) and one
.npy file per array; loading reads regular files only, checks the header, every array's
dtype and shape (from its .npy header, with the file's size, before reading it), that
each coordinate is reduced, each point on its curve, each G2 point in the subgroup, and
that the digest recomputed from the arrays matches the header's.
"""
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zkwork.curve import (
    G1Point,
    G2Point,
    check_g1_affine_array,
    check_g2_affine_array,
    g1_points_from_affine_array,
    g2_points_from_affine_array,
)
from zkwork.curve.batch_mul import batch_mul_g1, batch_mul_g2
from zkwork.curve.msm import fixed_base_mul_g1, fixed_base_mul_g2
from zkwork.errors import KeyFormatError, ShapeMismatchError, WrongTypeError, ZkworkError
from zkwork.field import FQ, FR, FieldVector, Fr
from zkwork.groth16.snarkjs_json import read_json
from zkwork.poly.kernels import powers
from zkwork.regular_files import load_npy

DIGEST_TAG = b"zkwork/ceremony/powers-of-tau/v1"
FORMAT = "zkwork-powers-of-tau"
VERSION = 1
MAX_POWER = 28  # the 2-adicity of Fr: no larger radix-2 domain exists
HEADER_JSON_BYTES = 4096  # header.json: four short fields, ~220 bytes as save writes them
G1_SHAPE, G2_SHAPE = (2, 4), (2, 2, 4)
ARRAYS = ("tau_g1", "tau_g2", "alpha_tau_g1", "beta_tau_g1")


class PowersFileError(KeyFormatError):
    """A saved powers-of-tau directory that is missing a file, or whose header, array
    shape or points are wrong; the message names the file and, for points, the index."""


@dataclass(frozen=True)
class StateHead:
    """The points of a state that a contribution record carries, from which the chain of
    contributions is checked: tau_g1[1], tau_g2[1], alpha_tau_g1[0], beta_tau_g1[0], beta_g2."""

    tau_g1: G1Point
    tau_g2: G2Point
    alpha_g1: G1Point
    beta_g1: G1Point
    beta_g2: G2Point


def _expected_shapes(power):
    n = 1 << power
    return {
        "tau_g1": (2 * n - 1,) + G1_SHAPE,
        "tau_g2": (n,) + G2_SHAPE,
        "alpha_tau_g1": (n,) + G1_SHAPE,
        "beta_tau_g1": (n,) + G1_SHAPE,
    }


def _check_power(power):
    if not isinstance(power, int) or not 0 <= power <= MAX_POWER:
        raise ShapeMismatchError(f"the power must be an int in [0, {MAX_POWER}], got {power!r}")


def _frozen(array):
    array = np.array(array, dtype=np.uint64)  # a copy: freezing must not touch the caller's array
    array.flags.writeable = False
    return array


def encoding(array) -> bytes:
    """The uncompressed encodings of the points of an affine Montgomery array ((n, 2, 4) G1
    or (n, 2, 2, 4) G2), concatenated: per point big-endian x || y, an Fq2 coordinate as
    c1 || c0, all zeros for the point at infinity, byte for byte what G1Point.to_bytes and
    G2Point.to_bytes(compressed=False) give (and snarkjs's uncompressed form), computed on
    the whole array at once."""
    rows = np.ascontiguousarray(array).reshape(-1, 4)
    plain = FQ.vec.from_mont(rows, np.empty_like(rows)).reshape(array.shape)
    if array.ndim == 1 + len(G2_SHAPE):
        plain = plain[..., ::-1, :]  # G2 coordinates in Fq2: c1 before c0
    return np.ascontiguousarray(plain[..., ::-1]).astype(">u8").tobytes()  # limbs most significant first




def _powers_of(x, n):
    return FieldVector(FR, powers(FR.to_mont_limbs(Fr(x).value), n))


@dataclass(frozen=True, eq=False)
class PowersOfTau:
    """The phase-1 state for circuits whose domain has up to 2^power points; see the
    module docstring."""

    power: int
    tau_g1: np.ndarray
    tau_g2: np.ndarray
    alpha_tau_g1: np.ndarray
    beta_tau_g1: np.ndarray
    beta_g2: G2Point

    def __post_init__(self):
        _check_power(self.power)
        for name, shape in _expected_shapes(self.power).items():
            array = getattr(self, name)
            if not isinstance(array, np.ndarray) or array.dtype != np.uint64 or array.shape != shape:
                raise ShapeMismatchError(
                    f"{name} of a power-{self.power} state must be a uint64 array of shape {shape}, "
                    f"got {getattr(array, 'dtype', type(array).__name__)} {getattr(array, 'shape', '')}"
                )
            object.__setattr__(self, name, _frozen(array))
        if not isinstance(self.beta_g2, G2Point):
            raise WrongTypeError(f"beta_g2 must be a G2Point, got {type(self.beta_g2).__name__}")

    @property
    def size(self):
        """N = 2^power, the largest domain the state serves."""
        return 1 << self.power

    # -- construction --------------------------------------------------------------
    @classmethod
    def initial(cls, power) -> "PowersOfTau":
        """The state of secrets tau = alpha = beta = 1: the generators everywhere."""
        _check_power(power)
        shapes = _expected_shapes(power)
        g1, g2 = G1Point.generator().affine_mont(), G2Point.generator().affine_mont()
        return cls(
            power=power,
            tau_g1=np.broadcast_to(g1, shapes["tau_g1"]).copy(),
            tau_g2=np.broadcast_to(g2, shapes["tau_g2"]).copy(),
            alpha_tau_g1=np.broadcast_to(g1, shapes["alpha_tau_g1"]).copy(),
            beta_tau_g1=np.broadcast_to(g1, shapes["beta_tau_g1"]).copy(),
            beta_g2=G2Point.generator(),
        )

    @classmethod
    def from_secrets(cls, power, tau: Fr, alpha: Fr, beta: Fr) -> "PowersOfTau":
        """The state of known secrets, by fixed-base multiplication of the generators (an
        oracle for tests: a real ceremony never has these secrets in one place)."""
        _check_power(power)
        n = 1 << power
        g1, g2 = G1Point.generator(), G2Point.generator()
        tau_powers = _powers_of(tau, 2 * n - 1)
        first_n = FieldVector(FR, tau_powers.mont[:n])
        return cls(
            power=power,
            tau_g1=fixed_base_mul_g1(g1.affine_mont(), tau_powers),
            tau_g2=fixed_base_mul_g2(g2.affine_mont(), first_n),
            alpha_tau_g1=fixed_base_mul_g1(g1.affine_mont(), first_n.scale(Fr(alpha).value)),
            beta_tau_g1=fixed_base_mul_g1(g1.affine_mont(), first_n.scale(Fr(beta).value)),
            beta_g2=g2 * Fr(beta),
        )

    def updated(self, tau: Fr, alpha: Fr, beta: Fr) -> "PowersOfTau":
        """The state after a contribution with secrets (tau, alpha, beta) = (x, a, b)."""
        x_powers = _powers_of(tau, 2 * self.size - 1)
        first_n = FieldVector(FR, x_powers.mont[: self.size])
        return PowersOfTau(
            power=self.power,
            tau_g1=batch_mul_g1(self.tau_g1, x_powers),
            tau_g2=batch_mul_g2(self.tau_g2, first_n),
            alpha_tau_g1=batch_mul_g1(self.alpha_tau_g1, first_n.scale(Fr(alpha).value)),
            beta_tau_g1=batch_mul_g1(self.beta_tau_g1, first_n.scale(Fr(beta).value)),
            beta_g2=self.beta_g2 * Fr(beta),
        )

    # -- views ---------------------------------------------------------------------
    def head(self) -> StateHead:
        """The points a contribution record carries (see StateHead). At power 0, tau_g1
        holds tau^0 only and tau_g1[1] does not exist: the ceremony needs power >= 1."""
        if self.power < 1:
            raise ShapeMismatchError("a power-0 state has no tau_g1[1]; a ceremony needs power >= 1")
        firsts = np.stack([self.tau_g1[1], self.alpha_tau_g1[0], self.beta_tau_g1[0]])
        g1 = g1_points_from_affine_array(firsts, check=False)
        (tau_g2,) = g2_points_from_affine_array(self.tau_g2[1:2], check=False)
        return StateHead(tau_g1=g1[0], tau_g2=tau_g2, alpha_g1=g1[1], beta_g1=g1[2], beta_g2=self.beta_g2)

    def digest(self) -> bytes:
        """BLAKE2b-512 of the canonical encoding of the whole state (module docstring)."""
        h = hashlib.blake2b(digest_size=64)
        h.update(DIGEST_TAG)
        h.update(self.power.to_bytes(4, "big"))
        for name in ARRAYS:
            h.update(encoding(getattr(self, name)))
        h.update(self.beta_g2.to_bytes(compressed=False))
        return h.digest()

    def __eq__(self, other):
        if not isinstance(other, PowersOfTau):
            return NotImplemented
        return (
            self.power == other.power
            and all(np.array_equal(getattr(self, name), getattr(other, name)) for name in ARRAYS)
            and self.beta_g2 == other.beta_g2
        )

    __hash__ = None

    # -- files ---------------------------------------------------------------------
    def write(self, directory):
        """Write header.json and one .npy per array into `directory` (created if needed)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name in ARRAYS:
            np.save(directory / f"{name}.npy", getattr(self, name), allow_pickle=False)
        np.save(directory / "beta_g2.npy", self.beta_g2.affine_mont(), allow_pickle=False)
        header = {"format": FORMAT, "version": VERSION, "power": self.power, "digest": self.digest().hex()}
        (directory / "header.json").write_text(json.dumps(header, indent=1) + "\n")

    @classmethod
    def read(cls, directory) -> "PowersOfTau":
        """Read a state written by save, checking everything (module docstring);
        PowersFileError naming the file otherwise."""
        directory = Path(directory)
        header = _read_header(directory / "header.json")
        power = header["power"]
        shapes = _expected_shapes(power)
        arrays = {name: _read_points(directory / f"{name}.npy", shapes[name]) for name in ARRAYS}
        beta_g2 = _read_points(directory / "beta_g2.npy", (1,) + G2_SHAPE, stored_shape=G2_SHAPE)
        state = cls(power=power, beta_g2=g2_points_from_affine_array(beta_g2, check=False)[0], **arrays)
        if state.digest().hex() != header["digest"]:
            raise PowersFileError(f"{directory / 'header.json'}: the digest does not match the arrays of {directory}")
        return state


def _read_header(path):
    header = read_json(path, PowersFileError, max_bytes=HEADER_JSON_BYTES)
    if not isinstance(header, dict):
        raise PowersFileError(f"{path}: expected a JSON object")
    if header.get("format") != FORMAT:
        raise PowersFileError(f"{path}: format is {header.get('format')!r}, expected {FORMAT!r}")
    if type(header.get("version")) is not int or header.get("version") != VERSION:
        raise PowersFileError(f"{path}: version {header.get('version')!r} is not supported (expected {VERSION})")
    power = header.get("power")
    if not isinstance(power, int) or isinstance(power, bool) or not 0 <= power <= MAX_POWER:
        raise PowersFileError(f"{path}: power must be an int in [0, {MAX_POWER}], got {power!r}")
    digest = header.get("digest")
    if not isinstance(digest, str) or len(digest) != 128:
        raise PowersFileError(f"{path}: digest must be 128 hex digits, got {digest!r}"[:200])
    return header


def _read_points(path, shape, stored_shape=None):
    """The validated affine point array of shape `shape` in the .npy file `path` (which holds
    it with shape `stored_shape`, by default `shape`)."""
    stored_shape = stored_shape or shape

    def expect(dtype, got_shape):
        if dtype != np.uint64 or got_shape != stored_shape:
            raise PowersFileError(f"{path}: expected a uint64 array of shape {stored_shape}, got {dtype} {got_shape}")

    # Read into memory, not mapped: the array checked below is then the one the state copies.
    array = load_npy(path, PowersFileError, expect).reshape(shape)
    check = check_g2_affine_array if shape[1:] == G2_SHAPE else check_g1_affine_array
    try:
        check(array)
    except ZkworkError as error:
        raise PowersFileError(f"{path}: {error}") from error
    return array
