"""The constraint system DSL: wire order, folding, hints, namespaces, linear elimination,
witness checks and typed input errors."""
import pytest

from zkwork.errors import CircuitError, CircuitInputError, UnsatisfiedConstraintError
from zkwork.field import Fr, R
from zkwork.r1cs import ConstraintSystem, build, solve


def cube_plus(cs):
    """out = y^3 + x, with y^2 = x asserted: two kinds of linear constraint to eliminate."""
    x = cs.public_input("x")
    y = cs.private_input("y")
    cs.assert_equal(y * y, x, "square")
    cs.public_output("out", y * y * y + x)


def test_wires_follow_circoms_order_whatever_the_declaration_order():
    def circuit(cs):
        secret = cs.private_input("secret")
        cs.public_output("out", secret * secret)
        cs.public_input("challenge")
        pair = cs.private_input("pair", 2)
        cs.enforce(pair[0], pair[1], secret)

    r1cs, witness = solve(circuit, {"secret": 3, "challenge": 7, "pair": [1, 3]})
    assert r1cs.wire_names == ["one", "out", "challenge", "secret", "pair[0]", "pair[1]"]
    assert witness == [1, 9, 7, 3, 1, 3]
    assert r1cs.public_signals(witness) == [9, 7]
    assert (r1cs.num_outputs, r1cs.num_public_inputs, r1cs.num_private_inputs) == (1, 1, 3)


def test_unconstrained_private_signals_leave_the_wires_public_ones_stay():
    def circuit(cs):
        x = cs.private_input("x")
        cs.private_input("unused")
        cs.public_input("challenge")
        cs.public_output("out", x * x)
        cs.hint("advice", lambda v: v + 1, x)

    r1cs = build(circuit)
    assert r1cs.wire_names == ["one", "out", "challenge", "x"]
    assert build(circuit, simplify=False).num_wires == 7


def test_linear_constraints_are_eliminated_through_internal_signals():
    r1cs, witness = solve(cube_plus, {"x": 9, "y": 3})
    # y*y (asserted = x), y*y again and y^3: three products; both linear constraints vanish.
    assert r1cs.num_constraints == 3
    assert r1cs.is_satisfied(witness)
    assert r1cs.public_signals(witness) == [27 + 9, 9]
    unsimplified, w = solve(cube_plus, {"x": 9, "y": 3}, simplify=False)
    assert unsimplified.num_constraints == 5 and unsimplified.is_satisfied(w)


def test_linear_constraint_among_public_signals_survives():
    def circuit(cs):
        a, b = cs.public_input("a"), cs.public_input("b")
        cs.assert_equal(a, b + 1)

    r1cs = build(circuit)
    assert r1cs.num_constraints == 1
    assert not r1cs.is_satisfied([1, 5, 5]) and r1cs.is_satisfied([1, 6, 5])


def test_private_inputs_are_eliminated_like_circom_does():
    def circuit(cs):
        country = cs.public_input("country")
        component = cs.private_input("component")
        other = cs.private_input("other")
        cs.assert_equal(component, country)  # private = public: the private one goes
        cs.public_output("out", component * other)

    r1cs, witness = solve(circuit, {"country": 81, "component": 81, "other": 2})
    assert r1cs.num_constraints == 1 and r1cs.wire_names == ["one", "out", "country", "other"]
    assert r1cs.is_satisfied(witness) and witness == [1, 162, 81, 2]


def test_linear_work_is_free_and_constants_fold():
    def circuit(cs):
        a, b = cs.private_input("a"), cs.private_input("b")
        lc = 3 * a - b + 7 - a * 2 + Fr(5) * b
        cs.public_output("out", lc * 4 + cs.constant(2) * cs.constant(3))

    r1cs, witness = solve(circuit, {"a": 10, "b": 1})
    # out is linear in the private inputs: b is solved for, then a is in no constraint
    assert r1cs.num_constraints == 0 and r1cs.wire_names == ["one", "out"]
    assert witness == [1, ((3 * 10 - 1 + 7 - 20 + 5) * 4 + 6) % R]


