"""Alembic environment: the engine comes from `central.core.db.migrate`, never from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from central.core.models import Base


def run_migrations() -> None:
    engine = context.config.attributes.get("engine")
    if not isinstance(engine, Engine):
        raise RuntimeError("run migrations through central.core.db.migrate(engine)")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


# Alembic runs this file; a plain import (a package walk, a test) only defines the function.
if hasattr(context, "config"):
    run_migrations()
