"""Fuzzing of what zkwork reads from outside: the Groth16 verifiers and the file parsers.

A target is a piece of code that takes untrusted input (`verify`, `verify_batch`, the
snarkjs JSON readers, the .r1cs, .sym, .wtns, .zkey and .ptau readers, zkwork's proving-key
directory, the ceremony's phase-1 transcript), a valid seed input built once, a generator
of mutated inputs, and an oracle that classifies what the code did with each:

    rejected    verify returned False, or a parser raised a typed error (a subclass of
                zkwork.errors.ZkworkError), counted per error type
    equivalent  accepted, and rightly so: the mutation did not change the meaning (sections
                reordered, an unknown key added, a number with leading zeros, a batch with a
                statement dropped)
    variant     a parser accepted a well-formed input that differs from the seed (a bit flip
                in a coefficient that stays below r): legitimate, a parser checks form, not
                provenance
    accepted    must be 0: verify returned True for a statement or proof that differs from
                the valid one, or a parser accepted an input that a mutation made malformed
                by construction (truncated, wrong magic or version, a count claiming more
                than the file holds, a duplicated or missing section, a value >= its modulus,
                a point off the curve or outside the subgroup)
    crash       must be 0: any other exception (TypeError, ValueError, RecursionError,
                MemoryError, ...), a child process killed by a signal, or a parse that
                allocated more than its input justifies before checking a count
    hang        must be 0: a case that ran longer than the time limit

`run_campaign(n, seed, targets)` returns the counts per target as a DataFrame; `zkwork
audit --fuzz N` prints it. Other modules add targets with `register(Target(...))`, or with
`binary_target` for an iden3 section container (give its BinarySpec, a seed and the reader,
as the .ptau target does) and `json_target` for a JSON reader (give its JsonSpec, as the
transcript target does): the mutations come with them.

The package: `engine` (cases, targets, the registry, campaigns), `json_mutations` and
`binary_mutations` (the mutators), `groth16_targets` and `file_targets` (the targets,
registered on import, in campaign order).
"""
from zkwork.audit.fuzz.binary_mutations import BinarySpec, CountField, assemble, binary_target, section_table
from zkwork.audit.fuzz.engine import (
    OUTCOMES,
    TARGETS,
    Case,
    Tally,
    Target,
    cases_of,
    format_campaign,
    register,
    run_campaign,
    run_case,
    run_target,
)
from zkwork.audit.fuzz.json_mutations import NOT_DECIMAL, JsonSpec, json_target

# Importing the target modules registers their targets: the Groth16 ones first, then the
# files, the order of a campaign's table.
from zkwork.audit.fuzz.groth16_targets import PUBLIC_SPEC, Groth16Seed, groth16_seed, same_proof
from zkwork.audit.fuzz.file_targets import (
    PTAU_SPEC,
    R1CS_SPEC,
    TRANSCRIPT_SPEC,
    WTNS_SPEC,
    ZKEY_SPEC,
    phase1_seed,
)

__all__ = [
    "NOT_DECIMAL", "OUTCOMES", "PTAU_SPEC", "PUBLIC_SPEC", "R1CS_SPEC", "TARGETS", "TRANSCRIPT_SPEC", "WTNS_SPEC",
    "ZKEY_SPEC", "BinarySpec", "Case", "CountField", "Groth16Seed", "JsonSpec", "Tally", "Target", "assemble",
    "binary_target", "cases_of", "format_campaign", "groth16_seed", "json_target", "phase1_seed", "register",
    "run_campaign", "run_case", "run_target", "same_proof", "section_table",
]
