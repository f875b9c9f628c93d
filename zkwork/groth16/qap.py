"""From an R1CS to the quadratic arithmetic program Groth16 works with.

The constraints (rows) sit on a multiplicative domain H of size n, a power of two. As
snarkjs does, one extra "binding" row per public signal (and the constant one) is appended
to A, with A[m + i][i] = 1, B and C zero there: it makes the polynomials u_i of the public
wires linearly independent, which Groth16's soundness needs, and costs nothing in C.

For wire i, u_i, v_i, w_i are the polynomials taking the values of column i of A, B, C on
H. The key generator needs their values at tau, i.e. A^T L(tau) with L(tau) the Lagrange
basis at tau; the prover needs, for a witness z, the row values Az, Bz, Cz, from which

    h(x) = (A(x) B(x) - C(x)) / Z(x),   Z(x) = x^n - 1,

is computed on a coset gH where Z is the constant g^n - 1 and never zero: interpolate Az,
Bz, Cz (three inverse NTTs), evaluate on the coset (three coset NTTs), divide pointwise,
interpolate back from the coset. The matrices are kept in CSR form with Montgomery
coefficients so that both products are numba loops.
"""
from dataclasses import dataclass

import numpy as np

from zkwork.errors import UnsatisfiedConstraintError
from zkwork.field import FR, FieldVector, Fr
from zkwork.jit import njit
from zkwork.poly import Domain
from zkwork.poly.ntt import coset_from_evaluations, coset_intt

f_mul, f_add, f_sub, f_zero = FR.kernels.mul, FR.kernels.add, FR.kernels.sub, FR.kernels.zero
f_load, f_store = FR.kernels.load, FR.kernels.store
f_eq = FR.kernels.eq


@dataclass
class SparseMatrix:
    """CSR rows of one R1CS matrix: row j has columns indices[indptr[j]:indptr[j+1]]
    with Montgomery coefficients coeffs[...]."""

    indptr: np.ndarray
    indices: np.ndarray
    coeffs: np.ndarray

    @classmethod
    def from_rows(cls, rows, extra=()):
        """`rows` are {wire: coeff} dicts; `extra` more rows appended after them."""
        rows = list(rows) + list(extra)
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=indptr[1:])
        indices = np.fromiter((w for r in rows for w in r), dtype=np.int64, count=int(indptr[-1]))
        values = [c for r in rows for c in r.values()]
        coeffs = FieldVector.from_ints(FR, values).mont if values else np.empty((0, 4), dtype=np.uint64)
        return cls(indptr, indices, coeffs)


@njit(nogil=True, cache=True)  # without the GIL: the prover runs the three products on its own threads
def matvec(indptr, indices, coeffs, z, out):
    """out[j] = sum_k coeffs[k] z[indices[k]] over row j's entries."""
    for j in range(indptr.shape[0] - 1):
        acc = f_zero
        for k in range(indptr[j], indptr[j + 1]):
            acc = f_add(acc, f_mul(f_load(coeffs, k), f_load(z, indices[k])))
        f_store(out, j, acc)


@njit(cache=True)
def _transposed_matvec(indptr, indices, coeffs, basis, out):
    """out[i] = sum_j M[j][i] basis[j]: each wire's polynomial evaluated through the basis."""
    for j in range(indptr.shape[0] - 1):
        lj = f_load(basis, j)
        for k in range(indptr[j], indptr[j + 1]):
            i = indices[k]
            f_store(out, i, f_add(f_load(out, i), f_mul(f_load(coeffs, k), lj)))


@njit(nogil=True, cache=True)
def _numerator(a, b, c):
    """a[j] = a[j] b[j] - c[j]."""
    for j in range(a.shape[0]):
        f_store(a, j, f_sub(f_mul(f_load(a, j), f_load(b, j)), f_load(c, j)))


@njit(nogil=True, cache=True)
def _first_unsatisfied_row(a, b, c):
    """The first row j with a_j b_j != c_j, or -1."""
    for j in range(a.shape[0]):
        if not f_eq(f_mul(f_load(a, j), f_load(b, j)), f_load(c, j)):
            return j
    return -1


@dataclass
class QAP:
    """The quadratic arithmetic program of an R1CS: its domain and the sparse matrices A, B, C."""
    domain: Domain
    num_wires: int
    num_public: int  # public signals, not counting the constant one
    A: SparseMatrix
    B: SparseMatrix
    C: SparseMatrix

    @classmethod
    def from_r1cs(cls, r1cs):
        """The QAP of an R1CS, plus one row in A per public wire and the constant one."""
        rows = r1cs.num_constraints + r1cs.num_public + 1
        binding = [{i: 1} for i in range(r1cs.num_public + 1)]
        return cls(
            domain=Domain.for_length(rows),
            num_wires=r1cs.num_wires,
            num_public=r1cs.num_public,
            A=SparseMatrix.from_rows(r1cs.A, binding),
            B=SparseMatrix.from_rows(r1cs.B),
            C=SparseMatrix.from_rows(r1cs.C),
        )

    def wire_polynomials_at(self, tau):
        """(u_i(tau), v_i(tau), w_i(tau)) for all wires, as FieldVectors."""
        from zkwork.poly import lagrange_basis_at

        basis = lagrange_basis_at(self.domain, tau).mont
        result = []
        for matrix in (self.A, self.B, self.C):
            out = np.zeros((self.num_wires, 4), dtype=np.uint64)
            _transposed_matvec(matrix.indptr, matrix.indices, matrix.coeffs, basis, out)
            result.append(FieldVector(FR, out))
        return result

    def quotient(self, z):
        """The coefficients h_0 .. h_(n-2) of h = (AB - C)/Z for the witness z (a
        Montgomery (num_wires, 4) array), as an (n - 1, 4) Montgomery array."""
        rows = [self.row_values(matrix, z) for matrix in (self.A, self.B, self.C)]
        return self.quotient_of(*zip(*rows))

    def row_values(self, matrix, z):
        """(M z, the values of its polynomial on the coset) for M one of A, B, C: the independent
        third of quotient's work that the prover may run beside the others."""
        values = np.zeros((self.domain.size, 4), dtype=np.uint64)
        matvec(matrix.indptr, matrix.indices, matrix.coeffs, z, values)
        return values, coset_from_evaluations(values, domain=self.domain)

    def quotient_of(self, on_domain, on_coset):
        """quotient's result from row_values' for A, B, C (each a triple, in that order);
        UnsatisfiedConstraintError if some row j has (A z)_j (B z)_j != (C z)_j."""
        failing = _first_unsatisfied_row(*on_domain)
        if failing >= 0:
            raise UnsatisfiedConstraintError(f"the witness does not satisfy constraint {failing}")
        n = self.domain.size
        numerator = on_coset[0].copy()
        _numerator(numerator, on_coset[1], on_coset[2])
        z_on_coset = Fr(self.domain.coset_generator) ** n - 1
        h = coset_intt(numerator, domain=self.domain, factor=z_on_coset.inverse())
        return np.ascontiguousarray(h[: n - 1])
