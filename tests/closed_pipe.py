"""Run a command as `cmd | head` where head has already gone: every write to its standard output
meets a closed pipe, deterministically (the read end is closed before the command starts)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_into_closed_pipe(
    command: Sequence[str], *, unbuffered: bool, timeout_s: float = 120
) -> subprocess.CompletedProcess[bytes]:
    """With PYTHONUNBUFFERED=1 a write fails at once; without it, at a flush or at exit."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        environment["PYTHONUNBUFFERED"] = "1"
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            list(command),
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=environment,
            check=False,
            timeout=timeout_s,
        )
    finally:
        os.close(write_end)


def quiet(result: subprocess.CompletedProcess[bytes]) -> bool:
    """No traceback and no complaint about the pipe on standard error."""
    return b"Traceback" not in result.stderr and b"BrokenPipe" not in result.stderr
