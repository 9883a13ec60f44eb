"""`python -m drivers.thermometer`: JSON lines, and clear errors for the usual mistakes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drivers.thermometer", *args],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


def test_readings_are_printed_as_json_lines_with_raw_and_body_celsius() -> None:
    result = run("simthermometer://?fever=1", "--model", "gy-mcu90614", "--count", "2")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    readings = [r for r in records if r["event"] == "reading"]
    assert len(readings) == 2
    assert (readings[0]["raw_celsius"], readings[0]["body_celsius"]) == (35.6, 38.6)
    assert records[0]["state"] == "connected"


def test_a_custom_pattern_and_compensation_are_used() -> None:
    result = run(
        "simthermometer://?model=ascii-line&preset=body-t&interval_ms=20",
        "--model",
        "ascii-line",
        "--pattern",
        r"T:(?P<value>\d+\.\d)",
        "--offset",
        "0.5",
        "--count",
        "1",
    )
    assert result.returncode == 0, result.stderr
    reading = json.loads(result.stdout.splitlines()[-1])
    assert (reading["raw_celsius"], reading["body_celsius"]) == (36.8, 37.3)


def test_a_wrong_port_is_a_clear_error() -> None:
    result = run("/dev/ttyDOES-NOT-EXIST", "--model", "gy-mcu90614")
    assert result.returncode == 2
    assert "cannot open '/dev/ttyDOES-NOT-EXIST'" in result.stderr


def test_a_wrong_model_lists_the_known_ones() -> None:
    result = run("simthermometer://", "--model", "mlx-9000")
    assert result.returncode == 2
    assert "gy-mcu90614" in result.stderr


@pytest.mark.parametrize(
    "url", ["simthermometer://?stall_after=0", "simthermometer://?model=body-aaa5"]
)
def test_a_silent_device_or_one_of_another_model_is_reported_as_silent(url: str) -> None:
    result = run(url, "--model", "gy-mcu90614", "--silent-timeout", "0.3")
    assert result.returncode == 3
    assert "silent for 0.3 s" in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "simthermometer://?no_reading=1",  # nobody in front: the room, rejected as implausible
        "simthermometer://?celsius=50",  # 53 °C after compensation: rejected too
        "simthermometer://?model=ascii-line&no_reading=1&interval_ms=20",
    ],
)
def test_a_device_sending_only_rejected_readings_is_reported_as_silent(url: str) -> None:
    model = "ascii-line" if "ascii-line" in url else "gy-mcu90614"
    result = run(url, "--model", model, "--silent-timeout", "0.3", "--poll-interval", "0.02")
    assert result.returncode == 3, result.stderr
    assert "silent for 0.3 s" in result.stderr
    assert "30-45 °C" in result.stderr  # the hint names why the readings were refused
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert not [r for r in records if r["event"] == "reading"]
    assert any(r.get("reason") == "implausible_reading" for r in records)


@pytest.mark.parametrize("model", ["gy-mcu90614", "body-aaa5", "ascii-line"])
def test_a_device_sending_only_bad_checksums_is_reported_as_silent(model: str) -> None:
    url = f"simthermometer://?model={model}&corrupt=1&interval_ms=20"
    result = run(url, "--model", model, "--silent-timeout", "0.3", "--poll-interval", "0.02")
    assert result.returncode == 3, result.stderr
    assert "silent for 0.3 s" in result.stderr
    assert f"no {model} frame" in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert not [r for r in records if r["event"] == "reading"]
    assert any(r.get("reason") == "bad_frame" for r in records)


def test_silence_counts_from_the_last_accepted_reading() -> None:
    result = run(
        "simthermometer://?stall_after=2",
        "--model",
        "gy-mcu90614",
        "--silent-timeout",
        "0.3",
        "--poll-interval",
        "0.02",
    )
    assert result.returncode == 3, result.stderr
    assert "silent for 0.3 s" in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len([r for r in records if r["event"] == "reading"]) == 2
