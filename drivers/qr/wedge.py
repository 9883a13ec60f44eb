"""Keyboard-wedge scanners: tell a scanner's burst of keys from a person typing.

A wedge scanner (扫码枪 in keyboard mode) types its code as key events, a few milliseconds
apart and very evenly, then presses Enter. People type 60-600 ms apart and unevenly; even a
fast typist's rollovers give only the odd short gap, and a held key auto-repeats one character.
The Qt layer feeds `WedgeBuffer` with (character, time) pairs; everything here is pure.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

Key = tuple[str, float]  # (character, time in seconds; any monotonic origin)

ENTER = "\r"
_ENTER_KEYS = frozenset({"\r", "\n"})


@dataclass(frozen=True)
class WedgeRule:
    """The thresholds, from scanner data sheets and typing studies (docs/drivers-camera-qr.md).

    Scanners: USB HID reports every 1-8 ms, programmable inter-key delays up to ~20 ms; the
    host adds the odd hiccup of tens of ms. People: median gaps of 100-300 ms (fastest typists
    ~60 ms), auto-repeat 25-40 ms of one key.
    """

    min_length: int = 6
    max_median_gap_s: float = 0.025
    max_slow_gap_fraction: float = 0.1
    max_slow_gaps: int = 2
    slow_gap_s: float = 0.06
    min_distinct: int = 3


@dataclass(frozen=True)
class WedgeVerdict:
    is_scanner: bool
    text: str
    reason: str


def _gaps(keys: Sequence[Key]) -> list[float]:
    return [b[1] - a[1] for a, b in itertools.pairwise(keys)]


def classify_keys(keys: Sequence[Key], rule: WedgeRule = WedgeRule()) -> WedgeVerdict:
    """Was this run of keys (without its final Enter) typed by a scanner or by a person?"""
    text = "".join(ch for ch, _ in keys if ch not in _ENTER_KEYS)
    if len(keys) < rule.min_length:
        return WedgeVerdict(False, text, f"too short ({len(keys)} keys)")
    if len(set(text)) < rule.min_distinct:
        return WedgeVerdict(False, text, "one key repeated (auto-repeat)")
    gaps = _gaps(keys)
    if any(g < 0 for g in gaps):
        return WedgeVerdict(False, text, "times out of order")
    median = statistics.median(gaps)
    if median > rule.max_median_gap_s:
        return WedgeVerdict(False, text, f"median gap {median * 1000:.0f} ms: typing")
    slow = sum(1 for g in gaps if g > rule.slow_gap_s)
    # A host hiccup or two is normal even in a short burst; more than that is a person.
    if slow > max(rule.max_slow_gaps, rule.max_slow_gap_fraction * len(gaps)):
        return WedgeVerdict(False, text, f"{slow} gaps over {rule.slow_gap_s * 1000:.0f} ms")
    return WedgeVerdict(True, text, f"burst: median gap {median * 1000:.1f} ms")


class WedgeBuffer:
    """Collects key events; on Enter (or a long pause) it classifies the run so far.

    `feed` returns the scanned text when a run turns out to be a scanner's burst, else None.
    A person's keys are left to the widget that has focus (`feed` also returns None for them).
    """

    def __init__(self, rule: WedgeRule = WedgeRule(), *, pause_s: float = 0.15) -> None:
        self._rule = rule
        self._pause_s = pause_s
        self._keys: list[Key] = []

    def feed(self, char: str, at_s: float) -> str | None:
        if self._keys and at_s - self._keys[-1][1] > self._pause_s:
            self._keys.clear()
        if char in _ENTER_KEYS:
            verdict = classify_keys(self._keys, self._rule)
            self._keys.clear()
            return verdict.text if verdict.is_scanner else None
        self._keys.append((char, at_s))
        return None

    @property
    def pending(self) -> int:
        return len(self._keys)
