"""The `zkwork` command line: the verbs of zkwork.commands, built from its table, with one
exit-code table (zkwork.commands.common.Exit) for every command."""
import argparse
import importlib
import os
import sys

from zkwork import __version__
from zkwork.commands import COMMANDS, GROUPS, resident_command
from zkwork.commands.common import Exit

DAEMON_SWITCH_ENV = "ZKWORK_DAEMON"  # "0": never forward to a daemon, as --no-daemon

EXAMPLES = """exit status: 0 ok/valid/safe, 1 rejected/invalid/unsafe, 2 unreadable or malformed input,
3 unknown, 64 usage error. --json prints a command's result as JSON; --out FILE writes it.

examples:
  zkwork setup membership --variant hardened --param depth=20 --out keys/membership
  zkwork prove keys/membership --input keys/membership/input.json --proof proof.json --public public.json
  zkwork verify keys/membership/verification_key.json public.json proof.json
  zkwork groth16 fullprove input.json circuit.wasm circuit.zkey proof.json public.json
  zkwork ceremony verify cer --min-contributors 10
  zkwork report --quick
"""


class Parser(argparse.ArgumentParser):
    """argparse with usage errors exiting 64 (sysexits' EX_USAGE) rather than 2, which zkwork
    keeps for unreadable or malformed input."""

    def error(self, message):
        """Print the usage and `message` to stderr, and exit with Exit.USAGE (64)."""
        self.print_usage(sys.stderr)
        self.exit(Exit.USAGE, f"{self.prog}: error: {message}\n")


def _subcommands(parser, title):
    return parser.add_subparsers(dest=title, required=True, metavar="COMMAND")


def build_parser():
    """The parser of every command in zkwork.commands.COMMANDS, aliases included."""
    parser = Parser(prog="zkwork", description="A research and benchmarking workbench for Groth16 on BN254.",
                    epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"zkwork {__version__}")
    parser.add_argument("--no-daemon", action="store_true",
                        help="run in this process even if a `zkwork daemon` is running (also: ZKWORK_DAEMON=0)")
    groups = {(): _subcommands(parser, "command")}
    for command in COMMANDS:
        module = importlib.import_module(f"zkwork.commands.{command.module}")
        for words in (command.words,) + command.aliases:
            for depth in range(1, len(words)):
                prefix = words[:depth]
                if prefix not in groups:
                    group = groups[prefix[:-1]].add_parser(prefix[-1], help=GROUPS.get(prefix[-1], ""))
                    groups[prefix] = _subcommands(group, "_".join(prefix))
            alias = "" if words == command.words else f" (= zkwork {' '.join(command.words)})"
            sub = groups[words[:-1]].add_parser(words[-1], help=command.help + alias,
                                                description=(module.__doc__ or command.help) + alias)
            getattr(module, command.arguments)(sub)
            sub.set_defaults(run=getattr(module, command.run))
    return parser


def main(argv=None):
    """Runs one command -- a resident verb in the running `zkwork daemon`, if one answers
    (zkwork.commands.daemon) -- and returns its exit status (see EXAMPLES)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # Decided before build_parser, which imports every command module: a forwarded command
    # costs Python's start and a socket round trip, not numpy's and numba's imports.
    if is_resident(argv) and os.environ.get(DAEMON_SWITCH_ENV) != "0":
        from zkwork.daemon.client import forward

        status = forward(argv)
        if status is not None:
            return status
    return run_in_process(argv)


def is_resident(argv):
    """Whether `argv` runs a verb a `zkwork daemon` may run for it (Command.resident); cheap."""
    return resident_command(argv) is not None


def run_in_process(argv, parser=None):
    """Runs one command in this process (with `parser`, default build_parser()); returns its exit status."""
    from zkwork.errors import UsageError, ZkworkError

    try:
        args = (parser or build_parser()).parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a usage error
        return stop.code if isinstance(stop.code, int) else Exit.USAGE
    try:
        return int(args.run(args))
    except UsageError as error:
        print(f"zkwork: usage error: {error}", file=sys.stderr)
        return int(Exit.USAGE)
    except (ZkworkError, OSError) as error:
        print(f"zkwork: error: {error}", file=sys.stderr)
        return int(Exit.MALFORMED)


if __name__ == "__main__":
    sys.exit(main())
