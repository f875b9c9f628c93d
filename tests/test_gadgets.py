"""Circuit gadgets: constraint counts against circom --O2 on circomlib, outputs against the
native computations, soundness (a cheating witness fails and the failure is named), Merkle
paths against the native sparse tree, and the tree itself."""
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from zkwork.errors import CircuitError, UnsatisfiedConstraintError
from zkwork.field import R
from zkwork.gadgets.bits import (
    is_equal,
    is_zero,
    less_than,
    less_than_checked,
    num2bits,
    switcher,
)
from zkwork.gadgets.merkle import (
    SparseMerkleTree,
    merkle_root_from_path,
    root_from_path,
    two_product_swap,
    zero_hashes,
)
from zkwork.gadgets.native_poseidon import poseidon as native_poseidon
from zkwork.gadgets.poseidon import poseidon
from zkwork.r1cs import build, solve

REPO_ROOT = Path(__file__).resolve().parents[1]

# (constraints, wires) that circom2 0.2.23 --O2 reports for `Poseidon(n)` of circomlib 2.0.5
# in a main template with n private inputs and the hash as its one output.
CIRCOM_POSEIDON = {
    1: (213, 215), 2: (240, 243), 3: (261, 265), 4: (297, 302), 5: (321, 327), 6: (354, 361),
    7: (381, 389), 8: (402, 411), 9: (417, 427), 10: (459, 470), 11: (465, 477), 12: (504, 517),
    13: (543, 557), 14: (537, 552), 15: (573, 589), 16: (609, 626),
}
POSEIDON_1_2 = 0x115CC0F5E7D690413DF64C6B9662E9CF2A3617F2743245519E19607A4417189A


def set_wire(r1cs, witness, name, value):
    """A copy of `witness` with the wire called `name` set to `value` (a cheating prover)."""
    tampered = list(witness)
    tampered[r1cs.wire_names.index(name)] = value % R
    return tampered


# -- Poseidon ---------------------------------------------------------------------------------


def hash_circuit(cs, n):
    cs.public_output("hash", poseidon(cs, cs.private_input("x", n)))


@pytest.mark.parametrize("n", sorted(CIRCOM_POSEIDON))
def test_poseidon_counts_match_circom(n):
    r1cs = build(hash_circuit, n=n)
    assert (r1cs.num_constraints, r1cs.num_wires) == CIRCOM_POSEIDON[n]


def test_poseidon_constraints_are_namespaced_sboxes():
    budget = build(hash_circuit, n=2).budget().set_index("namespace")["constraints"].to_dict()
    # 8 full rounds of 3 S-boxes, less the folded S-box of the constant state[0]; 57 partial.
    assert budget == {"poseidon/full_round/sbox": 3 * (8 * 3 - 1), "poseidon/partial_round": 3 * 57}
    labels = build(hash_circuit, n=2).labels
    assert labels[0] == "poseidon/full_round[0]/sbox[1]/x2"
    assert "poseidon/partial_round[56]/x5" in labels


@pytest.mark.parametrize("n", sorted(CIRCOM_POSEIDON))
def test_poseidon_equals_native(n, rng):
    inputs = [rng.randrange(R) for _ in range(n)]
    r1cs, witness = solve(hash_circuit, {"x": inputs}, n=n)
    assert r1cs.is_satisfied(witness)
    assert r1cs.public_signals(witness) == [native_poseidon(inputs)]


def test_poseidon_published_vector():
    r1cs, witness = solve(hash_circuit, {"x": [1, 2]}, n=2)
    assert r1cs.public_signals(witness) == [POSEIDON_1_2]


def test_poseidon_of_a_constant_input_folds_its_sbox(rng):
    def hash_with_constant(cs):
        cs.public_output("hash", poseidon(cs, [cs.private_input("x"), 7]))

    # circom --O2 gives 237 for Poseidon(2) with one input the constant 0: one more S-box folds.
    assert build(hash_with_constant).num_constraints == 240 - 3
    x = rng.randrange(R)
    r1cs, witness = solve(hash_with_constant, {"x": x})
    assert r1cs.public_signals(witness) == [native_poseidon([x, 7])]


def test_poseidon_tampered_sbox_is_named(rng):
    r1cs, witness = solve(hash_circuit, {"x": [rng.randrange(R), rng.randrange(R)]}, n=2)
    name = "poseidon/partial_round[10]/x4"
    result = r1cs.is_satisfied(set_wire(r1cs, witness, name, 12345))
    assert not result and result.label == name


# -- num2bits ---------------------------------------------------------------------------------


