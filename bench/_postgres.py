"""Throwaway PostgreSQL databases for the benchmarks, beside the one a URL names (the cluster
build/postgres.sh starts): each run gets a fresh database, so no figure depends on what an
earlier run left."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text


def fresh_database(base: str, prefix: str) -> str:
    """A new empty database named `<prefix>_<random>`; its URL. Left for the cluster's end."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


@contextmanager
def throwaway_database(base: str, prefix: str) -> Iterator[str]:
    """`fresh_database`, dropped (connections and all) when the block ends."""
    url = fresh_database(base, prefix)
    try:
        yield url
    finally:
        name = make_url(url).database
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()
