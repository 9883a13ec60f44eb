"""Every drivers CLI into a closed pipe (`python -m drivers.X ... | head`): no traceback, and the
documented status: a stream ends with 0 (the reader chose to stop), a verdict stays the verdict."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import pytest

from tests.closed_pipe import quiet, run_into_closed_pipe
from tests.qrset.generate import make_sample

# (entry point, its arguments, the status): {image} is a QR code image, {folder} a folder of them.
ENTRY_POINTS = [
    ("drivers.thermometer", ["simthermometer://?fever=1", "--model", "gy-mcu90614"], 0),
    ("drivers.thermometer", ["--help"], 0),
    ("drivers.idcard", ["simidcard://?card=resident"], 0),
    ("drivers.idcard", ["--help"], 0),
    ("drivers.qr", ["{image}"], 0),
    ("drivers.qr", ["{image}", "{folder}/absent.png"], 2),  # the batch's verdict, kept
    ("drivers.qr", ["--help"], 0),
    ("drivers.camera", ["{folder}", "--fps", "20"], 0),  # no --seconds: only the reader stops it
    ("drivers.camera", ["--help"], 0),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("frames")
    cv2.imwrite(str(folder / "code.png"), make_sample("rotated", 0).frame)
    return folder


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize(
    ("module", "arguments", "status"),
    ENTRY_POINTS,
    ids=[f"{m} {' '.join(a)}" for m, a, _ in ENTRY_POINTS],
)
def test_a_cli_whose_reader_has_gone_ends_quietly_with_its_documented_status(
    module: str, arguments: list[str], status: int, unbuffered: bool, folder: Path
) -> None:
    command = [a.format(image=folder / "code.png", folder=folder) for a in arguments]
    result = run_into_closed_pipe([sys.executable, "-m", module, *command], unbuffered=unbuffered)
    assert quiet(result), result.stderr.decode()
    assert result.returncode == status, result.stderr.decode()