def bits_circuit(cs, n):
    for i, bit in enumerate(num2bits(cs, cs.private_input("x"), n)):
        cs.public_output(f"bit[{i}]", bit)


def range_check_circuit(cs, n):
    num2bits(cs, cs.private_input("x"), n)


def test_num2bits_counts():
    # circom --O2 reports n for Num2Bits(n): the sum is linear and solved for the top bit.
    assert build(range_check_circuit, n=8).num_constraints == 8
    assert build(range_check_circuit, n=8, simplify=False).num_constraints == 8 + 1


@pytest.mark.parametrize("n", [1, 8, 64, 253])
def test_num2bits_values(n, rng):
    x = rng.randrange(1 << n)
    r1cs, witness = solve(bits_circuit, {"x": x}, n=n)
    assert r1cs.is_satisfied(witness)
    assert r1cs.public_signals(witness) == [(x >> i) & 1 for i in range(n)]


def test_num2bits_out_of_range_is_unsatisfiable():
    # x is eliminated with the sum it equals, so the check happens while solving
    with pytest.raises(UnsatisfiedConstraintError, match="num2bits/sum"):
        solve(bits_circuit, {"x": 256}, n=8)


def test_num2bits_non_boolean_bit_is_named():
    # 5 = 3*1 + (-1)*2 + 1*4 + 0*8: the sum holds, but bits 0 and 1 are not bits.
    r1cs, witness = solve(range_check_circuit, {"x": 5}, n=4)
    cheat = set_wire(r1cs, set_wire(r1cs, witness, "num2bits/bit[0]", 3), "num2bits/bit[1]", -1)
    result = r1cs.is_satisfied(cheat)
    assert not result and result.label == "num2bits/boolean[0]"


@pytest.mark.parametrize("n", [0, 254])
def test_num2bits_width_must_be_unique(n):
    with pytest.raises(CircuitError):
        build(bits_circuit, n=n)


# -- is_zero, is_equal ------------------------------------------------------------------------


def zero_circuit(cs):
    cs.public_output("zero", is_zero(cs, cs.private_input("x")))


def test_is_zero_counts_and_values(rng):
    assert build(zero_circuit).num_constraints == 2
    for x, expected in [(0, 1), (1, 0), (R - 1, 0), (rng.randrange(1, R), 0)]:
        r1cs, witness = solve(zero_circuit, {"x": x})
        assert r1cs.is_satisfied(witness) and r1cs.public_signals(witness) == [expected]


def test_is_zero_wrong_inverse_is_named():
    r1cs, witness = solve(zero_circuit, {"x": 5})
    result = r1cs.is_satisfied(set_wire(r1cs, witness, "is_zero/inverse", 3))
    assert not result and result.label == "is_zero/product"
    # A consistent cheat claiming 5 is zero: inverse 0, so x * inverse = 0 = 1 - out.
    cheat = set_wire(r1cs, set_wire(r1cs, witness, "is_zero/inverse", 0), "zero", 1)
    result = r1cs.is_satisfied(cheat)
    assert not result and result.label == "is_zero/zero_or_one"


def test_is_equal(rng):
    def equal_circuit(cs):
        cs.public_output("eq", is_equal(cs, cs.private_input("a"), cs.private_input("b")))

    a = rng.randrange(R)
    for b, expected in [(a, 1), ((a + 1) % R, 0), (rng.randrange(R), 0)]:
        r1cs, witness = solve(equal_circuit, {"a": a, "b": b})
        assert r1cs.is_satisfied(witness) and r1cs.public_signals(witness) == [expected]


# -- less_than --------------------------------------------------------------------------------


def compare_circuit(cs, n, comparison):
    cs.public_output("lt", comparison(cs, n, cs.private_input("a"), cs.private_input("b")))


def test_less_than_counts():
    assert build(compare_circuit, n=16, comparison=less_than).num_constraints == 16 + 1
    assert build(compare_circuit, n=16, comparison=less_than_checked).num_constraints == 3 * 16 + 1


@pytest.mark.parametrize("comparison", [less_than, less_than_checked])
def test_less_than_values(comparison, rng):
    n = 32
    pairs = [(0, 0), (0, 1), (1, 0), ((1 << n) - 1, (1 << n) - 1), (5, 5)]
    pairs += [(rng.randrange(1 << n), rng.randrange(1 << n)) for _ in range(10)]
    for a, b in pairs:
        r1cs, witness = solve(compare_circuit, {"a": a, "b": b}, n=n, comparison=comparison)
        assert r1cs.is_satisfied(witness) and r1cs.public_signals(witness) == [int(a < b)]


