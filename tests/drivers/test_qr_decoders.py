"""QR decoders, preprocessing and the pipeline's structure (fakes at the decoder seam)."""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
import pytest
import segno

from drivers.qr import decoders, pipeline, preprocess
from drivers.qr.decoders import available_decoders, make_decoder
from drivers.qr.pipeline import Fallback, QrPipeline, default_pipeline
from tests.qrset.generate import code_image, make_sample

TEXT = "JKM1:" + "6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTLRR+%3" * 5 + "ABCDEFGHIJ"


def flat_frame(text: str = TEXT, dark: bool = False) -> np.ndarray:
    """The code drawn flat, 4 px per module, in the middle of a 1280x720 gray frame."""
    code = code_image(text, 4, dark=dark)
    frame = np.full((720, 1280), 0 if dark else 255, dtype=np.uint8)
    y, x = (720 - code.shape[0]) // 2, (1280 - code.shape[1]) // 2
    frame[y : y + code.shape[0], x : x + code.shape[1]] = code
    return frame


@pytest.mark.parametrize("name", sorted(decoders.DECODERS))
def test_each_decoder_reads_a_clean_code(name: str) -> None:
    decoder = make_decoder(name)
    assert decoder.name == name
    assert decoder.decode(flat_frame()) == [TEXT]


@pytest.mark.parametrize("name", sorted(decoders.DECODERS))
def test_each_decoder_returns_nothing_for_a_blank_frame(name: str) -> None:
    assert make_decoder(name).decode(np.full((720, 1280), 128, np.uint8)) == []


def test_an_unknown_decoder_name_is_refused_with_the_known_names() -> None:
    with pytest.raises(KeyError, match="zxing-cpp"):
        make_decoder("quirc")


def hide_module(monkeypatch: pytest.MonkeyPatch, hidden: str) -> None:
    real: Callable[..., Any] = importlib.import_module

    def fake(name: str, package: str | None = None) -> Any:
        if name == hidden:
            raise ImportError(f"Unable to find zbar shared library ({name})")
        return real(name, package)

    monkeypatch.setattr(decoders.importlib, "import_module", fake)


def test_a_decoder_whose_library_is_missing_is_skipped_with_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    hide_module(monkeypatch, "pyzbar.pyzbar")
    with caplog.at_level(logging.WARNING, logger="drivers.qr.decoders"):
        found = available_decoders()
    assert [d.name for d in found] == ["zxing-cpp", "opencv", "opencv-aruco"]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1
    assert "pyzbar skipped" in lines[0]
    assert "libzbar0" in lines[0]


