"""The kiosk's downloader: trust list, status feed, policy and staff roster, verified before use.

`KioskCopies` holds what the kiosk decides with (the pinned root and trust list, its feed copy,
the policy and roster versions) and takes new signed items: each is verified (the trust list
against the pinned root, everything else against a feed key of the trust list), and only then
handed to a `DownloadSink` that the kiosk provides (it persists and swaps in the new state).
An item that fails verification is refused: the old copy stays, and the sink hears a `Refused`
with a stable reason code and Chinese and English text for the status bar. The same checks
serve downloads (`Downloader`) and offline bundles (`kiosk.client.bundle_import`).

The feed copy is changed in place, never cloned (issue 28): a batch is verified first, and
GAP and OLDER_SNAPSHOT are decided before anything is written; the kiosk's copy
(`kiosk.store.feed.StoredFeed`) then commits each batch in one transaction (a snapshot is
swapped in whole), so the checker reading it on another thread sees the old state or the new.
The sink hears `feed_applied` once per round that changed the copy.

`Downloader.download()` makes one round over HTTP: the trust list by conditional GET (ETag),
the feed as deltas after the copy's last sequence, paged until caught up (a snapshot first when
the copy is empty, when central answers `snapshot_required`, or when a delta leaves a gap), and
the policy and roster by conditional GET on their versions. Network failures raise
`DownloadError`; the worker backs off and tries again.

Issue 28: `Downloader.state()` asks central for every copy's version in one request
(`sync.distribution.SYNC_PATH`); `download(state)` then fetches only the copies that differ,
so an idle kiosk makes one request per round. The feed is fetched anyway once the copy's signed
time is `FEED_REFRESH` old: only a signed batch proves the copy fresh (`FeedCopy.age`), an
unsigned "nothing changed" never does. A central without the route (older) answers 404:
`state()` gives None and the round polls every copy as before, asking again later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from tempfile import mkdtemp
from typing import Protocol

import httpx
from pydantic import ValidationError

from healthcode.feed import (
    BatchKind,
    FeedCopy,
    FeedError,
    FeedProblem,
    UpdatableFeed,
    older_snapshot,
    open_signed_batch,
)
from healthcode.keys import PublicKey
from healthcode.text import LocalText
from healthcode.trust import TrustAnchor, TrustList, TrustListError, TrustListProblem
from kiosk.client.snapshot_fetch import (
    NoSnapshotFile,
    SnapshotFetchError,
    apply_snapshot_file,
    fetch_snapshot_file,
)
from sync.distribution import (
    FEED_HEAD_HEADER,
    FEED_PATH,
    FEED_SNAPSHOT_PATH,
    MAX_FEED_PAGE,
    POLICY_PATH,
    ROSTER_PATH,
    SNAPSHOT_REQUIRED,
    SYNC_PATH,
    TRUST_LIST_PATH,
    DocumentError,
    DocumentType,
    etag,
    open_signed_document,
)
from sync.schemas import Policy, StaffRoster, SyncState
from sync.signing import refusal_of

log = logging.getLogger(__name__)


class Item(StrEnum):
    TRUST_LIST = "trust_list"
    FEED = "feed"
    POLICY = "policy"
    ROSTER = "roster"
    BUNDLE = "bundle"


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


_ROLLBACK_TEXT = LocalText(
    "下发数据比当前版本旧，已拒绝", "The download is older than the one in use"
)
_NO_TRUST_TEXT = LocalText("尚无信任列表，无法核验", "No trust list yet: nothing can be verified")
_BAD_CONTENT_TEXT = LocalText("下发数据内容无效", "The downloaded data's content is not valid")


@dataclass(frozen=True)
class Refused:
    """Why a download was refused: `reason` is a stable code (`bad_signature`, `rollback`,
    `gap`, ...), `text` what the status bar shows; the old copy stays in use."""

    item: Item
    reason: str
    text: LocalText
    detail: str


class DownloadSink(Protocol):
    """What the kiosk does with verified items (called on the sync thread)."""

    def trust_list_accepted(self, signed: bytes, trust_list: TrustList, root: PublicKey) -> None:
        """A newer trust list; `root` is the pinned root now (it moves on a root rotation)."""

    def feed_applied(self, feed: UpdatableFeed) -> None:
        """The feed copy in use took verified data (once per round; it is already kept)."""

    def policy_accepted(self, policy: Policy, signed: bytes) -> None: ...

    def roster_accepted(self, roster: StaffRoster, signed: bytes) -> None: ...

    def refused(self, refusal: Refused) -> None: ...


class KioskCopies:
    """The kiosk's verified state and the checks every new item goes through."""

    def __init__(
        self,
        sink: DownloadSink,
        *,
        root: PublicKey,
        checkpoint_id: str,
        trust_list: TrustList | None = None,
        trust_list_signed: bytes | None = None,
        feed: UpdatableFeed | None = None,
        policy_version: int = 0,
        roster_version: int = -1,
    ) -> None:
        self.sink = sink
        self.anchor = TrustAnchor(root, trust_list)
        self._signed_current = trust_list_signed
        self.checkpoint_id = checkpoint_id
        self.feed: UpdatableFeed = feed if feed is not None else FeedCopy()
        self.policy_version = policy_version
        self.roster_version = roster_version

    @property
    def trust_list(self) -> TrustList | None:
        return self.anchor.current

    def refuse(self, item: Item, reason: str, text: LocalText, detail: str) -> Outcome:
        refusal = Refused(item, reason, text, detail)
        log.warning("refused a %s download: %s (%s)", item.value, reason, detail)
        self.sink.refused(refusal)
        return Outcome.REFUSED

    # ------------------------------------------------------------ trust list

    def take_trust_list(self, signed: bytes, *, item: Item = Item.TRUST_LIST) -> Outcome:
        current = self.anchor.current
        candidate = TrustAnchor(self.anchor.root, current)
        try:
            trust_list = candidate.accept(signed)
        except TrustListError as error:
            if (
                error.problem is TrustListProblem.ROLLBACK
                and current is not None
                and signed == self._signed_current
            ):
                return Outcome.UNCHANGED
            return self.refuse(item, error.problem.value, error.problem.text, error.detail)
        self.sink.trust_list_accepted(signed, trust_list, candidate.root)
        self.anchor = candidate
        self._signed_current = signed
        return Outcome.ACCEPTED

    # ------------------------------------------------------------ feed

    def apply_batch(
        self, signed: bytes, item: Item = Item.FEED, *, quiet_gap: bool = False
    ) -> int | Outcome | FeedProblem:
        """Verify a signed delta or snapshot, then apply it to the feed copy in use; the number
        of entries taken, or REFUSED (the copy unchanged). Nothing is written before the batch
        verifies and is known to follow the copy. With `quiet_gap`, a delta that cannot follow
        the copy gives GAP without a refusal (the caller fetches a snapshot)."""
        feed = self.feed
        trust = self.anchor.current
        if trust is None:
            return self.refuse(item, "no_trust_list", _NO_TRUST_TEXT, "no trust list to verify")
        try:
            batch = open_signed_batch(signed, trust)
        except FeedError as error:
            return self.refuse(item, error.problem.value, error.problem.text, error.detail)
        if batch.kind is BatchKind.SNAPSHOT:
            refusal = older_snapshot(batch.last_sequence, feed.last_sequence)
            if refusal is not None:
                return self.refuse(
                    item, refusal.problem.value, refusal.problem.text, refusal.detail
                )
        elif quiet_gap and batch.first_sequence > feed.last_sequence + 1:
            return FeedProblem.GAP
        try:
            return feed.apply(batch)
        except FeedError as error:
            return self.refuse(item, error.problem.value, error.problem.text, error.detail)

    def apply_snapshot_file(self, path: Path) -> int | Outcome:
        """Like `apply_batch` for a snapshot file on disk (`kiosk.client.snapshot_fetch`): its
        header verified, then its entries streamed into the copy in use, all or nothing."""
        trust = self.anchor.current
        if trust is None:
            path.unlink(missing_ok=True)
            return self.refuse(
                Item.FEED, "no_trust_list", _NO_TRUST_TEXT, "no trust list to verify"
            )
        try:
            return apply_snapshot_file(path, trust, self.feed)
        except FeedError as error:
            return self.refuse(Item.FEED, error.problem.value, error.problem.text, error.detail)

    def feed_changed(self) -> Outcome:
        """Tell the kiosk its feed copy took verified data."""
        self.sink.feed_applied(self.feed)
        return Outcome.ACCEPTED

    def take_batch(self, signed: bytes, item: Item = Item.FEED) -> Outcome:
        taken = self.apply_batch(signed, item)
        if isinstance(taken, int):
            return self.feed_changed()
        return Outcome.REFUSED

    # ------------------------------------------------------------ policy and roster

    def take_policy(self, signed: bytes, item: Item = Item.POLICY) -> Outcome:
        document = self._document(signed, DocumentType.POLICY, item)
        if isinstance(document, Outcome):
            return document
        version, body = document
        if version == self.policy_version:
            return Outcome.UNCHANGED
        if version < self.policy_version:
            return self.refuse(
                item, "rollback", _ROLLBACK_TEXT, f"policy {version} < {self.policy_version}"
            )
        try:
            policy = Policy.model_validate(body)
            if policy.policy_version != version:
                raise ValueError("the document's version and the policy's differ")
        except (ValidationError, ValueError) as error:
            return self.refuse(item, "bad_content", _BAD_CONTENT_TEXT, str(error)[:300])
        self.sink.policy_accepted(policy, signed)
        self.policy_version = version
        return Outcome.ACCEPTED

    def take_roster(self, signed: bytes, item: Item = Item.ROSTER) -> Outcome:
        document = self._document(signed, DocumentType.STAFF_ROSTER, item)
        if isinstance(document, Outcome):
            return document
        version, body = document
        if version == self.roster_version:
            return Outcome.UNCHANGED
        if version < self.roster_version:
            return self.refuse(
                item, "rollback", _ROLLBACK_TEXT, f"roster {version} < {self.roster_version}"
            )
        try:
            roster = StaffRoster.model_validate(body)
            if roster.roster_version != version:
                raise ValueError("the document's version and the roster's differ")
        except (ValidationError, ValueError) as error:
            return self.refuse(item, "bad_content", _BAD_CONTENT_TEXT, str(error)[:300])
        self.sink.roster_accepted(roster, signed)
        self.roster_version = version
        return Outcome.ACCEPTED

    def _document(
        self, signed: bytes, expected: DocumentType, item: Item
    ) -> tuple[int, dict[str, object]] | Outcome:
        trust = self.anchor.current
        if trust is None:
            return self.refuse(item, "no_trust_list", _NO_TRUST_TEXT, "no trust list to verify")
        try:
            document = open_signed_document(
                signed, trust, expected=expected, checkpoint_id=self.checkpoint_id
            )
        except DocumentError as error:
            return self.refuse(item, error.problem.value, error.problem.text, error.detail)
        return document.version, document.body


