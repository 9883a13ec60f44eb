"""`python -m drivers.idcard`: masked JSON lines unless --show-full, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from drivers.idcard.__main__ import masked_id_number, masked_name
from healthcode.identity import mask_id_number, mask_name


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drivers.idcard", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_an_identity_is_printed_with_its_name_and_number_masked() -> None:
    result = run("simidcard://?card=resident", "--count", "1")
    assert result.returncode == 0, result.stderr
    assert "11010519491231002X" not in result.stdout
    assert "王小明" not in result.stdout
    record = json.loads(result.stdout.splitlines()[-1])
    assert (record["name"], record["id_number"]) == ("王*明", "110105********002X")
    assert (record["nation"], record["gender"], record["valid_to"]) == ("汉", "男", None)
    assert record["photo_bytes"] == 1024


def test_show_full_prints_the_whole_identity() -> None:
    result = run("simidcard://?card=hmt", "--count", "1", "--show-full")
    record = json.loads(result.stdout.splitlines()[-1])
    assert record["id_number"] == "810000199408230021"
    assert record["card_type"] == "hmt_residence_permit"


def test_a_wrong_port_is_a_clear_error() -> None:
    result = run("/dev/ttyDOES-NOT-EXIST")
    assert result.returncode == 2
    assert "cannot open '/dev/ttyDOES-NOT-EXIST'" in result.stderr


def test_a_silent_reader_is_reported_as_silent() -> None:
    result = run("simidcard://?stall_after=0", "--silent-timeout", "0.3")
    assert result.returncode == 3
    assert "silent for 0.3 s" in result.stderr


@pytest.mark.parametrize(
    "name",
    ["", "王", "王明", "王小明", "欧阳娜娜", " 王小明 ", "John Smith", "阿卜杜热合曼·买买提"],
)
def test_the_cli_masks_a_name_as_the_kiosk_does(name: str) -> None:
    assert masked_name(name) == mask_name(name)
    if len(name.strip()) > 1:
        assert masked_name(name) != name.strip()


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",
        "11010519491231002x",
        " 110105 1949 1231 002X ",
        "810000199408230021",
        "1234567",
        "123456",
        "12",
        "",
        "1101051949123100212",
    ],
)
def test_the_cli_masks_a_number_as_the_kiosk_does(number: str) -> None:
    assert masked_id_number(number) == mask_id_number(number)
