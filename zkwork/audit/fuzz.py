"""Fuzzing of what zkwork reads from outside: the Groth16 verifiers and the file parsers.

A target is a piece of code that takes untrusted input (`verify`, `verify_batch`, the
snarkjs JSON readers, the .r1cs, .sym, .wtns, .zkey and .ptau readers, zkwork's proving-key
directory, the ceremony's phase-1 transcript), a valid seed input built once, a generator
of mutated inputs, and an oracle that classifies what the code did with each:

    rejected    verify returned False, or a parser raised a typed error (a subclass of
                zkwork.errors.ZkworkError), counted per error type
    equivalent  accepted, and rightly so: the mutation did not change the meaning (sections
                reordered, an unknown key added, a number with leading zeros, a batch with a
                statement dropped)
    variant     a parser accepted a well-formed input that differs from the seed (a bit flip
                in a coefficient that stays below r): legitimate, a parser checks form, not
                provenance
    accepted    must be 0: verify returned True for a statement or proof that differs from
                the valid one, or a parser accepted an input that a mutation made malformed
                by construction (truncated, wrong magic or version, a count claiming more
                than the file holds, a duplicated or missing section, a value >= its modulus,
                a point off the curve or outside the subgroup)
    crash       must be 0: any other exception (TypeError, ValueError, RecursionError,
                MemoryError, ...), a child process killed by a signal, or a parse that
                allocated more than its input justifies before checking a count
    hang        must be 0: a case that ran longer than the time limit

A verifying key is the verifier's own, trusted input: when a mutated key point makes the
pairing refuse it with a typed error, the case counts as rejected; attacker inputs (the
proof and the public inputs) must only ever make verify answer False. Cases that inflate a
count run under tracemalloc, so that a reader allocating what the count claims before
checking it against the bytes left is caught even when it then fails cleanly. Kernels run
on one thread during a campaign: the inputs are tiny, and starting a parallel kernel's
threads costs more than its work.

Each target first runs its deterministic edge cases (truncation at every section boundary,
every wrong magic, every inflated count, every duplicated and missing section, deeply
nested JSON, ...), then random mutations drawn from `random.Random(f"{seed}/{target}/{i}")`:
fuzz cases need reproducibility, not secrecy, so the non-cryptographic generator is the
right tool here (case i of a campaign can be replayed alone). Inputs that can kill the
interpreter itself (JSON nested 10^5 deep, since py_ecc raises Python's recursion limit to
10^5 at import) run in a child process.

`run_campaign(n, seed, targets)` returns the counts per target as a DataFrame; `zkwork
audit --fuzz N` prints it. Other modules add targets with `register(Target(...))`, or with
`binary_target` for an iden3 section container (give its BinarySpec, a seed and the reader,
as the .ptau target does) and `json_target` for a JSON reader (give its JsonSpec, as the
transcript target does): the mutations come with them.
"""
import json
import random
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numba
import numpy as np

from zkwork.curve import G1Point, G2Point
from zkwork.errors import ZkworkError
from zkwork.field import FQ, P, R
from zkwork.field.fq2_element import Fq2
from zkwork.field.limbs import int_to_limbs, limbs_to_int

OUTCOMES = ("rejected", "equivalent", "variant", "accepted", "crash", "hang")
DEFAULT_TIME_LIMIT = 5.0  # seconds per case; a verify takes a few milliseconds
MEMORY_SLACK = 32 << 20  # bytes a parse may allocate beyond 16 times its input
EXAMPLES_PER_OUTCOME = 5  # bad cases kept as examples, per target and outcome
DEEP_NESTING = 100_000


@dataclass(frozen=True)
class Case:
    """One mutated input: the mutation's name, the input as the target takes it, whether
    the mutation makes it malformed by construction, whether it must run in a child
    process, and whether its memory use is watched (inflated counts)."""

    mutation: str
    value: object
    must_reject: bool = True
    isolate: bool = False
    watch_memory: bool = False


@dataclass(frozen=True)
class Target:
    """A fuzz target: `build()` makes the valid seed (once per process), `edges(seed)` the
    deterministic edge cases, `mutate(seed, rng)` one random case, `run(seed, case,
    scratch)` calls the code under test (scratch: a directory for files) and `judge(seed,
    case, result)` classifies a run that returned. Targets that read files also give
    `prepare(seed, case, scratch) -> path` and `read(path)`, a module-level function that a
    child process imports to run a case that could kill the interpreter."""

    name: str
    description: str
    build: object
    edges: object
    mutate: object
    run: object
    judge: object
    prepare: object = None
    read: object = None

    def __post_init__(self):
        if self.read is not None and "<" in self.read.__qualname__:
            raise ValueError(f"fuzz target {self.name}: `read` must be a module-level function, a child "
                             "process imports it to run the cases that could kill the interpreter")


TARGETS = {}


def register(target):
    """Add a target to the registry (a later one with the same name replaces it)."""
    TARGETS[target.name] = target
    return target


# == the Groth16 seed ===========================================================================


def _seed_circuit(cs):
    """out = y * b with y^3 = a: one output, two public inputs, one private input."""
    a = cs.public_input("a")
    b = cs.public_input("b")
    y = cs.private_input("y")
    cs.assert_equal(y * y * y, a, "cube")
    cs.public_output("out", y * b)


@dataclass(frozen=True)
class Groth16Seed:
    """Keys of _seed_circuit, valid statements for them, and a twist point outside G2."""

    pk: object
    vk: object
    pvk: object
    statements: tuple  # ((public signals, proof), ...), all valid
    off_subgroup_g2: G2Point


def _off_subgroup_g2():
    """A point of the twist curve outside G2: the first x = k + u with x^3 + b' a square
    (the cofactor is about p, so such a point is in G2 with negligible probability)."""
    b = G2Point.curve.b
    for k in range(1, 1000):
        x = Fq2(k, 1)
        rhs = x * x * x + b
        if rhs.is_square():
            point = G2Point._wrap(G2Point.curve.jacobian(x, rhs.sqrt()))
            if point.is_on_curve() and not point.is_in_subgroup():
                return point
    raise AssertionError("no twist point outside G2 among the first candidates")


@cache
def groth16_seed():
    """Keys of _seed_circuit and three valid statements (distinct public inputs)."""
    from zkwork.groth16 import prepare_verifying_key, prove, setup
    from zkwork.r1cs import solve

    solved = [solve(_seed_circuit, {"a": y ** 3, "b": b, "y": y}) for y, b in ((3, 1234567), (5, 7654321),
                                                                             (7, 1 << 200))]
    pk = setup(solved[0][0])
    statements = tuple((r1cs.public_signals(w), prove(pk, w)) for r1cs, w in solved)
    return Groth16Seed(pk, pk.vk, prepare_verifying_key(pk.vk), statements, _off_subgroup_g2())


# -- points as their representation ---------------------------------------------------------------


def _affine(point):
    """The affine point (pair of Fq2, or None for infinity) that a point's Jacobian limbs
    denote mathematically, limbs reduced mod p: the ground truth for 'same point'."""
    degree = point.curve.degree
    coords = []
    for row in np.asarray(point.jacobian).reshape(3, degree, 4):
        plain = [FQ.from_mont_limbs(tuple(int(v) for v in limbs)).value for limbs in row]
        coords.append(Fq2(plain[0], plain[1] if degree == 2 else 0))
    x, y, z = coords
    if z.is_zero():
        return None
    z_inv = z.inverse()
    return x * z_inv * z_inv, y * z_inv * z_inv * z_inv


def same_point(p, q):
    return type(p) is type(q) and _affine(p) == _affine(q)


def same_proof(proof, reference):
    from zkwork.groth16 import Proof

    return (isinstance(proof, Proof) and all(
        isinstance(getattr(proof, n), type(getattr(reference, n))) and same_point(getattr(proof, n), getattr(reference, n))
        for n in ("a", "b", "c")))


def same_public(values, reference):
    try:
        values = list(values)
    except TypeError:
        return False
    return len(values) == len(reference) and all(type(v) is int and v == w for v, w in zip(values, reference))


