"""Textured scenes without a code: what a gate camera sees between people, and what fools a
cheap "is a code here?" test because nearly every pixel is an edge.

Each kind models a scene met at real checkpoints: a wire mesh fence or a grille, woven fabric
(a jacket held close), a printed page (a notice, a newspaper), foliage, a marbled surface (a
counter, a phone cover), a fine noisy pattern (a carpet, gravel), and a phone or monitor showing
other content (a chat, a web page). Every frame is a pure function of the generator given, so
the set stays deterministic; all are 1280x720 BGR float32 before the shared finish (noise,
clipping) in `generate.py`.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

WIDTH, HEIGHT = 1280, 720

TEXTURE_KINDS: tuple[str, ...] = (
    "mesh",
    "fabric",
    "text_page",
    "foliage",
    "marble",
    "fine_noise",
    "screen",
)


def texture_scene(kind: str, rng: np.random.Generator) -> np.ndarray:
    """A 1280x720 BGR float32 scene of `kind` (one of TEXTURE_KINDS), without any code."""
    makers = {
        "mesh": _mesh,
        "fabric": _fabric,
        "text_page": _text_page,
        "foliage": _foliage,
        "marble": _marble,
        "fine_noise": _fine_noise,
        "screen": _screen,
    }
    if kind not in makers:
        raise ValueError(f"unknown texture {kind!r}")
    return np.asarray(makers[kind](rng), dtype=np.float32)


def _blank(level: float, dtype: type = np.float32) -> np.ndarray:
    return np.full((HEIGHT, WIDTH, 3), level, dtype=dtype)


def _mesh(rng: np.random.Generator) -> np.ndarray:
    """A wire fence or grille seen at an angle: two families of dark lines, 6-18 px apart."""
    img = _blank(float(rng.uniform(120, 220)))
    pitch = float(rng.uniform(6, 18))
    thickness = int(rng.integers(1, 4))
    angle = math.radians(float(rng.uniform(0, 90)))
    wire = tuple(float(c) for c in rng.uniform(10, 70, size=3))
    reach = int(math.hypot(WIDTH, HEIGHT))
    for turn in (angle, angle + math.radians(float(rng.uniform(60, 120)))):
        dx, dy = math.cos(turn), math.sin(turn)
        nx, ny = -dy, dx
        for k in range(-reach // int(pitch) - 1, reach // int(pitch) + 1):
            cx, cy = WIDTH / 2 + nx * k * pitch, HEIGHT / 2 + ny * k * pitch
            p0 = (int(cx - dx * reach), int(cy - dy * reach))
            p1 = (int(cx + dx * reach), int(cy + dy * reach))
            cv2.line(img, p0, p1, wire, thickness, cv2.LINE_AA)
    # Perspective: the fence recedes.
    src = np.array([[0, 0], [WIDTH, 0], [WIDTH, HEIGHT], [0, HEIGHT]], dtype=np.float32)
    squeeze = float(rng.uniform(0, 0.3)) * HEIGHT
    dst = np.array(
        [[0, squeeze], [WIDTH, 0], [WIDTH, HEIGHT], [0, HEIGHT - squeeze]], dtype=np.float32
    )
    warp = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(img, warp, (WIDTH, HEIGHT), borderMode=cv2.BORDER_REFLECT)


def _fabric(rng: np.random.Generator) -> np.ndarray:
    """Woven cloth: a fine twill of alternating threads, folds as slow shading."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    pitch = float(rng.uniform(3, 8))
    warp_threads = np.sin(2 * np.pi * (xx + yy * 0.5) / pitch)
    weft_threads = np.sin(2 * np.pi * (yy - xx * 0.3) / (pitch * 1.3))
    weave = 0.5 + 0.25 * warp_threads + 0.25 * weft_threads
    folds = 0.75 + 0.25 * np.sin(xx / float(rng.uniform(60, 200)) + np.cos(yy / 90.0))
    colour = rng.uniform(40, 220, size=3).astype(np.float32)
    return (weave * folds)[:, :, None] * colour[None, None, :]


CHAT_LINE = "ok see you at gate 3 tomorrow 8:00"
_GLYPH_STROKES = 5  # strokes per made-up Chinese-like glyph


def _text_page(rng: np.random.Generator) -> np.ndarray:
    """A printed notice: rows of dense glyphs (Latin words and Chinese-like blocks)."""
    img = _blank(float(rng.uniform(200, 245)), np.uint8)  # OpenCV draws text on 8 bits
    ink = (20.0, 20.0, 20.0)
    size = int(rng.integers(14, 30))  # glyph height in pixels
    y = int(rng.integers(20, 50))
    while y < HEIGHT - 10:
        x = int(rng.integers(20, 60))
        if rng.random() < 0.4:
            lengths = rng.integers(2, 9, size=12)
            letters = [rng.integers(97, 123, size=int(n)) for n in lengths]
            words = " ".join("".join(chr(int(c)) for c in word) for word in letters)
            cv2.putText(img, words, (x, y + size), cv2.FONT_HERSHEY_SIMPLEX, size / 30, ink, 1)
        else:
            while x < WIDTH - size:
                for _ in range(_GLYPH_STROKES):
                    a = (x + int(rng.integers(0, size)), y + int(rng.integers(0, size)))
                    horizontal = rng.random() < 0.5
                    b = (x + size - 2, a[1]) if horizontal else (a[0], y + size - 2)
                    cv2.line(img, a, b, ink, max(1, size // 12))
                x += int(size * 1.15)
        y += int(size * 1.6)
    return cv2.GaussianBlur(img, (0, 0), 0.8)


def _foliage(rng: np.random.Generator) -> np.ndarray:
    """Leaves in a hedge: many small overlapping ellipses in greens, light and shade."""
    img = _blank(float(rng.uniform(20, 60)))
    for _ in range(int(rng.integers(2500, 4000))):
        centre = (int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT)))
        axes = (int(rng.integers(6, 26)), int(rng.integers(3, 10)))
        green = float(rng.uniform(60, 200))
        colour = (green * float(rng.uniform(0.2, 0.5)), green, green * float(rng.uniform(0.3, 0.7)))
        cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1)
    return cv2.GaussianBlur(img, (0, 0), 0.7)


