"""The numba kernel that runs a WitnessProgram: straight-line operations over registers of
Fr elements in Montgomery form (the circuit's wires, then temporaries holding linear
combinations). One row of `ops` is (opcode, out, a, b, c):

    INPUT    w[out] = inputs[a]
    LC       w[out] = sum_t coeff_t * w[wire_t] over the terms of linear combination a
    MUL      w[out] = w[a] * w[b]
    MUL_ADD  w[out] = w[a] * w[b] + w[c]
    INVERSE  w[out] = 1 / w[a], or 0 when w[a] = 0 (is_zero's hint)
    BITS     w[out + i] = bit i of w[a] (as an integer), for i < b (num2bits' hint)
    CHECK    stop unless w[a] * w[b] == w[c]; out is the constraint's index

A term's kind spares the multiplication for the coefficients 1 and -1, which most terms
have (sums of bits, differences of signals). The kernel never raises: a failed CHECK
returns its row, and the caller names the constraint.
"""
import numpy as np

from zkwork.field import FR
from zkwork.jit import njit

INPUT, LC, MUL, MUL_ADD, INVERSE, BITS, CHECK = range(7)
TERM_TIMES, TERM_PLUS, TERM_MINUS = range(3)

_f = FR.kernels
_load, _store, _mul, _add, _sub = _f.load, _f.store, _f.mul, _f.add, _f.sub
_inv, _is_zero, _eq, _from_mont = _f.inv, _f.is_zero, _f.eq, _f.from_mont
_ZERO, _ONE = _f.zero, _f.one
_BIT = np.uint64(1)


@njit(cache=True)
def _combination(w, first, last, term_wire, term_kind, term_coeff):
    acc = _ZERO
    for t in range(first, last):
        x = _load(w, term_wire[t])
        kind = term_kind[t]
        if kind == TERM_PLUS:
            acc = _add(acc, x)
        elif kind == TERM_MINUS:
            acc = _sub(acc, x)
        else:
            acc = _add(acc, _mul(x, _load(term_coeff, t)))
    return acc


@njit(cache=True, nogil=True)
def run(ops, lc_start, term_wire, term_kind, term_coeff, inputs, w):
    """Runs `ops` over the registers `w` (row 0 holding one); -1 when every CHECK holds,
    else the index of the row of the first one that fails."""
    for k in range(ops.shape[0]):
        op, out, a, b, c = ops[k, 0], ops[k, 1], ops[k, 2], ops[k, 3], ops[k, 4]
        if op == INPUT:
            _store(w, out, _load(inputs, a))
        elif op == LC:
            _store(w, out, _combination(w, lc_start[a], lc_start[a + 1], term_wire, term_kind, term_coeff))
        elif op == MUL:
            _store(w, out, _mul(_load(w, a), _load(w, b)))
        elif op == MUL_ADD:
            _store(w, out, _add(_mul(_load(w, a), _load(w, b)), _load(w, c)))
        elif op == INVERSE:
            x = _load(w, a)
            _store(w, out, _ZERO if _is_zero(x) else _inv(x))
        elif op == BITS:
            x = _from_mont(_load(w, a))
            for i in range(b):
                bit = (x[i // 64] >> np.uint64(i % 64)) & _BIT
                _store(w, out + i, _ONE if bit else _ZERO)
        elif op == CHECK:
            if not _eq(_mul(_load(w, a), _load(w, b)), _load(w, c)):
                return k
    return -1
