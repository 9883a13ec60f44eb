"""Which passwords an account may have: long enough, and not guessable.

The length is a plain rule (`MIN_PASSWORD_LENGTH`). Guessability is estimated by zxcvbn (its
frequency lists of leaked passwords, words and names, keyboard patterns, sequences, repeats and
dates ship with the package: no network), with the account's own name and the service's words
added as things an attacker tries first. A password must reach `MIN_SCORE` (zxcvbn's 3: "safely
unguessable", about 10^8 guesses, against argon2id hashes). A password that contains the user
name is refused outright: zxcvbn rates "xincheng2026xincheng" for the account xincheng as
unguessable. The refusal names why, as a `Weakness` that each page says in its own language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # argon2 takes any length; a bound keeps a request cheap
MIN_SCORE = 3
# zxcvbn's work grows with the length; what follows the first 100 characters only adds strength.
CHECKED_PREFIX = 100
MIN_NAME_LENGTH = 3  # a user name this long is refused anywhere in the password
SERVICE_WORDS = ("healthcode", "jiankangma", "jkm", "admin", "administrator", "central")


class Weakness(StrEnum):
    """Why a password is refused; the pages say each in Chinese and English."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"  # a leaked password, a word or a name
    CONTAINS_NAME = "contains_name"  # the user name or the service's name
    REPEATED = "repeated"  # aaaa, abcabc
    SEQUENCE = "sequence"  # abcd, 1234
    KEYBOARD = "keyboard"  # qwerty, 1qaz2wsx
    DATE = "date"  # 19800101, 2026
    GUESSABLE = "guessable"  # weak for a mix of reasons


ENGLISH = {
    Weakness.TOO_SHORT: f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
    Weakness.TOO_LONG: f"a password has at most {MAX_PASSWORD_LENGTH} characters",
    Weakness.COMMON: "the password is a common password or built from common words",
    Weakness.CONTAINS_NAME: "the password is built from the user name or the service's name",
    Weakness.REPEATED: "the password repeats characters or a pattern",
    Weakness.SEQUENCE: "the password is a sequence such as abcd or 1234",
    Weakness.KEYBOARD: "the password is a keyboard pattern such as qwerty",
    Weakness.DATE: "the password is built from a date or a year",
    Weakness.GUESSABLE: "the password is easy to guess: use a longer one, or several words",
}

_OF_PATTERN = {
    "repeat": Weakness.REPEATED,
    "sequence": Weakness.SEQUENCE,
    "spatial": Weakness.KEYBOARD,
    "date": Weakness.DATE,
    "regex": Weakness.DATE,  # zxcvbn's only regex is a recent year
}


def weakness_of(password: str, user_inputs: Iterable[str] = ()) -> Weakness | None:
    """None for a password an account may have; else the main reason it may not."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Weakness.TOO_SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return Weakness.TOO_LONG
    names = [name for name in user_inputs if len(name) >= MIN_NAME_LENGTH]
    if any(name.casefold() in password.casefold() for name in names):
        return Weakness.CONTAINS_NAME
    inputs = [*names, *SERVICE_WORDS]
    result = zxcvbn(password[:CHECKED_PREFIX], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    return _main_reason(result["sequence"])


def _main_reason(matches: Sequence[Mapping[str, Any]]) -> Weakness:
    """The kind of the pattern that covers most of the password."""
    guessed = [match for match in matches if match["pattern"] != "bruteforce"]
    if not guessed:
        return Weakness.GUESSABLE
    widest = max(guessed, key=lambda match: len(match["token"]))
    if widest["pattern"] == "dictionary":
        if widest.get("dictionary_name") == "user_inputs":
            return Weakness.CONTAINS_NAME
        return Weakness.COMMON
    return _OF_PATTERN.get(widest["pattern"], Weakness.GUESSABLE)
