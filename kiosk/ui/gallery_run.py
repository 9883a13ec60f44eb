"""`kiosk screens`: every screen of the kiosk at each panel size and language, as PNGs in
OUT/<language>/<W>x<H>/<screen>.png, each checked for what does not fit (kiosk/ui/fit_check.py):
one line per misfit, a summary, and exit status 1 when anything does not fit."""

from __future__ import annotations

import os
import struct
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from healthcode.console import say

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

    from kiosk.ui.fit_check import Misfit
    from kiosk.ui.gallery import Gallery

PANEL_SIZES = ((1280, 800), (1024, 600), (800, 1280), (1080, 1920), (1920, 1080))
LANGUAGES = ("zh", "en")
EXIT_FITS, EXIT_MISFITS = 0, 1

Found = tuple[str, str, "Misfit"]  # language, WxH, the misfit


def run_screens(
    out: Path,
    sizes: Sequence[tuple[int, int]] = PANEL_SIZES,
    languages: Sequence[str] = LANGUAGES,
    *,
    make_gallery: Callable[[Path], Gallery] | None = None,
) -> int:
    """Render and check every screen; print the misfits and a summary. 0: everything fits.
    `make_gallery` builds the screens in a scratch folder (default: the whole kiosk's)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def quiet(kind: QtMsgType, _context: object, message: str) -> None:
        if "propagateSizeHints" not in message:  # the offscreen platform's remark on resize
            print(f"qt: {message}", file=sys.stderr)

    previous = qInstallMessageHandler(quiet)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from kiosk.ui.gallery import Gallery
    from kiosk.ui.style import load_bundled_fonts

    load_bundled_fonts()
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="kiosk-screens-") as folder:
            gallery = (make_gallery or Gallery)(Path(folder))
            try:
                found, pictures = _render_all(gallery, out, sizes, languages)
            finally:
                gallery.close()
    finally:
        qInstallMessageHandler(previous)
    del app
    _report(found, pictures, time.monotonic() - started)
    return EXIT_MISFITS if found else EXIT_FITS


def _render_all(
    gallery: Gallery, out: Path, sizes: Sequence[tuple[int, int]], languages: Sequence[str]
) -> tuple[list[Found], int]:
    from kiosk.ui.fit_check import misfits
    from kiosk.ui.gallery import settle
    from kiosk.ui.i18n import Language

    window = gallery.window
    window.setMinimumSize(1, 1)  # exactly the panel's size, whatever the layouts would like
    window.show()
    found: list[Found] = []
    writes: list[Future[None]] = []
    shots = gallery.shots()
    with ThreadPoolExecutor(max_workers=2) as writer:  # compressing runs beside the drawing
        for language in languages:
            gallery.set_language(Language(language))
            for width, height in sizes:
                folder = out / language / f"{width}x{height}"
                folder.mkdir(parents=True, exist_ok=True)
                window.resize(width, height)
                for shot in shots:
                    shot.show()
                    settle()
                    size = f"{window.width()}x{window.height()}"
                    found += [
                        (language, size, m) for m in misfits(window, shot.name, gate=shot.gate)
                    ]
                    image = window.grab().toImage()
                    writes.append(writer.submit(write_png, folder / f"{shot.name}.png", image))
        for write in writes:
            write.result()  # an unwritable folder fails the run
    return found, len(writes)


def write_png(path: Path, image: QImage) -> None:
    """A plain RGB PNG, quickly: no filters, the fastest deflate (Qt's writer takes 2-3 times
    as long, and hundreds of pictures are written per run)."""
    import numpy as np
    from PySide6.QtGui import QImage

    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    pixels = np.frombuffer(rgb.constBits(), np.uint8, count=stride * height)
    rows = np.zeros((height, width * 3 + 1), np.uint8)  # each row: filter 0, then the pixels
    rows[:, 1:] = pixels.reshape(height, stride)[:, : width * 3]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(rows.tobytes(), 1)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND")
    )


def _chunk(kind: bytes, body: bytes = b"") -> bytes:
    checksum = zlib.crc32(kind + body)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", checksum)


def _report(found: list[Found], pictures: int, seconds: float) -> None:
    for language, size, misfit in found:
        say(f"{language} {size} {misfit.line()}")
    screens = Counter((language, size, misfit.screen) for language, size, misfit in found)
    say(
        f"kiosk screens: {len(found)} misfits on {len(screens)} of {pictures} pictures"
        f" ({seconds:.1f} s)"
    )
