"""Generate the QR test set: 1280x720 camera-like frames of real `JKM1:` codes, by category.

Every frame is a pure function of (category, index, seed), so tests and the bench see the same
frames without committing images. Each category models one thing that goes wrong at a real
checkpoint; the parameters below are documented where they are drawn.

    python tests/qrset/generate.py OUT_DIR [--per-category N] [--seed S]

writes OUT_DIR/<category>/<index>.png plus OUT_DIR/labels.json (file -> expected text or null).
"""

from __future__ import annotations

import argparse
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import segno
from cryptography.hazmat.primitives.asymmetric import ed25519

from healthcode import jkm
from healthcode.claims import CodeKind, Colour
from healthcode.keys import SigningKey
from tests.qrset.textures import TEXTURE_KINDS, texture_scene

WIDTH, HEIGHT = 1280, 720

CATEGORIES: tuple[str, ...] = (
    "clean",
    "blurred",
    "rotated",
    "perspective",
    "small",
    "low_light",
    "glare",
    "noise",
    "inverted",
    "creased",
    "moire",
    "jpeg",
    "empty",
    "textured",
)
# Categories whose frames hold no code: the pipeline must give no text, and stay cheap.
WITHOUT_CODE: frozenset[str] = frozenset({"empty", "textured"})

_NAMES = ("张三丰", "李小龙", "王芳", "欧阳娜娜", "赵敏", "陈一")


@dataclass(frozen=True)
class Sample:
    """One frame of the set: BGR pixels and the text it holds (None for frames without a code)."""

    category: str
    index: int
    frame: np.ndarray
    text: str | None


@lru_cache(maxsize=4)
def _key(seed: int) -> SigningKey:
    seed32 = random.Random(f"key-{seed}").randbytes(32)
    return SigningKey.from_private(ed25519.Ed25519PrivateKey.from_private_bytes(seed32))


def make_text(rng: random.Random, seed: int = 0) -> str:
    """A real, signed `JKM1:` code (about 260 characters, QR version 9-10 at level M)."""
    claims = jkm.claims_for_person(
        issuer=rng.choice(("610000", "110000", "440300")),
        code_id=rng.randbytes(16),
        colour=rng.choice((Colour.GREEN, Colour.GREEN, Colour.YELLOW, Colour.RED)),
        colour_seq=rng.randint(1, 9),
        kind=rng.choice((CodeKind.APP, CodeKind.PAPER)),
        full_name=rng.choice(_NAMES),
        id_number="11010519491231002X",
        binding_key=rng.randbytes(32),
        now=datetime(2026, 11, 23, 8, rng.randint(0, 59), tzinfo=UTC),
    )
    return jkm.issue(claims, _key(seed))


def code_image(
    text: str, module_px: int = 8, dark: bool = False, mask: int | None = None
) -> np.ndarray:
    """The code drawn flat: `module_px` pixels per module, a 4-module quiet zone, uint8 gray.

    `mask` fixes the QR mask pattern (any is valid; choosing skips segno's slow scoring)."""
    qr = segno.make(text, error="m", micro=False, mask=mask)
    matrix = np.array([list(row) for row in qr.matrix], dtype=bool)
    matrix = np.pad(matrix, 4, constant_values=False)
    img = np.where(matrix, 0, 255).astype(np.uint8)
    if dark:
        img = 255 - img
    return np.kron(img, np.ones((module_px, module_px), dtype=np.uint8))


