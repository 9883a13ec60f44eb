"""The kiosk application without its window: the store, the trust state, the flow, the devices,
scanning, enrolment adoption, the sync thread and the status the screens show.

`KioskApp` is the composition root below the UI. Work from device, camera and sync threads is
posted to the app thread (`post`, which the window provides: its GUI thread); blocking work
(file reads, store waits) runs on worker threads. What the screens need goes to an
`AppListener` on the app thread. No Qt here; tests drive it with a `CallQueue`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import cv2
import numpy as np

from drivers.idcard.protocol import IdentityRead
from drivers.qr.gate import ScanGate
from drivers.serialio.events import DeviceStateEvent
from healthcode.identity import mask_name
from healthcode.jkm import default_registry
from healthcode.text import LocalText
from kiosk.app.devices import Devices
from kiosk.app.enrolment import Enrolled, read_enrolment
from kiosk.app.flow import FlowDriver, FlowListener
from kiosk.app.loop import Post
from kiosk.app.scanning import CameraScan, CodeChecker
from kiosk.app.settings import META_KEY as SETTINGS_KEY
from kiosk.app.settings import PASSAGE_FIELDS_KEY, KioskSettings, fields_from_json
from kiosk.app.speech import SpeechPlan
from kiosk.app.startup import KioskSetup
from kiosk.app.status import StatusBoard
from kiosk.app.trust import TrustChange, TrustKeeper, TrustState
from kiosk.app.viewstate import StatusItem
from kiosk.checkpoint.clock import ClockReading, TrustedClock
from kiosk.checkpoint.flow import PassageFlow
from kiosk.checkpoint.policy import PassageField, Policy
from kiosk.store import Store

log = logging.getLogger(__name__)

PREVIEW_WIDTH = 640
PREVIEW_INTERVAL_S = 0.12


def utc_now() -> datetime:
    return datetime.now(UTC)


class AppListener:
    """What the window is told, on the app thread. Override what you show."""

    def status_changed(self) -> None: ...
    def preview(self, rgb: Any) -> None: ...  # a small RGB frame (numpy, height x width x 3)
    def fields_changed(self, fields: frozenset[PassageField]) -> None: ...
    def roster_changed(self) -> None: ...
    def settings_applied(self, settings: KioskSettings) -> None: ...
    def sync_attached(self, worker: Any) -> None: ...
    def recovered(self) -> None: ...


def _start_kiosk_sync(app: KioskApp, enrolled: Enrolled) -> Any:
    from kiosk.app.syncing import start_kiosk_sync

    return start_kiosk_sync(
        app.store,
        app.trust,
        enrolled,
        swap_in=app.setup.swap_in_downloads,
        on_refused=app.download_refused,
        health=app.status.health,
        on_server_time=app.server_time_heard,
        monotonic=app.monotonic,
    )


class _SyncNudge(FlowListener):
    def __init__(self, app: KioskApp) -> None:
        self._app = app

    def passage_saved(self, fever: bool) -> None:
        """A fever report waits in the outbox: wake the sync thread at once."""
        if fever and self._app.sync is not None:
            self._app.sync.nudge()


class KioskApp:
    def __init__(
        self,
        setup: KioskSetup,
        *,
        post: Post,
        wall_clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        gate_absent_after_s: float = 1.0,
        enrolled: Enrolled | None = None,
        start_sync: Callable[[KioskApp, Enrolled], Any] | None = None,
    ) -> None:
        self.setup = setup
        self._start_sync_for = start_sync or _start_kiosk_sync
        self._post = post
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self.listener = AppListener()
        self.enrolled = enrolled
        keys = setup.data_dir / "keys"
        self.store = Store.open(
            setup.data_dir / "kiosk.db", keys / "store.key", prefer_os=setup.store_key_in_os
        )
        self.clock = TrustedClock(floor_utc=self.store.copies.clock_floor())
        feed = setup.feed if setup.feed is not None else self.store.feed
        self.trust = TrustKeeper(
            TrustState(setup.trust_list, feed),
            setup.policy,
            setup.binding_keys,
            store=self.store,
        )
        if setup.trust_list is not None:
            self.clock.raise_floor(setup.trust_list.issued_at_utc)
        self.checker = CodeChecker(
            default_registry(setup.dcc_trust),
            self.trust,
            last_passage=self.store.passages.last_at,
            clock=self.trusted_now,
            on_verified_issued_at=self.clock.raise_floor,
        )
        self.flow = PassageFlow(
            setup.policy, binding_keys=setup.binding_keys, result_duration=setup.result_duration
        )
        self.driver = FlowDriver(
            self.flow,
            self.store,
            self.checker,
            clock=self.clock,
            wall_clock=wall_clock,
            monotonic=monotonic,
            post=post,
            on_result_closed=self._result_closed,
            speech=SpeechPlan(greeting=setup.greeting),
            national_check=setup.national_check,
            online=self._online,
        )
        self.devices = Devices(
            setup,
            self.checker,
            clock=self.trusted_now,
            on_state=self._device_state,
            on_camera_scan=self._camera_scan,
            on_identity=self._identity,
            on_scanner_text=lambda text: self._on_app_thread(lambda: self.scanner_text(text)),
            on_frame=self._on_frame,
            gate_absent_after_s=gate_absent_after_s,
        )
        self.scanner_gate = ScanGate(source="wedge", last_passage=self.checker.last_passage_of_text)
        self.status = StatusBoard(self)
        self.settings = KioskSettings()
        self.sync: Any = None  # kiosk.client.worker.SyncWorker of an enrolled kiosk
        self._local_fields: frozenset[PassageField] | None = None
        self._stopped = False
        self._last_preview_s = 0.0
        self.preview_pending = threading.Event()
        self.trust.subscribe(self._trust_changed)
        self.driver.listeners.append(_SyncNudge(self))
        if enrolled is not None:  # the roster central sent, for the sign-in
            self.store.copies.replace_roster(enrolled.operators).result(timeout=10)

    # ---------------------------------------------------------------- threads

    def _on_app_thread(self, call: Callable[[], None]) -> None:
        def run() -> None:
            if not self._stopped:
                call()

        self._post(run)

    def clock_reading(self) -> ClockReading:
        return self.clock.read(self._wall_clock(), self._monotonic())

    def trusted_now(self) -> datetime:
        return self.clock_reading().now_utc

    def monotonic(self) -> float:
        return self._monotonic()

    def _online(self) -> bool:
        """For the national code's online check: not when the last sync round found no
        network (an unenrolled kiosk, or one before its first round, tries)."""
        sync = self.sync
        status = sync.status() if sync is not None else None
        return status is None or status.online is not False

    def area_trail(self, issuer: str, code_id: bytes) -> Any:
        """Central's answer for a code's passages in this kiosk's area (a `TrailAnswer`), over
        the sync thread's signed client; None when not enrolled or offline (blocking)."""
        sync = self.sync
        if sync is None:
            return None
        from kiosk.client.trail import fetch_trail

        return fetch_trail(sync.downloader.client, sync.downloader.base, issuer, code_id)

    def server_time_heard(self, server_utc: datetime, monotonic_s: float) -> None:
        """From the sync thread: central's time, carried forward on this boot's monotonic
        clock; a wall clock that disagrees is then shown as not trusted and not used."""

        def learn() -> None:
            self.clock.learn_server_time(server_utc, monotonic_s)
            self.listener.status_changed()

        self._on_app_thread(learn)

    # ---------------------------------------------------------------- life

    def _open_devices(self) -> None:
        for kind, configured in self.devices.configured().items():
            if configured:
                self.status.device_states[kind] = None  # connecting
        self.devices.open()
        self.driver.temperature = self.devices.thermometer

    def start(self) -> None:
        self._open_devices()
        self.apply_settings(KioskSettings.from_json(self.store.meta.get(SETTINGS_KEY)))
        fields = fields_from_json(self.store.meta.get(PASSAGE_FIELDS_KEY))
        if fields is not None:
            self.apply_passage_fields(fields)
        self.driver.start()
        self.status.start()
        if self.enrolled is not None:
            self.attach_sync(self._start_sync(self.enrolled))

    def stop(self) -> None:
        self._stopped = True
        self.driver.stop()
        self.status.stop()
        self.devices.release()
        if self.sync is not None:
            self.sync.stop()
        floor = self.clock.floor_utc
        if floor is not None:
            self.store.copies.raise_clock_floor(floor).result(timeout=5)
        self.store.close()

    # ---------------------------------------------------------------- devices

    def _device_state(self, kind: Any, event: DeviceStateEvent | None) -> None:
        self._on_app_thread(lambda: self.status.device_changed(kind, event))

    def _camera_scan(self, scan: CameraScan) -> None:
        if self.setup.on_scan_text is not None:
            self.setup.on_scan_text(scan.event.text)
        self.driver.post_scan(scan)

    def _identity(self, identity: IdentityRead) -> None:
        self.driver.post_identity(
            identity.id_number,
            mask_name(identity.name),
            full_name=identity.name,
            address=identity.address,
        )

    def _on_frame(self, frame: object) -> None:
        """On the camera thread: a small preview now and then, dropped while one is pending."""
        now = time.monotonic()
        if now - self._last_preview_s < PREVIEW_INTERVAL_S or self.preview_pending.is_set():
            return
        self._last_preview_s = now
        image = np.asarray(frame)
        height = int(image.shape[0] * PREVIEW_WIDTH / image.shape[1])
        small = cv2.resize(image, (PREVIEW_WIDTH, height), interpolation=cv2.INTER_AREA)
        code = cv2.COLOR_GRAY2RGB if small.ndim == 2 else cv2.COLOR_BGR2RGB
        rgb = np.ascontiguousarray(cv2.cvtColor(small, code))
        self.preview_pending.set()
        self._on_app_thread(lambda: self.listener.preview(rgb))

    def _result_closed(self, now: datetime) -> None:
        self.scanner_gate.result_closed(now)
        self.devices.result_closed(now)

    def scanner_text(self, text: str) -> None:
        """A hardware scanner's line (keyboard wedge or serial), on the app thread: one
        presentation per trigger pull."""
        now = self.trusted_now()
        self.checker.verify(text, now)
        event = self.scanner_gate.scanned(text, now)
        if event is None:
            return
        since = None
        if event.repeat and event.since_last_s is not None:
            since = timedelta(seconds=event.since_last_s)
        self.driver.handle(self.checker.check(text, now, since), now)

    def release_devices(self) -> None:
        """Stop the drivers so that the technician's tests can open the ports."""
        self.devices.release()
        self.driver.temperature = None
        self.status.forget_devices()

    def reopen_devices(self) -> None:
        self.release_devices()
        self._open_devices()
        self.listener.status_changed()

    # ---------------------------------------------------------------- trust and settings

    def _trust_changed(self, change: TrustChange) -> None:
        """From the swapping thread (sync, enrolment): the flow and the screens follow on the
        app thread."""
        if change.policy is not None:
            policy = change.policy
            self._on_app_thread(lambda: self._take_policy(policy))
        if change.binding_keys is not None:
            keys = change.binding_keys
            self._on_app_thread(lambda: self.flow.set_binding_keys(keys))
        if change.roster:
            self._on_app_thread(self.listener.roster_changed)
        if change.state is not None:  # verified copies prove the time is at least theirs
            if change.state.trust_list is not None:
                self.clock.raise_floor(change.state.trust_list.issued_at_utc)
            if change.state.feed.as_of_utc is not None:
                self.clock.raise_floor(change.state.feed.as_of_utc)

    def _take_policy(self, policy: Policy) -> None:
        if self._local_fields is not None:
            policy = replace(policy, passage_fields=self._local_fields)
        self.flow.set_policy(policy)
        self.listener.fields_changed(policy.passage_fields)

    def policy_downloaded(self, policy: Policy) -> None:
        """From any thread: a verified newer policy (applies from the next person on)."""
        self.trust.swap_policy(policy)

    def apply_passage_fields(self, fields: frozenset[PassageField] | None) -> None:
        """The technician's passage fields replace the policy's (None: the policy's)."""
        self._local_fields = fields
        if fields is not None:
            self.flow.set_policy(replace(self.flow.policy, passage_fields=fields))
        self.listener.fields_changed(self.flow.policy.passage_fields)

    def apply_settings(self, settings: KioskSettings) -> None:
        """Settings a supervisor saved: sounds and how long results stay up, at once."""
        self.settings = settings
        self.flow.set_result_duration(timedelta(seconds=settings.result_seconds))
        self.listener.settings_applied(settings)

    # ---------------------------------------------------------------- enrolment and sync

    def _start_sync(self, enrolled: Enrolled) -> Any:
        return self._start_sync_for(self, enrolled)

    def adopt_enrolment(self) -> threading.Thread:
        """Just enrolled from the technician's screen: the roster, trust list, policy and
        binding keys central sent are used at once, and the sync thread starts. The files are
        read on a worker thread; the thread is returned (tests join it)."""

        def adopt() -> None:
            enrolled = read_enrolment(self.setup.data_dir)
            if enrolled is None or self._stopped:
                return
            self.enrolled = enrolled
            self.setup.enrolled = True
            self.trust.swap_roster(enrolled.operators)
            self.trust.swap_trust_list(enrolled.trust_list)
            self.trust.add_binding_keys(enrolled.binding_keys)
            self.trust.swap_policy(enrolled.policy)
            try:
                worker = self._start_sync(enrolled)
            except OSError as error:
                log.error("the sync thread cannot start: %s", error)
                return
            self._on_app_thread(lambda: self.attach_sync(worker))

        thread = threading.Thread(target=adopt, name="enrolment", daemon=True)
        thread.start()
        return thread

    def attach_sync(self, worker: Any) -> None:
        """The sync thread (uploads, then downloads) of an enrolled kiosk; a fever report
        wakes it at once."""
        if self._stopped:
            worker.stop()
            return
        self.sync = worker
        self.listener.sync_attached(worker)
        self.listener.status_changed()

    def stop_sync(self) -> None:
        """From the reset's worker thread: no upload or download while de-enrolling."""
        worker, self.sync = self.sync, None
        if worker is not None:
            worker.stop()

    def enrolment_reset(self) -> None:
        self.setup.enrolled = False
        self.enrolled = None
        self.listener.roster_changed()
        self.listener.status_changed()

    def status_items(self) -> tuple[StatusItem, ...]:
        return self.status.items()

    def download_refused(self, text: LocalText) -> None:
        """From the sync thread: a download failed verification; the old copy stays."""
        self._on_app_thread(lambda: self.status.refused(text))

    def recover_after_crash(self) -> None:
        """From any thread, after an unhandled error was logged: back to the scan screen."""

        def recover() -> None:
            self.driver.cancel()
            self.listener.recovered()

        self._on_app_thread(recover)