def same_vk(vk, reference):
    return (len(vk.ic) == len(reference.ic)
            and all(same_point(getattr(vk, n), getattr(reference, n)) for n in ("alpha_1", "beta_2", "gamma_2", "delta_2"))
            and all(same_point(p, q) for p, q in zip(vk.ic, reference.ic)))


def _with_limbs(point, index, limbs):
    """The point with limb group `index` (0..2 for G1, 0..5 for G2: X, Y, Z coefficients)
    of its Jacobian array replaced; unchecked, as a caller may build it."""
    array = np.array(point.jacobian).reshape(-1, 4)
    array[index] = limbs
    return type(point)(array.reshape(point.jacobian.shape))


def _flip_bit(point, rng):
    array = np.array(point.jacobian).reshape(-1)
    k = rng.randrange(array.size)
    array[k] ^= np.uint64(1 << rng.randrange(64))
    return type(point)(array.reshape(point.jacobian.shape)), f"bit flip in limb {k}"


def _coordinate_limbs(rng, point, index):
    """A replacement for one limb group: random, the modulus itself, the same value plus p
    (non-canonical), all ones, or zero."""
    current = limbs_to_int(tuple(int(v) for v in np.asarray(point.jacobian).reshape(-1, 4)[index]))
    choice = rng.choice(("random", "p", "plus p", "all ones", "zero"))
    value = {"random": rng.getrandbits(256), "p": P, "plus p": current + P, "all ones": (1 << 256) - 1,
             "zero": 0}[choice]
    return np.array(int_to_limbs(value % (1 << 256)), dtype=np.uint64), choice


# == verify ======================================================================================

PROOF_POINTS = ("a", "b", "c")
NON_POINTS = (None, "1", 1, 1.5, (1, 2), [], {})
BAD_PUBLIC_VALUES = ("r", "r + v", "2^256", "-v", "-1", "str", "float", "True", "None", "Fr", "numpy")


def _bad_public_value(rng, v):
    from zkwork.field import Fr

    kind = rng.choice(BAD_PUBLIC_VALUES)
    value = {"r": R, "r + v": R + v, "2^256": 1 << 256, "-v": -v, "-1": -1, "str": str(v), "float": float(v),
             "True": True, "None": None, "Fr": Fr(v), "numpy": np.uint64(v % (1 << 64))}[kind]
    return value, kind


def _replaced_point(rng, seed, point, name):
    """A substitute for a proof point, and the substitution's name."""
    cls = type(point)
    options = ["infinity", "generator", "random multiple", "negation", "other proof's", "off-curve"]
    if cls is G2Point:
        options.append("off-subgroup")
    choice = rng.choice(options)
    other = seed.statements[1][1]
    value = {
        "infinity": lambda: cls.infinity(), "generator": lambda: cls.generator(),
        "random multiple": lambda: cls.generator() * rng.randrange(2, R), "negation": lambda: -point,
        "other proof's": lambda: getattr(other, name),
        "off-curve": lambda: _flipped_y(point),
        "off-subgroup": lambda: seed.off_subgroup_g2,
    }[choice]()
    return value, choice


def _flipped_y(point):
    """(x, y + 1) for a point (x, y): canonical coordinates, off the curve."""
    x, y = point._affine_elements()
    return type(point)._wrap(point.curve.jacobian(x, y + 1))


def mutate_statement(seed, rng, public, proof):
    """(public, proof, mutation name): one change to a valid statement: a proof point's
    limbs (bit flip, replaced coordinate), the point itself (infinity, another point,
    off the curve, off the subgroup), a swap, a wrong type, or one public value or the
    public list's shape."""
    from zkwork.groth16 import Proof

    family = rng.choice(("flip", "flip", "coordinate", "point", "swap", "type", "public", "public", "shape"))
    if family in ("flip", "coordinate", "point", "type"):
        name = rng.choice(PROOF_POINTS)
        point = getattr(proof, name)
        if family == "flip":
            point, what = _flip_bit(point, rng)
        elif family == "coordinate":
            index = rng.randrange(3 * point.curve.degree)
            limbs, what = _coordinate_limbs(rng, point, index)
            point, what = _with_limbs(point, index, limbs), f"limb group {index} := {what}"
        elif family == "point":
            point, what = _replaced_point(rng, seed, point, name)
        else:
            point = rng.choice(NON_POINTS + ((G2Point.generator(),) if name != "b" else (G1Point.generator(),)))
            what = f"replaced by {type(point).__name__}"
        fields = {n: getattr(proof, n) for n in PROOF_POINTS}
        fields[name] = point
        return public, Proof(**fields), f"proof.{name}: {what}"
    if family == "swap":
        if rng.random() < 0.5:
            return public, Proof(a=proof.c, b=proof.b, c=proof.a), "proof: a and c swapped"
        whole = rng.choice((None, "proof", (proof.a, proof.b, proof.c), {"a": proof.a}, 0))
        return public, whole, f"proof replaced by {type(whole).__name__}"
    public = list(public)
    if family == "public":
        i = rng.randrange(len(public))
        if rng.random() < 0.4:
            public[i] = (public[i] + rng.randrange(1, R)) % R
            return public, proof, f"public[{i}] changed (valid field element)"
        public[i], what = _bad_public_value(rng, public[i])
        return public, proof, f"public[{i}] := {what}"
    shape = rng.choice(("drop", "append 0", "append r", "empty", "None", "int", "str", "nested"))
    value = {"drop": public[:-1], "append 0": public + [0], "append r": public + [R], "empty": [], "None": None,
             "int": public[0], "str": " ".join(map(str, public)), "nested": [public]}[shape]
    return value, proof, f"public: {shape}"


def _vk_mutation(seed, rng):
    """A VerifyingKey with one point changed (limbs, infinity, off-curve, off-subgroup,
    another point) or its IC list shortened or extended."""
    vk = seed.vk
    name = rng.choice(("alpha_1", "beta_2", "gamma_2", "delta_2", "ic", "ic", "ic length"))
    if name == "ic length":
        if rng.random() < 0.5:
            return replace(vk, ic=vk.ic[:-1]), "vk.IC: one point fewer"
        return replace(vk, ic=vk.ic + (G1Point.generator(),)), "vk.IC: one point more"
    index = rng.randrange(len(vk.ic)) if name == "ic" else None
    point = vk.ic[index] if name == "ic" else getattr(vk, name)
    how = rng.choice(("flip", "infinity", "off-curve", "generator", "off-subgroup"))
    if how == "flip":
        point, what = _flip_bit(point, rng)
    elif how == "infinity":
        point, what = type(point).infinity(), "infinity"
    elif how == "off-curve":
        point, what = _flipped_y(point), "off-curve"
    elif how == "off-subgroup" and type(point) is G2Point:
        point, what = seed.off_subgroup_g2, "off-subgroup"
    else:
        point, what = type(point).generator(), "generator"
    if name == "ic":
        ic = list(vk.ic)
        ic[index] = point
        return replace(vk, ic=tuple(ic)), f"vk.IC[{index}]: {what}"
    return replace(vk, **{name: point}), f"vk.{name}: {what}"


def _verify_edges(seed):
    """Each proof point at infinity and swapped for the other proof's, the public inputs
    shifted by r, and every vk point at infinity."""
    from zkwork.groth16 import Proof

    public, proof = seed.statements[0]
    cases = []
    for name in PROOF_POINTS:
        for what, point in (("infinity", type(getattr(proof, name)).infinity()),
                            ("other proof's", getattr(seed.statements[1][1], name))):
            fields = {n: getattr(proof, n) for n in PROOF_POINTS}
            fields[name] = point
            cases.append(Case(f"proof.{name}: {what}", (seed.vk, public, Proof(**fields))))
    for i in range(len(public)):
        shifted = list(public)
        shifted[i] += R
        cases.append(Case(f"public[{i}] + r", (seed.vk, shifted, proof)))
    for name in ("alpha_1", "beta_2", "gamma_2", "delta_2"):
        vk = replace(seed.vk, **{name: type(getattr(seed.vk, name)).infinity()})
        cases.append(Case(f"vk.{name}: infinity", (vk, public, proof)))
    cases.append(Case("proof.b: off-subgroup", (seed.vk, public, Proof(proof.a, seed.off_subgroup_g2, proof.c))))
    return cases


