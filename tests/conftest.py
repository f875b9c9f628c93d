import random

import pytest
from node_tools import circom_counts


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
