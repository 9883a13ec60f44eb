"""What the status bar says: a glyph, a health and a plain word for every item; and the one
banner that tells staff, in plain words, what they must do."""

from __future__ import annotations

from datetime import timedelta

from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from kiosk.app.viewstate import (
    Health,
    StatusItem,
    StatusKind,
    age_health,
    age_words,
    backlog_item,
    banner,
    clock_item,
    device_item,
    disk_item,
    feed_item,
    network_item,
    sync_item,
)
from tests.kiosk.checkpoint_support import T0

DAY = timedelta(hours=24)  # the policy's max_feed_age


def event(state: DeviceState) -> DeviceStateEvent:
    return DeviceStateEvent("thermometer", state, DeviceFault.NONE, "", T0)


def status(
    *,
    camera: DeviceState = DeviceState.CONNECTED,
    thermometer: DeviceState = DeviceState.CONNECTED,
    feed_age: timedelta | None = timedelta(hours=2),
    clock_trusted: bool = True,
    backlog: int = 3,
    overdue: int = 0,
) -> tuple[StatusItem, ...]:
    """What the status board lists, healthy unless told otherwise."""
    return (
        device_item(StatusKind.CAMERA, event(camera), True),
        device_item(StatusKind.THERMOMETER, event(thermometer), True),
        network_item(True, True),
        sync_item(timedelta(minutes=5), DAY),
        backlog_item(backlog, overdue),
        feed_item(feed_age, DAY),
        clock_item(clock_trusted),
    )


def banner_words(items: tuple[StatusItem, ...]) -> tuple[str, str] | None:
    shown = banner(items)
    if shown is None:
        return None
    assert shown.action is not None
    return shown.action.zh, shown.action.en


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
    assert feed_item(timedelta(hours=2), DAY).health is Health.OK
    stale = feed_item(timedelta(hours=30), DAY)
    assert (stale.health, stale.word.zh) == (Health.BAD, "30 小时前")
    assert feed_item(None, DAY).health is Health.BAD


def test_an_age_is_green_under_half_the_limit_amber_up_to_it_and_red_beyond() -> None:
    assert age_health(timedelta(hours=11, minutes=59), DAY) is Health.OK
    assert age_health(timedelta(hours=12), DAY) is Health.WARN
    assert age_health(DAY, DAY) is Health.WARN
    assert age_health(DAY + timedelta(seconds=1), DAY) is Health.BAD
    for age, health in [(2, Health.OK), (18, Health.WARN), (30, Health.BAD)]:
        assert feed_item(timedelta(hours=age), DAY).health is health
        assert sync_item(timedelta(hours=age), DAY).health is health
    assert sync_item(timedelta(hours=30), DAY).word.zh == "30 小时前"  # no longer green
    assert sync_item(None, DAY).health is Health.OFF


def test_nothing_needs_staff_when_all_is_well_so_no_banner() -> None:
    assert banner(status()) is None
    # A large backlog that is still young, an amber feed, a thermometer fault: shown in the
    # bar, but nothing the banner must interrupt staff for.
    calm = status(backlog=250, feed_age=timedelta(hours=20), thermometer=DeviceState.ERROR)
    assert banner(calm) is None


def test_banner_camera_lost() -> None:
    assert banner_words(status(camera=DeviceState.DISCONNECTED)) == (
        "摄像头已断开，请检查连接",
        "Camera disconnected: check its cable",
    )
    assert banner_words(status(camera=DeviceState.ERROR)) == (
        "摄像头无法使用，请检查连接",
        "Camera not working: check its cable",
    )


def test_banner_feed_too_old_says_every_green_code_goes_to_a_manual_check() -> None:
    assert banner_words(status(feed_age=timedelta(days=3))) == (
        "健康码状态数据已 3 天未更新，所有绿码需人工核验；请联网",
        "Health-code status data not updated for 3 days: every green code needs a manual check."
        " Connect to the network",
    )
    shown = banner_words(status(feed_age=timedelta(hours=30)))
    assert shown is not None and "已 30 小时未更新" in shown[0] and "30 hours" in shown[1]
    assert banner_words(status(feed_age=None)) == (
        "没有健康码状态数据，所有绿码需人工核验；请联网",
        "No health-code status data: every green code needs a manual check. Connect to the network",
    )


def test_banner_clock_not_trusted_in_plain_words() -> None:
    assert banner_words(status(clock_trusted=False)) == (
        "本机时间不准，请联网校时",
        "This kiosk's clock is wrong: connect to the network to set it",
    )
    clock = clock_item(False)
    assert (clock.kind.label.zh, clock.word.zh) == ("时间", "不准")  # not "时钟: 不可信"


def test_banner_backlog_not_uploaded_for_hours() -> None:
    assert banner_words(status(backlog=40, overdue=12)) == (
        "有 12 条记录数小时未上传，请联网",
        "12 records not uploaded for hours: connect to the network",
    )
    assert banner_words(status(overdue=1)) == (
        "有 1 条记录数小时未上传，请联网",
        "1 record not uploaded for hours: connect to the network",
    )
    assert backlog_item(40, 12).health is Health.WARN


def test_one_banner_at_a_time_camera_then_feed_then_clock_then_backlog() -> None:
    everything = {
        "camera": DeviceState.DISCONNECTED,
        "feed_age": timedelta(days=3),
        "clock_trusted": False,
        "overdue": 5,
    }
    expected = ["摄像头已断开", "健康码状态数据", "本机时间不准", "有 5 条记录"]
    for fixed, start in enumerate(expected):
        faults = dict(list(everything.items())[fixed:])
        shown = banner_words(status(**faults))
        assert shown is not None and shown[0].startswith(start)


def test_ages_read_naturally() -> None:
    assert age_words(timedelta(minutes=5)).en == "5 min ago"
    assert age_words(timedelta(hours=3)).zh == "3 小时前"
    assert age_words(timedelta(days=3)).zh == "3 天前"


def test_low_disk_and_an_untrusted_clock_are_warnings() -> None:
    assert disk_item(150 * 1024 * 1024, True).word.zh == "剩余 150 MB"
    assert disk_item(150 * 1024 * 1024, True).health is Health.BAD
    assert clock_item(False).health is Health.BAD
