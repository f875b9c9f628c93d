"""snarkjs's JSON files: verification_key.json, proof.json and public.json.

Shapes (all numbers are decimal strings):
  G1 point   [x, y, "1"]                       (infinity: ["0", "1", "0"])
  G2 point   [[x_c0, x_c1], [y_c0, y_c1], ["1", "0"]]   (infinity: [["0","0"],["1","0"],["0","0"]])
  vk         {"protocol": "groth16", "curve": "bn128", "nPublic", "vk_alpha_1", "vk_beta_2",
              "vk_gamma_2", "vk_delta_2", "vk_alphabeta_12", "IC": [G1, ...]}
  proof      {"pi_a": G1, "pi_b": G2, "pi_c": G1, "protocol": "groth16", "curve": "bn128"}
  public     [x_1, ..., x_l]
vk_alphabeta_12 is e(alpha, beta) written c0/c1 (Fq6) -> c0..c2 (Fq2) -> c0, c1, the
tower snarkjs and zkwork share (Fq6 = Fq2[v]/(v^3 - (9+u)), Fq12 = Fq6[w]/(w^2 - v)), in
snarkjs's convention: its final exponentiation (ffjavascript's) raises to 2u(6u^2+3u+1)
times the standard exponent, so the value written is zkwork's e(alpha, beta) to that power
(measured against snarkjs's own files; no verifier reads it, snarkjs recomputes it).

Reading checks everything and raises JsonFormatError naming the file part that is wrong
(`proof.pi_b[1][0]`, `verification_key.IC[2]`); points must be on the curve and in the
subgroup. Numbers are strings of ASCII digits (leading zeros allowed) below p (coordinates)
or r (public inputs). `read_json`, shared by the readers of JSON files (these, the proving
key's header, the ceremony's headers and transcripts), reads regular files only, of at most
MAX_JSON_BYTES (or the caller's bound), and refuses a file that is not UTF-8 or
whose arrays and objects nest deeper than MAX_JSON_DEPTH, before json.loads: py_ecc raises
Python's recursion limit to 10^5 at import, and the C parser then recurses through deep
nesting until the C stack overflows.
"""
import json
import re

from zkwork.curve import G1Point, G2Point
from zkwork.errors import JsonFormatError, ZkworkError
from zkwork.field import P, R
from zkwork.field.params import X
from zkwork.field import fq2
from zkwork.groth16.keys import Proof, VerifyingKey
from zkwork.json_fields import JsonFields
from zkwork.pairing import pairing
from zkwork.regular_files import read_regular


SNARKJS_GT_EXPONENT = 2 * X * (6 * X**2 + 3 * X + 1) % R  # see the module docstring


# -- writing ---------------------------------------------------------------------------------
def g1_to_json(point):
    """A G1Point in snarkjs's JSON shape [x, y, "1"], ["0", "1", "0"] for infinity."""
    if point.is_infinity():
        return ["0", "1", "0"]
    x, y = point.to_affine()
    return [str(x), str(y), "1"]


def g2_to_json(point):
    """A G2Point in snarkjs's JSON shape [[x_c0, x_c1], [y_c0, y_c1], ["1", "0"]]."""
    if point.is_infinity():
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    x, y = point.to_affine()
    return [[str(x[0]), str(x[1])], [str(y[0]), str(y[1])], ["1", "0"]]


def _gt(value):
    array = value.array
    return [[[str(c) for c in fq2.from_mont(fq2.load(array[half], k))] for k in range(3)] for half in range(2)]


def vk_to_json(vk):
    """A VerifyingKey as snarkjs's verification_key.json object, vk_alphabeta_12 included."""
    return {
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.num_public,
        "vk_alpha_1": g1_to_json(vk.alpha_1),
        "vk_beta_2": g2_to_json(vk.beta_2),
        "vk_gamma_2": g2_to_json(vk.gamma_2),
        "vk_delta_2": g2_to_json(vk.delta_2),
        "vk_alphabeta_12": _gt(pairing(vk.alpha_1.affine_mont(), vk.beta_2.affine_mont()) ** SNARKJS_GT_EXPONENT),
        "IC": [g1_to_json(p) for p in vk.ic],
    }


def proof_to_json(proof):
    """A Proof as snarkjs's proof.json object."""
    return {"pi_a": g1_to_json(proof.a), "pi_b": g2_to_json(proof.b), "pi_c": g1_to_json(proof.c), "protocol": "groth16", "curve": "bn128"}


def public_to_json(values):
    """Public inputs as snarkjs's public.json list of decimal strings."""
    return [str(int(v)) for v in values]


# -- reading ---------------------------------------------------------------------------------
JSON = JsonFields(JsonFormatError)


def _point(cls, value, where):
    coordinate, zero, one = _COORDINATES[cls]
    x, y, z = JSON.list(value, where, 3)
    x, y, z = coordinate(x, f"{where}[0]"), coordinate(y, f"{where}[1]"), coordinate(z, f"{where}[2]")
    if z == zero:
        if x != zero:
            raise JsonFormatError(f"{where}: a point at infinity (z = 0) must have x = 0")
        return cls.infinity()
    if z != one:
        raise JsonFormatError(f"{where}: the z coordinate must be 1 (affine) or 0 (infinity)")
    try:
        return cls.from_affine(x, y)
    except ZkworkError as error:
        raise JsonFormatError(f"{where}: {error}") from error


def _fq(value, where):
    return JSON.decimal(value, where, P, "the base field modulus p")


def _fq2(value, where):
    c0, c1 = JSON.list(value, where, 2)
    return (_fq(c0, f"{where}[0]"), _fq(c1, f"{where}[1]"))


