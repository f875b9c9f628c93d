"""summary.md of a `zkwork report` run (zkwork.report): the answer first (the SLAs per
pattern; servers and dollars, canonically from the load test's capacity at SLA, cross-checked
by the throughput study's 70 %-rule plan and the M/G/c model), then the load test, the
constraint budgets, the alerts, the audit, the ceremony, the figures, the time and contention
of each study and the notebooks' run record. Every figure is copied from the typed Results
the studies wrote in the run (`study_result`); nothing is measured here."""
import statistics
from pathlib import Path

from zkwork.capacity import guide_summary
from zkwork.errors import JsonFormatError
from zkwork.studies import StudyError, get_study
from zkwork.studies.base import SPREAD_LIMIT, size_text, verdict


def study_result(results, notebook):
    """The typed Result the study of `notebook` wrote in this run (None if it wrote none)."""
    data = results["results"].get(notebook)
    return None if data is None else get_study(notebook).Result.from_json(data)


def _study(notebook):
    """The study module of `notebook` (None for a notebook that is no study's)."""
    try:
        return get_study(notebook)
    except StudyError:
        return None


def _status(results, name):
    """How the notebook `name` ended in this run ('not part of this report' if it was not run)."""
    return results["notebooks"].get(name, {}).get("status", "not part of this report")


def _range_text(bounds):
    low, high = bounds
    return f"{low:,}–{high:,}"


def _within(value, bounds):
    low, high = bounds
    if value < low:
        return "below the guide's range"
    if value > high:
        return "above the guide's range"
    return "within the guide's range"


END_TO_END = ("Latency, throughput, monitoring and capacity figures are measured end to end (input JSON in, proof "
              "JSON out), with witness time as its own column beside prove time.")


