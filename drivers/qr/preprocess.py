"""Cheap image steps for the QR pipeline: grayscale, a code-presence test with its region of
interest, contrast normalisation for dim frames, inversion for dark-mode screens.

Everything here is a pure function of a uint8 image, costs well under a millisecond on a
1280x720 frame, and exists because a measurement showed it pays (docs/drivers-camera-qr.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

Gray = npt.NDArray[np.uint8]
Frame = npt.NDArray[np.uint8]

# The presence test works on a quarter-size image: one module of a code at a realistic distance
# (>= 4 px) is still >= 1 px there, and the whole test costs ~0.5 ms.
PRESENCE_SCALE = 4
# A pixel is "busy" when its 3x3 morphological gradient is at least this (0-255 scale).
BUSY_GRADIENT = 16
# Side of the window, in quarter-size pixels (31 -> 124 camera pixels), over which a code
# keeps nearly every pixel busy; clutter (text, edges, lines) rarely does.
PRESENCE_WINDOW = 31
# Busy fraction above which a code is probably there. Measured on the generated set: codes
# score >= 0.9 (dim ones ~0.8), frames without a code 0.6-0.85 with rare outliers.
PRESENCE_THRESHOLD = 0.88
# The largest share of the frame a code's dense patch can cover when the fallbacks are worth
# running. A texture (mesh, fabric, foliage, carpet, a printed page) is busy everywhere, so its
# patch spreads over most of the frame. Measured (bench/qr_decode.py, seeds 1-2): every code a
# fallback rescued had a patch of <= 0.29 of the frame; 45 of 60 textured scenes covered 1.0.
# A code held so close that it fills more is large and sharp: the fast pass reads it.
MAX_CODE_REGION_FRACTION = 0.45


def _u8(image: object) -> Gray:
    """OpenCV's results typed as what they are: uint8 arrays (no copy)."""
    return np.asarray(image, dtype=np.uint8)


def to_gray(frame: Frame) -> Gray:
    """A camera frame (BGR, BGRA or already gray) as one uint8 channel."""
    if frame.ndim == 2:
        return frame
    channels = frame.shape[2]
    if channels == 1:
        return frame[:, :, 0]
    code = cv2.COLOR_BGRA2GRAY if channels == 4 else cv2.COLOR_BGR2GRAY
    return _u8(cv2.cvtColor(frame, code))


def invert(gray: Gray) -> Gray:
    """Light modules on a dark ground (dark-mode apps) become a normal code."""
    return _u8(cv2.bitwise_not(gray))


def stretch_contrast(gray: Gray, low_pct: float = 1.0, high_pct: float = 99.0) -> Gray:
    """Map the `low_pct`..`high_pct` percentile range to 0..255: a dim or washed-out frame
    gets the full range back. A flat image is returned unchanged."""
    lo, hi = np.percentile(gray, (low_pct, high_pct))
    if hi - lo < 4:
        return gray
    scale = 255.0 / float(hi - lo)
    return _u8(cv2.convertScaleAbs(gray, alpha=scale, beta=-float(lo) * scale))


def is_dim(gray: Gray, bright_level: int = 90) -> bool:
    """True when even the brightest 1 % of the image stays below `bright_level`."""
    return bool(np.percentile(gray, 99) < bright_level)


def smooth(gray: Gray, sigma_px: float = 1.0) -> Gray:
    """A light Gaussian blur: joins the halves of a module split by a paper crease and evens
    out sensor noise before binarisation."""
    return _u8(cv2.GaussianBlur(gray, (0, 0), sigma_px))


@dataclass(frozen=True)
class Presence:
    """Whether a code is probably in the frame, and where (x, y, w, h in frame pixels)."""

    score: float
    likely: bool
    box: tuple[int, int, int, int] | None


def detect_presence(
    gray: Gray,
    *,
    threshold: float = PRESENCE_THRESHOLD,
    window: int = PRESENCE_WINDOW,
    margin_px: int = 24,
    max_region_fraction: float = MAX_CODE_REGION_FRACTION,
) -> Presence:
    """A cheap test for a QR-like region: a patch where nearly every pixel is an edge, no
    larger than a code can be (a texture's busy patch covers most of the frame).

    Used only after the fast decode found nothing, so frames without a code skip the
    fallbacks; `box` is the region of interest the fallbacks work on."""
    h, w = gray.shape[:2]
    sw, sh = max(1, w // PRESENCE_SCALE), max(1, h // PRESENCE_SCALE)
    small = _u8(cv2.resize(gray, (sw, sh), interpolation=cv2.INTER_AREA))
    if is_dim(small):
        small = stretch_contrast(small)
    grad = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    busy = (grad >= BUSY_GRADIENT).astype(np.float32)
    win = max(3, min(window, sw, sh))
    density = cv2.boxFilter(busy, -1, (win, win))
    _, score, _, (mx, my) = cv2.minMaxLoc(density)
    if score < threshold:
        return Presence(float(score), False, None)
    # The region: the connected patch of dense windows around the best one.
    mask = (density >= score * 0.8).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    x, y, bw, bh, _area = (int(v) for v in stats[labels[my, mx]])
    half = win // 2
    x0 = max(0, (x - half) * PRESENCE_SCALE - margin_px)
    y0 = max(0, (y - half) * PRESENCE_SCALE - margin_px)
    x1 = min(w, (x + bw + half) * PRESENCE_SCALE + margin_px)
    y1 = min(h, (y + bh + half) * PRESENCE_SCALE + margin_px)
    if (x1 - x0) * (y1 - y0) > max_region_fraction * w * h:
        return Presence(float(score), False, None)  # busy everywhere: a texture, not a code
    return Presence(float(score), True, (x0, y0, x1 - x0, y1 - y0))


def crop(gray: Gray, box: tuple[int, int, int, int] | None) -> Gray:
    """The region `box` (x, y, w, h) of the image; the whole image when `box` is None."""
    if box is None:
        return gray
    x, y, w, h = box
    return gray[y : y + h, x : x + w]