def _verify_mutate(seed, rng):
    public, proof = seed.statements[rng.randrange(len(seed.statements))]
    if rng.random() < 0.15:
        vk, what = _vk_mutation(seed, rng)
        return Case(what, (vk, public, proof))
    public, proof, what = mutate_statement(seed, rng, public, proof)
    return Case(what, (seed.vk, public, proof))


def _verify_run(seed, case, scratch):
    from zkwork.groth16 import verify

    vk, public, proof = case.value
    return verify(seed.pvk if vk is seed.vk else vk, public, proof)


def _statement_is_seed(seed, public, proof):
    return any(same_public(public, p) and same_proof(proof, q) for p, q in seed.statements)


def _verify_judge(seed, case, result):
    vk, public, proof = case.value
    if result is False:
        return "rejected"
    if result is not True:
        return "accepted"  # verify must answer a bool
    return "equivalent" if same_vk(vk, seed.vk) and _statement_is_seed(seed, public, proof) else "accepted"


register(Target("verify", "groth16.verify on mutated proofs, public inputs and verifying keys",
                groth16_seed, _verify_edges, _verify_mutate, _verify_run, _verify_judge))


# == verify_batch ================================================================================


def _batch_edges(seed):
    statements = list(seed.statements)
    (p0, q0), (p1, q1) = statements[0], statements[1]
    return [
        Case("proofs of statements 0 and 1 swapped", [(p0, q1), (p1, q0)] + statements[2:]),
        Case("public inputs of statements 0 and 1 swapped", [(p1, q0), (p0, q1)] + statements[2:]),
        Case("a statement twice", statements + [statements[0]], must_reject=False),
        Case("statements reordered", statements[::-1], must_reject=False),
        Case("a statement that is not a pair", statements[:2] + [(p0,)]),
        Case("a statement of three", statements[:2] + [(p0, q0, q0)]),
        Case("a statement that is None", statements[:2] + [None]),
    ]


def _batch_mutate(seed, rng):
    statements = list(seed.statements)
    if rng.random() < 0.1:
        return rng.choice(_batch_edges(seed))
    k = rng.randrange(len(statements))
    public, proof, what = mutate_statement(seed, rng, *statements[k])
    statements[k] = (public, proof)
    return Case(f"statement {k}: {what}", statements)


def _batch_run(seed, case, scratch):
    from zkwork.groth16 import verify_batch

    return verify_batch(seed.pvk, case.value)


def _batch_judge(seed, case, result):
    if result is False:
        return "rejected"
    if result is not True:
        return "accepted"
    valid = all(isinstance(s, tuple) and len(s) == 2 and _statement_is_seed(seed, *s) for s in case.value)
    return "equivalent" if valid else "accepted"


register(Target("verify_batch", "groth16.verify_batch with one statement mutated, or the batch's shape",
                groth16_seed, _batch_edges, _batch_mutate, _batch_run, _batch_judge))


# == JSON readers ================================================================================

# Strings that are not decimal numbers in any reading, then numbers at the moduli.
NOT_DECIMAL = ("", "-1", "-5", "0x10", " 1", "1 ", "+1", "1e3", "1.0", "\u00b2", "\u0661\u0662", "1_000", "9" * 5000,
               "null")


def _paths(obj, prefix=()):
    """Every path (tuple of keys and indices) into a JSON value, the root included."""
    yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _paths(value, prefix + (i,))


def _get(obj, path):
    for key in path:
        obj = obj[key]
    return obj


def _set(obj, path, value):
    """A deep copy of obj with the node at path replaced (path () replaces the root)."""
    if not path:
        return value
    copy = json.loads(json.dumps(obj))
    _get(copy, path[:-1])[path[-1]] = value
    return copy


def _is_point(value):
    """A snarkjs G1 ([x, y, z]) or G2 ([[..],[..],[..]]) encoding."""
    return isinstance(value, list) and len(value) == 3 and (
        all(isinstance(c, str) for c in value) or all(isinstance(c, list) and len(c) == 2 for c in value))


@dataclass(frozen=True)
class JsonSpec:
    """What the JSON mutator needs to know about a format: keys the reader may go without,
    keys it never reads, where numbers live and what bounds them, the lists whose length
    the format leaves free, keys whose value may be any other of its type (a name, a
    duration, a count the reader checks only against its range), and whether it holds
    curve points."""

    optional_keys: tuple = ()
    ignored_keys: tuple = ()
    number_bound: object = None  # path -> the bound of the number at path (P, R or None)
    free_length_lists: tuple = ()  # paths of lists of any length
    free_keys: tuple = ()  # keys whose value any other of its type keeps well-formed (an int for an int, ...)
    points: bool = True


def _well_formed_replacement(spec, path, node, value):
    """Whether `value` in place of `node` at `path` leaves the input well-formed: a value of
    the node's type (a number for a float) under a free key, an empty list for a list of
    free length."""
    if path in spec.free_length_lists:
        return value == []
    if path and path[-1] in spec.free_keys:
        return type(value) is type(node) or (type(node) is float and type(value) is int)
    return False


def _inside(path, keys):
    return any(isinstance(k, str) and k in keys for k in path)


def mutate_json_tree(obj, spec, rng):
    """(mutated object, name, must_reject) for one change of a JSON value: a string made a
    non-number or a number at or past its modulus, a node of another type, a key removed
    or added, a list shortened or lengthened, a point at infinity, off the curve, of the
    other group, or swapped, a digit changed."""
    paths = list(_paths(obj))
    path = rng.choice(paths)
    node = _get(obj, path)
    where = "/".join(map(str, path)) or "(root)"
    ignored = _inside(path, spec.ignored_keys)
    family = rng.choice(("string", "string", "type", "key", "list", "point", "digit"))
    if family == "string" and isinstance(node, str):
        bound = spec.number_bound(path)
        if bound is not None and rng.random() < 0.5:
            value = rng.choice((bound, bound + 1, bound + rng.randrange(1, 1 << 64), 1 << 256))
            return _set(obj, path, str(value)), f"{where} := >= modulus", not ignored
        if bound is not None and rng.random() < 0.2:
            return _set(obj, path, "00" + node), f"{where}: leading zeros", False
        value = rng.choice(NOT_DECIMAL)
        must = not (ignored or _well_formed_replacement(spec, path, node, value))
        return _set(obj, path, value), f"{where} := {value[:12]!r}", must
    if family == "type":
        value = rng.choice((1, 1.5, None, True, [], {}, "x", [node], float("nan")))
        if type(value) is type(node) and value == node:
            value = None
        must = not (ignored or _well_formed_replacement(spec, path, node, value))
        return _set(obj, path, value), f"{where} := {type(value).__name__}", must
    if family == "key" and isinstance(node, dict):
        if node and rng.random() < 0.6:
            key = rng.choice(sorted(node))
            changed = dict(node)
            del changed[key]
            must = not (ignored or key in spec.optional_keys or key in spec.ignored_keys)
            return _set(obj, path, changed), f"{where}: key {key!r} removed", must
        return _set(obj, path, {**node, "zz_unknown": [1, "2"]}), f"{where}: unknown key added", False
    if family == "list" and isinstance(node, list) and node:
        changed = list(node)
        if rng.random() < 0.5:
            changed.pop(rng.randrange(len(changed)))
            what = "element removed"
        else:
            changed.insert(rng.randrange(len(changed) + 1), changed[rng.randrange(len(changed))])
            what = "element duplicated"
        return _set(obj, path, changed), f"{where}: {what}", not ignored and path not in spec.free_length_lists
    if family == "point" and spec.points and _is_point(node):
        g2 = isinstance(node[0], list)
        choice = rng.choice(("infinity", "infinity, y = 5", "z = 2", "off-curve", "other group", "generator"))
        from zkwork.groth16.snarkjs_json import g1_to_json, g2_to_json

        to_json = g2_to_json if g2 else g1_to_json
        cls = G2Point if g2 else G1Point
        value = {
            "infinity": lambda: to_json(cls.infinity()),
            "infinity, y = 5": lambda: [["0", "0"], ["5", "0"], ["0", "0"]] if g2 else ["0", "5", "0"],
            "z = 2": lambda: node[:2] + ([["2", "0"]] if g2 else ["2"]),
            "off-curve": lambda: _off_curve_json(node, g2),
            "other group": lambda: (g1_to_json if g2 else g2_to_json)((G1Point if g2 else G2Point).generator()),
            "generator": lambda: to_json(cls.generator()),
        }[choice]()
        must = choice in ("z = 2", "off-curve", "other group") and not ignored
        return _set(obj, path, value), f"{where}: point := {choice}", must
    strings = [p for p in paths if isinstance(_get(obj, p), str) and _get(obj, p).isdigit()]
    if strings:
        path = rng.choice(strings)
        digits = list(_get(obj, path))
        k = rng.randrange(len(digits))
        digits[k] = str((int(digits[k]) + rng.randrange(1, 10)) % 10)
        return _set(obj, path, "".join(digits)), f"{'/'.join(map(str, path))}: digit changed", False
    return _set(obj, path, None), f"{where} := None", not ignored


