"""Shared pieces of the technicians' command lines: JSON lines out, a clear exit on trouble,
and an output a reader may stop reading (`python -m drivers.thermometer ... | head`).

`say` and `survives_closed_stdout` are the drivers' copy of `healthcode.console` (drivers import
nothing of ours above them): once the reader has closed standard output, `say` drops the rest
and returns False, so a stream stops with EXIT_OK (the reader chose to stop) and a command whose
status is a verdict carries on and keeps it; `survives_closed_stdout` wraps a CLI's `main` so
that what is still buffered at its end (argparse's `--help` too) meets the closed pipe there,
quietly, and not in the interpreter's flush at exit (a traceback and status 120).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from drivers.serialio.events import DeviceStateEvent

EXIT_OK = 0
EXIT_USAGE = 2  # also a port that cannot be opened or a wrong model
EXIT_SILENT = 3  # the device never said anything usable

_P = ParamSpec("_P")
_R = TypeVar("_R")

_reader_gone = False


def say(text: str) -> bool:
    """Print a line now; False, for this and every later line, once the reader has gone."""
    if not _reader_gone:
        try:
            print(text, flush=True)
        except BrokenPipeError:
            _stop_writing()
    return not _reader_gone


def survives_closed_stdout(main: Callable[_P, _R]) -> Callable[_P, _R]:
    """Flush standard output when `main` ends, however it ends, dropping it if the reader has
    gone; the status stays `main`'s."""

    @functools.wraps(main)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return main(*args, **kwargs)
        finally:
            try:
                if sys.stdout is not None:  # None in a windowed bundle
                    sys.stdout.flush()
            except BrokenPipeError:
                _stop_writing()

    return wrapper


def _stop_writing() -> None:
    """Later writes, and the interpreter's flush at exit, go to os.devnull instead of failing
    again."""
    global _reader_gone
    _reader_gone = True
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def print_json(record: dict[str, Any]) -> bool:
    """One JSON line; False once the reader has gone (see `say`)."""
    return say(json.dumps(record, ensure_ascii=False, default=_default))


def _default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def state_record(event: DeviceStateEvent) -> dict[str, Any]:
    return {
        "event": "state",
        "device": event.device,
        "state": event.state.value,
        "reason": event.reason.value,
        "text": event.text,
        "at_utc": event.at_utc,
    }


def fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr, flush=True)
    return code
