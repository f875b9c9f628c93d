"""arkworks as zkwork's benchmark peer: `groth16py` (arkworks' Groth16 in a prebuilt wheel,
single-threaded) proving a snarkjs .zkey from circom's .wtns, beside zkwork proving the same
zkey and witness on one thread, for a comparison per core (CPU-seconds per prove): zkwork
without fixed-base tables (zkwork_1t, as a one-shot `zkwork groth16 prove`) and with them
(zkwork_1t_tables, as the resident daemon proves; the tables are built once, not timed).

    figures = per_core_figures(zkey_path, wtns_path, runs=10)
    figures["arkworks_prove_cpu_median_ms"], figures["zkwork_1t_prove_cpu_median_ms"]
    figures["zkwork_1t_tables_prove_cpu_median_ms"], figures["cpu_ratio_1t_tables"]

groth16py reads the zkey (`import_zkey`, arkworks' CircomReduction, the QAP snarkjs uses)
and proves from a .wtns file (`prove_wtns`; the timed call includes reading that small file).
It returns the Ethereum `bytes` layout of a proof: eight 32-byte big-endian words, A's x, y,
B's x.c1, x.c0, y.c1, y.c0 (the Fp2 word swap of the EVM precompiles), C's x, y. Every proof is
converted to snarkjs's proof.json and checked by zkwork's verifier against the zkey's
verifying key and the witness's public signals: a peer proof that does not verify fails the run.
groth16py is GPL-3.0 and optional (the dev extra): without it ArkworksPeerError says so.
"""
import importlib.util
import sys
import time
from contextlib import contextmanager

import numba
import numpy as np

from zkwork.bench.contention import competitors, contention_figures
from zkwork.bench.timing import measure
from zkwork.errors import InvariantError, ZkworkError
from zkwork.field import FR, FieldVector
from zkwork.formats.wtns_file import read_wtns_limbs
from zkwork.formats.zkey_file import read_zkey
from zkwork.groth16 import prepare_verifying_key, verify
from zkwork.groth16.snarkjs_json import proof_from_json
from zkwork.interop.zkey_prover import precompute_zkey, prove_zkey, public_signals

PACKAGE = "groth16py"
PROOF_BYTES = 256  # 8 words of 32 bytes


class ArkworksPeerError(ZkworkError, RuntimeError):
    """groth16py is not installed, or it failed on the zkey or the witness."""


def available():
    """Whether groth16py can be imported (without importing it)."""
    return importlib.util.find_spec(PACKAGE) is not None


def _groth16py():
    if not available():
        raise ArkworksPeerError("groth16py is not installed: the arkworks peer needs it "
                                "(`pip install groth16py`, in zkwork's dev extra)")
    import groth16py

    return groth16py


def proof_json_from_bytes(blob):
    """snarkjs's proof.json object for groth16py's 256-byte Ethereum proof layout."""
    if len(blob) != PROOF_BYTES:
        raise ArkworksPeerError(f"groth16py returned a proof of {len(blob)} bytes, expected {PROOF_BYTES}")
    a_x, a_y, b_x1, b_x0, b_y1, b_y0, c_x, c_y = (
        str(int.from_bytes(blob[i:i + 32], "big")) for i in range(0, PROOF_BYTES, 32))
    return {"pi_a": [a_x, a_y, "1"], "pi_b": [[b_x0, b_x1], [b_y0, b_y1], ["1", "0"]],
            "pi_c": [c_x, c_y, "1"], "protocol": "groth16", "curve": "bn128"}


def circom_witness(wtns_path):
    """The witness of a .wtns file as a Montgomery Fr FieldVector."""
    limbs = read_wtns_limbs(wtns_path)
    return FieldVector(FR, FR.vec.to_mont(limbs, np.empty_like(limbs)))


def check_proofs(zkey, public, proof_objects, who):
    """Every snarkjs proof.json object verifies under the zkey's key; else InvariantError."""
    pvk = prepare_verifying_key(zkey.vk)
    for index, obj in enumerate(proof_objects):
        if not verify(pvk, public, proof_from_json(obj)):
            raise InvariantError(f"{who}'s proof {index} of the zkey does not verify")