def test_unchecked_less_than_is_fooled_by_a_large_input():
    # a = r - 253 is far above b = 3, yet a + 2^8 - b = 0 mod r: "a < b" with a valid witness.
    # This is the Structure pattern's reference weakness; the checked comparison rejects it.
    a, b = R - 253, 3
    r1cs, witness = solve(compare_circuit, {"a": a, "b": b}, n=8, comparison=less_than)
    assert r1cs.is_satisfied(witness) and r1cs.public_signals(witness) == [1]
    with pytest.raises(UnsatisfiedConstraintError, match="less_than_checked/range_a/num2bits/"):
        solve(compare_circuit, {"a": a, "b": b}, n=8, comparison=less_than_checked)


def test_less_than_checked_rejects_out_of_range_b():
    with pytest.raises(UnsatisfiedConstraintError, match="less_than_checked/range_b/num2bits/"):
        solve(compare_circuit, {"a": 1, "b": 1 << 8}, n=8, comparison=less_than_checked)


# -- switcher ---------------------------------------------------------------------------------


def test_switcher(rng):
    def switch_circuit(cs):
        left, right = switcher(cs, cs.private_input("bit"), cs.private_input("a"), cs.private_input("b"))
        cs.public_output("left", left)
        cs.public_output("right", right)

    # Two outputs from one product leave one linear relation between them: count the gadget's own.
    labels = build(switch_circuit).labels
    assert [label for label in labels if label.startswith("switcher/")] == ["switcher/select"]
    a, b = rng.randrange(R), rng.randrange(R)
    for bit, expected in [(0, [a, b]), (1, [b, a])]:
        r1cs, witness = solve(switch_circuit, {"bit": bit, "a": a, "b": b})
        assert r1cs.is_satisfied(witness) and r1cs.public_signals(witness) == expected


# -- against circom itself --------------------------------------------------------------------

CIRCOM_GADGETS = """pragma circom 2.0.0;
include "circomlib/bitify.circom";
include "circomlib/comparators.circom";
include "circomlib/switcher.circom";
include "circomlib/poseidon.circom";
template Gadgets() {
    signal input x; signal input a; signal input b;
    signal input leaf; signal input sibling; signal input bit;
    signal output bit3; signal output zero; signal output eq; signal output lt; signal output parent;
    component n2b = Num2Bits(16); n2b.in <== x; bit3 <== n2b.out[3];
    component z = IsZero(); z.in <== x; zero <== z.out;
    component e = IsEqual(); e.in[0] <== a; e.in[1] <== b; eq <== e.out;
    component l = LessThan(16); l.in[0] <== a; l.in[1] <== b; lt <== l.out;
    bit * (bit - 1) === 0;
    component s = Switcher(); s.sel <== bit; s.L <== leaf; s.R <== sibling;
    component h = Poseidon(2); h.inputs[0] <== s.outL; h.inputs[1] <== s.outR; parent <== h.out;
}
component main = Gadgets();
"""


def gadgets_circuit(cs):
    x, a, b = cs.private_input("x"), cs.private_input("a"), cs.private_input("b")
    leaf, sibling, bit = cs.private_input("leaf"), cs.private_input("sibling"), cs.private_input("bit")
    cs.public_output("bit3", num2bits(cs, x, 16)[3])
    cs.public_output("zero", is_zero(cs, x))
    cs.public_output("eq", is_equal(cs, a, b))
    cs.public_output("lt", less_than(cs, 16, a, b))
    cs.public_output("parent", merkle_root_from_path(cs, leaf, [sibling], [bit]))


@pytest.mark.node
def test_gadget_counts_match_circom(tmp_path):
    node = shutil.which("node")
    circom = REPO_ROOT / "node_modules" / "circom2" / "cli.js"
    assert node, "node is not on PATH: install Node.js (CI does) to compile with circom"
    assert circom.is_file(), "node_modules missing: run `make install`"
    # circom2 runs under WASI and sees only its working directory: copy circomlib in.
    shutil.copytree(REPO_ROOT / "node_modules" / "circomlib" / "circuits", tmp_path / "circomlib")
    (tmp_path / "gadgets.circom").write_text(CIRCOM_GADGETS)
    done = subprocess.run(
        [node, str(circom), "gadgets.circom", "--O2", "--r1cs", "-o", "."],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=True,
    )
    report = dict(line.split(":") for line in done.stdout.splitlines() if line.count(":") == 1)
    circom_constraints = int(report["non-linear constraints"]) + int(report["linear constraints"])
    r1cs = build(gadgets_circuit)
    assert (r1cs.num_constraints, r1cs.num_wires) == (circom_constraints, int(report["wires"]))


