"""Packaging: environment.yml and pyproject.toml list the same stack, the extras are
optional for real (imported lazily, a clear error naming the one to install), the project
directories are resolved in one place, and make picks the active environment."""
import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from zkwork import resources
from zkwork.errors import MissingExtraError, ResourceNotFoundError

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text())

# pip requirement (name[extras]) -> conda-forge packages, where they differ.
CONDA_NAMES = {"dask[distributed]": ("dask", "distributed")}
# In environment.yml only: the interpreter, pip and Node.js for the npm peers.
CONDA_ONLY = {"python", "pip", "nodejs"}
# pip distribution -> module it provides, where they differ (for resources.EXTRAS).
MODULES = {"dask[distributed]": ("dask", "distributed"), "cvc5-gpl": ("cvc5",)}


def _norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _key(requirement):
    return requirement.name + (f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else "")


def _own_extras(requirement):
    """The extras a `zkwork[...]` requirement pulls in (empty for any other package)."""
    return set(requirement.extras) if _norm(requirement.name) == "zkwork" else set()


def _pip_stack():
    """{conda name: specifier} of every dependency and extra of pyproject.toml."""
    stack = {}
    for text in PYPROJECT["dependencies"] + sum(PYPROJECT["optional-dependencies"].values(), []):
        requirement = Requirement(text)
        if _own_extras(requirement):
            continue
        for name in CONDA_NAMES.get(_key(requirement), (requirement.name,)):
            stack[_norm(name)] = requirement.specifier
    return stack


def _conda_stack():
    """{name: specifier} of environment.yml's conda packages, and its pip entries."""
    stack, pip = {}, []
    for entry in ENVIRONMENT["dependencies"]:
        if isinstance(entry, dict):
            pip += entry["pip"]
            continue
        name, spec = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", entry).groups()
        if name not in CONDA_ONLY:
            stack[_norm(name)] = SpecifierSet(spec)
    for text in pip:
        if not text.startswith("-e"):
            requirement = Requirement(text)
            stack[_norm(requirement.name)] = requirement.specifier
    return stack, pip


def test_environment_yml_lists_what_pyproject_does_with_the_same_bounds():
    pip_stack, (conda_stack, pip_entries) = _pip_stack(), _conda_stack()
    assert sorted(set(pip_stack) - set(conda_stack)) == [], "in pyproject.toml, not in environment.yml"
    assert sorted(set(conda_stack) - set(pip_stack)) == [], "in environment.yml, not in pyproject.toml"
    differ = {name: (str(pip_stack[name]), str(conda_stack[name]))
              for name in pip_stack if pip_stack[name] != conda_stack[name]}
    assert differ == {}, "bounds differ (pyproject.toml, environment.yml)"
    assert "-e .[dev]" in pip_entries, "environment.yml must install zkwork itself with every extra"


def test_every_dependency_has_lower_and_upper_bounds():
    for text in PYPROJECT["dependencies"] + sum(PYPROJECT["optional-dependencies"].values(), []):
        requirement = Requirement(text)
        if not _own_extras(requirement):
            operators = {spec.operator for spec in requirement.specifier}
            assert operators == {">=", "<"}, f"{text}: give a lower (>=) and an upper (<) bound"


def test_numba_is_capped_at_the_next_minor():
    # zkwork/jit.py uses numba's private dispatcher API: see the comment there.
    (numba,) = [Requirement(t) for t in PYPROJECT["dependencies"] if Requirement(t).name == "numba"]
    (upper,) = [spec.version for spec in numba.specifier if spec.operator == "<"]
    (lower,) = [spec.version for spec in numba.specifier if spec.operator == ">="]
    major, minor = map(int, lower.split(".")[:2])
    assert upper == f"{major}.{minor + 1}"


def test_dev_pulls_every_extra_and_the_extras_match_require_extra():
    extras = PYPROJECT["optional-dependencies"]
    dev_pulls = set().union(*(_own_extras(Requirement(text)) for text in extras["dev"]))
    assert dev_pulls == set(extras) - {"dev"}
    for extra, modules in resources.EXTRAS.items():
        provided, pending = set(), [extra]
        while pending:  # an extra's modules include those of the extras it pulls in
            for text in extras[pending.pop()]:
                requirement = Requirement(text)
                pending += sorted(_own_extras(requirement))
                if not _own_extras(requirement):
                    provided |= set(MODULES.get(_key(requirement), (requirement.name,)))
        assert provided == set(modules), extra
    assert set(resources.EXTRAS) == set(extras) - {"dev"}


def _module_level_imports(tree):
    """Top-level names imported when the module is imported (function bodies excluded)."""
    found, pending = set(), list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
        pending += [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)]
    return found


