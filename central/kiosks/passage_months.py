"""Passages by month (issue 28): on PostgreSQL `received_passages` is partitioned by month of
`at` (declarative partitioning, migration 0021), so retention drops a whole month's partition
instead of deleting hundreds of millions of rows one by one.

A month's partition is `passage_months.received_passages_YYYY_MM` (months in UTC; the partitions
live in a schema of their own, so the default schema holds only what the models describe); rows
whose month has no partition yet go to `passage_months.received_passages_default`, so an upload
never fails for want of one.
`ensure_ahead` makes the partitions of this month and the next `MONTHS_AHEAD` (at startup and by
the periodic job, central/jobs.py), moving any of their rows that wait in the default partition.
`drop_expired` drops the partitions wholly older than the retention window
(`CENTRAL_RECORD_MAX_AGE_DAYS`) and deletes the expired rows of the month it cuts through. The
partitioned table's primary key is (id, at): a record sent twice has the same id and time, so
an upload's insert that ignores conflicts still stores it once; one sent again with another
time is caught by `passage_months.passage_ids` (every stored id once, written by the same
statement), which retention prunes with the months. SQLite keeps one plain table; there
retention deletes the expired rows.

Several processes may call these at once: a transaction-level advisory lock orders them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, text
from sqlalchemy.orm import Session, sessionmaker

from central.core.models import ReceivedPassage

MONTHS_AHEAD = 2
TABLE = "received_passages"
# The partitions live in a schema of their own: the default schema holds what the models
# describe (the partitioned table), and nothing else.
SCHEMA = "passage_months"
DEFAULT_PARTITION = f"{SCHEMA}.{TABLE}_default"
# Every stored passage's id once (id primary key, at; migration 0024): the upload's check that
# an id is new whatever its time, one unique index instead of a probe of every month.
IDS = f"{SCHEMA}.passage_ids"
_MONTH_NAME = re.compile(rf"^{TABLE}_(\d{{4}})_(\d{{2}})$")
# The rows of one month waiting in the default partition (names are constants, times bound).
_IN_MONTH = "at >= CAST(:low AS timestamptz) AND at < CAST(:high AS timestamptz)"
_WAITING = f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE {_IN_MONTH})"  # noqa: S608
_SET_ASIDE = (
    f"CREATE TEMP TABLE moving_passages AS SELECT * FROM {DEFAULT_PARTITION} WHERE {_IN_MONTH}"  # noqa: S608
)
_TAKE_OUT = f"DELETE FROM {DEFAULT_PARTITION} WHERE {_IN_MONTH}"  # noqa: S608
_PUT_BACK = f"INSERT INTO {TABLE} SELECT * FROM moving_passages"  # noqa: S608
_PRUNE_IDS = f"DELETE FROM {IDS} WHERE at < :cutoff"  # noqa: S608
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('received_passages months'))"


@dataclass(frozen=True)
class Retention:
    dropped: tuple[str, ...]  # whole months' partitions dropped
    deleted: int  # rows deleted one by one (the month the window cuts through)


def month_of(at: datetime | date) -> date:
    if isinstance(at, datetime):
        at = at.astimezone(UTC) if at.tzinfo is not None else at
    return date(at.year, at.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{TABLE}_{month.year:04d}_{month.month:02d}"


def _start(month: date) -> str:
    return f"{month.isoformat()} 00:00:00+00"


def _partitioned(connection: Connection) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:name)"), {"name": TABLE}
    ).scalar_one_or_none()
    return kind == "p"


def ensure_months(connection: Connection, months: Iterable[date]) -> list[str]:
    """Make these months' partitions and the default one when missing (PostgreSQL, in the
    caller's transaction); the partitions made."""
    if not _partitioned(connection):
        return []
    connection.execute(text(_LOCK))
    connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    connection.execute(
        text(f"CREATE TABLE IF NOT EXISTS {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT")
    )
    made = []
    for month in sorted(set(months)):
        name = f"{SCHEMA}.{partition_name(month)}"
        if _exists(connection, name):
            continue
        bounds = {"low": _start(month), "high": _start(next_month(month))}
        moving = bool(connection.execute(text(_WAITING), bounds).scalar())
        if moving:
            # A new partition may not cover rows the default one holds: move them through it.
            connection.execute(text(_SET_ASIDE), bounds)
            connection.execute(text(_TAKE_OUT), bounds)
        connection.execute(
            text(
                f"CREATE TABLE {name} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{bounds['low']}') TO ('{bounds['high']}')"
            )
        )
        if moving:
            connection.execute(text(_PUT_BACK))
            connection.execute(text("DROP TABLE moving_passages"))
        made.append(name)
    return made


def _exists(connection: Connection, name: str) -> bool:
    return connection.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None


def ensure_ahead(
    sessions: sessionmaker[Session], now: datetime, months_ahead: int = MONTHS_AHEAD
) -> list[str]:
    """This month's and the next months' partitions, made when missing (PostgreSQL)."""
    months = [month_of(now)]
    for _ in range(months_ahead):
        months.append(next_month(months[-1]))
    with sessions() as session, session.begin():
        return ensure_months(session.connection(), months)


def month_partitions(connection: Connection) -> list[tuple[date, str]]:
    """The months that have a partition, oldest first."""
    names = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(:name)"
        ),
        {"name": TABLE},
    ).scalars()
    found = []
    for name in names:
        matched = _MONTH_NAME.match(name)
        if matched:
            found.append((date(int(matched[1]), int(matched[2]), 1), name))
    return sorted(found)


def drop_expired(sessions: sessionmaker[Session], now: datetime, max_age: timedelta) -> Retention:
    """Remove the passages older than the retention window: on PostgreSQL whole months'
    partitions dropped, then the expired rows of the month the window cuts through deleted."""
    cutoff = now - max_age
    dropped: list[str] = []
    with sessions() as session, session.begin():
        connection = session.connection()
        if _partitioned(connection):
            connection.execute(text(_LOCK))
            for month, name in month_partitions(connection):
                if datetime.fromisoformat(_start(next_month(month))) <= cutoff:
                    connection.execute(text(f"DROP TABLE {SCHEMA}.{name}"))
                    dropped.append(name)
            # The ids of the passages gone: a record that old is refused at upload anyway.
            connection.execute(text(_PRUNE_IDS), {"cutoff": cutoff})
        result: Any = connection.execute(delete(ReceivedPassage).where(ReceivedPassage.at < cutoff))
        return Retention(tuple(dropped), int(result.rowcount or 0))
