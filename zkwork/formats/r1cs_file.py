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
inputs, internal signals. circom labels every declared signal: label 0 the one, then main's
outputs, public inputs and private inputs, then every other signal. Its nPrvIn counts every
declared private input, also those --O2 removed from the wires (an input no constraint uses,
or one a linear constraint expresses through other signals): the wire map tells which remain,
the private inputs' labels that no wire maps to are the removed ones. `read_r1cs` keeps the
header's count, as `snarkjs r1cs info` reports it, in `R1CS.num_private_inputs` and the number
removed in `R1CS.removed_inputs`. A .r1cs carries no names; `read_r1cs` labels constraint i
"constraint i" and wire i "wire i", unless circom's .sym file is given (lines
"label id,wire id,component id,dotted.signal.name", wire id -1 for signals optimised away):
then wires get their signal's name as a zkwork path ("main.hasher.out" -> "main/hasher/out"),
removed inputs theirs in `R1CS.removed_input_names`, and each constraint the name of the
highest-numbered wire it mentions, in practice the signal it defines, so that `R1CS.budget`
counts constraints per circom component. `write_r1cs` maps wire i to label i (nLabels = nWires)
but for removed inputs, which keep the labels after the remaining private inputs'.
"""
import numpy as np

from zkwork.errors import FormatError, InvalidValueError, UnreadableFileError
from zkwork.field import R
from zkwork.formats.binfile import N8, integer, prime_header, read_bin_file, u32, u64, write_bin_file
from zkwork.r1cs import R1CS
from zkwork.regular_files import read_regular

HEADER, CONSTRAINTS, WIRE_MAP = 1, 2, 3
SECTION_NAMES = {HEADER: "header", CONSTRAINTS: "constraints", WIRE_MAP: "wire map",
                 4: "custom gates list", 5: "custom gates uses"}
TERM_BYTES = 4 + N8
EMPTY_CONSTRAINT_BYTES = 3 * 4  # three empty linear combinations
# A .sym line is three decimal integers (at most 20 digits each), three commas, a newline and
# a signal's dotted path; circom writes one line per label. Paths are component nestings (the
# pattern circuits' longest line is 54 bytes), so 4 KiB a line on average bounds a .sym far
# above any real one of its labels, and refuses a file of another kind before it is read.
SYM_LINE_BYTES = 4096


def _read_header(binfile):
    section = binfile.section(HEADER)
    section.prime(R, "scalar field Fr")
    header = {
        "wires": section.u32(), "outputs": section.u32(), "public_inputs": section.u32(),
        "private_inputs": section.u32(), "labels": section.u64(), "constraints": section.u32(),
    }
    section.finish()
    # The one and the public signals are the statement: every writer, circom --O2 too, keeps
    # them as wires. The private inputs need not all be: circom's nPrvIn counts those --O2
    # removed too, so valid files can have fewer wires than 1 + outputs + public + private
    # inputs (`snarkjs r1cs info` reads them; _read_wire_map counts the inputs that are
    # wires). circom labels every declared input, removed or not, so the labels must hold them.
    public = 1 + header["outputs"] + header["public_inputs"]
    if header["wires"] < public:
        raise section.error(InvalidValueError, f"{header['wires']} wires cannot hold the one, {header['outputs']} "
                                               f"outputs and {header['public_inputs']} public inputs")
    if header["labels"] < public + header["private_inputs"]:
        raise section.error(InvalidValueError, f"{header['labels']} labels cannot name the one, {header['outputs']} "
                                               f"outputs, {header['public_inputs']} public and "
                                               f"{header['private_inputs']} private inputs")
    return header


def _input_labels(header):
    """The labels circom gives main's private inputs (after the one, outputs, public inputs)."""
    first = 1 + header["outputs"] + header["public_inputs"]
    return range(first, first + header["private_inputs"])


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


def _read_wire_map(binfile, header):
    """(the label of every wire, how many private inputs are wires), the wire map checked
    against circom's numbering of labels as far as zkwork's reading of the wires relies on it."""
    section = binfile.section(WIRE_MAP)
    section.need(header["wires"], 8, "nWires of the header")
    labels = np.frombuffer(section.take(8 * header["wires"]), dtype="<u8")
    section.finish()
    if labels.size and int(labels.max()) >= header["labels"]:
        wire = int(np.argmax(labels >= header["labels"]))
        raise section.error(InvalidValueError, f"wire {wire} maps to label {int(labels[wire])}, "
                                               f"not below the header's {header['labels']} labels")
    inputs = _input_labels(header)
    public, expected = labels[: inputs.start], np.arange(inputs.start, dtype="<u8")
    if not np.array_equal(public, expected):
        wire = int(np.argmax(public != expected))
        raise section.error(InvalidValueError, f"public wire {wire} maps to label {int(public[wire])}: the one and "
                                               "the public signals are wires and labels 0, 1, ... in that order")
    # Wires whose label is a private input's: they are the private input wires, so they must
    # come right after the public ones, and be no more than the inputs declared.
    is_input = (labels[inputs.start :] >= inputs.start) & (labels[inputs.start :] < inputs.stop)
    count = int(np.count_nonzero(is_input))
    if not is_input[:count].all():
        wire = inputs.start + int(np.argmin(is_input[:count]))
        raise section.error(InvalidValueError, f"wire {wire} maps to label {int(labels[wire])}, not a private "
                                               f"input's ({inputs.start} to {inputs.stop - 1}), before the last "
                                               "private input wire: they follow the public wires")
    if count > len(inputs):
        raise section.error(InvalidValueError, f"{count} wires map to the labels of the header's {len(inputs)} "
                                               "private inputs")
    return labels, count


