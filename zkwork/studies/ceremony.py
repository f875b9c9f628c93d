"""A multi-party trusted-setup ceremony run for real with zkwork.ceremony and verified from
its transcript, and its cost as circuits grow. Phase 1 (powers of tau): `contributors`
contributions with fresh secrets that exist only inside each call, then a public random
beacon; phase 2 for one pattern's circuit in snarkjs's MPC: the sealed phase 1 as a prepared
.ptau, the circuit's initial .zkey, contributions to delta and a beacon; verification as
anyone would do it from the published transcript and .zkey; a real proof with the
ceremony's key (zkwork's proving key derived from the .zkey); and, for each power 2^k, a short ceremony measuring the
time per contribution, the verification time and the bytes published. The guide asks for
at least ten contributors (the production-migration guide, "Pre-Migration Checklist ›
Technical Readiness"; zkwork.capacity.GUIDE_PLAN)."""
import dataclasses
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from zkwork.capacity import guide_value
from zkwork.ceremony import phase1, phase2, zkey_mpc
from zkwork.ceremony.consistency import Checker
from zkwork.ceremony.files import prepared_ptau
from zkwork.ceremony.snarkjs_ptau import transcript_challenge
from zkwork.ceremony.zkey_new import circuit_power, hashed_h_count, new_zkey
from zkwork.errors import InvariantError
from zkwork.formats import read_zkey, write_r1cs
from zkwork.formats.zkey_file import BEACON
from zkwork.groth16 import prove, verify
from zkwork.patterns import PATTERNS, get_pattern
from zkwork.studies.base import Result as BaseResult
from zkwork.studies.base import StudyParams, measured, say

NAME = "ceremony"
NOTEBOOK = "setup-ceremony"
PURPOSE = "a multi-party trusted-setup ceremony, verified; its cost against the power of tau"
TIME_BUDGET_S = {"default": 300, "quick": 25}


@dataclass(frozen=True)
class Params(StudyParams):
    """Contributors per phase, the phase-2 circuit (size None: production, or small with
    small_sizes), the powers of the scaling sweep and its contributions, the beacon's hashing."""

    contributors: int = guide_value("ceremony_contributors")
    pattern: str = "membership"
    variant: str = "hardened"
    size: dict = None
    small_sizes: bool = False
    # Up to 2^15: each power doubles the time (2^16 took 57 s of the default report's 23 min on a
    # fresh 2-core machine, 2026-12-05), and the figure's line through 2^10 .. 2^15 already
    # extrapolates to a real ceremony's powers.
    powers: tuple = (10, 11, 12, 13, 14, 15)
    scaling_contributors: int = 2
    beacon_exponent: int = 10  # snarkjs's phase-2 beacon takes 10 to 63

    @classmethod
    def quick(cls):
        """Structure's small circuit (the smallest QAP domain, 2^9), 3 contributors, powers
        2^6..2^9 with one contribution each."""
        return cls(contributors=3, pattern="structure", small_sizes=True, powers=(6, 7, 8, 9), scaling_contributors=1)

    @classmethod
    def small(cls):
        """The quick ceremony with two contributors and powers 2^6 and 2^7."""
        return dataclasses.replace(cls.quick(), contributors=2, powers=(6, 7))


@dataclass
class Result(BaseResult):
    """The ceremony's circuit and power, per-phase `phase1`/`phase2` (contribution seconds,
    records, verification seconds and checks), the `proof` with its keys, `published_bytes`
    and the `scaling` sweep (one row per power)."""

    pattern: str
    variant: str
    circuit_size: dict
    label: str
    constraints: int
    power: int
    contributors: int
    beacon: dict
    phase1: dict
    phase2: dict
    proof: dict
    published_bytes: dict
    scaling: list

    def verified(self):
        """Both transcripts verify and the ceremony's keys prove (and reject a tampered statement)."""
        return (self.phase1["ok"] and self.phase2["ok"] and self.proof["verified"]
                and not self.proof["tampered_verified"])

    def headline(self):
        """One line: the ceremony and whether it verified."""
        return (f"{self.contributors} contributors + beacon, 2^{self.power} powers, {self.label}: transcript "
                f"{'verifies' if self.verified() else 'does NOT verify'} "
                f"({self.phase1['checks'] + self.phase2['checks']} checks)")


