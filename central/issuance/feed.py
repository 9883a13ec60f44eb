"""The central status feed: every colour change after issuance, append-only, in sequence.

`append_change` / `append_changes` are the only writers: they take the next numbers from the
single `feed_head` row with `UPDATE ... RETURNING`, whose row lock (PostgreSQL) or write lock
(SQLite) is held until the caller's transaction commits. So feed numbers become visible in
order and without gaps, whichever process or worker appends; call them last in a
transaction, to hold that lock briefly. Readers (`batch_since`, `snapshot`) hand out
`healthcode.feed.FeedBatch`es signed with the feed key: what kiosks download (issue 11).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from central.core.models import FeedHead, StatusFeedEntry
from healthcode.claims import Colour
from healthcode.feed import BatchKind, FeedBatch, FeedEntry, compaction_horizon, make_snapshot
from healthcode.keys import SigningKey

MAX_BATCH = 5000
_FEED_TABLE = cast(Table, StatusFeedEntry.__table__)
MAX_REASON_LENGTH = 64


@dataclass(frozen=True)
class Change:
    """One colour change to append: no personal data, only the code and why."""

    issuer: str
    code_id: bytes
    colour: Colour
    colour_seq: int
    reason: str
    at: datetime
    actor: str = "system"


def append_changes(session: Session, changes: Sequence[Change]) -> list[int]:
    """Append changes in the caller's transaction; their feed sequence numbers, in order."""
    if not changes:
        return []
    last = session.execute(
        update(FeedHead)
        .where(FeedHead.id == 1)
        .values(last_sequence=FeedHead.last_sequence + len(changes))
        .returning(FeedHead.last_sequence)
    ).scalar_one()
    first = int(last) - len(changes) + 1
    rows = [
        {
            "sequence": first + offset,
            "issuer": change.issuer,
            "code_id": change.code_id,
            "colour": change.colour.value,
            "colour_seq": change.colour_seq,
            "reason": change.reason[:MAX_REASON_LENGTH],
            "at": change.at,
            "actor": change.actor[:36],
        }
        for offset, change in enumerate(changes)
    ]
    # Core executemany (not the ORM's bulk insert): a recompute appends a million of these.
    session.connection().execute(insert(_FEED_TABLE), rows)
    return list(range(first, first + len(rows)))


def append_bulk(
    session: Session,
    codes: Sequence[tuple[str, bytes, str, int]],
    reason: str,
    at: datetime,
    actor: str,
) -> None:
    """Append many changes of one cause, (issuer, code id, colour, colour sequence) each, in
    the caller's transaction: what a recompute appends, a million rows at a time. PostgreSQL
    gets them by COPY; SQLite by the driver's executemany (no per-row type processing)."""
    if not codes:
        return
    last = session.execute(
        update(FeedHead)
        .where(FeedHead.id == 1)
        .values(last_sequence=FeedHead.last_sequence + len(codes))
        .returning(FeedHead.last_sequence)
    ).scalar_one()
    first = int(last) - len(codes) + 1
    reason, actor = reason[:MAX_REASON_LENGTH], actor[:36]
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection  # psycopg's, in this transaction
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY status_feed ({_COLUMNS}) FROM STDIN") as copy,
        ):
            for offset, (issuer, code_id, colour, colour_seq) in enumerate(codes):
                copy.write_row(
                    (first + offset, issuer, code_id, colour, colour_seq, reason, at, actor)
                )
        return
    processor = _FEED_TABLE.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    stored_at = processor(at) if processor is not None else at
    connection.exec_driver_sql(
        _SQLITE_INSERT,
        [
            (first + offset, issuer, code_id, colour, colour_seq, reason, stored_at, actor)
            for offset, (issuer, code_id, colour, colour_seq) in enumerate(codes)
        ],
    )


_COLUMNS = "sequence, issuer, code_id, colour, colour_seq, reason, at, actor"
_SQLITE_INSERT = f"INSERT INTO status_feed ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608


def append_change(session: Session, change: Change) -> int:
    return append_changes(session, [change])[0]


def last_sequence(session: Session) -> int:
    return int(session.scalar(select(FeedHead.last_sequence).where(FeedHead.id == 1)) or 0)


def _entry(row: StatusFeedEntry) -> FeedEntry:
    return FeedEntry(
        sequence=row.sequence,
        issuer=row.issuer,
        code_id=row.code_id,
        colour=Colour(row.colour),
        colour_seq=row.colour_seq,
        reason=row.reason,
        at_utc=row.at.replace(microsecond=0),
    )


def entries_since(session: Session, after: int, limit: int = MAX_BATCH) -> list[FeedEntry]:
    rows = session.scalars(
        select(StatusFeedEntry)
        .where(StatusFeedEntry.sequence > after)
        .order_by(StatusFeedEntry.sequence)
        .limit(max(1, min(limit, MAX_BATCH)))
    )
    return [_entry(row) for row in rows]


def batch_since(
    session: Session, after: int, limit: int, *, publisher: str, now: datetime
) -> FeedBatch:
    """A delta of the entries after `after` (at most `limit`). `last_sequence` is the newest
    entry included, or the feed's head when nothing is new, so a kiosk learns it is current."""
    entries = entries_since(session, after, limit)
    last = entries[-1].sequence if entries else max(after, last_sequence(session))
    return FeedBatch(
        kind=BatchKind.DELTA,
        publisher=publisher,
        first_sequence=after + 1,
        last_sequence=last,
        as_of_utc=now.replace(microsecond=0),
        entries=tuple(entries),
    )


def signed_batch_since(
    session: Session, after: int, limit: int, *, key: SigningKey, publisher: str, now: datetime
) -> bytes:
    return batch_since(session, after, limit, publisher=publisher, now=now).sign(key)


def snapshot(session: Session, now: datetime, *, publisher: str) -> FeedBatch:
    """The newest entry per code within the compaction horizon, as of the current head."""
    head = last_sequence(session)
    horizon = compaction_horizon(now)
    newest = (
        select(func.max(StatusFeedEntry.sequence))
        .where(StatusFeedEntry.at >= horizon, StatusFeedEntry.sequence <= head)
        .group_by(StatusFeedEntry.issuer, StatusFeedEntry.code_id)
    )
    rows = session.scalars(
        select(StatusFeedEntry)
        .where(StatusFeedEntry.sequence.in_(newest))
        .order_by(StatusFeedEntry.sequence)
    )
    return make_snapshot(
        (_entry(row) for row in rows),
        publisher=publisher,
        last_sequence=head,
        as_of_utc=now.replace(microsecond=0),
    )


def signed_snapshot(session: Session, now: datetime, *, key: SigningKey, publisher: str) -> bytes:
    return snapshot(session, now, publisher=publisher).sign(key)