def _off_curve_json(node, g2):
    """The encoded point with y + 1 (kept below p)."""
    changed = json.loads(json.dumps(node))
    if g2:
        changed[1][0] = str((int(changed[1][0]) + 1) % P)
    else:
        changed[1] = str((int(changed[1]) + 1) % P)
    return changed


def mutate_json_text(text, rng):
    """(bytes, name, must_reject) for a change of the file's bytes: cut short, a byte
    flipped, invalid UTF-8, a byte-order mark, a NaN token."""
    data = text.encode()
    family = rng.choice(("truncate", "truncate", "flip", "utf-8", "bom", "nan"))
    if family == "truncate":
        cut = rng.randrange(len(data.rstrip()))
        return data[:cut], f"text cut at byte {cut}", True
    if family == "flip":
        k = rng.randrange(len(data))
        return data[:k] + bytes([data[k] ^ (1 << rng.randrange(8))]) + data[k + 1:], f"bit flip in byte {k}", False
    if family == "utf-8":
        k = rng.randrange(len(data))
        return data[:k] + rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80")) + data[k:], "invalid UTF-8", True
    if family == "bom":
        return b"\xef\xbb\xbf" + data, "UTF-8 byte-order mark", False
    return data.replace(b"[", b"[NaN, ", 1), "NaN token", True


def json_edges(text):
    """Cases no random draw is likely to make: empty file, JSON of another shape at top
    level, and nesting deep enough to exhaust the C stack (run in a child process)."""
    return [
        Case("empty file", b""),
        Case("top-level null", b"null"),
        Case("top-level number", b"1"),
        Case("nested 1,000 deep", b"[" * 1000 + b"]" * 1000),
        Case(f"nested {DEEP_NESTING:,} deep", b"[" * DEEP_NESTING, isolate=True),
        Case("invalid UTF-8 at the start", b"\xff" + text.encode()),
    ]


def _same_as_seed(seed, value, stage):
    return "equivalent" if value == seed[2] else "variant"


def json_target(name, description, build, read, spec, then=None, judge_value=_same_as_seed):
    """Register a target for a JSON reader `read(path)`. `build()` returns (seed object,
    seed's JSON value, value read from the seed); `then(seed object, value)` is an optional
    stage run on what was read (verify), `judge_value(seed, value, stage result)` classifies
    a successful read of an input no mutation made malformed (by default: equivalent when
    equal to what the seed reads as, else a variant)."""

    def edges(seed):
        return json_edges(json.dumps(seed[1]))

    def mutate(seed, rng):
        if rng.random() < 0.25:
            data, what, must = mutate_json_text(json.dumps(seed[1]), rng)
            return Case(what, data, must)
        obj, what, must = mutate_json_tree(seed[1], spec, rng)
        return Case(what, json.dumps(obj).encode(), must)

    def prepare(seed, case, scratch):
        path = scratch / f"{name}.json"
        path.write_bytes(case.value)
        return path

    def run(seed, case, scratch):
        value = read(prepare(seed, case, scratch))
        return value, (then(seed[0], value) if then is not None else None)

    def judge(seed, case, result):
        if case.must_reject:
            return "accepted"
        value, stage = result
        return judge_value(seed, value, stage)

    return register(Target(name, description, build, edges, mutate, run, judge, prepare, read))


def _coordinate_bound(path):
    """Coordinates of points are below p, wherever they sit."""
    return P if path and isinstance(path[-1], int) else None


def _vk_seed():
    from zkwork.groth16.snarkjs_json import vk_to_json

    seed = groth16_seed()
    return seed, vk_to_json(seed.vk), seed.vk


def _read_vk(path):
    from zkwork.groth16.snarkjs_json import load_json, vk_from_json

    return load_json(path, vk_from_json)


def _vk_then(seed, vk):
    from zkwork.groth16 import verify

    public, proof = seed.statements[0]
    return verify(vk, public, proof)


def _vk_judge(seed, vk, verified):
    if same_vk(vk, seed[0].vk):
        return "equivalent" if verified else "accepted"  # the seed's key must accept the seed's proof
    return "accepted" if verified else "rejected"


json_target("vk-json", "snarkjs verification_key.json read, then verify with the read key", _vk_seed, _read_vk,
            JsonSpec(optional_keys=("protocol", "curve", "nPublic"), ignored_keys=("vk_alphabeta_12",),
                     number_bound=_coordinate_bound),
            then=_vk_then, judge_value=_vk_judge)


def _proof_seed():
    from zkwork.groth16.snarkjs_json import proof_to_json

    seed = groth16_seed()
    return seed, proof_to_json(seed.statements[0][1]), seed.statements[0][1]


def _read_proof(path):
    from zkwork.groth16.snarkjs_json import load_json, proof_from_json

    return load_json(path, proof_from_json)


def _proof_then(seed, proof):
    from zkwork.groth16 import verify

    return verify(seed.pvk, seed.statements[0][0], proof)


def _proof_judge(seed, proof, verified):
    if same_proof(proof, seed[2]):
        return "equivalent" if verified else "accepted"
    return "accepted" if verified else "rejected"


json_target("proof-json", "snarkjs proof.json read, then verified", _proof_seed, _read_proof,
            JsonSpec(optional_keys=("protocol", "curve"), number_bound=_coordinate_bound),
            then=_proof_then, judge_value=_proof_judge)


def _public_seed():
    from zkwork.groth16.snarkjs_json import public_to_json

    seed = groth16_seed()
    return seed, public_to_json(seed.statements[0][0]), list(seed.statements[0][0])


def _read_public(path):
    from zkwork.groth16.snarkjs_json import load_json, public_from_json

    return load_json(path, public_from_json)


def _public_then(seed, public):
    from zkwork.groth16 import verify

    return verify(seed.pvk, public, seed.statements[0][1])


def _public_judge(seed, public, verified):
    if same_public(public, seed[2]):
        return "equivalent" if verified else "accepted"
    return "accepted" if verified else "rejected"


PUBLIC_SPEC = JsonSpec(number_bound=lambda path: R if len(path) == 1 else None, free_length_lists=((),), points=False)
json_target("public-json", "snarkjs public.json read, then verified", _public_seed, _read_public, PUBLIC_SPEC,
            then=_public_then, judge_value=_public_judge)


# == iden3 binary containers =====================================================================


@dataclass(frozen=True)
class CountField:
    """A count inside a section: where it is, its width, and whether the section's length
    follows from it (then changing it makes the file malformed)."""

    section: int
    offset: int
    width: int
    name: str
    sizes_data: bool = True


