"""Security audits of circuits and of the code that reads proofs and keys: the under-constraint
decision (zkwork.audit.decide: safe, unsafe with two witnesses, or unknown) with its
structural findings, attacks with real proofs, fuzzing.

    results = run_attacks("small")   # each reference weakness attacked with a real Groth16 proof
    findings_table(results)          # pattern, weakness, attack result, cost of the fix
"""
from zkwork.audit.attack_kit import AttackResult, HardenedAttempt
from zkwork.audit.attacks import ATTACKS, findings_table, run_attacks

__all__ = ["ATTACKS", "AttackResult", "HardenedAttempt", "findings_table", "run_attacks"]