_COORDINATES = {G1Point: (_fq, 0, 1), G2Point: (_fq2, (0, 0), (1, 0))}


def g1_from_json(value, where):
    """The G1Point of a snarkjs JSON point; JsonFormatError naming `where` if it is invalid."""
    return _point(G1Point, value, where)


def g2_from_json(value, where):
    """The G2Point of a snarkjs JSON point; JsonFormatError naming `where` if it is invalid."""
    return _point(G2Point, value, where)


def _groth16_object(obj, where):
    """obj, checked to be a JSON object that does not claim another protocol or curve."""
    JSON.object(obj, where)
    for key, expected in (("protocol", "groth16"), ("curve", "bn128")):
        if key in obj and obj[key] != expected:
            raise JsonFormatError(f"{where}.{key}: expected {expected!r}, got {obj[key]!r}")
    return obj


def vk_from_json(obj, where="verification_key"):
    """The VerifyingKey of a parsed verification_key.json object; JsonFormatError if malformed."""
    obj = _groth16_object(obj, where)
    ic = JSON.field(obj, "IC", where)
    if not isinstance(ic, list) or not ic:
        raise JsonFormatError(f"{where}.IC: expected a non-empty list of G1 points")
    if "nPublic" in obj and obj["nPublic"] != len(ic) - 1:
        raise JsonFormatError(f"{where}.nPublic: {obj['nPublic']!r} but IC has {len(ic)} points")
    return VerifyingKey(
        alpha_1=g1_from_json(JSON.field(obj, "vk_alpha_1", where), f"{where}.vk_alpha_1"),
        beta_2=g2_from_json(JSON.field(obj, "vk_beta_2", where), f"{where}.vk_beta_2"),
        gamma_2=g2_from_json(JSON.field(obj, "vk_gamma_2", where), f"{where}.vk_gamma_2"),
        delta_2=g2_from_json(JSON.field(obj, "vk_delta_2", where), f"{where}.vk_delta_2"),
        ic=tuple(g1_from_json(p, f"{where}.IC[{i}]") for i, p in enumerate(ic)),
    )


def proof_from_json(obj, where="proof"):
    """The Proof of a parsed proof.json object; JsonFormatError if malformed or off the subgroup."""
    obj = _groth16_object(obj, where)
    return Proof(
        a=g1_from_json(JSON.field(obj, "pi_a", where), f"{where}.pi_a"),
        b=g2_from_json(JSON.field(obj, "pi_b", where), f"{where}.pi_b"),
        c=g1_from_json(JSON.field(obj, "pi_c", where), f"{where}.pi_c"),
    )


def public_from_json(obj, where="public"):
    """The public inputs of a parsed public.json list, as ints below r; else JsonFormatError."""
    JSON.list(obj, where)
    return [JSON.decimal(v, f"{where}[{i}]", R, "the group order r") for i, v in enumerate(obj)]


MAX_JSON_DEPTH = 64  # arrays and objects inside one another; snarkjs's files need 4
# A JSON string (to its closing quote, or to the end of an unterminated one), an opening
# bracket or brace (group 1), a closing one (group 2).
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|([\[{])|([\]}])', re.DOTALL)


def nesting_overflow_offset(text):
    """The offset in `text` where arrays and objects outside strings first nest deeper
    than MAX_JSON_DEPTH, or None; linear in the text, stops at that offset."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        if token.group(1):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return token.start()
        elif token.group(2):
            depth -= 1
    return None


# The largest JSON file zkwork reads, measured on its own files: a verification key takes
# ~2.6 KB plus ~180 B per public signal, a phase-1 transcript ~7.7 KB per record (87 KB for
# ten contributors and a beacon), a phase-2 one ~1.9 KB per record, circuit inputs a few
# bytes per value. 16 MiB holds a vk of 90,000 public signals or a transcript of 2,000
# phase-1 records (callers expecting more pass max_bytes), and bounds what json.loads can
# build from it: ~25 bytes of Python objects per byte of text at worst (a list of empty
# lists), so ~400 MB.
MAX_JSON_BYTES = 16 << 20
MAX_PROOF_JSON_BYTES = 64 << 10  # a proof.json is ~800 bytes as snarkjs and zkwork write it


def read_json(path, error=JsonFormatError, max_bytes=MAX_JSON_BYTES):
    """The JSON value in the file at `path`. `error` (JsonFormatError or another typed
    error class), naming the file, if the file is not a regular file of at most
    `max_bytes` bytes, is not UTF-8, nests arrays and objects deeper than MAX_JSON_DEPTH
    or is not JSON."""
    try:
        text = read_regular(path, max_bytes, error, "JSON file").decode("utf-8")
    except UnicodeDecodeError as reason:
        raise error(f"{path}: {reason}") from reason
    offset = nesting_overflow_offset(text)
    if offset is not None:
        raise error(f"{path}: arrays and objects nested deeper than {MAX_JSON_DEPTH} levels (character {offset})")
    try:
        return json.loads(text)
    except ValueError as reason:  # not JSON, or an integer of more digits than int() reads
        raise error(f"{path}: {reason}") from reason


def read_json_as(path, reader, max_bytes=None):
    """The object one of the readers above (vk_from_json, proof_from_json, public_from_json)
    makes of the JSON file at `path`; errors name the file."""
    if max_bytes is None:  # the bound of the reader's kind of file
        max_bytes = MAX_PROOF_JSON_BYTES if reader is proof_from_json else MAX_JSON_BYTES
    return reader(read_json(path, max_bytes=max_bytes), where=str(path))


def write_json(path, obj):
    """Writes a JSON value to `path`, indented by one, with a final newline."""
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
