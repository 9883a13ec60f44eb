"""The kiosk's log files: rotating, in the data folder's `logs/`, and free of personal data.

`setup_logging(logs_dir)` installs a `RotatingFileHandler` (kiosk.log, kiosk.log.1, ...) and a
console handler on the root logger. Both carry `PiiFilter`, which rewrites every record before it
is written: anything shaped like a resident ID number (GB 11643: 17 digits and a check character),
a code's QR text (`JKM1:...`, `HC1:...`), a 32-hex-digit code id, a run of Chinese characters
(names, masked names like 张*丰) and `name=...` fields are replaced by a placeholder. Messages,
arguments, tracebacks and stack dumps are all scrubbed. Qt-free.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from pathlib import Path
from typing import TextIO

LOG_FILE = "kiosk.log"
MAX_BYTES = 1024 * 1024
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"

ID_PLACEHOLDER = "[id-number]"
CODE_PLACEHOLDER = "[code]"
HEX_PLACEHOLDER = "[hex-id]"
NAME_PLACEHOLDER = "[name]"

# An 18-character ID number (17 digits and a check digit or X), not part of a longer number.
# Every number of that shape is removed, whether or not its check character is right: a
# mistyped ID number is still someone's ID number.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# A code's text: a scheme prefix and the Base45 body (upper case, digits, $%*+-./: and space).
_CODE_TEXT = re.compile(r"\b(?:JKM\d+|HC\d):[0-9A-Z$%*+\-./: ]*")
# A code id (16 bytes as hex); UUIDs with dashes (record ids) are not personal and stay.
_HEX_ID = re.compile(r"(?<![0-9A-Fa-f-])[0-9A-Fa-f]{32}(?![0-9A-Fa-f-])")
# Han characters (with the masking star or a middle dot inside): names and masked names. The
# kiosk's own log messages are English, so nothing of ours is lost.
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff][\u3400-\u9fff\uf900-\ufaff*＊·•]*")
# `name=...`, `full_name: '...'`, `masked_name="..."` in reprs and key-value messages.
_NAME_FIELD = re.compile(
    r"(?i)\b((?:full_|masked_|display_|given_|family_)?name)([\"']?\s*[=:]\s*)"
    r"('[^']*'|\"[^\"]*\"|[^\s,;)}\]]+)"
)


def scrub(text: str) -> str:
    """`text` with ID numbers, code texts, code ids and names replaced by placeholders."""
    text = _CODE_TEXT.sub(CODE_PLACEHOLDER, text)
    text = _ID_NUMBER.sub(ID_PLACEHOLDER, text)
    text = _HEX_ID.sub(HEX_PLACEHOLDER, text)
    text = _NAME_FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}{NAME_PLACEHOLDER}", text)
    return _HAN.sub(NAME_PLACEHOLDER, text)


class PiiFilter(logging.Filter):
    """Rewrites each record in place (message, traceback, stack) with `scrub`; drops nothing.

    Attach it to handlers: a handler's filters see the records of every logger below it."""

    def __init__(self) -> None:
        super().__init__()
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record, nor leak its args
            message = f"{record.msg!s} (unformattable arguments)"
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def log_path(logs_dir: Path) -> Path:
    return logs_dir / LOG_FILE


def setup_logging(
    logs_dir: Path,
    *,
    level: int = logging.INFO,
    max_bytes: int = MAX_BYTES,
    backup_count: int = BACKUP_COUNT,
    console: TextIO | None = sys.stderr,
) -> Path:
    """Log to `logs_dir/kiosk.log` (rotated at `max_bytes`, `backup_count` old files kept) and
    to `console`, both through `PiiFilter`. Replaces handlers an earlier call installed; returns
    the log file's path."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk_handler", False):
            root.removeHandler(handler)
            handler.close()
    path = log_path(logs_dir)
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8"
        )
    ]
    if console is not None:
        handlers.append(logging.StreamHandler(console))
    formatter = logging.Formatter(FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(PiiFilter())
        handler._kiosk_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    return path


def log_files(logs_dir: Path) -> list[Path]:
    """The current log file and its rotated predecessors, newest first."""
    current = log_path(logs_dir)
    files = [current] if current.exists() else []
    rotated = sorted(
        (p for p in logs_dir.glob(LOG_FILE + ".*") if p.suffix[1:].isdigit()),
        key=lambda p: int(p.suffix[1:]),
    )
    return files + rotated
