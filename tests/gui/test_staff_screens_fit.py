"""The supervisor's and the technician's screens on every panel the kiosk ships on, in Chinese
and English, with every state showing (long lists, errors, an export's message): each is exactly
the panel's size, nothing is cut, clipped or elided, and every touch target takes a glove."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QScroller, QWidget
from pytestqt.qtbot import QtBot

from kiosk.app.discovery import CameraInfo, Inventory, PortUse, SerialPortInfo
from kiosk.checkpoint.events import SaveOverride
from kiosk.checkpoint.outcome import Outcome
from kiosk.config.schema import KioskConfig
from kiosk.sessions import staff
from kiosk.sessions.access import StaffAccess
from kiosk.sessions.export import ExportFormat
from kiosk.sessions.provisioning import DeviceFailure, DeviceTestError
from kiosk.sessions.supervisor import SupervisorSession, TimeRange
from kiosk.sessions.technician import TechnicianSession
from kiosk.store import LogFilter, Store, StoreKeys
from kiosk.ui.i18n import Language
from kiosk.ui.pinpad import AccessGate
from kiosk.ui.provisioning import EXIT_PAGE, MAIN_PAGE, ProvisioningView
from kiosk.ui.supervisor import SupervisorView
from tests.gui.conftest import SaveScreen
from tests.gui.fit_support import (
    PANEL_IDS,
    PANELS,
    assert_nothing_cut,
    assert_touch_targets_for_gloves,
    settle,
)
from tests.gui.staff_support import FAST, NOW, SUPERVISOR_PIN, FakeClock, fill_log, roster

WAIT_MS = 10_000
TECHNICIAN_PIN = "246813"
LANGUAGES = [Language.ZH, Language.EN]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as opened:
        opened.copies.replace_roster(roster()).result(timeout=10)
        fill_log(opened)
        changed = next(row for row in opened.passages.log(LogFilter(), limit=100) if row.fever)
        override = SaveOverride(changed.record_id, Outcome.PASS, "已复测正常", "sup-1", NOW)
        opened.passages.record_override(override).result(timeout=10)
        staff.set_pin(
            opened, staff.TECHNICIAN_ID, "技术员", "technician", TECHNICIAN_PIN, FAST
        ).result(timeout=10)
        for number in range(1, 9):  # a long list of supervisors
            name = ["欧阳晓明", "司马建国", "李娜", "王芳"][number % 4] + str(number)
            staff.set_pin(opened, f"local-sup-{number}", name, "supervisor", "135790", FAST).result(
                timeout=10
            )
        yield opened


@pytest.fixture
def gate(store: Store) -> Iterator[AccessGate]:
    opened = AccessGate(StaffAccess(store, FakeClock()))
    yield opened
    opened.shutdown()


def check(screen: QWidget, size: tuple[int, int]) -> None:
    assert_nothing_cut(screen, size)
    assert_touch_targets_for_gloves(screen)


# ------------------------------------------------------------ the supervisor


@pytest.fixture
def supervisor(
    store: Store,
    gate: AccessGate,
    qtbot: QtBot,
    tmp_path: Path,
    use_language: Callable[[Language], None],
) -> Iterator[Callable[[Language], SupervisorView]]:
    made: list[SupervisorView] = []

    def build(language: Language) -> SupervisorView:
        use_language(language)
        session = SupervisorSession(
            store, FakeClock(), export_dir=tmp_path / "exports" / "a-long-folder-name", page_rows=30
        )
        view = SupervisorView(session, gate, language=language)
        qtbot.addWidget(view)
        with qtbot.waitSignal(gate.roster_loaded, timeout=WAIT_MS):
            view.start()
        made.append(view)
        return view

    yield build
    for view in made:
        view.shutdown()


@pytest.mark.parametrize("language", LANGUAGES, ids=["zh", "en"])
@pytest.mark.parametrize("size", PANELS, ids=PANEL_IDS)
def test_the_supervisor_screens_fit_the_panel(
    supervisor: Callable[[Language], SupervisorView],
    qtbot: QtBot,
    save_screen: SaveScreen,
    size: tuple[int, int],
    language: Language,
) -> None:
    view = supervisor(language)
    name = f"{size[0]}x{size[1]}"

    def look(what: str) -> None:
        settle(view, size)
        save_screen(view, f"fit-supervisor-{what}_{name}", language, size)
        check(view, size)

    look("names")
    view.names_page.picker.buttons["sup-1"].click()
    look("pin")
    with qtbot.waitSignal(view.log_loaded, timeout=WAIT_MS):
        view.unlock("sup-1", SUPERVISOR_PIN)
    with qtbot.waitSignal(view.log_loaded, timeout=WAIT_MS):
        view.apply_filter(TimeRange.ALL)
    view.log_page.table.selectRow(1)
    look("log")
    view.log_page.export_started()
    view.log_page.export_progressed(5, 17)
    look("log-exporting")
    with qtbot.waitSignal(view.export_finished, timeout=WAIT_MS):
        view.export(ExportFormat.XLSX)
    look("log-exported")
    view.log_page.show_failed()
    look("log-failed")
    with qtbot.waitSignal(view.trail_loaded, timeout=WAIT_MS):
        view.open_trail(0)
    look("trail")
    view.open_settings()
    look("settings")


# ------------------------------------------------------------ the technician


def inventory() -> Inventory:
    long_name = "USB2.0 HD UVC WebCam: Integrated Camera With A Long Name"
    ports = tuple(
        SerialPortInfo(f"/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if0{n}-port0",
                       "FT232R USB UART (thermometer, ID-card reader or scanner)",
                       "0403", "6001", PortUse.ANY)
        for n in range(6)
    )  # fmt: skip
    cameras = tuple(
        CameraInfo(f"/dev/v4l/by-id/usb-Sonix_Technology_Co.__Ltd._{n}-video-index0", long_name,
                   "0c45", "6366")
        for n in range(3)
    )  # fmt: skip
    return Inventory(ports, cameras)


@pytest.fixture
def technician(
    store: Store, gate: AccessGate, qtbot: QtBot, tmp_path: Path,
    use_language: Callable[[Language], None],
) -> Iterator[Callable[[Language], ProvisioningView]]:  # fmt: skip
    made: list[ProvisioningView] = []

    def build(language: Language) -> ProvisioningView:
        use_language(language)
        session = TechnicianSession(
            store,
            FakeClock(),
            config=KioskConfig(),
            config_path=tmp_path / "a-folder" / "kiosk.toml",
            identity_dir=tmp_path / "identity",
            discover=inventory,
            client=None,  # type: ignore[arg-type]  # nothing here talks to central
            stop_sync=lambda: None,
        )
        view = ProvisioningView(session, gate, language=language)
        qtbot.addWidget(view)
        made.append(view)
        view.start()
        qtbot.waitUntil(lambda: gate.loaded, timeout=WAIT_MS)
        return view

    yield build
    for view in made:
        view.shutdown()


def show_every_message(view: ProvisioningView) -> None:
    """The longest words each page can show, at once."""
    devices = view.devices
    garbage = DeviceTestError(DeviceFailure.GARBAGE, "/dev/serial/by-id/usb-FTDI_FT232R-port0")
    devices.thermometer_result.setText(devices.failure_text(garbage))
    unplugged = DeviceTestError(DeviceFailure.UNPLUGGED, "/dev/ttyUSB1")
    devices.reader_result.setText(devices.failure_text(unplugged))
    devices.camera_result.setText(
        devices.tr("Picture ok, but no QR code was decoded: hold one up and test again.")
    )
    devices.save_result.setText(
        devices.tr("Saved to %1").replace("%1", "/var/lib/healthcode-kiosk/config/kiosk.toml")
    )
    enrollment = view.enrollment
    enrollment.ask_reset()
    enrollment.confirm_panel.setVisible(True)
    enrollment.message.setText(
        enrollment.tr("Central cannot be reached: check the address and the network.")
    )
    view.staff.message.setText(view.staff.tr("A PIN is 4 to 12 digits, and a name is needed."))
    enrollment.enrolled_label.setText("西湖区转塘街道某某社区卫生服务中心东门预检分诊点 (Clinic)")


@pytest.mark.parametrize("language", LANGUAGES, ids=["zh", "en"])
@pytest.mark.parametrize("size", PANELS, ids=PANEL_IDS)
def test_the_technician_screens_fit_the_panel(
    technician: Callable[[Language], ProvisioningView],
    qtbot: QtBot,
    save_screen: SaveScreen,
    size: tuple[int, int],
    language: Language,
) -> None:
    view = technician(language)
    name = f"{size[0]}x{size[1]}"

    def look(what: str) -> None:
        settle(view, size)
        save_screen(view, f"fit-technician-{what}_{name}", language, size)
        check(view, size)

    look("pin")
    view.unlock(TECHNICIAN_PIN)
    qtbot.waitUntil(lambda: view.pages.currentIndex() == MAIN_PAGE, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "discovery" not in view.devices.busy, timeout=WAIT_MS)
    show_every_message(view)
    for index, what in enumerate(("devices", "enrollment", "staff")):
        view.tabs.setCurrentIndex(index)
        look(what)
    view.ask_to_leave()
    assert view.pages.currentIndex() == EXIT_PAGE
    look("exit")


def scrolls_by_drag(viewport: QWidget) -> bool:
    """A scroller took the left button (a finger) on `viewport`."""
    untouched = QScroller.grabbedGesture(QWidget())
    return QScroller.hasScroller(viewport) and QScroller.grabbedGesture(viewport) != untouched


def scroll_areas(screen: QWidget) -> list[QScrollArea]:
    return [area for area in screen.findChildren(QScrollArea) if area.isVisibleTo(screen)]


def inside(widget: QWidget, areas: list[QScrollArea]) -> bool:
    return any(area.isAncestorOf(widget) for area in areas)


def test_long_staff_forms_scroll_under_a_finger_and_their_actions_stay_in_sight(
    supervisor: Callable[[Language], SupervisorView],
    technician: Callable[[Language], ProvisioningView],
    qtbot: QtBot,
) -> None:
    size = (1024, 600)
    view = technician(Language.EN)
    view.unlock(TECHNICIAN_PIN)
    qtbot.waitUntil(lambda: view.pages.currentIndex() == MAIN_PAGE, timeout=WAIT_MS)
    view.enrollment.ask_reset()
    view.enrollment.confirm_panel.setVisible(True)
    pages = [view.devices, view.enrollment, view.staff]
    actions = [view.devices.save_button, view.enrollment.confirm_button]
    actions += [view.enrollment.cancel_button, view.enrollment.enroll_button]
    for index, page in enumerate(pages):
        view.tabs.setCurrentIndex(index)
        settle(view, size)
        areas = scroll_areas(page)
        assert areas, f"{type(page).__name__} does not scroll"
        for area in areas:
            assert scrolls_by_drag(area.viewport())
            assert area.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
            assert area.verticalScrollBar().singleStep() >= 90
    assert not any(inside(button, scroll_areas(view)) for button in actions)
    assert not inside(view.close_button, scroll_areas(view))

    log_view = supervisor(Language.EN)
    with qtbot.waitSignal(log_view.log_loaded, timeout=WAIT_MS):
        log_view.unlock("sup-1", SUPERVISOR_PIN)
    settle(log_view, size)
    logs = log_view.log_page
    assert scrolls_by_drag(logs.panel.viewport())
    visible = scroll_areas(log_view)
    assert not inside(logs.close_button, visible) and not inside(logs.settings_button, visible)
    log_view.open_settings()
    settle(log_view, size)
    visible = scroll_areas(log_view)
    settings = log_view.settings_page
    assert not inside(settings.save_button, visible) and not inside(settings.back_button, visible)
