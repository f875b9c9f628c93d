"""query_sums: the five MSMs of a Groth16 prove, with the quotient that gives H's scalars, as
single-threaded work items on a few threads (zkwork.groth16.tasks), for any proving key whose
points come as the five queries (zkwork's ProvingKey, snarkjs's zkey):

    a_query, b1_query (G1), b2_query (G2): scalars z;   l_query (G1): z's private part;
    h_query (G1): the quotient's values, computed by the prover's own stages.

The quotient is a few stages of independent items (zkwork's QAP: three rows, then their
quotient; snarkjs's: two products, three coset transforms, then their numerator); stage k's
items start once stage k - 1's have all finished, and the last stage's single item returns
H's scalars. Its items go first (they gate the H MSM); each MSM runs by its fixed-base table in
bucket ranges (one per worker) if `tables` has one, else whole by the backend's MSM.

build_tables(points, budget_mb): the tables of a key's queries within a memory budget (the
costliest MSM, G2, first, then by size); a query left out is proved by the backend's MSM.
"""
from zkwork.curve.fixed_base import (GROUP_COST, FixedBaseTable, SplitMSM, finite_rows, precomputed_window,
                                     table_bytes)
from zkwork.curve.msm import plain_scalars
from zkwork.groth16.tasks import after, run_tasks

# The queries in the order their tables get the budget: the costliest MSM (G2) first, then by size.
QUERIES = (("b2_query", "G2"), ("h_query", "G1"), ("a_query", "G1"), ("l_query", "G1"), ("b1_query", "G1"))
QUERY_GROUPS = dict(QUERIES)
POINT_BYTES = {"G1": 64, "G2": 128}
# The backend's MSM per point in SplitMSM.part_cost's unit (a table entry; 2 w = 20 per point at
# c = 13): 1.4 times a table's (their floors differ by 1.3 - 1.5 times).
UNTABLED_COST = 28
DEFAULT_PRECOMPUTE_MB = 64  # membership d20's tables take 35 MB, locker l10's 20.5 MB (c = 13)
FIRST = 1e15  # above any MSM part's cost: the quotient's items run before every MSM's


def build_tables(points, budget_mb=DEFAULT_PRECOMPUTE_MB):
    """{query name: FixedBaseTable} for `points` ({query name: affine array} of the five
    queries), built in QUERIES' order while their tables fit what is left of `budget_mb` MB
    (each at the window the cost model picks within it); a query whose table does not fit is
    left out."""
    tables, left = {}, budget_mb * 2**20
    for name, group in QUERIES:
        bases = int(finite_rows(points[name]).sum())
        window = precomputed_window(bases, POINT_BYTES[group], left)
        if window is not None:
            tables[name] = FixedBaseTable(group, points[name], window)
            left -= table_bytes(bases, window, POINT_BYTES[group])
    return tables


def _stage_items(quotient, index, previous, on_scalars):
    """Stage `index`'s items of `quotient` (query_sums); the last of them to finish makes the next
    stage's, and the last stage hands H's scalars to `on_scalars`. A module function rather than a
    closure that calls itself: that closure's self-reference made every prove a reference cycle,
    holding its buckets and the quotient's arrays until the garbage collector ran (the allocator's
    heap then crept by ~5 MB per 1,000 proves: zkwork bench memory)."""
    functions = quotient[index]
    if index + 1 == len(quotient):
        return [(FIRST, lambda: on_scalars(functions[0](previous)))]
    results = [None] * len(functions)
    done = after(len(functions), lambda: _stage_items(quotient, index + 1, results, on_scalars))

    def item(k):
        def run():
            results[k] = functions[k](previous)
            return done()
        return run

    return [(FIRST, item(k)) for k in range(len(functions))]


def query_sums(be, points, z, public, quotient, workers, tables=None):
    """{query name: sum_i scalars[i] points[name][i]} for the five queries (module docstring):
    `points` {name: affine array}; `z` the witness (an Fr FieldVector), `public` how many of
    its first values are not private (1 + the public signals); `quotient` the stages of H's
    scalars, each a list of functions of the previous stage's results (in order; the first
    stage's get None), the last stage one function returning H's scalars; `workers` threads;
    `tables` {name: FixedBaseTable} (the fast backend's kernels)."""
    tables = tables or {}
    plain = plain_scalars(z) if workers > 1 else z  # once for four MSMs (and numba's threads start)
    scalars = {"a_query": plain, "b2_query": plain, "b1_query": plain, "l_query": plain[public:]}
    sums = {}

    def msm_items(name, vector):
        if name not in tables:
            msm = be.msm_g2 if QUERY_GROUPS[name] == "G2" else be.msm_g1
            cost = GROUP_COST[QUERY_GROUPS[name]] * len(vector) * UNTABLED_COST
            return [(cost, lambda: sums.__setitem__(name, msm(points[name], vector)))]
        split = tables[name].split(vector, workers)
        sums[name] = split
        return [(split.part_cost, lambda k=k: split.run(k)) for k in range(split.parts)]

    items = _stage_items(quotient, 0, None, lambda h_scalars: msm_items("h_query", h_scalars))
    items += [(FIRST / 2, lambda name=name, vector=vector: msm_items(name, vector)) for name, vector in scalars.items()]
    run_tasks(items, workers)
    return {name: total.result() if isinstance(total, SplitMSM) else total for name, total in sums.items()}
