"""Which wires of an R1CS the inputs determine uniquely, by sound local rules.

Starting from the constant wire and the inputs, a wire is added to the determined set when
one of these rules forces its value from values already determined (so two witnesses that
agree on the inputs agree on it too):
  - one unknown: a constraint whose one undetermined wire occurs linearly, with a slope that
    is never zero (a non-zero constant, or a function of a two-valued form that is non-zero
    at both values, as 1 - 2 b for a bit b), determines it;
  - linear solving: the constraints that are linear in the undetermined wires (both factors
    determined; one factor a constant; or one factor determined and known non-zero while
    the product is determined) form a linear system; a wire whose unit vector lies in the
    row space of that system (its pivot row in reduced echelon form has no free column) is
    determined, and so is a factor whose undetermined part lies in that row space (as the
    linear forms --O2 leaves inside Poseidon's rounds), which can make more rows linear;
  - bit decompositions: a linear row whose undetermined wires are all boolean (a constraint
    in that wire alone with roots 0 and 1, as x * (x - 1) = 0; or a linear form with those
    roots, a bit --O2 substituted, which counts as one more bit of the row) with coefficients +-k * 2^e_j,
    the e_j distinct and below 253, determines every bit (two such sums that agree mod r
    agree as integers, and then bit by bit from the highest);
  - is-zero shapes: X * o = 0 together with X * y = c0 + c1 o (c1 != 0, X determined) fix o:
    o = 0 when X != 0, o = -c0 / c1 when X = 0, whatever y is (so o is two-valued too).
A linear form is known non-zero when some constraint gives a product of it equal to a
non-zero constant (x * inv = 1), or when it is a non-zero constant.
"""
from zkwork.field import R

TWO_BITS_LIMIT = 1 << 253  # every sum of distinct powers 2^e, e < 253, is below r
VIRTUAL_BIT = -1  # the bit a boolean linear form stands for, as a column of a row


def wires_of(terms):
    """The wires of a linear form other than the constant wire 0."""
    return [w for w in terms if w != 0]


def normalized(terms):
    """A linear form scaled so that its lowest-numbered wire has coefficient 1, as a hashable key."""
    if not terms:
        return ()
    first = min(terms)
    inv = pow(terms[first], -1, R)
    return tuple(sorted((w, c * inv % R) for w, c in terms.items()))


def _two_roots(x0, beta, y0, c0):
    """The roots {r1, r2} of (t + x0) (beta t + y0) = c0 when they are 0 and 1 or the
    constant is 0 (then -x0 and -y0 / beta), as a pair; None otherwise or when they coincide."""
    if c0 % R == 0:
        roots = (-x0 % R, -y0 * pow(beta, -1, R) % R)
    elif all((t + x0) * (beta * t + y0) % R == c0 % R for t in (0, 1)):
        roots = (0, 1)
    else:
        return None
    return roots if roots[0] != roots[1] else None


def boolean_forms(constraints):
    """(L, (v0, v1)) for the linear forms L (without constant) some constraint confines to
    two values v0, v1, scaled so that v1 - v0 = 1: (L + a0) (beta L + b0) = c0, as x * (x - 1) = 0
    for a wire, or the same over a bit that --O2 replaced by a linear form."""
    found = []
    for a, b, c in constraints:
        if wires_of(c) or not wires_of(a) or not wires_of(b):
            continue
        form = {w: k for w, k in a.items() if w}
        other = {w: k for w, k in b.items() if w}
        if normalized(form) != normalized(other):
            continue
        first = min(form)
        beta = other[first] * pow(form[first], -1, R) % R
        roots = _two_roots(a.get(0, 0), beta, b.get(0, 0), c.get(0, 0))
        if roots is not None:
            scale = pow((roots[1] - roots[0]) % R, -1, R)
            found.append(({w: k * scale % R for w, k in form.items()}, tuple(r * scale % R for r in roots)))
    return found


def nonzero_forms(constraints):
    """The normalized linear forms some constraint proves non-zero: the factors of a
    product equal to a non-zero constant."""
    found = set()
    for a, b, c in constraints:
        if not wires_of(c) and c.get(0, 0) % R:
            found.update({normalized(a), normalized(b)})
    return found


