"""zkwork against snarkjs per trusted-setup step, in the same run on the same inputs:
`powersoftau prepare phase2`, `zkey new` (= groth16 setup), `zkey contribute` and `zkey
verify`, at a small power of tau (12 by default: snarkjs's prepare phase2 alone takes ~1 CPU-minute
there and ~4 at 13, which the default report cannot afford; powers 13 and 14 are `zkwork bench
setup`'s) for a small pattern circuit's circom twin that fits it.

Each step runs as a child process, as a user runs it (zkwork's includes starting Python and
loading the JIT cache), measured by zkwork.bench.setup.run_measured: wall and CPU seconds
and peak resident memory of that process alone, and the 1-minute load average before and
after. zkey new, contribute and verify also run forwarded to a `zkwork daemon` the
study starts (zkwork.bench.setup.run_forwarded: once to load the step's kernels, then timed),
as a user with a resident process runs them; prepare phase2 does not (its run is seconds
long, where a fresh process's start-up of ~1 s matters little). The phase-1 file per power is the snarkjs peer's cached one-contribution ceremony
(zkwork.bench.snarkjs_peer, benchmark material, not timed). Every output is compared: prepare and zkey new are
deterministic, so zkwork's file must be snarkjs's byte for byte (sha256); a contribution is
random, so each tool's contributed key is verified by the other tool's `zkey verify` (the
verify step's two runs): snarkjs accepts zkwork's contribution, zkwork snarkjs's. A failed
step or a rejected key raises, so a Result always holds outputs that agree.

Runs in the setup-ceremony notebook, after the ceremony study (it has no notebook of its own).
"""
import hashlib
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from zkwork.bench.cold import stop_daemon
from zkwork.bench.setup import SNARKJS, ZKWORK, run_forwarded, run_measured, start_bench_daemon
from zkwork.bench.snarkjs_peer import compiled, phase1_ptau
from zkwork.errors import InvariantError
from zkwork.formats.r1cs_file import r1cs_info
from zkwork.resources import resource_dir
from zkwork.studies.base import Result as BaseResult
from zkwork.studies.base import StudyParams, measured, say

NAME = "setup_steps"
NOTEBOOK = "setup-ceremony"
PURPOSE = "zkwork against snarkjs per trusted-setup step (prepare phase 2, zkey new, contribute, verify)"
TIME_BUDGET_S = {"default": 150, "quick": 60}  # measured: 127 CPU-s at 12, 41 at 10 (snarkjs mostly)
STEPS = ("prepare phase2", "zkey new", "zkey contribute", "zkey verify")


@dataclass(frozen=True)
class Params(StudyParams):
    """The powers of tau compared and the circuit (a circuits/main stem) of the zkey steps."""

    powers: tuple = (12,)
    circuit: str = "structure_reference_k8"

    @classmethod
    def quick(cls):
        """Power 10 only (snarkjs's prepare phase2 alone takes longer than the quick budget at 12)."""
        return cls(powers=(10,))

    @classmethod
    def small(cls):
        """Structure's small circom twin at power 10."""
        return cls(powers=(10,), circuit="structure_reference_k4")


@dataclass
class Result(BaseResult):
    """The circuit and its constraints, and one row per (power, step): each tool's
    run_measured record, snarkjs/zkwork wall and CPU ratios, how the outputs were compared
    (`check`) and that they agree (`agree`)."""

    circuit: str
    constraints: int
    rows: list

    def headline(self):
        """One line: the median wall ratio per step and whether every output agreed."""
        ratios = []
        for step in STEPS:
            values = sorted(row["ratio_wall"] for row in self.rows if row["step"] == step)
            if values:
                ratios.append(f"{step} {values[len(values) // 2]:.1f}x")
        agreed = all(row["agree"] for row in self.rows)
        return (f"snarkjs/zkwork wall time at powers {', '.join(str(p) for p in self.params['powers'])}: "
                f"{', '.join(ratios)}; outputs {'agree' if agreed else 'DISAGREE'}")


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _row(power, step, zkwork_command, snarkjs_command, check, agree=None, forwarded=None):
    """Both tools' runs of one step and, with `forwarded` (daemon, argv), zkwork's through the
    daemon; `agree` (a callable) compares the outputs afterwards (None: the steps' successful
    exits are the check)."""
    say(f"{step}, power {power}")
    ours, theirs = run_measured(zkwork_command), run_measured(snarkjs_command)
    row = {"power": power, "step": step, "zkwork": ours, "snarkjs": theirs,
           "ratio_wall": round(theirs["wall_s"] / ours["wall_s"], 2),
           "ratio_cpu": round(theirs["cpu_s"] / ours["cpu_s"], 2), "check": check}
    if forwarded is not None:
        row["daemon"] = run_forwarded(*forwarded)
        row["ratio_wall_daemon"] = round(theirs["wall_s"] / row["daemon"]["wall_s"], 2)
    row["agree"] = True if agree is None else bool(agree())
    return row


