"""The README's examples run as written: every block marked `<!-- readme-test: NAME -->` is
run by bash, in order, in a scratch copy of the repository's layout, and every other `zkwork`
line of the README parses."""
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from zkwork.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
MARKED = re.compile(r"<!-- readme-test: (\w+) -->\n```sh\n(.*?)```", re.DOTALL)
BLOCKS = MARKED.findall(README)
PLACEHOLDERS = {"N": "3", "NAME": "membership", "FILE": "out.json"}


def test_the_readme_opens_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.DOTALL).group(1)
    assert [line.split("#")[0].strip() for line in first_block.splitlines()] == ["make report", "make test"]


def test_every_zkwork_line_of_the_readme_parses():
    parser = build_parser()
    lines = [line for block in re.findall(r"```sh\n(.*?)```", README, re.DOTALL) for line in block.splitlines()]
    commands = [line.split(" #")[0] for line in lines if line.startswith(".venv/bin/zkwork ")]
    assert len(commands) > 20
    for command in commands:
        # a synopsis's optional parts are all given, its placeholders filled in
        synopsis = re.sub(r"\[([^\]]*)\]", r"\1", command)
        words = [PLACEHOLDERS.get(word, word) for word in shlex.split(synopsis)]
        parser.parse_args(words[1:])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """The repository's layout: .venv linked, circuits and circomlib copied (circom2 runs as
    WebAssembly, whose file access does not follow links out of its directory)."""
    directory = tmp_path_factory.mktemp("readme")
    (directory / ".venv").symlink_to(ROOT / ".venv")
    shutil.copytree(ROOT / "circuits", directory / "circuits")
    (directory / "node_modules").mkdir()
    for entry in (ROOT / "node_modules").iterdir():
        if entry.name == "circomlib":
            shutil.copytree(entry, directory / "node_modules" / entry.name, symlinks=True)
        else:
            (directory / "node_modules" / entry.name).symlink_to(entry)
    return directory


@pytest.mark.slow
@pytest.mark.node
@pytest.mark.parametrize("name", [name for name, _ in BLOCKS])
def test_marked_blocks_run_as_written(name, scratch):
    """The blocks run in README order (later ones use what earlier ones wrote)."""
    script = dict(BLOCKS)[name]
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=scratch, capture_output=True,
                            text=True, timeout=1200)
    assert result.returncode == 0, f"README block {name!r} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


def test_the_marked_blocks_are_the_three_in_order():
    assert [name for name, _ in BLOCKS] == ["patterns", "ceremony", "snarkjs"]
