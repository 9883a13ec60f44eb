"""The keyboard-wedge classifier on generated scanner bursts and people typing
(patterns and their parameters: tests/qrset/keystrokes.py)."""

from __future__ import annotations

import random

import pytest

from drivers.qr.wedge import WedgeBuffer, WedgeRule, classify_keys
from tests.qrset import keystrokes as ks

CODE = "JKM1:" + "6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTLRR+%3" * 5 + "ABCDEFGHIJ"


@pytest.mark.parametrize("model", sorted(ks.SCANNER_MODELS))
def test_every_scanner_model_is_recognised_as_a_scanner(model: str) -> None:
    rng = random.Random(f"scanner-{model}")
    for _ in range(50):
        keys = ks.scanner_burst(CODE, model, rng)
        verdict = classify_keys(keys)
        assert verdict.is_scanner, verdict.reason
        assert verdict.text == CODE


@pytest.mark.parametrize("model", sorted(ks.SCANNER_MODELS))
def test_short_scanner_codes_such_as_a_barcode_are_recognised_too(model: str) -> None:
    rng = random.Random(f"short-{model}")
    for _ in range(50):
        text = "".join(rng.choices("0123456789", k=13))
        assert classify_keys(ks.scanner_burst(text, model, rng)).is_scanner


@pytest.mark.parametrize("typist", sorted(ks.TYPISTS))
def test_people_typing_are_never_taken_for_a_scanner(typist: str) -> None:
    rng = random.Random(f"typist-{typist}")
    for _ in range(200):
        keys = ks.typing(ks.human_text(rng), typist, rng)
        verdict = classify_keys(keys)
        assert not verdict.is_scanner, (keys, verdict.reason)


def test_a_held_key_auto_repeating_is_not_a_scanner() -> None:
    rng = random.Random("repeat")
    for _ in range(50):
        keys = ks.auto_repeat(rng.choice("a1 "), rng.randint(6, 40), rng)
        assert not classify_keys(keys).is_scanner


def test_too_few_keys_are_not_a_scan() -> None:
    keys = [("1", 0.000), ("2", 0.002), ("3", 0.004)]
    verdict = classify_keys(keys)
    assert not verdict.is_scanner
    assert "too short" in verdict.reason


def test_the_thresholds_can_be_tuned_for_a_slow_scanner() -> None:
    keys = [(c, i * 0.040) for i, c in enumerate("ABCDEFGH")]
    assert not classify_keys(keys).is_scanner
    slow = WedgeRule(max_median_gap_s=0.05, slow_gap_s=0.08)
    assert classify_keys(keys, slow).is_scanner


def test_the_buffer_returns_the_scanned_text_on_enter() -> None:
    rng = random.Random("buffer")
    buffer = WedgeBuffer()
    keys = ks.scanner_burst(CODE, "typical-2ms", rng, start_s=10.0)
    assert [buffer.feed(ch, t) for ch, t in keys] == [None] * len(keys)
    assert buffer.feed("\r", keys[-1][1] + 0.003) == CODE
    assert buffer.pending == 0


def test_the_buffer_leaves_typed_text_to_the_focused_widget() -> None:
    rng = random.Random("typed")
    buffer = WedgeBuffer()
    keys = ks.typing("110105194912310021", "fast-touch", rng)
    for ch, t in keys:
        buffer.feed(ch, t)
    assert buffer.feed("\r", keys[-1][1] + 0.2) is None


def test_keys_typed_before_a_pause_do_not_stick_to_the_scan() -> None:
    rng = random.Random("pause")
    buffer = WedgeBuffer()
    typed = ks.typing("123", "fast-touch", rng, start_s=0.0)
    scanned = ks.scanner_burst(CODE, "fast-1ms", rng, start_s=typed[-1][1] + 0.5)
    for ch, t in typed + scanned:
        buffer.feed(ch, t)
    assert buffer.feed("\n", scanned[-1][1] + 0.002) == CODE
