"""A circuit's named inputs, checked the one way both the DSL (ConstraintSystem) and the
compiled witness program (WitnessProgram) check them: every value an int or Fr element in
[0, r), arrays of the declared length, no missing and no extra name; and their JSON form,
snarkjs's input.json (numbers as decimal strings)."""
from zkwork.errors import CircuitInputError
from zkwork.field import FieldElement, R


def field_value(label, value):
    """`value` as an int in [0, r); CircuitInputError naming the input `label` otherwise."""
    if isinstance(value, FieldElement) and value.field.modulus == R:
        return value.value
    if isinstance(value, bool) or not isinstance(value, int):
        raise CircuitInputError(f"input {label!r} must be an int or Fr element, got {value!r:.80}")
    if not 0 <= value < R:
        raise CircuitInputError(f"input {label!r} = {value} is not a field element (0 <= x < r)")
    return value


def input_values(inputs, name, label, n):
    """The values of input `name` (labelled `label`): [one value] for n = None, else a list of n."""
    if name not in inputs:
        raise CircuitInputError(f"missing input {label!r}")
    given = inputs[name]
    if n is None:
        return [field_value(label, given)]
    if isinstance(given, (str, bytes)) or not hasattr(given, "__len__") or len(given) != n:
        got = len(given) if hasattr(given, "__len__") else type(given).__name__
        raise CircuitInputError(f"input {label!r} must be a list of {n} values, got {got}")
    return [field_value(f"{label}[{i}]", v) for i, v in enumerate(given)]


def check_no_extra(inputs, names):
    """CircuitInputError if `inputs` has a name the circuit does not take."""
    unused = set(inputs) - set(names)
    if unused:
        raise CircuitInputError(f"inputs the circuit does not take: {sorted(unused)}")


def check_inputs(inputs, layout):
    """The values of `inputs` in the order of `layout` ((name, label, n or None) per input, a
    ConstraintSystem's input_layout), each in [0, r), no name missing and none extra;
    CircuitInputError naming the input otherwise."""
    if not isinstance(inputs, dict):
        raise CircuitInputError(f"inputs are a dict of named signals, not {type(inputs).__name__}")
    values = [v for name, label, n in layout for v in input_values(inputs, name, label, n)]
    check_no_extra(inputs, [name for name, _, _ in layout])
    return values


def inputs_to_json(inputs):
    """Circuit inputs as JSON, numbers as decimal strings (snarkjs's input.json shape)."""
    return {name: [str(v) for v in value] if isinstance(value, list) else str(value) for name, value in inputs.items()}


def inputs_from_json(obj, where="input"):
    """Circuit inputs from JSON: numbers as ints or decimal / 0x-hex strings, lists of them."""
    if not isinstance(obj, dict):
        raise CircuitInputError(f"{where}: expected a JSON object of named inputs")

    def number(value, name):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value, 16) if value.lower().startswith("0x") else int(value, 10)
            except ValueError:
                pass
        raise CircuitInputError(f"{where}: input {name!r} = {value!r} is not a number")

    return {
        name: [number(v, f"{name}[{i}]") for i, v in enumerate(value)] if isinstance(value, list) else number(value, name)
        for name, value in obj.items()
    }
