"""Which passwords an account may have (central/core/passwords.py): 12 characters at least, and
not guessable by the patterns attackers try first, each refusal with its reason."""

from __future__ import annotations

import pytest

from central.core.passwords import MAX_PASSWORD_LENGTH, Weakness, weakness_of


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Tr0ub4dor&3-kiln",
        "秦岭 终南山 雪 2031 路",
        "7fK#q9Lm2pVx",
        "a long enough test password",
    ],
)
def test_long_unguessable_passwords_are_accepted(password: str) -> None:
    assert weakness_of(password, ("admin",)) is None


@pytest.mark.parametrize(
    ("password", "weakness"),
    [
        ("short1!", Weakness.TOO_SHORT),
        ("Tr0ub4dor&3", Weakness.TOO_SHORT),  # 11 characters, however strong
        ("x" * (MAX_PASSWORD_LENGTH + 1), Weakness.TOO_LONG),
        ("aaaaaaaaaaaa", Weakness.REPEATED),
        ("abcabcabcabc", Weakness.REPEATED),
        ("abcdefghijkl", Weakness.SEQUENCE),
        ("password1234", Weakness.COMMON),
        ("iloveyou1234", Weakness.COMMON),
        ("qwertyuiop[]", Weakness.KEYBOARD),
        ("asdfghjkl;'\\", Weakness.KEYBOARD),
        ("2026.12.07.19", Weakness.DATE),
    ],
)
def test_short_common_or_patterned_passwords_are_refused_with_their_reason(
    password: str, weakness: Weakness
) -> None:
    assert weakness_of(password, ("admin",)) is weakness


def test_a_password_made_of_the_user_name_is_refused_as_such() -> None:
    # zxcvbn alone rates these "safely unguessable": a name is what an attacker tries first.
    assert weakness_of("xincheng2026xincheng", ("xincheng",)) is Weakness.CONTAINS_NAME
    assert weakness_of("My name is XinCheng, 1980!", ("xincheng",)) is Weakness.CONTAINS_NAME
    assert weakness_of("jiankangma2026") is Weakness.CONTAINS_NAME  # the service's name


def test_every_weakness_has_words_in_both_languages_of_the_pages() -> None:
    from central.core.passwords import ENGLISH
    from central.web.i18n import TEXT

    for weakness in Weakness:
        assert weakness in ENGLISH
        zh, en = TEXT[f"password_{weakness.value}"]
        assert zh and en
