"""prove_zkey(zkey, witness): a Groth16 proof from a snarkjs proving key (zkwork.formats.ZKey),
in the zkey's own QAP convention (snarkjs's groth16_prove.js), so that snarkjs accepts it
with the zkey's verification key.

A zkey holds the A and B matrices only (binding rows included, see zkey_file). For the
witness z, on the domain H = <omega> of size n:

    a = A z,  b = B z,  c = a * b (row-wise)

which for a satisfying witness is C z; C's part of the statement sits in the IC and C points.
The H points are set up for the evaluations of a(x) b(x) - c(x) (a, b, c interpolating the
rows on H) on the odd coset g H, g = omega_2n a primitive 2n-th root of unity (the points
half-way between those of H), with the division by Z(x) = x^n - 1 = -2 there folded into the
points. So, with g = omega_2n (snarkjs's Fr.w[log n + 1]; Fr.shift = 25 when n = 2^28 and no
2n-th root exists):

    a' = coset_ntt(intt(a), g), likewise b', c';   p_j = a'_j b'_j - c'_j  (j < n)
    A  = alpha_1 + sum_i z_i A_i + r delta_1
    B  = beta_2  + sum_i z_i B2_i + s delta_2          (B1 likewise in G1, with beta_1)
    C  = sum_{i private} z_i C_i + sum_j p_j H_j + s A + r B1 - r s delta_1

with r, s fresh from `secrets`. With no C matrix, a witness that breaks a constraint just
makes a failing proof, so prove_zkey verifies it with the zkey's verifying key (`check`, on
by default; UnsatisfiedConstraintError, after naming any B2 point outside G2, see
key_checks.check_own_proof); given the circuit's R1CS it first checks the witness against it.

The quotient's stages and the five MSMs run as work items on numba.get_num_threads() threads
(zkwork.groth16.msm_set.query_sums, as zkwork's own prove), each MSM by a fixed-base table if
`tables` (precompute_zkey) has one. A resident process (use_zkey_cache) keeps each zkey's tables
with the parsed key, built at its first prove there; a one-shot process proves without tables.
"""
import threading
import weakref

import numba
import numpy as np

from zkwork.backend import get_backend
from zkwork.errors import BackendError, UnsatisfiedConstraintError
from zkwork.field import FR, FieldVector, Fr
from zkwork.formats import read_wtns_limbs, read_zkey
from zkwork.groth16.key_checks import check_own_proof, check_proving_key
from zkwork.groth16.keys import Proof
from zkwork.groth16.msm_set import DEFAULT_PRECOMPUTE_MB, build_tables, query_sums
from zkwork.groth16.prover import witness_vector
from zkwork.groth16.qap import matvec
from zkwork.groth16.snarkjs_json import proof_to_json, public_to_json, write_json
from zkwork.poly import TWO_ADICITY, Domain
from zkwork.poly.ntt import coset_from_evaluations

SHIFT_AT_MAX_DOMAIN = 25  # snarkjs's Fr.shift: the square of Fr's first non-residue, 5
# Where .zkey files are read through: None (every read parses the file), or a resident
# process's cache (zkwork.daemon.caches.FileCache), installed by use_zkey_cache.
_zkey_cache = None
# The ResidentZKey of each zkey in the installed cache, by id(zkey): dropped with the cache's entry.
_residents = weakref.WeakValueDictionary()


def odd_coset_shift(domain_size):
    """The g of the coset g H on which snarkjs's H points expect the quotient's numerator."""
    if domain_size == 1 << TWO_ADICITY:
        return Fr(SHIFT_AT_MAX_DOMAIN)
    return Domain(2 * domain_size).omega


def quotient_stages(zkey, z):
    """p's stages for msm_set.query_sums (see the module docstring), for the witness z as an
    (nVars, 4) Montgomery array: a = A z and b = B z; then a', b' and c' (c = a * b) on the odd
    coset; then p = a' b' - c'."""
    n = zkey.domain_size
    domain, g = Domain.for_length(n), odd_coset_shift(n)

    def product(name):
        def run(_):
            matrix, values = zkey.matrix(name), np.zeros((n, 4), dtype=np.uint64)
            matvec(matrix.indptr, matrix.indices, matrix.coeffs, z, values)
            return values
        return run

    def on_coset(k):
        def run(ab):
            values = ab[k] if k < 2 else FR.vec.mul(ab[0], ab[1], np.empty_like(ab[0]))
            return coset_from_evaluations(values, g=g, domain=domain)
        return run

    def numerator(abc):
        a, b, c = abc
        return FieldVector(FR, FR.vec.sub(FR.vec.mul(a, b, a), c, a))

    return [product("A"), product("B")], [on_coset(k) for k in range(3)], [numerator]


def zkey_points(zkey):
    """{query name: affine array} of the zkey's five queries by msm_set's names (its C points,
    those of the private wires, are l_query)."""
    return {"a_query": zkey.a_query, "b1_query": zkey.b1_query, "b2_query": zkey.b2_query,
            "l_query": zkey.c_query, "h_query": zkey.h_query}


def precompute_zkey(zkey, budget_mb=DEFAULT_PRECOMPUTE_MB):
    """{query name: FixedBaseTable} of the zkey's queries within `budget_mb` MB, for
    prove_zkey's `tables` (msm_set.build_tables: the rule of zkwork's own precompute)."""
    return build_tables(zkey_points(zkey), budget_mb)


