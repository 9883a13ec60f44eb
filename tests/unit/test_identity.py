"""GB 11643 ID numbers, masking, and the ID binding."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthcode.identity import (
    IdNumberError,
    IdNumberProblem,
    binding_matches,
    check_character,
    id_binding,
    id_number_facts,
    id_number_problem,
    is_valid_id_number,
    mask_id_number,
    mask_name,
    validate_id_number,
)

KEY = b"k" * 32


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the standard's own example
        "11010519491231002x",  # typed with a lower-case x
        " 110105 19491231 002X ",  # typed with spaces
        "440524188001010014",  # GB 11643-1999, Appendix example
    ],
)
def test_valid_numbers_are_accepted_and_normalised(number: str) -> None:
    assert is_valid_id_number(number)
    assert validate_id_number(number) == "".join(number.split()).upper()


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("11010519491231002", IdNumberProblem.LENGTH),
        ("11010519491231002XX", IdNumberProblem.LENGTH),
        ("1101051949123100AX", IdNumberProblem.CHARACTERS),
        ("110105194912310021Y", IdNumberProblem.LENGTH),
        ("11010519491231002Y", IdNumberProblem.CHARACTERS),
        ("１１０１０５１９４９１２３１００２Ｘ", IdNumberProblem.CHARACTERS),  # full-width digits
        ("110105194902300020", IdNumberProblem.BIRTH_DATE),  # 30 February
        ("110105179901010020", IdNumberProblem.BIRTH_DATE),  # before 1800
        ("110105194912310021", IdNumberProblem.CHECK_CHARACTER),
        ("110105194912310020", IdNumberProblem.CHECK_CHARACTER),
    ],
)
def test_invalid_numbers_name_their_problem(number: str, problem: IdNumberProblem) -> None:
    assert id_number_problem(number) is problem
    with pytest.raises(IdNumberError) as caught:
        validate_id_number(number)
    assert caught.value.problem is problem
    assert caught.value.problem.text.zh and caught.value.problem.text.en


def test_a_birth_date_after_today_is_refused_when_today_is_given() -> None:
    number = "110105203001010000"
    number = number[:17] + check_character(number[:17])
    assert id_number_problem(number) is None
    assert id_number_problem(number, today=dt.date(2026, 11, 23)) is IdNumberProblem.BIRTH_DATE


@given(st.from_regex(r"\A[0-9]{17}\Z"))
def test_exactly_one_check_character_completes_any_17_digits(body: str) -> None:
    valid = [c for c in "0123456789X" if id_number_problem(body + c) is None]
    assert len(valid) in (0, 1)  # 0 when the embedded birth date is impossible
    if id_number_problem(body + check_character(body)) is not IdNumberProblem.BIRTH_DATE:
        assert valid == [check_character(body)]


def test_facts_read_region_birth_date_and_sex() -> None:
    facts = id_number_facts("11010519491231002X")
    assert facts.region_code == "110105"
    assert facts.birth_date == dt.date(1949, 12, 31)
    assert facts.is_male is False  # the 17th digit, 2, is even


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张*丰"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧**娜"),
        ("李", "李"),
        (" 王小明 ", "王*明"),
    ],
)
def test_names_are_masked_keeping_surname_and_last_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_id_numbers_are_masked_to_region_and_last_four() -> None:
    assert mask_id_number("11010519491231002x") == "110105********002X"


@pytest.mark.parametrize("text", ["1234567", "12345", "", "110105194912310"])
def test_text_that_is_not_an_id_number_shows_at_most_two_characters(text: str) -> None:
    masked = mask_id_number(text)
    assert len(masked) == len(text)
    assert sum(c != "*" for c in masked) <= 2


def test_a_binding_matches_its_number_only() -> None:
    binding = id_binding(KEY, "11010519491231002X")
    assert len(binding) == 16
    assert binding_matches(KEY, "11010519491231002x", binding)
    assert not binding_matches(KEY, "440524188001010014", binding)
    assert not binding_matches(b"o" * 32, "11010519491231002X", binding)


def test_a_short_binding_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        id_binding(b"short", "11010519491231002X")
