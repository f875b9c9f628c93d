"""A multi-party trusted-setup ceremony for Groth16 on BN254.

Phase 1 (powers of tau, BGM17 as in snarkjs): from the initial state of a power k (every
secret 1), contributors in turn multiply the state by fresh secrets tau, alpha, beta and
publish a record with proofs of knowledge of them; a last contribution from a public
random beacon ends it. `verify_phase1` checks the whole transcript and the final state:
every proof of knowledge, every update ratio, the chain of digests, the beacon, and the
consistency of all the powers with one pairing check per family.

    state, transcript = start(power)
    for i, name in enumerate(contributors):
        state, record = contribute(state, name, i, transcript_challenge(transcript))
        transcript.records.append(record)
    state, record = apply_beacon(state, beacon_value, iterations_exponent, len(transcript.records),
                                 previous_challenge=transcript_challenge(transcript))
    transcript.records.append(record)
    assert verify_phase1(transcript, state).ok
    export_transcript_ptau(state, transcript, "final.ptau")  # `snarkjs powersoftau verify` accepts it

Phase 2, per circuit, is snarkjs's MPC on the circuit's .zkey (ceremony format version 2):
the sealed phase 1 as a prepared .ptau, the circuit's initial key (`new_zkey`, gamma =
delta = 1), contributions to delta and a beacon (zkey_mpc), checked as `snarkjs zkey
verify` checks them; `phase2.proving_key` gives zkwork's prover the same key.

    export_transcript_ptau(state, transcript, "phase1.ptau")
    prepare_phase2("phase1.ptau", "prepared.ptau")
    new_zkey("circuit.r1cs", "prepared.ptau", "circuit_0000.zkey")
    zkey_mpc.contribute("circuit_0000.zkey", "circuit_0001.zkey", name="alice")
    zkey_mpc.beacon("circuit_0001.zkey", "final.zkey", beacon_hex, 10)
    assert zkey_mpc.verify_zkey("circuit.r1cs", "prepared.ptau", "final.zkey").ok

`files` runs the same ceremony in a directory that contributors pass on (the command line's
`zkwork ceremony ...`), and `verify_transcript(directory)` checks all of it: every file a
prover or verifier uses is derived from the transcripts, a phase without a contributor
besides the beacon is refused (its secrets are public), and beacons are recomputed only
within a bound and a time budget (`BeaconLimits`).

Modules: pok (proofs of knowledge, hash to G2), powers (the state), records (contribution
records, transcript file, verification reports), phase1 (contribute, beacon, verify),
phase2 (zkwork's proving key of a .zkey, the ceremony's checks of a phase-2 key),
phase2_files (a circuit's phase-2 directory: its .zkey and the files derived from it, the
verification of every one), consistency (the checks the
verifiers share), beacon_limits (how much SHA-256 a beacon may cost), snarkjs_ptau
(snarkjs's .ptau files and contribution chain: import, export, verify), files (the
ceremony directory), prepare_phase2 (snarkjs's `powersoftau prepare phase2`: the Lagrange-basis
sections of a .ptau), zkey_new (snarkjs's `zkey new` / `groth16 setup`: a circuit's initial
.zkey, byte for byte snarkjs's), zkey_mpc (snarkjs's `zkey contribute|beacon|verify`).
"""
from zkwork.ceremony import phase2, zkey_mpc
from zkwork.ceremony.beacon_limits import BeaconLimits, LimitError
from zkwork.ceremony.consistency import check_powers
from zkwork.ceremony.files import verify_transcript
from zkwork.ceremony.phase1 import (
    apply_beacon,
    apply_secrets,
    beacon_secrets,
    contribute,
    start,
    verify_phase1,
)
from zkwork.ceremony.phase2 import CircuitTooLargeError
from zkwork.ceremony.pok import (
    KnowledgeProof,
    TranscriptFormatError,
    ZeroSecretError,
    hash_to_g2,
    prove_knowledge,
    same_ratio,
)
from zkwork.ceremony.powers import PowersFileError, PowersOfTau, StateHead
from zkwork.ceremony.prepare_phase2 import prepare_phase2
from zkwork.ceremony.records import (
    Beacon,
    Check,
    ContributionRecord,
    Transcript,
    VerificationReport,
)
from zkwork.ceremony.snarkjs_ptau import (
    PtauExportError,
    export_ptau,
    export_transcript_ptau,
    import_ptau,
    transcript_challenge,
    verify_ptau,
)
from zkwork.ceremony.zkey_new import new_zkey

__all__ = [
    "CircuitTooLargeError", "phase2", "zkey_mpc",
    "verify_transcript", "BeaconLimits", "LimitError",
    "Beacon", "Check", "ContributionRecord", "KnowledgeProof", "PowersFileError", "PowersOfTau", "PtauExportError",
    "StateHead", "Transcript", "TranscriptFormatError", "VerificationReport", "ZeroSecretError", "apply_beacon",
    "apply_secrets", "beacon_secrets", "check_powers", "contribute", "export_ptau", "export_transcript_ptau",
    "hash_to_g2", "import_ptau", "prove_knowledge", "same_ratio", "start", "transcript_challenge", "verify_phase1",
    "verify_ptau", "prepare_phase2", "new_zkey",
]
