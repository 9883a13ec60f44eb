"""QR decoders behind one interface: zxing-cpp, zbar (pyzbar) and OpenCV's two detectors.

Each decoder takes a grayscale uint8 frame and returns the texts it found. A decoder whose
library is missing is skipped with one log line (`available_decoders`), never a crash.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Gray = npt.NDArray[np.uint8]


class DecoderUnavailableError(RuntimeError):
    """The decoder's library (or its system library) is not installed."""


class Decoder(Protocol):
    """Grayscale frame in, decoded QR texts out (empty when none)."""

    name: str

    def decode(self, gray: Gray) -> list[str]: ...


def _import(module: str, what: str) -> Any:
    try:
        return importlib.import_module(module)
    except (ImportError, OSError) as exc:  # pyzbar raises ImportError when libzbar is missing
        raise DecoderUnavailableError(f"{what}: {exc}") from exc


class ZxingDecoder:
    """zxing-cpp, QR only. The options are zxing's own; the pipeline turns the slow ones off
    and adds its own fallbacks where they pay."""

    def __init__(
        self,
        *,
        try_rotate: bool = True,
        try_downscale: bool = True,
        try_invert: bool = True,
        global_histogram: bool = False,
        name: str = "zxing-cpp",
    ) -> None:
        self._zx = _import("zxingcpp", "zxing-cpp (pip install zxing-cpp)")
        self.name = name
        self._formats = self._zx.BarcodeFormat.QRCode
        binarizer = self._zx.Binarizer
        self._options = {
            "try_rotate": try_rotate,
            "try_downscale": try_downscale,
            "try_invert": try_invert,
            # zxing's default binariser thresholds locally; the global one survives uneven
            # shading better on some creased and glared codes.
            "binarizer": binarizer.GlobalHistogram if global_histogram else binarizer.LocalAverage,
        }

    def decode(self, gray: Gray) -> list[str]:
        found = self._zx.read_barcodes(gray, formats=self._formats, **self._options)
        return [str(b.text) for b in found if b.valid]


class ZbarDecoder:
    """zbar through pyzbar (needs the zbar system library: libzbar0 on Debian)."""

    name = "pyzbar"

    def __init__(self) -> None:
        pyzbar = _import("pyzbar.pyzbar", "pyzbar (pip install pyzbar; apt install libzbar0)")
        self._decode: Callable[..., list[Any]] = pyzbar.decode
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def decode(self, gray: Gray) -> list[str]:
        found = self._decode(gray, symbols=self._symbols)
        return [r.data.decode("utf-8", errors="replace") for r in found]


class OpenCvDecoder:
    """OpenCV's classic `QRCodeDetector` (multi-code)."""

    name = "opencv"

    def __init__(self) -> None:
        cv2 = _import("cv2", "OpenCV (pip install opencv-python-headless)")
        self._error: type[Exception] = cv2.error
        self._detector = cv2.QRCodeDetector()

    def decode(self, gray: Gray) -> list[str]:
        try:
            ok, texts, _points, _straight = self._detector.detectAndDecodeMulti(gray)
        except self._error:
            # OpenCV 5 asserts inside its clustering on some cluttered frames: no code read.
            return []
        return [t for t in texts if t] if ok else []


class OpenCvArucoDecoder(OpenCvDecoder):
    """OpenCV's `QRCodeDetectorAruco`: finder patterns found as ArUco-style markers."""

    name = "opencv-aruco"

    def __init__(self) -> None:
        cv2 = _import("cv2", "OpenCV (pip install opencv-python-headless)")
        self._error = cv2.error
        self._detector = cv2.QRCodeDetectorAruco()


DECODERS: dict[str, Callable[[], Decoder]] = {
    "zxing-cpp": ZxingDecoder,
    "pyzbar": ZbarDecoder,
    "opencv": OpenCvDecoder,
    "opencv-aruco": OpenCvArucoDecoder,
}


def make_decoder(name: str) -> Decoder:
    """The decoder registered as `name`; raises DecoderUnavailableError or KeyError."""
    try:
        factory = DECODERS[name]
    except KeyError:
        raise KeyError(f"unknown QR decoder {name!r}; known: {', '.join(DECODERS)}") from None
    return factory()


def available_decoders(names: list[str] | None = None) -> list[Decoder]:
    """Every decoder in `names` (default: all) whose library loads; each one missing is
    logged once and skipped."""
    out: list[Decoder] = []
    for name in names if names is not None else list(DECODERS):
        try:
            out.append(make_decoder(name))
        except DecoderUnavailableError as exc:
            log.warning("QR decoder %s skipped: %s", name, exc)
    return out
