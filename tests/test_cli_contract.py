"""The command-line contract: one exit-code table, --json and --out, help on every option,
snarkjs's verbs as aliases of one implementation, --version."""
import argparse
import json

import pytest

from zkwork import __version__
from zkwork.cli import build_parser, main
from zkwork.commands import COMMANDS
from zkwork.commands.common import Exit


def _parsers(parser, words=()):
    """(words, parser) for every command and group under `parser`."""
    yield words, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, words + (name,))


def test_the_exit_codes_are_the_documented_ones():
    assert [int(code) for code in Exit] == [0, 1, 2, 3, 64]


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"zkwork {__version__}"


@pytest.mark.parametrize("argv", [
    ["bogus"],  # unknown command
    ["setup"],  # missing arguments
    ["verify", "only-one.json"],
    ["setup", "membership", "--out", "x", "--param", "depth"],  # KEY=VALUE without '='
    ["audit"],  # neither a target nor --fuzz
    ["audit", "membership", "--fuzz", "3"],  # both
    ["audit", "--fuzz", "1", "--targets", "no-such-target"],
    ["ceremony", "beacon", "dir", "--value", "not hex"],
    ["bench", "arith", "--runs", "many"],
])
def test_usage_errors_exit_64(argv, capsys):
    assert main(argv) == Exit.USAGE
    assert "usage" in capsys.readouterr().err


def test_help_exits_0_and_every_option_has_help(capsys):
    assert main(["--help"]) == 0
    assert "exit status: 0 ok/valid/safe" in capsys.readouterr().out
    missing = [
        f"zkwork {' '.join(words)} {action.dest}"
        for words, parser in _parsers(build_parser())
        for action in parser._actions
        if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) and not action.help
    ]
    assert not missing, missing


def test_every_command_with_a_result_takes_json():
    without = [
        " ".join(words) for words, parser in _parsers(build_parser())
        if parser.get_default("run") is not None and "json" not in {a.dest for a in parser._actions}
    ]
    # these only write the file they are asked to write (`input` prints JSON as it is);
    # `serve` has no result, it answers HTTP until SIGTERM, nor has `daemon run` (until stopped)
    assert sorted(without) == ["ceremony export-ptau", "daemon run", "export verificationkey", "input", "serve",
                               "zkey export verificationkey"]


@pytest.mark.parametrize("alias, command", [
    (("groth16", "verify"), ("verify",)),
    (("prove-zkey",), ("groth16", "prove")),
    (("export", "verificationkey"), ("zkey", "export", "verificationkey")),
    (("powersoftau", "verify"), ("ceremony", "verify-ptau")),
])
def test_snarkjs_verbs_are_aliases_of_one_implementation(alias, command):
    parsers = dict(_parsers(build_parser()))
    assert parsers[alias].get_default("run") is parsers[command].get_default("run")
    assert [a.dest for a in parsers[alias]._actions] == [a.dest for a in parsers[command]._actions]
    listed = [c for c in COMMANDS if c.words == command]
    assert len(listed) == 1 and alias in listed[0].aliases


def test_json_goes_to_stdout_and_out_writes_it(tmp_path, capsys):
    assert main(["info", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    out = tmp_path / "info.json"
    assert main(["info", "--out", str(out)]) == 0
    assert "JIT cache" in capsys.readouterr().out
    assert json.loads(out.read_text()).keys() == printed.keys()


def test_a_sample_input_proves(tmp_path, capsys):
    keys, inputs = tmp_path / "keys", tmp_path / "input.json"
    pattern = ["membership", "--variant", "hardened", "--param", "depth=3"]
    assert main(["input", *pattern, "--out", str(inputs)]) == 0
    assert main(["setup", *pattern, "--out", str(keys), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["constraints"] > 0
    assert (keys / "input.json").is_file()
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    for given in (inputs, keys / "input.json"):
        assert main(["prove", str(keys), "--input", str(given), "--proof", str(proof), "--public", str(public)]) == 0
        capsys.readouterr()
        assert main(["groth16", "verify", str(keys / "verification_key.json"), str(public), str(proof), "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"valid": True}
