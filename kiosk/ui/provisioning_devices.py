"""The technician's device page: what the box has (serial ports and cameras with their USB ids),
which one is the thermometer, the ID-card reader and the camera, a live test of each, and Save.

Discovery, every test and the save run off the GUI thread (`Background`); the page only shows
what comes back, so an unplugged or babbling device never freezes the screen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from drivers.thermometer.protocol import MODELS
from kiosk.app.discovery import Inventory, PortUse
from kiosk.config import KioskConfig
from kiosk.sessions.provisioning import (
    CameraLook,
    CardRead,
    DeviceFailure,
    DeviceTestError,
    ThermometerReading,
)
from kiosk.sessions.technician import TechnicianSession
from kiosk.ui import style
from kiosk.ui.background import Background
from kiosk.ui.fitting import keep_words_whole, touch_scroll
from kiosk.ui.i18n import Language
from kiosk.ui.provisioning_widgets import (
    PREVIEW_SIZE,
    DeviceTable,
    button,
    device_combo,
    device_table,
    frame_to_image,
    result_label,
)

NONE = ""  # the combo entry for "no such device"
WIDE_PX = 1400  # from this width the devices found sit beside the picks
NARROW_PX = 900  # below it the save's words sit above its buttons


class DevicesPage(QWidget):
    saved = Signal(object)  # the new KioskConfig, written to the file
    test_finished = Signal(str)  # "thermometer", "reader", "camera", "save", "discovery"

    def __init__(
        self,
        background: Background,
        session: TechnicianSession,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._background = background
        self._session = session
        self._inventory = Inventory((), ())
        self.busy: set[str] = set()

        self.ports_caption, self.cameras_caption = QLabel(), QLabel()
        self.ports_table = device_table()
        self.cameras_table = device_table()
        self.refresh_button = button(self.refresh)

        self.thermometer_caption, self.model_caption = QLabel(), QLabel()
        self.thermometer_port = device_combo()
        self.thermometer_model = device_combo()
        for model in MODELS:
            self.thermometer_model.addItem(model, model)
        self.thermometer_port.currentIndexChanged.connect(self._port_picked)
        self.thermometer_test = button(self.test_thermometer)
        self.thermometer_result = result_label()

        self.reader_caption = QLabel()
        self.reader_port = device_combo()
        self.reader_test = button(self.test_reader)
        self.reader_result = result_label()

        self.camera_caption = QLabel()
        self.camera_combo = device_combo()
        self.camera_test = button(self.test_camera)
        self.camera_result = result_label()
        self.preview = QLabel()
        self.preview.setFixedSize(*PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("QLabel { background: #263238; color: #ECEFF1; }")

        self.save_button = button(self.save)
        self.save_result = result_label()

        for caption in (self.ports_caption, self.cameras_caption):
            caption.setFont(style.font(style.STATUS_PT, bold=True))
        tables = QWidget()
        found = QVBoxLayout(tables)
        found.setContentsMargins(0, 0, 0, 0)
        for widget in (self.ports_caption, self.ports_table):
            found.addWidget(widget)
        found.addSpacing(style.SPACING_PX)
        for widget in (self.cameras_caption, self.cameras_table):
            found.addWidget(widget)
        found.addStretch(1)
        picks = QWidget()
        chosen = QVBoxLayout(picks)
        chosen.setContentsMargins(0, 0, 0, 0)
        chosen.setSpacing(style.SPACING_PX)
        blocks: list[tuple[QLabel, QComboBox, QPushButton, QLabel, QWidget | None]] = [
            (self.thermometer_caption, self.thermometer_port, self.thermometer_test,
             self.thermometer_result, self.thermometer_model),
            (self.reader_caption, self.reader_port, self.reader_test, self.reader_result, None),
            (self.camera_caption, self.camera_combo, self.camera_test, self.camera_result,
             self.preview),
        ]  # fmt: skip
        for caption, combo, test, result, extra in blocks:
            caption.setFont(style.font(style.STATUS_PT, bold=True))
            caption.setWordWrap(True)
            block = QGridLayout()
            block.addWidget(caption, 0, 0)
            block.addWidget(test, 0, 1)
            block.addWidget(combo, 1, 0, 1, 2)  # the whole width: a long device path shows
            block.addWidget(result, 3, 0, 1, 2)
            if extra is not None:
                block.addWidget(extra, 2, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
            block.setColumnStretch(0, 1)
            chosen.addLayout(block)
        chosen.addStretch(1)
        body = QWidget()
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom, body)
        self._body.setContentsMargins(0, 0, 0, 0)
        self._body.setSpacing(style.SPACING_PX * 2)
        self._body.addWidget(picks, 1)
        self._body.addWidget(tables, 1)
        self._footer = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._footer.addWidget(self.save_result, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.save_button)
        self._footer.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(touch_scroll(body), 1)
        layout.addLayout(self._footer)  # Save stays in sight

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """Wide: the devices found beside the picks; narrow: below them, and the save's words
        above its buttons."""
        width = event.size().width()
        wide = QBoxLayout.Direction.LeftToRight
        self._body.setDirection(wide if width >= WIDE_PX else QBoxLayout.Direction.TopToBottom)
        narrow = width < NARROW_PX
        self._footer.setDirection(QBoxLayout.Direction.TopToBottom if narrow else wide)
        super().resizeEvent(event)

    # ------------------------------------------------------------ building

    def retranslate(self, language: Language) -> None:
        self.ports_caption.setText(self.tr("Serial ports"))
        self.cameras_caption.setText(self.tr("Cameras"))
        self.ports_table.setHorizontalHeaderLabels(
            [self.tr("Port"), self.tr("Description"), self.tr("VID:PID")]
        )
        self.cameras_table.setHorizontalHeaderLabels(
            [self.tr("Camera"), self.tr("Device name"), self.tr("VID:PID")]
        )
        self.refresh_button.setText(self.tr("Search again"))
        self.thermometer_caption.setText(self.tr("Thermometer"))
        self.reader_caption.setText(self.tr("ID-card reader"))
        self.camera_caption.setText(self.tr("Camera"))
        for test in (self.thermometer_test, self.reader_test, self.camera_test):
            test.setText(self.tr("Test"))
        self.save_button.setText(self.tr("Save"))
        keep_words_whole((self.refresh_button, self.save_button, *self._tests()))
        for combo in (self.thermometer_port, self.reader_port, self.camera_combo):
            if combo.count():
                combo.setItemText(0, self.tr("(none)"))
        if not self.preview.pixmap() or self.preview.pixmap().isNull():
            self.preview.setText(self.tr("Camera preview"))

    def _tests(self) -> tuple[QPushButton, ...]:
        return (self.thermometer_test, self.reader_test, self.camera_test)

    # ------------------------------------------------------------ discovery

    def set_config(self, config: KioskConfig) -> None:
        self._session.config = config

    def refresh(self) -> None:
        """List the devices again (off the GUI thread)."""
        if "discovery" in self.busy:
            return
        self.busy.add("discovery")
        self._background.run(self._session.discover, self._show_inventory, self._discovery_failed)

    def _show_inventory(self, inventory: Inventory) -> None:
        self.busy.discard("discovery")
        self._inventory = inventory
        self._fill_table(
            self.ports_table,
            [(p.device, p.description, p.usb_id) for p in inventory.serial_ports],
        )
        self._fill_table(
            self.cameras_table, [(c.source, c.name, c.usb_id) for c in inventory.cameras]
        )
        config = self._session.config
        self._fill_combo(
            self.thermometer_port,
            [p.device for p in inventory.ports_for(PortUse.THERMOMETER)],
            config.thermometer.url,
        )
        index = self.thermometer_model.findData(config.thermometer.model)
        self.thermometer_model.setCurrentIndex(max(index, 0))
        self._fill_combo(
            self.reader_port,
            [p.device for p in inventory.ports_for(PortUse.ID_READER)],
            config.id_reader.url,
        )
        self._fill_combo(
            self.camera_combo, [c.source for c in inventory.cameras], config.camera.source
        )
        self.test_finished.emit("discovery")

    def _discovery_failed(self, error: BaseException) -> None:
        self.busy.discard("discovery")
        self.save_result.setText(self.tr("Cannot list the devices: %1").replace("%1", str(error)))
        self.test_finished.emit("discovery")

    @staticmethod
    def _fill_table(table: DeviceTable, rows: list[tuple[str, str, str]]) -> None:
        table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                table.setItem(row, column, QTableWidgetItem(value))
        table.fit_height()

    def _fill_combo(self, combo: QComboBox, choices: list[str], current: str) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("(none)"), NONE)
        for choice in choices:
            combo.addItem(choice, choice)
        if current and combo.findData(current) < 0:
            combo.addItem(current, current)  # configured, but not found now (unplugged?)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(False)

    def _port_picked(self) -> None:
        """A simulated thermometer knows its model: pick it too."""
        port = self.thermometer_port.currentData()
        for info in self._inventory.serial_ports:
            if info.device == port and info.model:
                self.thermometer_model.setCurrentIndex(self.thermometer_model.findData(info.model))

    # ------------------------------------------------------------ choices

    def choose(self, *, thermometer: str | None = None, model: str | None = None,
               reader: str | None = None, camera: str | None = None) -> None:  # fmt: skip
        """Pick devices as a technician touching the lists would (tests, too)."""
        for combo, value in (
            (self.thermometer_port, thermometer),
            (self.reader_port, reader),
            (self.camera_combo, camera),
        ):
            if value is not None:
                if combo.findData(value) < 0:
                    combo.addItem(value, value)
                combo.setCurrentIndex(combo.findData(value))
        if model is not None:
            self.thermometer_model.setCurrentIndex(self.thermometer_model.findData(model))

    # ------------------------------------------------------------ live tests

    def _start(self, name: str, label: QLabel, button: QPushButton) -> bool:
        if name in self.busy:
            return False
        self.busy.add(name)
        button.setEnabled(False)
        label.setStyleSheet("")
        label.setText(self.tr("Testing…"))
        return True

    def _end(self, name: str, label: QLabel, button: QPushButton, text: str, ok: bool) -> None:
        self.busy.discard(name)
        button.setEnabled(True)
        colour = style.STATUS_OK if ok else style.STATUS_BAD
        label.setStyleSheet(f"QLabel {{ color: {colour}; }}")
        label.setText(text)
        self.test_finished.emit(name)

    def failure_text(self, error: BaseException) -> str:
        if not isinstance(error, DeviceTestError):
            return self.tr("The test failed: %1").replace("%1", str(error))
        texts = {
            DeviceFailure.CANNOT_OPEN: self.tr("Cannot open it: is it plugged in? (%1)"),
            DeviceFailure.GARBAGE: self.tr("Bytes arrive but make no sense: wrong model or speed? (%1)"),  # noqa: E501 - one string for translation
            DeviceFailure.NO_ANSWER: self.tr("No answer in time. (%1)"),
            DeviceFailure.NO_CARD: self.tr("The reader answers, but no card was put on it."),
            DeviceFailure.UNPLUGGED: self.tr("It went away during the test: unplugged? (%1)"),
        }  # fmt: skip
        return texts[error.failure].replace("%1", error.detail or "-")

    def test_thermometer(self) -> None:
        url, model = self.thermometer_port.currentData(), self.thermometer_model.currentData()
        label, button = self.thermometer_result, self.thermometer_test
        if not url:
            label.setText(self.tr("Pick the thermometer's port first."))
            return
        if not self._start("thermometer", label, button):
            return
        session = self._session

        def done(reading: ThermometerReading) -> None:
            text = self.tr("%1 °C (measured %2 °C)")
            text = text.replace("%1", f"{reading.body_celsius:.1f}")
            self._end(
                "thermometer",
                label,
                button,
                text.replace("%2", f"{reading.measured_celsius:.1f}"),
                True,
            )

        self._background.run(
            lambda: session.test_thermometer(url, model),
            done,
            lambda error: self._end("thermometer", label, button, self.failure_text(error), False),
        )

    def test_reader(self) -> None:
        url = self.reader_port.currentData()
        label, button = self.reader_result, self.reader_test
        if not url:
            label.setText(self.tr("Pick the reader's port first."))
            return
        if not self._start("reader", label, button):
            return
        label.setText(self.tr("Put an ID card on the reader…"))

        def done(card: CardRead) -> None:
            text = self.tr("Card read: %1").replace("%1", card.masked_id_number)
            self._end("reader", label, button, text, True)

        self._background.run(
            lambda: self._session.test_reader(url),
            done,
            lambda error: self._end("reader", label, button, self.failure_text(error), False),
        )

    def test_camera(self) -> None:
        source = self.camera_combo.currentData()
        label, button = self.camera_result, self.camera_test
        if not source:
            label.setText(self.tr("Pick the camera first."))
            return
        if not self._start("camera", label, button):
            return

        def done(look: CameraLook) -> None:
            self.preview.setPixmap(QPixmap.fromImage(frame_to_image(look.frame)))
            text = (
                self.tr("Picture ok, a QR code was decoded.")
                if look.decoded
                else self.tr("Picture ok, but no QR code was decoded: hold one up and test again.")
            )
            self._end("camera", label, button, text, True)

        self._background.run(
            lambda: self._session.look_through_camera(source),
            done,
            lambda error: self._end("camera", label, button, self.failure_text(error), False),
        )

    # ------------------------------------------------------------ save

    def changes(self) -> dict[str, dict[str, Any]]:
        return {
            "thermometer": {
                "url": self.thermometer_port.currentData() or "",
                "model": self.thermometer_model.currentData(),
            },
            "id_reader": {"url": self.reader_port.currentData() or ""},
            "camera": {"source": self.camera_combo.currentData() or ""},
        }

    def save(self) -> None:
        """Write the picked devices into the configuration file (off the GUI thread)."""
        if "save" in self.busy:
            return
        self.busy.add("save")
        self.save_button.setEnabled(False)
        changes, path, session = self.changes(), self._session.config_path, self._session

        def done(config: KioskConfig) -> None:
            self._end(
                "save",
                self.save_result,
                self.save_button,
                self.tr("Saved to %1").replace("%1", str(path)),
                True,
            )
            self.saved.emit(config)

        def failed(error: BaseException) -> None:
            text = self.tr("Not saved: %1").replace("%1", str(error))
            self._end("save", self.save_result, self.save_button, text, False)

        self._background.run(lambda: session.save_config(changes), done, failed)
