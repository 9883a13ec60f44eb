"""The PIN pad and staff sign-in: digits in, a PIN out; right and wrong PINs through the real
gate and store; a lockout that shows its time, counts down and survives a restart."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.checkpoint.access import ACCESS_META_KEY, AccessResult, Denial
from kiosk.sessions.access import StaffAccess
from kiosk.store import Store, StoreKeys
from kiosk.ui.i18n import Language
from kiosk.ui.pinpad import AccessGate, PinPad, format_remaining
from kiosk.ui.signin import SignInView
from tests.gui.conftest import SaveScreen
from tests.gui.staff_support import (
    NOW,
    OPERATOR_PIN,
    FakeClock,
    audit_actions,
    audit_text,
    flush,
    personal_strings,
    roster,
)


@pytest.fixture
def keys() -> StoreKeys:
    return StoreKeys.generate()


@pytest.fixture
def store(tmp_path: Path, keys: StoreKeys) -> Iterator[Store]:
    with Store(tmp_path / "kiosk.db", keys) as opened:
        opened.copies.replace_roster(roster()).result(timeout=10)
        yield opened


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def gate(store: Store, clock: FakeClock, qtbot: QtBot) -> Iterator[AccessGate]:
    opened = AccessGate(StaffAccess(store, clock))
    with qtbot.waitSignal(opened.roster_loaded, timeout=5000):
        opened.load()
    yield opened
    opened.shutdown()


@pytest.fixture
def view(gate: AccessGate, clock: FakeClock, qtbot: QtBot) -> SignInView:
    signin = SignInView(gate, clock)
    qtbot.addWidget(signin)
    with qtbot.waitSignal(gate.roster_loaded, timeout=5000):
        signin.start()
    return signin


def type_pin(qtbot: QtBot, pad: PinPad, pin: str) -> None:
    for digit in pin:
        qtbot.mouseClick(pad.digit_buttons[digit], Qt.MouseButton.LeftButton)


# ------------------------------------------------------------ the pad alone


def test_the_pad_collects_digits_and_gives_the_pin_on_ok(qtbot: QtBot, clock: FakeClock) -> None:
    pad = PinPad(clock)
    qtbot.addWidget(pad)
    type_pin(qtbot, pad, "123")
    assert pad.display.text() == "● ● ●"
    assert not pad.ok_button.isEnabled()  # too short
    type_pin(qtbot, pad, "45")
    qtbot.mouseClick(pad.delete_button, Qt.MouseButton.LeftButton)
    assert pad.digit_count == 4
    with qtbot.waitSignal(pad.entered) as entered:
        qtbot.mouseClick(pad.ok_button, Qt.MouseButton.LeftButton)
    assert entered.args == ["1234"]
    assert pad.digit_count == 0
    with qtbot.waitSignal(pad.cancelled):
        qtbot.mouseClick(pad.cancel_button, Qt.MouseButton.LeftButton)


def test_the_pad_takes_a_keyboard_too(qtbot: QtBot, clock: FakeClock) -> None:
    pad = PinPad(clock)
    qtbot.addWidget(pad)
    qtbot.keyClicks(pad, "90x12")
    assert pad.digit_count == 4
    with qtbot.waitSignal(pad.entered) as entered:
        qtbot.keyClick(pad, Qt.Key.Key_Return)
    assert entered.args == ["9012"]


def test_a_locked_pad_counts_down_and_then_opens(qtbot: QtBot, clock: FakeClock) -> None:
    pad = PinPad(clock)
    qtbot.addWidget(pad)
    pad.show_locked(NOW + timedelta(minutes=5))
    assert "5:00" in pad.message_label.text()
    assert not any(b.isEnabled() for b in pad.digit_buttons.values())
    pad.press("1")
    assert pad.digit_count == 0
    clock.advance(timedelta(minutes=3, seconds=30))
    pad.refresh()
    assert "1:30" in pad.message_label.text()
    clock.advance(timedelta(minutes=2))
    pad.refresh()
    assert pad.message_label.text() == ""
    assert all(b.isEnabled() for b in pad.digit_buttons.values())


def test_remaining_time_is_rounded_up() -> None:
    assert format_remaining(timedelta(minutes=4, seconds=59, milliseconds=1)) == "5:00"
    assert format_remaining(timedelta(hours=1)) == "60:00"
    assert format_remaining(timedelta(seconds=-3)) == "0:00"


# ------------------------------------------------------------ sign-in


def test_the_names_come_from_the_roster_active_only(view: SignInView) -> None:
    names = {b.text() for b in view.picker.buttons.values()}
    assert names == {"王小明", "刘芳", "李主管"}


def test_the_right_pin_signs_the_operator_in(
    view: SignInView, gate: AccessGate, store: Store, qtbot: QtBot
) -> None:
    qtbot.mouseClick(view.picker.buttons["op-1"], Qt.MouseButton.LeftButton)
    assert view.pages.currentIndex() == 1
    assert "王小明" in view.pad.prompt_label.text()
    type_pin(qtbot, view.pad, OPERATOR_PIN)
    with qtbot.waitSignal(view.signed_in, timeout=5000) as signed:
        qtbot.mouseClick(view.pad.ok_button, Qt.MouseButton.LeftButton)
    assert signed.args == ["op-1"]
    assert view.operator_id == "op-1"
    assert view.display_name == "王小明"
    assert view.pages.currentIndex() == 0
    assert "王小明" in view.on_duty_label.text()
    actions = audit_actions(store)
    assert ("op-1", "pin_check", {"purpose": "sign_in", "granted": True}) in actions
    assert actions[-1] == ("op-1", "sign_in", {})

    with qtbot.waitSignal(view.signed_out):
        qtbot.mouseClick(view.sign_out_button, Qt.MouseButton.LeftButton)
    assert view.operator_id is None
    assert audit_actions(store)[-1] == ("op-1", "sign_out", {})


def test_a_wrong_pin_says_how_many_tries_are_left(
    view: SignInView, gate: AccessGate, store: Store, qtbot: QtBot
) -> None:
    view._pick("op-1")
    type_pin(qtbot, view.pad, "0000")
    with qtbot.assertNotEmitted(view.signed_in), qtbot.waitSignal(gate.checked, timeout=5000):
        qtbot.mouseClick(view.pad.ok_button, Qt.MouseButton.LeftButton)
    assert view.operator_id is None
    assert "4" in view.pad.message_label.text()
    assert view.pages.currentIndex() == 1
    entry = audit_actions(store)[-1]
    assert entry == (
        "op-1",
        "pin_check",
        {"purpose": "sign_in", "granted": False, "denial": "wrong_pin"},
    )
    assert not [s for s in personal_strings() if s in audit_text(store)]


def wrong_five_times(view: SignInView, gate: AccessGate, qtbot: QtBot) -> AccessResult:
    view._pick("op-1")
    for _ in range(5):
        type_pin(qtbot, view.pad, "0000")
        with qtbot.waitSignal(gate.checked, timeout=5000) as checked:
            qtbot.mouseClick(view.pad.ok_button, Qt.MouseButton.LeftButton)
    result: AccessResult = checked.args[0]
    return result


def test_five_wrong_pins_lock_the_pad_with_the_time_shown(
    view: SignInView,
    gate: AccessGate,
    clock: FakeClock,
    qtbot: QtBot,
    save_screen: SaveScreen,
    use_language: Callable[[Language], None],
) -> None:
    result = wrong_five_times(view, gate, qtbot)
    assert result.denial is Denial.LOCKED
    assert view.pad.locked
    assert "5:00" in view.pad.message_label.text()
    assert not view.pad.digit_buttons["1"].isEnabled()
    for language in Language:
        use_language(language)
        view.retranslate(language)
        save_screen(view, "signin_pin_locked", language)
    # Another operator is locked out too: the pad is.
    view._back_to_names()
    view._pick("op-2")
    assert view.pad.locked
    # The right PIN during the lockout is refused without hashing.
    clock.advance(timedelta(minutes=4))
    view._pick("op-1")
    view.pad.refresh()
    assert "1:00" in view.pad.message_label.text()
    with qtbot.waitSignal(gate.checked, timeout=5000) as checked:
        gate.check("op-1", OPERATOR_PIN, "sign_in")
    assert checked.args[0].denial is Denial.LOCKED
    # After it, the right PIN signs in.
    clock.advance(timedelta(minutes=1))
    view.pad.refresh()
    assert not view.pad.locked
    type_pin(qtbot, view.pad, OPERATOR_PIN)
    with qtbot.waitSignal(view.signed_in, timeout=5000):
        qtbot.mouseClick(view.pad.ok_button, Qt.MouseButton.LeftButton)


def test_a_lockout_survives_a_restart(
    view: SignInView,
    gate: AccessGate,
    store: Store,
    clock: FakeClock,
    qtbot: QtBot,
    tmp_path: Path,
    keys: StoreKeys,
) -> None:
    wrong_five_times(view, gate, qtbot)
    flush(store)  # the state is kept without waiting for the disk
    assert store.meta.get(ACCESS_META_KEY) is not None
    gate.shutdown()
    store.close()
    clock.advance(timedelta(minutes=2))
    with Store(tmp_path / "kiosk.db", keys) as reopened:
        again = AccessGate(StaffAccess(reopened, clock))
        with qtbot.waitSignal(again.roster_loaded, timeout=5000):
            again.load()
        assert again.locked_until("op-1") == NOW + timedelta(minutes=5)
        signin = SignInView(again, clock)
        qtbot.addWidget(signin)
        signin._pick("op-1")
        assert signin.pad.locked
        assert "3:00" in signin.pad.message_label.text()
        again.shutdown()


def test_a_new_sign_in_replaces_the_operator_on_duty(
    view: SignInView, store: Store, qtbot: QtBot
) -> None:
    for operator, pin in [("op-1", OPERATOR_PIN), ("op-2", "2222")]:
        view._pick(operator)
        type_pin(qtbot, view.pad, pin)
        with qtbot.waitSignal(view.signed_in, timeout=5000):
            qtbot.mouseClick(view.pad.ok_button, Qt.MouseButton.LeftButton)
    assert view.operator_id == "op-2"
    assert ("op-1", "sign_out", {"replaced": True}) in audit_actions(store)


def test_screens_of_sign_in(
    view: SignInView,
    qtbot: QtBot,
    save_screen: SaveScreen,
    use_language: Callable[[Language], None],
) -> None:
    for language in Language:
        use_language(language)
        view.retranslate(language)
        view._back_to_names()
        save_screen(view, "signin_names", language)
        view._pick("op-1")
        type_pin(qtbot, view.pad, "1234")
        save_screen(view, "signin_pin", language)
        view.pad.clear()


SIZES = [(1280, 800), (1024, 600), (800, 1280), (1080, 1920), (1920, 1080)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", list(Language))
def test_the_sign_in_fits_every_panel_with_its_messages(
    view: SignInView,
    gate: AccessGate,
    qtbot: QtBot,
    save_screen: SaveScreen,
    use_language: Callable[[Language], None],
    language: Language,
    size: tuple[int, int],
) -> None:
    from tests.gui.test_manual_and_override import assert_nothing_cut  # touch targets too

    use_language(language)
    view.retranslate(language)
    suffix = f"{size[0]}x{size[1]}"
    save_screen(view, f"signin-names-{suffix}", language, size)
    assert (view.width(), view.height()) == size
    assert_nothing_cut(view)
    view._pick("op-1")
    type_pin(qtbot, view.pad, "0000")
    with qtbot.waitSignal(gate.checked, timeout=5000):
        qtbot.mouseClick(view.pad.ok_button, Qt.MouseButton.LeftButton)
    assert view.pad.message_label.text()  # wrong PIN, tries left
    save_screen(view, f"signin-pin-wrong-{suffix}", language, size)
    assert (view.width(), view.height()) == size
    assert_nothing_cut(view)