# ---------------------------------------------------------------- over HTTP


class DownloadError(Exception):
    """No usable answer from central (network, server error): try again later."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class DownloadReport:
    outcomes: dict[Item, Outcome] = field(default_factory=dict)
    feed_pages: int = 0
    snapshots: int = 0


Clock = Callable[[], datetime]

# An unchanged feed is fetched again (a signed, empty delta) when the copy's signed time is this
# old, so its age stays well under any policy's `max_feed_age`.
FEED_REFRESH = timedelta(minutes=10)
# Rounds between two asks of a central that lacked the sync route (it may have been upgraded).
SYNC_ROUTE_PROBE_ROUNDS = 30


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Downloader:
    """One download round at a time through an httpx client signing as the kiosk."""

    def __init__(
        self,
        copies: KioskCopies,
        client: httpx.Client,
        server_url: str,
        *,
        page: int = MAX_FEED_PAGE,
        max_pages: int = 1000,
        work_dir: Path | None = None,
        clock: Clock = _utc_now,
    ) -> None:
        self.copies = copies
        self.client = client
        self.base = server_url.rstrip("/")
        self.page = max(1, min(page, MAX_FEED_PAGE))
        self.max_pages = max_pages
        # Where a snapshot file is downloaded (a partial one resumes from here next round).
        self._work_dir = work_dir
        self.clock = clock
        self._rounds_without_sync_route: int | None = None  # None: the route was there

    @property
    def work_dir(self) -> Path:
        if self._work_dir is None:
            self._work_dir = Path(mkdtemp(prefix="kiosk-feed-"))
        return self._work_dir

    def state(self, platform: str | None = None) -> SyncState | None:
        """Every copy's version at central in one request (with the newest release for
        `platform`, when named); None when central has no such route (an older central: poll
        every copy). Raises DownloadError when central is unreachable."""
        skipped = self._rounds_without_sync_route
        if skipped is not None and 0 < skipped < SYNC_ROUTE_PROBE_ROUNDS:
            self._rounds_without_sync_route = skipped + 1
            return None
        try:
            params = {"platform": platform} if platform is not None else None
            response = self.client.get(self.base + SYNC_PATH, params=params)
        except httpx.HTTPError as error:
            raise DownloadError("network", f"{type(error).__name__}: {error}") from None
        if response.status_code in (404, 405):
            self._rounds_without_sync_route = 1
            return None
        if response.status_code != 200:
            refusal = refusal_of(response)
            reason = refusal.error.value if refusal is not None else f"http_{response.status_code}"
            raise DownloadError(reason, refusal.detail if refusal else response.text[:200])
        try:
            state = SyncState.model_validate_json(response.content)
        except ValidationError as error:
            raise DownloadError("bad_answer", str(error)[:200]) from None
        self._rounds_without_sync_route = None
        return state

    def download(self, state: SyncState | None = None) -> DownloadReport:
        """Trust list, feed, policy, roster, in that order (the trust list names the keys the
        others are checked with); with central's `state`, only those that differ from the
        kiosk's copies. Raises DownloadError when central cannot be reached."""
        report = DownloadReport()
        copies = self.copies
        for item in Item:
            if item is not Item.BUNDLE:
                report.outcomes[item] = Outcome.UNCHANGED
        if state is None or self._trust_list_differs(state):
            report.outcomes[Item.TRUST_LIST] = self.trust_list()
        if state is None or self._feed_wanted(state):
            report.outcomes[Item.FEED] = self.feed(report)
        if state is None or state.policy_version != copies.policy_version:
            report.outcomes[Item.POLICY] = self._document(
                POLICY_PATH, "policy", copies.policy_version, copies.take_policy
            )
        if state is None or state.roster_version != copies.roster_version:
            report.outcomes[Item.ROSTER] = self._document(
                ROSTER_PATH, "roster", copies.roster_version, copies.take_roster
            )
        return report

    def _trust_list_differs(self, state: SyncState) -> bool:
        current = self.copies.trust_list
        if state.trust_list_sequence is None:
            return current is None  # nothing published: asking gives the 404 it always gave
        return current is None or current.sequence != state.trust_list_sequence

    def _feed_fresh(self) -> bool:
        age = self.copies.feed.age(self.clock())
        return age is not None and age < FEED_REFRESH

    def _feed_wanted(self, state: SyncState) -> bool:
        feed = self.copies.feed
        return feed.last_sequence != state.feed_head or not self._feed_fresh()

    # ------------------------------------------------------------ requests

    def _get(
        self, path: str, *, params: dict[str, int] | None = None, tag: str | None = None
    ) -> httpx.Response:
        headers = {"if-none-match": tag} if tag is not None else {}
        try:
            response = self.client.get(self.base + path, params=params, headers=headers)
        except httpx.HTTPError as error:
            raise DownloadError("network", f"{type(error).__name__}: {error}") from None
        if response.status_code in (200, 304, 409):
            return response
        refusal = refusal_of(response)
        reason = refusal.error.value if refusal is not None else f"http_{response.status_code}"
        raise DownloadError(reason, refusal.detail if refusal else response.text[:200])

    def trust_list(self) -> Outcome:
        current = self.copies.trust_list
        tag = etag("trust-list", current.sequence) if current is not None else None
        response = self._get(TRUST_LIST_PATH, tag=tag)
        if response.status_code != 200:
            return Outcome.UNCHANGED
        return self.copies.take_trust_list(response.content)

    def _document(
        self, path: str, kind: str, version: int, take: Callable[[bytes], Outcome]
    ) -> Outcome:
        response = self._get(path, tag=etag(kind, version))
        if response.status_code != 200:
            return Outcome.UNCHANGED
        return take(response.content)

    # ------------------------------------------------------------ feed

    def snapshot(self, report: DownloadReport) -> int | Outcome | FeedProblem:
        """The snapshot file (streamed to disk, resumed, verified, applied: issue 28), or the
        one-batch snapshot from a central that offers no file."""
        try:
            fetched = fetch_snapshot_file(self.client, self.base, self.work_dir)
        except NoSnapshotFile:
            pass
        except SnapshotFetchError as error:
            raise DownloadError(error.reason, error.detail) from None
        else:
            report.snapshots += 1
            return self.copies.apply_snapshot_file(fetched.path)
        response = self._get(FEED_SNAPSHOT_PATH)
        if response.status_code != 200:
            raise DownloadError("bad_answer", f"snapshot answered {response.status_code}")
        report.snapshots += 1
        return self.copies.apply_batch(response.content)

    def feed(self, report: DownloadReport) -> Outcome:
        """Deltas after the copy's last sequence until caught up, each verified and applied to
        the copy in use; the kiosk is told once, at the end (or when a later page fails)."""
        feed = self.copies.feed
        changed = False
        fresh = self._feed_fresh()  # a 304 leaves the copy's signed time as it is
        outcome = Outcome.UNCHANGED
        try:
            snapshot_taken = False
            if feed.last_sequence == 0 and feed.as_of_utc is None:
                if not isinstance(self.snapshot(report), int):
                    return Outcome.REFUSED
                changed = snapshot_taken = True
            for _ in range(self.max_pages):
                after = feed.last_sequence
                tag = etag("feed", after) if fresh and not changed else None
                response = self._get(
                    FEED_PATH, params={"after": after, "limit": self.page}, tag=tag
                )
                if response.status_code == 304:
                    break  # nothing after `after`, and the copy is recent enough
                signed = response.content if response.status_code == 200 else None
                if response.status_code == 409 or signed is None:
                    if snapshot_taken or not _snapshot_required(response):
                        raise DownloadError("bad_answer", "central keeps asking for a snapshot")
                    taken = self.snapshot(report)
                    snapshot_taken = True
                else:
                    taken = self.copies.apply_batch(signed, quiet_gap=True)
                    report.feed_pages += 1
                    if taken is FeedProblem.GAP and not snapshot_taken:
                        taken = self.snapshot(report)
                        snapshot_taken = True
                if isinstance(taken, FeedProblem):
                    problem = taken
                    self.copies.refuse(Item.FEED, problem.value, problem.text, "after a snapshot")
                if not isinstance(taken, int):
                    outcome = Outcome.REFUSED
                    break
                changed = True
                head = _head(response)
                if feed.last_sequence <= after or (head is not None and feed.last_sequence >= head):
                    break
        finally:
            if changed:
                accepted = self.copies.feed_changed()
                if outcome is not Outcome.REFUSED:
                    outcome = accepted
        return outcome


def _snapshot_required(response: httpx.Response) -> bool:
    try:
        return bool(response.json().get("error") == SNAPSHOT_REQUIRED)
    except ValueError:
        return False


def _head(response: httpx.Response) -> int | None:
    value = response.headers.get(FEED_HEAD_HEADER)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
