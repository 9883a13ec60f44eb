"""What the on-screen keypads type: ID numbers (digits, then X as the last character),
temperatures (digits and one decimal point, never pre-filled) and staff PINs (digits only).

The widget (kiosk/ui/keypad.py) only shows keys and the text; which key may extend the text,
and whether a typed temperature may be recorded, is decided here, without Qt.
"""

from __future__ import annotations

from enum import StrEnum

from healthcode.identity import ID_NUMBER_LENGTH
from healthcode.text import LocalText
from kiosk.checkpoint.access import PIN_MAX_DIGITS

BACKSPACE = "⌫"
CLEAR = "C"

# A temperature typed by hand outside this range is a slip (36 typed as 3.6 or 63), not a
# reading: a body that warm or cold would not be walking through a checkpoint.
LOWEST_CELSIUS = 34.0
HIGHEST_CELSIUS = 43.0
_TEMPERATURE_CHARS = 4  # "36.5"
PHONE_DIGITS = 11


class KeypadKind(StrEnum):
    ID_NUMBER = "id_number"
    TEMPERATURE = "temperature"
    PIN = "pin"
    PHONE = "phone"  # a mainland mobile number: 11 digits (代购: the patient's phone)


def keys(kind: KeypadKind) -> tuple[str, ...]:
    """The character keys, in the keypad's order (backspace and clear come with every kind);
    a PIN has digits only."""
    if kind in {KeypadKind.PIN, KeypadKind.PHONE}:
        return (*"123456789", "0")
    extra = "X" if kind is KeypadKind.ID_NUMBER else "."
    return (*"123456789", extra, "0")


def press(kind: KeypadKind, text: str, key: str) -> str:
    """The text after `key`; a key that cannot extend the text leaves it as it is."""
    if key == BACKSPACE:
        return text[:-1]
    if key == CLEAR:
        return ""
    if kind is KeypadKind.ID_NUMBER:
        return _press_id(text, key.upper())
    if kind in {KeypadKind.PIN, KeypadKind.PHONE}:
        longest = PIN_MAX_DIGITS if kind is KeypadKind.PIN else PHONE_DIGITS
        digit = key.isascii() and key.isdigit() and len(text) < longest
        return text + key if digit else text
    return _press_temperature(text, key)


def _press_id(text: str, key: str) -> str:
    if len(text) >= ID_NUMBER_LENGTH or text.endswith("X"):
        return text
    if key == "X":
        return text + key if len(text) == ID_NUMBER_LENGTH - 1 else text
    return text + key if key.isascii() and key.isdigit() else text


def _press_temperature(text: str, key: str) -> str:
    if len(text) >= _TEMPERATURE_CHARS:
        return text
    whole, point, decimals = text.partition(".")
    if key == ".":
        return text if point else (text or "0") + "."
    if not (key.isascii() and key.isdigit()):
        return text
    if point:
        return text if decimals else text + key  # one decimal, as thermometers show
    return text + key if len(whole) < 2 else f"{text}.{key}"  # "365" types 36.5


def temperature_problem(text: str) -> LocalText | None:
    """Why the typed text cannot be recorded as a temperature, or None when it can."""
    if not text.strip():
        return LocalText("请先输入体温", "Type the temperature first")
    try:
        celsius = float(text)
    except ValueError:
        return LocalText("体温格式不对", "That is not a temperature")
    if not LOWEST_CELSIUS <= celsius <= HIGHEST_CELSIUS:
        return LocalText(
            f"{text} °C 不在 {LOWEST_CELSIUS:.0f}–{HIGHEST_CELSIUS:.0f} °C 之内，请重新测量",
            f"{text} °C is outside {LOWEST_CELSIUS:.0f}–{HIGHEST_CELSIUS:.0f} °C; measure again",
        )
    return None


def temperature_value(text: str) -> float | None:
    """The typed temperature rounded to 0.1 °C, or None when it may not be recorded."""
    return None if temperature_problem(text) is not None else round(float(text), 1)
