"""`python -m drivers.camera SOURCE`: live frame rate and decoded scans, as text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2

from tests.qrset.generate import make_sample

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drivers.camera", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_the_cli_shows_the_frame_rate_and_each_code_once(tmp_path: Path) -> None:
    sample = make_sample("rotated", 0)
    for i in range(3):  # the same code on three frames: one scan
        cv2.imwrite(str(tmp_path / f"{i}.png"), sample.frame)
    done = run_cli(str(tmp_path), "--seconds", "1.6", "--fps", "20", "--result-s", "60")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("camera connected")
    assert [line for line in lines if line.startswith("scan")] == [
        f"scan (new, zxing-cpp): {sample.text}"
    ]
    rates = [float(line.split()[1]) for line in lines if line.startswith("fps")]
    assert rates
    assert all(5 <= rate <= 30 for rate in rates), rates
    assert lines[-1].startswith("camera disconnected")


def test_the_cli_refuses_a_source_it_cannot_tell(tmp_path: Path) -> None:
    done = run_cli(str(tmp_path / "what.xyz"))
    assert done.returncode == 2
    assert "cannot tell" in done.stderr
