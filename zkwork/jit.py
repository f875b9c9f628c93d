"""`njit` for zkwork's kernels: numba's, with a cache that survives the process.

Most kernels are built by factories (one field's kernels per modulus, one curve's per
field, ...), so they are closures over other kernels. numba keys its on-disk cache by a
hash of the pickled closure, and a pickled kernel carries the kernel's random per-process
UUID: every new process would miss the cache and compile everything again (tens of
seconds); LLVM intrinsics carry such a UUID too. Here each kernel and intrinsic gets, as soon as it is made, a UUID derived from what defines
it (module, name, bytecode, and its closure with kernels replaced by their own derived
UUIDs), so a kernel rebuilt in another process pickles, and hashes, the same.

The parallel kernels run on numba's OpenMP threading layer (libgomp here), whose idle
threads by default spin for a while at every barrier and region start. When another process
holds a core, a spinning thread burns the time slice its descheduled sibling needs, and a prove
(tens of parallel regions) collapses: measured on 2 cores beside 2 spinning competitors,
membership d4's prove median went 748-911 ms by default, 324-376 ms with OMP_WAIT_POLICY=passive
(threads sleep at once; zkwork bench groth16 --contention). So zkwork asks for passive unless
the environment says otherwise; libgomp reads it when numba first loads its OpenMP pool, on the
first parallel launch, which comes after this import (every zkwork kernel is defined here).
"""
import hashlib
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numba  # noqa: E402  (after the wait policy, which the OpenMP runtime reads once)
import numba.extending  # noqa: E402
from numba.core.registry import CPUDispatcher  # noqa: E402


def _describe(value):
    """A stable text for a closure value (kernels by their derived UUID)."""
    if isinstance(value, (CPUDispatcher, numba.extending._Intrinsic)):
        return f"kernel:{value._uuid}"
    if isinstance(value, (tuple, list)):
        return "(" + ",".join(_describe(v) for v in value) + ")"
    return f"{type(value).__name__}:{value!r}"


def _describe_code(code):
    """Bytecode and constants, nested code objects included (their repr holds an address)."""
    consts = ",".join(_describe_code(c) if hasattr(c, "co_code") else repr(c) for c in code.co_consts)
    return f"{code.co_name}:{hashlib.sha256(code.co_code).hexdigest()}:[{consts}]"


def _stable_uuid(func):
    parts = [func.__module__, func.__qualname__, _describe_code(func.__code__)]
    for name, cell in zip(func.__code__.co_freevars, func.__closure__ or ()):
        try:
            parts.append(f"{name}={_describe(cell.cell_contents)}")
        except ValueError:  # a cell not filled yet: only its name is known
            parts.append(f"{name}=?")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def njit(*args, **options):
    """numba.njit, used the same ways (@njit, @njit(...), njit(...)(f)); see above."""
    if args and callable(args[0]) and not options:
        return _stabilised(numba.njit(args[0]), args[0])

    def decorate(func):
        return _stabilised(numba.njit(**options)(func), func)

    return decorate


def intrinsic(func):
    """numba.extending.intrinsic, with a UUID derived as for kernels."""
    return _stabilised(numba.extending.intrinsic(func), func)


def _stabilised(dispatcher, func):
    # numba's private API: the dispatchers' `_set_uuid` / `_uuid` (and `_Intrinsic` above),
    # and how numba.core.caching keys its index (a hash of the pickled closure). A numba minor
    # release may change any of them, so pyproject.toml caps numba (and its llvmlite) at the
    # next minor; raise the cap only once tests/test_jit.py passes on the new release (its
    # second process must load a kernel from the disk cache, not compile it).
    dispatcher._set_uuid(_stable_uuid(func))
    return dispatcher
