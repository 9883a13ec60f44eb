"""The national code checked online, through the whole kiosk: a hand scanner's national code
goes to a local fake of the verification service over a real socket; the screens stay
responsive while it answers, and the result says it was checked online. A timeout keeps the
manual check. The result is drawn at every panel size in zh and en."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from healthcode.claims import Colour
from healthcode.results import Rejection, RejectReason
from kiosk.app.viewstate import PromptView, ResultView
from kiosk.checkpoint.events import Prompt
from kiosk.checkpoint.national import NationalCheck, NationalCheckFailure
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.client.national_check import HttpNationalVerifier, NationalServiceConfig
from kiosk.ui.app import Kiosk
from kiosk.ui.gallery import Gallery, Shot
from kiosk.ui.gallery_run import run_screens
from kiosk.ui.i18n import Language
from kiosk.ui.scan import ScanScreen
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
) -> tuple[Kiosk, list[ResultView], httpx.Client]:
    client = httpx.Client()
    config = NationalServiceConfig(service.url, APP_ID, TOKEN, timeout_s=timeout_s)
    kiosk, world, _ = build_kiosk(
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
    kiosk.demo_world = world  # type: ignore[attr-defined]
    return kiosk, results, client


def prompt_of(kiosk: Kiosk) -> str:
    return kiosk.window.scan.prompt.text()


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
        kiosk.app.scanner_text(TEXT)
        # The service holds its answer: the GUI thread goes on running its timers meanwhile.
        qtbot.waitUntil(lambda: service.received.is_set() and len(ticks) >= 5, timeout=10_000)
        assert results == []
        assert prompt_of(kiosk) == "正在联网核验国家码…"  # the person sees the kiosk is at it
        service.release.set()
        qtbot.waitUntil(lambda: len(results) == 1, timeout=10_000)
    finally:
        timer.stop()
        kiosk.stop()
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
        kiosk.app.scanner_text(TEXT)
        qtbot.waitUntil(lambda: len(results) == 1, timeout=10_000)
    finally:
        service.release.set()
        kiosk.stop()
        client.close()
    view = results[0]
    assert view.outcome is Outcome.MANUAL_CHECK
    assert view.deciding_reason is not None
    assert view.deciding_reason.zh == "国家码：请人工核验：联网核验超时"


def test_a_late_answer_for_a_national_code_is_dropped_once_the_next_person_scanned(
    tmp_path: Path, qtbot: QtBot, service: FakeNationalService
) -> None:
    kiosk, results, client = run_kiosk(tmp_path, qtbot, service, timeout_s=10.0)
    driver = kiosk.app.driver
    green = kiosk.demo_world.case("green").text  # type: ignore[attr-defined]
    service.answer = {"result": "valid", "colour": "red"}  # would deny, were it not dropped
    try:
        service.hold()
        kiosk.app.scanner_text(TEXT)
        qtbot.waitUntil(service.received.is_set, timeout=10_000)
        kiosk.app.scanner_text(green)  # the next person did not wait
        qtbot.waitUntil(lambda: len(results) == 1, timeout=10_000)
        assert results[0].outcome is Outcome.PASS
        service.release.set()  # the first code's answer comes now, too late
        qtbot.waitUntil(lambda: driver.national_checks_running == 0, timeout=10_000)
        qtbot.waitUntil(lambda: kiosk.window.current_screen == "scan", timeout=10_000)
    finally:
        service.release.set()
        kiosk.stop()
        client.close()
    assert [view.outcome for view in results] == [Outcome.PASS]  # nobody new, no red
    assert prompt_of(kiosk) == "请出示健康码"


def test_start_over_gives_the_online_check_up_and_its_answer_is_dropped(
    tmp_path: Path, qtbot: QtBot, service: FakeNationalService
) -> None:
    kiosk, results, client = run_kiosk(tmp_path, qtbot, service, timeout_s=10.0)
    scan = kiosk.window.scan
    try:
        service.hold()
        kiosk.app.scanner_text(TEXT)
        kiosk.app.scanner_text(TEXT)  # the same code read again: the same person, one request
        qtbot.waitUntil(lambda: prompt_of(kiosk) == "正在联网核验国家码…", timeout=10_000)
        qtbot.waitUntil(service.received.is_set, timeout=10_000)
        assert scan.cancel_button.isVisibleTo(scan)  # 重新开始, for a person who walked away
        qtbot.mouseClick(scan.cancel_button, Qt.MouseButton.LeftButton)
        assert prompt_of(kiosk) == "请出示健康码"
        service.release.set()
        qtbot.waitUntil(lambda: kiosk.app.driver.national_checks_running == 0, timeout=10_000)
        assert prompt_of(kiosk) == "请出示健康码"
        kiosk.app.scanner_text(kiosk.demo_world.case("green").text)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    finally:
        service.release.set()
        kiosk.stop()
        client.close()
    assert [view.outcome for view in results] == [Outcome.PASS]  # the green code's only
    assert len(service.requests) == 1


def test_the_wait_is_still_said_when_the_last_persons_result_closes_meanwhile(
    tmp_path: Path, qtbot: QtBot, service: FakeNationalService
) -> None:
    kiosk, results, client = run_kiosk(tmp_path, qtbot, service, timeout_s=10.0)
    window = kiosk.window
    try:
        kiosk.app.scanner_text(kiosk.demo_world.case("green").text)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: window.current_screen == "result", timeout=10_000)
        service.hold()
        kiosk.app.scanner_text(TEXT)  # the next person, while the result is still up
        qtbot.waitUntil(service.received.is_set, timeout=10_000)
        qtbot.waitUntil(lambda: window.current_screen == "scan", timeout=10_000)  # it closed
        assert prompt_of(kiosk) == "正在联网核验国家码…"
        service.release.set()
        qtbot.waitUntil(lambda: len(results) == 2, timeout=10_000)
        qtbot.waitUntil(lambda: window.current_screen == "scan", timeout=10_000)
    finally:
        service.release.set()
        kiosk.stop()
        client.close()
    assert [view.outcome for view in results] == [Outcome.PASS, Outcome.PASS]
    assert results[1].deciding_reason is not None
    assert results[1].deciding_reason.zh == "国家码已联网核验：绿码"
    assert prompt_of(kiosk) == "请出示健康码"


@pytest.mark.parametrize("panel", PANELS, ids=PANEL_IDS)
@pytest.mark.parametrize("language", [Language.ZH, Language.EN])
def test_the_wait_for_the_online_check_is_said_in_large_type_on_every_panel(
    qtbot: QtBot,
    save_screen: SaveScreen,
    use_language: Callable[[Language], None],
    panel: tuple[int, int],
    language: Language,
) -> None:
    use_language(language)
    screen = ScanScreen()
    qtbot.addWidget(screen)
    screen.retranslate(language)
    screen.show_prompt(PromptView(Prompt.SCAN, checking_online=True))
    save_screen(screen, f"scan-national-checking-{panel[0]}x{panel[1]}", language, panel)
    assert_nothing_cut(screen, panel)
    words = {Language.ZH: "正在联网核验国家码…", Language.EN: "Checking the national code online…"}
    assert screen.prompt.text() == words[language]
    assert screen.prompt.font().pointSize() >= 20  # read from a step away, at 65
    print(f"the online check's wait drawn at {panel} in {language.value}")


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


NATIONAL_SHOTS = {
    "prompt-national-checking-online",
    "result-national-passed-online",
    "result-national-refused-online",
    "result-national-manual-check-timeout",
    "result-national-manual-check-credentials",
}


class NationalGallery(Gallery):
    """The screens gallery of `kiosk screens`, its online-check shots only."""

    def shots(self) -> list[Shot]:
        return [shot for shot in super().shots() if shot.name in NATIONAL_SHOTS]


def test_the_screens_gallery_draws_the_online_checks_wait_and_results_that_fit(
    qapp: QApplication, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_screens(tmp_path, PANELS, ["zh", "en"], make_gallery=NationalGallery)
    out = capsys.readouterr().out
    assert "misfits on 0 of" in out, out
    assert status == 0
    for language in ("zh", "en"):
        for width, height in PANELS:
            folder = tmp_path / language / f"{width}x{height}"
            assert {p.stem for p in folder.glob("*.png")} == NATIONAL_SHOTS
    print(f"{len(NATIONAL_SHOTS)} gallery shots at {len(PANELS)} panels in zh and en")
