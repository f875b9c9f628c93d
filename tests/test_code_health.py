"""The library's structure, checked from its source: layers import only from below, no
import cycles, and every error raised on purpose is a typed zkwork error."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "zkwork"

# Lowest first (DEVELOPERS.md, "Architecture"); a module may import its own layer and the
# layers below. Top-level modules and packages not listed fail the test, so a new one is
# placed on purpose.
LAYERS = [
    {"errors", "jit", "json_fields", "regular_files", "resources"},
    {"field"},
    {"curve"},
    {"poly", "pairing"},
    {"backend"},
    {"r1cs"},
    {"gadgets"},
    {"patterns"},
    {"groth16"},
    {"prover"},
    {"formats"},
    {"interop", "workspace"},
    {"ceremony"},
    {"audit", "bench"},
    {"studies", "service", "fleet", "plan", "capacity", "monitoring", "queueing", "daemon"},
    {"report", "report_summary", "cli", "commands"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
BUILTIN_ERRORS = {"ValueError", "TypeError", "KeyError", "IndexError", "LookupError", "RuntimeError",
                  "AssertionError", "Exception", "ArithmeticError", "NotImplementedError", "OSError",
                  "ZeroDivisionError", "OverflowError"}


def _modules():
    """{dotted module name: parsed source} for every module of the package."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = (path, ast.parse(path.read_text(), str(path)))
    return modules


MODULES = _modules()


def _imports(name, tree):
    """(line, imported zkwork module) for every import in the module, lazy ones included."""
    package = name if MODULES[name][0].name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("zkwork")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if not base.startswith("zkwork"):
                continue
            for alias in node.names:  # `from zkwork.curve import points` imports a module
                target = f"{base}.{alias.name}"
                found.append((node.lineno, target if target in MODULES else base))
    return [(line, target) for line, target in found if target in MODULES and target != name]


def _component(module):
    """The top-level part of zkwork a module belongs to (`curve` for zkwork.curve.points)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_component_has_a_layer():
    unplaced = sorted({_component(m) for m in MODULES} - set(RANK) - {"__init__"})
    assert not unplaced, f"place these in LAYERS (tests/test_code_health.py): {unplaced}"


def test_layers_import_only_from_below():
    upward = []
    for name, (path, tree) in MODULES.items():
        if name == "zkwork":
            continue
        own = RANK.get(_component(name))
        for line, target in _imports(name, tree):
            if RANK.get(_component(target), -1) > own:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def test_no_import_cycles():
    graph = {name: {target for _, target in _imports(name, tree)} for name, (_, tree) in MODULES.items()}
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def strongly_connected(v):  # Tarjan's algorithm; the package is small enough to recurse
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongly_connected(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            strongly_connected(v)
    assert not cycles, "import cycles (lazy imports included):\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_module_imports_from_its_own_package():
    """`from zkwork.curve import x` inside zkwork.curve runs while the package's __init__ may
    be half done (it is importing this very module): import from the defining module."""
    found = []
    for name, (path, tree) in MODULES.items():
        package = name.rpartition(".")[0]
        if path.name == "__init__.py" or package == "zkwork" or not package:
            continue
        found += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports from {package}"
                  for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == package]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_errors_raised_are_typed(name):
    path, tree = MODULES[name]
    bare = [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno} raises {node.exc.func.id}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and isinstance(node.exc.func, ast.Name)
        and node.exc.func.id in BUILTIN_ERRORS
    ]
    assert not bare, "raise a typed error from zkwork.errors instead:\n" + "\n".join(bare)


def test_every_public_item_has_a_docstring():
    """One line of doc on every public module, class, function and method (arkworks' style)."""
    missing = []
    for name, (path, tree) in MODULES.items():
        where = path.relative_to(PACKAGE.parent)
        if not ast.get_docstring(tree):
            missing.append(f"{where}: module")
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                if not ast.get_docstring(node):
                    missing.append(f"{where}:{node.lineno} {node.name}")
                if isinstance(node, ast.ClassDef):
                    missing += [f"{where}:{item.lineno} {node.name}.{item.name}" for item in node.body
                                if isinstance(item, ast.FunctionDef) and not item.name.startswith("_")
                                and not ast.get_docstring(item)]
    assert not missing, "\n".join(missing)
