"""The SMT query of the under-constraint decision, in cvc5's finite-field theory (QF_FF).

Two copies of the witness share the constant wire and every wire the caller marks shared
(the inputs and the wires propagation proved determined by them); every constraint holds
in both copies (once when all its wires are shared), and at least one of the given outputs
differs between them. sat gives two witnesses (the caller checks them); unsat proves the
outputs determined; anything else is "unknown" with the reason. With no outputs to
compare, the query asks for one witness only (some wires pinned to values, if asked).

Each query runs in a forked child process under a memory limit (RLIMIT_AS) and cvc5's own
time limit, and the parent kills the child when it overruns the time limit by more than a
grace period: a query cannot hang the audit nor take the machine's memory.

The integer query (integer_query) asks whether, under the integer equations and bounds
zkwork.audit.ranges derives, a form can reach a bound (r - b >= 0 for a remainder r):
bit-vectors wide enough that nothing overflows make it exact, and decidable by
bit-blasting; unsat proves the bound, anything else proves nothing.

cvc5's finite-field theory is in its GPL build, the `cvc5-gpl` package of zkwork's
`audit` extra; without it every query answers "unknown" and says so.
"""
import faulthandler
import importlib.util
import multiprocessing
import resource
from dataclasses import dataclass

from zkwork.audit.ranges import IntegerEquation
from zkwork.errors import MissingExtraError
from zkwork.field import R
from zkwork.resources import require_extra

GRACE_SECONDS = 2.0  # cvc5 checks its time limit only now and then
# cvc5's two finite-field solvers, tried in turn, each with its share of the time limit: one
# Groebner basis proves small nonlinear facts (a range-checked square root) fast; split Groebner
# bases (Ozdemir et al., CAV 2024) find witnesses through bit decompositions that stall the first
SOLVER_MODES = ("gb", "split")


@dataclass(frozen=True)
class SmtAnswer:
    """The solver's answer: status "sat", "unsat" or "unknown"; for sat the two witnesses
    (the second None for a one-copy query); for unknown the reason."""

    status: str
    witnesses: tuple = ()
    reason: str = None


def solver_available():
    """Whether cvc5 (zkwork's 'audit' extra) can be imported."""
    return importlib.util.find_spec("cvc5") is not None


def missing_solver():
    """Why there is no solver: resources.require_extra's message naming the 'audit' extra."""
    try:
        require_extra("audit")
    except MissingExtraError as error:
        return f"deciding what propagation leaves open needs the SMT solver: {error}"
    return "cvc5 cannot be imported: this needs zkwork's 'audit' extra (`pip install -e '.[audit]'`)"


def _build_and_check(constraints, num_wires, shared, outputs, pinned, time_limit, mode):
    import cvc5
    from cvc5 import Kind

    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("produce-models", "true")
    solver.setOption("tlimit-per", str(int(time_limit * 1000)))
    solver.setOption("ff-solver", mode)
    solver.setLogic("QF_FF")
    field = tm.mkFiniteFieldSort(str(R))
    elements = {}

    def element(value):
        value %= R
        if value not in elements:
            elements[value] = tm.mkFiniteFieldElem(str(value), field)
        return elements[value]

    copies = 2 if outputs else 1
    first = [element(1)] + [tm.mkConst(field, f"w{w}") for w in range(1, num_wires)]
    wires = [first]
    if copies == 2:
        wires.append([first[w] if w == 0 or w in shared else tm.mkConst(field, f"v{w}") for w in range(num_wires)])

    def linear(terms, copy):
        parts = [copy[w] if c == 1 else tm.mkTerm(Kind.FINITE_FIELD_MULT, element(c), copy[w]) for w, c in terms.items()]
        if not parts:
            return element(0)
        return parts[0] if len(parts) == 1 else tm.mkTerm(Kind.FINITE_FIELD_ADD, *parts)

    for a, b, c in constraints:
        all_shared = all(w == 0 or w in shared for t in (a, b, c) for w in t)
        for copy in wires[:1] if all_shared else wires:
            product = tm.mkTerm(Kind.FINITE_FIELD_MULT, linear(a, copy), linear(b, copy)) if a and b else element(0)
            solver.assertFormula(tm.mkTerm(Kind.EQUAL, product, linear(c, copy)))
    for wire, value in pinned.items():
        solver.assertFormula(tm.mkTerm(Kind.EQUAL, first[wire], element(value)))
    if copies == 2:
        differ = [tm.mkTerm(Kind.DISTINCT, wires[0][o], wires[1][o]) for o in outputs]
        solver.assertFormula(differ[0] if len(differ) == 1 else tm.mkTerm(Kind.OR, *differ))
    result = solver.checkSat()
    if result.isSat():
        models = [[1] + [int(solver.getValue(copy[w]).getFiniteFieldValue()) % R for w in range(1, num_wires)]
                  for copy in wires]
        return SmtAnswer("sat", tuple(models) + ((None,) if copies == 1 else ()))
    if result.isUnsat():
        return SmtAnswer("unsat")
    return SmtAnswer("unknown", reason=f"cvc5 ({mode}) answered unknown ({result.getUnknownExplanation()}) "
                                       f"within its {time_limit:g} s limit")


