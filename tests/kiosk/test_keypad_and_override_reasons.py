"""What the on-screen keypads let staff type, and the reasons a change of decision records
(no Qt)."""

from __future__ import annotations

from functools import reduce

import pytest

from kiosk.app.keypad import (
    BACKSPACE,
    CLEAR,
    KeypadKind,
    keys,
    press,
    temperature_problem,
    temperature_value,
)
from kiosk.checkpoint.override import OVERRIDE_REASONS, OverrideReason, recorded_reason


def typed(kind: KeypadKind, presses: str | list[str]) -> str:
    return reduce(lambda text, key: press(kind, text, key), list(presses), "")


def test_an_id_number_ending_in_x_is_typed_with_the_keys() -> None:
    assert "X" in keys(KeypadKind.ID_NUMBER)
    assert typed(KeypadKind.ID_NUMBER, "11010519491231002X") == "11010519491231002X"


def test_x_only_goes_last_and_nothing_goes_past_eighteen() -> None:
    assert typed(KeypadKind.ID_NUMBER, "X1X") == "1"
    assert typed(KeypadKind.ID_NUMBER, "1101051949123100271") == "110105194912310027"
    assert typed(KeypadKind.ID_NUMBER, "11010519491231002X5") == "11010519491231002X"


def test_a_pin_is_digits_only_and_at_most_twelve_of_them() -> None:
    assert keys(KeypadKind.PIN) == tuple("1234567890")
    assert typed(KeypadKind.PIN, "12X.34") == "1234"
    assert typed(KeypadKind.PIN, "1234567890123") == "123456789012"
    assert typed(KeypadKind.PIN, ["1", "2", BACKSPACE]) == "1"


def test_backspace_and_clear() -> None:
    assert typed(KeypadKind.ID_NUMBER, ["1", "2", BACKSPACE, "3"]) == "13"
    assert typed(KeypadKind.TEMPERATURE, ["3", "6", CLEAR]) == ""


@pytest.mark.parametrize(
    ("presses", "text"),
    [("36.5", "36.5"), ("365", "36.5"), ("36.55", "36.5"), (".5", "0.5"), ("3..6", "3.6")],
)
def test_a_temperature_keeps_one_point_and_one_decimal(presses: str, text: str) -> None:
    assert "." in keys(KeypadKind.TEMPERATURE)
    assert typed(KeypadKind.TEMPERATURE, presses) == text


def test_nothing_typed_is_not_a_temperature() -> None:
    problem = temperature_problem("")
    assert problem is not None
    assert problem.zh == "请先输入体温"
    assert temperature_value("") is None


@pytest.mark.parametrize("text", ["3.6", "63", "33.9", "43.1"])
def test_an_implausible_temperature_is_refused_with_the_range(text: str) -> None:
    problem = temperature_problem(text)
    assert problem is not None
    assert "34–43 °C" in problem.zh and "34–43 °C" in problem.en
    assert temperature_value(text) is None


@pytest.mark.parametrize(("text", "celsius"), [("36.6", 36.6), ("34", 34.0), ("43.0", 43.0)])
def test_a_plausible_temperature_is_recorded(text: str, celsius: float) -> None:
    assert temperature_problem(text) is None
    assert temperature_value(text) == celsius


def test_the_listed_reasons_are_in_both_languages() -> None:
    assert [r.label.zh for r in OVERRIDE_REASONS] == [
        "持有效证明材料",
        "工作人员确认身份",
        "设备故障",
        "其他",
    ]
    assert all(r.label.en for r in OVERRIDE_REASONS)


def test_a_picked_reason_is_recorded_with_an_optional_note() -> None:
    assert recorded_reason(OverrideReason.VALID_PROOF) == "持有效证明材料"
    noted = recorded_reason(OverrideReason.DEVICE_FAULT, "  摄像头  坏了 ")
    assert noted == "设备故障：摄像头 坏了"
    assert recorded_reason(None, "") == ""
    assert recorded_reason(None, "note") == "note"
