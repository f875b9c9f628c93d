"""The `zkwork` command line."""
import argparse
import json
import sys
from pathlib import Path


def cmd_info(args):
    from zkwork.bench.machine import describe, jit_cache_state

    machine = describe()
    cache = jit_cache_state()
    if args.json:
        print(json.dumps({**machine, "jit_cache": cache}, indent=2))
        return 0
    print(f"zkwork {machine['versions']['zkwork']}  (git {machine['git_commit'] or 'unknown'})")
    print(f"CPU:        {machine['cpu_model']}  ({machine['cpu_count']} logical cores)")
    print(f"platform:   {machine['platform']}")
    print("versions:   " + ", ".join(f"{k} {v}" for k, v in machine["versions"].items() if k != "zkwork"))
    print(f"numba threading layer: {machine['numba_threading_layer']}")
    state = "warm" if cache["warm"] else "cold (the first use of a kernel compiles it)"
    print(f"JIT cache:  {state}; {cache['cached_kernels']} cached kernels in {cache['location']}")
    if cache["modules_not_cached"]:
        print("            not yet compiled: " + ", ".join(cache["modules_not_cached"]))
    return 0


def cmd_bench_arith(args):
    from zkwork.bench.arith import bench_arith, format_markdown

    results = bench_arith(runs=args.runs, quick=args.quick, peers=not args.no_peers)
    text = format_markdown(results)
    print(text)
    for path, content in ((args.json, json.dumps(results, indent=2)), (args.markdown, text)):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(content + "\n")
            print(f"wrote {path}", file=sys.stderr)
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="zkwork", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    info = sub.add_parser("info", help="versions, CPU, numba threading layer, JIT cache state")
    info.add_argument("--json", action="store_true", help="print machine-readable JSON")
    info.set_defaults(func=cmd_info)

    bench = sub.add_parser("bench", help="benchmarks").add_subparsers(dest="suite", required=True)
    arith = bench.add_parser("arith", help="field, curve, MSM, NTT and pairing speed against py_ecc")
    arith.add_argument("--runs", type=int, default=5, help="timed runs per operation (median reported)")
    arith.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    arith.add_argument("--no-peers", action="store_true", help="skip the py_ecc/galois peer measurements")
    arith.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    arith.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown")
    arith.set_defaults(func=cmd_bench_arith)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