def _bit_width(equations, bounds):
    """A two's-complement width that holds every value of the integer query exactly."""
    largest = max([abs(v) for span in bounds.values() for v in span] + [1])
    for equation in equations:
        size = max(abs(equation.k_lo), abs(equation.k_hi)) * R
        for co, x, y in equation.monomials:
            size += abs(co) * max(map(abs, bounds.get(x, (1, 1)))) * max(map(abs, bounds.get(y, (1, 1))))
        largest = max(largest, size)
    return largest.bit_length() + 2


def _integer_build_and_check(equations, bounds, at_least, time_limit, mode):
    # integers within known bounds as bit-vectors wide enough never to overflow: exact, and
    # bit-blasting decides them where cvc5's nonlinear integer arithmetic times out
    import cvc5
    from cvc5 import Kind

    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("tlimit-per", str(int(time_limit * 1000)))
    solver.setOption("bv-solver", "bitblast-internal")  # 50 times faster than the default here
    solver.setLogic("QF_BV")
    width = max(_bit_width(equations + [IntegerEquation(tuple(at_least[0]), 0, 0)], bounds),
                abs(at_least[1]).bit_length() + 2)
    vectors = tm.mkBitVectorSort(width)
    variables = {}

    def number(value):
        return tm.mkBitVector(width, str(value % (1 << width)), 10)

    def bounded(name, lo, hi):
        variables[name] = tm.mkConst(vectors, name)
        solver.assertFormula(tm.mkTerm(Kind.BITVECTOR_SLE, number(lo), variables[name]))
        solver.assertFormula(tm.mkTerm(Kind.BITVECTOR_SLE, variables[name], number(hi)))
        return variables[name]

    def variable(name):
        if name is None:
            return number(1)
        return variables[name] if name in variables else bounded(name, *bounds[name])

    def monomial(co, x, y):
        # bit factors select (an if-then-else, no multiplier circuit); the others multiply
        factors = [f for f in (x, y) if f is not None]
        bits = [tm.mkTerm(Kind.EQUAL, variable(f), number(1)) for f in factors if bounds[f] == (0, 1)]
        value = number(co)
        others = [variable(f) for f in factors if bounds[f] != (0, 1)]
        if others:
            value = others[0] if len(others) == 1 else tm.mkTerm(Kind.BITVECTOR_MULT, *others)
            if co != 1:
                value = tm.mkTerm(Kind.BITVECTOR_MULT, number(co), value)
        if not bits:
            return value
        condition = bits[0] if len(bits) == 1 else tm.mkTerm(Kind.AND, *bits)
        return tm.mkTerm(Kind.ITE, condition, value, number(0))

    def total(monomials):
        parts = [monomial(*m) for m in monomials]
        return parts[0] if len(parts) == 1 else tm.mkTerm(Kind.BITVECTOR_ADD, *parts)

    for index, equation in enumerate(equations):
        if equation.k_lo > equation.k_hi:  # no multiple of r in reach: no witness at all
            solver.assertFormula(tm.mkFalse())
            continue
        k = number(equation.k_lo)
        if equation.k_hi > equation.k_lo:
            k = bounded(f"k{index}", equation.k_lo, equation.k_hi)
        solver.assertFormula(tm.mkTerm(Kind.EQUAL, total(equation.monomials), tm.mkTerm(Kind.BITVECTOR_MULT, k, number(R))))
    form, bound = at_least
    solver.assertFormula(tm.mkTerm(Kind.BITVECTOR_SLE, number(bound), total(form)))
    result = solver.checkSat()
    if result.isUnsat():
        return SmtAnswer("unsat")
    if result.isSat():
        return SmtAnswer("unknown", reason="the integer relaxation reaches the bound")
    return SmtAnswer("unknown", reason=f"cvc5 ({mode}) answered unknown ({result.getUnknownExplanation()}) "
                                       f"within its {time_limit:g} s limit")


