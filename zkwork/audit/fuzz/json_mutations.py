"""Mutations of JSON inputs (the tree: values, keys, lists, points; the text: cuts, bytes,
encodings), their edge cases, and `json_target`, which registers a target for a JSON reader."""
import json
from dataclasses import dataclass

from zkwork.audit.fuzz.engine import Case, Target, register
from zkwork.curve import G1Point, G2Point
from zkwork.field import P

DEEP_NESTING = 100_000

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
