"""The technician's screen on a touch-only kiosk: a supervisor's name and PIN, the technician's
PIN, central's address and the enrollment code are each typed on on-screen keys, on a page with
the field large; no step needs a physical keyboard, and one still types where it is plugged in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kiosk.app.discovery import Inventory
from kiosk.app.text_keys import CLEAR, DIGITS_PAGE, LETTERS_PAGE, SPACE
from kiosk.config.schema import KioskConfig
from kiosk.sessions import staff
from kiosk.sessions.access import StaffAccess
from kiosk.sessions.technician import TechnicianSession
from kiosk.store import Store, StoreKeys
from kiosk.ui.pinpad import AccessGate
from kiosk.ui.provisioning import EDIT_PAGE, MAIN_PAGE, ProvisioningView
from kiosk.ui.text_keyboard import TextKeyboard
from tests.gui.staff_support import FAST, FakeClock

WAIT_MS = 10_000
TECHNICIAN_PIN = "246813"


@pytest.fixture
def view(tmp_path: Path, qtbot: QtBot) -> Iterator[ProvisioningView]:
    """The technician's screen, unlocked, on a 1024x600 panel (letters and digits on two pages
    of keys: the hardest to type on)."""
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as store:
        staff.set_pin(
            store, staff.TECHNICIAN_ID, "技术员", "technician", TECHNICIAN_PIN, FAST
        ).result(timeout=10)
        gate = AccessGate(StaffAccess(store, FakeClock()))
        session = TechnicianSession(
            store,
            FakeClock(),
            config=KioskConfig(),
            config_path=tmp_path / "kiosk.toml",
            identity_dir=tmp_path / "identity",
            discover=lambda: Inventory((), ()),
            client=None,  # type: ignore[arg-type]  # nothing here talks to central
            stop_sync=lambda: None,
        )
        shown = ProvisioningView(session, gate)
        qtbot.addWidget(shown)
        shown.resize(1024, 600)
        shown.show()
        qtbot.waitExposed(shown)
        shown.start()
        qtbot.waitUntil(lambda: gate.loaded, timeout=WAIT_MS)
        shown.unlock(TECHNICIAN_PIN)
        qtbot.waitUntil(lambda: shown.pages.currentIndex() == MAIN_PAGE, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not shown._background.busy, timeout=WAIT_MS)
        yield shown
        shown.shutdown()
        gate.shutdown()


def tap(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def open_editor(qtbot: QtBot, view: ProvisioningView, field: QLineEdit) -> None:
    """Touch a field on a tab: its page opens, the field large and the keys under it."""
    tap(qtbot, field)
    assert view.pages.currentIndex() == EDIT_PAGE
    assert view.field_editor.isVisible()


def touch_keys(qtbot: QtBot, keyboard: TextKeyboard, text: str) -> None:
    """Touch the key of each character, turning to the page it is on when it is not shown."""
    for character in text:
        key = SPACE if character == " " else character
        if key not in keyboard.visible_keys():
            turn = DIGITS_PAGE if DIGITS_PAGE in keyboard.visible_keys() else LETTERS_PAGE
            tap(qtbot, keyboard.key_buttons[turn])
        assert key in keyboard.visible_keys(), key
        tap(qtbot, keyboard.key_buttons[key])


def test_a_supervisor_added_by_touch_alone_appears_in_the_list(
    view: ProvisioningView, qtbot: QtBot
) -> None:
    view.tabs.setCurrentWidget(view.staff)
    page, editor = view.staff, view.field_editor
    open_editor(qtbot, view, page.name_edit)
    assert editor.keyboard is not None
    assert min(editor.done_button.height(), editor.cancel_button.height()) >= 90
    touch_keys(qtbot, editor.keyboard, "OU-YANG NA")
    tap(qtbot, editor.done_button)
    assert view.pages.currentIndex() == MAIN_PAGE
    assert page.name_edit.text() == "OU-YANG NA"

    open_editor(qtbot, view, page.pin_edit)
    assert editor.keyboard is None  # digits, on the PIN keypad
    for digit in "13579":
        tap(qtbot, editor.pin_pad.key_buttons[digit])
    assert editor.field.text() == "13579"
    assert editor.field.displayText() != "13579"  # shown as dots only
    tap(qtbot, editor.done_button)  # five digits: too short for a new PIN, said under the field
    assert view.pages.currentIndex() == EDIT_PAGE
    assert "6 to 12 digits" in editor.caption.text()  # in the caption's place, above the field
    assert page.pin_edit.text() == ""
    tap(qtbot, editor.pin_pad.key_buttons["0"])
    assert not editor.problem  # the next key takes the refusal away
    assert editor.caption.text() == "New supervisor PIN (6-12 digits)"
    tap(qtbot, editor.done_button)
    assert page.pin_edit.text() == "135790"
    assert editor.field.text() == ""  # the PIN is not kept on the editor's page

    tap(qtbot, page.save_supervisor)

    def listed() -> list[str]:
        return [page.supervisor_list.item(i).text() for i in range(page.supervisor_list.count())]

    qtbot.waitUntil(lambda: "OU-YANG NA" in listed(), timeout=WAIT_MS)
    assert page.pin_edit.text() == ""


def test_central_s_address_and_the_enrollment_code_typed_by_touch_fill_the_fields(
    view: ProvisioningView, qtbot: QtBot
) -> None:
    view.tabs.setCurrentWidget(view.enrollment)
    page, editor = view.enrollment, view.field_editor
    open_editor(qtbot, view, page.url_edit)
    assert editor.field.text() == page.url_edit.text()  # what was there, to correct
    keyboard = editor.keyboard
    assert keyboard is not None
    tap(qtbot, keyboard.key_buttons[CLEAR])
    touch_keys(qtbot, keyboard, "https://central-1.example.org:8443/kiosk_api")
    tap(qtbot, editor.done_button)
    assert page.url_edit.text() == "https://central-1.example.org:8443/kiosk_api"

    open_editor(qtbot, view, page.code_edit)
    assert editor.keyboard is not None and editor.keyboard is not keyboard
    assert editor.field.text() == ""
    touch_keys(qtbot, editor.keyboard, "7K3M-Q9TZ-4HXA-2BWC")
    tap(qtbot, editor.done_button)
    assert page.code_edit.text() == "7K3M-Q9TZ-4HXA-2BWC"
    assert view.pages.currentIndex() == MAIN_PAGE


def test_cancel_leaves_the_field_as_it_was(view: ProvisioningView, qtbot: QtBot) -> None:
    view.tabs.setCurrentWidget(view.enrollment)
    page, editor = view.enrollment, view.field_editor
    page.code_edit.setText("AAAA-BBBB")
    open_editor(qtbot, view, page.code_edit)
    assert editor.keyboard is not None
    touch_keys(qtbot, editor.keyboard, "CC")
    tap(qtbot, editor.cancel_button)
    assert page.code_edit.text() == "AAAA-BBBB"
    assert view.pages.currentIndex() == MAIN_PAGE


def test_a_usb_keyboard_still_types_into_the_editor_and_a_pin_takes_digits_only(
    view: ProvisioningView, qtbot: QtBot
) -> None:
    view.tabs.setCurrentWidget(view.staff)
    page, editor = view.staff, view.field_editor
    open_editor(qtbot, view, page.technician_pin)
    qtbot.keyClicks(editor.field, "13a5.7")
    assert editor.pin_pad.text() == "1357"  # the keys go on from what was typed
    for digit in "90":
        tap(qtbot, editor.pin_pad.key_buttons[digit])
    qtbot.keyClick(editor.field, Qt.Key.Key_Return)  # Enter is Done
    assert page.technician_pin.text() == "135790"
    open_editor(qtbot, view, page.name_edit)
    qtbot.keyClicks(editor.field, "Wang Fang")
    tap(qtbot, editor.done_button)
    assert page.name_edit.text() == "Wang Fang"


def test_closing_the_screen_while_a_pin_is_typed_forgets_it(
    view: ProvisioningView, qtbot: QtBot
) -> None:
    view.tabs.setCurrentWidget(view.staff)
    open_editor(qtbot, view, view.staff.pin_edit)
    tap(qtbot, view.field_editor.pin_pad.key_buttons["4"])
    view._idle.timeout.emit()  # left alone: the screen closes itself
    assert view.operator_id is None
    assert view.field_editor.field.text() == "" and view.field_editor.entry is None
    assert view.staff.pin_edit.text() == ""
