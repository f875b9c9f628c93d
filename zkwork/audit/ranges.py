"""Integer ranges of R1CS wires, and the uniqueness they prove beyond local propagation.

A range [lo, hi] of a wire (hi - lo < r) says its value is congruent to an integer in
[lo, hi]; it is derived only from constraints that prove it (so every witness obeys it):
  - the constant wire is [1, 1]; a wire some constraint confines to two values lies
    between them (x * (x - 1) = 0: [0, 1]);
  - a linear constraint whose wires other than x are ranged gives x the range of the
    linear form it equals (a bit decomposition x = sum 2^i b_i: [0, 2^n - 1]), and a
    constraint A * B = k x + C with A, B, C ranged gives x that of (A * B - C) / k, when
    the form's integer values span fewer than r (then the congruence pins the integer).
A constraint A * B - C = 0 whose monomials are all over ranged wires has an integer value
within a window: it is the integer equation "= m r" for the multiples m of r the window
holds (m = 0 alone, mostly). Over these equations an integer query (zkwork.audit.smt.
integer_query) proves bounds of one witness, such as r <= b - 1; leaving constraints out
only relaxes it, so "unsat" is a proof and "sat" none. Two uses prove wires determined:
  - Euclidean division: a = q b + r with a, b determined, q, r, b ranged (r, b >= 0) so
    that two witnesses' difference b (q1 - q2) = r2 - r1 holds over the integers, and
    r <= b - 1 proved: |r2 - r1| < b forces q1 = q2 and r1 = r2 (division_shapes);
  - an alias check: the bits of x = sum 2^e b_e (determined x, e up to 253) are unique when
    their sum is proved below r, as circomlib's AliasCheck (CompConstant(r - 1)) does; the
    proof reads the comparator's arithmetic digit by digit (alias_checked_bits).
"""
from dataclasses import dataclass

from zkwork.audit.propagate import boolean_forms, wires_of
from zkwork.field import R

HALF = R // 2
MULTIPLES = 8  # an equation k r with k among more values than this is left out
COPY_PASSES = 3  # a copy substituted into a copy row makes it one more: pass again
PASSES = 8  # range derivation passes: each pass ranges wires one constraint further down a chain


def signed(value):
    """The representative of a field element in (-r/2, r/2]."""
    value %= R
    return value - R if value > HALF else value


def _span(terms, ranges):
    """The integer interval of sum c_w x_w (signed c_w) over ranged wires, or None."""
    lo = hi = 0
    for w, c in terms.items():
        if w not in ranges:
            return None
        c = signed(c)
        a, b = ranges[w]
        lo, hi = lo + min(c * a, c * b), hi + max(c * a, c * b)
    return lo, hi


def _product_span(first, second):
    corners = [x * y for x in first for y in second]
    return min(corners), max(corners)


def _narrower(ranges, wire, span):
    """Record `span` for `wire` when it is a valid range and narrower than the known one."""
    if span is None or span[1] - span[0] >= R:
        return False
    known = ranges.get(wire)
    if known is not None and known[1] - known[0] <= span[1] - span[0]:
        return False
    ranges[wire] = span
    return True


def _isolated(a, b, c, ranges):
    """(x, span) when the constraint gives one unranged wire x of C, linear in it, the
    range of (A * B - (C - k x)) / k; None otherwise."""
    free = [w for w in c if w not in ranges]
    if len(free) != 1 or any(w not in ranges for w in list(a) + list(b)):
        return None
    (x,) = free
    inverse = pow(c[x], -1, R)
    rest = {w: (-co * inverse) % R for w, co in c.items() if w != x}
    product = (0, 0)
    if a and b:
        product = _product_span(_span(a, ranges), _span({w: co * inverse % R for w, co in b.items()}, ranges))
    rest_span = _span(rest, ranges)
    return x, (product[0] + rest_span[0], product[1] + rest_span[1])


