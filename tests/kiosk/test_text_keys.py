"""What the on-screen text keyboard shows (no Qt): every character a health code's text is
written in, keys that tile their rows, one page where the panel has room for it, and the
override note's phrases."""

from __future__ import annotations

import pytest

from healthcode.base45 import ALPHABET
from kiosk.app.text_keys import (
    BACKSPACE,
    CLEAR,
    DIGITS_PAGE,
    LETTERS_PAGE,
    PLATE_MAX_CHARS,
    PROVINCES,
    PROVINCES_PAGE,
    SPACE,
    Arrangement,
    PlateShape,
    TextKind,
    arrangement,
    page_key_target,
    plate_page,
    plate_shape,
    typed,
)
from kiosk.checkpoint.override import NOTE_MAX_CHARS, NOTE_PHRASES, note_with_phrase

# (keys of 90 px that fit across, down): the space each panel leaves the keyboard
ALPHABET_LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FITS = [(10, 5), (10, 3), (8, 6), (19, 7), (11, 16)]


def characters(chosen: Arrangement) -> set[str]:
    return {typed(placed.key) for page in chosen.pages for placed in page} - {""}


@pytest.mark.parametrize(("columns", "rows"), FITS)
def test_every_character_of_a_health_code_has_a_key(columns: int, rows: int) -> None:
    chosen = arrangement(TextKind.CODE_TEXT, columns, rows)
    assert set(ALPHABET) <= characters(chosen)  # Base45: digits, A-Z, space $ % * + - . / :


@pytest.mark.parametrize("kind", list(TextKind))
@pytest.mark.parametrize(("columns", "rows"), FITS)
def test_each_page_tiles_its_grid_with_editing_keys_on_it(
    kind: TextKind, columns: int, rows: int
) -> None:
    if kind is TextKind.PLATE and rows < 4:
        pytest.skip("the plate's page leaves four rows of keys on every panel")
    chosen = arrangement(kind, columns, rows)
    assert chosen.columns <= columns and chosen.rows <= rows
    for page in chosen.pages:
        cells = [(p.row, p.column + step) for p in page for step in range(p.span)]
        assert len(cells) == len(set(cells)) == chosen.columns * chosen.rows
        assert {BACKSPACE, CLEAR} <= {p.key for p in page}


def test_a_short_panel_gets_letters_and_digits_on_two_pages() -> None:
    short = arrangement(TextKind.CODE_TEXT, 10, 4)
    letters, digits = ({p.key for p in page} for page in short.pages)
    assert DIGITS_PAGE in letters and "Q" in letters and "1" not in letters
    assert LETTERS_PAGE in digits and "1" in digits and SPACE in digits
    assert len(arrangement(TextKind.CODE_TEXT, 10, 5).pages) == 1
    assert len(arrangement(TextKind.CODE_TEXT, 8, 6).pages) == 1


def test_a_note_has_the_punctuation_of_plates_and_short_words() -> None:
    assert set("-./:,#() ") <= characters(arrangement(TextKind.NOTE, 10, 5))


def test_a_phrase_is_added_once_after_a_chinese_comma() -> None:
    assert note_with_phrase("", "持纸质证明") == "持纸质证明"
    note = note_with_phrase("持纸质证明", "已电话核实")
    assert note == "持纸质证明，已电话核实"
    assert note_with_phrase(note, "已电话核实") == note  # a second touch adds nothing


def test_a_phrase_that_would_not_fit_is_not_cut_in_half() -> None:
    full = "A" * (NOTE_MAX_CHARS - 3)
    assert note_with_phrase(full, "社区已确认") == full
    assert all(phrase.zh and phrase.en for phrase in NOTE_PHRASES)


def test_a_name_is_typed_in_pinyin_with_the_marks_of_names() -> None:
    for fits in FITS:
        keys = characters(arrangement(TextKind.NAME, *fits))
        assert set(ALPHABET_LATIN + " -'") <= keys


def test_an_address_is_typed_in_lower_case_with_the_marks_of_a_url() -> None:
    for fits in FITS:
        keys = characters(arrangement(TextKind.ADDRESS, *fits))
        assert set("https://central-1.example.org:8443/kiosk_api") <= keys
        assert not set(ALPHABET_LATIN) & keys  # no upper case: HTTPS:// is not an address


def test_an_enrollment_code_has_its_letters_digits_and_dash_and_no_other_mark() -> None:
    for fits in FITS:
        keys = characters(arrangement(TextKind.ENROLLMENT_CODE, *fits))
        assert set(ALPHABET_LATIN + "0123456789-") <= keys
        assert not set("$%*+./:") & keys


PLATE_FITS = [(10, 4), (10, 5), (8, 6), (19, 7), (11, 16)]


@pytest.mark.parametrize(("columns", "rows"), PLATE_FITS)
def test_a_plate_starts_on_the_provinces_and_goes_on_in_letters_without_i_or_o_and_digits(
    columns: int, rows: int
) -> None:
    provinces, rest = (
        {typed(p.key) for p in page} - {""}
        for page in arrangement(TextKind.PLATE, columns, rows).pages
    )
    assert len(PROVINCES) == 33 and set(PROVINCES) == provinces
    assert "京" in provinces and "陕" in provinces and "使" in provinces
    assert set("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") == rest
    assert not {"I", "O"} & rest


def test_the_plate_keys_turn_to_the_letters_once_a_province_is_typed() -> None:
    assert plate_page("") == 0
    assert plate_page("陕") == 1
    assert page_key_target(TextKind.PLATE, LETTERS_PAGE) == 1
    assert page_key_target(TextKind.PLATE, PROVINCES_PAGE) == 0
    assert page_key_target(TextKind.NOTE, LETTERS_PAGE) == 0
    assert page_key_target(TextKind.PLATE, "A") is None
    assert PLATE_MAX_CHARS == 8  # a new-energy plate: 粤B123456 is eight


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("", PlateShape.EMPTY),
        ("陕", PlateShape.INCOMPLETE),
        ("陕A123", PlateShape.INCOMPLETE),
        ("陕A12345", PlateShape.LIKELY),
        ("粤BD12345", PlateShape.LIKELY),  # new energy: six after the letter
        ("A12345", PlateShape.UNLIKELY),  # no province
        ("陕1", PlateShape.UNLIKELY),  # a digit where the city's letter goes
        ("陕A1234567", PlateShape.UNLIKELY),  # too long
        ("陕A1234警", PlateShape.UNLIKELY),  # odd, but staff may type it: marked, not refused
    ],
)
def test_an_unlikely_plate_is_told_apart_from_one_still_being_typed(
    text: str, shape: PlateShape
) -> None:
    assert plate_shape(text) is shape