def test_the_library_imports_only_declared_packages():
    declared = {Requirement(text).name for text in PYPROJECT["dependencies"]} | set().union(*resources.EXTRAS.values())
    undeclared = {}
    for path in sorted((ROOT / "zkwork").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for top in {name.split(".")[0] for name in names} - set(sys.stdlib_module_names) - declared - {"zkwork"}:
                undeclared.setdefault(top, []).append(path.relative_to(ROOT).as_posix())
    assert undeclared == {}, "declare these in pyproject.toml (a dependency, or an extra of resources.EXTRAS)"


def test_library_modules_import_extras_only_inside_functions():
    # zkwork.monitoring is the metrics module itself: it needs prometheus_client throughout;
    # so do the service's app and metrics, which only `zkwork serve` imports, after require_extra.
    allowed = {"monitoring.py": {"prometheus_client"}, "service/app.py": {"starlette"},
               "service/metrics.py": {"prometheus_client"}}
    extra_modules = set().union(*resources.EXTRAS.values())
    package = ROOT / "zkwork"
    eager = {}
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        found = _module_level_imports(ast.parse(path.read_text())) & extra_modules
        if found - allowed.get(name, set()):
            eager[name] = sorted(found - allowed.get(name, set()))
    assert eager == {}, "import these inside the functions that use them"


NO_EXTRAS = """
import sys
for module in MODULES:
    sys.modules[module] = None  # as if not installed: imports fail, find_spec finds nothing
import zkwork.bench.groth16, zkwork.bench.throughput, zkwork.cli
from zkwork.groth16 import prove, setup, verify
from zkwork.r1cs import solve

def square(cs):
    cs.assert_equal(cs.private_input("y") * cs.private_input("z"), cs.public_input("x"), "product")

r1cs, witness = solve(square, {"x": 6, "y": 2, "z": 3})
keys = setup(r1cs)
print("verified", verify(keys.vk, r1cs.public_signals(witness), prove(keys, witness)))
sys.exit(zkwork.cli.main(["report", "--out", sys.argv[1]]))
"""


def test_core_proves_without_the_extras_and_the_cli_names_the_missing_one(tmp_path):
    script = NO_EXTRAS.replace("MODULES", repr(sorted(set().union(*resources.EXTRAS.values()))))
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "reports")],
                            capture_output=True, text=True, timeout=600)
    assert "verified True" in result.stdout, result.stderr
    assert result.returncode == 2, result.stderr
    assert "zkwork's 'report' extra" in result.stderr and "pip install -e '.[report]'" in result.stderr
    assert not (tmp_path / "reports").exists()


def test_require_extra(monkeypatch):
    resources.require_extra("monitoring")  # installed here (dev pulls every extra)
    monkeypatch.setitem(sys.modules, "prometheus_client", None)
    with pytest.raises(MissingExtraError, match=r"prometheus_client not installed.*'monitoring' extra"):
        resources.require_extra("monitoring")


# -- the project directories ----------------------------------------------------------------

def test_resource_dirs_default_to_the_checkout(monkeypatch):
    monkeypatch.delenv(resources.ROOT_ENV, raising=False)
    for name in ("tools", "circuits", "notebooks"):
        assert resources.resource_dir(name) == ROOT / name
    assert resources.project_root() == ROOT


def test_zkwork_root_overrides_the_checkout(monkeypatch, tmp_path):
    (tmp_path / "circuits").mkdir()
    monkeypatch.setenv(resources.ROOT_ENV, str(tmp_path))
    assert resources.resource_dir("circuits") == tmp_path / "circuits"
    # No fallback to the checkout: the override is what the user asked for.
    with pytest.raises(ResourceNotFoundError) as error:
        resources.resource_dir("notebooks")
    assert f"no notebooks/ directory (the report's notebooks) in $ZKWORK_ROOT ({tmp_path})" in str(error.value)


def test_a_missing_directory_names_where_it_looked_and_the_fix(monkeypatch, tmp_path):
    monkeypatch.delenv(resources.ROOT_ENV, raising=False)
    monkeypatch.setattr(resources, "CHECKOUT", tmp_path)
    with pytest.raises(ResourceNotFoundError) as error:
        resources.resource_dir("circuits")
    message = str(error.value)
    assert f"source checkout zkwork was imported from ({tmp_path})" in message and "set $ZKWORK_ROOT" in message
    assert isinstance(error.value, FileNotFoundError)
    with pytest.raises(ResourceNotFoundError, match=r"node_modules/.*run `make install` \(it runs `npm ci`\)"):
        resources.resource_dir("node_modules")
    with pytest.raises(ResourceNotFoundError, match="no project directory 'build'"):
        resources.resource_dir("build")


def test_no_module_walks_up_from_its_own_file():
    walk_up = re.compile(r"__file__\)\.resolve\(\)\.parents\[\d\]|__file__\)\.resolve\(\)\.parent\.parent")
    found = [path.relative_to(ROOT).as_posix() for path in sorted((ROOT / "zkwork").rglob("*.py"))
             if walk_up.search(path.read_text())]
    assert found == [], "resolve project directories with zkwork.resources.resource_dir"


# -- make: the active environment -------------------------------------------------------------

def _make_plan(target, **env):
    """The commands `make -n target` would run, with only `env` describing the environment."""
    chosen_by = ("VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "VENV")
    clean_env = {name: value for name, value in os.environ.items() if name not in chosen_by}
    result = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, env={**clean_env, **env},
                            capture_output=True, text=True, check=True)
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_uses_the_active_environment():
    assert ".venv/bin/python -m pytest" in _make_plan("test")
    conda = _make_plan("test", CONDA_PREFIX="/opt/conda/envs/zkwork", CONDA_DEFAULT_ENV="zkwork")
    assert "/opt/conda/envs/zkwork/bin/python -m pytest" in conda and ".venv" not in conda
    # conda's base environment, active in many shells by default, is not chosen
    assert ".venv/bin/python -m pytest" in _make_plan("test", CONDA_PREFIX="/opt/conda", CONDA_DEFAULT_ENV="base")
    assert "/tmp/venv-x/bin/python -m pytest" in _make_plan("test", VIRTUAL_ENV="/tmp/venv-x")
    clean = _make_plan("clean", CONDA_PREFIX="/opt/conda/envs/zkwork", CONDA_DEFAULT_ENV="zkwork")
    assert "rm -rf /opt/conda" not in clean and "rm -f /opt/conda/envs/zkwork/.zkwork-installed" in clean