def _background(rng: np.random.Generator) -> np.ndarray:
    """A cluttered scene: a lit gradient, blocks and lines (a hall, a counter, a jacket)."""
    base = rng.uniform(60, 180)
    gx = np.linspace(0, rng.uniform(-60, 60), WIDTH, dtype=np.float32)
    gy = np.linspace(0, rng.uniform(-50, 50), HEIGHT, dtype=np.float32)
    gray = base + gx[None, :] + gy[:, None]
    tint = rng.uniform(0.8, 1.2, size=3).astype(np.float32)
    img = cv2.convertScaleAbs(gray[:, :, None] * tint)  # saturates to uint8, all >= 0
    for _ in range(int(rng.integers(4, 12))):
        x0, y0 = int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT))
        w, h = int(rng.integers(40, 400)), int(rng.integers(40, 300))
        colour = tuple(float(c) for c in rng.uniform(0, 255, size=3))
        cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), colour, -1)
    for _ in range(int(rng.integers(3, 10))):
        p0 = (int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT)))
        p1 = (int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT)))
        colour = tuple(float(c) for c in rng.uniform(0, 255, size=3))
        cv2.line(img, p0, p1, colour, int(rng.integers(1, 6)))
    for _ in range(int(rng.integers(0, 4))):
        org = (int(rng.integers(0, WIDTH - 200)), int(rng.integers(30, HEIGHT)))
        cv2.putText(img, "EXIT B2 GATE 3", org, cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 2)
    return cv2.GaussianBlur(img, (0, 0), 1.5).astype(np.float32)


def _quad(rng: np.random.Generator, size_px: float, angle_deg: float, tilt: float) -> np.ndarray:
    """Destination corners of the code: a square of `size_px` turned by `angle_deg`, with a
    perspective `tilt` (0 = facing the camera; 0.35 = one edge about 35 % shorter)."""
    cx = rng.uniform(size_px * 0.75, WIDTH - size_px * 0.75)
    cy = rng.uniform(size_px * 0.75, HEIGHT - size_px * 0.75)
    h = size_px / 2
    pts = np.array([[-h, -h], [h, -h], [h, h], [-h, h]], dtype=np.float32)
    if tilt > 0:
        side = int(rng.integers(0, 4))
        shrink = 1.0 - tilt
        # Shorten one edge (the far edge of a tilted phone) around its midpoint.
        a, b = side, (side + 1) % 4
        mid = (pts[a] + pts[b]) / 2
        pts[a] = mid + (pts[a] - mid) * shrink
        pts[b] = mid + (pts[b] - mid) * shrink
    t = math.radians(angle_deg)
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]], dtype=np.float32)
    pts = pts @ rot.T
    pts += np.array([cx, cy], dtype=np.float32)
    return pts.astype(np.float32)


