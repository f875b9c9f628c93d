"""`zkwork powersoftau prepare phase2` (zkwork.ceremony.prepare_phase2).

Without Node: on powers of known secrets, every block of sections 12 to 15 is the Lagrange
basis of its domain at tau (times alpha, beta), computed independently with field
arithmetic and scalar multiplication of the generators; the header's ceremonyPower
becomes the power; a malformed input is refused with a typed error (exit 2 from the
command line) and nothing is written.

With Node (marked slow): from a real snarkjs ceremony, zkwork's prepared file is byte for
byte snarkjs's, and `snarkjs powersoftau verify` accepts it.
"""
import dataclasses

import pytest
from node_tools import run_node_tool

from zkwork.ceremony.prepare_phase2 import block_start, prepare_phase2
from zkwork.ceremony.powers import PowersOfTau
from zkwork.ceremony.snarkjs_ptau import export_ptau
from zkwork.cli import main
from zkwork.curve import G1Point, G2Point, g1_affine_array, g2_affine_array
from zkwork.errors import TruncatedFileError
from zkwork.field import Fr
from zkwork.formats.ptau_file import (
    LAGRANGE_ALPHA_TAU_G1,
    LAGRANGE_BETA_TAU_G1,
    LAGRANGE_TAU_G1,
    LAGRANGE_TAU_G2,
    read_ptau,
    write_ptau,
)
from zkwork.poly import Domain, lagrange_basis_at

POWER = 2
TAU, ALPHA, BETA = Fr(1234567), Fr(89), Fr(1011)


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    """(input path, prepared path) for powers of TAU, ALPHA, BETA at POWER."""
    work = tmp_path_factory.mktemp("prepare_known")
    export_ptau(PowersOfTau.from_secrets(POWER, TAU, ALPHA, BETA), work / "in.ptau")
    assert main(["powersoftau", "prepare", "phase2", str(work / "in.ptau"), str(work / "out.ptau")]) == 0
    return work / "in.ptau", work / "out.ptau"


def _section_points(ptau, section_type, start, count):
    size = 128 if section_type == LAGRANGE_TAU_G2 else 64
    return bytes(ptau.other_sections[section_type][start * size : (start + count) * size])


@pytest.mark.parametrize("section_type, factor, generator, last_block", [
    (LAGRANGE_TAU_G1, Fr(1), G1Point.generator(), POWER + 1),
    (LAGRANGE_TAU_G2, Fr(1), G2Point.generator(), POWER),
    (LAGRANGE_ALPHA_TAU_G1, ALPHA, G1Point.generator(), POWER),
    (LAGRANGE_BETA_TAU_G1, BETA, G1Point.generator(), POWER),
])
def test_every_block_is_the_lagrange_basis_at_tau(known, section_type, factor, generator, last_block):
    prepared = read_ptau(known[1])
    to_array = g2_affine_array if section_type == LAGRANGE_TAU_G2 else g1_affine_array
    for m in range(last_block + 1):
        domain = Domain(1 << m)
        basis = lagrange_basis_at(domain, TAU).to_ints()
        if m == POWER + 1:  # tauG1 has 2^m - 1 powers: the missing tau^(2^m - 1) counts as 0
            top = (1 << m) - 1
            basis = [(Fr(value) - domain.element(-top * j) * TAU ** top * domain.size_inv).value
                     for j, value in enumerate(basis)]
        expected = to_array([generator * (factor * Fr(value)).value for value in basis]).tobytes()
        assert _section_points(prepared, section_type, block_start(m), 1 << m) == expected, f"block {m}"
    assert len(prepared.other_sections[section_type]) == block_start(last_block + 1) * (
        128 if section_type == LAGRANGE_TAU_G2 else 64)


def test_phase1_sections_are_kept_and_ceremony_power_becomes_power(known, tmp_path):
    original, prepared = read_ptau(known[0]), read_ptau(known[1])
    assert prepared.power == prepared.ceremony_power == POWER
    for name in ("tau_g1", "tau_g2", "alpha_tau_g1", "beta_tau_g1"):
        assert (getattr(prepared, name) == getattr(original, name)).all()
    # A truncated file keeps the ceremony's power: snarkjs's prepared file has a fresh header.
    # Sections 12 to 15 already present are recomputed, not duplicated.
    write_ptau(dataclasses.replace(prepared, ceremony_power=POWER + 3), tmp_path / "truncated.ptau")
    prepare_phase2(tmp_path / "truncated.ptau", tmp_path / "again.ptau")
    assert (tmp_path / "again.ptau").read_bytes() == known[1].read_bytes()


def test_malformed_input_is_refused_and_nothing_written(known, tmp_path):
    data = known[0].read_bytes()
    (tmp_path / "short.ptau").write_bytes(data[: len(data) - 100])
    with pytest.raises(TruncatedFileError):
        prepare_phase2(tmp_path / "short.ptau", tmp_path / "out.ptau")
    assert main(["powersoftau", "prepare", "phase2", str(tmp_path / "short.ptau"), str(tmp_path / "out.ptau")]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.ptau"]


# -- against snarkjs -------------------------------------------------------------------------------
def snarkjs(*args, check=True):
    return run_node_tool("snarkjs", *args, check=check)


@pytest.mark.node
@pytest.mark.slow
def test_prepared_file_is_snarkjs_byte_for_byte_and_verifies(tmp_path):
    snarkjs("powersoftau", "new", "bn128", 6, tmp_path / "new.ptau")
    snarkjs("powersoftau", "contribute", tmp_path / "new.ptau", tmp_path / "first.ptau", "--name=first",
            "-e=zkwork prepare test")
    snarkjs("powersoftau", "prepare", "phase2", tmp_path / "first.ptau", tmp_path / "snarkjs.ptau")
    prepare_phase2(tmp_path / "first.ptau", tmp_path / "zkwork.ptau")
    assert (tmp_path / "zkwork.ptau").read_bytes() == (tmp_path / "snarkjs.ptau").read_bytes()
    result = snarkjs("powersoftau", "verify", tmp_path / "zkwork.ptau", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Powers of Tau Ok!" in result.stdout + result.stderr
