import json
import random

import pytest
from node_tools import circom_counts
from service_tools import make_circuit_dir


@pytest.fixture
def rng():
    """A seeded generator for reproducible random test inputs (not for secrets)."""
    return random.Random(0x5EED)


@pytest.fixture(scope="session")
def compiled(tmp_path_factory):
    """compiled(name) -> (counts, build dir); each main file is compiled once per session."""
    build_root = tmp_path_factory.mktemp("circom")
    cache = {}

    def compile_named(name):
        if name not in cache:
            source = circom_counts.MAIN_DIR / f"{name}.circom"
            cache[name] = (circom_counts.compile_circuit(source, build_root / name), build_root / name)
        return cache[name]

    return compile_named


@pytest.fixture(scope="session")
def service_circuit_dir(tmp_path_factory):
    """A circuit directory of membership hardened depth 4 (`zkwork setup`), for the service's
    reliability tests (each starts its own server on it)."""
    return make_circuit_dir(tmp_path_factory.mktemp("service") / "m4")


@pytest.fixture(scope="session")
def service_inputs(service_circuit_dir):
    """The sample input.json object of service_circuit_dir."""
    return json.loads((service_circuit_dir / "input.json").read_text())
