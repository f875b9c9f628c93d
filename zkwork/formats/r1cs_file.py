"""circom's .r1cs files (iden3 container, magic "r1cs", version 1), read into and written
from zkwork's R1CS.

    section 1  header       n8 u32 (= 32), prime (n8 bytes, BN254's r), nWires u32,
                            nPubOut u32, nPubIn u32, nPrvIn u32, nLabels u64, nConstraints u32
    section 2  constraints  nConstraints times A, B, C, each a linear combination:
                            nTerms u32, then nTerms times (wire u32, coefficient n8 bytes, plain
                            little-endian, < r)
    section 3  wire map     nWires times the label id (u64, < nLabels) of each wire
    sections 4, 5           custom gates (circom's PLONK extension): ignored when reading

Wires are numbered as zkwork numbers them: the constant one, outputs, public inputs, private
inputs, internal signals. circom's nPrvIn counts every declared private input, also those
--O2 removed from the wires (zkwork counts only the ones left); `read_r1cs` keeps the
header's count, as `snarkjs r1cs info` reports it. A .r1cs carries no names; `read_r1cs` labels constraint i
"constraint i" and wire i "wire i", unless circom's .sym file is given (lines
"label id,wire id,component id,dotted.signal.name", wire id -1 for signals optimised away):
then wires get their signal's name as a zkwork path ("main.hasher.out" -> "main/hasher/out")
and each constraint the name of the highest-numbered wire it mentions, in practice the signal
it defines, so that `R1CS.budget` counts constraints per circom component.
`write_r1cs` maps wire i to label i (nLabels = nWires).
"""
from pathlib import Path

import numpy as np

from zkwork.errors import FormatError, InvalidValueError
from zkwork.field import R
from zkwork.formats.binfile import N8, integer, prime_header, read_bin_file, u32, u64, write_bin_file
from zkwork.r1cs import R1CS

HEADER, CONSTRAINTS, WIRE_MAP = 1, 2, 3
SECTION_NAMES = {HEADER: "header", CONSTRAINTS: "constraints", WIRE_MAP: "wire map",
                 4: "custom gates list", 5: "custom gates uses"}
TERM_BYTES = 4 + N8
EMPTY_CONSTRAINT_BYTES = 3 * 4  # three empty linear combinations


def _read_header(binfile):
    section = binfile.section(HEADER)
    section.prime(R, "scalar field Fr")
    header = {
        "wires": section.u32(), "outputs": section.u32(), "public_inputs": section.u32(),
        "private_inputs": section.u32(), "labels": section.u64(), "constraints": section.u32(),
    }
    section.finish()
    if header["wires"] < 1 + header["outputs"] + header["public_inputs"] + header["private_inputs"]:
        raise section.error(
            InvalidValueError,
            f"{header['wires']} wires cannot hold the one, {header['outputs']} outputs, "
            f"{header['public_inputs']} public and {header['private_inputs']} private inputs",
        )
    return header


def _open(path):
    return read_bin_file(path, "r1cs", 1, SECTION_NAMES)


def r1cs_info(path):
    """The header counts of a .r1cs file, as `snarkjs r1cs info` reports them (the section
    table and the header are checked; the constraints are not parsed)."""
    return {"curve": "bn128", **_read_header(_open(path))}


def _read_linear_combination(section, num_wires, where):
    count = section.u32()
    section.need(count, TERM_BYTES, where)
    block = bytes(section.take(count * TERM_BYTES))
    terms = {}
    for offset in range(0, len(block), TERM_BYTES):
        wire = int.from_bytes(block[offset : offset + 4], "little")
        coeff = int.from_bytes(block[offset + 4 : offset + TERM_BYTES], "little")
        if wire >= num_wires:
            raise section.error(InvalidValueError, f"{where}: wire {wire} is not below the {num_wires} wires")
        if coeff >= R:
            raise section.error(InvalidValueError, f"{where}: the coefficient of wire {wire} is not below r")
        if wire in terms:
            raise section.error(InvalidValueError, f"{where}: wire {wire} appears twice")
        terms[wire] = coeff
    return terms


