import random

import pytest


@pytest.fixture
def rng():
    """A seeded generator for reproducible random test inputs (not for secrets)."""
    return random.Random(0x5EED)
