"""A FlowDriver on a clock the test moves by hand, with a store that keeps passages in memory:
the progress strip's countdown and the override offer follow the time passed in."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kiosk.app.flow import FlowDriver, FlowListener
from kiosk.app.viewstate import ProgressView, ResultView
from kiosk.checkpoint.clock import TrustedClock
from kiosk.checkpoint.events import CodeScanned, SaveOverride
from kiosk.checkpoint.flow import PassageFlow
from kiosk.checkpoint.policy import Policy
from tests.kiosk.checkpoint_support import BINDING_KEY, ISSUER, T0, id_factory, verified

FRESH = timedelta(hours=1)


class _Passages:
    def __init__(self) -> None:
        self.overrides: list[SaveOverride] = []

    def record(self, record: object) -> Future[int]:
        done: Future[int] = Future()
        done.set_result(1)
        return done

    def record_override(self, effect: SaveOverride) -> None:
        self.overrides.append(effect)


@dataclass
class _Store:
    passages: _Passages = field(default_factory=_Passages)


@dataclass
class Seen(FlowListener):
    progress: list[ProgressView | None] = field(default_factory=list)
    results: list[ResultView] = field(default_factory=list)
    offers: list[uuid.UUID | None] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def progress_changed(self, view: ProgressView | None) -> None:
        self.progress.append(view)

    def result_shown(self, view: ResultView) -> None:
        self.results.append(view)

    def override_offer_changed(self, record_id: uuid.UUID | None) -> None:
        self.offers.append(record_id)

    def override_refused(self, text: Any) -> None:
        self.refusals.append(text.en)


class HandClock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start
        self.seconds = 0.0

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.seconds += seconds

    def wall(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.seconds


def hand_driven(
    policy: Policy, *, result_duration: timedelta = timedelta(seconds=1)
) -> tuple[FlowDriver, HandClock, Seen]:
    clock = HandClock()
    flow = PassageFlow(
        policy,
        binding_keys={ISSUER: [BINDING_KEY]},
        new_id=id_factory(),
        result_duration=result_duration,
    )
    run_now: Callable[[Callable[[], None]], None] = lambda call: call()  # noqa: E731
    driver = FlowDriver(
        flow,
        _Store(),  # type: ignore[arg-type]
        checker=None,  # type: ignore[arg-type]
        clock=TrustedClock(),
        wall_clock=clock.wall,
        monotonic=clock.monotonic,
        post=run_now,
    )
    seen = Seen()
    driver.listeners.append(seen)
    return driver, clock, seen


def green_code(code_byte: int = 1) -> CodeScanned:
    return CodeScanned(result=verified(code_byte=code_byte), feed_age=FRESH)