def _child(connection, memory_bytes, build, query):
    # cvc5 aborts when it hits the memory limit: expected, and reported by the parent, so no
    # traceback dump from a fault handler inherited from the parent (pytest installs one)
    faulthandler.disable()
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        answer = build(*query)
    except MemoryError:
        answer = SmtAnswer("unknown", reason="cvc5 ran out of its memory limit")
    except RuntimeError as error:  # how cvc5 reports its own failures, resource limits included
        answer = SmtAnswer("unknown", reason=f"cvc5 failed: {error}")
    connection.send(answer)
    connection.close()


def query(constraints, num_wires, shared, outputs, time_limit=30.0, memory_mb=2048, pinned=None):
    """The SmtAnswer of the two-copy query (one copy when `outputs` is empty): constraints
    as (A, B, C) dicts of wire -> coefficient, `shared` the wires both copies share,
    `pinned` {wire: value} fixed in the first copy; each of SOLVER_MODES in turn, with
    its share of `time_limit`, until one answers sat or unsat."""
    if not solver_available():
        return SmtAnswer("unknown", reason=missing_solver())
    task = (list(constraints), num_wires, frozenset(shared), list(outputs), dict(pinned or {}),
            time_limit / len(SOLVER_MODES))
    reasons = []
    for mode in SOLVER_MODES:
        answer = _run_child(_build_and_check, task + (mode,), memory_mb)
        if answer.status != "unknown":
            return answer
        reasons.append(f"{mode}: {answer.reason}")
    return SmtAnswer("unknown", reason="; ".join(reasons))


def integer_query(equations, bounds, at_least, time_limit=10.0, memory_mb=2048):
    """The SmtAnswer of the integer relaxation (zkwork.audit.ranges): unsat when no solution
    of `equations` within `bounds` ({variable: (lo, hi)}) makes the form of `at_least`
    = (monomials, bound) reach the bound; anything else is "unknown"."""
    if not solver_available():
        return SmtAnswer("unknown", reason=missing_solver())
    task = (list(equations), dict(bounds), at_least, time_limit, "integers")
    return _run_child(_integer_build_and_check, task, memory_mb)


def _run_child(build, task, memory_mb):
    time_limit, mode = task[-2], task[-1]  # every build takes these two last
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, memory_mb << 20, build, task), daemon=True)
    child.start()
    sender.close()
    try:
        if receiver.poll(time_limit + GRACE_SECONDS):
            return receiver.recv()
        return SmtAnswer("unknown", reason=f"cvc5 ({mode}) exceeded its time limit of {time_limit:g} s")
    except EOFError:
        child.join(GRACE_SECONDS)
        return SmtAnswer("unknown", reason=f"cvc5 ({mode}) died (exit {child.exitcode}), most likely at its "
                                           f"memory limit of {memory_mb} MB")
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
