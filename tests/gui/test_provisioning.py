"""The technician's screen on a whole kiosk: the real store, the drivers against the simulators
(pyserial URL handlers) and the demo camera folder, a TOML file on disk, and central in process.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from central.core.settings import Settings
from drivers.idcard.simulator import SAMPLE_RESIDENT
from healthcode.identity import mask_id_number
from kiosk.app.demo import DemoWorld, prepare_demo, render_camera_folder
from kiosk.app.viewstate import StatusKind
from kiosk.checkpoint.policy import CheckpointType, PassageField, default_policy
from kiosk.config import load_config
from kiosk.sessions import staff
from kiosk.store import LogFilter
from kiosk.ui.app import Kiosk, KioskSetup
from kiosk.ui.i18n import Language
from kiosk.ui.provisioning import MAIN_PAGE, PIN_PAGE
from tests.central.conftest import SERVER, Central, FakeClock, start_central
from tests.gui.conftest import SaveScreen
from tests.gui.staff_support import FAST, audit_actions, flush
from tests.kiosk.checkpoint_support import passage

TECHNICIAN_PIN = "246813"
THERMOMETER = "simthermometer://?model=gy-mcu90614"
READER = "simidcard://?card=resident"
INSTALLER_FILE = '# written by the installer\n[kiosk]\nlanguage = "zh"  # Chinese first\n'
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> DemoWorld:
    demo = prepare_demo(tmp_path_factory.mktemp("world"), datetime.now(UTC))
    render_camera_folder(demo.camera_folder, [c.text for c in demo.cases], frames_per_shot=3)
    return demo


class Harness:
    """A kiosk with its configuration file, and what it asked the application to do."""

    def __init__(self, folder: Path, world: DemoWorld, *, lock: bool, central: Central | None):
        self.folder = folder
        self.config_file = folder / "kiosk.toml"
        if not self.config_file.exists():
            self.config_file.write_text(INSTALLER_FILE, encoding="utf-8")
        self.exits: list[bool] = []
        self.enrolled: list[Kiosk] = []
        setup = KioskSetup(
            data_dir=folder / "data",
            policy=default_policy(CheckpointType.ENTERPRISE_GATE),
            trust_list=world.trust_list,
            feed=world.feed,
            binding_keys=world.binding_keys,
            result_duration=timedelta(milliseconds=200),
            language=Language.EN,  # the assertions read English; the pictures are in both
            config=load_config(self.config_file),
            lock=lock,
            demo=True,
            camera_folders=(world.camera_folder,),
        )
        client = None if central is None else (lambda: contextlib.nullcontext(central.client))
        self.kiosk = Kiosk(
            setup,
            central_client=client,  # type: ignore[arg-type]
            on_enrolled=self.enrolled.append,
            on_exit=lambda: self.exits.append(True),
        )

    @property
    def view(self):  # type: ignore[no-untyped-def]
        return self.kiosk.provisioning

    def add_technician(self) -> None:
        staff.set_pin(
            self.kiosk.store, staff.TECHNICIAN_ID, "技术员", "technician", TECHNICIAN_PIN, FAST
        ).result(timeout=10)

    def add_older_technician(self, pin: str) -> None:
        kept = {"operator_id": staff.TECHNICIAN_ID, "name": "技术员", "role": "technician"}
        text = json.dumps([{**kept, "pin_hash": FAST.hash(pin)}])
        self.kiosk.store.meta.set(staff.LOCAL_STAFF_KEY, text).result(timeout=10)

    def open(self, qtbot: QtBot, pin: str = TECHNICIAN_PIN) -> None:
        self.kiosk.open_provisioning()
        qtbot.waitUntil(lambda: self.kiosk.gate.loaded, timeout=WAIT_MS)
        self.view.unlock(pin)
        qtbot.waitUntil(lambda: self.view.pages.currentIndex() == MAIN_PAGE, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: "discovery" not in self.view.devices.busy, timeout=WAIT_MS)


@pytest.fixture
def make(tmp_path: Path, world: DemoWorld, qapp: QApplication) -> Iterator[object]:
    made: list[Harness] = []

    def build(
        *, lock: bool = False, central: Central | None = None, technician: bool = True, older=""
    ):
        harness = Harness(tmp_path, world, lock=lock, central=central)
        if older:  # a technician's PIN kept before new PINs needed 6 digits
            harness.add_older_technician(older)
        elif technician:
            harness.add_technician()
        harness.kiosk.start()
        made.append(harness)
        return harness

    yield build
    for harness in made:
        harness.kiosk.window.allow_close()
        harness.kiosk.window.close()
        harness.kiosk.stop()
        harness.kiosk.window.deleteLater()  # its screens go with it, now, not at exit
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    settings = Settings(
        data_dir=tmp_path / "central",
        database_url=f"sqlite:///{tmp_path / 'central.db'}",
        _env_file=None,  # type: ignore[call-arg]
    )
    yield from start_central(settings, FakeClock(datetime.now(UTC)))


# ------------------------------------------------------------------------------- the PIN


def test_first_start_asks_for_a_new_technician_pin_twice_then_opens(make, qtbot: QtBot) -> None:
    harness = make(technician=False)
    harness.kiosk.open_provisioning()
    qtbot.waitUntil(lambda: harness.kiosk.gate.loaded, timeout=WAIT_MS)
    assert harness.view.first_start
    assert "6-12 digits" in harness.view.pad.prompt_label.text()
    harness.view.unlock("13579")  # too short for a new PIN: said, and asked for again
    assert "6 to 12 digits" in harness.view.pad.message_label.text()
    assert "choose" in harness.view.pad.prompt_label.text()
    harness.view.unlock("135790")
    harness.view.unlock("999999")  # a typo: start again
    assert harness.view.pages.currentIndex() == PIN_PAGE
    assert harness.view.pad.message_label.text()
    harness.view.unlock("135790")
    harness.view.unlock("135790")
    qtbot.waitUntil(lambda: harness.view.pages.currentIndex() == MAIN_PAGE, timeout=WAIT_MS)
    assert [o.role for o in staff.local_staff(harness.kiosk.store)] == ["technician"]
    harness.view.close_view()
    qtbot.waitUntil(lambda: not harness.view.first_start, timeout=WAIT_MS)
    harness.kiosk.open_provisioning()
    harness.view.unlock("135790")
    qtbot.waitUntil(lambda: harness.view.pages.currentIndex() == MAIN_PAGE, timeout=WAIT_MS)


def test_a_wrong_technician_pin_keeps_the_screen_shut(make, qtbot: QtBot) -> None:
    harness = make()
    harness.kiosk.open_provisioning()
    qtbot.waitUntil(lambda: harness.kiosk.gate.loaded, timeout=WAIT_MS)
    harness.view.unlock("0000")
    qtbot.waitUntil(lambda: "PIN" in harness.view.pad.message_label.text(), timeout=WAIT_MS)
    assert harness.view.pages.currentIndex() == PIN_PAGE
    assert harness.view.operator_id is None


def test_five_wrong_technician_pins_lock_the_pad_even_against_the_right_one(
    make, qtbot: QtBot
) -> None:
    harness = make()
    harness.kiosk.open_provisioning()
    qtbot.waitUntil(lambda: harness.kiosk.gate.loaded, timeout=WAIT_MS)
    pad = harness.view.pad
    for _ in range(5):
        harness.view.unlock("000000")
        qtbot.waitUntil(lambda: not harness.kiosk.gate.checking, timeout=WAIT_MS)
    assert pad.locked and "Locked for" in pad.message_label.text()
    assert not pad.digit_buttons["1"].isEnabled()
    harness.view.unlock(TECHNICIAN_PIN)
    qtbot.waitUntil(lambda: not harness.kiosk.gate.checking, timeout=WAIT_MS)
    assert harness.view.operator_id is None
    harness.view.close_view()  # closing and coming back does not lift it
    harness.kiosk.open_provisioning()
    qtbot.waitUntil(lambda: harness.kiosk.gate.loaded, timeout=WAIT_MS)
    assert pad.locked


def test_a_technician_pin_kept_before_with_four_digits_still_opens_until_re_set(
    make, qtbot: QtBot
) -> None:
    harness = make(older="2468")
    harness.open(qtbot, "2468")
    page = harness.view.staff
    page.technician_pin.setText("864213")
    page.save_technician.click()
    qtbot.waitUntil(lambda: "PIN saved" in page.message.text(), timeout=WAIT_MS)
    harness.view.close_view()
    harness.open(qtbot, "864213")


def test_supervisors_screen_leads_to_the_technicians_screen(make, qtbot: QtBot) -> None:
    harness = make()
    harness.kiosk.window.scan.supervisor_requested.emit()
    harness.kiosk.supervisor.names_page.technician_button.click()
    assert harness.kiosk.window.current_screen == "provisioning"
    assert harness.view.pages.currentIndex() == PIN_PAGE


def test_left_alone_the_technicians_screen_closes_itself_back_to_the_scan_screen(
    make, qtbot: QtBot
) -> None:
    harness = make()
    harness.open(qtbot)
    harness.view.set_idle_timeout(0.5)  # five minutes in service
    with qtbot.waitSignal(harness.view.closed, timeout=WAIT_MS):
        pass
    assert harness.view.operator_id is None
    assert harness.view.pages.currentIndex() == PIN_PAGE
    assert harness.kiosk.window.current_screen == "scan"
    actions = [action for _, action, _ in audit_actions(harness.kiosk.store)]
    assert actions[-2:] == ["technician_idle", "technician_close"]


def test_the_technicians_screen_waits_for_work_under_way_and_a_touch_restarts_the_wait(
    make, qtbot: QtBot
) -> None:
    harness = make()
    harness.open(qtbot)
    view = harness.view
    release = threading.Event()
    view._background.run(lambda: release.wait(WAIT_MS / 1000), lambda _: None)  # a test running
    view._idle.timeout.emit()  # the time is up while it runs
    assert view.operator_id is not None
    assert view._idle.isActive()  # it waits again
    release.set()
    qtbot.waitUntil(lambda: not view._background.busy, timeout=WAIT_MS)
    view._idle.stop()
    qtbot.mouseClick(view.tabs.tabBar(), Qt.MouseButton.LeftButton)  # the technician touches it
    assert view._idle.isActive()
    view._idle.timeout.emit()
    assert view.operator_id is None
    assert harness.kiosk.window.current_screen == "scan"


# ------------------------------------------------------------------------------- devices


def test_the_devices_found_are_listed_with_the_simulators_in_demo_mode(
    make, qtbot: QtBot, world: DemoWorld
) -> None:
    harness = make()
    harness.open(qtbot)
    devices = harness.view.devices
    ports = [devices.ports_table.item(r, 0).text() for r in range(devices.ports_table.rowCount())]
    assert THERMOMETER in ports
    assert READER in ports
    cameras = [
        devices.cameras_table.item(r, 0).text() for r in range(devices.cameras_table.rowCount())
    ]
    assert str(world.camera_folder) in cameras
    # the reader's list offers no simulated thermometer, and the other way round
    reader_choices = [devices.reader_port.itemData(i) for i in range(devices.reader_port.count())]
    assert THERMOMETER not in reader_choices


def test_the_thermometer_test_shows_a_body_temperature_in_celsius(make, qtbot: QtBot) -> None:
    harness = make()
    harness.open(qtbot)
    devices = harness.view.devices
    devices.choose(thermometer="simthermometer://?model=body-aaa5")
    assert devices.thermometer_model.currentData() == "body-aaa5"  # the simulator's model
    devices.thermometer_test.click()
    qtbot.waitUntil(lambda: "thermometer" not in devices.busy, timeout=WAIT_MS)
    assert "36.8 °C" in devices.thermometer_result.text()


def test_an_unplugged_thermometer_says_so_and_the_screen_stays_usable(make, qtbot: QtBot) -> None:
    harness = make()
    harness.open(qtbot)
    devices = harness.view.devices
    devices.choose(thermometer="/dev/ttyUSB-not-there", reader=READER)
    devices.thermometer_test.click()
    devices.reader_test.click()  # the GUI thread is free while the thermometer fails
    qtbot.waitUntil(lambda: not devices.busy, timeout=WAIT_MS)
    assert "plugged in" in devices.thermometer_result.text()
    assert "Card read" in devices.reader_result.text()


def test_the_reader_test_shows_the_masked_id_number_only(make, qtbot: QtBot) -> None:
    harness = make()
    harness.open(qtbot)
    devices = harness.view.devices
    devices.choose(reader=READER)
    devices.reader_test.click()
    qtbot.waitUntil(lambda: "reader" not in devices.busy, timeout=WAIT_MS)
    shown = devices.reader_result.text()
    assert mask_id_number(SAMPLE_RESIDENT.id_number) in shown
    assert SAMPLE_RESIDENT.id_number not in shown


def test_the_camera_test_shows_a_preview_and_whether_a_qr_was_decoded(
    make, qtbot: QtBot, world: DemoWorld
) -> None:
    harness = make()
    harness.open(qtbot)
    devices = harness.view.devices
    devices.choose(camera=str(world.camera_folder))
    devices.camera_test.click()
    qtbot.waitUntil(lambda: "camera" not in devices.busy, timeout=WAIT_MS)
    assert "QR code was decoded" in devices.camera_result.text()
    assert not devices.preview.pixmap().isNull()


def test_saving_writes_the_configuration_file_and_reopens_the_devices(
    make, qtbot: QtBot, world: DemoWorld
) -> None:
    harness = make()
    harness.open(qtbot)
    assert harness.kiosk.thermometer is None  # released for the technician's tests
    devices = harness.view.devices
    devices.choose(thermometer=THERMOMETER, reader=READER, camera=str(world.camera_folder))
    devices.save_button.click()
    qtbot.waitUntil(lambda: "save" not in devices.busy, timeout=WAIT_MS)
    text = harness.config_file.read_text(encoding="utf-8")
    assert text.startswith("# written by the installer")  # the installer's comments stay
    assert 'language = "zh"  # Chinese first' in text
    config = load_config(harness.config_file)
    assert config.thermometer.url == THERMOMETER
    assert config.id_reader.url == READER
    assert config.camera.source == str(world.camera_folder)
    harness.view.close_view()
    assert harness.kiosk.window.current_screen == "scan"
    assert harness.kiosk.thermometer is not None
    assert harness.kiosk.id_reader is not None
    assert harness.kiosk.camera_loop is not None
    thermometer, now = harness.kiosk.thermometer, harness.kiosk.trusted_now
    qtbot.waitUntil(lambda: thermometer.latest(now(), 60.0) is not None, timeout=WAIT_MS)


# ------------------------------------------------------------------------------- enrollment


def test_enrolling_from_a_scanned_code_shows_the_checkpoint(
    make, qtbot: QtBot, central: Central, tmp_path: Path
) -> None:
    checkpoint = central.register_checkpoint(name="东关社区北门")
    code = central.enrollment_code(checkpoint)
    card = tmp_path / "code-card"
    render_camera_folder(card, [f"{SERVER} {code}"], frames_per_shot=3)
    harness = make(central=central)
    harness.open(qtbot)
    harness.view.devices.choose(camera=str(card))
    page = harness.view.enrollment
    assert page.enrolled_label.text() == "Not enrolled."
    page.scan_button.click()
    qtbot.waitUntil(lambda: "scan" not in page.busy, timeout=WAIT_MS)
    assert page.code_edit.text() == code
    assert page.url_edit.text() == SERVER
    page.enroll_button.click()
    qtbot.waitUntil(lambda: "enroll" not in page.busy, timeout=WAIT_MS)
    assert page.enrolled_label.text() == "东关社区北门 (Residential compound)"
    assert harness.enrolled == [harness.kiosk]
    assert not page.enroll_button.isEnabled()


def test_a_refused_enrollment_code_says_so(make, qtbot: QtBot, central: Central) -> None:
    harness = make(central=central)
    harness.open(qtbot)
    page = harness.view.enrollment
    page.url_edit.setText(SERVER)
    page.code_edit.setText("AAAA-BBBB-CCCC-DDDD")
    page.enroll_button.click()
    qtbot.waitUntil(lambda: "enroll" not in page.busy, timeout=WAIT_MS)
    assert "refused" in page.message.text() or "failed" in page.message.text()
    assert page.enrolled_label.text() == "Not enrolled."


def test_reset_refuses_while_records_wait_and_wipes_once_they_are_uploaded(
    make, qtbot: QtBot, central: Central
) -> None:
    harness = make(central=central)
    store = harness.kiosk.store
    for minutes in range(3):
        store.passages.record(passage(datetime.now(UTC) - timedelta(minutes=minutes))).result(10)
    harness.open(qtbot)
    page = harness.view.enrollment
    page.url_edit.setText(SERVER)
    page.code_edit.setText(central.enrollment_code(central.register_checkpoint()))
    page.enroll_button.click()
    qtbot.waitUntil(lambda: "enroll" not in page.busy, timeout=WAIT_MS)
    page.reset_button.click()
    assert page.confirm_panel.isVisibleTo(page)
    page.confirm_button.click()
    qtbot.waitUntil(lambda: "reset" not in page.busy, timeout=WAIT_MS)
    assert "3 record(s) are not uploaded" in page.message.text()
    assert store.passages.log_count(LogFilter()) == 3
    assert page.current is not None  # still enrolled
    store.outbox.settle_outbox([item for item, _, _ in store.outbox.pending_outbox()], []).result(
        10
    )
    page.reset_button.click()
    page.confirm_button.click()
    qtbot.waitUntil(lambda: "reset" not in page.busy, timeout=WAIT_MS)
    assert "3 passage(s) deleted" in page.message.text()
    assert store.passages.log_count(LogFilter()) == 0
    assert page.enrolled_label.text() == "Not enrolled."
    assert not (harness.folder / "data" / "identity" / "kiosk.json").exists()


# ------------------------------------------------------------------------------- staff


def test_a_supervisor_pin_set_here_opens_the_supervisors_screen(make, qtbot: QtBot) -> None:
    harness = make()
    harness.open(qtbot)
    page = harness.view.staff
    page.supervisor_list.setCurrentRow(0)  # "+ New supervisor"
    page.name_edit.setText("李主管")
    page.pin_edit.setText("864200")
    page.save_supervisor.click()
    qtbot.waitUntil(lambda: page.supervisor_list.count() == 2, timeout=WAIT_MS)
    stored = staff.local_staff(harness.kiosk.store)
    assert all("864200" not in o.pin_hash for o in stored)
    harness.view.close_view()
    supervisor = harness.kiosk.supervisor
    qtbot.waitUntil(lambda: bool(harness.kiosk.gate.operators({"supervisor"})), timeout=WAIT_MS)
    (person,) = harness.kiosk.gate.operators({"supervisor"})
    supervisor.start()
    qtbot.waitUntil(lambda: harness.kiosk.gate.loaded, timeout=WAIT_MS)
    supervisor.unlock(person.operator_id, "864200")
    qtbot.waitUntil(lambda: supervisor.operator_id == person.operator_id, timeout=WAIT_MS)


def test_a_new_pin_shorter_than_six_digits_is_refused_beside_its_field(make, qtbot: QtBot) -> None:
    harness = make()
    harness.open(qtbot)
    page = harness.view.staff
    page.name_edit.setText("李主管")
    harness.view.tabs.setCurrentWidget(page)
    page.pin_edit.setText("13579")  # five digits: an older PIN signs in, a new one may not
    page.save_supervisor.click()
    assert not page.supervisor_problem.isHidden()
    assert "6 to 12 digits" in page.supervisor_problem.text()
    page.technician_pin.setText("2468")
    page.save_technician.click()
    assert "6 to 12 digits" in page.technician_problem.text()
    flush(harness.kiosk.store)
    assert [o.role for o in staff.local_staff(harness.kiosk.store)] == ["technician"]
    harness.view.close_view()
    harness.open(qtbot)  # the technician's PIN is the one it was


def test_passage_fields_chosen_here_are_asked_on_the_scan_screen(make, qtbot: QtBot) -> None:
    harness = make()
    harness.open(qtbot)
    page = harness.view.staff
    page.field_boxes[PassageField.VEHICLE_PLATE].setChecked(True)
    page.save_fields_button.click()
    assert PassageField.VEHICLE_PLATE in harness.kiosk.flow.policy.passage_fields
    harness.view.close_view()
    assert harness.kiosk.window.scan.fields.plate.isVisibleTo(harness.kiosk.window.scan)


# ------------------------------------------------------------------------------- the lock


def test_a_locked_kiosk_refuses_to_close_without_the_technicians_pin(make, qtbot: QtBot) -> None:
    harness = make(lock=True)
    window = harness.kiosk.window
    window.show()
    qtbot.waitExposed(window)
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert not window.close()  # the window's close button, Alt+F4 through a window manager
    assert window.isVisible()
    assert window.current_screen == "provisioning"
    harness.view.close_view()
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert window.isVisible()
    assert window.current_screen == "provisioning"
    harness.view.close_view()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    assert window.isVisible()
    assert harness.exits == []
    qtbot.waitUntil(lambda: harness.kiosk.gate.loaded, timeout=WAIT_MS)
    harness.view.unlock(TECHNICIAN_PIN)
    qtbot.waitUntil(lambda: harness.view.operator_id is not None, timeout=WAIT_MS)
    harness.view.exit_button.click()
    harness.view.exit_confirmation.exit_button.click()
    assert harness.exits == [True]
    assert not window.isVisible()


def test_leaving_the_application_takes_a_second_touch_on_a_clear_confirmation(
    make, qtbot: QtBot
) -> None:
    """The red 退出核验终端程序 sat next to 关闭: one touch on it ended the kiosk. It now sits
    apart and asks once more, with big 退出 / 取消 and no keyboard."""
    harness = make(lock=True)
    harness.kiosk.languages.set_language(Language.ZH)  # as the kiosk's language button does
    window, view = harness.kiosk.window, harness.view
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    harness.kiosk.open_provisioning()
    qtbot.waitUntil(lambda: harness.kiosk.gate.loaded, timeout=WAIT_MS)
    view.unlock(TECHNICIAN_PIN)
    qtbot.waitUntil(lambda: view.operator_id is not None, timeout=WAIT_MS)

    def far_apart() -> tuple[int, int]:
        exit_at = view.exit_button.mapTo(view, view.exit_button.rect().center())
        close_at = view.close_button.mapTo(view, view.close_button.rect().center())
        assert exit_at.x() < view.width() // 2 < close_at.x()  # the other side of the screen
        return abs(exit_at.y() - close_at.y()), abs(exit_at.x() - close_at.x())

    assert far_apart()[0] > view.height() // 2  # a row of its own, far below
    view.resize(1024, 600)  # a low panel: the opposite end of the title's row
    qtbot.waitUntil(lambda: far_apart()[1] > view.width() * 2 // 3, timeout=WAIT_MS)
    view.resize(1280, 800)
    qtbot.waitUntil(lambda: far_apart()[0] > view.height() // 2, timeout=WAIT_MS)

    qtbot.mouseClick(view.exit_button, Qt.MouseButton.LeftButton)
    assert harness.exits == [] and window.isVisible()
    confirmation = view.exit_confirmation
    assert confirmation.isVisible()
    assert confirmation.question.text() == "确定退出核验终端程序？"
    assert (confirmation.exit_button.text(), confirmation.cancel_button.text()) == ("退出", "取消")
    assert confirmation.exit_button.height() >= 88 and confirmation.cancel_button.height() >= 88

    qtbot.mouseClick(confirmation.cancel_button, Qt.MouseButton.LeftButton)
    assert harness.exits == [] and window.isVisible()
    assert not confirmation.isVisible() and view.exit_button.isVisible()

    qtbot.mouseClick(view.exit_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(confirmation.exit_button, Qt.MouseButton.LeftButton)
    assert harness.exits == [True]
    assert not window.isVisible()


def test_without_the_lock_the_kiosk_closes_as_any_window(make, qtbot: QtBot) -> None:
    harness = make(lock=False)
    window = harness.kiosk.window
    window.show()
    qtbot.waitExposed(window)
    assert not window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert window.close()


def test_a_kiosk_restarted_after_a_crash_shows_the_same_backlog(
    tmp_path: Path, world: DemoWorld, qtbot: QtBot
) -> None:
    crashed = Harness(tmp_path, world, lock=True, central=None)
    for minutes in range(4):
        crashed.kiosk.store.passages.record(passage(datetime.now(UTC) - timedelta(minutes=minutes)))
    flush(crashed.kiosk.store)
    # The process dies here: nothing is stopped or written at the end. The service manager
    # starts a new kiosk on the same data folder.
    restarted = Harness(tmp_path, world, lock=True, central=None)
    restarted.kiosk.start()
    try:
        bar = restarted.kiosk.window.scan.status

        def backlog_shown() -> bool:
            items = [i.kind for i in restarted.kiosk.status_items()]
            return bar.item_text(items.index(StatusKind.BACKLOG)).endswith(": 4")

        qtbot.waitUntil(backlog_shown, timeout=WAIT_MS)
        assert restarted.kiosk.window.current_screen == "scan"
        assert restarted.kiosk.window.locked
    finally:
        restarted.kiosk.window.allow_close()
        restarted.kiosk.stop()
        crashed.kiosk.stop()  # only now, for the test process's own sake


# ------------------------------------------------------------------------------- pictures


@pytest.mark.parametrize("language", [Language.ZH, Language.EN])
def test_screens_of_the_technicians_screen(
    make, qtbot: QtBot, save_screen: SaveScreen, language: Language, world
) -> None:
    harness = make()
    harness.kiosk.languages.set_language(language)  # as the kiosk's language button does
    view = harness.view
    harness.kiosk.open_provisioning()
    qtbot.waitUntil(lambda: harness.kiosk.gate.loaded, timeout=WAIT_MS)
    save_screen(harness.kiosk.window, "provisioning-pin", language)
    harness.open(qtbot)
    devices = view.devices
    devices.choose(thermometer=THERMOMETER, reader=READER, camera=str(world.camera_folder))
    for button in (devices.thermometer_test, devices.reader_test, devices.camera_test):
        button.click()
    qtbot.waitUntil(lambda: not devices.busy, timeout=WAIT_MS)
    save_screen(harness.kiosk.window, "provisioning-devices", language)
    view.tabs.setCurrentIndex(1)
    save_screen(harness.kiosk.window, "provisioning-enrollment", language)
    view.tabs.setCurrentIndex(2)
    save_screen(harness.kiosk.window, "provisioning-staff", language)
    for width, height in ((1024, 600), (800, 1280), (1280, 800)):
        view.tabs.setCurrentIndex(0)
        size = (width, height)
        save_screen(harness.kiosk.window, f"provisioning-devices_{width}x{height}", language, size)
        view.exit_button.click()
        save_screen(harness.kiosk.window, f"provisioning-exit_{width}x{height}", language, size)
        view.exit_confirmation.cancel_button.click()


def test_the_service_examples_restart_the_kiosk_unless_the_technician_left_it() -> None:
    from configparser import ConfigParser
    from xml.etree import ElementTree

    from kiosk.ui.app import EXIT_LEFT_BY_TECHNICIAN

    build = Path(__file__).resolve().parents[2] / "build"
    unit = ConfigParser(strict=False, interpolation=None)
    unit.read(build / "kiosk.service", encoding="utf-8")
    assert unit["Service"]["Restart"] == "always"
    assert unit["Service"]["RestartPreventExitStatus"] == str(EXIT_LEFT_BY_TECHNICIAN)
    assert "graphical-session.target" in unit["Unit"]["After"]
    assert " launch --root " in unit["Service"]["ExecStart"]  # updates and rollback need it
    task = ElementTree.parse(build / "kiosk-task.xml").getroot()  # noqa: S314 - our own file
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    assert task.find("t:Triggers/t:LogonTrigger", ns) is not None
    arguments = task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns) or ""
    assert f"-ne {EXIT_LEFT_BY_TECHNICIAN}" in arguments
    assert "'launch', '--root'" in arguments
