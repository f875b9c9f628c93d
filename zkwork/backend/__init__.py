"""Arithmetic backends behind one interface, selectable by name.

Keys and proofs always hold zkwork's own points (G1Point, G2Point, and affine Montgomery
arrays for long lists of points); a backend decides only how the expensive group work
is done. A backend is a module with:

    msm_g1(points, scalars) -> G1Point      points: (n, 2, 4) affine Montgomery array
    msm_g2(points, scalars) -> G2Point      points: (n, 2, 2, 4)
    fixed_base_g1(base, scalars) -> array   [k * base for k in scalars], affine (n, 2, 4)
    fixed_base_g2(base, scalars) -> array   affine (n, 2, 2, 4)
    pairing(p, q) -> a GT value             p: G1Point, q: G2Point; ==, * between values
    pairing_product_is(pairs, target)       whether prod e(P_i, Q_i) == target
    pairing_check(pairs)                    whether prod e(P_i, Q_i) == 1

"fast" runs on zkwork's numba kernels, "reference" on py_ecc (converting at the edges),
so that the same protocol code can be run, and checked, both ways.
"""
import importlib

from zkwork.errors import BackendError

BACKENDS = {"fast": "zkwork.backend.fast", "reference": "zkwork.backend.reference"}


def get_backend(name):
    """The backend module of this name (a module passed in is returned as it is)."""
    if not isinstance(name, str):
        return name
    try:
        module = BACKENDS[name]
    except KeyError:
        raise BackendError(f"unknown backend {name!r}; choose one of {sorted(BACKENDS)}") from None
    return importlib.import_module(module)
