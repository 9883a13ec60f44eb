"""What the status bar says: a glyph, a health and a plain word for every item."""

from __future__ import annotations

from datetime import timedelta

from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from kiosk.app.viewstate import (
    Health,
    StatusKind,
    age_words,
    clock_item,
    device_item,
    disk_item,
    feed_item,
)
from tests.kiosk.checkpoint_support import T0


def event(state: DeviceState) -> DeviceStateEvent:
    return DeviceStateEvent("thermometer", state, DeviceFault.NONE, "", T0)


def test_a_device_says_what_state_it_is_in_with_a_word_not_only_a_colour() -> None:
    cases = [
        (None, False, Health.OFF, "未配置"),
        (None, True, Health.WARN, "连接中"),
        (event(DeviceState.CONNECTED), True, Health.OK, "正常"),
        (event(DeviceState.DISCONNECTED), True, Health.BAD, "已断开"),
        (event(DeviceState.ERROR), True, Health.BAD, "故障"),
    ]
    for given, configured, health, word in cases:
        item = device_item(StatusKind.THERMOMETER, given, configured)
        assert (item.health, item.word.zh) == (health, word)
        assert item.word.en
    assert len({h.glyph for h in Health}) == len(Health)  # shapes differ, not only colours


def test_the_feed_turns_bad_past_its_allowed_age() -> None:
    assert feed_item(timedelta(hours=2), timedelta(hours=24)).health is Health.OK
    stale = feed_item(timedelta(hours=30), timedelta(hours=24))
    assert (stale.health, stale.word.zh) == (Health.BAD, "30 小时前")
    assert feed_item(None, timedelta(hours=24)).health is Health.BAD


def test_ages_read_naturally() -> None:
    assert age_words(timedelta(minutes=5)).en == "5 min ago"
    assert age_words(timedelta(hours=3)).zh == "3 小时前"
    assert age_words(timedelta(days=3)).zh == "3 天前"


def test_low_disk_and_an_untrusted_clock_are_warnings() -> None:
    assert disk_item(150 * 1024 * 1024, True).word.zh == "剩余 150 MB"
    assert disk_item(150 * 1024 * 1024, True).health is Health.BAD
    assert clock_item(False).health is Health.BAD
