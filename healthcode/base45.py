"""Base45 (RFC 9285): binary data as text that a QR code stores in alphanumeric mode.

Written here rather than taken from PyPI: the `base45` package has had no release since 2022,
and this sits on the hot path of every verification, where a table-driven loop is cheaper.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE_OF = {char: value for value, char in enumerate(ALPHABET)}
_PAIR_LIMIT = 0xFFFF  # three characters encode at most two bytes
_SINGLE_LIMIT = 0xFF  # two trailing characters encode at most one byte


class Base45Error(ValueError):
    """The text is not valid Base45: a character outside the alphabet, a bad length or a value
    that does not fit in the bytes it stands for."""


def encode(data: bytes) -> str:
    out: list[str] = []
    append = out.append
    alphabet = ALPHABET
    full = len(data) - len(data) % 2
    for index in range(0, full, 2):
        value = (data[index] << 8) | data[index + 1]
        value, c = divmod(value, 45)
        e, d = divmod(value, 45)
        append(alphabet[c] + alphabet[d] + alphabet[e])
    if full != len(data):
        d, c = divmod(data[-1], 45)
        append(alphabet[c] + alphabet[d])
    return "".join(out)


def decode(text: str) -> bytes:
    length = len(text)
    if length % 3 == 1:
        raise Base45Error(f"length {length} leaves a single character, which encodes nothing")
    try:
        values = [_VALUE_OF[char] for char in text]
    except KeyError as error:
        raise Base45Error(f"character {error.args[0]!r} is not in the Base45 alphabet") from None
    out = bytearray()
    full = length - length % 3
    for index in range(0, full, 3):
        value = values[index] + values[index + 1] * 45 + values[index + 2] * 2025
        if value > _PAIR_LIMIT:
            raise Base45Error(f"triplet at {index} is {value}, more than two bytes can hold")
        out += value.to_bytes(2, "big")
    if full != length:
        value = values[full] + values[full + 1] * 45
        if value > _SINGLE_LIMIT:
            raise Base45Error(f"final pair is {value}, more than one byte can hold")
        out.append(value)
    return bytes(out)
