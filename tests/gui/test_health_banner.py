"""The kiosk's health on the scan screen: a banner in plain words when staff must act, hidden
when all is well, wrapped rather than cut; the status bar's words large enough to read."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtGui import QFontInfo
from pytestqt.qtbot import QtBot

from kiosk.app.viewstate import StatusKind
from kiosk.ui.health import HealthBanner
from kiosk.ui.i18n import Language
from tests.gui.kiosk_support import build_kiosk, stale
from tests.kiosk.app.test_viewstate import status


def test_a_feed_too_old_shows_why_every_green_code_goes_to_manual_check(
    tmp_path: Path, qtbot: QtBot
) -> None:
    kiosk, world, _ = build_kiosk(tmp_path, camera=False, thermometer=False)
    qtbot.addWidget(kiosk.window)
    kiosk.languages.set_language(Language.ZH)  # as start() does for this kiosk
    window = kiosk.window
    window.resize(1280, 800)
    window.show()
    banner = window.scan.banner

    kiosk.refresh_status()
    assert window.current_screen == "scan"
    assert not banner.isVisible()  # nothing needs staff

    kiosk.app.trust.swap_feed(stale(world, timedelta(days=3)).feed)
    kiosk.refresh_status()
    qtbot.waitUntil(banner.isVisible, timeout=2_000)
    assert "健康码状态数据已 3 天未更新，所有绿码需人工核验；请联网" in banner.text()
    assert banner.height() >= banner.heightForWidth(banner.width())  # every line shows

    kiosk.languages.set_language(Language.EN)
    assert "not updated for 3 days: every green code needs a manual check" in banner.text()

    kiosk.app.trust.swap_feed(stale(world, timedelta(hours=1)).feed)
    kiosk.refresh_status()
    assert not banner.isVisible()
    kiosk.languages.close()


def test_status_words_are_at_least_20_px_tall(tmp_path: Path, qtbot: QtBot) -> None:
    kiosk, _, _ = build_kiosk(tmp_path, camera=False, thermometer=False)
    qtbot.addWidget(kiosk.window)
    kiosk.refresh_status()
    bar = kiosk.window.scan.status
    kinds = [item.kind for item in kiosk.status_items()]
    for index in range(len(kinds)):
        assert QFontInfo(bar.item_label(index).font()).pixelSize() >= 20
    assert QFontInfo(bar.version.font()).pixelSize() >= 20
    assert StatusKind.FEED in kinds


def test_a_long_banner_wraps_on_a_narrow_panel_instead_of_being_cut(qtbot: QtBot) -> None:
    banner = HealthBanner()
    qtbot.addWidget(banner)
    banner.retranslate(Language.EN)
    banner.show_items(status(feed_age=None))
    one_line = banner.heightForWidth(2400)
    portrait = banner.heightForWidth(768)  # an 800 px panel less the screen's margins
    assert portrait > one_line  # more lines, not a cut line
    banner.resize(768, portrait)
    assert banner.text().endswith("Connect to the network")
