"""Kernels hash the same in every process, so numba's disk cache is hit instead of
compiling everything again in each new process (tests, workers, the command line)."""
import json
import os
import subprocess
import sys

PROBE = """
import hashlib
from numba.core.serialize import dumps
from zkwork.curve.msm import G2_MSM
from zkwork.curve.kernels import G1
from zkwork.field import FQ
from zkwork.pairing import final_exp
for kernel in (FQ.kernels.mul, FQ.kernels.pow_limbs, G1.scalar_mul, final_exp.final_exponentiation):
    cells = tuple(c.cell_contents for c in (kernel.py_func.__closure__ or ()))
    print(kernel._uuid, hashlib.sha256(dumps(cells)).hexdigest())
"""


def _probe():
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout


def test_kernel_identity_is_the_same_in_every_process():
    first, second = _probe(), _probe()
    assert first == second and len(first.splitlines()) == 4


# A factory-made kernel (a closure over other kernels and LLVM intrinsics): the case the
# derived UUIDs are for. Small, so a cold cache compiles it in well under a second.
CACHE_PROBE = """
import json
import numpy as np
from zkwork.field import FQ
one = tuple(np.uint64(limb) for limb in (1, 0, 0, 0))
assert [int(limb) for limb in FQ.kernels.add(one, one)] == [2, 0, 0, 0]
stats = FQ.kernels.add.stats
print(json.dumps({"hits": sum(stats.cache_hits.values()), "misses": sum(stats.cache_misses.values())}))
"""


def test_a_second_process_loads_kernels_from_the_disk_cache(tmp_path):
    # An empty cache of the test's own, so that the first process must compile.
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    runs = [json.loads(subprocess.run([sys.executable, "-c", CACHE_PROBE], capture_output=True, text=True,
                                      check=True, env=env, timeout=300).stdout) for _ in range(2)]
    assert runs == [{"hits": 0, "misses": 1}, {"hits": 1, "misses": 0}]
    assert list(tmp_path.rglob("*add*.nbi")), "numba wrote no index into NUMBA_CACHE_DIR"
