"""`python -m drivers.qr IMAGE...`: one JSON line per image."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import segno

from tests.qrset.generate import make_sample

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drivers.qr", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_the_cli_prints_one_json_line_per_image(tmp_path: Path) -> None:
    code, empty, dark = make_sample("clean", 0), make_sample("empty", 0), make_sample("inverted", 0)
    paths = []
    for sample in (code, empty, dark):
        path = tmp_path / f"{sample.category}.png"
        cv2.imwrite(str(path), sample.frame)
        paths.append(str(path))
    done = run_cli(*paths)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["file"] for line in lines] == paths
    assert [line["texts"] for line in lines] == [[code.text], [], [dark.text]]
    assert [line["decoder"] for line in lines] == ["zxing-cpp", None, "zxing-cpp+invert"]
    assert all(set(line) == {"file", "texts", "decoder", "ms"} for line in lines)
    assert all(isinstance(line["ms"], float) and line["ms"] >= 0 for line in lines)


def test_the_cli_can_run_one_bare_decoder(tmp_path: Path) -> None:
    sample = make_sample("clean", 1)
    path = tmp_path / "clean.png"
    cv2.imwrite(str(path), sample.frame)
    done = run_cli("--decoder", "pyzbar", str(path))
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)
    assert (line["texts"], line["decoder"]) == ([sample.text], "pyzbar")


def test_an_unreadable_file_is_reported_and_the_others_still_decoded(tmp_path: Path) -> None:
    bad = tmp_path / "not-an-image.png"
    bad.write_text("hello")
    good = tmp_path / "empty.png"
    cv2.imwrite(str(good), make_sample("empty", 1).frame)
    done = run_cli(str(bad), str(good))
    assert done.returncode == 2
    assert "not-an-image.png" in done.stderr
    assert [json.loads(line)["file"] for line in done.stdout.splitlines()] == [str(good)]


def test_the_docs_mention_every_option_of_both_clis() -> None:
    docs = (ROOT / "docs" / "drivers-camera-qr.md").read_text(encoding="utf-8")
    for module in ("drivers.qr", "drivers.camera"):
        assert f"python -m {module}" in docs
        done = subprocess.run(
            [sys.executable, "-m", module, "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=True,
        )
        flags = {word.strip("[],") for word in done.stdout.split() if word.startswith("--")}
        flags -= {"--help"}
        assert flags
        assert sorted(f for f in flags if f not in docs) == []


def segno_png(path: Path, content: str | bytes, **options: object) -> str:
    """A code made by segno (any mode, encoding or ECI), saved as a PNG."""
    segno.make_qr(content, **options).save(str(path), scale=10, border=4)  # type: ignore[arg-type]
    return str(path)


def test_opencv_reads_a_shift_jis_code_and_names_one_that_is_not_text(tmp_path: Path) -> None:
    first = segno_png(tmp_path / "first.png", "JKM1:first")
    kanji = segno_png(tmp_path / "kanji.png", "健康診断", encoding="shift_jis")  # kanji mode
    sjis = segno_png(tmp_path / "sjis.png", "こんにちは", encoding="shift_jis", eci=True)
    bad = segno_png(
        tmp_path / "bad.png", b"\xff\xfe\x80ab", mode="byte", encoding="utf-8", eci=True
    )
    last = segno_png(tmp_path / "last.png", "JKM1:last")
    paths = [first, kanji, sjis, bad, last]
    done = run_cli("--decoder", "opencv", *paths)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["file"] for line in lines] == paths, done.stderr
    assert [line["texts"] for line in lines] == [
        ["JKM1:first"],
        ["健康診断"],
        ["こんにちは"],
        [],
        ["JKM1:last"],
    ]
    assert done.returncode == 2
    assert (
        f"error: {bad!r}: opencv: a QR code holds 5 bytes that are not utf-8 text, as its "
        "ECI 26 declares; they start ff fe 80 61 62"
    ) in done.stderr
    assert "Traceback" not in done.stderr
