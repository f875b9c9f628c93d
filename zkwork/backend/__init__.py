"""Arithmetic backends behind one interface, selectable by name.

A backend is a module with:
  G1, G2                 point classes: generator(), infinity(), from_py_ecc(pt),
                         to_py_ecc(), is_infinity(), + - * (int scalar) ==
  msm(points, scalars)   sum(k_i * P_i) over points of one group
  pairing_check(pairs)   whether prod e(P_i, Q_i) == 1 for (G1, G2) pairs

"fast" runs on zkwork's numba kernels, "reference" on py_ecc, so that the same
protocol code can be run and checked both ways.
"""
import importlib

from zkwork.errors import BackendError

BACKENDS = {"fast": "zkwork.backend.fast", "reference": "zkwork.backend.reference"}


def get_backend(name):
    try:
        module = BACKENDS[name]
    except KeyError:
        raise BackendError(f"unknown backend {name!r}; choose one of {sorted(BACKENDS)}") from None
    return importlib.import_module(module)
