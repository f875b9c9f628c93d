"""prove(pk, witness): a Groth16 proof (A, B, C) with fresh r, s from `secrets`.

    A = [alpha]_1 + sum_i z_i [u_i]_1 + r [delta]_1
    B = [beta]_2  + sum_i z_i [v_i]_2 + s [delta]_2     (and B in G1, for C)
    C = sum_{i private} z_i L_i + sum_k h_k H_k + s A + r B_1 - r s [delta]_1

Zero and one entries of the witness cost nothing or one addition inside the MSMs. With
`check`, the proof is verified with pk.vk before it is returned (key_checks.check_own_proof):
for keys read from files, whose b2_query points are checked on the curve but not in G2 (that
costs 60 - 90% of a prove; a verification 0.5 - 2%).

A server proving with one key many times passes `tables` (precompute(pk, budget_mb)): fixed-base
tables of the key's queries (zkwork.curve.fixed_base), which the MSMs then use instead of the
backend's; the proof is the same for the same r, s.
"""
from zkwork.backend import get_backend
from zkwork.curve.fixed_base import FixedBaseTable, finite_rows, precomputed_window, table_bytes
from zkwork.errors import BackendError, CircuitInputError, InvalidKeyError
from zkwork.field import FR, FieldVector, Fr
from zkwork.groth16.key_checks import check_own_proof
from zkwork.groth16.keys import Proof


# The queries in the order their tables get the budget: the costliest MSM (G2) first, then by size.
QUERIES = (("b2_query", "G2"), ("h_query", "G1"), ("a_query", "G1"), ("l_query", "G1"), ("b1_query", "G1"))
POINT_BYTES = {"G1": 64, "G2": 128}
DEFAULT_PRECOMPUTE_MB = 64  # membership d20's tables take 35 MB, locker l10's 20.5 MB (c = 13)


def precompute(pk, budget_mb=DEFAULT_PRECOMPUTE_MB):
    """{query name: FixedBaseTable} for pk's queries, built in QUERIES' order while their tables fit
    what is left of `budget_mb` MB (each at the window the cost model picks within it); a query
    whose table does not fit is left out and proved by the backend's MSM."""
    tables, left = {}, budget_mb * 2**20
    for name, group in QUERIES:
        points = getattr(pk, name)
        bases = int(finite_rows(points).sum())
        window = precomputed_window(bases, POINT_BYTES[group], left)
        if window is not None:
            tables[name] = FixedBaseTable(group, points, window)
            left -= table_bytes(bases, window, POINT_BYTES[group])
    return tables


def _query_msm(be, tables, pk, name, scalars):
    """sum_i scalars[i] query[i] for pk's query `name`: by its table if `tables` has one."""
    if name in tables:
        return tables[name].msm(scalars)
    msm = be.msm_g2 if name == "b2_query" else be.msm_g1
    return msm(getattr(pk, name), scalars)


def prove(pk, witness, backend="fast", check=False, tables=None, randomness=None):
    """A proof of `witness` (ints or an Fr FieldVector of pk's wires, starting with 1); with
    `check`, verified with pk.vk before it is returned (InvalidKeyError if it fails). `tables`:
    precompute(pk)'s, fast backend only; `randomness`: (r, s) in Fr instead of fresh ones, for
    tests that compare two ways of proving."""
    be = get_backend(backend)
    tables = tables or {}
    if tables and getattr(be, "NAME", None) != "fast":
        raise BackendError(f"fixed-base tables run on the fast backend's kernels, not on {be.__name__}")
    qap = pk.qap
    z = witness_vector(witness, qap.num_wires)
    h = qap.quotient(z.mont)
    r, s = randomness or (Fr.random(), Fr.random())
    vk = pk.vk
    a = vk.alpha_1 + _query_msm(be, tables, pk, "a_query", z) + pk.delta_1 * r
    b2 = vk.beta_2 + _query_msm(be, tables, pk, "b2_query", z) + pk.vk.delta_2 * s
    b1 = pk.beta_1 + _query_msm(be, tables, pk, "b1_query", z) + pk.delta_1 * s
    public = qap.num_public + 1
    c = (
        _query_msm(be, tables, pk, "l_query", z[public:])
        + _query_msm(be, tables, pk, "h_query", FieldVector(FR, h))
        + a * s + b1 * r - pk.delta_1 * (r * s)
    )
    proof = Proof(a, b2, c)
    if check:
        # quotient() has checked the witness against the key's own QAP: a failure is the key's.
        failure = InvalidKeyError("the proving key's points do not belong together: the proof of a satisfying "
                                  "witness fails the key's own verifying key (a corrupted or mismatched key)")
        check_own_proof(pk, z[1:public].to_ints(), proof, "the proving key", "b2_query", failure, backend=be)
    return proof


def witness_vector(witness, num_wires):
    """The witness as an Fr FieldVector of num_wires values, the first 1; else CircuitInputError."""
    if isinstance(witness, FieldVector):
        vector = witness
    else:
        witness = list(witness)
        for i, value in enumerate(witness):
            if not isinstance(value, int) or not 0 <= value < FR.modulus:
                raise CircuitInputError(f"witness value {i} = {value!r} is not a field element (0 <= x < r)")
        vector = FieldVector.from_ints(FR, witness)
    if len(vector) != num_wires:
        raise CircuitInputError(f"the proving key expects {num_wires} witness values, got {len(vector)}")
    if vector[0] != 1:
        raise CircuitInputError("witness value 0 is the constant one and must be 1")
    return vector
