"""The migrations build exactly the models' schema, on SQLite and PostgreSQL; settings are safe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import bindparam, select, text

from central.core import ratelimit
from central.core.db import (
    UTCDateTime,
    alembic_config,
    make_engine,
    make_sessions,
    migrate,
    session_scope,
)
from central.core.models import Base, Checkpoint, Kiosk, PassageDay, Person, ReceivedPassage
from central.core.settings import Settings
from tests.central.conftest import START


def test_the_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        migrate(engine)  # a second run changes nothing
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_rate_limits_are_counted_in_the_database_across_engines(database_url: str) -> None:
    engines = [make_engine(database_url), make_engine(database_url)]
    try:
        migrate(engines[0])
        one, two = (make_sessions(engine) for engine in engines)
        assert [
            ratelimit.hit(one if i % 2 else two, "enroll:1.2.3.4", 3, START) for i in range(4)
        ] == [
            True,
            True,
            True,
            False,
        ]
        assert ratelimit.hit(one, "enroll:1.2.3.4", 3, START + timedelta(minutes=1))
        assert ratelimit.hit(two, "enroll:5.6.7.8", 3, START)
    finally:
        for engine in engines:
            engine.dispose()


@pytest.mark.parametrize("password", ["changethis", "CHANGEME", "secret"])
def test_a_placeholder_database_password_is_refused(password: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(
            data_dir=tmp_path,
            database_url=f"postgresql://central:{password}@db/central",
            _env_file=None,  # type: ignore[call-arg]
        )


def test_without_settings_everything_lives_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("CENTRAL_DATABASE_URL", "CENTRAL_DATA_DIR", "CENTRAL_KEYS_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'central.db'}"
    assert settings.resolved_keys_dir == tmp_path / "keys"


def test_settings_are_read_from_the_settings_file_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CENTRAL_ENROLLMENT_CODE_TTL_S", raising=False)
    (tmp_path / "central.env").write_text("CENTRAL_ENROLLMENT_CODE_TTL_S=600\n")
    assert Settings().enrollment_code_ttl_s == 600


def test_people_keep_their_colours_when_the_colours_move_to_their_own_table(
    database_url: str,
) -> None:
    """Migration 0010 moves colour, sequence, reason, review time and lock version from
    `people` to `person_colours`: a person written before it reads the same after it, and
    going back restores the columns."""
    engine = make_engine(database_url)
    review_at = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    person = {
        "id": "00000000-0000-4000-8000-000000000001",
        "issuer": "610000",
        "id_ix": b"i" * 16,
        "name_enc": b"n",
        "id_number_enc": b"d",
        "id_type": "resident_id",
        "holder": "self",
        "residence_area": "610102001001",
        "ruleset": "shaanxi",
        "facts": "{}",
        "code_id": b"c" * 16,
        "code_ix": b"x" * 16,
        "code_kind": "app",
        "colour": "yellow",
        "colour_seq": 3,
        "colour_reason": "check_in",
        "review_at": review_at,
        "lock_version": 7,
        "created_at": START,
        "updated_at": START,
    }
    columns = ", ".join(person)
    values = ", ".join(f":{name}" for name in person)
    try:
        migrate(engine, "0009_community_worker")
        with engine.begin() as connection:
            connection.execute(
                text(f"INSERT INTO people ({columns}) VALUES ({values})").bindparams(  # noqa: S608
                    bindparam("review_at", type_=UTCDateTime()),
                    bindparam("created_at", type_=UTCDateTime()),
                    bindparam("updated_at", type_=UTCDateTime()),
                ),
                person,
            )
        migrate(engine)
        with session_scope(make_sessions(engine)) as session:
            moved = session.get_one(Person, person["id"])
            assert (moved.colour, moved.colour_seq, moved.colour_reason) == (
                "yellow",
                3,
                "check_in",
            )
            assert (moved.review_at, moved.lock_version) == (review_at, 7)
            assert moved.code_id == b"c" * 16
        command.downgrade(alembic_config(engine), "0009_community_worker")
        with engine.connect() as connection:
            back = connection.execute(
                text("SELECT colour, colour_seq, colour_reason, lock_version FROM people")
            ).one()
        assert tuple(back) == ("yellow", 3, "check_in", 7)
    finally:
        engine.dispose()


BEFORE_PASSAGE_DAYS = "0012_region_pinyin"  # the revision before 0013_passage_days


def test_passages_stored_before_the_day_counters_are_counted_by_their_shanghai_day(
    database_url: str,
) -> None:
    """Migration 0012 fills `passage_days` from the passages already stored: a passage at
    23:30 UTC belongs to the next day in Shanghai."""
    engine = make_engine(database_url)
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 2026-12-02 07:30 in Shanghai
    early = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 2026-12-01 18:00 in Shanghai
    try:
        migrate(engine, BEFORE_PASSAGE_DAYS)
        with session_scope(make_sessions(engine)) as session:
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
            for n, (at, fever) in enumerate([(early, False), (late, True), (late, False)]):
                # The table as it was then: later migrations add columns the model has now.
                session.execute(
                    ReceivedPassage.__table__.insert().values(
                        id=f"p{n}", kiosk_id="k", checkpoint_id="cp", region_code="610124",
                        kiosk_seq=n, at=at, received_at=at, clock_trusted=True,
                        outcome="pass", reasons="[]", fever=fever, id_match="not_checked",
                        policy_version=1, repeat=False,
                    )
                )  # fmt: skip
        migrate(engine)
        with session_scope(make_sessions(engine)) as session:
            counted = [
                (row.day.isoformat(), row.outcome, row.passages, row.fevers)
                for row in session.scalars(select(PassageDay).order_by(PassageDay.day))
            ]
        assert counted == [("2026-12-01", "pass", 1, 0), ("2026-12-02", "pass", 2, 1)]
    finally:
        engine.dispose()