def _read_constraints(binfile, header):
    section = binfile.section(CONSTRAINTS)
    count, wires = header["constraints"], header["wires"]
    section.need(count, EMPTY_CONSTRAINT_BYTES, "nConstraints of the header")
    rows = {"A": [], "B": [], "C": []}
    for i in range(count):
        for matrix, terms in rows.items():
            terms.append(_read_linear_combination(section, wires, f"constraint {i}, {matrix}"))
    section.finish()
    return rows["A"], rows["B"], rows["C"]


def _check_wire_map(binfile, header):
    section = binfile.section(WIRE_MAP)
    section.need(header["wires"], 8, "nWires of the header")
    labels = np.frombuffer(section.take(8 * header["wires"]), dtype="<u8")
    section.finish()
    if labels.size and int(labels.max()) >= header["labels"]:
        wire = int(np.argmax(labels >= header["labels"]))
        raise section.error(InvalidValueError, f"wire {wire} maps to label {int(labels[wire])}, "
                                               f"not below the header's {header['labels']} labels")


def read_sym(path, num_wires):
    """{wire: zkwork-style name} from circom's .sym file; the first name of each wire wins."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FormatError(f"{path}: line {line} is not UTF-8 text (byte {error.start}: {error.reason})",
                          section="sym") from None
    names = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(",", 3)
        try:
            wire = int(parts[1])
            name = parts[3]
        except (IndexError, ValueError):
            raise FormatError(f"{path}: line {number} is not 'label,wire,component,name': {line[:80]!r}",
                              section="sym") from None
        if wire >= num_wires:
            raise InvalidValueError(f"{path}: line {number} names wire {wire}, the .r1cs has {num_wires}",
                                    section="sym")
        if wire >= 0:
            names.setdefault(wire, name.replace(".", "/"))
    return names


def _constraint_label(i, rows, wire_names):
    wires = [w for terms in rows for w in terms if w != 0]
    return wire_names[max(wires)] if wires else f"constraint {i}"


def read_r1cs(path, sym_path=None):
    """The R1CS in a .r1cs file (names from `sym_path`, circom's .sym file, if given)."""
    binfile = _open(path)
    header = _read_header(binfile)
    _check_wire_map(binfile, header)
    a, b, c = _read_constraints(binfile, header)
    wires = header["wires"]
    if sym_path is None:
        wire_names = ["one"] + [f"wire {i}" for i in range(1, wires)]
        labels = [f"constraint {i}" for i in range(len(a))]
    else:
        names = read_sym(sym_path, wires)
        wire_names = ["one"] + [names.get(i, f"wire {i}") for i in range(1, wires)]
        labels = [_constraint_label(i, rows, wire_names) for i, rows in enumerate(zip(a, b, c))]
    return R1CS(
        A=a, B=b, C=c, labels=labels, wire_names=wire_names, num_outputs=header["outputs"],
        num_public_inputs=header["public_inputs"], num_private_inputs=header["private_inputs"],
    )


def _linear_combination_bytes(terms):
    parts = [u32(len(terms))]
    for wire in sorted(terms):
        parts.append(u32(wire) + integer(terms[wire] % R))
    return b"".join(parts)


def write_r1cs(r1cs, path):
    """Write `r1cs` as a .r1cs file that circom's tools (snarkjs) read."""
    header = b"".join([
        prime_header(R), u32(r1cs.num_wires), u32(r1cs.num_outputs), u32(r1cs.num_public_inputs),
        u32(r1cs.num_private_inputs), u64(r1cs.num_wires), u32(r1cs.num_constraints),
    ])
    constraints = b"".join(
        _linear_combination_bytes(a) + _linear_combination_bytes(b) + _linear_combination_bytes(c)
        for a, b, c in zip(r1cs.A, r1cs.B, r1cs.C)
    )
    wire_map = np.arange(r1cs.num_wires, dtype="<u8").tobytes()
    write_bin_file(path, "r1cs", 1, [(HEADER, header), (CONSTRAINTS, constraints), (WIRE_MAP, wire_map)])
