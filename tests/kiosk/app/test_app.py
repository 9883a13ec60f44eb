"""The kiosk application without Qt: one owner of the trust state, one source of it at
start-up, enrolment adopted while the kiosk runs, and no Qt anywhere in the layer."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from central.core.settings import Settings
from healthcode.claims import Colour
from healthcode.feed import BatchKind, FeedBatch, FeedEntry
from kiosk.app.app import AppListener, KioskApp
from kiosk.app.demo import DemoWorld
from kiosk.app.enrolment import Enrolled
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import CheckpointType, PassageField, default_policy
from kiosk.client.worker import SyncStatus
from kiosk.sessions.provisioning import enroll_kiosk
from tests.central.conftest import SERVER, Central, FakeClock, start_central
from tests.kiosk.app.app_support import AppHarness

PROBE = """
import importlib, json, pkgutil, sys
import kiosk.app as package
for info in pkgutil.walk_packages(package.__path__, "kiosk.app."):
    importlib.import_module(info.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_the_application_layer_imports_no_qt() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = json.loads(probe.stdout.splitlines()[-1])
    assert "kiosk.app.app" in loaded
    assert not [name for name in loaded if name.split(".")[0] in {"PySide6", "shiboken6"}]
    assert not [name for name in loaded if name.startswith("kiosk.ui")]


class Fields(AppListener):
    def __init__(self) -> None:
        self.shown: list[frozenset[PassageField]] = []

    def fields_changed(self, fields: frozenset[PassageField]) -> None:
        self.shown.append(fields)


def test_a_policy_swapped_on_the_sync_thread_reaches_the_flow_on_the_app_thread(
    tmp_path: Path, world: DemoWorld
) -> None:
    harness = AppHarness(tmp_path, world)
    app = harness.app
    fields = Fields()
    app.listener = fields
    try:
        app.apply_passage_fields(frozenset({PassageField.VEHICLE_PLATE}))  # the technician's
        newer = replace(
            default_policy(CheckpointType.ENTERPRISE_GATE),
            version=7,
            repeat_window=timedelta(minutes=42),
        )
        sync = threading.Thread(target=app.policy_downloaded, args=(newer,))
        sync.start()
        sync.join(5)
        assert app.trust.policy is newer  # swapped at once, in the one owner
        assert app.flow.policy.repeat_window != newer.repeat_window  # not from that thread
        assert harness.run_until(lambda: app.flow.policy.repeat_window == newer.repeat_window)
        # The technician's passage fields stay over central's.
        assert app.flow.policy.passage_fields == frozenset({PassageField.VEHICLE_PLATE})
        assert fields.shown[-1] == frozenset({PassageField.VEHICLE_PLATE})
    finally:
        harness.stop()


def test_at_start_up_the_status_feed_comes_from_the_store(tmp_path: Path, world: DemoWorld) -> None:
    green = world.case("green")
    first = AppHarness(tmp_path, world, start=False)
    code_id = _code_id(first.app, green.text)
    at = datetime.now(UTC) - timedelta(minutes=5)
    entry = FeedEntry(
        1, world.trust_list.issuers[0].region_code, code_id, Colour.RED, 9, "rule", at
    )
    first.app.store.feed.apply(FeedBatch(BatchKind.DELTA, entry.issuer, 1, 1, at, (entry,)))
    first.stop()

    def from_the_store(setup: Any) -> None:
        setup.feed = None  # the normal start: no demo world's copy

    again = AppHarness(tmp_path, world, tweak=from_the_store)
    try:
        assert again.app.trust.state.feed.latest(entry.issuer, code_id) is not None
        again.app.driver.submit_code_text(green.text)
        again.app.driver.submit_manual_temperature(36.5)
        assert again.run_until(lambda: bool(again.screens.results))
        assert again.screens.results[0].outcome is Outcome.DENY  # the feed's red, not green
    finally:
        again.stop()


def _code_id(app: KioskApp, text: str) -> bytes:
    result = app.checker.verify(text, datetime.now(UTC))
    return result.claims.code_id  # type: ignore[union-attr]


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    settings = Settings(
        data_dir=tmp_path / "central",
        database_url=f"sqlite:///{tmp_path / 'central.db'}",
        _env_file=None,  # type: ignore[call-arg]
    )
    yield from start_central(settings, FakeClock(datetime.now(UTC)))


class FakeSync:
    def __init__(self, enrolled: Enrolled) -> None:
        self.enrolled = enrolled
        self.stopped = False

    def status(self) -> SyncStatus:
        return SyncStatus(online=False)

    def stop(self) -> None:
        self.stopped = True


def test_an_enrolment_made_while_running_is_adopted_without_a_restart(
    tmp_path: Path, world: DemoWorld, central: Central
) -> None:
    started: list[FakeSync] = []

    def start_sync(_app: KioskApp, enrolled: Enrolled) -> FakeSync:
        started.append(FakeSync(enrolled))
        return started[-1]

    harness = AppHarness(tmp_path, world, start_sync=start_sync)
    app = harness.app
    try:
        assert app.sync is None
        checkpoint = central.register_checkpoint(name="东关社区北门")
        code = central.enrollment_code(checkpoint)
        enroll_kiosk(central.client, SERVER, code, tmp_path / "data" / "identity")
        app.adopt_enrolment().join(10)
        assert harness.run_until(lambda: app.sync is not None)
        assert app.setup.enrolled
        (sync,) = started
        assert app.trust.state.trust_list == sync.enrolled.trust_list  # central's, swapped in
        assert app.trust.policy == sync.enrolled.policy
        assert app.flow.policy.checkpoint_type == sync.enrolled.policy.checkpoint_type
        network = next(i for i in app.status_items() if i.kind.value == "network")
        assert network.word.en != "not enrolled"
    finally:
        harness.stop()
    assert started[0].stopped


def test_a_camera_that_cannot_be_used_is_a_fault_and_the_rest_keeps_working(
    tmp_path: Path, world: DemoWorld
) -> None:
    def odd_camera(setup: Any) -> None:
        setup.camera = str(tmp_path / "one-picture.png")  # a picture is not a camera

    harness = AppHarness(tmp_path, world, tweak=odd_camera)
    try:

        def camera() -> tuple[str, str]:
            item = next(i for i in harness.app.status_items() if i.kind.value == "camera")
            return item.health.value, item.word.en

        assert harness.run_until(lambda: camera() == ("bad", "fault"))
        harness.app.driver.submit_code_text(world.case("green").text)
        harness.app.driver.submit_manual_temperature(36.5)
        assert harness.run_until(lambda: bool(harness.screens.results))
        assert harness.screens.results[0].outcome is Outcome.PASS
    finally:
        harness.stop()