def wire_ranges(constraints):
    """{wire: (lo, hi)} for the wires the rules of the module docstring range."""
    ranges = {0: (1, 1)}
    for form, values in boolean_forms(constraints):
        if len(form) == 1:
            ((x, k),) = form.items()
            inverse = pow(k, -1, R)
            ends = sorted(signed(v * inverse) for v in values)
            _narrower(ranges, x, tuple(ends))
    for _ in range(PASSES):
        changed = False
        for a, b, c in constraints:
            row = _linear_row(a, b, c)
            if row is not None:  # as 0 * 0 = row
                a, b, c = {}, {}, row
            found = _isolated(a, b, c, ranges)
            if found is not None:
                changed |= _narrower(ranges, *found)
        if not changed:
            break
    return ranges


@dataclass(frozen=True)
class IntegerEquation:
    """sum coef * x * y = k r over integers, for one k in [k_lo, k_hi]: monomials as
    (coef, x, y) with x, y variable names (None for the constant 1)."""

    monomials: tuple
    k_lo: int
    k_hi: int


def _monomials(a, b, c):
    """A * B - C expanded: {(w1, w2) with w1 <= w2 (0 the constant wire): coefficient}."""
    out = {}
    for wa, ca in a.items():
        for wb, cb in b.items():
            key = (min(wa, wb), max(wa, wb))
            out[key] = (out.get(key, 0) + ca * cb) % R
    for w, co in c.items():
        out[(0, w)] = (out.get((0, w), 0) - co) % R
    return {key: co for key, co in out.items() if co}


def _window(monomials, ranges):
    lo = hi = 0
    for (x, y), co in monomials.items():
        span = _product_span(ranges[x], ranges[y])
        span = _product_span(span, (signed(co), signed(co)))
        lo, hi = lo + span[0], hi + span[1]
    return lo, hi


def _name(wire):
    return None if wire == 0 else f"w{wire}"