def published_bytes(state, transcript, zkey_path=None):
    """(state bytes, transcript bytes) of what a ceremony publishes: phase 1's state, and its
    transcript with the .zkey's section 10 (phase 2's) if given; the .zkey's points are the
    circuit's keys, not counted."""
    with tempfile.TemporaryDirectory() as tmp:
        state.write(Path(tmp) / "state")
        transcript.write(Path(tmp) / "transcript.json")
        state_bytes = sum(p.stat().st_size for p in (Path(tmp) / "state").iterdir())
        transcript_bytes = (Path(tmp) / "transcript.json").stat().st_size
    phase2_bytes = 0 if zkey_path is None else len(read_zkey(zkey_path).contributions)
    return state_bytes, transcript_bytes + phase2_bytes


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _record_rows(records):
    return [{"index": r.index, "contributor": r.contributor, "kind": r.kind, "seconds": r.seconds,
             "new_digest": r.new_digest[:16]} for r in records]


def _phase_two_rows(contributions, seconds):
    return [{"index": i, "contributor": c.name, "kind": "beacon" if c.kind == BEACON else "contribution",
             "seconds": s, "contribution_hash": zkey_mpc.contribution_hash(c).hex()[:16]}
            for i, (c, s) in enumerate(zip(contributions, seconds))]


def _phase_one(power, names, beacon, exponent):
    state, transcript = phase1.start(power)
    for index, name in enumerate(names):
        # bound to snarkjs's running challenge, so that phase 1 exports as the .ptau phase 2 starts from
        state, record = phase1.contribute(state, name, index, transcript_challenge(transcript))
        transcript.records.append(record)
    state, record = phase1.apply_beacon(state, beacon, exponent, len(transcript.records),
                                        previous_challenge=transcript_challenge(transcript))
    transcript.records.append(record)
    report, verify_s = _timed(lambda: phase1.verify_phase1(transcript, state))
    return state, transcript, report, verify_s


def _scaling_row(power, params, beacon):
    names = [f"contributor-{i + 1}" for i in range(params.scaling_contributors)]
    state, transcript, report, verify_s = _phase_one(power, names, beacon, params.beacon_exponent)
    state_bytes, transcript_bytes = published_bytes(state, transcript)
    return {"power": power, "points": 2 ** power,
            "contribution_s": statistics.median(r.seconds for r in transcript.records[:-1]),
            "beacon_s": transcript.records[-1].seconds, "verify_s": verify_s, "verified": report.ok,
            "state_bytes": state_bytes, "transcript_bytes": transcript_bytes}


def _ceremony(params, pattern, r1cs, power, beacon):
    names = [f"contributor-{i + 1}" for i in range(params.contributors)]
    phase1.contribute(phase1.start(1)[0], "warm-up", 0)  # loads the kernels outside every timing
    say(f"phase 1: 2^{power}, {params.contributors} contributors")
    state, transcript, report1, verify1_s = _phase_one(power, names, beacon, params.beacon_exponent)
    say(f"phase 2: {pattern.label}")
    with tempfile.TemporaryDirectory(prefix="zkwork-ceremony-study-") as work:
        work = Path(work)
        write_r1cs(r1cs, work / "circuit.r1cs")

        def initial_zkey():
            prepared = prepared_ptau(state, transcript, work)
            new_zkey(work / "circuit.r1cs", prepared, work / "circuit_0.zkey")
            return prepared

        prepared, initial_s = _timed(initial_zkey)
        records, seconds = [], []
        for index, name in enumerate(names):
            record, spent = _timed(lambda: zkey_mpc.contribute(work / f"circuit_{index}.zkey",
                                                               work / f"circuit_{index + 1}.zkey", name=name))
            records.append(record)
            seconds.append(spent)
        final = work / "final.zkey"
        record, spent = _timed(lambda: zkey_mpc.beacon(work / f"circuit_{len(names)}.zkey", final, beacon.hex(),
                                                       params.beacon_exponent, name="beacon"))
        records.append(record)
        seconds.append(spent)
        report2, verify2_s = _timed(lambda: zkey_mpc.verify_zkey(work / "circuit.r1cs", prepared, final))
        zkey = read_zkey(final)
        phase2.check_ceremony(Checker(report2, "final", "beacon"), zkey, zkey_mpc.read_mpc(zkey))
        pk = phase2.proving_key(zkey, r1cs)
        state_bytes, transcript_bytes = published_bytes(state, transcript, final)
    _, witness = pattern.solve(pattern.sample_inputs())
    proof, prove_s = _timed(lambda: prove(pk, witness))
    public = r1cs.public_signals(witness)
    proof_check = {"prove_s": prove_s, "verified": bool(verify(pk.vk, public, proof)),
                   "tampered_verified": bool(verify(pk.vk, [public[0] + 1, *public[1:]], proof))}
    say(f"scaling: powers {list(params.powers)}")
    scaling = [_scaling_row(power_k, params, beacon) for power_k in params.powers]
    phase_1 = {"contribution_s": [r.seconds for r in transcript.records], "records": _record_rows(transcript.records),
               "verify_s": verify1_s, "checks": len(report1.checks), "failed": len(report1.failures()),
               "ok": report1.ok, "report": str(report1)}
    phase_2 = {"initial_keys_s": initial_s, "contribution_s": seconds,
               "records": _phase_two_rows(records, seconds), "verify_s": verify2_s, "checks": len(report2.checks),
               "failed": len(report2.failures()), "ok": report2.ok, "report": str(report2)}
    return phase_1, phase_2, proof_check, {"state": state_bytes, "transcripts": transcript_bytes}, scaling


