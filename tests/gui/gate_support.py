"""What the gate screens show at their worst for layout: every fault, every passage field, a
person in progress; and the checks that nothing is cut, clipped, overlapping or too small."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from healthcode.text import LocalText
from kiosk.app.viewstate import (
    ProgressView,
    StatusItem,
    StatusKind,
    Step,
    StepState,
    StepView,
    backlog_item,
    clock_item,
    device_item,
    disk_item,
    feed_item,
    network_item,
    refused_item,
    sync_item,
)
from kiosk.ui.fit_check import misfits

PANELS = [(1280, 800), (1024, 600), (800, 1280), (1080, 1920), (1920, 1080)]
TOUCH_PX = 90  # 15 mm on a 10.1" 1280x800 panel


def every_fault() -> tuple[StatusItem, ...]:
    at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    devices = [
        device_item(
            kind,
            DeviceStateEvent(kind.value, DeviceState.DISCONNECTED, DeviceFault.UNPLUGGED, "", at),
            True,
        )
        for kind in (
            StatusKind.CAMERA,
            StatusKind.THERMOMETER,
            StatusKind.ID_READER,
            StatusKind.SCANNER,
        )
    ]
    day = timedelta(hours=24)
    return (
        *devices,
        network_item(True, False),
        sync_item(timedelta(hours=30), day),
        backlog_item(523, 400),
        feed_item(timedelta(days=3), day),
        clock_item(False),
        disk_item(100 * 1024 * 1024, True),
        refused_item(LocalText("状态数据签名无效", "status data signature invalid")),
    )


def card_awaited() -> ProgressView:
    """The code and a temperature done, the ID card awaited: two steps on one line each."""
    return ProgressView(
        (
            StepView(Step.CODE, StepState.DONE),
            StepView(Step.TEMPERATURE, StepState.DONE, 36.6),
            StepView(Step.ID_CARD, StepState.AWAITED),
        ),
        17,
    )


def busy_progress() -> ProgressView:
    """A high first reading awaiting its re-measure: the longest the strip says."""
    return ProgressView(
        (
            StepView(Step.CODE, StepState.DONE),
            StepView(Step.TEMPERATURE, StepState.AWAITED, 38.6),
            StepView(Step.ID_CARD, StepState.PENDING),
        ),
        17,
    )


def _on_screen(widget: QWidget, screen: QWidget) -> QRect:
    return QRect(widget.mapTo(screen, widget.rect().topLeft()), widget.size())


def assert_fits(screen: QWidget) -> None:
    """Every visible widget lies inside the screen, a one-line text shows whole, no two
    buttons, labels or fields overlap, and every button is a touch target for gloves; and
    what `kiosk screens` checks (`kiosk.ui.fit_check`) finds nothing either."""
    found = [misfit.line() for misfit in misfits(screen, type(screen).__name__, gate=True)]
    assert not found, "\n".join(found)
    whole = screen.rect()
    shown = [w for w in screen.findChildren(QWidget) if w.isVisibleTo(screen) and w.width() > 0]
    for widget in shown:
        where = _on_screen(widget, screen)
        name = f"{type(widget).__name__} {getattr(widget, 'text', str)()!r}"
        assert whole.contains(where), f"{name} at {where.getRect()} is cut"
        if isinstance(widget, QAbstractButton | QLabel) and not (
            isinstance(widget, QLabel) and (widget.wordWrap() or "<" in widget.text())
        ):
            metrics = widget.fontMetrics()
            for line in widget.text().split("\n"):
                assert metrics.horizontalAdvance(line) <= widget.width(), f"{line!r} is clipped"
        if isinstance(widget, QAbstractButton | QLineEdit):
            assert widget.height() >= TOUCH_PX, f"{name} is {widget.height()} px tall"
    leaves = [w for w in shown if isinstance(w, QAbstractButton | QLabel | QLineEdit)]
    for index, first in enumerate(leaves):
        for second in leaves[index + 1 :]:
            if first.isAncestorOf(second) or second.isAncestorOf(first):
                continue
            overlap = _on_screen(first, screen).intersects(_on_screen(second, screen))
            assert not overlap, f"{first.text()!r} overlaps {second.text()!r}"
