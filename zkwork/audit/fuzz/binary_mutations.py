"""Mutations of iden3 binary section containers (.r1cs, .wtns, .zkey, .ptau): truncations,
magics, versions, counts, sections duplicated, missing or swapped, bit flips; and
`binary_target`, which registers a target for a container reader."""
from dataclasses import dataclass

from zkwork.audit.fuzz.engine import Case, Target, register
from zkwork.field import P, R


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
    """An iden3 container format: its magic, version, required sections and the counts
    inside its sections."""

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
