"""Time and randomness come in from outside, so tests pass a fake instead of patching."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
TokenSource = Callable[[int], bytes]


def system_clock() -> datetime:
    return datetime.now(UTC)


def system_tokens(length: int) -> bytes:
    return secrets.token_bytes(length)
