"""The reference patterns attacked with real proofs: for every weakness patterns.md lists for
a reference variant, the attack end to end (zkwork.audit.attacks) with a real Groth16 setup,
a proof the reference verifier accepts and a tampered control it must reject; the same
attempt against the hardened variant; and the constraints each fix costs. Prove and verify
times are single measurements, for scale only (the latency study measures latency)."""
from dataclasses import dataclass

from zkwork.audit import findings_table, run_attacks
from zkwork.studies.base import Result as BaseResult
from zkwork.studies.base import StudyError, StudyParams, measured

NAME = "audit"
NOTEBOOK = "security-audit"
PURPOSE = "attacks on the reference patterns with real proofs; the cost of each fix"
TIME_BUDGET_S = {"default": 240, "quick": 20}
SIZES = ("small", "production")


@dataclass(frozen=True)
class Params(StudyParams):
    """The circuit sizes attacked ("small": those of the small Circom main files) and the
    patterns (None: all)."""

    sizes: str = "production"
    patterns: tuple = None

    @classmethod
    def quick(cls):
        """The small sizes."""
        return cls(sizes="small")


@dataclass
class Result(BaseResult):
    """`summary` counts, `findings` (one row per weakness), `fix_costs` per pattern and the
    full `attacks` records (inputs, public signals, proofs)."""

    sizes: str
    summary: dict
    findings: list
    fix_costs: list
    attacks: list

    def headline(self):
        """One line: attacks accepted by the reference, resisted by the hardened variant."""
        s = self.summary
        return (f"{s['accepted_by_reference']} of {s['weaknesses']} attacks accepted by the reference verifier, "
                f"{s['resisted_by_hardened']} resisted by the hardened variants, "
                f"{s['tampered_accepted']} tampered controls accepted")

    def as_expected(self):
        """Every weakness exploited on the reference variant and refused by the hardened one."""
        s = self.summary
        return s["accepted_by_reference"] == s["resisted_by_hardened"] == s["weaknesses"] and not s["tampered_accepted"]


def run(params=None):
    """Run every attack of `params` and tabulate what came of it."""
    params = params or Params()
    if params.sizes not in SIZES:
        raise StudyError(f"audit: sizes is one of {', '.join(SIZES)}, not {params.sizes!r}")
    results, record = measured(lambda: run_attacks(params.sizes, keys={}, patterns=params.patterns), threads=1)
    table = findings_table(results)
    findings = [{key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()}
                for row in table.to_dict(orient="records")]
    fix_costs = []
    for row in findings:
        if row["pattern"] not in {cost["pattern"] for cost in fix_costs}:
            fix_costs.append({"pattern": row["pattern"], "size": row["size"],
                              "reference_constraints": row["reference constraints"],
                              "hardened_constraints": row["hardened constraints"],
                              "fix_cost": row["fix cost (constraints)"]})
    summary = {"weaknesses": len(results), "accepted_by_reference": sum(r.accepted for r in results),
               "tampered_accepted": sum(r.tampered_accepted for r in results),
               "resisted_by_hardened": sum(r.hardened.resisted for r in results)}
    return Result(params.to_json(), record, params.sizes, summary, findings, fix_costs,
                  [r.as_record() for r in results])


def figures(result):
    """fix-costs: reference and hardened constraints per pattern, labelled with the fix's cost."""
    import matplotlib.pyplot as plt
    import numpy as np

    costs = result.fix_costs
    positions = np.arange(len(costs))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.bar(positions - 0.2, [c["reference_constraints"] for c in costs], 0.4, label="reference")
    ax.bar(positions + 0.2, [c["hardened_constraints"] for c in costs], 0.4, label="hardened", color="tab:green")
    for x, cost in zip(positions, costs):
        ax.annotate(f"+{cost['fix_cost']}", (x + 0.2, cost["hardened_constraints"]), ha="center", va="bottom",
                    fontsize=9)
    ax.set_xticks(positions, [f"{c['pattern']}\n{c['size']}" for c in costs], fontsize=8)
    ax.set(ylabel="constraints", title=f"Constraint cost of the fixes ({result.sizes} sizes, measured in this run)")
    ax.legend()
    fig.tight_layout()
    return {"fix-costs": fig}