def _ms(value, digits=0):
    """A millisecond figure, or n/a when the study did not record it."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def _latency_columns(latency, row):
    """(witness median ms, prove-stage P95 ms, end-to-end P95 ms, SLA verdict) of an SLA row,
    read defensively: the keys may sit on the SLA row or on its bench row, and a study
    without end-to-end figures is judged on its prove P95 (the verdict says so)."""
    bench = next((r for r in latency.rows if (r.get("pattern"), r.get("variant")) == (row["pattern"], row["variant"])),
                 {})

    def get(key):
        return row.get(key, bench.get(key))

    end_to_end = get("end_to_end_p95_ms")
    passed = verdict(end_to_end < latency.prove_sla_ms) if end_to_end is not None \
        else f"{verdict(row['prove_pass'])} (prove only)"
    return get("witness_median_ms"), get("prove_p95_ms"), end_to_end, passed


def _latency_lines(results, run):
    latency = study_result(results, "latency")
    if latency is None:
        return [f"- Latency: **not measured** (the latency notebook: {_status(results, 'latency')})."]
    params = latency.params
    peers = (f"; snarkjs {params['peer_runs']} proofs and {params['peer_verify_runs']} verifications, so its P95 "
             "and P99 are near its slowest run" if params.get("peers") and "peer_runs" in params else "")
    lines = [f"Latency, measured in run {run} ({params['runs']} proofs and {params['verify_runs']} "
             f"verifications per circuit{peers}, {latency.sizes} circuit sizes). SLAs from the guide: proof P95 < "
             f"{latency.prove_sla_ms:g} ms (end to end), verification P99 < {latency.verify_sla_ms:g} ms.", ""]
    if latency.sizes != "production":
        lines += ["> Quick run: these are the small circuits, not the production sizes; the verdicts below "
                  "say nothing about production. Run `zkwork report` without --quick for the answer.", ""]
    peer = any("snarkjs_prove_p95_ms" in row for row in latency.sla_rows)
    header = ("| pattern | variant | size | constraints | witness median ms | prove P95 ms | end-to-end P95 ms | SLA "
              "| verify P99 ms | SLA |")
    rule = "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- |"
    if peer:
        header += " snarkjs proof P95 ms | snarkjs verify P99 ms |"
        rule += " ---: | ---: |"
    lines += [header, rule]
    for row in latency.sla_rows:
        witness, prove, end_to_end, passed = _latency_columns(latency, row)
        line = (f"| {row['pattern']} | {row['variant']} | {row['size']} | {row['constraints']:,} | "
                f"{_ms(witness, 1)} | {_ms(prove)} | {_ms(end_to_end)} | {passed} | {row['verify_p99_ms']:.1f} | "
                f"{verdict(row['verify_pass'])} |")
        if peer:
            line += (f" {row['snarkjs_prove_p95_ms']:.0f} | {row['snarkjs_verify_p99_ms']:.1f} |"
                     if "snarkjs_prove_p95_ms" in row else " n/a | n/a |")
        lines.append(line)
    errors = sorted({row["snarkjs_error"] for row in latency.rows if "snarkjs_error" in row})
    lines += [f"\nsnarkjs not measured: {error}" for error in errors]
    return lines


def _throughput_lines(capacity):
    """The measured windows: end-to-end proofs per second and per CPU-second, with the
    witness and prove medians side by side and the witness's share of the CPU-seconds."""
    lines = ["| workers | end-to-end proofs/s | end-to-end proofs per CPU-s per core | witness median ms | "
             "prove median ms | witness share of CPU | core share |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in capacity.throughput:
        share = row.get("witness_share")
        lines.append(f"| {row['workers']} | {row['proofs_per_s']:.2f} | {row['proofs_per_cpu_s']:.2f} | "
                     f"{_ms(row.get('witness_median_ms'), 1)} | {_ms(row.get('prove_median_ms'))} | "
                     f"{'n/a' if share is None else f'{share:.1%}'} | {row['core_share']:.0%} |")
    return lines


def _capacity_lines(results, run):
    """Servers and cost: from the load test's capacity at SLA when it ran, the throughput
    study's 70 %-rule plan and the M/G/c beside it; else the throughput plan alone, saying so."""
    load = study_result(results, "load-test")
    capacity = study_result(results, "throughput-and-capacity")
    if load is not None and load.plan:
        lines = _sla_plan_lines(load, capacity, run)
    elif capacity is None:
        return ["- Servers and cost: **not measured** (the throughput-and-capacity notebook: "
                f"{_status(results, 'throughput-and-capacity')}; the load-test notebook: "
                f"{_status(results, 'load-test')})."]
    else:
        why = ("it measured no capacity at SLA for both tiers" if load is not None
               else f"the load-test notebook: {_status(results, 'load-test')}")
        lines = [f"The load test gave no plan ({why}): the plan falls back to the throughput study's 70 % rule.", ""]
        lines += _rule_plan_lines(capacity, run)
    if capacity is None:
        return lines
    plan = capacity.capacity
    if plan.get("cpu_s_per_proof") is not None:
        witness = plan.get("witness_cpu_s_per_proof")
        share = "" if witness is None else f", of which the witness {witness:.3g} s ({plan['witness_share']:.1%})"
        lines += ["", f"The 70 %-rule plan counts {plan['cpu_s_per_proof']:.3g} CPU-seconds per end-to-end "
                      f"proof{share}."]
    if capacity.throughput:
        lines += ["", "The measured throughput windows:", ""] + _throughput_lines(capacity)
    assumptions = plan.get("assumptions") or {}
    if assumptions:
        lines += ["", "Assumptions of the 70 %-rule plan:", ""]
        lines += [f"- {key}: {_assumption_text(value)}" for key, value in assumptions.items()]
    return lines


def _rule_plan_lines(capacity, run):
    """The throughput study's plan (per-core rates, the 70 % rule) against the guide's."""
    plan, guide = capacity.capacity, capacity.guide
    return [
        f"Servers and cost, from the throughput measured in run {run} on {capacity.pattern}/{capacity.variant}, "
        "against the guide's plan:", "",
        "| | measured plan | guide | |", "| --- | ---: | ---: | --- |",
        f"| proof servers | {plan['proof_servers']:,} | {_range_text(guide['proof_servers'])} | "
        f"{_within(plan['proof_servers'], guide['proof_servers'])} |",
        f"| verification servers | {plan['verification_servers']:,} | {_range_text(guide['verification_servers'])} | "
        f"{_within(plan['verification_servers'], guide['verification_servers'])} |",
        f"| dollars per month | ${plan['cost_per_month_usd']:,.0f} | ~${guide['cost_per_month_usd']:,.0f} | "
        f"{plan['cost_per_month_usd'] / guide['cost_per_month_usd']:.0%} of the guide's estimate |",
    ]


def _rate(value, digits=3):
    return "n/a" if value is None else f"{value:.{digits}g}"


def _per_s(value):
    """'6.16/s', or 'none' when there is no such rate."""
    return "none" if value is None else f"{value:.3g}/s"


def _sla_plan_lines(load, capacity, run):
    """The canonical plan (capacity at SLA per core) beside the 70 %-rule and M/G/c plans."""
    plans = {"capacity at SLA (canonical)": load.plan, "70 % rule (throughput study)":
             capacity.capacity if capacity else None, "M/G/c model": load.model_plan or None}
    guide = guide_summary()
    at_sla, model = load.capacity_at_sla, load.model
    lines = [f"Servers and cost, canonically from the capacity at SLA that the load test measured in run {run} "
             f"({load.label}, `zkwork serve` under open-loop load): the highest rate per core at which proof "
             f"P{load.sla['proof']['percentile']} < {load.sla['proof']['bound_ms']:g} ms and verification "
             f"P{load.sla['verification']['percentile']} < {load.sla['verification']['bound_ms']:g} ms still hold, "
             "per core left to the service by the load generator; servers = ceil(peak / (capacity at SLA per core × "
             "cores per server)) + headroom, no CPU threshold on top (the SLA is the bound). The throughput study's "
             "70 %-rule plan and the M/G/c prediction are cross-checks.", "",
             "| | " + " | ".join(plans) + " | guide |", "| --- |" + " ---: |" * (len(plans) + 1)]
    for label, key, guide_text in (
            ("proof servers", "proof_servers", _range_text(guide["proof_servers"])),
            ("verification servers", "verification_servers", _range_text(guide["verification_servers"]))):
        lines.append(f"| {label} | " + " | ".join("n/a" if not plan else f"{plan[key]:,}" for plan in plans.values())
                     + f" | {guide_text} |")
    lines.append("| dollars per month | " + " | ".join("n/a" if not plan else f"${plan['cost_per_month_usd']:,.0f}"
                                                      for plan in plans.values())
                 + f" | ~${guide['cost_per_month_usd']:,.0f} |")
    rule = capacity.capacity if capacity else None
    for tier, what in (("proof", "end-to-end proofs"), ("verification", "verifications")):
        rates = [at_sla[tier]["per_core"], None if not rule else rule[tier]["rate_per_core"]
                 * rule[tier]["cpu_threshold"], model[tier]["sla_rate_per_core"]]
        lines.append(f"| {what}/s per core used | " + " | ".join(_rate(rate) for rate in rates) + " | |")
    lines += ["", "How they differ:"]
    for tier in ("proof", "verification"):
        measured, modelled = at_sla[tier]["per_core"], model[tier]["sla_rate_per_core"]
        text = f"- {tier}s: capacity at SLA {_rate(measured)}/s per core ({at_sla[tier]['method']})"
        if rule:
            usable = rule[tier]["rate_per_core"] * rule[tier]["cpu_threshold"]
            text += (f"; the 70 % rule counts {_rate(usable)}/s per core ({rule[tier]['rate_per_core']:.3g} per "
                     f"CPU-second × {rule[tier]['cpu_threshold']:.0%}), "
                     + (f"and the SLA holds up to {measured / usable:.2f}× that" if measured and measured > usable
                        else f"{usable / measured:.2f}× the rate at which the SLA holds: queueing breaks the SLA "
                        "below 70 % CPU" if measured else "with no capacity at SLA to compare"))
        if modelled is not None and measured:
            text += (f"; the M/G/c model predicts {_rate(modelled)}/s per core, {modelled / measured:.2f}× the "
                     "measured (it gives each server a core of its own: above 1, contention for the cores is the "
                     "difference)")
        if at_sla[tier]["to_step"] is None and measured:
            saturation = load.calibration[tier]["saturation"]
            text += (f". Every step held the SLA, so {_rate(measured)}/s is a lower bound, not the service's limit: "
                     f"the load generator shares the cores (it used {saturation['generator_cpu_share']:.0%} of them in "
                     f"the saturating step, and dropped {saturation['statuses'].get('dropped', 0):,} requests at its "
                     "concurrency cap), so the plan's servers for this tier are an upper bound")
        lines.append(text + ".")
    return lines


def _latency(value):
    """A latency in ms: whole above 100 ms, three digits below; n/a when not measured."""
    return "n/a" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def _interval(value, bounds):
    """'992 [778–1067]': a percentile and its 95 % interval ('?' for a side too few samples bound)."""
    if value is None:
        return "n/a"
    low, high = bounds
    return f"{_latency(value)} [{'?' if low is None else _latency(low)}–{'?' if high is None else _latency(high)}]"


def _prometheus_text(row, key):
    """Prometheus's histogram_quantile of a step and the error the buckets allow ('±∞': +Inf bucket)."""
    prom = row.get("prometheus") or {}
    value = prom.get(f"{key}_ms")
    if value is None:
        return "n/a"
    bound = prom.get(f"{key}_error_bound_ms")
    return f"{_latency(value)} (±{'∞' if bound is None else f'{bound:g}'})"


def _durations(load, tier):
    """The seconds the steps of a tier lasted as run: '14 s', or '14–42 s' when some were stretched."""
    seconds = [row["duration_s"] for row in load.steps if row["kind"] == tier]
    if not seconds:
        return "no step"
    low, high = min(seconds), max(seconds)
    return f"{low:.3g} s" if high - low < 0.05 else f"{low:.3g}–{high:.3g} s"


def _load_test_lines(results, run):
    """The load test: steps, capacity at SLA, CPU accounting, exact against Prometheus, alerts."""
    load = study_result(results, "load-test")
    if load is None:
        return [f"Load test **not run** (the load-test notebook: {_status(results, 'load-test')})."]
    params = load.params
    lines = [f"Run {run}: `zkwork serve` ({load.label}, {load.workers} workers, a prove queue of {load.queue}, "
             f"{load.cores} cores shared with the load generator) under open-loop Poisson load, one step after the "
             f"other at {', '.join(f'{f:.0%}' for f in params['fractions'])} of the saturated capacity "
             f"({load.capacity['proof']:.3g} proofs/s, {load.capacity['verification']:.3g} verifications/s), "
             f"{_durations(load, 'proof')} per proof step and {_durations(load, 'verification')} per verification "
             f"step (longer than set where a step would expect fewer than {params.get('min_requests', 0)} requests). "
             "Percentiles are exact, from each request's scheduled start, with their 95 % distribution-free "
             "confidence interval (order statistics: '?' where the step has too few samples to bound a side).", ""]
    for tier, at_sla in load.capacity_at_sla.items():
        account, sla = load.accounting[tier], load.sla[tier]
        lines.append(
            f"- {tier}s, P{sla['percentile']} < {sla['bound_ms']:g} ms and at most {sla['max_error_share']:.2%} "
            f"503s: capacity at SLA {_per_s(at_sla['rate'])} ({at_sla['method']}), {_per_s(at_sla['per_core'])} per "
            f"core left to the service ({_per_s(account['per_machine_core'])} per machine core); at the step at "
            f"{account['step_offered_rate']:.3g}/s offered the server spent "
            f"{_rate(account['server_cpu_s_per_request'])} CPU-seconds per 2xx and the generator {account['generator_cpu_share']:.1%} of the cores, so the CPU "
            f"left to the service allows at most {_per_s(account['cpu_bound_rate'])}; M/G/c: "
            f"{_per_s(load.model[tier]['sla_rate'])}.")
    lines += ["", "The percentiles can only grow with the load: the SLA is judged on their monotone (isotonic) fit "
                  "over the steps, so that a noisy dip or blip between steps does not decide the capacity. "
                  "Verifications run on one thread of the service process (zkwork.service.app): their rate per core "
                  "assumes one service process per core on the planned servers."]
    lines += ["", "| tier | offered/s | goodput/s | 503 | P50 ms | P95 ms [95 % CI] | P99 ms [95 % CI] | "
                  "Prometheus P95 ms (bucket error) | Prometheus P99 ms (bucket error) | server CPU-s/request | "
                  "generator CPU | 2xx |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in sorted(load.steps, key=lambda row: (row["kind"], row["offered_rate"])):
        lines.append(f"| {row['kind']} | {row['offered_rate']:.3g} | {row['goodput']:.3g} | {row['share_503']:.1%} | "
                     f"{_latency(row['p50_ms'])} | {_interval(row['p95_ms'], row['confidence']['p95'])} | "
                     f"{_interval(row['p99_ms'], row['confidence']['p99'])} | {_prometheus_text(row, 'p95')} | "
                     f"{_prometheus_text(row, 'p99')} | {_rate(row['server_cpu_s_per_request'])} | "
                     f"{row['generator_cpu_share']:.1%} | {row['ok']} |")
    prometheus = load.prometheus
    if not prometheus.get("available"):
        lines += ["", f"Prometheus did not run: {prometheus.get('error')}."]
        return lines
    lines += ["", f"Prometheus scraped the service every {prometheus['scrape_interval_s']:g} s; its histogram_quantile "
                  "over each step's window (counts between the scrapes around it) is set beside the exact figures: "
                  "the guide's buckets allow an error up to the width of the bucket holding the true percentile "
                  "(± above; ∞ in the +Inf bucket, where Prometheus answers the last finite bound); the service "
                  "times from a request's admission, the generator from its scheduled start.",
              "", "The guide's alert rules at the end of the load test (their `for` clauses of minutes cannot elapse "
                  "in a step: pending is as far as a rule gets): "
              + (", ".join(f"{rule['name']} {rule['state']}" for rule in prometheus["alerts_end"])
                 if prometheus.get("alerts_end") else f"not read ({prometheus.get('error')})") + "."]
    return lines


def _fleet_lines(results, run):
    """The fleet simulation: does the guide's fleet meet the SLAs on each scenario, at what
    cost, and the fix where it does not (zkwork.studies.fleet)."""
    fleet = study_result(results, "fleet-simulation")
    if fleet is None:
        return [f"Fleet simulation **not run** (the fleet-simulation notebook: {_status(results, 'fleet-simulation')})."]
    lines = [f"Run {run}: the guide's fleet (50 proof + 10 verification servers to start, its autoscaler, its "
             f"balancers) simulated over each scenario from service times measured in the same notebook "
             f"({', '.join(f'{name} {weight:g}' for name, weight in fleet.mix.items())}, {fleet.sizes} sizes). "
             f"Assumption: {fleet.assumption}.", "",
             "| scenario | tier | SLA | meets | minutes within | requests within | worst minute ms | mean servers | "
             "$/month | guide $/month |", "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for scenario in fleet.scenarios:
        for tier, v in scenario["verdicts"].items():
            totals = scenario["summary"]["tiers"][tier]
            share = "n/a" if v["minutes_within_sla"] is None else f"{v['minutes_within_sla']:.1%}"
            lines.append(f"| {scenario['profile']} | {tier} | {v['sla']} | {'yes' if v['meets'] else '**no**'} | "
                         f"{share} | {v['requests_within_sla'] or 0:.2%} | {_ms(v['worst_minute_ms'])} | "
                         f"{totals['mean_servers']:.1f} | {totals['cost_month_usd']:,.0f} | "
                         f"{totals['guide_static_cost_month_usd']:,.0f} |")
    for fix in fleet.fixes:
        servers = "none up to the bound" if fix["servers"] is None else \
            f"{fix['servers']} static servers (${fix['cost_month_usd']:,.0f}/month)"
        lines.append(f"- {fix['scenario']}, {fix['tier']} tier: the smallest fleet meeting its SLA at "
                     f"{fix['rate']:,.0f}/s is {servers}.")
    sweep = fleet.sweep
    compliant = [row for row in sweep["rows"] if row.get("proof.minutes_within_sla") == 1.0]
    if compliant:
        best = min(compliant, key=lambda row: row["compute_cost_month_usd"])
        settings = ", ".join(f"{name.split('.')[-1]} {best[name]:g}" for name in sweep["axes"])
        lines.append(f"- Autoscaler sweep ({sweep['name']}, {sweep['cases']} cases on {sweep['profile']}): the cheapest "
                     f"setting keeping every minute within the proof SLA is {settings}, "
                     f"${best['compute_cost_month_usd']:,.0f}/month of compute at that window's rates.")
    else:
        lines.append(f"- Autoscaler sweep ({sweep['name']}, {sweep['cases']} cases on {sweep['profile']}): no setting "
                     "keeps every minute within the proof SLA.")
    return lines


def _assumption_text(value):
    """An assumption of the capacity plan: its value, and where it comes from when stated."""
    if isinstance(value, dict) and "value" in value:
        source = f" ({value['source']})" if value.get("source") else ""
        return f"{value['value']:,.4g}{source}" if isinstance(value["value"], float) else f"{value['value']}{source}"
    return str(value)


def _alert_lines(results, run):
    monitoring = study_result(results, "monitoring")
    if monitoring is None:
        return [f"- Alerts: **not evaluated** (the monitoring notebook: {_status(results, 'monitoring')})."]
    lines = [f"The guide's alerts evaluated on the metrics measured in run {run} (monitoring notebook), "
             "one line per alert over its series (e.g. one per circuit):", ""]
    witness = [(circuit, statistics.median(latencies["witness_s"]), statistics.median(latencies["prove_s"]))
               for circuit, latencies in monitoring.latencies.items()
               if latencies.get("witness_s") and latencies.get("prove_s")]
    if witness:
        lines[0] += (" proof_generation_duration observes end-to-end proofs; witness median of end-to-end median "
                     "per circuit: " + ", ".join(f"{circuit} {1e3 * w:.1f} of {1e3 * e:.0f} ms"
                                                 for circuit, w, e in witness) + ".")
    by_name = {}
    for alert in monitoring.alerts:
        by_name.setdefault(alert["name"], []).append(alert)
    for name, series in by_name.items():
        firing = [alert for alert in series if alert["fires"]]
        where = ", ".join(_labels_text(alert) for alert in firing)
        state = f"**fires** for {len(firing)} of {len(series)}" + (f" ({where})" if where else "") if firing \
            else f"quiet for all {len(series)}"
        values = [alert["value"] for alert in series if isinstance(alert["value"], (int, float))]
        extreme = f"largest value {max(values):.4g}, " if values else ""
        lines.append(f"- {name}: {state} ({extreme}threshold {series[0]['threshold']})")
    return lines


def _labels_text(alert):
    """An alert series' labels, e.g. 'circuit_type=membership_hardened_d20'."""
    return ",".join(f"{key}={value}" for key, value in (alert.get("labels") or {}).items())


def _budget_lines(results, run):
    budgets = study_result(results, "constraint-budgets")
    if budgets is None:
        return [f"Constraint budgets **not computed** (the constraint-budgets notebook: "
                f"{_status(results, 'constraint-budgets')})."]
    lines = [f"Built in run {run} (counts equal circom --O2's); budget: {budgets.budget:,} constraints per circuit.",
             "", "| pattern | variant | size | constraints | wires | public signals | within budget |",
             "| --- | --- | --- | ---: | ---: | ---: | --- |"]
    for row in budgets.patterns:
        lines.append(f"| {row['pattern']} | {row['variant']} | {size_text(row['params'])} | {row['constraints']:,} | "
                     f"{row['wires']:,} | {row['public_signals']} | "
                     f"{verdict(budgets.passes[row['pattern']][row['variant']])} |")
    claims = budgets.claims.get("rows", [])
    if claims:
        lines += ["", "The reference design's claims beside the counts built in this run:", ""]
        for claim in claims:
            lines.append(f"- {claim['pattern']} ({claim['size']}): claimed ~{claim['claimed']:,}, measured "
                         f"{claim['measured_reference']:,} (reference) and {claim['measured_hardened']:,} (hardened), "
                         f"{claim['measured_over_claimed']:.1f}x the claim")
    return lines


def _security_lines(results, run):
    audit = study_result(results, "security-audit")
    if audit is None:
        return [f"Attacks **not run** (the security-audit notebook: {_status(results, 'security-audit')})."]
    summary = audit.summary
    lines = [f"Run {run}, {audit.sizes} sizes: {summary['accepted_by_reference']} of {summary['weaknesses']} "
             f"attacks produced a proof the reference verifier accepts; the hardened variants resisted "
             f"{summary['resisted_by_hardened']} of {summary['weaknesses']}; tampered proofs accepted: "
             f"{summary['tampered_accepted']}.", "",
             "| pattern | attack | reference | hardened | fix cost (constraints) |",
             "| --- | --- | --- | --- | ---: |"]
    for row in audit.findings:
        lines.append(f"| {row['pattern']} | {row['attack']} | {row['attack result']} | {row['hardened result']} | "
                     f"{row['fix cost (constraints)']:+,} |")
    return lines


def _ceremony_lines(results, run):
    ceremony = study_result(results, "setup-ceremony")
    if ceremony is None:
        return [f"Ceremony **not run** (the setup-ceremony notebook: {_status(results, 'setup-ceremony')})."]
    phase1, phase2, proof = ceremony.phase1, ceremony.phase2, ceremony.proof
    lines = [
        f"Run {run}: {ceremony.contributors} contributors and a beacon in phase 1 (2^{ceremony.power} powers "
        f"of tau) and in phase 2 of {ceremony.label} ({ceremony.constraints:,} constraints). Transcript "
        f"verification: phase 1 {verdict(phase1['ok'])} ({phase1['checks']} checks, {phase1['verify_s']:.1f} s), "
        f"phase 2 {verdict(phase2['ok'])} ({phase2['checks']} checks, {phase2['verify_s']:.1f} s); a proof with the "
        f"ceremony's keys verifies: {verdict(proof['verified'] and not proof['tampered_verified'])}.",
        f"Median contribution: {statistics.median(phase1['contribution_s'][:-1]):.2f} s (phase 1), "
        f"{statistics.median(phase2['contribution_s'][:-1]):.2f} s (phase 2); initial keys "
        f"{phase2['initial_keys_s']:.1f} s.",
        "", "| power | contribution (s) | verification (s) | state (MiB) |", "| ---: | ---: | ---: | ---: |"]
    for row in ceremony.scaling:
        lines.append(f"| 2^{row['power']} | {row['contribution_s']:.2f} | {row['verify_s']:.2f} | "
                     f"{row['state_bytes'] / 2**20:.1f} |")
    return lines


def _setup_step_lines(results, run):
    steps = study_result(results, "setup_steps")
    if steps is None:
        return [f"zkwork against snarkjs per setup step: **not run** (hosted by the setup-ceremony notebook: "
                f"{_status(results, 'setup-ceremony')})."]
    agreed = all(row["agree"] for row in steps.rows)
    lines = [f"zkwork against snarkjs per setup step, run {run}: {steps.circuit}'s circom twin "
             f"({steps.constraints:,} constraints), each step a fresh process as a user runs it, outputs compared "
             f"({'every one agrees' if agreed else '**outputs DISAGREE**'}); peak MB is that process's peak RSS; "
             "'via daemon' is the same step forwarded to a resident `zkwork daemon`. Powers 13 and 14 are "
             "`zkwork bench setup`'s.", "",
             "| power | step | zkwork s | zkwork CPU s | zkwork peak MB | snarkjs s | snarkjs CPU s | snarkjs peak MB "
             "| snarkjs/zkwork wall | zkwork via daemon s | snarkjs/daemon wall | load | output check |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for row in steps.rows:
        ours, theirs = row["zkwork"], row["snarkjs"]
        served = (f"{row['daemon']['wall_s']:.2f} | {row['ratio_wall_daemon']:.1f}x" if "daemon" in row
                  else "- | -")
        lines.append(f"| 2^{row['power']} | {row['step']} | {ours['wall_s']:.2f} | {ours['cpu_s']:.2f} | "
                     f"{ours['peak_rss_mb']:.0f} | {theirs['wall_s']:.2f} | {theirs['cpu_s']:.2f} | "
                     f"{theirs['peak_rss_mb']:.0f} | {row['ratio_wall']:.1f}x | {served} | {ours['load_before']:.1f} → "
                     f"{theirs['load_after']:.1f} | {row['check']} |")
    return lines


def _figure_lines(results, run):
    lines = []
    for name, record in results["notebooks"].items():
        for figure in record.get("figures", []):
            caption = f"{Path(figure).stem} ({name}), measured in run {run}"
            lines += [f"![{caption}]({figure})", "", f"*{caption}.*", ""]
    return lines or ["No figures were written."]


def _time_lines(results):
    """Per study: the notebook's seconds against its budget, the measured wall and CPU seconds,
    the load, and the flags of a measurement under contention or with unstable repeats."""
    quick = results["quick"]
    lines = [f"Seconds per notebook (papermill, kernel start and HTML included) against the study's budget in a "
             f"{'quick' if quick else 'default'} report, and the study's own measurement record. Flagged: a load "
             "above the cores or CPU/wall below half the threads kept busy (contention), and repeated timings "
             f"whose standard deviation exceeds {SPREAD_LIMIT:.0%} of their mean (as pyperf warns).", "",
             "| notebook | seconds | budget | measured wall s | CPU s | load before → after | flags |",
             "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
    total = budget_total = 0
    for name, record in results["notebooks"].items():
        module = _study(name)
        budget = module.TIME_BUDGET_S["quick" if quick else "default"] if module else None
        seconds = record.get("seconds")
        total += seconds or 0
        budget_total += budget or 0
        over = " **over budget**" if budget and seconds and seconds > budget else ""
        try:
            result = study_result(results, name) if module else None
        except JsonFormatError:
            result = None
        if result is None:
            lines.append(f"| {name} | {seconds if seconds is not None else '-'}{over} | {budget or '-'} | - | - | - | "
                         f"{record['status']} |")
            continue
        measured_run = result.run
        loads = " → ".join("?" if load is None else f"{load:.1f}" for load in (measured_run.load_before,
                                                                                measured_run.load_after))
        unstable = result.unstable()
        if len(unstable) > 2:
            unstable = [f"{len(unstable)} of {len(result.spreads())} timing series spread over {SPREAD_LIMIT:.0%} "
                        f"(largest {max(value for value in result.spreads().values() if value):.0%})"]
        flags = "; ".join(measured_run.contention() + unstable) or "-"
        lines.append(f"| {name} | {seconds}{over} | {budget} | {measured_run.wall_s:.1f} | {measured_run.cpu_s:.1f} | "
                     f"{loads} | {flags} |")
    lines.append(f"| total | {total:.1f} | {budget_total} | | | | |")
    return lines


def _notebook_lines(results):
    lines = ["| notebook | status | seconds | executed | HTML | note |", "| --- | --- | ---: | --- | --- | --- |"]
    for name, record in results["notebooks"].items():
        executed = f"[{record['executed']}]({record['executed']})" if "executed" in record else "-"
        html = f"[{record['html']}]({record['html']})" if "html" in record else "-"
        note = record.get("error", record.get("html_error", ""))
        lines.append(f"| {name} | {record['status']} | {record.get('seconds', '-')} | {executed} | {html} | {note} |")
    return lines


def format_summary(results):
    """summary.md: the answer first (SLAs per pattern, servers and dollars against the guide),
    then the load test, the constraint budgets, the alerts, the audit, the ceremony, the figures, the time
    and contention of each study and the notebooks' run record."""
    run, machine = results["run"], results["machine"]
    problems = [f"**{name} {record['status']}**: {record.get('error', '')}"
                for name, record in results["notebooks"].items() if record["status"] != "ok"]
    lines = [
        f"# zkwork report {run}",
        "",
        f"Every figure here was measured in this run ({run}) on {machine['cpu_model']} "
        f"({machine['cpu_count']} logical cores), zkwork git {machine['git_commit'] or 'unknown'}"
        + (", **quick** run (small sizes, few runs)" if results["quick"] else "") + ". " + END_TO_END,
        "",
    ]
    if problems:
        lines += ["> Incomplete report: " + "; ".join(problems), ""]
    lines += ["## The answer", ""]
    lines += _latency_lines(results, run) + [""] + _capacity_lines(results, run) + [""]
    lines += ["## Load test", ""] + _load_test_lines(results, run) + [""]
    lines += ["## Fleet over a day", ""] + _fleet_lines(results, run) + [""]
    lines += ["## Constraint budgets", ""] + _budget_lines(results, run) + [""]
    lines += ["## Alerts", ""] + _alert_lines(results, run) + [""]
    lines += ["## Security audit", ""] + _security_lines(results, run) + [""]
    lines += ["## Trusted-setup ceremony", ""] + _ceremony_lines(results, run) + [""]
    lines += _setup_step_lines(results, run) + [""]
    lines += ["## Figures", ""] + _figure_lines(results, run)
    lines += ["## Time and contention", ""] + _time_lines(results) + [""]
    lines += ["## Notebooks of this run", ""] + _notebook_lines(results)
    lines += ["", "Machine and versions: see `results.json` (`machine`); each notebook's results are under "
              "`results.<notebook>` (its study's Result, with the study's own `run` record), and "
              "`notebooks.<notebook>.measured` says which run measured them."]
    return "\n".join(lines)
