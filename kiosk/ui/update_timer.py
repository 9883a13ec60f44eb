"""The running kiosk's side of updates: the sync thread checks for releases after each round
(`kiosk.ops.update`, Qt-free); a QTimer here restarts the kiosk for a staged release once the
kiosk is idle (no person in the flow, the scan screen showing)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.checkpoint.flow import FlowState
from kiosk.ops.update import EXIT_RESTART_FOR_UPDATE, updater_for

log = logging.getLogger(__name__)

IDLE_POLL_MS = 5000


def _quit_application(code: int) -> None:
    application = QApplication.instance()
    if application is not None:
        application.exit(code)


def watch_for_updates(
    kiosk: Any,
    sync: Any,
    environment: Mapping[str, str] = os.environ,
    *,
    restart: Callable[[int], None] | None = None,
    poll_ms: int = IDLE_POLL_MS,
) -> Callable[[], None] | None:
    """Called once, on the GUI thread, when the sync thread is attached: the sync thread checks
    for releases after each round; when one is staged and the kiosk is idle, the kiosk quits
    with `EXIT_RESTART_FOR_UPDATE` and the launcher installs and self-tests the new version.
    The idle check, which also runs every `poll_ms`; None when there are no updates to watch."""
    updater = updater_for(sync, environment)
    if updater is None:
        return None
    sync.update_check = updater

    def restart_when_idle() -> None:
        status = sync.status()
        if status.update_staged is None:
            return
        if kiosk.flow.state is not FlowState.IDLE or kiosk.window.current_screen != "scan":
            return
        timer.stop()
        log.info("release %s staged and the kiosk is idle: restarting", status.update_staged)
        (restart or _quit_application)(EXIT_RESTART_FOR_UPDATE)

    timer = QTimer(kiosk.window)
    timer.setInterval(poll_ms)
    timer.timeout.connect(restart_when_idle)
    timer.start()
    return restart_when_idle
