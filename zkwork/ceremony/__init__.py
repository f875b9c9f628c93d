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

Modules: pok (proofs of knowledge, hash to G2), powers (the state), records (contribution
records, transcript file, verification reports), phase1 (contribute, beacon, verify),
consistency (the checks the verifiers share), snarkjs_ptau (snarkjs's .ptau files and
contribution chain: import, export, verify).
"""
from zkwork.ceremony.consistency import check_powers
from zkwork.ceremony.phase1 import (
    apply_beacon,
    apply_secrets,
    beacon_secrets,
    contribute,
    start,
    verify_phase1,
)
from zkwork.ceremony.pok import (
    KnowledgeProof,
    TranscriptFormatError,
    ZeroSecretError,
    hash_to_g2,
    prove_knowledge,
    same_ratio,
)
from zkwork.ceremony.powers import PowersFileError, PowersOfTau, StateHead
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

__all__ = [
    "Beacon", "Check", "ContributionRecord", "KnowledgeProof", "PowersFileError", "PowersOfTau", "PtauExportError",
    "StateHead", "Transcript", "TranscriptFormatError", "VerificationReport", "ZeroSecretError", "apply_beacon",
    "apply_secrets", "beacon_secrets", "check_powers", "contribute", "export_ptau", "export_transcript_ptau",
    "hash_to_g2", "import_ptau", "prove_knowledge", "same_ratio", "start", "transcript_challenge", "verify_phase1",
    "verify_ptau",
]
