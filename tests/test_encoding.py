"""The string-to-field encoding shared by all patterns."""
import pytest

from zkwork.field import R
from zkwork.patterns.encoding import decode_string, encode_pid, encode_string, parse_pid


@pytest.mark.parametrize("text", ["", "JP", "a", "\x00a", "東京都", "x" * 31])
def test_short_strings_pack_and_decode(text):
    value = encode_string(text)
    assert 0 <= value < R
    assert decode_string(value) == text


def test_encoding_is_injective_on_lookalikes():
    values = [encode_string(s) for s in ["a", "\x00a", "a\x00", "", "\x00", "x" * 31, "x" * 32, "x" * 33]]
    assert len(set(values)) == len(values)


def test_long_strings_are_hashed_deterministically():
    long = "JP-13-113-01-T07-B12-BN02-R342-and-a-very-long-suffix"
    assert encode_string(long) == encode_string(long) < R
    with pytest.raises(ValueError, match="not the packed encoding"):
        decode_string(encode_string(long))


def test_pid_parsing():
    assert parse_pid("JP-13-113-01-T07-B12-BN02-R342") == ["JP", "13", "113", "01", "T07", "B12", "BN02", "R342"]
    assert encode_pid("JP-13") == encode_string("JP-13")
    for bad in ["", "JP--13", "-JP", None]:
        with pytest.raises(ValueError):
            parse_pid(bad)


def test_non_strings_are_refused():
    with pytest.raises(TypeError, match="expected a string"):
        encode_string(42)
