"""Recorded-like key timing patterns for the keyboard-wedge classifier: scanners and people.

Each generator returns [(character, time_s)] as the Qt layer would see them: times are key-press
timestamps in whole milliseconds (QKeyEvent.timestamp()), without the final Enter.

Scanner parameters (vendor manuals of common 1D/2D USB HID scanners, USB HID spec):
- a USB full-speed keyboard interface is polled every 1 ms (fast scanners) up to 8 ms (low-speed
  or cheap ones); each character is a key-down and a key-up report, so 2 polls per character;
- some models add a programmable inter-character delay (we use 0-4 ms);
- the host adds the odd hiccup: with probability 2 % per key, 20-80 ms extra.
- Qt may deliver a few events with the same timestamp (gap 0).

People (typing studies, e.g. Dhakal et al., "Observations on typing from 136 million
keystrokes", CHI 2018): inter-key intervals are roughly log-normal; median 120 ms for fast
touch typists, 200 ms average, 350 ms hunt-and-peck, spread sigma 0.35-0.55; fast typists'
rollovers give 15-45 ms gaps for about 15 % of key pairs. A held key auto-repeats after a 250-600
ms delay at 25-40 ms.
"""

from __future__ import annotations

import math
import random
import string

Keys = list[tuple[str, float]]

SCANNER_MODELS: dict[str, tuple[float, float]] = {
    # name: (poll interval ms, programmed inter-character delay ms)
    "fast-1ms": (1.0, 0.0),
    "typical-2ms": (2.0, 1.0),
    "cheap-4ms": (4.0, 2.0),
    "low-speed-8ms": (8.0, 0.0),
    "slowed-4ms-delay": (4.0, 4.0),
}

TYPISTS: dict[str, tuple[float, float, float]] = {
    # name: (median gap ms, log-normal sigma, share of rollover gaps)
    "fast-touch": (120.0, 0.35, 0.15),
    "average": (200.0, 0.45, 0.05),
    "hunt-and-peck": (350.0, 0.55, 0.0),
}


def _ms(t: float) -> float:
    return math.floor(t * 1000) / 1000


def scanner_burst(text: str, model: str, rng: random.Random, start_s: float = 0.0) -> Keys:
    poll_ms, delay_ms = SCANNER_MODELS[model]
    t = start_s
    keys: Keys = []
    for ch in text:
        keys.append((ch, _ms(t)))
        gap_ms = 2 * poll_ms + delay_ms + rng.uniform(-0.5, 0.5) * poll_ms
        if rng.random() < 0.02:
            gap_ms += rng.uniform(20, 80)
        if rng.random() < 0.05:
            gap_ms = 0.0  # delivered in one batch
        t += max(0.0, gap_ms) / 1000
    return keys


def typing(text: str, typist: str, rng: random.Random, start_s: float = 0.0) -> Keys:
    median_ms, sigma, rollover = TYPISTS[typist]
    t = start_s
    keys: Keys = []
    for ch in text:
        keys.append((ch, _ms(t)))
        if rng.random() < rollover:
            gap_ms = rng.uniform(15, 45)
        else:
            gap_ms = median_ms * math.exp(rng.gauss(0, sigma))
        t += gap_ms / 1000
    return keys


def auto_repeat(char: str, count: int, rng: random.Random, start_s: float = 0.0) -> Keys:
    t = start_s
    keys: Keys = [(char, _ms(t))]
    t += rng.uniform(0.25, 0.6)
    rate_s = rng.uniform(0.025, 0.040)
    for _ in range(count - 1):
        keys.append((char, _ms(t)))
        t += rate_s
    return keys


def human_text(rng: random.Random) -> str:
    """What people type at a kiosk: a PIN, an ID-card number, a name in pinyin, a phone number."""
    kind = rng.choice(("pin", "id", "name", "phone"))
    if kind == "pin":
        return "".join(rng.choices(string.digits, k=6))
    if kind == "id":
        return "".join(rng.choices(string.digits, k=17)) + rng.choice("0123456789X")
    if kind == "name":
        return rng.choice(("zhangsanfeng", "wangfang", "ouyang nana", "li xiaolong"))
    return "1" + "".join(rng.choices(string.digits, k=10))
