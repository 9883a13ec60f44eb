"""The kiosk's one sync thread: upload, then download, on a schedule; back off when central
cannot be reached; stop promptly on request.

Upload is `kiosk.client.upload.Uploader.drain` (its own retries, a few attempts per round);
download is `kiosk.client.download.Downloader.download`. A round that reached central waits
`interval_s` for the next; a failed one waits an exponentially growing, jittered time
(`ExponentialJitter`). `status()` is a consistent snapshot for the status bar, safe to read
from any thread. Each round starts with a heartbeat whose answer carries central's time, handed
to `on_server_time` with the monotonic moment it stands for (the middle of the round trip), so
the kiosk's trusted clock can tell a wrong wall clock (a box without a clock battery).
Issue 28: that first request asks central for every copy's version (`Downloader.state`) and the
download fetches only what changed: an idle kiosk makes one request per round. An older central
without the route gets the heartbeat and the full round, as before. The same answer names the
newest release for the kiosk's platform: the update check (`update_check`) asks for releases
only when that version is one it has not settled yet (with an older central: every round).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import httpx
import tenacity
from pydantic import ValidationError

from healthcode.feed import UpdatableFeed
from healthcode.keydir import load_public
from healthcode.keys import PublicKey
from healthcode.trust import TrustList
from kiosk.client.download import (
    Downloader,
    DownloadError,
    DownloadReport,
    DownloadSink,
    KioskCopies,
)
from kiosk.client.download import Refused as Refused
from kiosk.client.identity import ROOT_PUBLIC_FILE, TRUST_LIST_FILE, KioskIdentity
from kiosk.client.outbox import Outbox
from kiosk.client.transfer import fetch_transfer_key
from kiosk.client.upload import ExponentialJitter, Uploader, UploadError
from sync.outbox_file import OutboxFileError
from sync.schemas import HEARTBEAT_PATH, HeartbeatAck, Policy, StaffRoster, SyncState
from sync.signing import HealthSource, refusal_of

log = logging.getLogger(__name__)

ServerTimeHeard = Callable[[datetime, float], None]  # central's time, the monotonic moment

INTERVAL_S = 60.0
UPLOAD_ATTEMPTS = 3
JOIN_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 30.0


class UpdateOutcome(Protocol):
    @property
    def staged(self) -> str | None:
        """The version waiting to be installed, if any."""

    @property
    def settled(self) -> bool:
        """The offered release was dealt with (taken, or refused for good): asking again for
        the same version would not help."""


class UpdateCheck(Protocol):
    """The update check the sync thread runs after a round that reached central
    (`kiosk.ops.update.Updater`, issue 15)."""

    @property
    def platform(self) -> str: ...

    def check(self) -> UpdateOutcome: ...


_NOT_ASKED = object()  # no release offer settled yet


@dataclass(frozen=True)
class SyncStatus:
    """For the status bar: `online` is None before the first round; `last_sync_utc` is when a
    round last reached central; `refusal` the newest refused download (cleared when a later
    round refuses nothing)."""

    online: bool | None = None
    last_sync_utc: datetime | None = None
    refusal: Refused | None = None
    error: str | None = None
    update_staged: str | None = None  # a verified kiosk release waiting for an idle moment


class _RefusalTap:
    """Passes everything to the kiosk's sink, remembering refusals for the status."""

    def __init__(self, sink: DownloadSink) -> None:
        self.sink = sink
        self.refusals: list[Refused] = []

    def trust_list_accepted(self, signed: bytes, trust_list: TrustList, root: PublicKey) -> None:
        self.sink.trust_list_accepted(signed, trust_list, root)

    def feed_applied(self, feed: UpdatableFeed) -> None:
        self.sink.feed_applied(feed)

    def policy_accepted(self, policy: Policy, signed: bytes) -> None:
        self.sink.policy_accepted(policy, signed)

    def roster_accepted(self, roster: StaffRoster, signed: bytes) -> None:
        self.sink.roster_accepted(roster, signed)

    def refused(self, refusal: Refused) -> None:
        self.refusals.append(refusal)
        self.sink.refused(refusal)