# -- Merkle paths -----------------------------------------------------------------------------


def membership_circuit(cs, depth):
    leaf = cs.private_input("leaf")
    siblings, bits = cs.private_input("siblings", depth), cs.private_input("bits", depth)
    cs.public_output("root", merkle_root_from_path(cs, leaf, siblings, bits))


def prove_leaf(tree, index, siblings=None, bits=None):
    """The root the circuit computes for leaf `index` of `tree` (path overridable), and
    whether the witness satisfies the system."""
    path_siblings, path_bits = tree.path(index)
    inputs = {"leaf": tree.leaf(index), "siblings": siblings or path_siblings, "bits": bits or path_bits}
    r1cs, witness = solve(membership_circuit, inputs, depth=tree.depth)
    return r1cs.public_signals(witness)[0], r1cs.is_satisfied(witness)


@pytest.fixture(scope="module")
def small_tree():
    return SparseMerkleTree(4, {0: 11, 5: 22, 6: 33, 15: 44})


def test_merkle_path_count():
    assert build(membership_circuit, depth=4).num_constraints == 4 * (1 + 1 + 240)


def test_merkle_path_agrees_with_native_tree_depth_4(small_tree):
    for index in range(16):  # stored and empty leaves, both directions at every level
        root, satisfied = prove_leaf(small_tree, index)
        assert satisfied and root == small_tree.root


def test_merkle_path_depth_20_is_fast(rng):
    tree = SparseMerkleTree(20, {rng.randrange(1 << 20): rng.randrange(R) for _ in range(200)})
    index = next(iter(tree.levels[0]))
    start = time.perf_counter()
    assert build(membership_circuit, depth=20).num_constraints == 20 * 242
    root, satisfied = prove_leaf(tree, index)
    elapsed = time.perf_counter() - start
    assert satisfied and root == tree.root
    assert elapsed < 2.0, f"depth-20 path: build + witness took {elapsed:.2f} s"


def test_merkle_tampering_changes_the_root(small_tree):
    siblings, bits = small_tree.path(5)
    wrong_sibling = [siblings[0] + 1, *siblings[1:]]
    flipped = [1 - bits[0], *bits[1:]]
    for tampered in [{"siblings": wrong_sibling}, {"bits": flipped}]:
        root, satisfied = prove_leaf(small_tree, 5, **tampered)
        assert satisfied and root != small_tree.root  # a valid proof, of another root


def test_merkle_non_boolean_direction_is_named(small_tree):
    siblings, bits = small_tree.path(5)
    r1cs, witness = solve(
        membership_circuit, {"leaf": 22, "siblings": siblings, "bits": [bits[0], 2, *bits[2:]]}, depth=4, check=False
    )
    result = r1cs.is_satisfied(witness)
    assert not result and result.label == "level[1]/direction_boolean"


def test_reference_membership_counts_match_circom():
    # circuits/membership_reference.circom at D = 4, compiled by circom --O2: 1181 constraints
    # (leaf Poseidon(1), then per level a two-product swap and Poseidon(2), bits unchecked).
    def membership_reference(cs, depth):
        leaf = poseidon(cs, [cs.private_input("pid")])
        siblings, bits = cs.private_input("siblings", depth), cs.private_input("bits", depth)
        root = merkle_root_from_path(cs, leaf, siblings, bits, swap=two_product_swap, enforce_bits=False)
        cs.public_output("root", root)

    assert build(membership_reference, depth=4).num_constraints == 1181


@pytest.mark.parametrize("swap", [switcher, two_product_swap])
def test_two_swaps_agree(small_tree, swap):
    def path_circuit(cs):
        siblings, bits = cs.private_input("siblings", 4), cs.private_input("bits", 4)
        root = merkle_root_from_path(cs, cs.private_input("leaf"), siblings, bits, swap=swap)
        cs.public_output("root", root)

    for index in [5, 6]:
        siblings, bits = small_tree.path(index)
        inputs = {"leaf": small_tree.leaf(index), "siblings": siblings, "bits": bits}
        r1cs, witness = solve(path_circuit, inputs)
        assert r1cs.is_satisfied(witness) and r1cs.public_signals(witness) == [small_tree.root]


