"""Bringing a data folder to life: schema migrations, the key hierarchy, the first trust list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from central.core.admins import SetupInvitation, invite_administrator
from central.core.db import make_engine, make_sessions, migrate, session_scope
from central.core.keystore import KeyStore, ensure_keys, issuer_of
from central.core.models import Administrator
from central.core.private_files import close_sqlite, private_folder
from central.core.settings import Settings


@dataclass(frozen=True)
class Prepared:
    keys_created: bool
    invitation: SetupInvitation | None


def prepare(settings: Settings, now: datetime, *, first_admin: str | None = None) -> Prepared:
    """Migrate, create keys when missing and, when asked and none exists, the first admin.

    The data, keys, exports and push folders are closed to other users (0700) and an SQLite
    database file to other users too (0600): they hold personal data and secrets."""
    for folder in (
        settings.data_dir,
        settings.resolved_keys_dir,
        settings.resolved_exports_dir,
        settings.resolved_push_dir,
    ):
        private_folder(folder)
    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(engine)
        close_sqlite(settings.resolved_database_url)
        issuer = issuer_of(
            settings.issuer_region_code, settings.issuer_name_zh, settings.issuer_name_en
        )
        with session_scope(make_sessions(engine)) as session:
            _keydir, created = ensure_keys(
                KeyStore(settings.resolved_keys_dir), session, issuer, now
            )
            invitation = None
            if first_admin is not None:
                count = session.scalar(select(func.count()).select_from(Administrator))
                if not count:
                    invitation = invite_administrator(
                        session,
                        first_admin,
                        now,
                        timedelta(seconds=settings.admin_setup_ttl_s),
                        region_code=settings.issuer_region_code,
                    )
        return Prepared(keys_created=created, invitation=invitation)
    finally:
        engine.dispose()