def prove_zkey(zkey, witness, r1cs=None, check=True, backend="fast", tables=None, randomness=None):
    """A Groth16 proof of `witness` (ints or an Fr FieldVector, nVars values starting with 1)
    with a snarkjs proving key. With `r1cs` the witness is checked against it first; with
    `check` the proof is verified with zkey.vk before it is returned. `tables`:
    precompute_zkey(zkey)'s, fast backend only; `randomness`: (r, s) in Fr instead of fresh
    ones, for tests that compare two ways of proving."""
    be = get_backend(backend)
    fast = getattr(be, "NAME", None) == "fast"
    if tables and not fast:
        raise BackendError(f"fixed-base tables run on the fast backend's kernels, not on {be.__name__}")
    z = witness_vector(witness, zkey.num_vars)
    if r1cs is not None:
        r1cs.assert_satisfied(z.to_ints())
    sums = query_sums(be, zkey_points(zkey), z, zkey.num_public + 1, quotient_stages(zkey, z.mont),
                      numba.get_num_threads() if fast else 1, tables)
    r, s = randomness or (Fr.random(), Fr.random())
    vk = zkey.vk
    a = vk.alpha_1 + sums["a_query"] + zkey.delta_1 * r
    b2 = vk.beta_2 + sums["b2_query"] + vk.delta_2 * s
    b1 = zkey.beta_1 + sums["b1_query"] + zkey.delta_1 * s
    c = sums["l_query"] + sums["h_query"] + a * s + b1 * r - zkey.delta_1 * (r * s)
    proof = Proof(a, b2, c)
    if check:
        failure = UnsatisfiedConstraintError(
            "the witness does not satisfy the zkey's circuit: the proof fails its verifying key "
            "(pass the circuit's R1CS to find the failing constraint)"
        )
        check_own_proof(zkey, public_signals(zkey, z), proof, "the zkey", "section 7 (points B2)", failure, backend=be)
    return proof


def public_signals(zkey, witness):
    """The public signals of a witness: values 1 .. nPublic (outputs, then public inputs)."""
    return witness[1 : zkey.num_public + 1].to_ints()


class ResidentZKey:
    """A parsed zkey as a resident process's cache keeps it: the zkey and its fixed-base tables
    (precompute_zkey, DEFAULT_PRECOMPUTE_MB), built at the first prove that asks for them."""

    def __init__(self, zkey):
        """Holds `zkey`; no tables yet."""
        self.zkey, self._tables, self._lock = zkey, None, threading.Lock()

    @property
    def extra_bytes(self):
        """The bytes of its tables once built (zkwork.daemon.caches.FileCache counts them)."""
        return sum(table.nbytes for table in self._tables.values()) if self._tables else 0

    def tables(self):
        """The zkey's tables, built once (by the first caller; others wait for them)."""
        with self._lock:
            if self._tables is None:
                self._tables = precompute_zkey(self.zkey)
            return self._tables


def _read_resident(zkey_path):
    resident = ResidentZKey(read_zkey(zkey_path))
    _residents[id(resident.zkey)] = resident
    return resident


def use_zkey_cache(cache):
    """Read every .zkey of read_zkey_for_proving through `cache` (get(path, read) -> the parsed
    key as a ResidentZKey; None: parse every time), as a resident prover does; returns the
    previous cache."""
    global _zkey_cache
    previous, _zkey_cache = _zkey_cache, cache
    return previous


def read_zkey_for_proving(zkey_path, refuse_unsafe=False):
    """The .zkey at `zkey_path` (from the installed cache, see use_zkey_cache); with
    `refuse_unsafe` (the command line's choice), a zkey anyone can forge proofs for
    (snarkjs's zkey_0000, without a phase-2 contribution: key_checks.check_proving_key)
    raises InvalidKeyError -- checked on every read, cached or not."""
    zkey = read_zkey(zkey_path) if _zkey_cache is None else _zkey_cache.get(zkey_path, _read_resident).zkey
    if refuse_unsafe:
        check_proving_key(zkey, zkey_path)
    return zkey


def resident_tables(zkey):
    """The tables of a zkey that read_zkey_for_proving took from the installed cache (built
    now if not yet), else None: a one-shot process does not pay for tables it uses once."""
    resident = _residents.get(id(zkey))
    return resident.tables() if resident is not None and resident.zkey is zkey else None


def prove_and_write(zkey, limbs, proof_path, public_path, backend="fast"):
    """Proves the witness given as plain (n, 4) limbs (with the zkey's resident tables, if it
    has some, on the fast backend) and writes proof.json and public.json in snarkjs's shape;
    returns (proof, public signals)."""
    witness = FieldVector(FR, FR.vec.to_mont(limbs, np.empty_like(limbs)))
    fast = getattr(get_backend(backend), "NAME", None) == "fast"
    tables = resident_tables(zkey) if fast else None
    proof = prove_zkey(zkey, witness, backend=backend, tables=tables)
    public = public_signals(zkey, witness)
    write_json(proof_path, proof_to_json(proof))
    write_json(public_path, public_to_json(public))
    return proof, public


def prove_zkey_files(zkey_path, wtns_path, proof_path, public_path, backend="fast", refuse_unsafe=False):
    """snarkjs's `groth16 prove` with zkwork: read a .zkey and a .wtns, write proof.json and
    public.json in snarkjs's shape. Returns (proof, public signals); `refuse_unsafe` as in
    read_zkey_for_proving."""
    zkey = read_zkey_for_proving(zkey_path, refuse_unsafe)
    return prove_and_write(zkey, read_wtns_limbs(wtns_path), proof_path, public_path, backend)