@dataclass(frozen=True)
class BinarySpec:
    kind: str
    version: int
    required: tuple
    counts: tuple = ()


def section_table(data):
    """[(type, header offset, data offset, size)] of a well-formed container."""
    count = int.from_bytes(data[8:12], "little")
    table, pos = [], 12
    for _ in range(count):
        section_type = int.from_bytes(data[pos:pos + 4], "little")
        size = int.from_bytes(data[pos + 4:pos + 12], "little")
        table.append((section_type, pos, pos + 12, size))
        pos += 12 + size
    return table


def assemble(kind, version, sections):
    """Container bytes from (type, data) pairs (binfile.write_bin_file, in memory)."""
    out = [kind.encode(), version.to_bytes(4, "little"), len(sections).to_bytes(4, "little")]
    for section_type, data in sections:
        out += [section_type.to_bytes(4, "little"), len(data).to_bytes(8, "little"), bytes(data)]
    return b"".join(out)


def _sections(data):
    return [(t, data[start:start + size]) for t, _, start, size in section_table(data)]


def _with_count(data, spec, count_field, value):
    sections = _sections(data)
    for k, (t, body) in enumerate(sections):
        if t == count_field.section:
            body = bytearray(body)
            body[count_field.offset:count_field.offset + count_field.width] = value.to_bytes(count_field.width, "little")
            sections[k] = (t, bytes(body))
            break
    return assemble(spec.kind, spec.version, sections)


def _count_value(data, count_field):
    body = dict(_sections(data))[count_field.section]
    return int.from_bytes(body[count_field.offset:count_field.offset + count_field.width], "little")


def binary_edges(data, spec):
    """Truncations at every section boundary, every wrong magic and version, every count
    inflated (to its maximum, to twice and to one more) or one less, every section
    duplicated, missing or retyped, each adjacent pair swapped (legal: order is free), an
    unknown extra section (legal) and a trailing byte."""
    cases, table = [], section_table(data)
    cuts = {0, 3, 4, 8, 11}
    for _, header, start, size in table:
        cuts |= {header, header + 4, start, start + 1, start + size - 1}
    cases += [Case(f"truncated at byte {cut}", data[:cut]) for cut in sorted(c for c in cuts if c < len(data))]
    for magic in {b"r1cs", b"wtns", b"zkey", b"ptau", b"\0\0\0\0"} - {spec.kind.encode()}:
        cases.append(Case(f"magic {magic!r}", magic + data[4:]))
    for version in (0, spec.version + 1, 2 ** 32 - 1):
        cases.append(Case(f"version {version}", data[:4] + version.to_bytes(4, "little") + data[8:]))
    for count_field in spec.counts:
        current, top = _count_value(data, count_field), 2 ** (8 * count_field.width) - 1
        values = [v for v in (top, 2 * current + 1, current + 1) if v <= top]
        values += [current - 1] if current else []
        for value in values:
            cases.append(Case(f"{count_field.name} := {value}", _with_count(data, spec, count_field, value),
                              must_reject=count_field.sizes_data, watch_memory=True))
    sections = _sections(data)
    for k, (t, body) in enumerate(sections):
        cases.append(Case(f"section {t} twice", assemble(spec.kind, spec.version, sections + [(t, body)]),
                          must_reject=t in spec.required))
        rest = sections[:k] + sections[k + 1:]
        cases.append(Case(f"section {t} missing", assemble(spec.kind, spec.version, rest),
                          must_reject=t in spec.required))
        cases.append(Case(f"section {t} retyped 99", assemble(spec.kind, spec.version, rest + [(99, body)]),
                          must_reject=t in spec.required))
        if k + 1 < len(sections):
            swapped = sections[:k] + [sections[k + 1], sections[k]] + sections[k + 2:]
            cases.append(Case(f"sections {k} and {k + 1} swapped", assemble(spec.kind, spec.version, swapped),
                              must_reject=False))
    cases.append(Case("unknown section added", assemble(spec.kind, spec.version, sections + [(77, b"xyz")]),
                      must_reject=False))
    cases.append(Case("trailing byte", data + b"\0"))
    return cases


SPECIAL_WORDS = (0, 1, 2 ** 31, 2 ** 32 - 1, R, P, 2 ** 256 - 1, 2 ** 254)


def mutate_binary(data, spec, rng):
    """One random change of a container: bits flipped, a word overwritten with a special
    value, a cut, a section size changed, a count changed, a slice repeated."""
    table = section_table(data)
    family = rng.choice(("flip", "flip", "flip", "word", "word", "cut", "size", "count", "repeat"))
    if family == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(12, len(out))
            out[k] ^= 1 << rng.randrange(8)
        return Case("bit flips", bytes(out), must_reject=False)
    if family == "word":
        width = rng.choice((4, 8, 32))
        value = rng.choice([v for v in SPECIAL_WORDS if v < 2 ** (8 * width)])
        k = rng.randrange(12, len(data) - width + 1) & ~3
        out = data[:k] + value.to_bytes(width, "little") + data[k + width:]
        return Case(f"{width}-byte word at byte {k} := {value:#x}"[:60], out, must_reject=False)
    if family == "cut":
        cut = rng.randrange(len(data))
        return Case(f"truncated at byte {cut}", data[:cut])
    if family == "size" and table:
        _, header, _, size = rng.choice(table)
        delta = rng.choice((-32, -8, -4, -1, 1, 4, 8, 32, 2 ** 40))
        new = max(0, size + delta)
        if new == size:
            new = size + 1
        out = data[:header + 4] + new.to_bytes(8, "little") + data[header + 12:]
        return Case(f"section size {size} -> {new}", out)
    if family == "count" and spec.counts:
        count_field = rng.choice(spec.counts)
        current, modulus = _count_value(data, count_field), 2 ** (8 * count_field.width)
        value = rng.choice((current + rng.randrange(1, 1000), rng.getrandbits(8 * count_field.width))) % modulus
        if value == current:  # after the wrap-around: a one-byte count can come back to its value
            value = (value + 1) % modulus
        return Case(f"{count_field.name} := {value}", _with_count(data, spec, count_field, value),
                    must_reject=count_field.sizes_data, watch_memory=True)
    start = rng.randrange(12, len(data))
    end = min(len(data), start + rng.randrange(1, 65))
    return Case(f"bytes {start}..{end} repeated", data[:end] + data[start:end] + data[end:], must_reject=False)


def binary_target(name, description, spec, build, read, equal):
    """Register a target for a reader `read(path)` of an iden3 container. `build()` returns
    (file bytes, value read from them); `equal(value, seed value)` tells a re-read of the
    same content."""

    def prepare(seed, case, scratch):
        path = scratch / f"{name}.{spec.kind}"
        path.write_bytes(case.value)
        return path

    def run(seed, case, scratch):
        return read(prepare(seed, case, scratch))

    def judge(seed, case, value):
        if case.must_reject:
            return "accepted"
        return "equivalent" if equal(value, seed[1]) else "variant"

    return register(Target(name, description, build, lambda seed: binary_edges(seed[0], spec),
                           lambda seed, rng: mutate_binary(seed[0], spec, rng), run, judge, prepare, read))


def _write_and_read(write, value, read, suffix):
    """The bytes `write(value, path)` produces and what `read` makes of them."""
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"seed.{suffix}"
        write(value, path)
        return path.read_bytes(), read(path)


def _seed_r1cs_circuit(cs):
    """A little of everything an .r1cs holds: an output, public and private inputs, a
    boolean, a product chain, a constant and a long linear combination."""
    x = cs.public_input("x")
    y = cs.private_input("y")
    bits = cs.private_input("bits", 3)
    for bit in bits:
        cs.assert_boolean(bit)
    s = cs.mul(y, y + 3)
    t = cs.mul(s, x - 7 * bits[0] + 5 * bits[1])
    cs.public_output("out", t + s * 2 + 11)


