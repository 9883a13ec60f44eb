"""Base45 (RFC 9285): binary data as text that a QR code stores in alphanumeric mode.

Written here rather than taken from PyPI: the `base45` package has had no release since 2022,
and this sits on the hot path of every verification, where a table-driven loop is cheaper.
"""

from __future__ import annotations

import struct
from functools import cache

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE_OF = {char: value for value, char in enumerate(ALPHABET)}
_PAIR_LIMIT = 0xFFFF  # three characters encode at most two bytes
_SINGLE_LIMIT = 0xFF  # two trailing characters encode at most one byte


class Base45Error(ValueError):
    """The text is not valid Base45: a character outside the alphabet, a bad length or a value
    that does not fit in the bytes it stands for."""


@cache
def _triplets() -> list[str]:
    """The three characters of every two-byte value (65,536 strings, about 4 MB): built on the
    first encoding, which only the issuing side does; encoding a code is then a lookup per two
    bytes (4 us for a typical code, against 30 us computing each triplet)."""
    alphabet = ALPHABET
    return [
        alphabet[value % 45] + alphabet[value // 45 % 45] + alphabet[value // 2025]
        for value in range(0x10000)
    ]


def encode(data: bytes) -> str:
    full = len(data) - len(data) % 2
    triplets = _triplets()
    text = "".join([triplets[value] for value in struct.unpack(f">{full // 2}H", data[:full])])
    if full != len(data):
        d, c = divmod(data[-1], 45)
        text += ALPHABET[c] + ALPHABET[d]
    return text


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
