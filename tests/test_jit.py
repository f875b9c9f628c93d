"""Kernels hash the same in every process, so numba's disk cache is hit instead of
compiling everything again in each new process (tests, workers, the command line)."""
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