def _marble(rng: np.random.Generator) -> np.ndarray:
    """A marbled cover or counter: turbulent veins over a pale ground."""
    small_h, small_w = HEIGHT // 8, WIDTH // 8
    turbulence = np.zeros((HEIGHT, WIDTH), dtype=np.float32)
    for octave in range(5):
        scale = 2**octave
        noise = rng.uniform(-1, 1, size=(small_h * scale // 4 + 2, small_w * scale // 4 + 2))
        layer = cv2.resize(noise.astype(np.float32), (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
        turbulence += np.abs(layer) / scale
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    veins = np.abs(np.sin((xx * 0.02 + yy * 0.01) + 6.0 * turbulence)) ** 0.3
    ground = rng.uniform(150, 235, size=3).astype(np.float32)
    vein = rng.uniform(20, 90, size=3).astype(np.float32)
    mix = veins[:, :, None]
    return mix * ground[None, None, :] + (1 - mix) * vein[None, None, :]


def _fine_noise(rng: np.random.Generator) -> np.ndarray:
    """A carpet or gravel: blotches of 2-6 px in two or three tones, no structure."""
    cell = int(rng.integers(2, 7))
    tones = rng.uniform(20, 230, size=(int(rng.integers(2, 4)), 3)).astype(np.float32)
    picks = rng.integers(0, len(tones), size=(HEIGHT // cell + 1, WIDTH // cell + 1))
    blotches = tones[picks]
    img = cv2.resize(blotches, (WIDTH, HEIGHT), interpolation=cv2.INTER_NEAREST)
    return cv2.GaussianBlur(img, (0, 0), 0.6)


def _screen(rng: np.random.Generator) -> np.ndarray:
    """A phone held up showing something else: a chat or a page of small text and pictures,
    with the moire a camera sees on a screen."""
    img = _blank(float(rng.uniform(30, 90)), np.uint8)  # OpenCV draws text on 8 bits
    phone_w, phone_h = int(rng.integers(360, 520)), int(rng.integers(560, 700))
    x0, y0 = int(rng.integers(0, WIDTH - phone_w)), (HEIGHT - phone_h) // 2
    cv2.rectangle(img, (x0, y0), (x0 + phone_w, y0 + phone_h), (15, 15, 15), -1)
    sx0, sy0, sx1, sy1 = x0 + 16, y0 + 40, x0 + phone_w - 16, y0 + phone_h - 40
    cv2.rectangle(img, (sx0, sy0), (sx1, sy1), (238, 238, 238), -1)
    y = sy0 + 10
    while y < sy1 - 40:
        bubble_w = int(rng.integers(120, sx1 - sx0 - 20))
        left = rng.random() < 0.5
        bx0 = sx0 + 10 if left else sx1 - 10 - bubble_w
        bh = int(rng.integers(30, 80))
        colour = (255.0, 255.0, 255.0) if left else (120.0, 230.0, 150.0)
        cv2.rectangle(img, (bx0, y), (bx0 + bubble_w, min(y + bh, sy1)), colour, -1)
        for line_y in range(y + 14, min(y + bh, sy1) - 4, 14):
            cv2.putText(
                img,
                CHAT_LINE,
                (bx0 + 6, line_y),
                cv2.FONT_HERSHEY_PLAIN,
                0.8,
                (30, 30, 30),
                1,
            )
        if rng.random() < 0.2:  # a photo in the chat: a busy picture
            ph = min(int(rng.integers(60, 140)), sy1 - y - 10)
            if ph > 10:
                patch = rng.integers(0, 256, size=(ph // 4 + 1, bubble_w // 4 + 1, 3))
                photo = cv2.resize(
                    patch.astype(np.uint8), (bubble_w, ph), interpolation=cv2.INTER_LINEAR
                )
                img[y : y + ph, bx0 : bx0 + bubble_w] = photo
        y += bh + 12
    # The screen's pixel grid beating against the sensor's: a faint moire over the screen.
    yy, xx = np.mgrid[sy0:sy1, sx0:sx1].astype(np.float32)
    screen = img.astype(np.float32)
    beat = 1.0 + 0.08 * np.sin(2 * np.pi * (xx * 0.31 + yy * 0.07))
    screen[sy0:sy1, sx0:sx1] *= beat[:, :, None]
    return screen
