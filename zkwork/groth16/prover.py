"""prove(pk, witness): a Groth16 proof (A, B, C) with fresh r, s from `secrets`.

    A = [alpha]_1 + sum_i z_i [u_i]_1 + r [delta]_1
    B = [beta]_2  + sum_i z_i [v_i]_2 + s [delta]_2     (and B in G1, for C)
    C = sum_{i private} z_i L_i + sum_k h_k H_k + s A + r B_1 - r s [delta]_1

Zero and one entries of the witness cost nothing or one addition inside the MSMs. With
`check`, the proof is verified with pk.vk before it is returned (key_checks.check_own_proof):
for keys read from files, whose b2_query points are checked on the curve but not in G2 (that
costs 60 - 90% of a prove; a verification 0.5 - 2%).

The quotient's parts and the MSMs (with tables, each cut into one bucket range per core) run as
single-threaded items on numba.get_num_threads() threads (zkwork.groth16.msm_set.query_sums,
shared with the snarkjs-zkey prover): no thread barrier inside a prove.

A server proving with one key many times passes `tables` (precompute(pk, budget_mb)): fixed-base
tables of the key's queries (zkwork.curve.fixed_base), which the MSMs then use instead of the
backend's; the proof is the same for the same r, s.
"""
import numba

from zkwork.backend import get_backend
from zkwork.errors import BackendError, CircuitInputError, InvalidKeyError
from zkwork.field import FR, FieldVector, Fr
from zkwork.groth16.key_checks import check_own_proof
from zkwork.groth16.keys import Proof
from zkwork.groth16.msm_set import DEFAULT_PRECOMPUTE_MB, QUERIES, build_tables, query_sums


def key_points(pk):
    """{query name: affine array} of pk's five queries (zkwork.groth16.msm_set's names)."""
    return {name: getattr(pk, name) for name, _ in QUERIES}


def precompute(pk, budget_mb=DEFAULT_PRECOMPUTE_MB):
    """{query name: FixedBaseTable} for pk's queries within `budget_mb` MB (msm_set.build_tables);
    a query whose table does not fit is proved by the backend's MSM."""
    return build_tables(key_points(pk), budget_mb)


def quotient_stages(qap, z):
    """H's scalars for query_sums: the three rows of the QAP's quotient (A z, B z, C z and their
    values on the coset), then the quotient of their results."""
    rows = [lambda _, matrix=matrix: qap.row_values(matrix, z.mont) for matrix in (qap.A, qap.B, qap.C)]
    return (rows, [lambda values: FieldVector(FR, qap.quotient_of(*zip(*values)))])


def prove(pk, witness, backend="fast", check=False, tables=None, randomness=None):
    """A proof of `witness` (ints or an Fr FieldVector of pk's wires, starting with 1); with
    `check`, verified with pk.vk before it is returned (InvalidKeyError if it fails). `tables`:
    precompute(pk)'s, fast backend only; `randomness`: (r, s) in Fr instead of fresh ones, for
    tests that compare two ways of proving."""
    be = get_backend(backend)
    tables = tables or {}
    fast = getattr(be, "NAME", None) == "fast"
    if tables and not fast:
        raise BackendError(f"fixed-base tables run on the fast backend's kernels, not on {be.__name__}")
    z = witness_vector(witness, pk.qap.num_wires)
    public = pk.qap.num_public + 1
    sums = query_sums(be, key_points(pk), z, public, quotient_stages(pk.qap, z),
                      numba.get_num_threads() if fast else 1, tables)
    r, s = randomness or (Fr.random(), Fr.random())
    vk = pk.vk
    a = vk.alpha_1 + sums["a_query"] + pk.delta_1 * r
    b2 = vk.beta_2 + sums["b2_query"] + pk.vk.delta_2 * s
    b1 = pk.beta_1 + sums["b1_query"] + pk.delta_1 * s
    c = sums["l_query"] + sums["h_query"] + a * s + b1 * r - pk.delta_1 * (r * s)
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
