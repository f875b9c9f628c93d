"""The file targets: circom's .r1cs and .sym, snarkjs's .wtns, .zkey and .ptau, zkwork's
proving-key directory and the ceremony's phase-1 transcript."""
import json
from functools import cache
from pathlib import Path

import numpy as np

from zkwork.audit.fuzz.binary_mutations import BinarySpec, CountField, binary_target
from zkwork.audit.fuzz.engine import Case, Target, register
from zkwork.audit.fuzz.groth16_targets import groth16_seed
from zkwork.audit.fuzz.json_mutations import (
    JsonSpec,
    _coordinate_bound,
    json_edges,
    json_target,
    mutate_json_text,
    mutate_json_tree,
)


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


def _zkey_equal(a, b):
    return all(getattr(a, n) == getattr(b, n) for n in ("num_vars", "domain_size", "vk", "beta_1", "delta_1",
                                                          "contributions")) and all(
        np.array_equal(getattr(a, n), getattr(b, n))
        for n in ("coefficients", "a_query", "b1_query", "b2_query", "c_query", "h_query"))


def _zkey_seed():
    from zkwork.formats import read_zkey, write_zkey
    from zkwork.formats.zkey_file import zkey_from_proving_key

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

    from zkwork.groth16.key_files import read_proving_key, write_proving_key

    directory = tempfile.mkdtemp(prefix="zkwork-fuzz-pk-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    write_proving_key(groth16_seed().pk, directory)
    files = {p.name: p.read_bytes() for p in sorted(Path(directory).iterdir())}
    return files, read_proving_key(directory)


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
    from zkwork.groth16.key_files import read_proving_key

    return read_proving_key(directory)


def _pk_judge(seed, case, value):
    if case.must_reject:
        return "accepted"
    return "equivalent" if _pk_equal(value, seed[1]) else "variant"


register(Target("proving-key", "zkwork's proving-key directory (key_files.read_proving_key)", _pk_seed, _pk_edges,
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

    return Transcript.read(path)


# A transcript's numbers and names are read as they come (their meaning is verify_phase1's
# business): another contributor, duration, power, index or beacon is well-formed.
TRANSCRIPT_SPEC = JsonSpec(optional_keys=("snarkjs",), number_bound=_coordinate_bound,
                           free_length_lists=(("records",),),
                           free_keys=("power", "index", "contributor", "seconds", "value", "iterations_exponent"))
json_target("transcript", "ceremony phase-1 transcript (ceremony.records.Transcript.load)", _transcript_seed,
            _read_transcript, TRANSCRIPT_SPEC)