@contextmanager
def single_thread():
    """numba's kernels run on one thread inside the block (the per-core comparison)."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(threads)


def measure_arkworks(zkey_path, wtns_path, runs=10):
    """groth16py proving the zkey from the .wtns `runs` times after a cold call and a warm-up:
    {"timing": zkwork.bench.timing.Timing, "proofs": proof.json objects of the timed runs,
    "import_s": seconds of import_zkey, "version"}."""
    groth16py = _groth16py()
    blobs = []
    try:
        start = time.perf_counter()
        pk, _ = groth16py.import_zkey(str(zkey_path))
        import_s = time.perf_counter() - start
        timing = measure(lambda: blobs.append(groth16py.prove_wtns(pk, str(wtns_path))), runs=runs)
    except (groth16py.EncodingError, groth16py.SetupError, groth16py.WitnessError, OSError) as error:
        raise ArkworksPeerError(f"groth16py failed on {zkey_path}: {type(error).__name__}: {error}") from error
    proofs = [proof_json_from_bytes(blob) for blob in blobs[-len(timing.runs_s):]]
    return {"timing": timing, "proofs": proofs, "import_s": import_s, "version": groth16py.__version__}


def _ms(values):
    return [v * 1e3 for v in values]


def _summary(prefix, timing):
    """A prover's figures in ms: every run (wall and CPU), medians and the wall P95."""
    return {f"{prefix}_prove_ms": _ms(timing.runs_s), f"{prefix}_prove_cpu_ms": _ms(timing.cpu_runs_s),
            f"{prefix}_prove_median_ms": float(np.median(timing.runs_s)) * 1e3,
            f"{prefix}_prove_p95_ms": float(np.percentile(timing.runs_s, 95)) * 1e3,
            f"{prefix}_prove_cpu_median_ms": float(np.median(timing.cpu_runs_s)) * 1e3}


def zkwork_1t_figures(zkey, witness, public, runs=10):
    """zkwork on one thread proving the zkey `runs` times without tables and with them (built
    on one thread first, timed apart), every proof verified: zkwork_1t_* and zkwork_1t_tables_*
    figures (as _summary's), zkwork_1t_tables_build_s and zkwork_1t_tables_mb."""
    pvk = prepare_verifying_key(zkey.vk)
    figures = {}
    with single_thread():
        start = time.perf_counter()
        tables = precompute_zkey(zkey)
        figures["zkwork_1t_tables_build_s"] = time.perf_counter() - start
        figures["zkwork_1t_tables_mb"] = sum(table.nbytes for table in tables.values()) / 2**20
        for prefix, with_tables in (("zkwork_1t", None), ("zkwork_1t_tables", tables)):
            proofs = []
            timing = measure(lambda: proofs.append(prove_zkey(zkey, witness, check=False, tables=with_tables)),
                             runs=runs)
            if not all(verify(pvk, public, proof) for proof in proofs[-runs:]):
                raise InvariantError(f"a single-threaded zkwork proof of the zkey does not verify ({prefix})")
            figures.update(_summary(prefix, timing))
    return figures


def per_core_figures(zkey_path, wtns_path, runs=10, zkey=None, contention=0):
    """arkworks (groth16py, one thread) and zkwork on one thread, without and with tables
    (zkwork_1t_figures), proving the same zkey and witness, `runs` times each, every proof
    verified: arkworks_*, zkwork_1t_* and zkwork_1t_tables_* figures (prove_ms, prove_cpu_ms,
    medians, P95), `cpu_ratio_1t` and `cpu_ratio_1t_tables` = zkwork's CPU median over
    arkworks', below 1 when zkwork spends fewer CPU-seconds per prove, and groth16py's version.
    With `contention` N, arkworks again beside N competitors: `arkworks_contention`."""
    _groth16py()  # missing: say so before reading anything
    zkey = zkey if zkey is not None else read_zkey(zkey_path)
    witness = circom_witness(wtns_path)
    public = public_signals(zkey, witness)
    arkworks = measure_arkworks(zkey_path, wtns_path, runs)
    check_proofs(zkey, public, arkworks["proofs"], "arkworks (groth16py)")
    figures = {**_summary("arkworks", arkworks["timing"]), **zkwork_1t_figures(zkey, witness, public, runs),
               "arkworks_version": arkworks["version"], "arkworks_import_zkey_s": arkworks["import_s"]}
    for suffix in ("", "_tables"):
        figures[f"cpu_ratio_1t{suffix}"] = (figures[f"zkwork_1t{suffix}_prove_cpu_median_ms"]
                                            / figures["arkworks_prove_cpu_median_ms"])
    if contention:
        with competitors(contention) as window:
            busy = measure_arkworks(zkey_path, wtns_path, runs)
        check_proofs(zkey, public, busy["proofs"], "arkworks (groth16py), busy")
        figures["arkworks_contention"] = contention_figures(arkworks["timing"].runs_s, busy["timing"], window)
    return figures


def arkworks_figures(zkey_path, wtns_path, runs, zkey=None, contention=0):
    """per_core_figures, or {"arkworks_error": why} when groth16py is missing or fails: a peer
    that cannot run is reported (on stderr and in the results), not fatal."""
    try:
        return per_core_figures(zkey_path, wtns_path, runs=runs, zkey=zkey, contention=contention)
    except ArkworksPeerError as error:
        print(f"arkworks peer not measured: {error}", file=sys.stderr, flush=True)
        return {"arkworks_error": str(error)}
