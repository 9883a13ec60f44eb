"""What the on-screen text keyboard shows: which keys, in which rows, for how wide a panel.

Two kinds: a health code's text (upper-case Latin letters, digits and the punctuation of Base45,
which health codes are written in: space $ % * + - . / :) and a short note (letters, digits and
the punctuation of plates, IDs and short words). Letters are upper case only: codes, plates and
ID numbers are written so, and no shift key is needed.

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


def punctuation(kind: TextKind) -> str:
    """The eight punctuation keys besides the space bar."""
    if kind is TextKind.CODE_TEXT:
        return "$%*+-./:"  # Base45 (healthcode.base45.ALPHABET) after its letters and digits
    return "-./:,#()"


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


def _page(rows: list[list[tuple[str, int]]]) -> tuple[PlacedKey, ...]:
    placed: list[PlacedKey] = []
    for row, keys in enumerate(rows):
        column = 0
        for key, span in keys:
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
    if columns_that_fit >= WIDE_COLUMNS:
        top, middle, bottom = (_ones(row) for row in QWERTY_ROWS)
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
                        ]
                    ),
                ),
            )
        letters = _page([top, [*middle, (BACKSPACE, 1)], [*bottom, (DIGITS_PAGE, 2), (CLEAR, 1)]])
        digits = _page(
            [
                _ones(DIGITS),
                [*_ones(marks), (BACKSPACE, 2)],
                [(SPACE, 5), (LETTERS_PAGE, 3), (CLEAR, 2)],
            ]
        )
        return Arrangement(WIDE_COLUMNS, 3, (letters, digits))
    # Narrow (a portrait panel, plenty of height): A to Z in rows of eight, all on one page.
    page = _page(
        [
            _ones(DIGITS[:8]),
            [*_ones(DIGITS[8:]), *_ones(marks[6:]), (SPACE, 2), (BACKSPACE, 1), (CLEAR, 1)],
            _ones(ALPHABET[:8]),
            _ones(ALPHABET[8:16]),
            _ones(ALPHABET[16:24]),
            [*_ones(ALPHABET[24:]), *_ones(marks[:6])],
        ]
    )
    return Arrangement(NARROW_COLUMNS, 6, (page,))


def every_key(kind: TextKind) -> tuple[str, ...]:
    """Every key any arrangement of `kind` shows, each once."""
    seen: dict[str, None] = {}
    for columns, rows in ((WIDE_COLUMNS, 5), (WIDE_COLUMNS, 3), (NARROW_COLUMNS, 6)):
        for page in arrangement(kind, columns, rows).pages:
            seen.update((placed.key, None) for placed in page)
    return tuple(seen)