def _place(
    scene: np.ndarray, code: np.ndarray, quad: np.ndarray, surround: float | None = None
) -> np.ndarray:
    """Warp the flat code onto `quad` in the scene (bilinear, as a lens would blur the edges).

    `surround` draws a phone body of that gray level around the code first."""
    n = code.shape[0]
    src = np.array([[0, 0], [n, 0], [n, n], [0, n]], dtype=np.float32)
    if surround is not None:
        centre = quad.mean(axis=0)
        body = centre + (quad - centre) * np.array([1.25, 1.25], dtype=np.float32)
        cv2.fillConvexPoly(scene, body.astype(np.int32), (surround, surround, surround))
    m = cv2.getPerspectiveTransform(src, quad)
    warped = cv2.warpPerspective(code.astype(np.float32), m, (WIDTH, HEIGHT), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(
        np.ones_like(code, dtype=np.float32), m, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR
    )
    out = scene * (1 - mask[:, :, None]) + warped[:, :, None] * mask[:, :, None]
    return out


def _noise(img: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    # OpenCV's generator is several times faster than numpy's here; seeded from `rng`, so the
    # set stays deterministic (generate from one thread).
    noise = np.empty(img.shape, dtype=np.float32)
    cv2.setRNGSeed(int(rng.integers(0, 2**31)))
    cv2.randn(noise, (0.0, 0.0, 0.0), (sigma, sigma, sigma))
    noise += img
    return noise


def _crease(code: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Creased paper: 1-3 folds, each a line across the code where the paper bends: one side is
    shaded 20-45 % darker and shifted by up to 1.5 % of the width, plus a thin dark crease."""
    out = code.astype(np.float32)
    n = out.shape[0]
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    for _ in range(int(rng.integers(1, 4))):
        theta = rng.uniform(0, math.pi)
        nx, ny = math.cos(theta), math.sin(theta)
        offset = rng.uniform(0.3, 0.7) * n
        d = (xx - n / 2) * nx + (yy - n / 2) * ny + n / 2 - offset
        side = d > 0
        shift = rng.uniform(-0.015, 0.015) * n
        mx = (xx + side * shift * nx).astype(np.float32)
        my = (yy + side * shift * ny).astype(np.float32)
        out = cv2.remap(out, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        shade = 1.0 - side * rng.uniform(0.2, 0.45)
        crease = 1.0 - 0.5 * np.exp(-((d / (0.004 * n + 1)) ** 2))
        out = out * shade * crease
    # Paper is not white: a warm gray with a little texture.
    out = out * rng.uniform(0.75, 0.95) + rng.uniform(10, 30)
    return out


def _moire(code: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A code on a phone screen filmed by a camera: the sub-pixel grid beats with the sensor,
    giving a sinusoidal interference at 2-6 pixel periods with 15-35 % depth."""
    n = code.shape[0]
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    out = code.astype(np.float32) * 0.85 + 25
    for _ in range(2):
        period = rng.uniform(2.0, 6.0)
        theta = rng.uniform(0, math.pi)
        phase = (xx * math.cos(theta) + yy * math.sin(theta)) * (2 * math.pi / period)
        out *= 1 - rng.uniform(0.15, 0.35) * (0.5 + 0.5 * np.sin(phase))
    return out


def _glare(img: np.ndarray, quad: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A reflection on a phone screen: a soft ellipse, saturating at its core (3-8 % of the
    code's area), off-centre, with a faint veil around: EC level M can still recover the data."""
    centre = quad.mean(axis=0)
    size = float(np.linalg.norm(quad[0] - quad[1]))
    cx = centre[0] + rng.uniform(-0.25, 0.25) * size
    cy = centre[1] + rng.uniform(-0.25, 0.25) * size
    area_frac = rng.uniform(0.03, 0.08)
    a = size * math.sqrt(area_frac / math.pi) * rng.uniform(1.0, 1.6)
    b = size * size * area_frac / (math.pi * a)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    t = rng.uniform(0, math.pi)
    u = (xx - cx) * math.cos(t) + (yy - cy) * math.sin(t)
    v = -(xx - cx) * math.sin(t) + (yy - cy) * math.cos(t)
    r2 = (u / a) ** 2 + (v / b) ** 2
    # Saturating inside the ellipse, fading out over a short halo, with a faint veil around.
    light = np.clip(1.0 - 0.8 * (r2 - 1.0), 0, 1) * 255 * rng.uniform(0.9, 1.1)
    veil = np.exp(-r2 / 6) * rng.uniform(20, 50)
    return img + (light + veil)[:, :, None]


def make_sample(category: str, index: int, seed: int = 0) -> Sample:
    """Frame `index` of `category`: deterministic in (category, index, seed)."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    tag = f"{seed}-{category}-{index}"
    rng = np.random.default_rng(random.Random(tag).getrandbits(64))
    text_rng = random.Random(f"text-{tag}")
    if category == "textured":
        # Textured scenes rotate through the kinds, so any N >= 7 frames hold every kind.
        kind = TEXTURE_KINDS[index % len(TEXTURE_KINDS)]
        frame = _noise(texture_scene(kind, rng), rng, rng.uniform(1.5, 5))
        return Sample(category, index, _finish(frame), None)
    scene = _background(rng)
    if category == "empty":
        # Clutter that could fool a finder: checkerboards, nested squares, text.
        for _ in range(int(rng.integers(0, 3))):
            x0, y0 = int(rng.integers(0, WIDTH - 200)), int(rng.integers(0, HEIGHT - 200))
            sq = int(rng.integers(8, 30))
            board = (np.indices((6, 6)).sum(axis=0) % 2) * 255
            tile = np.kron(board, np.ones((sq, sq))).astype(np.float32)
            h, w = tile.shape
            h, w = min(h, HEIGHT - y0), min(w, WIDTH - x0)
            scene[y0 : y0 + h, x0 : x0 + w] = tile[:h, :w, None]
        frame = _noise(scene, rng, rng.uniform(2, 10))
        return Sample(category, index, _finish(frame), None)

    text = make_text(text_rng, seed)
    size = rng.uniform(260, 420)
    angle = rng.uniform(-12, 12)
    tilt = 0.0
    dark = False
    surround: float | None = float(rng.uniform(10, 60))  # the phone's body
    mask = int(rng.integers(0, 8))
    code: np.ndarray = code_image(text, 8, mask=mask).astype(np.float32)

    if category == "rotated":
        angle = rng.uniform(0, 360)
    elif category == "perspective":
        tilt = rng.uniform(0.2, 0.4)
        angle = rng.uniform(0, 360)
    elif category == "small":
        # 1.8-2.5 camera pixels per module: a code held far away (version 9 is 53 modules
        # plus the quiet zone).
        size = 61 * rng.uniform(1.8, 2.5)
    elif category == "inverted":
        dark = True
        code = code_image(text, 8, dark=True, mask=mask).astype(np.float32) * rng.uniform(0.7, 0.95)
        surround = float(rng.uniform(0, 25))
    elif category == "creased":
        code = _crease(code_image(text, 8, mask=mask), rng)
        surround = None  # paper held in a hand, no phone
    elif category == "moire":
        code = _moire(code_image(text, 8, mask=mask), rng)

    quad = _quad(rng, size, angle, tilt)
    img = _place(scene, code, quad, surround)

    if category == "blurred":
        # Out of focus (Gaussian, sigma 1.4-2.6 px) or moving (a 7-13 px motion streak).
        if rng.random() < 0.5:
            img = cv2.GaussianBlur(img, (0, 0), rng.uniform(1.4, 2.6))
        else:
            k = int(rng.integers(7, 14))
            kernel = np.zeros((k, k), dtype=np.float32)
            kernel[k // 2, :] = 1.0 / k
            rot = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1)
            kernel = cv2.warpAffine(kernel, rot, (k, k))
            kernel /= kernel.sum()
            img = cv2.filter2D(img, -1, kernel)
    elif category == "low_light":
        # A dim hall at night: 8-20 % of the light, gamma 1.2, sensor noise sigma 2-4.
        img = (img / 255.0) ** 1.2 * 255 * rng.uniform(0.08, 0.2)
        img = _noise(img, rng, rng.uniform(2, 4))
    elif category == "glare":
        img = _glare(img, quad, rng)
    elif category == "noise":
        # A cheap sensor at high gain: Gaussian noise sigma 25-45 (on 0-255).
        img = _noise(img, rng, rng.uniform(25, 45))
    elif category == "jpeg":
        # Heavy compression (quality 8-20), as from a cheap IP camera or a forwarded screenshot.
        img = _noise(img, rng, 3)
        quality = int(rng.integers(8, 21))
        ok, buf = cv2.imencode(".jpg", _finish(img), [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        return Sample(category, index, cv2.imdecode(buf, cv2.IMREAD_COLOR), text)

    if category not in ("low_light", "noise"):
        img = _noise(img, rng, rng.uniform(1.5, 4))
    del dark
    return Sample(category, index, _finish(img), text)


def _finish(img: np.ndarray) -> np.ndarray:
    return np.clip(img, 0, 255, out=img).astype(np.uint8)


def iter_samples(
    per_category: int, seed: int = 0, categories: tuple[str, ...] = CATEGORIES
) -> Iterator[Sample]:
    """`per_category` frames of each category, in category order."""
    for category in categories:
        for index in range(per_category):
            yield make_sample(category, index, seed)


@lru_cache(maxsize=8)
def sample_set(per_category: int, seed: int = 0) -> tuple[Sample, ...]:
    """The set in memory, generated once per process (tests of several modules share it)."""
    return tuple(iter_samples(per_category, seed))


def write_set(out: Path, per_category: int, seed: int = 0) -> dict[str, str | None]:
    """Write the set as PNG files plus labels.json; returns the labels."""
    labels: dict[str, str | None] = {}
    for sample in iter_samples(per_category, seed):
        path = out / sample.category / f"{sample.index:04d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), sample.frame)
        labels[str(path.relative_to(out))] = sample.text
    (out / "labels.json").write_text(json.dumps(labels, indent=1), encoding="utf-8")
    return labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-category", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    labels = write_set(args.out, args.per_category, args.seed)
    print(f"wrote {len(labels)} frames to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