def _r1cs_equal(a, b):
    return ((a.A, a.B, a.C, a.labels, a.wire_names) == (b.A, b.B, b.C, b.labels, b.wire_names)
            and (a.num_outputs, a.num_public_inputs, a.num_private_inputs)
            == (b.num_outputs, b.num_public_inputs, b.num_private_inputs))


def _r1cs_seed():
    from zkwork.formats import read_r1cs, write_r1cs
    from zkwork.r1cs import build

    return _write_and_read(write_r1cs, build(_seed_r1cs_circuit, simplify=False), read_r1cs, "r1cs")


def _read_r1cs(path):
    from zkwork.formats import read_r1cs

    return read_r1cs(path)


# .r1cs header: n8 @0, prime @4, nWires @36, nPubOut @40, nPubIn @44, nPrvIn @48, nLabels @52,
# nConstraints @60; the first constraint's A starts with nTerms @0.
R1CS_SPEC = BinarySpec("r1cs", 1, (1, 2, 3), (
    CountField(1, 36, 4, "nWires"), CountField(1, 40, 4, "nPubOut", sizes_data=False),
    CountField(1, 44, 4, "nPubIn", sizes_data=False), CountField(1, 48, 4, "nPrvIn", sizes_data=False),
    CountField(1, 52, 8, "nLabels", sizes_data=False), CountField(1, 60, 4, "nConstraints"),
    CountField(2, 0, 4, "nTerms of the first A"), CountField(1, 0, 4, "n8"),
))
binary_target("r1cs", "circom .r1cs reader", R1CS_SPEC, _r1cs_seed, _read_r1cs, _r1cs_equal)


def _wtns_seed():
    from zkwork.formats import read_wtns, write_wtns
    from zkwork.r1cs import solve

    _, witness = solve(_seed_r1cs_circuit, {"x": 9, "y": 3, "bits": [1, 0, 1]}, simplify=False)
    return _write_and_read(write_wtns, witness, read_wtns, "wtns")


def _read_wtns(path):
    from zkwork.formats import read_wtns

    return read_wtns(path)


WTNS_SPEC = BinarySpec("wtns", 2, (1, 2), (CountField(1, 36, 4, "nWitness"), CountField(1, 0, 4, "n8")))
binary_target("wtns", "snarkjs .wtns reader", WTNS_SPEC, _wtns_seed, _read_wtns, lambda a, b: a == b)


def zkey_from_proving_key(pk):
    """A structurally valid snarkjs-layout ZKey holding zkwork's key for the same circuit:
    A and B coefficients from the QAP, the private wires' L points as section C, H padded
    to the domain size. Good for exercising the reader; not a key snarkjs would prove with
    (snarkjs's H points sit on another coset)."""
    from zkwork.curve import g1_affine_array
    from zkwork.formats.zkey_file import COEFFICIENT, ZKey

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


def _zkey_equal(a, b):
    return all(getattr(a, n) == getattr(b, n) for n in ("num_vars", "domain_size", "vk", "beta_1", "delta_1",
                                                          "contributions")) and all(
        np.array_equal(getattr(a, n), getattr(b, n))
        for n in ("coefficients", "a_query", "b1_query", "b2_query", "c_query", "h_query"))


def _zkey_seed():
    from zkwork.formats import read_zkey, write_zkey

    return _write_and_read(write_zkey, zkey_from_proving_key(groth16_seed().pk), read_zkey, "zkey")


def _read_zkey(path):
    from zkwork.formats import read_zkey

    return read_zkey(path)


# groth16 header: n8q @0, q @4, n8r @36, r @40, nVars @72, nPublic @76, domainSize @80;
# coefficients: nCoefs @0.
ZKEY_SPEC = BinarySpec("zkey", 1, (1, 2, 3, 4, 5, 6, 7, 8, 9), (
    CountField(2, 72, 4, "nVars"), CountField(2, 76, 4, "nPublic"), CountField(2, 80, 4, "domainSize"),
    CountField(4, 0, 4, "nCoefs"), CountField(2, 0, 4, "n8q"), CountField(2, 36, 4, "n8r"),
))
binary_target("zkey", "snarkjs Groth16 .zkey reader", ZKEY_SPEC, _zkey_seed, _read_zkey, _zkey_equal)


# == circom's .sym =================================================================================


def _sym_seed():
    r1cs_bytes, r1cs = _r1cs_seed()
    lines = [f"{w},{w},0,main.{name.replace('/', '.')}" for w, name in enumerate(r1cs.wire_names) if w]
    return r1cs_bytes, "\n".join(lines + ["99,-1,0,main.optimised_away"]) + "\n"


def _read_sym_pair(directory):
    from zkwork.formats import read_r1cs

    return read_r1cs(directory / "c.r1cs", directory / "c.sym")


def _sym_prepare(seed, case, scratch):
    (scratch / "c.r1cs").write_bytes(seed[0])
    (scratch / "c.sym").write_bytes(case.value)
    return scratch


def _sym_mutate(seed, rng):
    lines = seed[1].splitlines()
    k = rng.randrange(len(lines))
    parts = lines[k].split(",")
    family = rng.choice(("field", "field", "line", "bytes"))
    if family == "field":
        i = rng.randrange(4)
        value = rng.choice(("", "x", "-2", "99999", "9" * 5000, "1.5", " 3", "\u0663"))
        parts[i] = value
        lines[k] = ",".join(parts)
        # int() reads " 3" and the Arabic-Indic digit three as 3, and -2 names no wire: fine
        must = i == 1 and value not in (" 3", "\u0663", "-2")
        return Case(f"line {k + 1} field {i} := {value[:8]!r}", ("\n".join(lines) + "\n").encode(), must_reject=must)
    if family == "line":
        lines[k] = rng.choice(("", "just text", "1,2", ",,,", "1,2,3"))
        must = lines[k] not in ("",)
        return Case(f"line {k + 1} replaced", ("\n".join(lines) + "\n").encode(), must_reject=must)
    data = seed[1].encode()
    j = rng.randrange(len(data))
    return Case("invalid UTF-8", data[:j] + b"\xff" + data[j:])


def _sym_judge(seed, case, value):
    return "accepted" if case.must_reject else "variant"


register(Target("r1cs-sym", "circom .sym reader (labels of a .r1cs)", _sym_seed,
                lambda seed: [Case("empty .sym", b"", must_reject=False), Case("binary .sym", seed[0])],
                _sym_mutate, lambda seed, case, scratch: _read_sym_pair(_sym_prepare(seed, case, scratch)),
                _sym_judge, _sym_prepare, _read_sym_pair))


# == zkwork's proving-key directory ================================================================


