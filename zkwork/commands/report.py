"""`zkwork report` (every study into a dated report) and `zkwork study NAME` (one study, no Jupyter)."""
import sys

from zkwork.commands.common import Exit, add_output_options, emit


def report_arguments(parser):
    """The options of `zkwork report`."""
    parser.add_argument("--quick", action="store_true", help="small circuits and few runs (about 2 minutes warm)")
    parser.add_argument("--out", default="reports", metavar="DIR", help="where the dated run directories go "
                                                                         "(default reports)")
    parser.add_argument("--no-peers", action="store_true", help="skip snarkjs beside zkwork")
    add_output_options(parser, out=False)


def report(args):
    """Runs the notebooks into reports/<UTC timestamp>/ with summary.md; exit 1 if one failed."""
    from zkwork.report import run_report

    run_dir, complete = run_report(out=args.out, quick=args.quick, peers=not args.no_peers)
    emit(args, {"run_dir": str(run_dir), "complete": complete},
         f"wrote {run_dir}/summary.md, results.json, the executed notebooks, their HTML and figures/")
    if not complete:
        print(f"zkwork: report incomplete: a notebook is missing or failed; see {run_dir}/summary.md",
              file=sys.stderr)
        return Exit.REJECTED
    return Exit.OK


def study_arguments(parser):
    """The options of `zkwork study`."""
    parser.add_argument("name", help="budgets, latency, throughput, load-test, fleet, monitoring, audit or ceremony "
                                     "(or its notebook's name)")
    parser.add_argument("--quick", action="store_true", help="the study's size in `zkwork report --quick`")
    add_output_options(parser)


def study(args):
    """Runs one study and prints its headline (or its whole Result with --json)."""
    from zkwork.studies import get_study

    module = get_study(args.name)
    result = module.run(module.Params.quick() if args.quick else module.Params())
    lines = [f"{module.NAME}: {result.headline()}", result.run.describe()]
    unstable = result.unstable()
    if unstable:
        lines.append("unstable timings: " + ", ".join(unstable))
    emit(args, result.to_json(), "\n".join(lines))
    return Exit.OK
