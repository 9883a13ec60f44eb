"""Passages partitioned by month on PostgreSQL (issue 28, central/kiosks/passage_months.py):
migration 0021 moves the stored passages into monthly partitions, retention drops whole months,
and a passage of a month with no partition yet is still stored, once; a stored id sent again
with another time is not stored again (migration 0024's ids, pruned with the months). SQLite
keeps one table, where retention deletes the expired rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from alembic.script import ScriptDirectory
from sqlalchemy import Table, func, select, text

from central.core.db import alembic_config, make_engine, make_sessions, migrate, session_scope
from central.core.models import Checkpoint, Kiosk, ReceivedPassage
from central.kiosks import ingest, passage_months
from tests.central.conftest import START

TABLE = cast(Table, ReceivedPassage.__table__)
MONTHLY = "0021_monthly_passages"
PASSAGE_TIMES = {
    "september": datetime(2026, 9, 15, 8, 0, tzinfo=UTC),
    "early-october": datetime(2026, 10, 10, 8, 0, tzinfo=UTC),
    "late-october": datetime(2026, 10, 20, 8, 0, tzinfo=UTC),
    "november": datetime(2026, 11, 5, 8, 0, tzinfo=UTC),
}
NOW = datetime(2026, 12, 15, 8, 0, tzinfo=UTC)
RETENTION = timedelta(days=60)  # from 2026-10-16: September wholly, early October too


def _passage(record_id: str, at: datetime) -> dict[str, Any]:
    return dict(
        id=record_id, kiosk_id="k", checkpoint_id="cp", region_code="610124", kiosk_seq=0,
        at=at, received_at=at, clock_trusted=True, outcome="pass", reasons="[]", fever=False,
        id_match="not_checked", policy_version=1, repeat=False,
    )  # fmt: skip


def _stored(sessions: Any) -> list[str]:
    with session_scope(sessions) as session:
        return sorted(session.scalars(select(ReceivedPassage.id)))


def test_passages_by_month_survive_the_migration_and_retention_drops_whole_months(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    postgresql = engine.dialect.name == "postgresql"
    try:
        scripts = ScriptDirectory.from_config(alembic_config(engine))
        before = scripts.get_revision(MONTHLY).down_revision  # whatever the chain is at merge
        assert isinstance(before, str)
        migrate(engine, before)
        with session_scope(sessions) as session:
            session.add(
                Checkpoint(
                    id="cp", name="东门", checkpoint_type="village", region_code="610124",
                    address="地址", area_code="610124", created_at=START,
                )
            )  # fmt: skip
            session.flush()
            session.add(
                Kiosk(
                    id="k", checkpoint_id="cp", signing_public_key=bytes(32),
                    encryption_public_key=bytes(32), enrolled_at=START,
                )
            )  # fmt: skip
            session.flush()
            for record_id, at in PASSAGE_TIMES.items():
                session.execute(TABLE.insert().values(**_passage(record_id, at)))
        migrate(engine)
        assert _stored(sessions) == sorted(PASSAGE_TIMES)
        if postgresql:
            with engine.connect() as connection:
                months = [month for month, _ in passage_months.month_partitions(connection)]
            assert months == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]

        # A passage stored before the migrations, sent again with another time: not new.
        moved = _passage("november", datetime(2026, 11, 6, 8, 0, tzinfo=UTC))
        with session_scope(sessions) as session:
            assert ingest._insert(session, TABLE, [moved]) == set()

        # January 2027 has no partition yet: stored all the same, and a second time not again.
        january = _passage("january", datetime(2027, 1, 3, 8, 0, tzinfo=UTC))
        with session_scope(sessions) as session:
            assert ingest._insert(session, TABLE, [january]) == {"january"}
        with session_scope(sessions) as session:
            assert ingest._insert(session, TABLE, [january]) == set()
        made = passage_months.ensure_ahead(sessions, NOW)
        if postgresql:
            assert made == [
                "passage_months.received_passages_2026_12",
                "passage_months.received_passages_2027_01",
                "passage_months.received_passages_2027_02",
            ]
            with engine.connect() as connection:
                home = connection.execute(
                    text("SELECT tableoid::regclass::text FROM received_passages WHERE id = :i"),
                    {"i": "january"},
                ).scalar_one()
            assert home == "passage_months.received_passages_2027_01"  # out of the default

        expired = passage_months.drop_expired(sessions, NOW, RETENTION)
        if postgresql:
            assert expired == passage_months.Retention(("received_passages_2026_09",), 1)
        else:
            assert expired == passage_months.Retention((), 2)
        assert _stored(sessions) == ["january", "late-october", "november"]
        # An expired passage's id sent again inside the window is stored (its first is gone).
        again = _passage("early-october", datetime(2026, 11, 1, 8, 0, tzinfo=UTC))
        with session_scope(sessions) as session:
            assert ingest._insert(session, TABLE, [again]) == {"early-october"}
        with session_scope(sessions) as session:
            assert session.scalar(select(func.count()).select_from(ReceivedPassage)) == 4
    finally:
        engine.dispose()