@cache
def _pk_seed():
    """{file name: bytes} of the seed's saved proving key, and the key read back (its
    arrays map files of a directory kept until the process exits)."""
    import atexit
    import shutil
    import tempfile

    from zkwork.groth16.key_files import load_proving_key, save_proving_key

    directory = tempfile.mkdtemp(prefix="zkwork-fuzz-pk-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    save_proving_key(groth16_seed().pk, directory)
    files = {p.name: p.read_bytes() for p in sorted(Path(directory).iterdir())}
    return files, load_proving_key(directory)


def _pk_equal(a, b):
    arrays = ("a_query", "b1_query", "b2_query", "l_query", "h_query")
    return (a.vk == b.vk and a.beta_1 == b.beta_1 and a.delta_1 == b.delta_1
            and all(np.array_equal(getattr(a, n), getattr(b, n)) for n in arrays)
            and all(np.array_equal(getattr(getattr(a.qap, m), part), getattr(getattr(b.qap, m), part))
                    for m in "ABC" for part in ("indptr", "indices", "coeffs")))


HEADER_SPEC = JsonSpec(optional_keys=("protocol", "curve", "nPublic"), ignored_keys=("vk_alphabeta_12",),
                       number_bound=_coordinate_bound)


def _npy_header_end(data):
    return 10 + int.from_bytes(data[8:10], "little")


def _npy_with_header(data, old, new):
    """The .npy bytes with `old` replaced by `new` in the header dictionary, the header
    kept at its length (its space padding absorbs the change); None when `old` is absent."""
    end = _npy_header_end(data)
    head = data[10:end].decode("latin-1")
    if old not in head:
        return None
    body = head.replace(old, new, 1).rstrip(" \n")
    return data[:10] + (body.ljust(len(head) - 1) + "\n").encode("latin-1") + data[end:]


def _pk_mutate(seed, rng):
    files = seed[0]
    name = rng.choice(sorted(files))
    data = files[name]
    if name == "header.json":
        text = data.decode()
        if rng.random() < 0.3:
            data, what, must = mutate_json_text(text, rng)
            return Case(f"header.json: {what}", {name: data}, must)
        obj, what, must = mutate_json_tree(json.loads(text), HEADER_SPEC, rng)
        return Case(f"header.json: {what}", {name: json.dumps(obj).encode()}, must)
    family = rng.choice(("cut", "flip", "flip", "header", "missing", "other"))
    if family == "cut":
        cut = rng.randrange(len(data))
        return Case(f"{name} truncated at byte {cut}", {name: data[:cut]})
    if family == "flip":
        out = bytearray(data)
        k = rng.randrange(_npy_header_end(data), len(out)) if len(out) > _npy_header_end(data) else 0
        out[k] ^= 1 << rng.randrange(8)
        return Case(f"{name}: bit flip in byte {k}", {name: bytes(out)}, must_reject=False)
    if family == "header":
        old, new = rng.choice((("<u8", "<i8"), ("<u8", "<u4"), ("<i8", "<f8"), ("'fortran_order': False",
                                                                                "'fortran_order': True"), ("(", "(1, ")))
        changed = _npy_with_header(data, old, new)
        if changed is None:
            old, new = "(", "(1, "
            changed = _npy_with_header(data, old, new)
        return Case(f"{name}: header {old!r} -> {new!r}", {name: changed}, must_reject="fortran" not in old)
    if family == "missing":
        return Case(f"{name} missing", {name: None})
    other = rng.choice([n for n in sorted(files) if n != name and n != "header.json"])
    same_shape = files[other][:_npy_header_end(files[other])] == data[:_npy_header_end(data)]
    return Case(f"{name} replaced by {other}", {name: files[other]}, must_reject=not same_shape)


def _pk_edges(seed):
    files = seed[0]
    header = json.loads(files["header.json"])
    cases = [Case(f"header.json: {what}", {"header.json": json.dumps({**header, **change}).encode()})
             for what, change in (("version 2", {"version": 2}), ("another format", {"format": "x"}),
                                  ("num_wires + 1", {"num_wires": header["num_wires"] + 1}),
                                  ("domain_size 3", {"domain_size": 3}), ("domain_size 0", {"domain_size": 0}),
                                  ("num_public 0", {"num_public": 0}), ("num_wires -1", {"num_wires": -1}))]
    cases.append(Case("header.json: num_wires 1e400 (infinity)",
                      {"header.json": files["header.json"].replace(b'"num_wires": ', b'"num_wires": 1e400, "x": ')}))
    cases += [Case(f"header.json: {c.mutation}", {"header.json": c.value}, isolate=c.isolate)
              for c in json_edges(files["header.json"].decode())]
    cases += [Case(f"{name} missing", {name: None}) for name in sorted(files)]
    return cases


def _pk_prepare(seed, case, scratch):
    directory = scratch / "proving_key"
    directory.mkdir(exist_ok=True)
    for name, data in seed[0].items():
        data = case.value.get(name, data)
        path = directory / name
        path.unlink(missing_ok=True)  # a new file: arrays still mapping the old one stay valid
        if data is not None:
            path.write_bytes(data)
    return directory


def _read_pk(directory):
    from zkwork.groth16.key_files import load_proving_key

    return load_proving_key(directory)


def _pk_judge(seed, case, value):
    if case.must_reject:
        return "accepted"
    return "equivalent" if _pk_equal(value, seed[1]) else "variant"


register(Target("proving-key", "zkwork's proving-key directory (key_files.load_proving_key)", _pk_seed, _pk_edges,
                _pk_mutate, lambda seed, case, scratch: _read_pk(_pk_prepare(seed, case, scratch)), _pk_judge,
                _pk_prepare, _read_pk))


# == the ceremony: snarkjs's .ptau and zkwork's phase-1 transcript ====================================


@cache
def phase1_seed():
    """(final state, transcript) of a phase-1 ceremony at power 3: one contribution, then
    the beacon, both with their snarkjs records (section 7 of the .ptau: a named
    contribution and a beacon with its hash and iteration exponent)."""
    from zkwork.ceremony import apply_beacon, contribute, start
    from zkwork.ceremony.snarkjs_ptau import transcript_challenge

    state, transcript = start(3)
    state, record = contribute(state, "fuzzing contributor", 0, transcript_challenge(transcript))
    transcript.records.append(record)
    state, record = apply_beacon(state, b"fuzzing beacon", 2, 1, previous_challenge=transcript_challenge(transcript))
    transcript.records.append(record)
    return state, transcript


def _ptau_seed():
    from zkwork.ceremony.snarkjs_ptau import export_transcript_ptau

    return _write_and_read(lambda seed, path: export_transcript_ptau(*seed, path), phase1_seed(), _read_ptau, "ptau")


def _read_ptau(path):
    from zkwork.formats.ptau_file import read_ptau

    return read_ptau(path)


def _ptau_equal(a, b):
    return ((a.power, a.ceremony_power, a.beta_g2, a.contributions, a.other_sections)
            == (b.power, b.ceremony_power, b.beta_g2, b.contributions, b.other_sections)
            and all(np.array_equal(getattr(a, n), getattr(b, n)) for n in ("tau_g1", "tau_g2", "alpha_tau_g1",
                                                                           "beta_tau_g1")))


# header: n8 @0, q @4, power @36, ceremonyPower @40 (any value from power to 28 is valid);
# contributions: nContributions @0, then the first record's parameter length after its 9 G1
# and 5 G2 points, partialHash, nextChallenge and type (@1504), and its name's length byte
# (@1509, after the parameter id).
PTAU_SPEC = BinarySpec("ptau", 1, (1, 2, 3, 4, 5, 6, 7), (
    CountField(1, 36, 4, "power"), CountField(1, 40, 4, "ceremonyPower", sizes_data=False),
    CountField(7, 0, 4, "nContributions"), CountField(7, 1504, 4, "parameter bytes of contribution 0"),
    CountField(7, 1509, 1, "name length of contribution 0"), CountField(1, 0, 4, "n8"),
))
binary_target("ptau", "snarkjs .ptau reader (formats.ptau_file.read_ptau)", PTAU_SPEC, _ptau_seed, _read_ptau,
              _ptau_equal)


def _transcript_seed():
    transcript = phase1_seed()[1]
    return transcript, transcript.to_json(), transcript


def _read_transcript(path):
    from zkwork.ceremony.records import Transcript

    return Transcript.load(path)


# A transcript's numbers and names are read as they come (their meaning is verify_phase1's
# business): another contributor, duration, power, index or beacon is well-formed.
TRANSCRIPT_SPEC = JsonSpec(optional_keys=("snarkjs",), number_bound=_coordinate_bound,
                           free_length_lists=(("records",),),
                           free_keys=("power", "index", "contributor", "seconds", "value", "iterations_exponent"))
json_target("transcript", "ceremony phase-1 transcript (ceremony.records.Transcript.load)", _transcript_seed,
            _read_transcript, TRANSCRIPT_SPEC)


# == the campaign ==================================================================================


class _CaseTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _CaseTimeout()


@dataclass
class Tally:
    """Counts of one target's campaign."""

    target: str
    cases: int = 0
    outcomes: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # typed errors (rejections) by class name
    crash_types: Counter = field(default_factory=Counter)
    examples: list = field(default_factory=list)  # the first bad cases: index, mutation, outcome, detail
    bad: Counter = field(default_factory=Counter)  # (outcome, mutation) of every accepted, crash, hang
    slowest: float = 0.0
    slowest_case: str = ""
    seconds: float = 0.0

    def row(self):
        return {"target": self.target, "cases": self.cases, **{k: self.outcomes[k] for k in OUTCOMES[:4]},
                "crashes": self.outcomes["crash"], "hangs": self.outcomes["hang"],
                "errors": dict(self.errors.most_common()), "crash_types": dict(self.crash_types.most_common()),
                "slowest_ms": round(1000 * self.slowest, 2), "slowest_case": self.slowest_case,
                "seconds": round(self.seconds, 2)}


def _run_isolated(target, seed, case, scratch, time_limit):
    """Outcome of a case run in a child process: the parent writes the input, the child
    imports the target's reader and only reads it."""
    path = target.prepare(seed, case, scratch)
    code = (f"from zkwork.audit.fuzz import _child\n"
            f"_child({target.read.__module__!r}, {target.read.__qualname__!r}, {str(path)!r})")
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                              timeout=max(time_limit, 120))
    except subprocess.TimeoutExpired:
        return "hang", None, "child process timed out"
    if done.returncode < 0:
        return "crash", f"killed by {signal.Signals(-done.returncode).name}", done.stderr[-200:]
    status, _, detail = done.stdout.strip().rpartition("\n")[-1].partition(" ")
    if status == "typed":
        return "rejected", detail, None
    if status == "parsed":
        return ("accepted" if case.must_reject else "variant"), None, None
    return "crash", detail or f"exit status {done.returncode}", done.stderr[-200:]