def _is_nonzero(terms, determined, nonzero):
    if not wires_of(terms):
        return bool(terms.get(0, 0) % R)
    return all(w in determined for w in terms) and normalized(terms) in nonzero


def _undetermined(terms, determined):
    return {w: c for w, c in terms.items() if w not in determined}


def _slope_is_nonzero(slope, forms):
    """Whether a linear form over determined wires is never 0: a non-zero constant, or
    k L + s0 for a two-valued form L with k v0 + s0 and k v1 + s0 both non-zero."""
    if not wires_of(slope):
        return bool(slope.get(0, 0) % R)
    key = normalized({w: k for w, k in slope.items() if w})
    for form, values in forms:
        if normalized(form) == key:
            first = min(form)
            k = slope[first] * pow(form[first], -1, R) % R
            return all((k * v + slope.get(0, 0)) % R for v in values)
    return False


def _one_unknown_row(a, b, c, undetermined, forms, nonzero):
    """{x: 1} when x, the constraint's one undetermined wire, occurs in it linearly with a
    slope (a_x B + b_x A - c_x, over determined wires) that is never 0; None otherwise."""
    (x,) = undetermined
    if x in a and x in b:
        return None
    slope = {}
    for factor, other in ((a, b), (b, a)):
        for w, co in other.items():
            if w != x and factor.get(x):
                slope[w] = (slope.get(w, 0) + factor[x] * co) % R
    slope[0] = (slope.get(0, 0) - c.get(x, 0)) % R
    slope = {w: k for w, k in slope.items() if k}
    return {x: 1} if normalized(slope) in nonzero or _slope_is_nonzero(slope, forms) else None


def _reduce(terms, pivots, determined):
    """`terms` less the multiples of the echelon rows `pivots` that remove their pivots,
    without the determined wires: what of the form the known rows do not determine."""
    out = dict(terms)
    for pivot in [w for w in terms if w in pivots]:
        k = out.get(pivot)
        if k:
            for w, co in pivots[pivot].items():
                v = (out.get(w, 0) - k * co) % R
                if v:
                    out[w] = v
                else:
                    out.pop(w, None)
    return {w: co for w, co in out.items() if w not in determined}


def linear_rows(constraints, determined, nonzero, forms=(), pivots=None):
    """The linear equations in the undetermined wires (coefficients only: the right-hand
    sides are determined values) that the constraints give under `determined`; a factor
    whose undetermined part lies in the span of the echelon rows `pivots` counts as
    determined (its value is a combination of determined values)."""
    rows = []
    for a, b, c in constraints:
        ua, ub, uc = (_undetermined(t, determined) for t in (a, b, c))
        undetermined = set(ua) | set(ub) | set(uc)
        if pivots:
            ua, ub = _reduce(ua, pivots, determined), _reduce(ub, pivots, determined)
        row = _one_unknown_row(a, b, c, undetermined, forms, nonzero) if len(undetermined) == 1 else None
        if row:
            pass
        elif not ua and not ub:
            row = uc
        elif not wires_of(a) or not wires_of(b):
            k, other = (a.get(0, 0), ub) if not wires_of(a) else (b.get(0, 0), ua)
            row = {w: (k * co) % R for w, co in other.items()}
            for w, co in uc.items():
                row[w] = (row.get(w, 0) - co) % R
        elif not uc and not ua and _is_nonzero(a, determined, nonzero):
            row = ub  # A B = C with A a known non-zero value: B = C / A
        elif not uc and not ub and _is_nonzero(b, determined, nonzero):
            row = ua
        else:
            continue
        row = {w: co for w, co in (row or {}).items() if co}
        if row:
            rows.append(row)
    return rows


def _subtract(row, k, source):
    """row -= k * source in place (sparse {wire: coefficient} rows mod r); nothing when k is 0 or None."""
    if k:
        for w, co in source.items():
            v = (row.get(w, 0) - k * co) % R
            if v:
                row[w] = v
            else:
                row.pop(w, None)


def echelon(rows):
    """The reduced echelon form of `rows` over F_r: {pivot wire: row}, each row with pivot
    coefficient 1 and no other pivot; a pivot whose row has no other column is fixed."""
    pivots = {}  # pivot wire -> row (pivot coefficient 1, no other pivot in it)
    for row in rows:
        row = dict(row)
        for pivot, prow in pivots.items():
            _subtract(row, row.get(pivot), prow)
        if not row:
            continue
        pivot = min(row)
        inv = pow(row[pivot], -1, R)
        row = {w: co * inv % R for w, co in row.items()}
        for other, prow in pivots.items():
            _subtract(prow, prow.get(pivot), row)
        pivots[pivot] = row
    return pivots