def integer_system(constraints, ranges):
    """The IntegerEquations of the module docstring for one witness: every constraint whose
    monomials are all over ranged wires and whose window holds few multiples of r, but for
    products of two wires that are not bits (their multiplier circuits cost the bit-blasting
    solver more than they usually tell; leaving an equation out only relaxes the system)."""
    equations = []
    for a, b, c in constraints:
        monomials = _monomials(a, b, c)
        if not all(w in ranges for key in monomials for w in key) or any(
                x and ranges[x] != (0, 1) and ranges[y] != (0, 1) for x, y in monomials):
            continue
        lo, hi = _window(monomials, ranges)
        if hi - lo < MULTIPLES * R:
            terms = tuple((signed(co), _name(x), _name(y)) for (x, y), co in monomials.items())
            equations.append(IntegerEquation(terms, -(-lo // R), hi // R))
    return equations


def division_shapes(constraints, ranges, determined):
    """(q, r, b) for the constraints a = q b + r (up to a common factor, a any determined
    form, b determined) with b, r ranged non-negative and q ranged, whose difference over two
    witnesses, k b (q1 - q2) = +-k (r2 - r1), spans fewer than r: q and r are then unique once
    r <= b - 1 is proved (|r2 - r1| < b forces q1 = q2, b = 0 admits no r)."""
    found = []
    for a, b, c in constraints:
        varying = {key: co for key, co in _monomials(a, b, c).items()
                   if not all(w == 0 or w in determined for w in key)}
        if len(varying) != 2 or not all(w in ranges for key in varying for w in key):
            continue
        (product, k1), (linear, k2) = sorted(varying.items(), key=lambda item: item[0][0] == 0)
        if product[0] == 0 or linear[0] != 0 or k1 not in (k2, R - k2):
            continue
        divisor, quotient = product if product[0] in determined else product[::-1]
        remainder = linear[1]
        if divisor not in determined or quotient in determined or min(ranges[divisor] + ranges[remainder]) < 0:
            continue
        lo, hi = _window(varying, ranges)
        if hi - lo < R:
            found.append((quotient, remainder, divisor))
    return found


def bounds(ranges):
    """{variable name: (lo, hi)} for the ranged wires."""
    return {_name(w): span for w, span in ranges.items() if w}


def _substitute(terms, x, definition):
    """`terms` with wire x replaced by the linear form `definition`."""
    k = terms.pop(x, 0)
    for w, co in definition.items():
        v = (terms.get(w, 0) + k * co) % R
        if v:
            terms[w] = v
        else:
            terms.pop(w, None)
    return terms


def _linear_row(a, b, c):
    """The constraint as a linear form equal to 0 when a factor is a constant, else None."""
    if wires_of(a) and wires_of(b):
        return None
    k, other = (a.get(0, 0), b) if not wires_of(a) else (b.get(0, 0), a)
    row = {w: k * co % R for w, co in other.items()}
    for w, co in c.items():
        row[w] = (row.get(w, 0) - co) % R
    return {w: co for w, co in row.items() if co}


def without_copies(constraints, keep):
    """The constraints with the wires a linear row fixes or copies (x = c, x = k y), and those
    in exactly two constraints, both linear rows, substituted away (as circom --O2 does): each
    substitution uses an equation every witness satisfies, so the result holds in every
    witness. Wires in `keep` stay."""
    system = [[dict(a), dict(b), dict(c)] for a, b, c in constraints]
    occurs = {}
    for index, constraint in enumerate(system):
        for w in {w for t in constraint for w in t}:
            occurs.setdefault(w, set()).add(index)
    for rule in ("copy",) * COPY_PASSES + ("chain",):
        for index in range(len(system)):
            row = _linear_row(*system[index])
            if row is None:
                continue
            for x in sorted(wires_of(row), reverse=True):
                elsewhere = occurs[x] - {index}
                if x in keep or (rule == "copy" and len(wires_of(row)) > 2) or (
                        rule == "chain" and (len(elsewhere) != 1 or _linear_row(*system[min(elsewhere)]) is None)):
                    continue
                inverse = pow(row[x], -1, R)
                definition = {w: (R - co) * inverse % R for w, co in row.items() if w != x}
                for other in elsewhere:
                    for t in system[other]:
                        _substitute(t, x, definition)
                    for w in definition:
                        occurs.setdefault(w, set()).add(other)
                system[index] = [{}, {}, {}]
                for w in row:
                    occurs[w].discard(index)
                break
    return [tuple(t) for t in system if any(t)]


def _powers(row, wires):
    """{wire: e} when the coefficients of `wires` in `row` are all 2^e (distinct e), else None."""
    exponents = {}
    for w in wires:
        co = row[w]
        if co & (co - 1) or co >= R:
            return None
        exponents[w] = co.bit_length() - 1
    return exponents if len(set(exponents.values())) == len(exponents) else None


def _digit_functions(system, bits, exponent):
    """{P: (exponents of its bits, {digit: value})} for the wires P a constraint defines as
    a function of a few bits of one decomposition, P = poly(bits), tabulated per digit."""
    found = {}
    for a, b, c in system:
        monomials = _monomials(a, b, c)
        linear = [w for (z, w), co in monomials.items() if z == 0 and w and w not in bits]
        group = sorted({w for key in monomials for w in key if w in bits})
        if len(linear) != 1 or not group or len(group) > 4 or any(w and w not in bits and w != linear[0]
                                                                  for key in monomials for w in key):
            continue
        (p,) = linear
        if any(p in key and key != (0, p) for key in monomials):
            continue
        spots = sorted(exponent[w] for w in group)
        if spots != list(range(spots[0], spots[0] + len(group))):
            continue
        inverse = (R - pow(monomials[(0, p)], -1, R)) % R
        table = {}
        for digit in range(1 << len(group)):
            value = {0: 1, **{w: digit >> (exponent[w] - spots[0]) & 1 for w in group}}
            table[digit] = sum(co * value[x] * value[y] for (x, y), co in monomials.items() if p not in (x, y)) * inverse % R
        found[p] = (spots, table)
    return found


def _max_above(digits, threshold):
    """The largest sum of weights over the numbers >= threshold whose digits ({(low, width):
    {digit: weight}}, disjoint, covering 0..n-1; a digit absent from its map never occurs)
    write, or None when there is no such number."""
    greater, equal = None, 0
    for (low, width), weights in sorted(digits.items(), reverse=True):
        t = threshold >> low & ((1 << width) - 1)
        options = [greater + max(weights.values())] if greater is not None else []
        above = [v for d, v in weights.items() if d > t]
        if equal is not None and above:
            options.append(equal + max(above))
        greater = max(options) if options else None
        equal = equal + weights[t] if equal is not None and t in weights else None
    if threshold >> sum(width for _, width in digits):
        return None
    return max([v for v in (greater, equal) if v is not None], default=None)


def _as_power_sum(row, bits):
    """{bit: e} when the bits' coefficients in `row` are k 2^e for one k (distinct e), else None."""
    for k in {row[w] for w in bits}:
        inverse = pow(k, -1, R)
        exponents = _powers({w: row[w] * inverse % R for w in bits}, bits)
        if exponents is not None:
            return k, exponents
    return None, None


def _residue(value, modulus):
    value %= modulus
    return value - modulus if value > modulus // 2 else value


def _below_modulus(system, rows, bits, number_bits, exponent):
    """Whether some comparator row proves sum 2^e b < r for the bits of `exponent`: a row
    S = sum_i c_i P_i + c0 with S = sum_j 2^j n_j over bits n_j lacking some 2^t, and each
    P_i a function of a digit of the number (as circomlib's CompConstant in AliasCheck).
    Bit t of S is 0; when the P_i's residues mod 2^(t+1) sum below 2^t in size, that says
    their sum is non-negative, which no number >= r allows (a digit-by-digit maximum)."""
    functions = _digit_functions(system, set(number_bits), exponent)
    for row in rows:
        parts = [w for w in row if w in functions]
        others = [w for w in wires_of(row) if w not in functions]
        k, powers = _as_power_sum(row, others) if parts and others and set(others) <= bits else (None, None)
        if powers is None or len({e for p in parts for e in functions[p][0]}) != sum(len(functions[p][0]) for p in parts):
            continue
        scale = (R - pow(k, -1, R)) % R  # S - sum c_i P_i - c0 = 0 with S's bits at 2^j
        weights = {p: {d: signed(row[p] * scale) * signed(v) for d, v in functions[p][1].items()} for p in parts}
        constant = signed(row.get(0, 0) * scale)
        low = sum(min(w.values()) for w in weights.values()) + constant
        high = sum(max(w.values()) for w in weights.values()) + constant
        top = sum(1 << e for e in powers.values())
        multiples = range(-(-(0 - high) // R), (top - low) // R + 1)  # S - V = m r
        if top + high - low >= R or len(multiples) != 1:
            continue
        constant += multiples[0] * R
        for t in sorted(set(range(max(powers.values()) + 2)) - set(powers.values())):
            modulus = 1 << (t + 1)
            digits = {(spots[0], len(spots)): {d: _residue(weights[p][d], modulus) for d in functions[p][1]}
                      for p, (spots, _) in ((p, functions[p]) for p in parts)}
            offset = _residue(constant, modulus)
            if sum(max(map(abs, w.values())) for w in digits.values()) + abs(offset) >= 1 << t:
                continue
            covered = {e for low_, width in digits for e in range(low_, low_ + width)}
            for e in range(max(exponent.values()) + 1):
                if e not in covered:
                    digits[(e, 1)] = {0: 0, 1: 0} if e in exponent.values() else {0: 0}
            best = _max_above(digits, R)
            if best is None or best + offset < 0:
                return True
    return False


def alias_checked_bits(constraints, determined, keep):
    """The bits of decompositions x = sum 2^e b_e of determined x that a comparator row proves
    below r (see _below_modulus): two such sums equal mod r are equal, so the bits are unique.
    `keep`: the wires to keep when copies are substituted away (the inputs and outputs)."""
    system = without_copies(constraints, keep)
    ranges = wire_ranges(system)
    bits = {w for w, span in ranges.items() if span == (0, 1)}
    rows = [row for row in (_linear_row(*t) for t in system) if row]
    found = set()
    for row in rows:
        number_bits = [w for w in wires_of(row) if w in bits and w not in determined]
        if len(number_bits) < 2 or any(w not in bits and w not in determined for w in row):
            continue
        _, exponent = _as_power_sum(row, number_bits)
        if exponent is not None and _below_modulus(system, rows, bits, number_bits, exponent):
            found.update(number_bits)
    return found
