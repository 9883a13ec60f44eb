"""A whole kiosk application without Qt: the demo world's codes and keys, the real store, the
real drivers on simulators and ptys, and a `CallQueue` as the app thread the test runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from drivers.serialio.events import DeviceState
from kiosk.app.app import KioskApp
from kiosk.app.demo import DemoWorld
from kiosk.app.enrolment import Enrolled
from kiosk.app.flow import FlowListener
from kiosk.app.loop import CallQueue
from kiosk.app.startup import KioskSetup, read_startup
from kiosk.app.viewstate import PromptView, ResultView, StatusKind
from kiosk.config import load_config

WAIT_S = 15.0


@dataclass
class Screens(FlowListener):
    """What the screens would have shown."""

    results: list[ResultView] = field(default_factory=list)
    prompts: list[PromptView] = field(default_factory=list)

    def result_shown(self, view: ResultView) -> None:
        self.results.append(view)

    def prompt_changed(self, view: PromptView) -> None:
        self.prompts.append(view)


class AppHarness:
    """A started `KioskApp` on `folder/data`, checking codes against the demo world."""

    def __init__(
        self,
        folder: Path,
        world: DemoWorld,
        *,
        config_text: str = "",
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tweak: Callable[[KioskSetup], None] | None = None,
        start_sync: Callable[[KioskApp, Enrolled], Any] | None = None,
        start: bool = True,
    ) -> None:
        config_file = folder / "kiosk.toml"
        config_file.write_text(config_text, encoding="utf-8")
        startup = read_startup(load_config(config_file), folder / "data", language="en")
        setup = startup.setup
        setup.trust_list, setup.feed = world.trust_list, world.feed
        setup.binding_keys = world.binding_keys
        setup.result_duration = timedelta(milliseconds=50)
        if tweak is not None:
            tweak(setup)
        self.calls = CallQueue()
        self.screens = Screens()
        self.app = KioskApp(
            setup, post=self.calls.post, wall_clock=wall_clock, start_sync=start_sync
        )
        self.app.driver.listeners.append(self.screens)
        if start:
            self.app.start()

    def run_until(self, done: Callable[[], bool], timeout_s: float = WAIT_S) -> bool:
        """Run the app thread (ticking the flow) until `done()`."""
        return self.calls.run_until(done, timeout_s, every=self.app.driver.tick)

    def device_state(self, kind: StatusKind) -> DeviceState | None:
        event = self.app.status.device_states.get(kind)
        return None if event is None else event.state

    def stop(self) -> None:
        self.app.stop()
