"""Shared pieces of the technicians' command lines: JSON lines out, a clear exit on trouble."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from drivers.serialio.events import DeviceStateEvent

EXIT_OK = 0
EXIT_USAGE = 2  # also a port that cannot be opened or a wrong model
EXIT_SILENT = 3  # the device never said anything usable


def print_json(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False, default=_default), flush=True)


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
