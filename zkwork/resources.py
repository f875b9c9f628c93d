"""What zkwork needs from outside its package: the project's directories and its extras.

The directories tools/, circuits/, notebooks/, prometheus/ and node_modules/ live in the source
checkout beside the package, not in it (an installed wheel has none of them). They are
looked for under $ZKWORK_ROOT when it is set, else in the checkout this package was
imported from (`make install` installs it editable, so that is the checkout).

The extras are pyproject.toml's optional dependencies: `import zkwork` and the proving
core need none of them. A module that needs one calls `require_extra` before importing
it, so that a missing package is reported as the extra to install (the command line exits
2 with that message) rather than as an ImportError from deep inside.
"""
import importlib.util
import os
from pathlib import Path

from zkwork.errors import MissingExtraError, ResourceNotFoundError

ROOT_ENV = "ZKWORK_ROOT"
PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT = PACKAGE_DIR.parent

# The project directories and what each holds (for the error message).
RESOURCES = {
    "tools": "the harness scripts",
    "circuits": "the Circom circuits",
    "notebooks": "the report's notebooks",
    "prometheus": "the guide's alerting rules for Prometheus and their promtool tests",
    "node_modules": "the pinned npm peers: snarkjs, circom2, circomlib",
}

# Each extra of pyproject.toml and the modules it provides (tests/test_packaging.py keeps
# the two in step). `report` runs every notebook, so it needs the others' modules too.
EXTRAS = {
    "throughput": ("dask", "distributed"),
    "monitoring": ("prometheus_client",),
    "wasm": ("wasmtime",),
    "service": ("starlette", "uvicorn", "httpx", "httptools", "uvloop", "prometheus_client"),
    "fleet": ("simpy",),
    "audit": ("cvc5",),
    "peers": ("groth16py",),
    "report": ("papermill", "nbconvert", "ipykernel", "jupyterlab", "matplotlib",
               "dask", "distributed", "prometheus_client", "simpy"),
}


def project_root():
    """The directory the project directories are looked for in: $ZKWORK_ROOT, else the checkout."""
    override = os.environ.get(ROOT_ENV)
    return Path(override).expanduser().resolve() if override else CHECKOUT


def resource_dir(name):
    """The project directory `name` (a key of RESOURCES); ResourceNotFoundError if it is absent."""
    if name not in RESOURCES:
        raise ResourceNotFoundError(f"zkwork has no project directory {name!r} (it has {', '.join(RESOURCES)})")
    root = project_root()
    path = root / name
    if path.is_dir():
        return path
    if os.environ.get(ROOT_ENV):
        where = f"${ROOT_ENV} ({root})"
        fix = f"point ${ROOT_ENV} at a zkwork source checkout"
    else:
        where = f"the source checkout zkwork was imported from ({root})"
        fix = f"run zkwork from a source checkout (`make install` there), or set ${ROOT_ENV} to one"
    if name == "node_modules":
        # The usual cause: a checkout where `npm ci` has not run yet.
        fix = f"run `make install` (it runs `npm ci`) in the checkout, or {fix}"
    raise ResourceNotFoundError(f"no {name}/ directory ({RESOURCES[name]}) in {where}: {fix}")


def require_extra(extra):
    """Raise MissingExtraError, naming `extra` and how to install it, if a module of it is missing."""
    # find_spec locates a module without importing it (nor its heavy dependencies).
    missing = [module for module in EXTRAS[extra] if importlib.util.find_spec(module) is None]
    if missing:
        raise MissingExtraError(
            f"{', '.join(missing)} not installed: this needs zkwork's '{extra}' extra; install it with "
            f"`pip install -e '.[{extra}]'` in the checkout (`make install` installs every extra)"
        )