def test_the_default_pipeline_works_without_zbar(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    hide_module(monkeypatch, "pyzbar.pyzbar")
    with caplog.at_level(logging.WARNING):
        pipe = default_pipeline()
    assert [f.decoder.name for f in pipe.fallbacks] == ["zxing-cpp"] * 3
    assert any("pyzbar skipped" in r.getMessage() for r in caplog.records)
    assert pipe.decode(flat_frame()).texts == (TEXT,)


def test_the_default_pipeline_falls_back_to_another_library_without_zxing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    hide_module(monkeypatch, "zxingcpp")
    with caplog.at_level(logging.WARNING):
        pipe = default_pipeline()
    assert pipe.primary.name == "pyzbar"
    assert any("without zxing-cpp" in r.getMessage() for r in caplog.records)
    result = pipe.decode(flat_frame())
    assert (result.texts, result.decoder) == ((TEXT,), "pyzbar")


class FakeDecoder:
    """Returns a fixed answer and records the images it was given."""

    def __init__(self, name: str, answer: list[str]) -> None:
        self.name = name
        self.answer = answer
        self.seen: list[np.ndarray] = []

    def decode(self, gray: np.ndarray) -> list[str]:
        self.seen.append(gray)
        return list(self.answer)


def ticking_clock(step_s: float = 0.002) -> Callable[[], float]:
    t = [0.0]

    def clock() -> float:
        t[0] += step_s
        return t[0]

    return clock


def test_a_code_read_by_the_fast_pass_never_reaches_the_fallbacks() -> None:
    fast, slow = FakeDecoder("fast", ["X", "X"]), FakeDecoder("slow", ["Y"])
    pipe = QrPipeline(fast, [Fallback("f", preprocess.invert, slow)], clock=ticking_clock())
    result = pipe.decode(flat_frame())
    assert (result.texts, result.decoder, result.attempts) == (("X",), "fast", 1)
    assert result.ms == pytest.approx(2.0)
    assert slow.seen == []


def test_fallbacks_run_only_when_a_code_is_probably_there() -> None:
    fast, slow = FakeDecoder("fast", []), FakeDecoder("slow", ["Y"])
    pipe = QrPipeline(fast, [Fallback("f", preprocess.invert, slow)])
    assert pipe.decode(np.full((720, 1280, 3), 90, np.uint8)).texts == ()
    assert slow.seen == []
    result = pipe.decode(flat_frame())
    assert (result.texts, result.decoder, result.attempts) == (("Y",), "slow+f", 2)


def test_fallbacks_work_on_the_region_of_the_code_not_the_whole_frame() -> None:
    fast, slow = FakeDecoder("fast", []), FakeDecoder("slow", [])
    pipe = QrPipeline(
        fast, [Fallback("a", preprocess.invert, slow), Fallback("b", pipeline._identity, slow)]
    )
    frame = flat_frame()
    result = pipe.decode(frame)
    assert result.attempts == 3
    assert result.decoder is None
    region = slow.seen[1]
    assert region.shape[0] < 720 / 2
    assert region.shape[1] < 1280 / 2
    code_side = code_image(TEXT, 4).shape[0]
    assert region.shape[0] >= code_side
    assert region.shape[1] >= code_side


def test_a_fixed_region_of_interest_limits_decoding() -> None:
    fast = FakeDecoder("fast", [])
    QrPipeline(fast, roi=(100, 50, 300, 200)).decode(flat_frame())
    assert fast.seen[0].shape == (200, 300)


def test_dark_mode_codes_are_read_through_the_inverted_fallback() -> None:
    result = default_pipeline().decode(flat_frame(dark=True))
    assert (result.texts, result.decoder) == ((TEXT,), "zxing-cpp+invert")


def test_the_presence_test_finds_a_code_and_its_region() -> None:
    frame = flat_frame()
    presence = preprocess.detect_presence(frame)
    assert presence.likely
    assert presence.box is not None
    x, y, w, h = presence.box
    side = code_image(TEXT, 4).shape[0]
    cx, cy = (1280 - side) // 2, (720 - side) // 2
    assert x <= cx + 16
    assert y <= cy + 16
    assert x + w >= cx + side - 16
    assert y + h >= cy + side - 16


def test_the_presence_test_is_negative_for_a_plain_scene() -> None:
    frame = preprocess.to_gray(make_sample("empty", 0).frame)
    assert not preprocess.detect_presence(np.full_like(frame, 100)).likely


def test_a_dim_image_is_stretched_to_the_full_range() -> None:
    dim = (flat_frame() // 8 + 5).astype(np.uint8)
    assert preprocess.is_dim(dim)
    stretched = preprocess.stretch_contrast(dim)
    assert stretched.min() == 0
    assert stretched.max() == 255
    flat = np.full((10, 10), 7, np.uint8)
    assert preprocess.stretch_contrast(flat) is flat


@pytest.mark.parametrize(
    "frame",
    [
        np.zeros((4, 5), np.uint8),
        np.zeros((4, 5, 1), np.uint8),
        np.zeros((4, 5, 3), np.uint8),
        np.zeros((4, 5, 4), np.uint8),
    ],
)
def test_frames_of_any_channel_count_become_one_gray_channel(frame: np.ndarray) -> None:
    assert preprocess.to_gray(frame).shape == (4, 5)


def test_the_pipeline_reads_a_colour_frame() -> None:
    frame = cv2.cvtColor(flat_frame(), cv2.COLOR_GRAY2BGR)
    assert default_pipeline().decode(frame).texts == (TEXT,)


# --------------------------------------------------------------------------- the code's own text
def segno_frame(content: str | bytes, **options: Any) -> np.ndarray:
    """A code made by segno (any mode, encoding, ECI), 10 px per module, as a gray frame."""
    matrix = np.array(segno.make_qr(content, **options).matrix, dtype=np.uint8)
    code = np.kron(np.where(matrix == 1, 0, 255).astype(np.uint8), np.ones((10, 10), np.uint8))
    return cv2.copyMakeBorder(code, 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=255)


CONTROL_TEXT = "JKM1:\x01A\x1dB\x04C\x7f\tD\r\nE\x00F"


@pytest.mark.parametrize("name", sorted(decoders.DECODERS))
def test_each_decoder_returns_control_characters_as_they_are(name: str) -> None:
    # zxing-cpp's default text mode would give "JKM1:<SOH>A<GS>B<EOT>C<DEL>..."
    assert make_decoder(name).decode(segno_frame(CONTROL_TEXT, encoding="utf-8")) == [CONTROL_TEXT]


SHIFT_JIS_CODES = {
    "kanji mode": segno_frame("健康診断", encoding="shift_jis"),
    "ECI 20": segno_frame("こんにちは", encoding="shift_jis", eci=True),
}


@pytest.mark.parametrize("name", ["zxing-cpp", "pyzbar", "opencv"])
@pytest.mark.parametrize("code", SHIFT_JIS_CODES, ids=SHIFT_JIS_CODES.keys())
def test_a_shift_jis_code_reads_as_its_text(name: str, code: str) -> None:
    expected = "健康診断" if code == "kanji mode" else "こんにちは"
    assert make_decoder(name).decode(SHIFT_JIS_CODES[code]) == [expected]


def test_a_detector_that_cannot_tell_the_encoding_names_the_code_it_cannot_read() -> None:
    with pytest.raises(decoders.QrTextError, match=r"not UTF-8 text .*they start 8c 92 8d 4e"):
        make_decoder("opencv-aruco").decode(SHIFT_JIS_CODES["kanji mode"])


@pytest.mark.parametrize(
    ("found", "message"),
    [
        ([(b"\xff\xfeab", 26)], "4 bytes that are not utf-8 text, as its ECI 26 declares"),
        ([(b"\x82\xff", 20)], "not shift_jis text, as its ECI 20 declares"),
        ([(b"ab", 899)], "not text in an encoding read here (its ECI 899 is not one)"),
        ([(b"\xff", None)], "not UTF-8 text (this decoder tells no other encoding)"),
    ],
)
def test_bytes_that_are_not_text_in_their_encoding_are_named(
    found: list[tuple[bytes, int | None]], message: str
) -> None:
    with pytest.raises(decoders.QrTextError, match=re.escape(message)):
        decoders.texts_of("opencv", [(b"JKM1:ok", 0), *found])


@pytest.mark.parametrize(
    ("data", "eci", "text"),
    [
        (b"caf\xe9", 3, "café"),
        ("健康码".encode("gb18030"), 29, "健康码"),
        ("健康".encode("big5"), 28, "健康"),
        ("こんにちは".encode("shift_jis"), 20, "こんにちは"),
        ("健康码".encode(), 26, "健康码"),
        (b"JKM1:\x01", 0, "JKM1:\x01"),
    ],
)
def test_bytes_are_read_in_the_encoding_their_eci_declares(
    data: bytes, eci: int, text: str
) -> None:
    assert decoders.texts_of("opencv", [(data, eci)]) == [text]


def test_an_unreadable_code_keeps_the_other_codes_of_the_frame() -> None:
    with pytest.raises(decoders.QrTextError) as caught:
        decoders.texts_of("opencv", [(b"JKM1:a", 26), (b"\xff", 26), (b"JKM1:b", 0)])
    assert caught.value.texts == ["JKM1:a", "JKM1:b"]


class NotTextDecoder:
    name = "fake"

    def decode(self, gray: np.ndarray) -> list[str]:
        raise decoders.QrTextError("fake", b"\xff\xfe", "UTF-8 text", ["JKM1:other"])


def test_the_pipeline_reports_a_code_that_is_not_text_and_keeps_the_rest() -> None:
    result = QrPipeline(NotTextDecoder()).decode(flat_frame())
    assert result.texts == ("JKM1:other",)
    assert result.problems == (
        "fake: a QR code holds 2 bytes that are not UTF-8 text; they start ff fe",
    )


class TextOnlyDetector:
    """An OpenCV before the bytes API: its text API raises inside on non-UTF-8 bytes."""

    def detectAndDecodeMulti(self, gray: np.ndarray) -> tuple[bool, tuple[str, ...], None, None]:  # noqa: N802
        raise UnicodeDecodeError("utf-8", b"\x8a\xbf", 0, 1, "invalid start byte")


def test_an_older_opencv_without_the_bytes_api_names_the_code_too() -> None:
    decoder = decoders.OpenCvDecoder()
    decoder._detector = TextOnlyDetector()
    with pytest.raises(decoders.QrTextError, match="2 bytes that are not utf-8 text"):
        decoder.decode(flat_frame())


def test_the_presence_test_is_negative_for_a_scene_busy_everywhere() -> None:
    # A wire mesh fence fills the frame with edges: dense enough, but no code is that large.
    frame = preprocess.to_gray(make_sample("textured", 0).frame)
    presence = preprocess.detect_presence(frame)
    assert presence.score >= preprocess.PRESENCE_THRESHOLD
    assert not presence.likely
    assert presence.box is None
