"""What the on-screen text keyboard shows: which keys, in which rows, for how wide a panel.

Kinds: a health code's text (upper-case Latin letters, digits and the punctuation of Base45,
which health codes are written in: space $ % * + - . / :), a short note (letters, digits and
the punctuation of plates, IDs and short words), and on the technician's screen a person's name
(in pinyin, upper case as on a passport), central's address (lower case, digits and : / . - _
and the few other marks a URL has) and an enrollment code (XXXX-XXXX-XXXX-XXXX: letters, digits
and -), and a vehicle plate: first its province on a page of the province abbreviations, then
letters (no I or O, which plates never use) and digits. Letters are of one case per kind, so no
shift key is needed.

The widget (kiosk/ui/text_keyboard.py) asks for an arrangement by how many keys of the smallest
glove size fit across and down, and places the keys it is given; no Qt here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Keys that do something other than type their label (a character key is its one character).
BACKSPACE = "backspace"
CLEAR = "clear"
SPACE = "space"
LETTERS_PAGE = "letters"  # on the digits page: back to the letters
DIGITS_PAGE = "digits"  # on the letters page: to the digits and punctuation
PROVINCES_PAGE = "provinces"  # a plate's letters and digits page: back to the provinces

DIGITS = "1234567890"
QWERTY_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# A plate: the province (the 31 provinces' abbreviations, then 使 and 领 of the embassies' and
# consulates' plates), a letter, then five letters or digits (six on a new-energy plate).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_MAX_CHARS = 8
_LIKELY_PLATE = re.compile(f"[{PROVINCES}][{PLATE_LETTERS}][{PLATE_LETTERS}{DIGITS}]{{5,6}}")

# A wide panel shows ten keys across (QWERTY); a narrow one eight (A to Z).
WIDE_COLUMNS = 10
NARROW_COLUMNS = 8


class TextKind(StrEnum):
    CODE_TEXT = "code_text"
    NOTE = "note"
    NAME = "name"
    ADDRESS = "address"
    ENROLLMENT_CODE = "enrollment_code"
    PLATE = "plate"


_PUNCTUATION = {
    TextKind.CODE_TEXT: "$%*+-./:",  # Base45 (healthcode.base45.ALPHABET) after A-Z and 0-9
    TextKind.NOTE: "-./:,#()",
    TextKind.NAME: "-'.·,()",  # "Ou-Yang", "Xi'an", "Wang Xiao-Ming"
    TextKind.ADDRESS: ":/.-_@%~",  # https://central.example.org:8443/kiosk_api
    TextKind.ENROLLMENT_CODE: "-",  # Crockford base32 in groups of four
    TextKind.PLATE: "",
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


def page_key_target(kind: TextKind, key: str) -> int | None:
    """The page a page key shows (a plate's first page is the provinces'), None for another key."""
    if kind is TextKind.PLATE:
        return {PROVINCES_PAGE: 0, LETTERS_PAGE: 1}.get(key)
    return {LETTERS_PAGE: 0, DIGITS_PAGE: 1}.get(key)


def arrangement(kind: TextKind, columns_that_fit: int, rows_that_fit: int) -> Arrangement:
    """The keys for a keyboard that has room for `columns_that_fit` x `rows_that_fit` keys of
    the smallest glove size: every key on one page when it fits, else letters and digits on two
    pages (a 1024x600 panel has room for three rows under a field)."""
    if kind is TextKind.PLATE:
        return plate_arrangement(columns_that_fit)
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


def plate_arrangement(columns_that_fit: int) -> Arrangement:
    """Two pages: the provinces (a plate starts with one), then letters and digits; in four rows
    of ten on a wide panel, five rows of eight on a narrow one."""
    provinces, characters = _ones(PROVINCES), _ones(PLATE_LETTERS)
    if columns_that_fit >= WIDE_COLUMNS:
        first = [provinces[:10], provinces[10:20], provinces[20:30]]
        first.append([*provinces[30:], (LETTERS_PAGE, 3), (BACKSPACE, 2), (CLEAR, 2)])
        second = [_ones(DIGITS), characters[:10], characters[10:20]]
        second.append([*characters[20:], (PROVINCES_PAGE, 2), (BACKSPACE, 2), (CLEAR, 2)])
        return Arrangement(
            WIDE_COLUMNS, 4, (_page(first, WIDE_COLUMNS), _page(second, WIDE_COLUMNS))
        )
    width = NARROW_COLUMNS
    first = [provinces[row * width : (row + 1) * width] for row in range(4)]
    first.append([*provinces[4 * width :], (LETTERS_PAGE, 3), (BACKSPACE, 2), (CLEAR, 2)])
    second = [_ones(DIGITS[:8]), [*_ones(DIGITS[8:]), *characters[:6]]]
    second += [characters[6:14], characters[14:22]]
    second.append([*characters[22:], (PROVINCES_PAGE, 2), (BACKSPACE, 2), (CLEAR, 2)])
    return Arrangement(width, 5, (_page(first, width), _page(second, width)))


def every_key(kind: TextKind) -> tuple[str, ...]:
    """Every key any arrangement of `kind` shows, each once."""
    seen: dict[str, None] = {}
    for columns, rows in ((WIDE_COLUMNS, 5), (WIDE_COLUMNS, 3), (NARROW_COLUMNS, 6)):
        for page in arrangement(kind, columns, rows).pages:
            seen.update((placed.key, None) for placed in page)
    return tuple(seen)


class PlateShape(StrEnum):
    EMPTY = "empty"
    INCOMPLETE = "incomplete"  # so far as a plate starts: a province, a letter, ...
    LIKELY = "likely"  # a province, a letter and five or six letters or digits
    UNLIKELY = "unlikely"  # marked, never refused: staff may need to type an odd one


def plate_shape(text: str) -> PlateShape:
    """How much `text` looks like a Chinese plate (upper case: what the keys type)."""
    if not text:
        return PlateShape.EMPTY
    if _LIKELY_PLATE.fullmatch(text):
        return PlateShape.LIKELY
    shortest = 7
    if len(text) < shortest and _LIKELY_PLATE.fullmatch(text + "A" * (shortest - len(text))):
        return PlateShape.INCOMPLETE
    return PlateShape.UNLIKELY


def plate_page(text: str) -> int:
    """The plate keyboard's page for what is typed: the provinces first, then the rest."""
    return 0 if not text else 1
