"""The migrations build exactly the models' schema, on SQLite and PostgreSQL; settings are safe."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError

from central import ratelimit
from central.db import make_engine, make_sessions, migrate
from central.models import Base
from central.settings import Settings
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