def run(params=None):
    """Run the ceremony, verify it, prove with its keys and sweep the powers of tau."""
    params = params or Params()
    size = params.size or (PATTERNS[params.pattern].small_params() if params.small_sizes else {})
    pattern = get_pattern(params.pattern, params.variant, **size)
    r1cs = pattern.build()
    power = circuit_power(r1cs.num_constraints, r1cs.num_public)
    if hashed_h_count(1 << power) >= 1 << power:  # what snarkjs 0.7.6 hashes needs one power more (zkey_new)
        power += 1
    # The beacon: a public value fixed after the last contribution (in production, e.g. a
    # future block hash announced in advance); here drawn once for this run and recorded.
    beacon = secrets.token_bytes(32)
    (phase_1, phase_2, proof, sizes, scaling), record = measured(
        lambda: _ceremony(params, pattern, r1cs, power, beacon), threads=1)
    result = Result(params.to_json(), record, pattern.name, pattern.variant, dict(pattern.params), pattern.label,
                    r1cs.num_constraints, power, params.contributors,
                    {"value": beacon.hex(), "iterations_exponent": params.beacon_exponent},
                    phase_1, phase_2, proof, sizes, scaling)
    if not result.verified() or not all(row["verified"] for row in scaling):
        raise InvariantError(f"ceremony: the transcript or the keys do not verify:\n{phase_1['report']}\n"
                             f"{phase_2['report']}")
    return result


def figures(result):
    """ceremony-scaling (time and bytes against 2^k) and ceremony-contributions (seconds each)."""
    import matplotlib.pyplot as plt

    rows = result.scaling
    x = [row["points"] for row in rows]
    scaling, axes = plt.subplots(1, 3, figsize=(15, 4))
    axes[0].loglog(x, [r["contribution_s"] for r in rows], "o-", label="contribution (median)")
    axes[0].loglog(x, [r["beacon_s"] for r in rows], "s--", label="beacon (hashes + contribution)")
    axes[0].set(title="Time per contribution", xlabel="2^k (powers of tau)", ylabel="seconds")
    axes[1].loglog(x, [r["verify_s"] for r in rows], "o-", color="C2")
    axes[1].set(title="Verification of the short ceremony", xlabel="2^k", ylabel="seconds")
    axes[2].loglog(x, [r["state_bytes"] / 2**20 for r in rows], "o-", label="state (points)")
    axes[2].loglog(x, [r["transcript_bytes"] / 2**20 for r in rows], "s-", label="transcript (records)")
    axes[2].set(title="Published size", xlabel="2^k", ylabel="MiB")
    for ax in axes:
        ax.set_xscale("log", base=2)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    axes[2].legend()
    scaling.suptitle(f"Ceremony cost against the power of tau (measured on {result.run.machine['cpu_model']})")
    scaling.tight_layout()

    one, two = result.phase1["contribution_s"], result.phase2["contribution_s"]
    contributions, ax = plt.subplots(figsize=(8, 3.5))
    ax.bar(range(len(one)), one, color=["C0"] * (len(one) - 1) + ["C3"])
    ax.bar([len(one) + 1 + i for i in range(len(two))], two, color=["C1"] * (len(two) - 1) + ["C3"])
    ax.set(title=f"Seconds per contribution: phase 1 (2^{result.power}, blue), phase 2 ({result.label}, orange), "
                 "beacons red", ylabel="seconds", xticks=[])
    return {"ceremony-scaling": scaling, "ceremony-contributions": contributions}
