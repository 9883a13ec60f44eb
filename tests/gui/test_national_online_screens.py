"""The national code checked online, through the whole kiosk: a hand scanner's national code
goes to a local fake of the verification service over a real socket; the screens stay
responsive while it answers, and the result says it was checked online. A timeout keeps the
manual check. The result is drawn at every panel size in zh and en."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from healthcode.claims import Colour
from healthcode.results import Rejection, RejectReason
from kiosk.app.viewstate import ResultView
from kiosk.checkpoint.national import NationalCheck, NationalCheckFailure
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.client.national_check import HttpNationalVerifier, NationalServiceConfig
from kiosk.ui.i18n import Language
from kiosk.ui.screens import ResultScreen
from tests.gui.conftest import SaveScreen
from tests.gui.fit_support import PANEL_IDS, PANELS, assert_nothing_cut
from tests.gui.kiosk_support import build_kiosk
from tests.kiosk.app.result_support import shown
from tests.kiosk.national_service import APP_ID, TOKEN, FakeNationalService, national_service

PREFIX = "https://national.example/hc/"
TEXT = PREFIX + "Q2hpbmEgbmF0aW9uYWwgY29kZQ"
POLICY = replace(
    default_policy(CheckpointType.ENTERPRISE_GATE),
    temperature_required=False,
    national_code_prefixes=(PREFIX,),
)


@pytest.fixture
def service() -> Iterator[FakeNationalService]:
    with national_service() as running:
        yield running


def run_kiosk(
    tmp_path: Path, qtbot: QtBot, service: FakeNationalService, timeout_s: float
) -> tuple[object, list[ResultView], httpx.Client]:
    client = httpx.Client()
    config = NationalServiceConfig(service.url, APP_ID, TOKEN, timeout_s=timeout_s)
    kiosk, _, _ = build_kiosk(
        tmp_path,
        camera=False,
        thermometer=False,
        policy=POLICY,
        national_check=HttpNationalVerifier(client, config).check,
    )
    results: list[ResultView] = []
    kiosk.bridge.result_shown.connect(results.append)
    qtbot.addWidget(kiosk.window)
    kiosk.start()
    return kiosk, results, client


def test_a_national_code_checked_online_passes_green_while_the_screens_stay_responsive(
    tmp_path: Path, qtbot: QtBot, service: FakeNationalService
) -> None:
    kiosk, results, client = run_kiosk(tmp_path, qtbot, service, timeout_s=10.0)
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    try:
        service.hold()
        kiosk.app.scanner_text(TEXT)  # type: ignore[attr-defined]
        # The service holds its answer: the GUI thread goes on running its timers meanwhile.
        qtbot.waitUntil(lambda: service.received.is_set() and len(ticks) >= 5, timeout=10_000)
        assert results == []
        service.release.set()
        qtbot.waitUntil(lambda: len(results) == 1, timeout=10_000)
    finally:
        timer.stop()
        kiosk.stop()  # type: ignore[attr-defined]
        client.close()
    view = results[0]
    assert view.outcome is Outcome.PASS
    assert view.deciding_reason is not None
    assert view.deciding_reason.zh == "国家码已联网核验：绿码"
    assert view.deciding_reason.en == "National health code checked online: Green"
    assert service.requests[0]["body"] == {"qr_text": TEXT}


def test_a_service_that_does_not_answer_in_time_leaves_the_manual_check(
    tmp_path: Path, qtbot: QtBot, service: FakeNationalService
) -> None:
    kiosk, results, client = run_kiosk(tmp_path, qtbot, service, timeout_s=0.5)
    try:
        service.hold()
        kiosk.app.scanner_text(TEXT)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: len(results) == 1, timeout=10_000)
    finally:
        service.release.set()
        kiosk.stop()  # type: ignore[attr-defined]
        client.close()
    view = results[0]
    assert view.outcome is Outcome.MANUAL_CHECK
    assert view.deciding_reason is not None
    assert view.deciding_reason.zh == "国家码：请人工核验：联网核验超时"


NATIONAL = Rejection(RejectReason.NATIONAL_CODE, "not verifiable offline", scheme="GB/T 38962")
DRAWN = [
    ("red", NationalCheck(True, Colour.RED)),
    ("timeout", NationalCheck.failed(NationalCheckFailure.TIMEOUT)),
    ("credentials", NationalCheck.failed(NationalCheckFailure.CREDENTIALS_REFUSED)),
]


@pytest.mark.parametrize("panel", PANELS, ids=PANEL_IDS)
@pytest.mark.parametrize("language", [Language.ZH, Language.EN])
def test_the_online_checks_results_fit_every_panel(
    qtbot: QtBot, save_screen: SaveScreen, panel: tuple[int, int], language: Language
) -> None:
    screen = ResultScreen()
    qtbot.addWidget(screen)
    screen.retranslate(language)
    for name, check in DRAWN:
        colour = check.colour if check.valid else None
        screen.show_result(shown(code=NATIONAL, colour_applied=colour, national_check=check))
        save_screen(screen, f"result-national-{name}-{panel[0]}x{panel[1]}", language, panel)
        assert_nothing_cut(screen, panel)
    print(f"{len(DRAWN)} national-check results drawn at {panel} in {language.value}")