class SyncWorker:
    def __init__(
        self,
        downloader: Downloader,
        uploader: Uploader | None = None,
        *,
        interval_s: float = INTERVAL_S,
        wait: tenacity.wait.wait_base | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        transfer_key_dir: Path | None = None,
        on_server_time: ServerTimeHeard | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.downloader = downloader
        self.on_server_time = on_server_time
        self._monotonic = monotonic
        self.uploader = uploader
        self.interval_s = interval_s
        self.wait = wait if wait is not None else ExponentialJitter()
        self._clock = clock
        self._tap = _RefusalTap(downloader.copies.sink)
        downloader.copies.sink = self._tap
        self._status = SyncStatus()
        self._failures = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: DownloadReport | None = None
        # issue 15: the update check (kiosk.ops.update), run after a round that reached central
        self.update_check: UpdateCheck | None = None
        self._update_staged: str | None = None
        self._release_settled: object = _NOT_ASKED  # the version central offered, dealt with
        # central's transfer key, kept in the identity folder once per run of the kiosk, so
        # `kiosk export-outbox` works when the network is later gone
        self.transfer_key_dir = transfer_key_dir
        self._transfer_key_kept = False

    def status(self) -> SyncStatus:
        return self._status

    def run_once(self) -> float:
        """One round; the seconds to wait before the next."""
        error: str | None = None
        central_state = self._ask_state()
        if self.uploader is not None:
            try:
                self.uploader.drain(max_attempts=UPLOAD_ATTEMPTS)
            except UploadError as failed:
                error = f"upload: {failed}"
        self._tap.refusals.clear()
        try:
            self.last_report = self.downloader.download(central_state)
        except DownloadError as failed:
            error = f"download: {failed}"
        refusal = self._tap.refusals[-1] if self._tap.refusals else None
        if error is None:
            self._failures = 0
            self._keep_transfer_key()
            self._check_for_update(central_state)
            self._status = SyncStatus(True, self._clock(), refusal, None, self._update_staged)
            return self.interval_s
        self._failures += 1
        log.info("sync round failed (%s); attempt %d", error, self._failures)
        previous = self._status
        self._status = SyncStatus(
            False, previous.last_sync_utc, refusal or previous.refusal, error, self._update_staged
        )
        state = tenacity.RetryCallState(tenacity.Retrying(), None, (), {})
        state.attempt_number = self._failures
        return float(min(self.wait(state), self.interval_s * 5))

    def _ask_state(self) -> SyncState | None:
        """Every copy's version at central, in the round's first request (issue 28); its answer
        carries central's time as the heartbeat's did. Without it (an older central, or a
        failed ask) the round sends the heartbeat and polls every copy as before."""
        sent_s = self._monotonic()
        try:
            platform = self.update_check.platform if self.update_check is not None else None
            state = self.downloader.state(platform)
        except DownloadError as failed:
            log.info("sync state: %s", failed.reason)
            state = None
        if state is None:
            self._hear_server_time()
            return None
        if self.on_server_time is not None:
            self.on_server_time(state.server_time, (sent_s + self._monotonic()) / 2)
        return state

    def _hear_server_time(self) -> None:
        """A heartbeat (it also reports the kiosk's health when there is nothing to upload);
        its answer, or a refusal, carries central's time. A failure here is not the round's:
        the upload and the download say whether central was reached."""
        if self.on_server_time is None:
            return
        sent_s = self._monotonic()
        try:
            answer = self.downloader.client.post(self.downloader.base + HEARTBEAT_PATH)
        except httpx.HTTPError as failed:
            log.info("heartbeat: %s", type(failed).__name__)
            return
        middle_s = (sent_s + self._monotonic()) / 2
        refusal = refusal_of(answer)
        if refusal is not None:
            self.on_server_time(refusal.server_time, middle_s)
            return
        try:
            ack = HeartbeatAck.model_validate_json(answer.content)
        except ValidationError:
            log.warning("heartbeat: not a heartbeat answer (HTTP %d)", answer.status_code)
            return
        self.on_server_time(ack.server_time, middle_s)

    def _keep_transfer_key(self) -> None:
        if self.transfer_key_dir is None or self._transfer_key_kept:
            return
        try:
            fetch_transfer_key(self.downloader.client, self.downloader.base, self.transfer_key_dir)
        except (OutboxFileError, OSError, httpx.HTTPError) as failed:
            log.warning("central's transfer key not kept (tried again next round): %s", failed)
            return
        self._transfer_key_kept = True

    def _check_for_update(self, central: SyncState | None) -> None:
        """Asks for releases when central's answer names a release not settled yet, or does
        not say (an older central, or no answer): an idle kiosk's round stays one request."""
        if self.update_check is None:
            return
        offered = central.release_version if central is not None else None
        known = central is not None and central.release_known
        if known and (offered is None or offered == self._release_settled):
            return  # nothing published for this platform, or the offer was dealt with
        try:
            outcome = self.update_check.check()
        except Exception:  # an update problem must not stop uploads and downloads
            log.exception("the update check failed")
            return
        self._update_staged = outcome.staged
        if known and outcome.settled:
            self._release_settled = offered

    # ------------------------------------------------------------ the thread

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """Sync now (a fever report waiting, or the network came back)."""
        if self.uploader is not None:
            self.uploader.nudge()
        self._wake.set()

    def stop(self, timeout_s: float = JOIN_TIMEOUT_S) -> bool:
        self._stop.set()
        self._wake.set()
        if self.uploader is not None:
            self.uploader.stop(timeout_s)  # ends its retry waits (it has no thread of its own)
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        thread.join(timeout_s)
        if thread.is_alive():
            log.error("the sync thread did not stop within %.0f s", timeout_s)
            return False
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                pause = self.run_once()
            except Exception:  # the sync thread must not die silently
                log.exception("the sync round failed")
                pause = self.interval_s
            self._wake.wait(pause)
            self._wake.clear()


def start_sync(
    identity_dir: Path,
    sink: DownloadSink,
    *,
    feed: UpdatableFeed,
    trust_list: TrustList | None,
    trust_list_signed: bytes | None = None,
    policy_version: int,
    roster_version: int,
    outbox: Outbox | None = None,
    health: HealthSource | None = None,
    interval_s: float = INTERVAL_S,
    start: bool = True,
    on_server_time: ServerTimeHeard | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> SyncWorker:
    """The kiosk's sync thread for an enrolled identity folder, started.

    `feed`, `trust_list`, the versions: what the kiosk decides with now; `sink` persists and
    swaps in what is verified later; `outbox` is the store (uploads); `health` the report sent
    with every request. Call `stop()` on the result when the kiosk stops.
    """
    identity = KioskIdentity.load(identity_dir)
    root = load_public(identity_dir / ROOT_PUBLIC_FILE)
    signed = trust_list_signed
    if signed is None and (identity_dir / TRUST_LIST_FILE).exists():
        signed = (identity_dir / TRUST_LIST_FILE).read_bytes()
    copies = KioskCopies(
        sink,
        root=root,
        checkpoint_id=identity.checkpoint.checkpoint_id,
        trust_list=trust_list,
        trust_list_signed=signed,
        feed=feed,
        policy_version=policy_version,
        roster_version=roster_version,
    )
    client = httpx.Client(
        auth=identity.auth(health=health) if health is not None else identity.auth(),
        timeout=REQUEST_TIMEOUT_S,
    )
    uploader = Uploader(outbox, client, identity.server_url) if outbox is not None else None
    worker = SyncWorker(
        Downloader(copies, client, identity.server_url, work_dir=identity_dir / "downloads"),
        uploader,
        interval_s=interval_s,
        transfer_key_dir=identity_dir,
        on_server_time=on_server_time,
        monotonic=monotonic,
    )
    if start:
        worker.start()
    return worker
