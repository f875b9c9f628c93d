"""The command line's verbs, one module each, and the table that names them. Where zkwork does
snarkjs's job, the command also answers to snarkjs's verb, with snarkjs's argument order."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """One command: its words, the module holding it, its one-line help and its other names."""

    words: tuple  # e.g. ("groth16", "prove")
    module: str  # under zkwork.commands
    help: str
    run: str = "run"  # the module's function that runs it
    arguments: str = "arguments"  # the module's function that adds its options
    aliases: tuple = ()  # other word tuples for the same command
    resident: bool = False  # forwarded to a running `zkwork daemon` (see zkwork.commands.daemon)


GROUPS = {
    "bench": "benchmarks, with their peers measured in the same run",
    "ceremony": "a multi-party trusted setup in a directory passed between contributors",
    "groth16": "snarkjs's groth16 verbs: setup, prove, verify, fullprove",
    "wtns": "snarkjs's wtns verbs: calculate",
    "zkey": "snarkjs's zkey verbs: new, contribute, beacon, verify, export verificationkey",
    "r1cs": "snarkjs's r1cs verbs: info",
    "powersoftau": "snarkjs's powersoftau verbs: verify, prepare phase2",
    "export": "export artefacts (as zkwork's `zkey export`)",
    "daemon": "a resident process the resident verbs are forwarded to (prove-zkey, verify, fullprove, wtns "
              "calculate, powersoftau prepare phase2, groth16 setup / zkey new, zkey contribute|beacon|verify|export "
              "verificationkey)",
}

COMMANDS = (
    Command(("info",), "info", "versions, CPU, numba threading layer, JIT cache state"),
    Command(("circuits",), "circuits", "constraint budgets of the five patterns, both variants"),
    Command(("input",), "input", "valid sample inputs of a pattern, for `zkwork prove --input`"),
    Command(("setup",), "setup", "Groth16 keys for a pattern (a development setup from fresh randomness)"),
    Command(("prove",), "prove", "prove a pattern's statement from its inputs with a circuit directory's keys"),
    Command(("verify",), "verify", "verify a proof: exit 0 valid, 1 invalid, 2 malformed or unsafe key",
            aliases=(("groth16", "verify"),), resident=True),
    Command(("groth16", "prove"), "groth16_prove", "prove from a snarkjs .zkey and a .wtns",
            aliases=(("prove-zkey",),), resident=True),
    Command(("groth16", "fullprove"), "groth16_fullprove", "witness (circom's .wasm) and proof (.zkey) in one step",
            resident=True),
    Command(("wtns", "calculate"), "wtns_calculate", "a circom witness from the circuit's .wasm, as a .wtns",
            resident=True),
    Command(("zkey", "export", "verificationkey"), "export_vk",
            "verification_key.json of a .zkey or a circuit directory", aliases=(("export", "verificationkey"),),
            resident=True),
    Command(("r1cs", "info"), "r1cs_info", "counts of a circom .r1cs file, as `snarkjs r1cs info` prints them"),
    Command(("powersoftau", "prepare", "phase2"), "powersoftau_prepare",
            "a .ptau's Lagrange-basis sections, byte for byte snarkjs's prepared file", resident=True),
    Command(("groth16", "setup"), "groth16_setup", "a circuit's initial .zkey from a prepared .ptau, as snarkjs's",
            aliases=(("zkey", "new"),), resident=True),
    Command(("zkey", "contribute"), "zkey_contribute", "a phase-2 contribution to a .zkey, in snarkjs's transcript",
            resident=True),
    Command(("zkey", "beacon"), "zkey_beacon", "seal a .zkey with a public random value, as snarkjs's beacon",
            resident=True),
    Command(("zkey", "verify"), "zkey_verify", "check a .zkey's contributions: exit 0 valid, 1 rejected, 2 malformed",
            resident=True),
    *(Command(("bench", suite), "bench", help, run=suite, arguments=f"{suite}_arguments") for suite, help in (
        ("arith", "field, curve, MSM, NTT and pairing speed against py_ecc"),
        ("groth16", "setup, prove and verify of every pattern, against snarkjs"),
        ("zkey", "zkwork and snarkjs proving the same snarkjs .zkey and witness"),
        ("service", "zkwork serve's overhead per prove and verify request, against in-process work"),
        ("floor", "the floor of a prove (multiplications x ns / cores) beside each stage measured"),
        ("setup", "prepare phase 2, zkey new, contribute and verify, zkwork against snarkjs, peak memory beside"),
        ("cold", "process start to result of prove, verify and fullprove, with and without the daemon, vs snarkjs"),
    )),
    Command(("bench", "memory"), "bench_memory",
            "a prove's resident memory step by step, its peak, and its growth over 1,000 proves in one process"),
    Command(("bench", "throughput"), "bench_throughput",
            "server throughput mode (one single-thread process per core) against one all-cores process, per core"),
    *(Command(("ceremony", step), "ceremony", help, run=step.replace("-", "_"),
              arguments=f"{step.replace('-', '_')}_arguments", aliases=aliases) for step, help, aliases in (
        ("init", "a new ceremony (phase 1, powers of tau)", ()),
        ("contribute", "add a contribution (fresh secrets, never stored)", ()),
        ("beacon", "seal phase 1 (or a circuit's phase 2) with a public random value", ()),
        ("phase2", "start a pattern's phase 2 from the sealed phase 1", ()),
        ("verify", "check every contribution and file: exit 0 valid, 1 rejected", ()),
        ("export-ptau", "phase 1 as a snarkjs .ptau, with its contributions", ()),
        ("verify-ptau", "check a snarkjs .ptau: exit 0 valid, 1 rejected, 2 malformed", (("powersoftau", "verify"),)),
    )),
    *(Command(("daemon", step), "daemon", help, run=step, arguments=f"{step}_arguments") for step, help in (
        ("start", "start a resident prover in the background and wait until it answers"),
        ("stop", "stop the resident prover: exit 0 stopped, 1 none was running"),
        ("status", "exit 0 and describe the resident prover if one runs, else exit 1"),
        ("run", "the resident prover in the foreground (what `daemon start` runs)"),
    )),
    Command(("serve",), "serve", "the proving and verification service over HTTP (needs the 'service' extra)"),
    Command(("loadtest",), "loadtest", "an open-loop load test of `zkwork serve` on loopback (needs 'service')"),
    Command(("audit",), "audit", "under-constraint analysis of a pattern or .r1cs, or --fuzz N"),
    Command(("report",), "report", "every study into a dated report: SLAs, capacity, budgets",
            run="report", arguments="report_arguments"),
    Command(("study",), "report", "one study of the report, without Jupyter", run="study", arguments="study_arguments"),
)


def resident_command(argv):
    """The resident Command that `argv` (the command line after `zkwork`) runs, or None. Cheap:
    the command line calls it before importing any command module."""
    for command in COMMANDS:
        if command.resident and any(tuple(argv[:len(words)]) == words for words in (command.words,) + command.aliases):
            return command
    return None
