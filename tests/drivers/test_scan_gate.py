"""The scan gate: one event per presentation of a code, repeats marked, time passed in."""

from __future__ import annotations

import datetime as dt

import pytest

from drivers.qr.gate import ScanEvent, ScanGate

T0 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
A = "JKM1:AAAA"
B = "JKM1:BBBB"


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def frames(gate: ScanGate, texts: list[str], start_s: float, end_s: float, fps: float = 15.0):
    """Feed the same frame content at `fps` from start to end; return the events."""
    events: list[ScanEvent] = []
    n = round((end_s - start_s) * fps)
    for i in range(n):
        event = gate.observe(texts, at(start_s + i / fps))
        if event is not None:
            events.append(event)
    return events


def test_a_code_held_in_view_for_many_frames_gives_one_event() -> None:
    gate = ScanGate()
    events = frames(gate, [A], 0, 3)
    assert [(e.text, e.repeat, e.at_utc) for e in events] == [(A, False, T0)]


def test_the_same_code_held_still_after_the_result_closed_does_not_fire_again() -> None:
    gate = ScanGate()
    assert len(frames(gate, [A], 0, 2)) == 1
    gate.result_closed(at(2))
    assert frames(gate, [A], 2, 6) == []


def test_a_second_code_gives_a_second_event() -> None:
    gate = ScanGate()
    first = frames(gate, [A], 0, 1)
    gate.result_closed(at(1.5))
    second = frames(gate, [B], 1.5, 3)
    assert [e.text for e in first + second] == [A, B]
    assert not second[0].repeat


def test_the_same_code_shown_again_after_the_result_closed_is_a_repeat() -> None:
    gate = ScanGate()
    frames(gate, [A], 0, 1)
    frames(gate, [], 1, 3)  # taken away
    gate.result_closed(at(3))
    again = frames(gate, [A], 300, 301)  # a shared screenshot, five minutes later
    assert len(again) == 1
    assert again[0].repeat
    assert again[0].since_last_s == pytest.approx(300)


def test_the_same_code_shown_again_while_its_result_is_on_screen_is_the_same_passage() -> None:
    gate = ScanGate()
    frames(gate, [A], 0, 1)
    frames(gate, [], 1, 2.5)
    assert frames(gate, [A], 2.5, 4) == []  # result screen still open
    gate.result_closed(at(4))
    assert frames(gate, [A], 4, 6) == []  # and still held: no new passage


def test_a_few_missed_frames_do_not_split_a_presentation() -> None:
    gate = ScanGate(absent_after_s=1.0)
    events = frames(gate, [A], 0, 1)
    gate.result_closed(at(1))
    events += frames(gate, [], 1, 1.5)  # decoder missed half a second of frames
    events += frames(gate, [A], 1.5, 3)
    assert len(events) == 1


def test_two_codes_in_one_frame_fire_one_after_the_other() -> None:
    gate = ScanGate()
    first = gate.observe([A, B], at(0))
    second = gate.observe([A, B], at(0.1))
    third = gate.observe([A, B], at(0.2))
    assert (first and first.text, second and second.text, third) == (A, B, None)


def test_confirm_frames_needs_that_many_consistent_frames() -> None:
    gate = ScanGate(confirm_frames=3)
    results = [gate.observe([A], at(i / 10)) for i in range(4)]
    assert [r is not None for r in results] == [False, False, True, False]


def test_the_last_passage_lookup_is_used_when_given() -> None:
    stored = {A: at(-3600)}
    gate = ScanGate(last_passage=stored.get)
    event = gate.observe([A], at(0))
    assert event is not None
    assert event.repeat
    assert event.since_last_s == pytest.approx(3600)
    other = gate.observe([B], at(0.1))
    assert other is not None
    assert not other.repeat


def test_the_gate_remembers_only_so_many_codes_without_a_lookup() -> None:
    gate = ScanGate(memory_size=2)
    for i, text in enumerate(["1", "2", "3"]):
        gate.scanned(text, at(i))
        gate.result_closed(at(i))
    forgotten = gate.scanned("1", at(10))
    remembered = gate.scanned("3", at(11))
    assert forgotten is not None
    assert not forgotten.repeat
    assert remembered is not None
    assert remembered.repeat


def test_each_hardware_scan_is_a_presentation_unless_its_result_is_still_open() -> None:
    gate = ScanGate(source="scanner")
    first = gate.scanned(A, at(0))
    during = gate.scanned(A, at(1))
    gate.result_closed(at(2))
    after = gate.scanned(A, at(2.1))
    assert first is not None
    assert first.source == "scanner"
    assert during is None
    assert after is not None
    assert after.repeat
    assert after.since_last_s == pytest.approx(2.1)


def test_the_result_screen_state_follows_events_and_closing() -> None:
    gate = ScanGate()
    assert not gate.result_open
    gate.observe([A], at(0))
    assert gate.result_open
    gate.result_closed(at(1))
    assert not gate.result_open


def test_confirm_frames_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="confirm_frames"):
        ScanGate(confirm_frames=0)
