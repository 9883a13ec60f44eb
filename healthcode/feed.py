"""The status feed: colour changes after issuance, reaching kiosks as signed, sequenced batches.

The feed is append-only. Each entry has a feed sequence number and names one code (by issuer
and code id) with its new colour and that colour's sequence number; an entry overrides a code's
printed colour when its colour sequence is newer. A batch is a COSE_Sign1 by a feed key of the
trust list and carries a signed as-of time. The age of a kiosk's copy is now minus the newest
as-of time it has verified, so replaying an old batch cannot make the copy look fresh.

Bounding the feed: an entry made at time T matters only to codes issued before T (later codes
carry the new colour themselves), and those have expired by T + the longest validity. So entries
older than the longest validity plus the clock tolerance are compacted away. A snapshot is the
compacted state: the newest entry per code within that horizon, as of a feed sequence number,
signed like a batch; a kiosk that is new or too far behind starts from one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

import cbor2

from healthcode import cose
from healthcode.claims import (
    CODE_ID_LENGTH,
    LONGEST_VALIDITY,
    ClaimsError,
    Colour,
    HealthCodeClaims,
    check_region_code,
)
from healthcode.keys import SigningKey
from healthcode.text import LocalText
from healthcode.timeutil import from_epoch_s, to_epoch_s
from healthcode.trust import KeyRole, TrustList

FEED_VERSION = 1
DEFAULT_CLOCK_TOLERANCE = timedelta(minutes=5)


class BatchKind(StrEnum):
    DELTA = "delta"
    SNAPSHOT = "snapshot"


class FeedProblem(StrEnum):
    DAMAGED = "damaged"
    UNKNOWN_KEY = "unknown_key"
    NOT_A_FEED_KEY = "not_a_feed_key"
    KEY_COMPROMISED = "key_compromised"
    BAD_SIGNATURE = "bad_signature"
    GAP = "gap"  # entries are missing between the copy and this batch: fetch a snapshot
    OLDER_SNAPSHOT = "older_snapshot"

    @property
    def text(self) -> LocalText:
        return _PROBLEM_TEXT[self]


_PROBLEM_TEXT = {
    FeedProblem.DAMAGED: LocalText("状态数据已损坏", "The status data is damaged"),
    FeedProblem.UNKNOWN_KEY: LocalText(
        "状态数据的签名密钥未知", "The status data is signed by an unknown key"
    ),
    FeedProblem.NOT_A_FEED_KEY: LocalText(
        "状态数据的签名密钥无此权限", "The status data is signed by a key not allowed to"
    ),
    FeedProblem.KEY_COMPROMISED: LocalText(
        "状态数据的签名密钥已作废", "The status data is signed by a revoked key"
    ),
    FeedProblem.BAD_SIGNATURE: LocalText(
        "状态数据签名无效", "The status data's signature does not verify"
    ),
    FeedProblem.GAP: LocalText(
        "状态数据不连续，需要完整快照", "Status data is missing: a full snapshot is needed"
    ),
    FeedProblem.OLDER_SNAPSHOT: LocalText(
        "状态快照比当前数据旧", "The status snapshot is older than the data in use"
    ),
}


class FeedError(ValueError):
    def __init__(self, problem: FeedProblem, detail: str) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class FeedEntry:
    """One colour change: code (issuer, code id) is `colour` from colour sequence `colour_seq`."""

    sequence: int
    issuer: str
    code_id: bytes
    colour: Colour
    colour_seq: int
    reason: str
    at_utc: datetime

    def encode(self) -> list[Any]:
        return [
            self.sequence,
            self.issuer,
            self.code_id,
            self.colour.wire,
            self.colour_seq,
            self.reason,
            to_epoch_s(self.at_utc),
        ]

    @classmethod
    def decode(cls, item: object) -> FeedEntry:
        if not isinstance(item, list | tuple) or len(item) != 7:
            raise ValueError("a feed entry is an array of seven items")
        sequence, issuer, code_id, colour, colour_seq, reason, at = item
        if not (isinstance(issuer, str) and isinstance(code_id, bytes) and isinstance(reason, str)):
            raise ValueError("feed entry fields have the wrong types")
        if not all(
            isinstance(n, int) and not isinstance(n, bool) for n in (sequence, colour_seq, at)
        ):
            raise ValueError("feed entry numbers must be integers")
        if len(code_id) != CODE_ID_LENGTH:
            raise ValueError("feed entry code id has the wrong length")
        check_region_code(issuer)
        return cls(
            sequence,
            issuer,
            code_id,
            Colour.from_wire(colour),
            colour_seq,
            reason,
            from_epoch_s(at),
        )


@dataclass(frozen=True)
class FeedBatch:
    """Verified contents of a signed batch (delta) or snapshot."""

    kind: BatchKind
    publisher: str
    first_sequence: int  # of a delta; a snapshot covers everything up to last_sequence
    last_sequence: int
    as_of_utc: datetime
    entries: tuple[FeedEntry, ...]
    horizon_utc: datetime | None = None  # a snapshot's compaction cut-off

    def encode(self) -> bytes:
        body: dict[str, Any] = {
            "v": FEED_VERSION,
            "type": self.kind.value,
            "publisher": self.publisher,
            "first": self.first_sequence,
            "last": self.last_sequence,
            "as_of": to_epoch_s(self.as_of_utc),
            "entries": [entry.encode() for entry in self.entries],
        }
        if self.horizon_utc is not None:
            body["horizon"] = to_epoch_s(self.horizon_utc)
        return cbor2.dumps(body)

    def sign(self, feed_key: SigningKey) -> bytes:
        return cose.sign(self.encode(), feed_key)

    @classmethod
    def decode(cls, payload: bytes) -> FeedBatch:
        try:
            body = cbor2.loads(payload)
            if not isinstance(body, dict) or body.get("v") != FEED_VERSION:
                raise ValueError(f"not a version {FEED_VERSION} feed batch")
            entries = tuple(FeedEntry.decode(item) for item in body["entries"])
            horizon = body.get("horizon")
            batch = cls(
                kind=BatchKind(body["type"]),
                publisher=str(body["publisher"]),
                first_sequence=int(body["first"]),
                last_sequence=int(body["last"]),
                as_of_utc=from_epoch_s(int(body["as_of"])),
                entries=entries,
                horizon_utc=from_epoch_s(int(horizon)) if horizon is not None else None,
            )
        except (ValueError, KeyError, TypeError, OverflowError, OSError, ClaimsError) as error:
            raise FeedError(FeedProblem.DAMAGED, str(error)) from None
        except Exception as error:  # cbor2's decoder errors
            raise FeedError(FeedProblem.DAMAGED, f"not CBOR: {error}") from None
        batch.check_sequences()
        return batch

    def check_sequences(self) -> None:
        sequences = [entry.sequence for entry in self.entries]
        if sequences != sorted(set(sequences)):
            raise FeedError(FeedProblem.DAMAGED, "entry sequences are not strictly increasing")
        if self.kind is BatchKind.DELTA:
            if self.last_sequence < self.first_sequence - 1:
                raise FeedError(FeedProblem.DAMAGED, "last sequence is before first")
            if sequences and (
                sequences[0] < self.first_sequence or sequences[-1] > self.last_sequence
            ):
                raise FeedError(FeedProblem.DAMAGED, "an entry lies outside the batch's range")
        elif sequences and sequences[-1] > self.last_sequence:
            raise FeedError(FeedProblem.DAMAGED, "a snapshot entry lies after its sequence")


def open_signed_batch(data: bytes, trust: TrustList) -> FeedBatch:
    """Verify a signed batch or snapshot with a feed key of the trust list. Raises FeedError."""
    try:
        message = cose.decode(data)
    except cose.CoseError as error:
        raise FeedError(FeedProblem.DAMAGED, str(error)) from None
    verify_feed_signature(message, trust)
    return FeedBatch.decode(message.payload)


def verify_feed_signature(message: cose.Sign1, trust: TrustList) -> None:
    """The message is signed by a feed key of the trust list that is not revoked (a signed
    batch here, a snapshot file's header in `healthcode.feed_file`). Raises FeedError
    (UNKNOWN_KEY, NOT_A_FEED_KEY, KEY_COMPROMISED, BAD_SIGNATURE)."""
    key = trust.key(message.kid) if message.kid is not None else None
    if key is None:
        raise FeedError(FeedProblem.UNKNOWN_KEY, "no feed key in the trust list has this key id")
    if key.role is not KeyRole.FEED:
        raise FeedError(FeedProblem.NOT_A_FEED_KEY, f"key role is {key.role.value}")
    if key.compromised:
        raise FeedError(FeedProblem.KEY_COMPROMISED, "the feed key was revoked")
    if message.algorithm != key.public.algorithm or not message.verify(key.public):
        raise FeedError(FeedProblem.BAD_SIGNATURE, "feed signature does not verify")


def compaction_horizon(now: datetime, tolerance: timedelta = DEFAULT_CLOCK_TOLERANCE) -> datetime:
    """Entries made before this time can no longer change the colour of any valid code."""
    return now - LONGEST_VALIDITY - tolerance


class FeedView(Protocol):
    """What the checker reads from a feed copy: the in-memory `FeedCopy` (central's tests, the
    simulator, the demo) or the kiosk's copy kept in its store (`kiosk.store.feed`)."""

    @property
    def last_sequence(self) -> int: ...

    @property
    def as_of_utc(self) -> datetime | None: ...

    def age(self, now: datetime) -> timedelta | None: ...

    def latest(self, issuer: str, code_id: bytes) -> FeedEntry | None: ...

    def effective_colour(self, claims: HealthCodeClaims) -> tuple[Colour, FeedEntry | None]: ...


class UpdatableFeed(FeedView, Protocol):
    """What the downloader needs besides: verified data applied in place, all or nothing."""

    def apply(self, batch: FeedBatch) -> int: ...

    def replace_from_snapshot(
        self,
        entries: Iterable[FeedEntry],
        *,
        last_sequence: int,
        as_of_utc: datetime,
        horizon_utc: datetime | None,
    ) -> int: ...

    def compact(self, now: datetime, tolerance: timedelta = DEFAULT_CLOCK_TOLERANCE) -> int: ...


def older_snapshot(snapshot_sequence: int, copy_sequence: int) -> FeedError | None:
    """The refusal of a snapshot behind the copy, or None when it may replace the copy."""
    if snapshot_sequence < copy_sequence:
        return FeedError(
            FeedProblem.OLDER_SNAPSHOT,
            f"snapshot at {snapshot_sequence}, copy at {copy_sequence}",
        )
    return None


class FeedCopy:
    """A copy of the status feed in memory: the newest entry per code, and how fresh it is.
    The reference the kiosk's stored copy (`kiosk.store.feed.StoredFeed`) behaves like."""

    def __init__(self) -> None:
        self._latest: dict[tuple[str, bytes], FeedEntry] = {}
        self.last_sequence = 0
        self.as_of_utc: datetime | None = None

    def __len__(self) -> int:
        return len(self._latest)

    def entries(self) -> Iterator[FeedEntry]:
        return iter(self._latest.values())

    def age(self, now: datetime) -> timedelta | None:
        """How old the newest verified data is; None when nothing was ever verified."""
        if self.as_of_utc is None:
            return None
        return max(now - self.as_of_utc, timedelta(0))

    def apply(self, batch: FeedBatch) -> int:
        """Apply a verified batch or snapshot; the number of entries taken. Raises FeedError
        (GAP, OLDER_SNAPSHOT) and leaves the copy unchanged when it cannot be applied."""
        if batch.kind is BatchKind.SNAPSHOT:
            return self.replace_from_snapshot(
                batch.entries,
                last_sequence=batch.last_sequence,
                as_of_utc=batch.as_of_utc,
                horizon_utc=batch.horizon_utc,
            )
        if batch.first_sequence > self.last_sequence + 1:
            raise FeedError(
                FeedProblem.GAP,
                f"copy ends at {self.last_sequence}, batch starts at {batch.first_sequence}",
            )
        new = [entry for entry in batch.entries if entry.sequence > self.last_sequence]
        self._take(self._latest, new)
        self.last_sequence = max(self.last_sequence, batch.last_sequence)
        self._freshen(batch.as_of_utc)
        return len(new)

    def replace_from_snapshot(
        self,
        entries: Iterable[FeedEntry],
        *,
        last_sequence: int,
        as_of_utc: datetime,
        horizon_utc: datetime | None,
    ) -> int:
        """Replace the copy with a verified snapshot's entries, streamed; the number taken.
        All or nothing: OLDER_SNAPSHOT is raised before anything is read, and when `entries`
        raises the copy is unchanged. Entries before `horizon_utc` are left out; the as-of
        time never goes back behind data already verified."""
        if (refusal := older_snapshot(last_sequence, self.last_sequence)) is not None:
            raise refusal
        latest: dict[tuple[str, bytes], FeedEntry] = {}
        taken = self._take(latest, entries, horizon_utc)
        self._latest = latest
        self.last_sequence = last_sequence
        self._freshen(as_of_utc)
        return taken

    def restore(
        self, entries: Iterable[FeedEntry], last_sequence: int, as_of_utc: datetime | None
    ) -> None:
        """Load a copy that was kept elsewhere (already verified when it arrived)."""
        latest: dict[tuple[str, bytes], FeedEntry] = {}
        self._take(latest, entries)
        self._latest = latest
        self.last_sequence = last_sequence
        self.as_of_utc = as_of_utc

    def compact(self, now: datetime, tolerance: timedelta = DEFAULT_CLOCK_TOLERANCE) -> int:
        """Drop entries that can no longer matter; the number dropped."""
        horizon = compaction_horizon(now, tolerance)
        stale = [key for key, entry in self._latest.items() if entry.at_utc < horizon]
        for key in stale:
            del self._latest[key]
        return len(stale)

    def latest(self, issuer: str, code_id: bytes) -> FeedEntry | None:
        return self._latest.get((issuer, code_id))

    def effective_colour(self, claims: HealthCodeClaims) -> tuple[Colour, FeedEntry | None]:
        """The newest colour known for a code, and the feed entry that set it (None when the
        code's own colour is the newest)."""
        return colour_over_code(self._latest.get((claims.issuer, claims.code_id)), claims)

    @staticmethod
    def _take(
        latest: dict[tuple[str, bytes], FeedEntry],
        entries: Iterable[FeedEntry],
        horizon_utc: datetime | None = None,
    ) -> int:
        taken = 0
        for entry in entries:
            if horizon_utc is not None and entry.at_utc < horizon_utc:
                continue
            taken += 1
            key = (entry.issuer, entry.code_id)
            known = latest.get(key)
            if known is None or entry.colour_seq >= known.colour_seq:
                latest[key] = entry
        return taken

    def _freshen(self, as_of_utc: datetime) -> None:
        if self.as_of_utc is None or as_of_utc > self.as_of_utc:
            self.as_of_utc = as_of_utc


def colour_over_code(
    entry: FeedEntry | None, claims: HealthCodeClaims
) -> tuple[Colour, FeedEntry | None]:
    """The code's colour, or the feed entry's when its colour sequence is newer."""
    if entry is not None and entry.colour_seq > claims.colour_seq:
        return entry.colour, entry
    return claims.colour, None


def make_snapshot(
    entries: Iterable[FeedEntry],
    *,
    publisher: str,
    last_sequence: int,
    as_of_utc: datetime,
    tolerance: timedelta = DEFAULT_CLOCK_TOLERANCE,
) -> FeedBatch:
    """The compacted state of a feed: newest entry per code, within the horizon."""
    horizon = compaction_horizon(as_of_utc, tolerance)
    latest: dict[tuple[str, bytes], FeedEntry] = {}
    for entry in entries:
        if entry.sequence > last_sequence or entry.at_utc < horizon:
            continue
        key = (entry.issuer, entry.code_id)
        known = latest.get(key)
        if known is None or (entry.colour_seq, entry.sequence) >= (
            known.colour_seq,
            known.sequence,
        ):
            latest[key] = entry
    ordered = tuple(sorted(latest.values(), key=lambda e: e.sequence))
    return FeedBatch(
        kind=BatchKind.SNAPSHOT,
        publisher=publisher,
        first_sequence=0,
        last_sequence=last_sequence,
        as_of_utc=as_of_utc,
        entries=ordered,
        horizon_utc=horizon,
    )
