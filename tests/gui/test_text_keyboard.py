"""The on-screen text keyboard on the screens that take text: a code's text on manual entry
(typed on keys, or by a scanner into the same field) and the override's note (phrases and
keys). No field on these screens needs a physical keyboard."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from healthcode.base45 import ALPHABET
from kiosk.app.text_keys import CLEAR, DIGITS_PAGE, LETTERS_PAGE, SPACE
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.override import OverrideReason
from kiosk.ui.i18n import Language
from kiosk.ui.manual import ManualEntry
from kiosk.ui.override import OverridePanel
from kiosk.ui.text_keyboard import TextKeyboard

CODE = f"HC1:{ALPHABET}{ALPHABET[::-1]}"  # every character a code is written in


def shown(qtbot: QtBot, widget: QWidget, size: tuple[int, int] = (1280, 800)) -> None:
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)


def touch(qtbot: QtBot, keyboard: TextKeyboard, keys: str) -> None:
    """Touch the keys that type `keys`, turning to the page a key is on when it is not shown."""
    for character in keys:
        key = SPACE if character == " " else character
        if key not in keyboard.visible_keys():
            turn = DIGITS_PAGE if DIGITS_PAGE in keyboard.visible_keys() else LETTERS_PAGE
            qtbot.mouseClick(keyboard.key_buttons[turn], Qt.MouseButton.LeftButton)
        assert key in keyboard.visible_keys(), key
        qtbot.mouseClick(keyboard.key_buttons[key], Qt.MouseButton.LeftButton)


def test_a_code_text_typed_on_the_keys_is_checked(qtbot: QtBot) -> None:
    entry = ManualEntry()
    shown(qtbot, entry, (1024, 600))  # the short panel: letters and digits on two pages
    entry.tabs.setCurrentWidget(entry.code_page)
    entered: list[str] = []
    entry.code_entered.connect(entered.append)
    assert not entry.code_submit.isEnabled()  # nothing typed, nothing to check
    touch(qtbot, entry.code_keyboard, "HC1:6BF+707 $%*-./")
    assert entry.code_input.text() == "HC1:6BF+707 $%*-./"
    qtbot.mouseClick(entry.code_keyboard.key_buttons[CLEAR], Qt.MouseButton.LeftButton)
    assert entry.code_input.text() == ""
    touch(qtbot, entry.code_keyboard, "JKM1:X")
    qtbot.mouseClick(entry.code_submit, Qt.MouseButton.LeftButton)
    assert entered == ["JKM1:X"]
    assert entry.code_input.text() == ""  # the next person starts empty
    qtbot.mouseClick(entry.code_keyboard.key_buttons[DIGITS_PAGE], Qt.MouseButton.LeftButton)
    entry.reset()  # manual entry opened again: the letters come first
    assert "Q" in entry.code_keyboard.visible_keys()


def test_a_scanner_typing_into_the_code_field_is_checked_at_its_enter(qtbot: QtBot) -> None:
    entry = ManualEntry()
    shown(qtbot, entry)
    entry.tabs.setCurrentWidget(entry.code_page)
    entered: list[str] = []
    entry.code_entered.connect(entered.append)
    qtbot.keyClicks(entry.code_input, CODE)  # as a wedge scanner types them
    qtbot.keyClick(entry.code_input, Qt.Key.Key_Return)
    assert entered == [CODE]


def test_the_override_note_is_made_of_phrases_and_keys(
    qtbot: QtBot, use_language: Callable[[Language], None]
) -> None:
    use_language(Language.ZH)
    panel = OverridePanel()
    panel.reset()
    shown(qtbot, panel, (1024, 600))
    submitted: list[tuple[Outcome, str]] = []
    panel.submitted.connect(lambda outcome, reason: submitted.append((outcome, reason)))
    qtbot.mouseClick(panel.note_button, Qt.MouseButton.LeftButton)
    editor = panel.note_editor
    assert editor.isVisible() and not panel.confirm.isVisible()
    chips = {chip.text(): chip for chip in editor.chips}
    for phrase in ("持纸质证明", "已电话核实", "持纸质证明"):  # the second touch adds nothing
        qtbot.mouseClick(chips[phrase], Qt.MouseButton.LeftButton)
    touch(qtbot, editor.keyboard, " A12345")
    assert panel.note.text() == "持纸质证明，已电话核实 A12345"
    qtbot.mouseClick(editor.done_button, Qt.MouseButton.LeftButton)
    assert panel.confirm.isVisible()
    assert "A12345" in panel.note_button.label.text().replace("\u200b", "")
    qtbot.mouseClick(panel.reason_buttons[OverrideReason.VALID_PROOF], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)
    assert submitted == [(Outcome.PASS, "持有效证明材料：持纸质证明，已电话核实 A12345")]
    panel.reset()
    assert panel.note.text() == "" and "A12345" not in panel.note_button.label.text()


def test_an_english_screen_shows_what_each_phrase_means(
    qtbot: QtBot, use_language: Callable[[Language], None]
) -> None:
    use_language(Language.EN)
    panel = OverridePanel()
    panel.retranslate(Language.EN)
    shown(qtbot, panel)
    chip = panel.note_editor.chips[0]
    assert chip.text() == "持纸质证明\nPaper proof"  # the record is Chinese: the chip says so
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert panel.note.text() == "持纸质证明"


@pytest.mark.parametrize("screen", [ManualEntry, OverridePanel])
def test_every_field_has_an_on_screen_keyboard(qtbot: QtBot, screen: type[QWidget]) -> None:
    widget = screen()
    shown(qtbot, widget)
    fields = {*widget.findChildren(QLineEdit), *widget.findChildren(QPlainTextEdit)}
    typed_into = {keyboard.target for keyboard in widget.findChildren(TextKeyboard)}
    assert fields and fields <= typed_into


def test_a_note_stops_at_its_length_and_shows_whole(qtbot: QtBot) -> None:
    panel = OverridePanel()
    shown(qtbot, panel, (800, 1280))
    panel.edit_note()
    panel.note_editor.keyboard.type_text("ABCDEFGHIJ" * 7)
    assert panel.note.text() == "ABCDEFGHIJ" * 6  # 60 characters, as the record keeps
    qtbot.keyClick(panel.note, Qt.Key.Key_Return)  # Enter from a USB keyboard adds no line
    assert "\n" not in panel.note.text()
    field = panel.note
    assert field.document().size().height() >= 2  # wrapped onto lines, not run off the side
    assert field.viewport().height() >= field.document().size().height() * (
        field.fontMetrics().lineSpacing()
    )
