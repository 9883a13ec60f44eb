"""Identity helpers: GB 11643 citizen ID numbers, masking for display and logs, the ID binding.

The ID binding is what a code carries instead of an ID number: a 16-byte HMAC-SHA256 of the
normalised number under a binding key that only the issuer and enrolled kiosks hold, so a kiosk
can check a card it reads against a code while a leaked screenshot reveals nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

from healthcode.text import LocalText

ID_NUMBER_LENGTH = 18
ID_BINDING_LENGTH = 16
BINDING_KEY_LENGTH = 32
# ISO 7064 MOD 11-2: weight of position i (from the left, 17 digits) is 2^(17-i) mod 11.
_WEIGHTS = tuple(pow(2, 17 - index, 11) for index in range(17))
_CHECK_CHARACTERS = "10X98765432"  # indexed by (weighted sum mod 11)
_EARLIEST_BIRTH_YEAR = 1800


class IdNumberProblem(StrEnum):
    """Why an ID number is invalid; values are stable codes."""

    LENGTH = "length"
    CHARACTERS = "characters"
    BIRTH_DATE = "birth_date"
    CHECK_CHARACTER = "check_character"

    @property
    def text(self) -> LocalText:
        return _PROBLEM_TEXT[self]


_PROBLEM_TEXT = {
    IdNumberProblem.LENGTH: LocalText("身份证号应为18位", "An ID number has 18 characters"),
    IdNumberProblem.CHARACTERS: LocalText(
        "身份证号前17位应为数字，末位为数字或X",
        "The first 17 characters must be digits, the last a digit or X",
    ),
    IdNumberProblem.BIRTH_DATE: LocalText(
        "身份证号中的出生日期无效", "The birth date in the ID number is not a real date"
    ),
    IdNumberProblem.CHECK_CHARACTER: LocalText(
        "身份证号校验位不正确，请检查是否输错", "The check character is wrong: look for a typo"
    ),
}


class IdNumberError(ValueError):
    def __init__(self, problem: IdNumberProblem) -> None:
        super().__init__(problem.text.en)
        self.problem = problem


def normalise_id_number(text: str) -> str:
    """Strip spaces and make a trailing x upper case, as people type and readers send it."""
    return "".join(text.split()).upper()


def check_character(first_17_digits: str) -> str:
    total = sum(
        int(digit) * weight for digit, weight in zip(first_17_digits, _WEIGHTS, strict=True)
    )
    return _CHECK_CHARACTERS[total % 11]


def id_number_problem(text: str, *, today: dt.date | None = None) -> IdNumberProblem | None:
    """The first problem with a GB 11643 number, or None when it is valid.

    `today` bounds the birth date from above when given (a birth date in the future is wrong).
    """
    number = normalise_id_number(text)
    if len(number) != ID_NUMBER_LENGTH:
        return IdNumberProblem.LENGTH
    body, last = number[:17], number[17]
    if not (body.isascii() and body.isdigit()) or not (last.isdigit() or last == "X"):
        return IdNumberProblem.CHARACTERS
    try:
        birth = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return IdNumberProblem.BIRTH_DATE
    if birth.year < _EARLIEST_BIRTH_YEAR or (today is not None and birth > today):
        return IdNumberProblem.BIRTH_DATE
    if check_character(body) != last:
        return IdNumberProblem.CHECK_CHARACTER
    return None


def validate_id_number(text: str, *, today: dt.date | None = None) -> str:
    """The normalised number, or IdNumberError naming what is wrong."""
    problem = id_number_problem(text, today=today)
    if problem is not None:
        raise IdNumberError(problem)
    return normalise_id_number(text)


def is_valid_id_number(text: str) -> bool:
    return id_number_problem(text) is None


@dataclass(frozen=True)
class IdNumberFacts:
    """What an ID number says about its holder, for display to staff (never stored)."""

    region_code: str
    birth_date: dt.date
    is_male: bool


def id_number_facts(number: str) -> IdNumberFacts:
    valid = validate_id_number(number)
    return IdNumberFacts(
        region_code=valid[:6],
        birth_date=dt.date(int(valid[6:10]), int(valid[10:12]), int(valid[12:14])),
        is_male=int(valid[16]) % 2 == 1,
    )


def mask_name(name: str) -> str:
    """张三丰 -> 张*丰, 张三 -> 张*, 欧阳娜娜 -> 欧**娜; a one-character name stays (nothing to hide
    that the surname does not already show)."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(number: str) -> str:
    """110105********002X: the region of issue and the last four, as on printed receipts.

    Anything that is not 18 characters long shows at most its last two characters.
    """
    number = normalise_id_number(number)
    if len(number) == ID_NUMBER_LENGTH:
        return number[:6] + "*" * 8 + number[-4:]
    shown = 2 if len(number) > 6 else 0
    return "*" * (len(number) - shown) + number[len(number) - shown :]


def id_binding(binding_key: bytes, id_number: str) -> bytes:
    """The 16-byte binding of an ID number under a binding key (HMAC-SHA256, truncated)."""
    if len(binding_key) < BINDING_KEY_LENGTH:
        raise ValueError(f"binding key must be at least {BINDING_KEY_LENGTH} bytes")
    message = normalise_id_number(id_number).encode("ascii", errors="replace")
    return hmac.new(binding_key, message, hashlib.sha256).digest()[:ID_BINDING_LENGTH]


def binding_matches(binding_key: bytes, id_number: str, binding: bytes) -> bool:
    return hmac.compare_digest(id_binding(binding_key, id_number), binding)
