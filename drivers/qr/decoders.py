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
    """Grayscale frame in, decoded QR texts out (empty when none): each code's own text,
    control characters included; QrTextError for a code whose bytes are not text."""

    name: str

    def decode(self, gray: Gray) -> list[str]: ...


class QrTextError(ValueError):
    """A code was found whose bytes are not text in the encoding it declares (UTF-8 when it
    declares none), so it has no text to hand on. `texts` holds the other codes of the
    frame, which were read."""

    def __init__(self, decoder: str, data: bytes, encoding: str, texts: list[str]) -> None:
        """`encoding` names what the bytes failed to be, e.g. "UTF-8 text"."""
        super().__init__(
            f"{decoder}: a QR code holds {len(data)} bytes that are not {encoding}; "
            f"they start {data[:8].hex(' ')}"
        )
        self.texts = texts


# ECI assignment numbers (as OpenCV reports them) -> Python codecs; 0: none declared (OpenCV
# has then already turned bytes that are not UTF-8 into UTF-8, reading them as Latin-1).
ECI_CODECS = {
    0: "utf-8",
    3: "latin-1",
    20: "shift_jis",
    25: "utf-16-be",
    26: "utf-8",
    27: "ascii",
    28: "big5",
    29: "gb18030",  # GB 2312 and its superset
    30: "euc-kr",
}


def _encoding_label(codec: str | None, eci: int | None) -> str:
    if eci is None:
        return "UTF-8 text (this decoder tells no other encoding)"
    if codec is None:
        return f"text in an encoding read here (its ECI {eci} is not one)"
    return f"{codec} text, as its ECI {eci} declares" if eci else f"{codec} text (no ECI)"


def texts_of(decoder: str, found: list[tuple[bytes, int | None]]) -> list[str]:
    """The text of each code found in one frame, given its bytes and its ECI (None: the
    decoder does not tell, the bytes are UTF-8); QrTextError when one is not text."""
    texts: list[str] = []
    bad: tuple[bytes, str] | None = None
    for data, eci in found:
        codec = "utf-8" if eci is None else ECI_CODECS.get(eci)
        if codec is not None:
            try:
                texts.append(data.decode(codec))
                continue
            except UnicodeDecodeError:
                pass
        bad = bad or (data, _encoding_label(codec, eci))
    if bad is not None:
        raise QrTextError(decoder, bad[0], bad[1], texts)
    return texts


def _import(module: str, what: str) -> Any:
    try:
        return importlib.import_module(module)
    except (ImportError, OSError) as exc:  # pyzbar raises ImportError when libzbar is missing
        raise DecoderUnavailableError(f"{what}: {exc}") from exc


class ZxingDecoder:
    """zxing-cpp, QR only. The options are zxing's own; the pipeline turns the slow ones off
    and adds its own fallbacks where they pay. Plain text mode: the code's own text, with
    control characters as they are (the default mode would show `<SOH>` for 0x01)."""

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
            "text_mode": self._zx.TextMode.Plain,
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
        # zbar hands every code over converted to UTF-8 (it reads the ECI or guesses).
        return texts_of(self.name, [(bytes(r.data), None) for r in found])


class OpenCvDecoder:
    """OpenCV's classic `QRCodeDetector` (multi-code). It is asked for bytes and the ECI of
    each code (a Shift_JIS code read as text would raise UnicodeDecodeError inside OpenCV)."""

    name = "opencv"

    def __init__(self) -> None:
        cv2 = _import("cv2", "OpenCV (pip install opencv-python-headless)")
        self._error: type[Exception] = cv2.error
        self._detector = cv2.QRCodeDetector()

    def decode(self, gray: Gray) -> list[str]:
        detector = self._detector
        if not hasattr(detector, "detectAndDecodeBytesMulti"):  # OpenCV before 4.11
            return self._decode_text(gray)
        try:
            ok, found, _points, _straight = detector.detectAndDecodeBytesMulti(gray)
        except self._error:
            # OpenCV 5 asserts inside its clustering on some cluttered frames: no code read.
            return []
        if not ok:
            return []
        encoding_of = getattr(detector, "getEncoding", None)  # the Aruco detector has none
        return texts_of(
            self.name,
            [
                (bytes(data), None if encoding_of is None else int(encoding_of(index)))
                for index, data in enumerate(found)
                if data
            ],
        )

    def _decode_text(self, gray: Gray) -> list[str]:
        try:
            ok, texts, _points, _straight = self._detector.detectAndDecodeMulti(gray)
        except self._error:
            return []
        except UnicodeDecodeError as error:
            raise QrTextError(self.name, error.object, f"{error.encoding} text", []) from None
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
