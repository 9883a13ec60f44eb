"""Run the windowed kiosk: Qt, fonts, sounds, the window, the result lines on stdout. What the
kiosk is built from is read Qt-free by `kiosk.app.startup`."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from healthcode.console import say
from kiosk.app.startup import read_startup

if TYPE_CHECKING:
    from kiosk.cli import RunOptions
    from kiosk.ui.app import Kiosk

log = logging.getLogger(__name__)
_IMPORTED_AT = time.monotonic()


def build(options: RunOptions) -> tuple[Kiosk, object | None]:
    """The kiosk for these options, not yet started; and the demo's thermometer, if any."""
    from kiosk.ui.app import Kiosk  # Qt is loaded once run() has chosen its platform

    startup = read_startup(
        options.config,
        options.data_dir,
        language=options.language,
        demo=options.demo,
        central_keys=options.central_keys,
    )
    kiosk = Kiosk(startup.setup, enrolled=startup.enrolled)
    return kiosk, startup.demo_thermometer


def run(options: RunOptions) -> int:
    from kiosk.ops.crash import enable_fault_log
    from kiosk.ops.logs import setup_logging

    setup_logging(options.data_dir / "logs")  # rotating, scrubbed of personal data
    fault_log = enable_fault_log(options.data_dir / "logs")  # noqa: F841 - open for the process
    if "QT_QPA_PLATFORM" not in os.environ and sys.platform.startswith("linux"):
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            log.info("no display: running offscreen (use --screenshots to see the screens)")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.sound import SoundPlayer

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from kiosk.ui.style import load_bundled_fonts

    load_bundled_fonts()
    kiosk, thermometer = build(options)
    from kiosk.ops.crash import install_crash_handler

    install_crash_handler(kiosk.recover_after_crash)
    sound = SoundPlayer()
    kiosk.sound = sound
    kiosk.bridge.sound_requested.connect(sound.say)
    results: list[str] = []

    def on_result(view: object) -> None:
        from kiosk.app.viewstate import ResultView

        if not isinstance(view, ResultView):
            return
        line = json.dumps(
            {
                "outcome": view.outcome.value,
                "word": view.word.zh,
                "name": view.masked_name,
                "celsius": view.temperature_celsius,
                "reasons": [r.zh for r in view.reasons],
            },
            ensure_ascii=False,
        )
        say(line)  # the demo's decisions: `kiosk --demo | head` may stop reading
        results.append(line)
        if options.screenshots is not None:
            options.screenshots.mkdir(parents=True, exist_ok=True)
            target = options.screenshots / f"result-{len(results):03d}.png"
            QTimer.singleShot(50, lambda: kiosk.window.grab().save(str(target)))

    kiosk.bridge.result_shown.connect(on_result)
    offscreen = os.environ.get("QT_QPA_PLATFORM") == "offscreen"
    if offscreen or options.screenshots is not None:
        # The panel's size exactly, as on the box, however much room the layouts would like:
        # the screenshots show what a full-screen kiosk shows (`kiosk screens` checks it fits).
        kiosk.window.setMinimumSize(1, 1)
    kiosk.window.resize(*options.size)
    if kiosk.window.locked and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        kiosk.window.showFullScreen()  # the lock wins over --windowed
    elif options.windowed or offscreen:
        kiosk.window.show()
    else:
        kiosk.window.showFullScreen()
    kiosk.start()
    if options.exit_when_ready:  # bench/startup.py: the scan screen is up once the loop runs
        QTimer.singleShot(0, lambda: (say(f"ready {_process_age_ms():.0f}"), app.quit()))
    if options.seconds is not None:
        QTimer.singleShot(int(options.seconds * 1000), app.quit)
    try:
        code = app.exec()
    finally:
        kiosk.stop()
        if thermometer is not None:
            thermometer.close()  # type: ignore[attr-defined]
    return int(code)


def _process_age_ms() -> float:
    """Milliseconds since this process started (Linux: from /proc; elsewhere: since Python
    started importing the kiosk)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return (uptime - ticks / os.sysconf("SC_CLK_TCK")) * 1000.0
    except (OSError, ValueError, IndexError, AttributeError):
        return (time.monotonic() - _IMPORTED_AT) * 1000.0
