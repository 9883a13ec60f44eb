"""The QR pipeline: one fast zxing-cpp pass on every frame; cheap fallbacks only when it found
nothing and the presence test says a code is probably there, so empty frames stay cheap.

The stages and their order were chosen by measurement on the generated test set
(`bench/qr_decode.py`, docs/drivers-camera-qr.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from drivers.qr import preprocess
from drivers.qr.decoders import (
    Decoder,
    DecoderUnavailableError,
    Gray,
    QrTextError,
    ZbarDecoder,
    ZxingDecoder,
    available_decoders,
)
from drivers.qr.preprocess import Frame

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DecodeResult:
    """What one frame gave: the texts (empty when none), the stage that found them, the time
    spent on the frame in milliseconds, how many decoder runs that took, and what made a
    found code unreadable as text."""

    texts: tuple[str, ...]
    decoder: str | None
    ms: float
    attempts: int = 1
    problems: tuple[str, ...] = ()  # codes found whose bytes are not text (QrTextError)


@dataclass(frozen=True)
class Fallback:
    """A second try on the region of interest: `prepare` the image, then `decoder` it."""

    name: str
    prepare: Callable[[Gray], Gray]
    decoder: Decoder


def _identity(gray: Gray) -> Gray:
    return gray


@dataclass
class QrPipeline:
    """Frame in, QR texts out. `roi` (x, y, w, h) limits decoding to a fixed part of the
    frame, for a kiosk whose camera sees more than the place where codes are shown."""

    primary: Decoder
    fallbacks: Sequence[Fallback] = ()
    presence_threshold: float = preprocess.PRESENCE_THRESHOLD
    roi: tuple[int, int, int, int] | None = None
    clock: Callable[[], float] = field(default=time.perf_counter, repr=False)

    def decode(self, frame: Frame) -> DecodeResult:
        start = self.clock()
        gray = preprocess.crop(preprocess.to_gray(frame), self.roi)
        problems: list[str] = []
        texts, stage, attempts = self._decode_gray(gray, problems)
        ms = (self.clock() - start) * 1000.0
        return DecodeResult(tuple(texts), stage, ms, attempts, tuple(problems))

    @staticmethod
    def _run(decoder: Decoder, gray: Gray, problems: list[str]) -> list[str]:
        try:
            return decoder.decode(gray)
        except QrTextError as error:  # one unreadable code must not lose the frame
            log.warning("%s", error)
            problems.append(str(error))
            return list(error.texts)

    def _decode_gray(self, gray: Gray, problems: list[str]) -> tuple[list[str], str | None, int]:
        texts = self._run(self.primary, gray, problems)
        if texts:
            return _unique(texts), self.primary.name, 1
        if not self.fallbacks:
            return [], None, 1
        presence = preprocess.detect_presence(gray, threshold=self.presence_threshold)
        if not presence.likely:
            return [], None, 1
        region = preprocess.crop(gray, presence.box)
        if preprocess.is_dim(region):
            region = preprocess.stretch_contrast(region)
        for attempt, fallback in enumerate(self.fallbacks, start=2):
            texts = self._run(fallback.decoder, fallback.prepare(region), problems)
            if texts:
                return _unique(texts), f"{fallback.decoder.name}+{fallback.name}", attempt
        return [], None, 1 + len(self.fallbacks)


def _unique(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def default_pipeline(roi: tuple[int, int, int, int] | None = None) -> QrPipeline:
    """The measured default: fast zxing-cpp (no rotation or inversion passes), then on a
    likely code's region: inverted (dark mode), smoothed, contrast-stretched, and zbar.

    Without zxing-cpp, the best remaining decoder runs alone (logged once)."""
    try:
        fast = ZxingDecoder(try_rotate=False, try_invert=False)
    except DecoderUnavailableError as exc:
        log.warning("QR pipeline without zxing-cpp (%s): falling back to a bare decoder", exc)
        others = available_decoders(["pyzbar", "opencv-aruco", "opencv"])
        if not others:
            raise
        return QrPipeline(primary=others[0], roi=roi)
    # Cheapest first; measured rescues on 480 frames with a code (seeds 1-2): invert 40,
    # zbar on the region 15, smooth 9, stretch 1. zxing's global binariser rescued none: dropped.
    fallbacks: list[Fallback] = [
        Fallback("invert", preprocess.invert, fast),
        Fallback("smooth", preprocess.smooth, fast),
        Fallback("stretch", preprocess.stretch_contrast, fast),
    ]
    try:
        zbar = ZbarDecoder()
    except DecoderUnavailableError as exc:
        log.warning("QR fallback pyzbar skipped: %s", exc)
    else:
        fallbacks.append(Fallback("roi", _identity, zbar))
    return QrPipeline(primary=fast, fallbacks=fallbacks, roi=roi)
