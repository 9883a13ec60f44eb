"""The scan gate: turns a stream of decoded frames into one event per presentation of a code.

Pure and synchronous: time comes in as an argument, nothing here sleeps or starts a thread.
A presentation starts when a code comes into view and ends when it has been out of view for
`absent_after_s`; it fires at most once. While a result screen is open, the code that caused it
does not fire again; after `result_closed`, a code still held in view does not fire either, but
the same code shown again does, marked as a repeat with the time since its last passage here
(a shared screenshot must never be silently swallowed).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

LastPassage = Callable[[str], dt.datetime | None]


@dataclass(frozen=True)
class ScanEvent:
    """A code presented once. `repeat` says it passed here before; `since_last_s` how long ago."""

    text: str
    at_utc: dt.datetime
    repeat: bool = False
    since_last_s: float | None = None
    source: str = "camera"


@dataclass
class _Track:
    last_seen: dt.datetime
    hits: int = 0
    fired: bool = False


class ScanGate:
    """Debounce for decoded QR texts (camera frames or scanner lines).

    `last_passage(text)` looks up when this code last passed here (the kiosk's store); without
    it the gate remembers the codes it fired itself, up to `memory_size` of them.
    """

    def __init__(
        self,
        *,
        absent_after_s: float = 1.0,
        confirm_frames: int = 1,
        last_passage: LastPassage | None = None,
        memory_size: int = 10_000,
        source: str = "camera",
    ) -> None:
        if confirm_frames < 1:
            raise ValueError("confirm_frames must be at least 1")
        self._absent_after = dt.timedelta(seconds=absent_after_s)
        self._confirm_frames = confirm_frames
        self._last_passage = last_passage
        self._memory: OrderedDict[str, dt.datetime] = OrderedDict()
        self._memory_size = memory_size
        self._source = source
        self._tracks: dict[str, _Track] = {}
        self._open: set[str] = set()

    @property
    def result_open(self) -> bool:
        """True between an event and the `result_closed` call that ends its screen."""
        return bool(self._open)

    def observe(self, texts: Iterable[str], now: dt.datetime) -> ScanEvent | None:
        """One decoded frame (its texts, maybe none) at `now`; an event when a code is newly
        presented. Call it for empty frames too: that is how a code is seen to leave."""
        self._expire(now)
        event: ScanEvent | None = None
        for text in dict.fromkeys(texts):
            track = self._tracks.get(text)
            if track is None:
                track = self._tracks[text] = _Track(last_seen=now)
            track.last_seen = now
            track.hits += 1
            if track.fired or track.hits < self._confirm_frames:
                continue
            if text in self._open:
                # Shown again while its own result is still on screen: the same passage.
                track.fired = True
                continue
            if event is None:
                track.fired = True
                event = self._fire(text, now)
        return event

    def scanned(self, text: str, now: dt.datetime) -> ScanEvent | None:
        """One scan from a hardware scanner: each trigger pull is a presentation of its own,
        except while the same code's result is still on screen."""
        if text in self._open:
            return None
        return self._fire(text, now)

    def result_closed(self, now: dt.datetime) -> None:
        """The result screen closed: a code shown from now on is a new passage."""
        del now  # kept in the signature: every gate input carries its time
        self._open.clear()

    def _expire(self, now: dt.datetime) -> None:
        gone = [t for t, tr in self._tracks.items() if now - tr.last_seen > self._absent_after]
        for text in gone:
            del self._tracks[text]

    def _fire(self, text: str, now: dt.datetime) -> ScanEvent:
        last = self._last_passage(text) if self._last_passage else self._memory.get(text)
        self._remember(text, now)
        self._open.add(text)
        if last is None:
            return ScanEvent(text, now, source=self._source)
        since = max(0.0, (now - last).total_seconds())
        return ScanEvent(text, now, repeat=True, since_last_s=since, source=self._source)

    def _remember(self, text: str, now: dt.datetime) -> None:
        self._memory[text] = now
        self._memory.move_to_end(text)
        while len(self._memory) > self._memory_size:
            self._memory.popitem(last=False)
