"""The compiled witness program (zkwork.r1cs.witness_program): its witness is the DSL's
(Pattern.solve) and circom's (`snarkjs wtns calculate` on the Circom twin) for the ten
circuits, on random and edge-case inputs; bad inputs give typed errors naming the input or
the failing constraint, as the DSL's do."""
import collections
import json
import re

import pytest
from node_tools import run_node_tool

from zkwork.errors import CircuitError, CircuitInputError, UnsatisfiedConstraintError
from zkwork.field import FR, FieldVector, R
from zkwork.formats import read_r1cs, read_wtns
from zkwork.gadgets.merkle import root_from_path
from zkwork.patterns import PATTERNS, VARIANTS, StatementError, get_pattern
from zkwork.r1cs import ConstraintSystem
from zkwork.r1cs.witness_program import WitnessProgram
from zkwork.r1cs.inputs import inputs_to_json

POSEIDON_LINEAR_LAYER = re.compile(r"/pEx/(ark|mix|mixS|mixLast)\[\d+\]/")
CIRCUITS = [(name, variant) for name in PATTERNS for variant in VARIANTS]
_programs = {}


def small(name, variant):
    return get_pattern(name, variant, **PATTERNS[name].small_params())


def program_of(pattern):
    """The pattern's WitnessProgram, recorded once per test session."""
    if pattern.label not in _programs:
        _programs[pattern.label] = WitnessProgram.record(pattern.circuit)
    return _programs[pattern.label]


def outcome(run, inputs):
    """('witness', values) or ('unsatisfied', message) of a witness computation."""
    try:
        witness = run(inputs)
    except UnsatisfiedConstraintError as error:
        return "unsatisfied", str(error)
    return "witness", list(witness)


def program_outcome(pattern, inputs):
    return outcome(lambda x: program_of(pattern).run(x).to_ints(), inputs)


def dsl_outcome(pattern, inputs):
    return outcome(lambda x: pattern.solve(x)[1], inputs)


# -- the witness is the DSL's ----------------------------------------------------------------


@pytest.mark.parametrize("name, variant", CIRCUITS)
def test_witness_equals_the_dsls_on_random_inputs(name, variant):
    pattern = small(name, variant)
    for _ in range(2):  # sample_inputs draws fresh salts, nonces and challenges
        inputs = pattern.sample_inputs()
        r1cs, witness = pattern.solve(inputs)
        computed = program_of(pattern).run(inputs)
        assert computed.to_ints() == witness
        assert program_of(pattern).r1cs.num_wires == r1cs.num_wires == len(witness)


@pytest.mark.slow
@pytest.mark.parametrize("name, variant", CIRCUITS)
def test_witness_equals_the_dsls_at_production_size(name, variant):
    pattern = get_pattern(name, variant)
    inputs = pattern.sample_inputs()
    assert program_of(pattern).run(inputs).to_ints() == pattern.solve(inputs)[1]


def edge_cases(inputs):
    """Each input in turn set to 0 and r - 1 (an array: all zeros, all r - 1, all equal to its first)."""
    for name, value in inputs.items():
        if isinstance(value, list):
            for values in ([0] * len(value), [R - 1] * len(value), [value[0]] * len(value)):
                yield name, {**inputs, name: values}
        else:
            for edge in (0, R - 1):
                yield name, {**inputs, name: edge}


@pytest.mark.parametrize("name, variant", CIRCUITS)
def test_edge_values_give_what_the_dsl_gives(name, variant):
    """Zeros, r - 1 and repeated values hit the data-dependent hints (the inverse of zero,
    the bits of r - 1); program and DSL must agree on the witness or on the constraint
    that fails."""
    pattern = small(name, variant)
    outcomes = collections.Counter()
    for changed, inputs in edge_cases(pattern.sample_inputs()):
        expected = dsl_outcome(pattern, inputs)
        assert program_outcome(pattern, inputs) == expected, changed
        outcomes[expected[0]] += 1
    assert sum(outcomes.values()) >= 4, outcomes


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("siblings", ["zeros", "equal", "r-1"])
def test_membership_degenerate_paths(variant, siblings):
    """A zero leaf input, an all-zero or all-equal path, both all-left and all-right bits."""
    pattern = small("membership", variant)
    depth = pattern.size
    path = {"zeros": [0] * depth, "equal": [12345] * depth, "r-1": [R - 1] * depth}[siblings]
    for bits in ([0] * depth, [1] * depth):
        inputs = {"pid": 0, "pathElements": path, "pathIndices": bits}
        if pattern.hardened:
            inputs.update(salt=R - 1, challenge=0, root=root_from_path(pattern.leaf(0, R - 1), path, bits))
        witness = program_of(pattern).run(inputs).to_ints()
        assert witness == pattern.solve(inputs)[1]
        assert witness[1:3 if pattern.hardened else 2] == pattern.expected_public(inputs)


# -- bad inputs ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def membership():
    pattern = small("membership", "hardened")
    return pattern, program_of(pattern), pattern.sample_inputs()


def changed(inputs, name, index, value):
    values = list(inputs[name])
    values[index] = value
    return {**inputs, name: values}


def test_a_wrong_path_names_the_root_check(membership):
    pattern, program, inputs = membership
    wrong = changed(inputs, "pathElements", 0, (inputs["pathElements"][0] + 1) % R)
    with pytest.raises(UnsatisfiedConstraintError, match="membership/root_matches"):
        program.run(wrong)
    with pytest.raises(StatementError):  # the native check refuses it too
        pattern.expected_public(wrong)


