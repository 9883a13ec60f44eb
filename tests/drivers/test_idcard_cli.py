"""`python -m drivers.idcard`: masked JSON lines unless --show-full, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys


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
