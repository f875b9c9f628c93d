"""Reading the fields of parsed JSON, for every JSON format zkwork reads (snarkjs's key,
proof and public files, the proving-key header, ceremony transcripts): one reader per kind
of value, each naming where the value sits (`verification_key.IC[2]`, `records[3].index`)
and raising the format's own typed error.

    fields = JsonFields(TranscriptFormatError)
    index = fields.int(fields.field(record, "index", where), f"{where}.index", 2**32 - 1)
"""
from zkwork.errors import JsonFormatError

SHOWN = 200  # characters of an offending value quoted in a message


class JsonFields:
    """The field readers of one JSON format, raising `error` (a typed error class)."""

    def __init__(self, error=JsonFormatError):
        self.error = error

    def _fail(self, message):
        return self.error(message[:SHOWN + 100])

    def object(self, value, where):
        """`value`, which must be a JSON object."""
        if not isinstance(value, dict):
            raise self._fail(f"{where}: expected a JSON object, got {type(value).__name__}")
        return value

    def field(self, obj, key, where):
        """obj[key], which must be present."""
        if key not in obj:
            raise self._fail(f"{where}: missing {key!r}")
        return obj[key]

    def list(self, value, where, length=None):
        """`value`, which must be a JSON array (of `length` items, if given)."""
        if not isinstance(value, list) or (length is not None and len(value) != length):
            expected = "a list" if length is None else f"a list of {length}"
            raise self._fail(f"{where}: expected {expected}, got {value!r:.{SHOWN}}")
        return value

    def int(self, value, where, maximum):
        """`value`, which must be a JSON integer in [0, maximum] (not a float, not a boolean)."""
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
            raise self._fail(f"{where}: expected an int in [0, {maximum}], got {value!r:.{SHOWN}}")
        return value

    def decimal(self, value, where, bound, bound_name):
        """The integer of a string of ASCII digits (leading zeros allowed) below `bound`."""
        if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
            raise self._fail(f"{where}: expected a decimal string, got {value!r:.{SHOWN}}")
        digits = value.lstrip("0") or "0"
        if len(digits) > len(str(bound)):  # checked before int(), which refuses 4300 digits and more
            raise self._fail(f"{where}: a number of {len(digits)} digits is not below {bound_name}")
        number = int(digits)
        if number >= bound:
            raise self._fail(f"{where}: {number} is not below {bound_name}")
        return number

    def hex(self, value, where, length=None):
        """The bytes of a hex string (of `length` bytes, if given)."""
        try:
            data = bytes.fromhex(value)
        except (TypeError, ValueError):
            raise self._fail(f"{where}: expected a hex string, got {value!r:.{SHOWN}}") from None
        if length is not None and len(data) != length:
            raise self._fail(f"{where}: expected {length} bytes ({2 * length} hex digits), got {len(data)}")
        return data
