"""The passage store's schema as registered migrations, applied in order on open.

The schema version is SQLite's `user_version`. Each migration runs in one transaction with the
version bump, so a database is always at exactly one version; a database made by an older
version of the kiosk is upgraded in place, keeping its rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a migration runs: most starts have none to apply
    import sqlite_utils

Migration = Callable[["sqlite_utils.Database"], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, description: str) -> Callable[[Migration], Migration]:
    def register(function: Migration) -> Migration:
        if MIGRATIONS and MIGRATIONS[-1][0] != version - 1:
            raise ValueError(f"migration {version} does not follow {MIGRATIONS[-1][0]}")
        MIGRATIONS.append((version, description, function))
        return function

    return register


@migration(1, "passages, outbox, status-feed copy, trust list, policy, roster, meta")
def _initial(db: sqlite_utils.Database) -> None:
    db.table("passages").create(
        {
            "id": str,  # a UUID made at the kiosk
            "seq": int,  # per-kiosk sequence number
            "at_ms": int,  # UTC milliseconds since the epoch
            "clock_trusted": int,
            "operator_id": str,
            "scheme": str,
            "issuer": str,
            "code_ix": bytes,  # blind index of (issuer, code id)
            "code_enc": bytes,
            "name_enc": bytes,
            "id_masked_enc": bytes,
            "colour_in_code": str,
            "colour_applied": str,
            "outcome": str,
            "reasons": str,  # JSON list of reason codes
            "rejection": str,
            "temperature_c": float,
            "fever": int,
            "id_match": str,
            "direction": str,
            "trip_reason": str,
            "plate_enc": bytes,
            "policy_version": int,
            "repeat": int,
            "sync_state": str,  # pending, sent, acknowledged
        },
        pk="id",
        not_null={"seq", "at_ms", "outcome", "sync_state"},
    )
    db.table("passages").create_index(["seq"], unique=True)
    db.table("passages").create_index(["at_ms"])
    db.table("passages").create_index(["code_ix", "at_ms"])
    db.table("outbox").create(
        {
            "id": int,
            "record_id": str,
            "kind": str,  # passage, fever_report, override
            "priority": int,  # 0 goes first (fever reports)
            "state": str,  # pending, sent, acknowledged
            "created_ms": int,
            "attempts": int,
        },
        pk="id",
        not_null={"record_id", "kind", "priority", "state", "created_ms"},
    )
    db.table("outbox").create_index(["state", "priority", "id"])
    db.table("feed_entries").create(
        {
            "code_ix": bytes,
            "issuer": str,
            "code_enc": bytes,
            "colour": str,
            "colour_seq": int,
            "reason": str,
            "at_ms": int,
            "sequence": int,
        },
        pk="code_ix",
    )
    db.table("trust_lists").create(
        {"sequence": int, "signed": bytes, "accepted_ms": int}, pk="sequence"
    )
    db.table("policies").create({"version": int, "document": str, "accepted_ms": int}, pk="version")
    db.table("roster").create(
        {"operator_id": str, "display_name": str, "pin_hash": str, "role": str, "active": int},
        pk="operator_id",
    )
    db.table("meta").create({"key": str, "value": str}, pk="key")


@migration(2, "overrides, audit log, indexes for the supervisor's log filters")
def _overrides_audit_and_log_indexes(db: sqlite_utils.Database) -> None:
    db.table("overrides").create(
        {
            "id": str,
            "passage_id": str,
            "at_ms": int,
            "outcome": str,
            "reason_enc": bytes,
            "operator_id": str,
        },
        pk="id",
        foreign_keys=[("passage_id", "passages", "id")],
    )
    db.table("audit_log").create(
        {"id": int, "at_ms": int, "actor": str, "action": str, "detail": str}, pk="id"
    )
    db.table("audit_log").create_index(["at_ms"])
    db.table("passages").create_index(["outcome", "at_ms"])
    db.table("passages").create_index(["colour_applied", "at_ms"])
    db.table("passages").create_index(["operator_id", "at_ms"])
    db.execute("CREATE INDEX idx_passages_fever_at ON passages(at_ms) WHERE fever = 1")


@migration(3, "outbox: central's reason for a rejected record, indexes for upload and settling")
def _outbox_settlement(db: sqlite_utils.Database) -> None:
    db.table("outbox").add_column("last_error", str)
    db.table("outbox").create_index(["record_id"])
    db.table("overrides").create_index(["passage_id"])
    # The uploader's query (pending or sent, urgent first, then oldest) reads this index in
    # order and stops at its limit, however long the acknowledged history is.
    db.execute(
        "CREATE INDEX idx_outbox_unsettled ON outbox(priority, id)"
        " WHERE state IN ('pending', 'sent')"
    )


@migration(4, "pharmacy purchases and clinic visits (issue 25)")
def _scene_records(db: sqlite_utils.Database) -> None:
    db.table("scene_records").create(
        {
            "id": str,  # a UUID made at the kiosk
            "kind": str,  # purchase, clinic_visit
            "passage_id": str,  # the scan's passage, when there was one
            "at_ms": int,
            "operator_id": str,
            "issuer": str,
            "code_ix": bytes,  # blind index of (issuer, code id): a person's earlier visits
            "code_enc": bytes,
            "name_enc": bytes,
            "residence_enc": bytes,
            "temperature_c": float,
            "details_enc": bytes,  # JSON: medicine lines, answers, patient phone, guardian...
        },
        pk="id",
        not_null={"kind", "at_ms"},
    )
    db.table("scene_records").create_index(["code_ix", "at_ms"])
    db.table("scene_records").create_index(["at_ms"])


@migration(5, "passages: the passer's full name and phone (the Hainan checkpoint record)")
def _passer_name_and_phone(db: sqlite_utils.Database) -> None:
    db.table("passages").add_column("full_name_enc", bytes)
    db.table("passages").add_column("phone_enc", bytes)


@migration(6, "the status-feed copy as a compact keyed table (issue 28)")
def _compact_feed_copy(db: sqlite_utils.Database) -> None:
    """`feed_entries` (a row per code with its encrypted code id, read whole at every start)
    becomes `feed_copy`, WITHOUT ROWID, keyed by the same keyed index of (issuer, code id):
    a lookup needs nothing else, so the code id and the issuer are no longer kept.

    The rows are moved over, not dropped: a kiosk upgraded while offline keeps deciding with
    the colours it had verified (with the copy's last sequence and as-of time, which stay in
    `meta`), instead of having no feed until it reaches central for a whole snapshot."""
    db.execute(
        "CREATE TABLE feed_copy (code_ix BLOB NOT NULL PRIMARY KEY, colour INTEGER NOT NULL,"
        " colour_seq INTEGER NOT NULL, sequence INTEGER NOT NULL, reason TEXT NOT NULL,"
        " at_ms INTEGER NOT NULL) WITHOUT ROWID"
    )
    db.execute(
        "INSERT INTO feed_copy (code_ix, colour, colour_seq, sequence, reason, at_ms)"
        " SELECT code_ix, CASE colour WHEN 'green' THEN 1 WHEN 'yellow' THEN 2 ELSE 3 END,"
        " colour_seq, sequence, coalesce(reason, ''), at_ms FROM feed_entries"
        " WHERE code_ix IS NOT NULL AND colour IN ('green', 'yellow', 'red')"
    )
    db.execute("DROP TABLE feed_entries")


LATEST_VERSION = MIGRATIONS[-1][0]


class NewerDatabaseError(Exception):
    """The database was written by a newer kiosk (its schema is past this version's newest).
    Opening it is refused before anything is written, so the newer kiosk can still use it."""

    def __init__(self, found: int, supported: int = LATEST_VERSION, path: str = "") -> None:
        self.found = found
        self.supported = supported
        where = f"{path}: " if path else ""
        super().__init__(
            f"{where}the database is at schema version {found}, newer than this kiosk knows "
            f"(up to {supported}); it was written by a newer kiosk version. It is left "
            "untouched: run the newer version (or restore a matching backup) instead"
        )


def current_version(connection: sqlite3.Connection) -> int:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    return int(version)


def refuse_newer(connection: sqlite3.Connection, path: str = "") -> int:
    """The database's version; NewerDatabaseError when it is newer than this kiosk's."""
    version = current_version(connection)
    if version > LATEST_VERSION:
        raise NewerDatabaseError(version, LATEST_VERSION, path)
    return version


def refuse_newer_file(path: Path) -> None:
    """Before the store opens `path` for writing (which may set its journal mode): read its
    version through a read-only connection and refuse a newer database."""
    if not path.is_file():
        return
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        refuse_newer(connection, str(path))
    finally:
        connection.close()


def migrate(connection: sqlite3.Connection, up_to: int = LATEST_VERSION) -> list[int]:
    """Apply the migrations after the database's version, each in its own transaction; the
    versions applied. A database newer than this kiosk is refused, unchanged."""
    refuse_newer(connection)
    applied: list[int] = []
    pending = [m for m in MIGRATIONS if current_version(connection) < m[0] <= up_to]
    if not pending:
        return applied
    import sqlite_utils

    db = sqlite_utils.Database(connection)
    for version, _description, function in pending:
        connection.execute("BEGIN IMMEDIATE")
        try:
            function(db)
            connection.execute(f"PRAGMA user_version = {version:d}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied
