"""The colour counters the database keeps (`area_colour_counts`, migration 0015): whatever
writes a person, the counters say what counting the people themselves says, on SQLite and
PostgreSQL, before and after their rows are folded."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from central.core.db import alembic_config, make_engine, make_sessions, migrate, session_scope
from central.core.models import AreaColourCount, Person, insert_people
from central.issuance.area_colours import counts_within, fold
from central.reports.trends import colours_by_sub_area

COUNTERS = "0015_area_colour_counts"
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
VILLAGES = ("610102001001", "610102001002", "610103001001", "610113001001")


def _person(n: int, area: str, colour: str) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}", "issuer": "610000",
        "id_ix": n.to_bytes(16, "big"), "name_enc": b"n", "id_number_enc": b"d",
        "id_type": "resident_id", "holder": "self", "residence_area": area,
        "ruleset": "shaanxi", "facts": {}, "code_id": (n + 10**6).to_bytes(16, "big"),
        "code_ix": (n + 2 * 10**6).to_bytes(16, "big"), "code_kind": "app",
        "colour": colour, "colour_seq": 1, "colour_reason": "test", "lock_version": 0,
        "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip


def _people(count: int, start: int = 1) -> list[dict[str, Any]]:
    colours = ("green", "green", "yellow", "red")
    return [
        _person(n, VILLAGES[n % len(VILLAGES)], colours[n % 7 % 4])
        for n in range(start, start + count)
    ]


def _counted_from_people(session: Session) -> Counter[tuple[str, str]]:
    rows = session.execute(
        select(Person.residence_area, Person.colour, func.count()).group_by(
            Person.residence_area, Person.colour
        )
    )
    return Counter({(area, colour): int(n) for area, colour, n in rows})


def _counters(session: Session) -> Counter[tuple[str, str]]:
    found = Counter(counts_within(session, "61", 12))
    return Counter({key: n for key, n in found.items() if n})


def test_the_counters_follow_every_write_of_a_person_and_survive_folding(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    try:
        migrate(engine)
        with session_scope(sessions) as session:
            insert_people(session, _people(40))  # a bulk insert, as new people are written
        with session_scope(sessions) as session:
            first = session.get(Person, _person(3, "", "")["id"])
            assert first is not None
            first.colour = "red"  # the ORM, as a declaration re-colours one person
            moved = session.get(Person, _person(4, "", "")["id"])
            assert moved is not None
            moved.residence_area, moved.colour = "610113001001", "yellow"  # moved and re-coloured
            recoloured = [_person(n, "", "")["id"] for n in (5, 6, 7)]
            session.execute(  # a bulk statement, as a recompute writes
                update(Person.colours_table)
                .where(Person.colours_table.c.person_id.in_(recoloured))
                .values(colour="green")
            )
            session.execute(
                delete(Person.people_table).where(
                    Person.people_table.c.id == _person(8, "", "")["id"]
                )
            )
            session.execute(
                delete(Person.colours_table).where(
                    Person.colours_table.c.person_id == _person(9, "", "")["id"]
                )
            )
        with session_scope(sessions) as session:
            expected = _counted_from_people(session)
            assert sum(expected.values()) == 38
            assert _counters(session) == expected
            rows_before = session.scalar(select(func.count()).select_from(AreaColourCount))
            fold(session)
        with session_scope(sessions) as session:
            assert _counters(session) == expected
            rows_after = session.scalar(select(func.count()).select_from(AreaColourCount))
            assert rows_after == len(expected) < (rows_before or 0)
            insert_people(session, _people(5, start=100))  # more after the fold
            fold(session)
        with session_scope(sessions) as session:
            assert _counters(session) == _counted_from_people(session)
            totals, by_county = colours_by_sub_area(session, "6101", ["610102", "610103"])
            people = _counted_from_people(session)
            assert sum(totals.values()) == sum(people.values())
            assert [sum(area.by_colour) for area in by_county] == [
                sum(n for (area, _c), n in people.items() if area.startswith(code))
                for code in ("610102", "610103")
            ]
            nobody, empty = colours_by_sub_area(session, None, ["610102"])
            assert sum(nobody.values()) == 0 and empty[0].total == 0
    finally:
        engine.dispose()


def test_the_people_stored_before_the_counters_are_counted_by_the_migration(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    try:
        before = ScriptDirectory.from_config(alembic_config(engine)).get_revision(COUNTERS)
        assert before is not None and isinstance(before.down_revision, str)
        migrate(engine, before.down_revision)
        with session_scope(sessions) as session:
            insert_people(session, _people(30))
        migrate(engine)
        with session_scope(sessions) as session:
            expected = _counted_from_people(session)
            assert sum(expected.values()) == 30
            assert _counters(session) == expected
            assert session.scalar(select(func.count()).select_from(AreaColourCount)) == len(
                expected
            )
    finally:
        engine.dispose()
