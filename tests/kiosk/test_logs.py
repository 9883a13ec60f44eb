"""Rotating log files that never hold an ID number, a code, a code id or a name."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from healthcode.identity import check_character
from kiosk.ops.logs import (
    CODE_PLACEHOLDER,
    HEX_PLACEHOLDER,
    ID_PLACEHOLDER,
    NAME_PLACEHOLDER,
    log_files,
    scrub,
    setup_logging,
)

ID_NUMBER = "11010519491231002X"
ID_17 = "44030619900101123"
ID_DIGIT_CHECK = ID_17 + check_character(ID_17)
CODE = "JKM1:6BFOXN*TS0BI$ZDFRH%0+VZ DT1/ABC.-:9"
DCC = "HC1:NCFOXN%TS3DH0RGPJB/IB-OM"
CODE_ID = "9f86d081884c7d659a2feaa0c55ad015"


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[tuple[Path, io.StringIO]]:
    console = io.StringIO()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    path = setup_logging(tmp_path / "logs", console=console, max_bytes=2000, backup_count=2)
    try:
        yield path, console
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)


@pytest.mark.parametrize(
    ("text", "placeholder", "secret"),
    [
        (f"card read {ID_NUMBER} ok", ID_PLACEHOLDER, ID_NUMBER),
        (f"card read {ID_NUMBER.lower()}", ID_PLACEHOLDER, ID_NUMBER.lower()),
        (f"number={ID_DIGIT_CHECK};", ID_PLACEHOLDER, ID_DIGIT_CHECK),
        (f"scanned {CODE} twice", CODE_PLACEHOLDER, "6BFOXN"),
        (f"dcc {DCC}", CODE_PLACEHOLDER, "NCFOXN"),
        (f"code id {CODE_ID} repeat", HEX_PLACEHOLDER, CODE_ID),
        (f"code id {CODE_ID.upper()}", HEX_PLACEHOLDER, CODE_ID.upper()),
        ("person 张三丰 passed", NAME_PLACEHOLDER, "张三丰"),
        ("masked 张*丰 passed", NAME_PLACEHOLDER, "张*"),
        ("IdentityRead(name='John Smith', gender=1)", NAME_PLACEHOLDER, "John Smith"),
        ('{"full_name": "Maria Lopez"}', NAME_PLACEHOLDER, "Maria Lopez"),
        ("display_name=Wang_Wei next", NAME_PLACEHOLDER, "Wang_Wei"),
    ],
)
def test_scrub_removes_personal_data(text: str, placeholder: str, secret: str) -> None:
    cleaned = scrub(text)
    assert secret not in cleaned
    assert placeholder in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "record 3f2b1c9e-8d7a-4b6c-9e5f-1a2b3c4d5e6f uploaded",  # a record UUID is not personal
        "batch of 500 in 1234567890123 ms",  # 13 digits: a timestamp
        "thermometer /dev/ttyUSB0 at 115200 baud",
        "kiosk started, version 0.1.0",
        "12345678901234567890 is not an ID number (20 digits)",
    ],
)
def test_scrub_keeps_what_is_not_personal(text: str) -> None:
    assert scrub(text) == text


def test_records_are_scrubbed_in_message_arguments_and_tracebacks(
    logs: tuple[Path, io.StringIO],
) -> None:
    path, console = logs
    log = logging.getLogger("kiosk.test")
    log.warning("identity %s named %s showed %s", ID_NUMBER, "李小龙", CODE)
    try:
        raise ValueError(f"bad card {ID_NUMBER} for code id {CODE_ID}")
    except ValueError:
        log.exception("decision failed for %s", CODE_ID)
    log.info("stack check", stack_info=True)
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = "".join(f.read_text("utf-8") for f in reversed(log_files(path.parent)))
    for text in (written, console.getvalue()):
        assert ID_NUMBER not in text and CODE_ID not in text and "6BFOXN" not in text
        assert "李小龙" not in text
        assert "ValueError: bad card [id-number] for code id [hex-id]" in text
        assert "identity [id-number] named [name] showed [code]" in text
        assert "stack check" in text


def test_a_bad_format_string_still_logs_without_its_arguments(
    logs: tuple[Path, io.StringIO],
) -> None:
    path, _ = logs
    logging.getLogger("kiosk.test").error("two %s %s", ID_NUMBER)
    logging.getLogger().handlers[0].flush()
    text = "".join(f.read_text("utf-8") for f in log_files(path.parent))
    assert "unformattable arguments" in text and ID_NUMBER not in text


def test_logs_rotate_and_are_listed_newest_first(logs: tuple[Path, io.StringIO]) -> None:
    path, _ = logs
    log = logging.getLogger("kiosk.test")
    for index in range(200):
        log.info("line %03d of the rotation test", index)
    files = log_files(path.parent)
    assert [f.name for f in files] == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]
    assert all(f.stat().st_size <= 2000 for f in files)
    assert "line 199" in files[0].read_text("utf-8")


def test_setup_twice_does_not_double_the_lines(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    console = io.StringIO()
    try:
        setup_logging(tmp_path, console=console)
        setup_logging(tmp_path, console=console)
        logging.getLogger("kiosk.test").warning("once")
        assert console.getvalue().count("once") == 1
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
