"""Printable paper codes (纸质健康码): a PDF with the QR, masked name, issuer and validity.

reportlab draws the pages; the QR is drawn as vector squares from segno's matrix, so it prints
sharp at any size. Chinese text uses a TrueType CJK font when one is installed
(WenQuanYi Micro Hei, installed by build/setup.sh) and reportlab's built-in CID font
STSong-Light otherwise, which needs no file. Six codes to an A4 page for a community's batch.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from central.issuance.rules import CHINA_TIME
from healthcode.claims import Colour

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
COLOURS = {
    Colour.GREEN: (0.0, 0.55, 0.25),
    Colour.YELLOW: (0.85, 0.6, 0.0),
    Colour.RED: (0.8, 0.1, 0.1),
}
COLUMNS, ROWS = 2, 3


@dataclass(frozen=True)
class PaperCode:
    qr_text: str
    masked_name: str
    colour: Colour
    issuer_name: str
    expires_at: datetime
    community: str = ""


@cache
def cjk_font() -> str:
    """The name of a registered font that draws Chinese."""
    for path in FONT_CANDIDATES:
        if path.is_file():
            try:
                pdfmetrics.registerFont(TTFont("CJK", str(path), subfontIndex=0))
                return "CJK"
            except Exception:  # noqa: S112 - a damaged font file: try the next, then CID
                continue
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    qr = segno.make(text, error="m", micro=False)
    matrix = list(qr.matrix_iter(scale=1, border=0))
    module = size / len(matrix)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        start = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                canvas.rect(x + start * module, top, (column - start) * module, module, 0, 1)
                start = None


def _cell(canvas: Canvas, code: PaperCode, x: float, y: float, w: float, h: float) -> None:
    font = cjk_font()
    canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
    canvas.setDash(3, 3)
    canvas.rect(x, y, w, h, 1, 0)
    canvas.setDash()
    r, g, b = COLOURS[code.colour]
    canvas.setFillColorRGB(r, g, b)
    canvas.rect(x + 6 * mm, y + h - 16 * mm, w - 12 * mm, 10 * mm, 0, 1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont(font, 14)
    canvas.drawCentredString(
        x + w / 2, y + h - 13 * mm, f"{code.issuer_name}健康码 · {code.colour.label.zh}"
    )
    size = min(w - 24 * mm, h - 46 * mm)
    _qr(canvas, code.qr_text, x + (w - size) / 2, y + 24 * mm, size)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(font, 13)
    canvas.drawCentredString(x + w / 2, y + 17 * mm, f"姓名 {code.masked_name}")
    until = code.expires_at.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
    canvas.setFont(font, 9)
    canvas.drawCentredString(x + w / 2, y + 11 * mm, f"有效期至 {until}（14天）Valid until")
    if code.community:
        canvas.drawCentredString(x + w / 2, y + 6 * mm, code.community)


def render(codes: Sequence[PaperCode], *, title: str = "纸质健康码") -> bytes:
    """A PDF: one code fills a page's cell; six cells an A4 page."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True)
    canvas.setTitle(title)
    canvas.setAuthor("health-code central")
    page_w, page_h = A4
    margin = 10 * mm
    cell_w = (page_w - 2 * margin) / COLUMNS
    cell_h = (page_h - 2 * margin) / ROWS
    if not codes:
        canvas.setFont(cjk_font(), 14)
        canvas.drawString(
            margin, page_h - 2 * margin, "没有需要打印的纸质码 No paper codes to print"
        )
    for index, code in enumerate(codes):
        slot = index % (COLUMNS * ROWS)
        if index and slot == 0:
            canvas.showPage()
        column, row = slot % COLUMNS, slot // COLUMNS
        _cell(
            canvas,
            code,
            margin + column * cell_w,
            page_h - margin - (row + 1) * cell_h,
            cell_w,
            cell_h,
        )
    canvas.showPage()
    canvas.save()
    return out.getvalue()
