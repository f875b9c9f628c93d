"""What a measurement ran on: CPU, cores, versions, git commit, numba's threading layer."""
import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from zkwork.resources import PACKAGE_DIR

PACKAGES = ["zkwork", "numpy", "numba", "llvmlite", "py_ecc", "galois", "pandas"]
CACHED_KERNEL = re.compile(r"njit\([^)]*cache=True")


def cpu_model():
    """The CPU's model name from /proc/cpuinfo, else what `platform` reports."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_commit():
    """The commit (HEAD) of zkwork's source tree; None outside a checkout or without git."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PACKAGE_DIR, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def package_versions():
    """The versions of Python and of PACKAGES, {name: version} (None for a package not installed)."""
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def threading_layer():
    """The layer numba's parallel kernels use; known only after one has run."""
    import numba
    import numpy as np

    @numba.njit(parallel=True)
    def _touch(a):
        for i in numba.prange(a.shape[0]):
            a[i] += 1

    _touch(np.zeros(4))
    return numba.threading_layer()


def jit_cache_state():
    """Cached numba kernels of zkwork: where, how many, and whether the cache is warm
    (every zkwork module that defines cached kernels has compiled entries)."""
    import numba

    cache_dir = numba.config.CACHE_DIR or None
    roots = [Path(cache_dir)] if cache_dir else [PACKAGE_DIR]
    index_files = [p for root in roots for p in root.rglob("*.nbi")]
    kernel_modules = {
        path.relative_to(PACKAGE_DIR).with_suffix("").as_posix().replace("/", ".")
        for path in PACKAGE_DIR.rglob("*.py")
        if CACHED_KERNEL.search(path.read_text())
    }
    cached_modules = {p.name.split(".")[0] for p in index_files}
    missing = sorted(m for m in kernel_modules if m.rsplit(".", 1)[-1] not in cached_modules)
    return {
        "location": str(roots[0]),
        "cached_kernels": len(index_files),
        "warm": bool(index_files) and not missing,
        "modules_not_cached": missing,
    }


def describe():
    """The machine of a measurement: CPU model and count, platform, versions, git commit, numba's threading layer."""
    return {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "versions": package_versions(),
        "git_commit": git_commit(),
        "numba_threading_layer": threading_layer(),
    }
