"""What every command shares: the exit statuses, the --json/--out output, --param pairs."""
import json
import sys
from enum import IntEnum
from pathlib import Path

from zkwork.errors import UsageError


class Exit(IntEnum):
    """The exit statuses of every zkwork command."""

    OK = 0  # ok, valid, safe
    REJECTED = 1  # rejected, invalid, unsafe
    MALFORMED = 2  # unreadable or malformed input
    UNKNOWN = 3  # an analysis that could not decide
    USAGE = 64  # a command line zkwork cannot act on (sysexits.h's EX_USAGE)


def add_output_options(parser, out=True):
    """--json (print the result as JSON on stdout) and, with `out`, --out FILE (write it)."""
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout instead of text")
    if out:
        parser.add_argument("--out", metavar="FILE", help="also write the result as JSON to FILE")
        parser.set_defaults(out_is_json=True)  # commands whose --out is their own (a directory) lack it


def emit(args, payload, text):
    """Prints `text`, or the JSON of `payload` with --json; writes the JSON to --out FILE."""
    rendered = json.dumps(payload, indent=1, allow_nan=False)
    print(rendered if args.json else text)
    out = getattr(args, "out", None)
    if out and getattr(args, "out_is_json", False):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(rendered + "\n")
        print(f"wrote {out}", file=sys.stderr)


def params(pairs):
    """Pattern parameters from --param KEY=VALUE pairs (integers where they look like one)."""
    result = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes KEY=VALUE, got {pair!r}")
        result[key] = int(value) if value.lstrip("-").isdigit() else value
    return result


def add_pattern_options(parser, variant_default="reference"):
    """The pattern's variant and --param KEY=VALUE options."""
    parser.add_argument("--variant", default=variant_default, choices=["reference", "hardened"],
                        help=f"the pattern's variant (default {variant_default})")
    parser.add_argument("--param", action="append", metavar="KEY=VALUE",
                        help="a pattern parameter, e.g. depth=20 (repeatable; default: the pattern's production size)")


def pattern_of(args):
    """The pattern named on the command line, with its variant and parameters."""
    from zkwork.patterns import get_pattern

    return get_pattern(args.pattern, args.variant, **params(args.param))


def add_beacon_limit_options(parser, budget=True):
    """--max-beacon-exponent (and --time-budget): the bounds on recomputing a beacon."""
    # Defaults None: the library's (zkwork.ceremony.beacon_limits), whose import every
    # command would otherwise pay for while its parser is built.
    parser.add_argument("--max-beacon-exponent", type=int, metavar="N",
                        help="refuse beacons of more than 2^N SHA-256 iterations (default 30, about 6 minutes "
                             "of hashing; snarkjs takes up to 63)")
    if budget:
        parser.add_argument("--time-budget", type=float, metavar="SECONDS",
                            help="refuse beacons whose recomputation, estimated beforehand from the measured "
                                 "SHA-256 rate, would take longer in all (default 1800)")


def beacon_limits(args):
    """The beacon bounds given on the command line, as keyword arguments (the library's defaults for the rest)."""
    given = {"max_beacon_exponent": args.max_beacon_exponent, "time_budget": getattr(args, "time_budget", None)}
    return {key: value for key, value in given.items() if value is not None}