def _power_of_two_exponent(value):
    """e when value = 2^e or -2^e (mod r) with e < 253; None otherwise."""
    for v in (value, R - value):
        if v and v & (v - 1) == 0 and v < TWO_BITS_LIMIT:
            return v.bit_length() - 1
    return None


def _is_decomposition(row):
    """Whether the coefficients of `row` are +-k * 2^e_j with distinct e_j < 253 for one k."""
    for k in set(row.values()):
        inv = pow(k, -1, R)
        exponents = [_power_of_two_exponent(co * inv % R) for co in row.values()]
        if None not in exponents and len(set(exponents)) == len(exponents):
            return True
    return False


def decomposed_bits(rows, forms, determined):
    """The wires of rows that are bit decompositions (see the module docstring); a boolean
    form L whose undetermined wires are bits counts as the row L_und - v with v its bit."""
    bits = {}  # wire x -> k with k x - const in {0, 1}: a row's coefficient c is c / k per bit
    for form, _ in forms:
        if len(form) == 1:
            bits.update(form)
    found = set()
    for row in rows:
        if all(w in bits for w in row) and _is_decomposition(_per_bit(row, bits)):
            found.update(row)
    for form, _ in forms:
        undetermined = _undetermined(form, determined)
        if len(undetermined) > 1 and all(w in bits for w in undetermined):
            if _is_decomposition({**_per_bit(undetermined, bits), VIRTUAL_BIT: R - 1}):
                found.update(undetermined)
    return found


def _per_bit(row, bits):
    return {w: co * pow(bits[w], -1, R) % R for w, co in row.items()}


def is_zero_outputs(constraints, determined):
    """{o: its two values' form or None} for the wires o fixed by an is-zero shape: X * o = 0
    and X * y = c0 + c1 o, X determined; o is 0 or -c0 / c1, a two-valued form (as in
    boolean_forms) when c0 is a constant."""
    zero_products = {}  # normalized X -> wires o with X * o = 0
    for a, b, c in constraints:
        if wires_of(c) or c.get(0, 0) % R:
            continue
        for x, o in ((a, b), (b, a)):
            if len(o) == 1 and wires_of(o) and wires_of(x) and all(w in determined for w in x):
                zero_products.setdefault(normalized(x), set()).add(wires_of(o)[0])
    found = {}
    if not zero_products:
        return found
    for a, b, c in constraints:
        for x in (a, b):
            candidates = zero_products.get(normalized(x)) if wires_of(x) else None
            if not candidates:
                continue
            undetermined_c = wires_of(_undetermined(c, determined))
            if len(undetermined_c) == 1 and undetermined_c[0] in candidates:
                o = undetermined_c[0]
                other = -c.get(0, 0) * pow(c[o], -1, R) % R
                constant = len(wires_of(c)) == 1
                found[o] = ({o: pow(other, -1, R)}, (0, 1)) if constant and other else None
    return found


def determined_wires(constraints, known):
    """The set of wires the rules of the module docstring determine from `known` (the
    constant wire and the inputs)."""
    determined = set(known) | {0}
    forms = boolean_forms(constraints)
    nonzero = nonzero_forms(constraints)
    pivots = {}
    while True:
        rows = linear_rows(constraints, determined, nonzero, forms, pivots)
        # rows with one unknown first: cheap, and most circuits need nothing else
        new = {next(iter(row)) for row in rows if len(row) == 1} - determined
        if not new:
            reduced = echelon(rows)
            new = {pivot for pivot, row in reduced.items() if len(row) == 1}
            new |= decomposed_bits(rows, forms, determined)
            zero_tests = is_zero_outputs(constraints, determined)
            new |= set(zero_tests)
            forms += [form for o, form in zero_tests.items() if form is not None and o not in determined]
            new -= determined
            if not new and len(reduced) <= len(pivots):
                return determined
            pivots = reduced  # a larger span can make more factors determined: once more
        determined |= new
