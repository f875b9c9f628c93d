"""Parameter sweeps of the fleet model on dask: a LocalCluster of worker processes by
default, or the scheduler at `scheduler_address` (a real cluster; its workers need zkwork
with the throughput extra and simpy), with a progress bar.

A case is a dict of simulate()'s arguments (profile, tiers, mode, seed, ...) plus a
`label` dict saying what was varied; `grid` builds the cartesian product of changes to
the tiers' fields ("proof.replicas") and their autoscaler rules' ("proof.rules.startup_s"),
and `run_sweep` returns one row per case: the label, then each tier's summary columns
(prefixed by tier) and the costs.
"""
import itertools
import sys
from dataclasses import replace

import pandas as pd

from zkwork.errors import UnknownNameError
from zkwork.fleet.model import simulate
from zkwork.fleet.servers import PER_CORE_ASSUMPTION
from zkwork.resources import require_extra


def vary(tiers, path, value):
    """`tiers` with the field at `path` ('tier.field' or 'tier.rules.field') set to `value`."""
    parts = path.split(".")
    if len(parts) not in (2, 3) or parts[0] not in tiers or (len(parts) == 3 and parts[1] != "rules"):
        raise UnknownNameError(f"unknown sweep parameter {path!r}: use 'tier.field' or 'tier.rules.field' "
                               f"with a tier among {', '.join(tiers)}")
    config = tiers[parts[0]]
    if len(parts) == 2:
        changed = replace(config, **{parts[1]: value})
    else:
        changed = replace(config, rules=replace(config.rules, **{parts[2]: value}))
    return {**tiers, parts[0]: changed}


def grid(profile, tiers, axes, seeds=(0,), **simulate_args):
    """Cases for every combination of `axes` ({path: [values]}, see `vary`) and seed."""
    names = list(axes)
    cases = []
    for values in itertools.product(*(axes[name] for name in names)):
        varied = tiers
        for name, value in zip(names, values):
            varied = vary(varied, name, value)
        for seed in seeds:
            cases.append({"label": {**dict(zip(names, values)), "seed": seed}, "profile": profile,
                          "tiers": varied, "seed": seed, **simulate_args})
    return cases


def summarise_case(case):
    """Run one case (in a worker) and return its flat row: label, tier summaries, costs."""
    args = {key: value for key, value in case.items() if key != "label"}
    summary = simulate(**args).summary()
    row = dict(case["label"])
    for tier, values in summary["tiers"].items():
        row.update({f"{tier}.{key}": value for key, value in values.items()})
    row.update({key: summary[key] for key in ("compute_cost_month_usd", "total_cost_month_usd")})
    return row


def run_sweep(cases, scheduler_address=None, n_workers=2, progress=True):
    """One row per case (summarise_case), computed on dask; rows in the cases' order."""
    require_extra("throughput")
    from dask.distributed import as_completed
    from tqdm import tqdm

    from zkwork.bench.throughput import dask_client  # one-thread worker processes, or the scheduler given

    with dask_client(scheduler_address, n_workers) as (client, _):
        futures = [client.submit(summarise_case, case, pure=False) for case in cases]
        order = {future.key: index for index, future in enumerate(futures)}
        rows = [None] * len(cases)
        with tqdm(total=len(cases), unit="case", file=sys.stderr, disable=not progress) as bar:
            for future in as_completed(futures):
                rows[order[future.key]] = future.result()
                bar.update(1)
    frame = pd.DataFrame(rows)
    frame.attrs["assumption"] = PER_CORE_ASSUMPTION
    return frame
