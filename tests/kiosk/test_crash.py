"""The crash handler: the traceback goes to the log, the kiosk goes back to its scan screen."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.ops.crash import EXIT_CRASH_LOOP, CrashHandler, enable_fault_log, install_crash_handler


@pytest.fixture
def resets() -> Iterator[list[str]]:
    calls: list[str] = []
    handler = install_crash_handler(lambda: calls.append(threading.current_thread().name))
    try:
        yield calls
    finally:
        handler.uninstall()


def _raise(error: BaseException) -> None:
    raise error


def test_an_exception_reaching_sys_excepthook_is_logged_and_resets(
    resets: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    try:
        _raise(RuntimeError("slot failed"))
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert resets == [threading.current_thread().name]
    crash = [r for r in caplog.records if r.name == "kiosk.crash" and r.levelno == logging.CRITICAL]
    assert crash and crash[0].exc_info is not None
    assert "RuntimeError" in crash[0].getMessage()


def test_an_exception_in_a_worker_thread_is_logged_and_resets(
    resets: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    worker = threading.Thread(target=_raise, args=(KeyError("gone"),), name="camera")
    worker.start()
    worker.join(5)
    assert resets == ["camera"]
    assert any("unhandled KeyError in camera" in r.getMessage() for r in caplog.records)


def test_keyboard_interrupt_goes_to_the_previous_hook() -> None:
    seen: list[type[BaseException]] = []
    previous = sys.excepthook
    sys.excepthook = lambda kind, error, trace: seen.append(kind)
    handler = install_crash_handler(lambda: pytest.fail("must not reset"))
    try:
        sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    finally:
        handler.uninstall()
        sys.excepthook = previous
    assert seen == [KeyboardInterrupt]


def test_uninstall_restores_the_hooks() -> None:
    before = (sys.excepthook, threading.excepthook)
    install_crash_handler(lambda: None).uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_a_failing_reset_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    handler = CrashHandler(lambda: _raise(RuntimeError("window gone")))
    handler.handle(ValueError, ValueError("first"), None, where="gui")
    assert any("reset failed too" in r.getMessage() for r in caplog.records)


def test_a_crash_loop_exits_for_a_clean_restart() -> None:
    now = [0.0]
    exits: list[int] = []
    resets: list[int] = []
    handler = CrashHandler(
        lambda: resets.append(1),
        max_crashes=3,
        window_s=60,
        monotonic=lambda: now[0],
        exit_process=exits.append,
    )
    for _ in range(3):
        handler.handle(ValueError, ValueError(), None, where="gui")
        now[0] += 1
    assert exits == [] and len(resets) == 3
    now[0] += 120  # old crashes leave the window
    for _ in range(3):
        handler.handle(ValueError, ValueError(), None, where="gui")
    assert exits == []
    handler.handle(ValueError, ValueError(), None, where="gui")
    assert exits == [EXIT_CRASH_LOOP]


def test_the_crash_traceback_reaches_the_log_file_scrubbed(tmp_path: Path) -> None:
    """In a real process: logging set up, the handler installed, an uncaught exception with an
    ID number in it on the main thread; the log holds the traceback, not the number."""
    script = f"""
import sys
from pathlib import Path
from kiosk.ops.logs import setup_logging
from kiosk.ops.crash import install_crash_handler
setup_logging(Path({str(tmp_path)!r}), console=None)
install_crash_handler(lambda: print("reset", flush=True))
raise ValueError("card 11010519491231002X unreadable")
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "reset"
    text = (tmp_path / "kiosk.log").read_text("utf-8")
    assert "Traceback" in text and "ValueError: card [id-number] unreadable" in text
    assert "11010519491231002X" not in text


def test_the_fault_log_is_opened_in_the_logs_folder(tmp_path: Path) -> None:
    import faulthandler

    was_enabled = faulthandler.is_enabled()
    stream = enable_fault_log(tmp_path / "logs")
    try:
        assert faulthandler.is_enabled()
        assert (tmp_path / "logs" / "fault.log").exists()
    finally:
        faulthandler.disable()
        stream.close()
        if was_enabled:
            faulthandler.enable()
