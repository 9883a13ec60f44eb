"""Settings kept in the store: round trip, and a damaged value never stops the kiosk."""

from __future__ import annotations

import pytest

from kiosk.app.settings import KioskSettings


def test_settings_round_trip() -> None:
    settings = KioskSettings(muted=True, voice=False, result_seconds=2.5)
    assert KioskSettings.from_json(settings.to_json()) == settings


@pytest.mark.parametrize("stored", [None, "", "not json", "[1, 2]", '{"result_seconds": 99}'])
def test_unreadable_settings_fall_back_to_the_defaults(stored: str | None) -> None:
    assert KioskSettings.from_json(stored) == KioskSettings()


def test_a_result_time_outside_half_a_second_to_five_is_refused() -> None:
    with pytest.raises(ValueError, match="result_seconds"):
        KioskSettings(result_seconds=0.1)