def test_constant_constraint_is_checked_at_once():
    def circuit(cs):
        cs.enforce(cs.constant(2), 3, 7)

    with pytest.raises(CircuitError, match="can never hold"):
        build(circuit)


def test_hints_and_failures_name_the_constraint():
    def inverse(cs):
        x = cs.private_input("x")
        with cs.namespace("gadget", 2):
            inv = cs.hint("inverse", lambda v: pow(v, -1, R), x)
            cs.enforce(x, inv, 1, "x_times_inverse")

    r1cs, witness = solve(inverse, {"x": 5})
    assert r1cs.is_satisfied(witness)
    witness[-1] = 7
    result = r1cs.is_satisfied(witness)
    assert not result and result.label == "gadget[2]/x_times_inverse"
    assert (result.a, result.b, result.c) == (5, 7, 1)
    with pytest.raises(UnsatisfiedConstraintError, match=r"gadget\[2\]/x_times_inverse"):
        r1cs.assert_satisfied(witness)


def test_boolean_constraint():
    def circuit(cs):
        cs.assert_boolean(cs.private_input("bit"))

    r1cs = build(circuit)
    assert r1cs.is_satisfied([1, 0]) and r1cs.is_satisfied([1, 1])
    assert not r1cs.is_satisfied([1, 2])


@pytest.mark.parametrize(
    "inputs, message",
    [
        ({"x": 9}, "missing input 'y'"),
        ({"x": 9, "y": R}, "'y' = .* is not a field element"),
        ({"x": -1, "y": 3}, "'x' = -1 is not a field element"),
        ({"x": "9", "y": 3}, "'x' must be an int"),
        ({"x": 9, "y": 3, "z": 1}, "inputs the circuit does not take: \\['z'\\]"),
    ],
)
def test_bad_inputs_are_typed_errors_naming_the_input(inputs, message):
    with pytest.raises(CircuitInputError, match=message):
        solve(cube_plus, inputs)


def test_array_inputs_are_checked_element_by_element():
    def circuit(cs):
        cs.private_input("siblings", 3)

    with pytest.raises(CircuitInputError, match="list of 3 values, got 2"):
        solve(circuit, {"siblings": [1, 2]})
    with pytest.raises(CircuitInputError, match=r"'siblings\[1\]' = .* not a field element"):
        solve(circuit, {"siblings": [1, R + 1, 2]})


def test_budget_and_stats():
    def circuit(cs):
        x = cs.private_input("x")
        for i in range(3):
            with cs.namespace("level", i):
                with cs.namespace("square"):
                    x = x * x
        with cs.namespace("check"):
            cs.assert_boolean(x)

    r1cs = build(circuit)
    budget = r1cs.budget()
    assert dict(zip(budget["namespace"], budget["constraints"])) == {"level/square": 3, "check": 1}
    assert budget["share"].sum() == pytest.approx(1.0)
    assert dict(zip(r1cs.budget(depth=1)["namespace"], r1cs.budget(depth=1)["constraints"])) == {"level": 3, "check": 1}
    stats = r1cs.stats()
    assert stats["constraints"] == 4 and stats["private_inputs"] == 1 and stats["nonzeros_A"] == 4


def test_signals_of_two_systems_do_not_mix():
    a, b = ConstraintSystem(), ConstraintSystem()
    with pytest.raises(ValueError, match="two different constraint systems"):
        a.private_input("x") + b.private_input("y")


def test_witness_of_wrong_length_is_an_error():
    r1cs = build(cube_plus)
    with pytest.raises(UnsatisfiedConstraintError, match="witness has"):
        r1cs.is_satisfied([1, 2])


def test_solving_checks_every_constraint_as_written():
    def circuit(cs):
        x = cs.private_input("x")
        bits = cs.hint("bits", lambda v: [v & 1, (v >> 1) & 1], x, n=2)
        for bit in bits:
            cs.assert_boolean(bit)
        cs.assert_equal(bits[0] + 2 * bits[1], x, "sum")

    with pytest.raises(UnsatisfiedConstraintError, match="violate constraint sum"):
        solve(circuit, {"x": 4})
    r1cs, witness = solve(circuit, {"x": 4}, check=False)
    assert not r1cs.is_satisfied(witness)