def read_sym(path, counts):
    """({wire: zkwork-style name}, {label: name} of the private inputs it gives no wire) from
    circom's .sym file, for a .r1cs of these header `counts` (as `r1cs_info` gives them); the
    first name of each wire, and of each label, wins."""
    data = read_regular(path, counts["labels"] * SYM_LINE_BYTES, UnreadableFileError,
                        f".sym for {counts['labels']} labels")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FormatError(f"{path}: line {line} is not UTF-8 text (byte {error.start}: {error.reason})",
                          section="sym") from None
    names, unwired, inputs = {}, {}, _input_labels(counts)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(",", 3)
        try:
            label, wire, name = int(parts[0]), int(parts[1]), parts[3].replace(".", "/")
        except (IndexError, ValueError):
            raise FormatError(f"{path}: line {number} is not 'label,wire,component,name': {line[:80]!r}",
                              section="sym") from None
        if wire >= counts["wires"]:
            raise InvalidValueError(f"{path}: line {number} names wire {wire}, the .r1cs has {counts['wires']}",
                                    section="sym")
        if wire >= 0:
            names.setdefault(wire, name)
        elif label in inputs:
            unwired.setdefault(label, name)
    return names, unwired


def _removed_input_names(sym_path, unwired, input_wire_labels):
    """The names of the removed private inputs, by label; a .sym that gives no wire to an
    input the wire map keeps contradicts the .r1cs."""
    kept = set(unwired).intersection(input_wire_labels.tolist())
    if kept:
        label = min(kept)
        raise InvalidValueError(f"{sym_path}: gives private input {unwired[label]} (label {label}) no wire, "
                                "but the .r1cs wire map has one for it", section="sym")
    return tuple(unwired[label] for label in sorted(unwired))


def _constraint_label(i, rows, wire_names):
    wires = [w for terms in rows for w in terms if w != 0]
    return wire_names[max(wires)] if wires else f"constraint {i}"


def read_r1cs(path, sym_path=None):
    """The R1CS in a .r1cs file (names from `sym_path`, circom's .sym file, if given)."""
    binfile = _open(path)
    header = _read_header(binfile)
    wire_labels, input_wires = _read_wire_map(binfile, header)
    a, b, c = _read_constraints(binfile, header)
    wires, removed_names = header["wires"], ()
    if sym_path is None:
        wire_names = ["one"] + [f"wire {i}" for i in range(1, wires)]
        labels = [f"constraint {i}" for i in range(len(a))]
    else:
        names, unwired = read_sym(sym_path, header)
        first = _input_labels(header).start
        removed_names = _removed_input_names(sym_path, unwired, wire_labels[first : first + input_wires])
        wire_names = ["one"] + [names.get(i, f"wire {i}") for i in range(1, wires)]
        labels = [_constraint_label(i, rows, wire_names) for i, rows in enumerate(zip(a, b, c))]
    return R1CS(
        A=a, B=b, C=c, labels=labels, wire_names=wire_names, num_outputs=header["outputs"],
        num_public_inputs=header["public_inputs"], num_private_inputs=header["private_inputs"],
        removed_inputs=header["private_inputs"] - input_wires, removed_input_names=removed_names,
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
        u32(r1cs.num_private_inputs), u64(r1cs.num_wires + r1cs.removed_inputs), u32(r1cs.num_constraints),
    ])
    constraints = b"".join(
        _linear_combination_bytes(a) + _linear_combination_bytes(b) + _linear_combination_bytes(c)
        for a, b, c in zip(r1cs.A, r1cs.B, r1cs.C)
    )
    wire_map = np.arange(r1cs.num_wires, dtype="<u8")
    wire_map[1 + r1cs.num_public + r1cs.num_private_input_wires :] += r1cs.removed_inputs
    write_bin_file(path, "r1cs", 1, [(HEADER, header), (CONSTRAINTS, constraints), (WIRE_MAP, wire_map.tobytes())])
