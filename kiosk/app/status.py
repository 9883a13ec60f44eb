"""The status the screens show: devices, network, last sync, backlog, feed age, clock, disk
and a refused download; and the health report central receives. Qt-free.

Store counts and disk space are read on a poller thread (never the app thread); device states
and refusals arrive on the app thread. `items()` is plain data the status bar renders.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from drivers.serialio.events import DeviceStateEvent
from healthcode.text import LocalText
from kiosk.app.viewstate import (
    UPLOAD_OVERDUE_AFTER,
    StatusItem,
    StatusKind,
    backlog_item,
    clock_item,
    device_item,
    disk_item,
    feed_item,
    network_item,
    refused_item,
    sync_item,
)
from kiosk.store import DiskStatus, StoreCounts
from sync.schemas import KioskHealth

if TYPE_CHECKING:
    from kiosk.app.app import KioskApp

log = logging.getLogger(__name__)

VERSION = "0.1.0"
STATUS_INTERVAL_S = 1.0
DEVICES = (StatusKind.CAMERA, StatusKind.THERMOMETER, StatusKind.ID_READER, StatusKind.SCANNER)


class StatusBoard:
    def __init__(self, app: KioskApp) -> None:
        self._app = app
        self.device_states: dict[StatusKind, DeviceStateEvent | None] = {}
        self.counts: StoreCounts | None = None
        self.disk: DiskStatus | None = None
        self.refusal: LocalText | None = None  # the newest refused download, for the bar
        self._stop = threading.Event()
        self._poller = threading.Thread(target=self._poll, name="status", daemon=True)

    def start(self) -> None:
        self._poller.start()

    def stop(self) -> None:
        self._stop.set()
        if self._poller.is_alive():
            self._poller.join(2.0)

    def _poll(self) -> None:
        app = self._app
        while not self._stop.wait(STATUS_INTERVAL_S):
            try:
                self.disk = app.store.disk_status()
                self.counts = app.store.passages.counts(app.trusted_now(), UPLOAD_OVERDUE_AFTER)
            except Exception:  # the status bar must never take the kiosk down
                log.exception("status counts failed")

    def device_changed(self, kind: StatusKind, event: DeviceStateEvent | None) -> None:
        """On the app thread: a device connected, failed or went away (None: connecting)."""
        self.device_states[kind] = event
        self._app.listener.status_changed()

    def forget_devices(self) -> None:
        self.device_states.clear()

    def refused(self, text: LocalText) -> None:
        self.refusal = text
        self._app.listener.status_changed()

    def items(self) -> tuple[StatusItem, ...]:
        app = self._app
        clock = app.clock_reading()
        now = clock.now_utc
        app.preview_pending.clear()
        configured = app.devices.configured()
        items = [
            device_item(kind, self.device_states.get(kind), kind in self.device_states)
            for kind in DEVICES
            if kind is not StatusKind.SCANNER or configured[kind]
        ]
        status = app.sync.status() if app.sync is not None else None
        items.append(network_item(app.setup.enrolled, status.online if status else None))
        last = status.last_sync_utc if status else None
        max_age = app.flow.policy.max_feed_age
        items.append(sync_item(now - last if last is not None else None, max_age))
        counts = self.counts
        # A kiosk that is not enrolled never uploads: its backlog is nobody's to chase.
        overdue = counts.overdue_records if counts and app.setup.enrolled else 0
        items.append(backlog_item(counts.upload_backlog if counts else 0, overdue))
        items.append(feed_item(app.trust.state.feed.age(now), max_age))
        items.append(clock_item(clock.trusted))
        disk = self.disk
        if disk is not None and disk.low:
            items.append(disk_item(disk.free_bytes, disk.low))
        if self.refusal is not None:
            items.append(refused_item(self.refusal))
        return tuple(items)

    def health(self) -> KioskHealth:
        """What central learns of this kiosk with every request (no personal data)."""
        app = self._app
        now = app.trusted_now()
        age = app.trust.state.feed.age(now)
        counts, disk = self.counts, self.disk
        reading = app.clock_reading()
        return KioskHealth(
            software_version=VERSION,
            backlog_records=counts.upload_backlog if counts else None,
            feed_age_s=int(age.total_seconds()) if age is not None else None,
            clock_offset_s=int(reading.offset.total_seconds()),
            free_disk_bytes=disk.free_bytes if disk else None,
        )
