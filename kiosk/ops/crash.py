"""The crash handler: an unhandled exception is written to the log (scrubbed like every record,
see kiosk/ops/logs.py) and the kiosk goes back to its scan screen instead of dying or hanging.

    handler = install_crash_handler(on_crash)   # once, after setup_logging()
    ...
    handler.uninstall()                          # tests; the kiosk keeps it for its lifetime

`on_crash` is called after every unhandled exception: from `sys.excepthook` (an exception in a
Qt slot or the main thread; PySide6 calls it on the GUI thread) and from `threading.excepthook`
(a worker thread, on that thread). In the Qt app it must therefore only post the reset to the
GUI thread, e.g. emit a signal connected to "show the scan screen". If crashes come faster than
`max_crashes` within `window_s`, the handler stops resetting and the process exits with
`EXIT_CRASH_LOOP` so the service manager restarts it cleanly. Also `enable_fault_log(logs_dir)`
writes a native crash (a segfault in a C library) to `logs/fault.log`. Qt-free.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TextIO

log = logging.getLogger("kiosk.crash")

EXIT_CRASH_LOOP = 70
MAX_CRASHES = 5
WINDOW_S = 60.0
FAULT_LOG = "fault.log"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


class CrashHandler:
    def __init__(
        self,
        on_crash: Callable[[], None],
        *,
        max_crashes: int = MAX_CRASHES,
        window_s: float = WINDOW_S,
        monotonic: Callable[[], float] = time.monotonic,
        exit_process: Callable[[int], None] = os._exit,
    ) -> None:
        self.on_crash = on_crash
        self.max_crashes = max_crashes
        self.window_s = window_s
        self.crashes = 0
        self._times: deque[float] = deque()
        self._monotonic = monotonic
        self._exit = exit_process
        self._lock = threading.Lock()
        self._previous_sys: ExceptHook | None = None
        self._previous_thread: Callable[[threading.ExceptHookArgs], object] | None = None

    def install(self) -> CrashHandler:
        self._previous_sys = sys.excepthook
        self._previous_thread = threading.excepthook
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook
        return self

    def uninstall(self) -> None:
        if self._previous_sys is not None:
            sys.excepthook = self._previous_sys
        if self._previous_thread is not None:
            threading.excepthook = self._previous_thread
        self._previous_sys = self._previous_thread = None

    def _sys_hook(
        self,
        kind: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt | SystemExit):
            if self._previous_sys is not None:
                self._previous_sys(kind, error, trace)
            return
        self.handle(kind, error, trace, where=threading.current_thread().name)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit):
            return
        where = args.thread.name if args.thread is not None else "a thread"
        error = args.exc_value if args.exc_value is not None else args.exc_type()
        self.handle(args.exc_type, error, args.exc_traceback, where=where)

    def handle(
        self,
        kind: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
        *,
        where: str,
    ) -> None:
        """Log the traceback, then return to the scan screen (or give up on a crash loop)."""
        log.critical("unhandled %s in %s", kind.__name__, where, exc_info=(kind, error, trace))
        with self._lock:
            self.crashes += 1
            now = self._monotonic()
            self._times.append(now)
            while self._times and now - self._times[0] > self.window_s:
                self._times.popleft()
            looping = len(self._times) > self.max_crashes
        if looping:
            log.critical(
                "%d crashes within %.0f s: exiting so the kiosk is restarted cleanly",
                len(self._times),
                self.window_s,
            )
            logging.shutdown()
            self._exit(EXIT_CRASH_LOOP)
            return
        try:
            self.on_crash()
        except Exception:
            log.exception("the crash handler's reset failed too")
        else:
            log.warning("back to the scan screen after the crash")


def install_crash_handler(
    on_crash: Callable[[], None],
    *,
    max_crashes: int = MAX_CRASHES,
    window_s: float = WINDOW_S,
) -> CrashHandler:
    """Log every unhandled exception (main thread, Qt slots, worker threads) and call
    `on_crash` after it; see the module's text for the threading rule."""
    return CrashHandler(on_crash, max_crashes=max_crashes, window_s=window_s).install()


def enable_fault_log(logs_dir: Path) -> TextIO:
    """Native crashes (segfaults, aborts) dump every thread's Python stack into
    `logs_dir/fault.log`. Returns the open file: keep it open for the process's lifetime."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    stream = (logs_dir / FAULT_LOG).open("a", encoding="utf-8")
    faulthandler.enable(stream, all_threads=True)
    return stream