def _power_rows(power, r1cs, phase1, work, daemon):
    """The four steps at one power, each tool working from its own previous output; the
    daemon's zkey new must be snarkjs's too, and its contribution is what it verifies."""
    zk, sj = work / f"zkwork_{power}", work / f"snarkjs_{power}"
    zk.mkdir()
    sj.mkdir()
    entropy, contribution = secrets.token_hex(16), ["--name=bench"]
    return [
        _row(power, "prepare phase2", ZKWORK + ["powersoftau", "prepare", "phase2", phase1, zk / "p.ptau"],
             [SNARKJS, "powersoftau", "prepare", "phase2", phase1, sj / "p.ptau"], "sha256 identical",
             lambda: _sha256(zk / "p.ptau") == _sha256(sj / "p.ptau")),
        _row(power, "zkey new", ZKWORK + ["groth16", "setup", r1cs, zk / "p.ptau", zk / "0.zkey"],
             [SNARKJS, "groth16", "setup", r1cs, sj / "p.ptau", sj / "0.zkey"], "sha256 identical",
             lambda: _sha256(zk / "0.zkey") == _sha256(sj / "0.zkey") == _sha256(zk / "0d.zkey"),
             (daemon, ZKWORK + ["groth16", "setup", r1cs, zk / "p.ptau", zk / "0d.zkey"])),
        _row(power, "zkey contribute", ZKWORK + ["zkey", "contribute", zk / "0.zkey", zk / "1.zkey", *contribution,
                                                 f"-e={entropy}"],
             [SNARKJS, "zkey", "contribute", sj / "0.zkey", sj / "1.zkey", *contribution, f"-e={entropy}"],
             "random: each key accepted by the other tool's zkey verify (next row)", None,
             (daemon, ZKWORK + ["zkey", "contribute", zk / "0.zkey", zk / "1d.zkey", *contribution,
                                f"-e={entropy}"])),
        # each tool verifies the other's contribution: a rejection exits non-zero and raises
        _row(power, "zkey verify", ZKWORK + ["zkey", "verify", r1cs, zk / "p.ptau", sj / "1.zkey"],
             [SNARKJS, "zkey", "verify", r1cs, sj / "p.ptau", zk / "1.zkey"],
             "zkwork accepts snarkjs's contributed key, snarkjs accepts zkwork's", None,
             (daemon, ZKWORK + ["zkey", "verify", r1cs, zk / "p.ptau", zk / "1d.zkey"])),
    ]


def _measure(params):
    main_file = resource_dir("circuits") / "main" / f"{params.circuit}.circom"
    _, r1cs, _, _ = compiled(main_file)
    info = r1cs_info(r1cs)
    rows = []
    with tempfile.TemporaryDirectory(prefix="zkwork-setup-steps-") as scratch:
        daemon = start_bench_daemon(Path(scratch) / "daemon.sock", say)
        try:
            for power in params.powers:
                phase1, _ = phase1_ptau(power)
                rows += _power_rows(power, r1cs, phase1, Path(scratch), daemon)
        finally:
            stop_daemon(daemon["env"], daemon["socket"])
    return info["constraints"], rows


def run(params=None):
    """Time both tools per step and power; InvariantError if an output differs."""
    params = params or Params()
    (constraints, rows), record = measured(lambda: _measure(params))
    result = Result(params.to_json(), record, params.circuit, constraints, rows)
    if not all(row["agree"] for row in rows):
        raise InvariantError(f"setup steps: zkwork's output differs from snarkjs's: "
                             f"{[(row['power'], row['step']) for row in rows if not row['agree']]}")
    return result


def table(result):
    """One flat dict per row, for a DataFrame: seconds, CPU, peak RSS, ratios, load, check."""
    return [{"power": row["power"], "step": row["step"],
             "zkwork s": row["zkwork"]["wall_s"], "snarkjs s": row["snarkjs"]["wall_s"],
             "snarkjs/zkwork wall": row["ratio_wall"], "snarkjs/zkwork CPU": row["ratio_cpu"],
             "zkwork MB": row["zkwork"]["peak_rss_mb"], "snarkjs MB": row["snarkjs"]["peak_rss_mb"],
             "zkwork via daemon s": row["daemon"]["wall_s"] if "daemon" in row else None,
             "snarkjs/daemon wall": row.get("ratio_wall_daemon"),
             "load": f"{row['zkwork']['load_before']:.1f}→{row['snarkjs']['load_after']:.1f}",
             "check": row["check"], "agree": row["agree"]} for row in result.rows]


def markdown(result):
    """The table as Markdown."""
    rows = table(result)
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(str(value) for value in row.values()) + " |" for row in rows]
    return "\n".join(lines)


def figures(result):
    """setup-steps-ratios: snarkjs/zkwork wall and CPU time per step and power (fresh process),
    and wall time via the daemon where measured, log scale."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(9, 4))
    labels = [f"{row['step']}\n2^{row['power']}" for row in result.rows]
    x = np.arange(len(labels))
    ax.bar(x - 0.27, [row["ratio_wall"] for row in result.rows], 0.27, label="wall, fresh process")
    ax.bar(x, [row["ratio_cpu"] for row in result.rows], 0.27, label="CPU, fresh process")
    ax.bar(x + 0.27, [row.get("ratio_wall_daemon", 0) for row in result.rows], 0.27, label="wall, via the daemon")
    ax.axhline(1, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(x, labels, fontsize=8)
    ax.set(ylabel="snarkjs time / zkwork time", title=f"Setup steps, {result.circuit}: how many times faster "
                                                      f"zkwork is (measured on {result.run.machine['cpu_model']})")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return {"setup-steps-ratios": fig}