def test_a_non_boolean_bit_names_its_constraint(membership):
    _, program, inputs = membership
    with pytest.raises(UnsatisfiedConstraintError, match=r"level\[2\]/direction_boolean"):
        program.run(changed(inputs, "pathIndices", 2, 2))


@pytest.mark.parametrize("mutate, message", [
    (lambda x: {**x, "pid": R}, r"'membership/pid' = \d+ is not a field element"),
    (lambda x: {**x, "pid": -1}, "'membership/pid' = -1 is not a field element"),
    (lambda x: changed(x, "pathElements", 1, R + 3), r"'membership/pathElements\[1\]'"),
    (lambda x: {**x, "salt": "12"}, "'membership/salt' must be an int"),
    (lambda x: {**x, "salt": True}, "'membership/salt' must be an int"),
    (lambda x: {k: v for k, v in x.items() if k != "salt"}, "missing input 'membership/salt'"),
    (lambda x: {**x, "nullifier": 1}, r"does not take: \['nullifier'\]"),
    (lambda x: {**x, "pathElements": x["pathElements"][:-1]}, "'membership/pathElements' must be a list of 4"),
    (lambda x: {**x, "pathIndices": 5}, "'membership/pathIndices' must be a list of 4 values, got int"),
])
def test_bad_inputs_name_the_input(membership, mutate, message):
    _, program, inputs = membership
    with pytest.raises(CircuitInputError, match=message):
        program.run(mutate(inputs))


def test_inputs_must_be_a_dict(membership):
    _, program, inputs = membership
    with pytest.raises(CircuitInputError, match="a dict of named signals, not list"):
        program.run(list(inputs.items()))


def test_a_circuit_with_a_python_hint_is_refused():
    def circuit(cs):
        x = cs.private_input("x")
        cs.public_output("y", cs.hint("plus_one", lambda v: v + 1, x))

    with pytest.raises(CircuitError, match="'y_plus_one'|plus_one.*hint of plain Python"):
        WitnessProgram.record(circuit)
    cs = ConstraintSystem({"x": 1})
    circuit(cs)  # the DSL itself still runs it
    assert cs.finish()[1][1] == 2


# -- the witness is circom's -----------------------------------------------------------------


def circom_witness(compiled, pattern, inputs, tmp_path):
    """snarkjs wtns calculate on the Circom twin: (witness, wire names from circom's .sym)."""
    _, build = compiled(pattern.main_name)
    name = pattern.main_name
    (tmp_path / "input.json").write_text(json.dumps(inputs_to_json(inputs)))
    run_node_tool("snarkjs", "wtns", "calculate", build / f"{name}_js" / f"{name}.wasm", tmp_path / "input.json",
                  tmp_path / "witness.wtns")
    return read_wtns(tmp_path / "witness.wtns"), read_r1cs(build / f"{name}.r1cs", build / f"{name}.sym").wire_names


def assert_same_witness(program, inputs, circom, circom_names):
    """The inputs and outputs wire by wire, by their names in circom's .sym (main.<signal>,
    which read_r1cs gives as main/<signal>). The internal signals by value: every value of
    circom's witness must be one the program computed, as a wire or a temporary (random
    254-bit values do not coincide by chance), except inside circomlib Poseidon's linear
    layers: there --O2 keeps some round's `ark`/`mix`/`mixS` outputs (x^5 plus a constant, a
    mixed state) where the DSL keeps x^5 and holds the sums as linear combinations; those
    wires are affine in the S-box values both witnesses share, and the hash outputs they
    lead to are compared."""
    r1cs = program.r1cs
    ours = program.run(inputs).to_ints()
    assert len(ours) == len(circom) and ours[0] == circom[0] == 1
    io_wires = 1 + r1cs.num_public + r1cs.num_private_input_wires
    named = {"main/" + name.rsplit("/", 1)[-1]: value for name, value in zip(r1cs.wire_names[1:io_wires], ours[1:])}
    matched = {name: circom[wire] for wire, name in enumerate(circom_names) if name in named}
    assert matched == named
    computed = set(FieldVector(FR, program.registers(inputs)).to_ints())
    missing = [name for name, value in zip(circom_names, circom)
               if value not in computed and not POSEIDON_LINEAR_LAYER.search(name)]
    assert not missing, f"{len(missing)} of circom's wires hold values the program never computed: {missing[:5]}"


@pytest.mark.node
@pytest.mark.parametrize("size", [
    "small", pytest.param("production", marks=pytest.mark.slow),
])
@pytest.mark.parametrize("name, variant", CIRCUITS)
def test_witness_equals_circoms(compiled, name, variant, size, tmp_path):
    pattern = small(name, variant) if size == "small" else get_pattern(name, variant)
    program = program_of(pattern)
    inputs = pattern.sample_inputs()
    circom, names = circom_witness(compiled, pattern, inputs, tmp_path)
    assert_same_witness(program, inputs, circom, names)


@pytest.mark.node
def test_membership_edge_case_equals_circoms(compiled, tmp_path):
    pattern = small("membership", "hardened")
    path, bits = [0] * pattern.size, [1] * pattern.size
    inputs = {"root": root_from_path(pattern.leaf(0, 0), path, bits), "challenge": R - 1, "pid": 0, "salt": 0,
              "pathElements": path, "pathIndices": bits}
    circom, names = circom_witness(compiled, pattern, inputs, tmp_path)
    assert_same_witness(program_of(pattern), inputs, circom, names)
