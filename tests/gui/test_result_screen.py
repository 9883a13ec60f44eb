"""The result as it is drawn: the deciding reason in large type, name and temperature in large
figures, the colour said once, a repeat as one strip, a yellow code yellow."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtGui import QFontMetrics
from pytestqt.qtbot import QtBot

from healthcode.claims import Colour
from kiosk.checkpoint.decision import IdMatch
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.screens import ResultScreen
from tests.gui.conftest import SaveScreen
from tests.kiosk.app.result_support import ROAD, shown
from tests.kiosk.checkpoint_support import verified


def screen_for(qtbot: QtBot, size: tuple[int, int] = (1280, 800)) -> ResultScreen:
    screen = ResultScreen()
    qtbot.addWidget(screen)
    screen.resize(*size)
    screen.show()
    screen.retranslate(Language.ZH)
    return screen


def test_the_deciding_reason_comes_first_in_large_type(
    qtbot: QtBot, save_screen: SaveScreen
) -> None:
    screen = screen_for(qtbot)
    screen.show_result(shown(ROAD, id_match=IdMatch.MISMATCHED, repeat_since=timedelta(minutes=2)))
    save_screen(screen, "result-id-mismatch-repeat", Language.ZH)
    assert screen.deciding.text() == "身份证与健康码不符"
    assert QFontMetrics(screen.deciding.font()).height() >= 40
    assert QFontMetrics(screen.person.font()).height() >= 40
    assert screen.deciding.y() < screen.person.y() < screen.reasons.y()
    assert "36.5 °C" in screen.person.text()
    assert "绿码" not in screen.person.text()  # said once, below, not in the figures too
    assert screen.repeat.isVisible()
    assert screen.repeat.text().endswith("2 分钟前已在此处通行")
    assert "通行" not in screen.reasons.text()
    assert screen.reasons.text().count("\n") <= 1


def test_a_yellow_code_is_drawn_yellow_with_the_policys_word(
    qtbot: QtBot, save_screen: SaveScreen
) -> None:
    screen = screen_for(qtbot, (800, 1280))
    screen.show_result(shown(code=verified(Colour.YELLOW), colour_applied=Colour.YELLOW))
    save_screen(screen, "result-yellow-portrait", Language.ZH, size=(800, 1280))
    assert style.YELLOW_CODE_LOOK.background in screen.styleSheet()
    assert style.OUTCOME_LOOKS[shown().outcome].background not in screen.styleSheet()
    assert screen.word.text().endswith("禁止通行")
    assert not screen.repeat.isVisible()


def test_the_verdict_word_fits_a_portrait_panel_in_english(qtbot: QtBot) -> None:
    screen = screen_for(qtbot, (800, 1280))
    screen.retranslate(Language.EN)
    screen.show_result(shown(ROAD, temperature_celsius=None))
    assert screen.word.text().endswith("Manual check")
    advance = QFontMetrics(screen.word.font()).horizontalAdvance(screen.word.text())
    assert advance <= screen.word.width()
