"""Standard output for command lines that a reader may stop reading (`cmd | head`).

A reader that closes the pipe early wanted no more of the answer; that is no failure of the
command. `say` prints each line and, once the reader has gone, drops the rest and says so: a
stream then stops with status 0, a command whose status is a verdict carries on and keeps it.
`survives_closed_stdout` wraps a CLI's `main` so that what is still buffered at its end
(argparse's `--help` too) meets the closed pipe there, quietly, and not in the interpreter's
flush at exit (a traceback and status 120). Shared by every CLI above `drivers`;
`drivers.serialio.cli` holds the drivers' copy, since drivers import nothing of ours above them.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

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
