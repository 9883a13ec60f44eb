"""One look for every screen: outcome colours, big type, touch targets for gloved hands.

Meaning is never carried by colour alone: every colour comes with a word and an icon glyph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontDatabase

from kiosk.checkpoint.outcome import Outcome

# Touch targets: at least 15 mm; at ~96 dpi that is about 60 px. Gloves need more.
TOUCH_TARGET_PX = 88
SPACING_PX = 16
# What gloves need: 15 mm on a 10.1" 1280x800 panel is about 90 px, in the smaller dimension of
# everything touched (the staff screens' buttons, fields, tabs, rows, check boxes).
GLOVE_TARGET_PX = 90

FONT_FAMILIES = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC"]


@dataclass(frozen=True)
class OutcomeLook:
    background: str
    foreground: str
    glyph: str  # shown next to the word: shape as well as colour


OUTCOME_LOOKS = {
    Outcome.PASS: OutcomeLook("#1B873F", "#FFFFFF", "✔"),
    Outcome.DENY: OutcomeLook("#C62828", "#FFFFFF", "✖"),
    Outcome.REFER: OutcomeLook("#E65100", "#FFFFFF", "⚠"),
    Outcome.MANUAL_CHECK: OutcomeLook("#F9A825", "#1A1A1A", "?"),
}

# A yellow code that decided the result: the code's own yellow, dark words for contrast, with
# the word and glyph of the verdict the checkpoint's policy gives it (not plain red).
YELLOW_CODE_LOOK = OutcomeLook("#FFD600", "#1A1A1A", "")
# A repeat or a possibly shared screenshot: one strip, the same on every background.
WARNING_STRIP_STYLE = (
    "background: #1A1A1A; color: #FFD600; border: 3px solid #FFD600; border-radius: 10px;"
    " padding: 6px 18px;"
)

STATUS_OK = "#1B873F"
STATUS_WARN = "#F9A825"
STATUS_BAD = "#C62828"
STATUS_OFF = "#757575"
STATUS_OK_ON_DARK = "#66BB6A"  # the healthy glyph on the status bar's dark ground
STATUS_BAR_BACKGROUND = "#263238"
SURFACE = "#F4F6F8"
TEXT = "#1A1A1A"


def font(point_size: int, *, bold: bool = False) -> QFont:
    chosen = QFont()
    chosen.setFamilies(FONT_FAMILIES)
    chosen.setPointSize(point_size)
    chosen.setBold(bold)
    return chosen


def pixel_font(pixel_size: int, *, bold: bool = False) -> QFont:
    """A font by its height on the panel, where a minimum in pixels is what was asked for."""
    chosen = font(12, bold=bold)
    chosen.setPixelSize(pixel_size)
    return chosen


# Type scale (points): the result word must read from two metres.
RESULT_WORD_PT = 96
RESULT_DETAIL_PT = 30
RESULT_REASON_PT = 34  # the deciding reason: ~45 px, readable from 2 m
RESULT_FIGURES_PT = 40  # masked name and temperature
RESULT_MORE_PT = 24  # further reasons, at most two lines
PROMPT_PT = 40
BODY_PT = 20
BUTTON_PT = 22
STATUS_PT = 14
# The scan screen's health: readable at a glance from where staff stand.
STATUS_PX = 22  # the status bar: at least 20 px
BANNER_PX = 30  # the one banner that says what staff must do


def colour(value: str) -> QColor:
    return QColor(value)


BUTTON_STYLE = (
    f"QPushButton {{ min-height: {TOUCH_TARGET_PX}px; min-width: {TOUCH_TARGET_PX * 2}px;"
    f" font-size: {BUTTON_PT}pt; border-radius: 10px; padding: 8px 20px;"
    f" background: #FFFFFF; border: 2px solid #90A4AE; color: {TEXT}; }}"
    " QPushButton:pressed { background: #CFD8DC; }"
    " QPushButton:disabled { color: #9E9E9E; border-color: #CFD8DC; }"
)


# Toggles (direction, trip reason, override outcome): the chosen one shows by shape, not only
# by colour: a heavy frame and a tick before its label (kiosk.ui.toggle draws the tick). Frame
# and padding add up to the same in both states, so nothing moves when one is chosen.
TICK = "✓"
TOGGLE_FRAME_PX = 2
TOGGLE_SELECTED_FRAME_PX = 5
TOGGLE_SELECTED_FRAME = "#0D47A1"  # dark on the light fill: shows in grey levels too
TOGGLE_SELECTED_FILL = "#BBDEFB"
_PAD_Y, _PAD_X = 8, 20  # BUTTON_STYLE's padding; a toggle's frame plus padding matches it
_GROW = TOGGLE_SELECTED_FRAME_PX - TOGGLE_FRAME_PX

TOGGLE_STYLE = (
    f"QPushButton {{ min-height: {TOUCH_TARGET_PX}px; min-width: {TOUCH_TARGET_PX * 2}px;"
    f" font-size: {BUTTON_PT}pt; border-radius: 10px; padding: {_PAD_Y}px {_PAD_X}px;"
    f" background: #FFFFFF; border: {TOGGLE_FRAME_PX}px solid #90A4AE; color: {TEXT}; }}"
    " QPushButton:pressed { background: #CFD8DC; }"
    f" QPushButton:checked {{ background: {TOGGLE_SELECTED_FILL};"
    f" border: {TOGGLE_SELECTED_FRAME_PX}px solid {TOGGLE_SELECTED_FRAME};"
    f" padding: {_PAD_Y - _GROW}px {_PAD_X - _GROW}px; }}"
    " QPushButton:disabled { color: #9E9E9E; border-color: #CFD8DC; }"
)


def check_style(indicator_px: int, height_px: int) -> str:
    """An on/off setting's box: large enough for a gloved finger (kiosk.ui.toggle.ToggleCheckBox
    adds the heavy frame when ticked)."""
    return (
        f"QCheckBox::indicator {{ width: {indicator_px}px; height: {indicator_px}px; }}"
        f" QCheckBox {{ min-height: {height_px}px; }}"
    )


FONTS_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"


def load_bundled_fonts(folder: Path = FONTS_DIR) -> list[str]:
    """Register the fonts that travel with the kiosk (the bundle carries a Chinese font), so
    Chinese shows even on a box without one installed; the families loaded."""
    families: list[str] = []
    for path in sorted(folder.glob("*.tt[cf]")) if folder.is_dir() else []:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    return families


# ---------------------------------------------------------------- the gate screens' layouts
# Scan and result screens arrange themselves by the panel (kiosk.app.viewstate.ScreenLayout);
# their touch targets are this tall in every layout (15 mm on a 10.1" 1280x800 panel).
GATE_TARGET_PX = 92
# The bundled Chinese font has no bold face: Qt draws bold by emboldening, which it stops doing
# above 46 pt (64 px), so bold words larger than this come out thin.
MAX_BOLD_PT = 46
PROGRESS_PX = 28  # the progress strip's words


@dataclass(frozen=True)
class GateType:
    """Type sizes of the scan screen for one layout."""

    prompt_pt: int
    button_pt: int
    progress_px: int
    status_px: int
    spacing_px: int


GATE_TYPES = {
    "landscape": GateType(
        prompt_pt=PROMPT_PT, button_pt=BUTTON_PT, progress_px=28, status_px=22, spacing_px=10
    ),
    "compact": GateType(prompt_pt=30, button_pt=15, progress_px=24, status_px=20, spacing_px=6),
    "portrait": GateType(
        prompt_pt=PROMPT_PT, button_pt=BUTTON_PT, progress_px=28, status_px=22, spacing_px=12
    ),
}


def gate_button_style(point_size: int, *, toggle: bool = False, frame: str = "#90A4AE") -> str:
    """A touch button (or toggle) GATE_TARGET_PX tall overall: the frame and padding are counted
    into its height, so a smaller font keeps the target."""
    pad_y, pad_x = 8, 14
    inner = GATE_TARGET_PX - 2 * (pad_y + TOGGLE_FRAME_PX)
    rules = (
        f"QPushButton {{ min-height: {inner}px; min-width: {GATE_TARGET_PX - 2 * pad_x}px;"
        f" font-size: {point_size}pt; border-radius: 10px; padding: {pad_y}px {pad_x}px;"
        f" background: #FFFFFF; border: {TOGGLE_FRAME_PX}px solid {frame}; color: {TEXT}; }}"
        " QPushButton:pressed { background: #CFD8DC; }"
        " QPushButton:disabled { color: #9E9E9E; border-color: #CFD8DC; }"
    )
    if toggle:
        rules += (
            f" QPushButton:checked {{ background: {TOGGLE_SELECTED_FILL};"
            f" border: {TOGGLE_SELECTED_FRAME_PX}px solid {TOGGLE_SELECTED_FRAME};"
            f" padding: {pad_y - _GROW}px {pad_x - _GROW}px; }}"
        )
    return rules
