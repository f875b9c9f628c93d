"""Constraint budgets of the five proof patterns: sizes at production size, scaling with the
size parameter, the budget by gadget, the cost of hardening, pass/fail against a budget, and
the reference design's claims beside the counts built. Nothing is timed: constraint counts do
not depend on the machine, and they equal circom --O2's (tests/test_circom.py)."""
from dataclasses import dataclass

from zkwork.patterns import PATTERNS, VARIANTS, circuit_summary, get_pattern
from zkwork.studies.base import Result as BaseResult
from zkwork.studies.base import StudyParams, measured, size_text

NAME = "budgets"
NOTEBOOK = "constraint-budgets"
PURPOSE = "constraints, wires and public signals; scaling; budget by gadget"
TIME_BUDGET_S = {"default": 60, "quick": 15}
SCALED = ("membership", "locker", "structure", "selective_reveal")
# The reference design's own figures (patterns.md, "Figures from the reference design, to be
# checked"): about 420 constraints for Membership at depth 20, about 250 for Structure at 8.
REFERENCE_CLAIMS = (("membership", (("depth", 20),), 420), ("structure", (("components", 8),), 250))


@dataclass(frozen=True)
class Params(StudyParams):
    """Merkle depths scanned (depth_min..depth_max by depth_step), whether the component
    counts are scanned in full, and the constraint budget of one circuit."""

    depth_min: int = 4
    depth_max: int = 24
    depth_step: int = 2
    full_scan: bool = True
    # 2^13: the evaluation domain the production Membership circuit (depth 20) already needs
    budget: int = 8192

    @classmethod
    def quick(cls):
        """Three depths, and only the small and production sizes of the other patterns."""
        return cls(depth_step=8, full_scan=False)


@dataclass
class Result(BaseResult):
    """Counts built in this run: `patterns` (circuit_summary rows), `scaling` per pattern,
    `passes` [pattern][variant], `gadgets` (budget rows), `hardening`, `claims`."""

    patterns: list
    scaling: dict
    budget: int
    passes: dict
    gadgets: list
    hardening: list
    claims: dict

    def headline(self):
        """One line: how many circuits fit the budget."""
        fit = sum(ok for row in self.passes.values() for ok in row.values())
        return f"{fit} of {sum(len(row) for row in self.passes.values())} circuits within {self.budget:,} constraints"


def scanned_sizes(name, params):
    """The sizes of `name`'s size parameter scanned, valid in both variants."""
    cls = PATTERNS[name]
    if cls.size_param == "depth":
        return list(range(params.depth_min, params.depth_max + 1, params.depth_step))
    if not params.full_scan:
        return sorted({cls.small_size, cls.default_size})
    return list(range(1, min(get_pattern(name, variant).max_size for variant in VARIANTS) + 1))


def _gadget_of(namespace):
    """'membership/level/poseidon' -> 'poseidon'; constraints outside any gadget are 'own'."""
    parts = namespace.split("/")
    return parts[2] if len(parts) > 2 else "own"


def _compute(params):
    circuits = {(name, variant): get_pattern(name, variant).build() for name in PATTERNS for variant in VARIANTS}
    summaries = [circuit_summary(get_pattern(name, variant), r1cs) for (name, variant), r1cs in circuits.items()]
    scaling = {}
    for name in SCALED:
        cls, sizes = PATTERNS[name], scanned_sizes(name, params)
        scaling[name] = {"parameter": cls.size_param, "production_size": cls.default_size, "sizes": sizes,
                         "constraints": {variant: [get_pattern(name, variant, **{cls.size_param: size}).build()
                                                   .num_constraints for size in sizes] for variant in VARIANTS}}
    gadgets = [{"circuit": f"{name}/{variant}", "part": row.namespace.split("/", 1)[-1],
                "gadget": _gadget_of(row.namespace), "constraints": int(row.constraints), "share": float(row.share)}
               for (name, variant), r1cs in circuits.items() for row in r1cs.budget(3).itertuples()]
    hardening = []
    for name in PATTERNS:
        reference, hardened = (circuits[name, variant].num_constraints for variant in VARIANTS)
        hardening.append({"pattern": name, "size": size_text(get_pattern(name).params), "reference": reference,
                          "hardened": hardened, "extra": hardened - reference,
                          "extra_percent": 100.0 * (hardened - reference) / reference})
    passes = {name: {variant: circuits[name, variant].num_constraints <= params.budget for variant in VARIANTS}
              for name in PATTERNS}
    membership = circuits["membership", "reference"]
    level = membership.budget(3).set_index("namespace").loc["membership/level/poseidon", "constraints"]
    claims = []
    for name, size, claimed in REFERENCE_CLAIMS:
        counts = [get_pattern(name, variant, **dict(size)).build().num_constraints for variant in VARIANTS]
        claims.append({"pattern": name, "size": size_text(dict(size)), "claimed": claimed,
                       "measured_reference": counts[0], "measured_hardened": counts[1],
                       "measured_over_claimed": counts[0] / claimed})
    poseidon2 = int(level) / get_pattern("membership").size
    return summaries, scaling, passes, gadgets, hardening, {"poseidon2_constraints": poseidon2, "rows": claims}


def run(params=None):
    """Build every circuit and count (see the module docstring)."""
    params = params or Params()
    (summaries, scaling, passes, gadgets, hardening, claims), record = measured(lambda: _compute(params), threads=1)
    return Result(params.to_json(), record, summaries, scaling, params.budget, passes, gadgets, hardening, claims)


def largest_within_budget(result, name, variant):
    """The largest scanned size of `name` whose circuit fits the budget (None: none does)."""
    data = result.scaling.get(name)
    if data is None:
        return None
    return max((size for size, count in zip(data["sizes"], data["constraints"][variant]) if count <= result.budget),
               default=None)


def figures(result):
    """constraints-vs-size and budget-by-gadget."""
    import matplotlib.pyplot as plt
    import pandas as pd

    production = {(row["pattern"], row["variant"]): row["constraints"] for row in result.patterns}
    scaling_fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, names, xlabel in ((axes[0], ("membership", "locker"), "Merkle depth"),
                              (axes[1], ("structure", "selective_reveal"),
                               "components (Structure) / fields (Selective reveal)")):
        for name in names:
            data = result.scaling[name]
            for variant, style in zip(VARIANTS, ("--", "-")):
                ax.plot(data["sizes"], data["constraints"][variant], style, marker="o", markersize=3,
                        label=f"{name} {variant}")
            ax.plot([data["production_size"]], [production[name, "hardened"]], "k*", markersize=11)
        ax.axhline(result.budget, color="tab:red", linewidth=0.8, linestyle=":", label=f"budget {result.budget:,}")
        ax.set(xlabel=xlabel, ylabel="R1CS constraints")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    scaling_fig.suptitle("Constraints against circuit size, built in this run (* = production size, hardened)")
    scaling_fig.tight_layout()

    table = pd.DataFrame(result.gadgets)
    by_gadget = table.pivot_table(index="circuit", columns="gadget", values="constraints", aggfunc="sum",
                                  fill_value=0, sort=False)
    by_gadget = by_gadget[by_gadget.sum().sort_values(ascending=False).index]
    gadget_fig, ax = plt.subplots(figsize=(11, 5))
    by_gadget.plot.barh(stacked=True, ax=ax, width=0.75, colormap="tab20")
    ax.invert_yaxis()
    ax.set(xlabel="R1CS constraints", ylabel="", title="Constraints by gadget at production sizes, built in this run")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    gadget_fig.tight_layout()
    return {"constraints-vs-size": scaling_fig, "budget-by-gadget": gadget_fig}
