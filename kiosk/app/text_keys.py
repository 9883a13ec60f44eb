"""What the on-screen text keyboard shows: which keys, in which rows, for how wide a panel.

Kinds: a health code's text (upper-case Latin letters, digits and the punctuation of Base45,
which health codes are written in: space $ % * + - . / :), a short note (letters, digits and
the punctuation of plates, IDs and short words), and on the technician's screen a person's name
(in pinyin, upper case as on a passport), central's address (lower case, digits and : / . - _
and the few other marks a URL has) and an enrollment code (XXXX-XXXX-XXXX-XXXX: letters, digits
and -). Letters are of one case per kind, so no shift key is needed.

The widget (kiosk/ui/text_keyboard.py) asks for an arrangement by how many keys of the smallest
glove size fit across and down, and places the keys it is given; no Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Keys that do something other than type their label (a character key is its one character).
BACKSPACE = "backspace"
CLEAR = "clear"
SPACE = "space"
LETTERS_PAGE = "letters"  # on the digits page: back to the letters
DIGITS_PAGE = "digits"  # on the letters page: to the digits and punctuation

DIGITS = "1234567890"
QWERTY_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# A wide panel shows ten keys across (QWERTY); a narrow one eight (A to Z).
WIDE_COLUMNS = 10
NARROW_COLUMNS = 8


class TextKind(StrEnum):
    CODE_TEXT = "code_text"
    NOTE = "note"
    NAME = "name"
    ADDRESS = "address"
    ENROLLMENT_CODE = "enrollment_code"


_PUNCTUATION = {
    TextKind.CODE_TEXT: "$%*+-./:",  # Base45 (healthcode.base45.ALPHABET) after A-Z and 0-9
    TextKind.NOTE: "-./:,#()",
    TextKind.NAME: "-'.·,()",  # "Ou-Yang", "Xi'an", "Wang Xiao-Ming"
    TextKind.ADDRESS: ":/.-_@%~",  # https://central.example.org:8443/kiosk_api
    TextKind.ENROLLMENT_CODE: "-",  # Crockford base32 in groups of four
}


def punctuation(kind: TextKind) -> str:
    """The punctuation keys besides the space bar: at most eight (fewer leave wider keys)."""
    return _PUNCTUATION[kind]


def letters_in_case(kind: TextKind, letters: str) -> str:
    """An address is typed in lower case (a path may be case-sensitive, and https:// is how
    every address starts); the rest in upper case."""
    return letters.lower() if kind is TextKind.ADDRESS else letters


def typed(key: str) -> str:
    """What a key types: its character, a space, or nothing (an editing or page key)."""
    if key == SPACE:
        return " "
    return key if len(key) == 1 else ""


@dataclass(frozen=True)
class PlacedKey:
    key: str
    row: int
    column: int
    span: int = 1


@dataclass(frozen=True)
class Arrangement:
    """One or two pages of keys on a grid of `columns` x `rows` cells."""

    columns: int
    rows: int
    pages: tuple[tuple[PlacedKey, ...], ...]


def _widened(keys: list[tuple[str, int]], columns: int) -> list[tuple[str, int]]:
    """A row short of `columns` (a kind with fewer punctuation keys) fills the gap by widening
    its space bar, else its last key, so the keys still tile the row."""
    missing = columns - sum(span for _, span in keys)
    if missing <= 0 or not keys:
        return keys
    names = [key for key, _ in keys]
    index = names.index(SPACE) if SPACE in names else len(keys) - 1
    key, span = keys[index]
    return [*keys[:index], (key, span + missing), *keys[index + 1 :]]


def _page(rows: list[list[tuple[str, int]]], columns: int) -> tuple[PlacedKey, ...]:
    placed: list[PlacedKey] = []
    for row, keys in enumerate(rows):
        column = 0
        for key, span in _widened(keys, columns):
            placed.append(PlacedKey(key, row, column, span))
            column += span
    return tuple(placed)


def _ones(characters: str) -> list[tuple[str, int]]:
    return [(character, 1) for character in characters]


def arrangement(kind: TextKind, columns_that_fit: int, rows_that_fit: int) -> Arrangement:
    """The keys for a keyboard that has room for `columns_that_fit` x `rows_that_fit` keys of
    the smallest glove size: every key on one page when it fits, else letters and digits on two
    pages (a 1024x600 panel has room for three rows under a field)."""
    marks = punctuation(kind)
    alphabet = letters_in_case(kind, ALPHABET)
    if columns_that_fit >= WIDE_COLUMNS:
        top, middle, bottom = (_ones(letters_in_case(kind, row)) for row in QWERTY_ROWS)
        if rows_that_fit >= 5:
            return Arrangement(
                WIDE_COLUMNS,
                5,
                (
                    _page(
                        [
                            _ones(DIGITS),
                            top,
                            [*middle, (BACKSPACE, 1)],
                            [*bottom, *_ones(marks[:3])],
                            [*_ones(marks[3:]), (SPACE, 3), (CLEAR, 2)],
                        ],
                        WIDE_COLUMNS,
                    ),
                ),
            )
        letters = _page(
            [top, [*middle, (BACKSPACE, 1)], [*bottom, (DIGITS_PAGE, 2), (CLEAR, 1)]], WIDE_COLUMNS
        )
        digits = _page(
            [
                _ones(DIGITS),
                [*_ones(marks), (BACKSPACE, 2)],
                [(SPACE, 5), (LETTERS_PAGE, 3), (CLEAR, 2)],
            ],
            WIDE_COLUMNS,
        )
        return Arrangement(WIDE_COLUMNS, 3, (letters, digits))
    # Narrow (a portrait panel, plenty of height): A to Z in rows of eight, all on one page.
    page = _page(
        [
            _ones(DIGITS[:8]),
            [*_ones(DIGITS[8:]), *_ones(marks[6:]), (SPACE, 2), (BACKSPACE, 1), (CLEAR, 1)],
            _ones(alphabet[:8]),
            _ones(alphabet[8:16]),
            _ones(alphabet[16:24]),
            [*_ones(alphabet[24:]), *_ones(marks[:6])],
        ],
        NARROW_COLUMNS,
    )
    return Arrangement(NARROW_COLUMNS, 6, (page,))


def every_key(kind: TextKind) -> tuple[str, ...]:
    """Every key any arrangement of `kind` shows, each once."""
    seen: dict[str, None] = {}
    for columns, rows in ((WIDE_COLUMNS, 5), (WIDE_COLUMNS, 3), (NARROW_COLUMNS, 6)):
        for page in arrangement(kind, columns, rows).pages:
            seen.update((placed.key, None) for placed in page)
    return tuple(seen)