def test_unchecked_bits_let_any_leaf_reach_the_root(rng):
    # Knowing the root's children (a, b), a prover reaches the root from any leaf x:
    # sibling = a + b - x and the "bit" t = (a - x) / (sibling - x) swap (x, sibling) into (a, b).
    a, b, x = (rng.randrange(R) for _ in range(3))
    sibling = (a + b - x) % R
    t = (a - x) * pow(sibling - x, -1, R) % R
    root = native_poseidon([a, b])

    def forged_path(cs, enforce_bits):
        leaf, sib, bit = cs.private_input("leaf"), cs.private_input("sibling"), cs.private_input("bit")
        cs.public_output("root", merkle_root_from_path(cs, leaf, [sib], [bit], enforce_bits=enforce_bits))

    for enforce_bits in [False, True]:
        inputs = {"leaf": x, "sibling": sibling, "bit": t}
        r1cs, witness = solve(forged_path, inputs, check=False, enforce_bits=enforce_bits)
        assert r1cs.public_signals(witness) == [root]
        result = r1cs.is_satisfied(witness)
        assert (not result and result.label == "level[0]/direction_boolean") if enforce_bits else result


def test_merkle_path_length_mismatch():
    with pytest.raises(CircuitError):
        build(lambda cs: merkle_root_from_path(cs, cs.private_input("leaf"), cs.private_input("s", 3), []))


# -- the native sparse tree -------------------------------------------------------------------


def dense_root(depth, leaves):
    """The root by hashing every level in full (2^depth leaves, missing ones 0)."""
    level = [leaves.get(i, 0) for i in range(1 << depth)]
    while len(level) > 1:
        level = [native_poseidon(level[i : i + 2]) for i in range(0, len(level), 2)]
    return level[0]


def test_zero_hashes():
    zeros = zero_hashes(20)
    assert len(zeros) == 21 and zeros[0] == 0
    assert all(zeros[i + 1] == native_poseidon([zeros[i], zeros[i]]) for i in range(20))
    assert SparseMerkleTree(20).root == zeros[20]
    assert SparseMerkleTree(20).stored_nodes == 0


def test_tree_matches_dense_tree(small_tree):
    leaves = {0: 11, 5: 22, 6: 33, 15: 44}
    assert small_tree.root == dense_root(4, leaves)
    assert SparseMerkleTree(4, [11, 0, 0, 0, 0, 22, 33]).root == dense_root(4, {0: 11, 5: 22, 6: 33})


def test_insert_matches_bulk_build(rng):
    leaves = {rng.randrange(1 << 12): rng.randrange(R) for _ in range(40)}
    grown = SparseMerkleTree(12)
    for index, leaf in leaves.items():
        grown.insert(index, leaf)
    assert grown.root == SparseMerkleTree(12, leaves).root
    grown.insert(next(iter(leaves)), 7)  # replacing a leaf changes the root
    assert grown.root != SparseMerkleTree(12, leaves).root


def test_tree_stores_only_non_empty_nodes():
    assert SparseMerkleTree(20, {12345: 1}).stored_nodes == 21
    assert SparseMerkleTree(20, [1, 2, 3, 4]).stored_nodes == 4 + 2 + 1 * 19


def test_paths_verify(small_tree):
    for index in [0, 5, 6, 15, 9]:
        siblings, bits = small_tree.path(index)
        assert bits == [(index >> level) & 1 for level in range(4)]
        leaf = small_tree.leaf(index)
        assert SparseMerkleTree.verify_path(leaf, siblings, bits, small_tree.root)
        assert not SparseMerkleTree.verify_path(leaf + 1, siblings, bits, small_tree.root)
        assert root_from_path(leaf, siblings, bits) == small_tree.root


def test_tree_of_thousands_builds_quickly(rng):
    leaves = [rng.randrange(R) for _ in range(4000)]
    start = time.perf_counter()
    tree = SparseMerkleTree(20, leaves)
    elapsed = time.perf_counter() - start
    siblings, bits = tree.path(2718)
    assert SparseMerkleTree.verify_path(leaves[2718], siblings, bits, tree.root)
    assert elapsed < 10.0, f"a depth-20 tree of 4000 leaves took {elapsed:.2f} s"


def test_tree_rejects_bad_indices_and_leaves():
    tree = SparseMerkleTree(4)
    with pytest.raises(IndexError):
        tree.insert(16, 1)
    with pytest.raises(IndexError):
        tree.path(-1)
    with pytest.raises(ValueError):
        tree.insert(0, R)
    with pytest.raises(ValueError):
        SparseMerkleTree(0)
    with pytest.raises(ValueError):
        root_from_path(1, [0], [2])
