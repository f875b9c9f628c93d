"""The Groth16 targets: `verify` and `verify_batch` on mutated statements and verifying
keys, and the snarkjs verification_key.json, proof.json and public.json readers, each
followed by a verify.

A verifying key is the verifier's own, trusted input: when a mutated key point makes the
pairing refuse it with a typed error, the case counts as rejected; attacker inputs (the
proof and the public inputs) must only ever make verify answer False.
"""
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from zkwork.audit.fuzz.engine import Case, Target, register
from zkwork.audit.fuzz.json_mutations import JsonSpec, _coordinate_bound, json_target
from zkwork.curve import G1Point, G2Point
from zkwork.errors import InvariantError
from zkwork.field import FQ, P, R
from zkwork.field.fq2_element import Fq2
from zkwork.field.limbs import int_to_limbs, limbs_to_int

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
    raise InvariantError("no twist point outside G2 among the first candidates")


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
    """Whether two points are of one type and denote the same affine point."""
    return type(p) is type(q) and _affine(p) == _affine(q)


def same_proof(proof, reference):
    """Whether `proof` is a Proof whose points are those of `reference`."""
    from zkwork.groth16 import Proof

    return (isinstance(proof, Proof) and all(
        isinstance(getattr(proof, n), type(getattr(reference, n))) and same_point(getattr(proof, n), getattr(reference, n))
        for n in ("a", "b", "c")))


def same_public(values, reference):
    """Whether `values` are the ints of `reference`, in order."""
    try:
        values = list(values)
    except TypeError:
        return False
    return len(values) == len(reference) and all(type(v) is int and v == w for v, w in zip(values, reference))


def same_vk(vk, reference):
    """Whether two verifying keys hold the same points."""
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


# == snarkjs JSON readers, then verify ===========================================================


def _vk_seed():
    from zkwork.groth16.snarkjs_json import vk_to_json

    seed = groth16_seed()
    return seed, vk_to_json(seed.vk), seed.vk


def _read_vk(path):
    from zkwork.groth16.snarkjs_json import read_json_as, vk_from_json

    return read_json_as(path, vk_from_json)


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
    from zkwork.groth16.snarkjs_json import read_json_as, proof_from_json

    return read_json_as(path, proof_from_json)


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
    from zkwork.groth16.snarkjs_json import read_json_as, public_from_json

    return read_json_as(path, public_from_json)


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