def _child(module, qualname, path):
    import importlib

    read = importlib.import_module(module)
    for name in qualname.split("."):
        read = getattr(read, name)
    try:
        read(Path(path))
    except ZkworkError as error:
        print(f"typed {type(error).__name__}")
    except Exception as error:  # noqa: BLE001 (reporting any exception is the point)
        print(f"crash {type(error).__name__}")
    else:
        print("parsed ok")


def run_case(target, seed, case, scratch, time_limit=DEFAULT_TIME_LIMIT):
    """(outcome, error or crash type, detail) of one case."""
    if case.isolate:
        return _run_isolated(target, seed, case, scratch, time_limit)
    alarm = threading.current_thread() is threading.main_thread()
    if alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, time_limit)
    if case.watch_memory:
        tracemalloc.start()
    try:
        result = target.run(seed, case, scratch)
        outcome = None
    except _CaseTimeout:
        outcome = ("hang", None, "interrupted at the time limit")
    except ZkworkError as error:
        outcome = ("rejected", type(error).__name__, None)
    except Exception as error:  # noqa: BLE001 (any other exception is a crash to report)
        outcome = ("crash", type(error).__name__, str(error)[:200])
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if case.watch_memory:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    if case.watch_memory and peak > MEMORY_SLACK + 16 * _size(case.value):
        return "crash", "AllocationBeforeSizeCheck", f"peak {peak / 2**20:.0f} MiB"
    return outcome or (target.judge(seed, case, result), None, None)


def _size(value):
    return len(value) if isinstance(value, (bytes, bytearray)) else 0


def cases_of(target, seed, n, campaign_seed):
    """The first n cases of a target: its edge cases, then random mutations, case i drawn
    from random.Random(f"{campaign_seed}/{target.name}/{i}")."""
    edges = target.edges(seed)
    for i in range(n):
        if i < len(edges):
            yield edges[i]
        else:
            yield target.mutate(seed, random.Random(f"{campaign_seed}/{target.name}/{i}"))


def run_target(target, n, seed=0, time_limit=DEFAULT_TIME_LIMIT, scratch=None, progress=None):
    """The Tally of n cases of one target."""
    import tempfile

    built = target.build()
    tally = Tally(target.name)
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(scratch or directory)
        start = time.perf_counter()
        for index, case in enumerate(cases_of(target, built, n, seed)):
            began = time.perf_counter()
            outcome, kind, detail = run_case(target, built, case, scratch, time_limit)
            elapsed = time.perf_counter() - began
            if outcome == "rejected" and kind:
                tally.errors[kind] += 1
            if elapsed > time_limit and outcome != "crash":
                outcome, detail = "hang", f"{elapsed:.1f} s"
            tally.outcomes[outcome] += 1
            tally.cases += 1
            if outcome in ("crash", "accepted", "hang"):
                tally.bad[(outcome, case.mutation)] += 1
                if kind and outcome == "crash":
                    tally.crash_types[kind] += 1
                if sum(e["outcome"] == outcome for e in tally.examples) < EXAMPLES_PER_OUTCOME:
                    tally.examples.append({"case": index, "mutation": case.mutation, "outcome": outcome,
                                           "type": kind, "detail": detail})
            if elapsed > tally.slowest:
                tally.slowest, tally.slowest_case = elapsed, f"#{index} {case.mutation}"
            if progress is not None:
                progress.update(1)
        tally.seconds = time.perf_counter() - start
    return tally


def run_campaign(n_per_target, seed=0, targets=None, time_limit=DEFAULT_TIME_LIMIT, progress=False):
    """Fuzz every registered target (or those named) with n_per_target cases; a DataFrame
    with one row per target (cases, the outcome counts, errors and crashes by type, the
    slowest case, seconds), `attrs["examples"]`: the first bad cases of each target, and
    `attrs["bad"]`: {target: {(outcome, mutation): count}} for every bad case."""
    import pandas as pd

    names = list(TARGETS) if targets is None else list(targets)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        raise KeyError(f"unknown fuzz targets {unknown}; the targets are {', '.join(TARGETS)}")
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n_per_target * len(names), unit="case", file=sys.stderr)
    tallies = []
    # Cases are tiny: a parallel kernel's thread start costs more than its work (13 ms
    # against 1 us for one point's validity, measured on 2 busy cores), so one thread.
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        for name in names:
            if bar is not None:
                bar.set_description(name)
            tallies.append(run_target(TARGETS[name], n_per_target, seed, time_limit, progress=bar))
    finally:
        numba.set_num_threads(threads)
        if bar is not None:
            bar.close()
    frame = pd.DataFrame([t.row() for t in tallies])
    frame.attrs["examples"] = {t.target: t.examples for t in tallies if t.examples}
    frame.attrs["bad"] = {t.target: dict(t.bad) for t in tallies if t.bad}
    frame.attrs["seed"] = seed
    return frame


def format_campaign(frame):
    """The campaign table as text, then the bad cases with how to replay them."""
    lines = [(f"{'target':<14} {'cases':>7} {'rejected':>8} {'equiv.':>6} {'variant':>7} {'accepted':>8} "
              f"{'crashes':>7} {'hangs':>5} {'slowest':>9} {'seconds':>8}  errors by type")]
    lines.append("-" * len(lines[0]))
    for row in frame.itertuples():
        errors = ", ".join(f"{k} {v}" for k, v in list(row.errors.items())[:5])
        lines.append(f"{row.target:<14} {row.cases:>7} {row.rejected:>8} {row.equivalent:>6} {row.variant:>7} "
                     f"{row.accepted:>8} {row.crashes:>7} {row.hangs:>5} {row.slowest_ms:>7.1f}ms "
                     f"{row.seconds:>8.1f}  {errors}")
    for row in frame.itertuples():
        if row.crash_types:
            lines.append(f"crashes of {row.target}: " + ", ".join(f"{k} {v}" for k, v in row.crash_types.items()))
    lines.append("slowest cases: " + "; ".join(f"{row.target} {row.slowest_case} ({row.slowest_ms:.1f} ms)"
                                               for row in frame.itertuples()))
    for target, examples in frame.attrs.get("examples", {}).items():
        for example in examples:
            lines.append(f"{example['outcome'].upper()} {target} case {example['case']} "
                         f"(seed {frame.attrs.get('seed')}): {example['mutation']}: "
                         f"{example['type'] or ''} {example['detail'] or ''}".rstrip())
    return "\n".join(lines)

