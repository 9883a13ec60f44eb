"""Batched ingest of kiosk records: each stored once by its UUID, in one statement per table.

`INSERT ... ON CONFLICT DO NOTHING RETURNING id` (SQLite 3.35+; on PostgreSQL the batch is
COPY'd into a temporary table first, then moved by one `INSERT ... SELECT`) stores the new
records and names them; the others were stored before, by this kiosk (`duplicate`: the
kiosk may forget it) or by another (`rejected`, `record_id_taken`). Sequence numbers are kept
but never used to deduplicate: a reinstalled kiosk starts again at 1 with fresh UUIDs.

Least data at rest: a code id becomes a keyed blind index (HMAC-SHA256, 16 bytes) for lookups
plus an AES-GCM ciphertext; masked names, masked ID numbers, plates and override reasons are
kept only as ciphertext, each bound to its record and column. The keys are `records.key` in the
keys folder; `transfer.key` is the X25519 key that offline outbox files are sealed to.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pydantic import ValidationError
from sqlalchemy import Connection, Dialect, Table, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from central.core.cipher import RecordCipher, record_cipher
from central.core.keyfiles import create_once
from central.core.kiosk_auth import SignedKiosk
from central.core.models import (
    Checkpoint,
    FeverCase,
    Kiosk,
    OverrideRecord,
    ReceivedPassage,
    SceneRecord,
)
from central.kiosks import passage_months
from central.kiosks.passage_days import count_passages
from healthcode.keydir import KeyDir
from healthcode.trust import KeyRole
from sync.outbox_file import OutboxFileError, open_outbox_file, read_outbox_file
from sync.schemas import (
    MAX_UPLOAD_RECORDS,
    RecordKind,
    RecordResult,
    RecordStatus,
    RejectReason,
    TransferKey,
    UploadRecord,
    transfer_key_message,
)
from sync.sealedbox import raw_public

TRANSFER_KEY_FILE = "transfer.key"


# ---------------------------------------------------------------- keys


def load_transfer_key(keys_dir: Path) -> X25519PrivateKey:
    path = keys_dir / TRANSFER_KEY_FILE
    pem = path.read_bytes() if path.exists() else b""
    if not pem:
        pem = create_once(
            path,
            X25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, X25519PrivateKey):
        raise ValueError(f"{path} is not an X25519 key")
    return key


@lru_cache(maxsize=8)
def signed_transfer_key(keys_dir: Path) -> TransferKey:
    """The transfer key's public half, signed by the newest feed key (checked by the kiosk
    against its root-signed trust list)."""
    public = raw_public(load_transfer_key(keys_dir).public_key())
    feed = KeyDir(keys_dir).signing_key(KeyRole.FEED)
    return TransferKey(
        public_key=public, feed_kid=feed.kid, signature=feed.sign(transfer_key_message(public))
    )


# ---------------------------------------------------------------- ingest


@dataclass(frozen=True)
class Sender:
    """Where the records come from: copied into every row for area queries without a join."""

    kiosk_id: str
    checkpoint_id: str
    region_code: str


def sender_of(session: Session, kiosk: SignedKiosk | Kiosk) -> Sender:
    if isinstance(kiosk, SignedKiosk):  # read with the kiosk when its signature was checked
        return Sender(kiosk.id, kiosk.checkpoint_id, kiosk.region_code or "")
    region = session.scalar(
        select(Checkpoint.region_code).where(Checkpoint.id == kiosk.checkpoint_id)
    )
    return Sender(kiosk.id, kiosk.checkpoint_id, region or "")


@dataclass(frozen=True)
class Rejected:
    """A record that did not validate: answered, never stored."""

    record_id: Any
    kind: Any
    reason: str


def _encodable(value: object) -> bool:
    return not isinstance(value, str) or _unencodable_text(value, ()) is None


def _unencodable_text(value: object, where: tuple[str, ...]) -> str | None:
    """The dotted place of the first text that is not Unicode text (half a UTF-16 surrogate
    pair, which JSON can spell and UTF-8 cannot), or None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return ".".join(where) or "record"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _unencodable_text(item, (*where, str(key)))
            if found is not None or _unencodable_text(key, ()) is not None:
                return found or ".".join(where) or "record"
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _unencodable_text(item, (*where, str(index)))
            if found is not None:
                return found
    return None


def parse_records(raw: Sequence[Any]) -> list[UploadRecord | Rejected]:
    """Validate records one by one, so one bad record does not cost the batch."""
    parsed: list[UploadRecord | Rejected] = []
    for item in raw:
        broken_text = _unencodable_text(item, ())
        if broken_text is not None:
            record_id = item.get("record_id") if isinstance(item, dict) else None
            kind = item.get("kind") if isinstance(item, dict) else None
            parsed.append(
                Rejected(
                    record_id if _encodable(record_id) else None,
                    kind if _encodable(kind) else None,
                    f"{RejectReason.MALFORMED.value}: {broken_text}: not valid text",
                )
            )
            continue
        try:
            parsed.append(UploadRecord.model_validate(item))
        except ValidationError as error:
            record_id = item.get("record_id") if isinstance(item, dict) else None
            kind = item.get("kind") if isinstance(item, dict) else None
            problem = error.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            parsed.append(
                Rejected(
                    record_id, kind, f"{RejectReason.MALFORMED.value}: {where}: {problem['msg']}"
                )
            )
    return parsed


@dataclass(frozen=True)
class RecordWindow:
    """The times a kiosk record may carry: from the oldest central keeps (the retention window)
    to the server's time plus the clock tolerance of signed requests."""

    earliest: datetime
    latest: datetime

    @classmethod
    def around(cls, now: datetime, *, tolerance: timedelta, max_age: timedelta) -> RecordWindow:
        return cls(now - max_age, now + tolerance)


def within(
    records: Sequence[UploadRecord | Rejected], window: RecordWindow
) -> list[UploadRecord | Rejected]:
    """Each record whose time is outside the window refused alone, with its reason."""
    kept: list[UploadRecord | Rejected] = []
    for record in records:
        if isinstance(record, UploadRecord):
            field, at = _time_of(record)
            if at is not None and not window.earliest <= at <= window.latest:
                record = Rejected(
                    str(record.record_id),
                    record.kind.value,
                    f"{RejectReason.MALFORMED.value}: {field}: outside "
                    f"{window.earliest.isoformat()} .. {window.latest.isoformat()}",
                )
        kept.append(record)
    return kept


def _time_of(record: UploadRecord) -> tuple[str, datetime | None]:
    """The field that dates a record, and its time: every kind carries one."""
    for name in ("passage", "override", "purchase", "clinic"):
        payload = getattr(record, name, None)
        if payload is not None:
            return f"{name}.at", payload.at
    return "at", None


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the rows whose id is new, in one statement per table (on SQLite one per chunk of
    the driver's parameter limit); the ids inserted."""
    if not rows:
        return set()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return _insert_sqlite(connection, table, rows)
    if connection.dialect.driver == "psycopg":
        return _insert_postgresql(connection, table, rows)
    statement = postgresql.insert(table).on_conflict_do_nothing().returning(table.c.id)
    return set(connection.execute(statement, rows).scalars())


def _insert_postgresql(
    connection: Connection, table: Table, rows: list[dict[str, Any]]
) -> set[str]:
    """COPY the batch into a temporary table, then one `INSERT ... SELECT ... ON CONFLICT DO
    NOTHING RETURNING id` (issue 28): the idempotency check is the insert itself. No conflict
    target: it holds for any unique constraint. 2,000 passages: ~2.5x the rows/s of a
    multi-row INSERT of arrays (`unnest`) and ~10x SQLAlchemy's insertmanyvalues, measured on
    the same database. Passages go their own way (`_insert_passages`)."""
    columns = tuple(rows[0])
    driver: Any = connection.connection.driver_connection  # psycopg's own connection
    if table.name == passage_months.TABLE:
        return _insert_passages(connection, driver, table, rows)
    create, copy, move = _postgresql_copy_sql(table, columns)
    with driver.cursor() as cursor:
        cursor.execute(create)
        _copy_rows(cursor, copy, connection.dialect, table, rows)
        cursor.execute(move)
        # A table taking two kinds (scene records) sees the first kind's rows again with the
        # second's until the commit empties the staging table: they conflict, and are not
        # named twice.
        return {str(found[0]) for found in cursor.fetchall()}


def _insert_passages(
    connection: Connection, driver: Any, table: Table, rows: list[dict[str, Any]]
) -> set[str]:
    """Partitioned by month, the passages' key is (id, at): a record id stored with another
    time is not new either (as on SQLite, whose key is the id); it is answered as the id's
    owner decides (duplicate, or taken by another kiosk). Their ids are claimed first in
    `passage_months.passage_ids` (id primary key, migration 0024: every stored passage's id,
    written only here), one statement whose answer is the ids that are new; only those rows
    are COPY'd, straight into the partitioned table (no staging table, no second pass: the
    rows cost what PostgreSQL's own COPY costs, and the claim one index entry). A second upload
    of the same id at the same moment waits on the claim's index entry, then finds it taken."""
    columns = tuple(rows[0])
    with driver.cursor() as cursor:
        # The ids reach the claim by COPY into a narrow staging table: passed as arrays they
        # cost 6 us a record on the client (psycopg quotes each element by regular expression).
        cursor.execute(_CLAIM_STAGING)
        with cursor.copy(_CLAIM_COPY) as stream:
            write = stream.write_row
            for row in rows:
                write((row["id"], row["at"]))
        cursor.execute(_CLAIM_PASSAGE_IDS)
        new = {str(found[0]) for found in cursor.fetchall()}
        if new:
            copy = _postgresql_direct_copy_sql(table, columns)
            fresh = [row for row in rows if row["id"] in new]
            _copy_rows(cursor, copy, connection.dialect, table, fresh)
    return new


# Emptied at each commit; within one transaction (an outbox file's chunks) it keeps the earlier
# chunks' ids, which the claim finds taken (by this transaction) and does not name again.
_CLAIM_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS incoming_passage_ids"
    " (id varchar(36), at timestamptz) ON COMMIT DELETE ROWS"
)
_CLAIM_COPY = "COPY incoming_passage_ids (id, at) FROM STDIN"
_CLAIM_PASSAGE_IDS = (
    f"INSERT INTO {passage_months.IDS} (id, at)"  # noqa: S608 - a constant name
    " SELECT id, at FROM incoming_passage_ids ON CONFLICT DO NOTHING RETURNING id"
)


def _copy_rows(
    cursor: Any, copy: str, dialect: Dialect, table: Table, rows: list[dict[str, Any]]
) -> None:
    """COPY the rows, each value as SQLAlchemy would bind it (its column type's processor)."""
    columns = tuple(rows[0])
    processors = _bind_processors(dialect, table, columns)
    values_of = itemgetter(*columns)
    with cursor.copy(copy) as stream:
        write = stream.write_row
        if not processors:
            for row in rows:
                write(values_of(row))
            return
        # Each distinct value processed once (a batch's `received_at` is one time).
        bound: list[dict[Any, Any]] = [{} for _ in processors]
        for row in rows:
            values = list(values_of(row))
            for (position, process), seen in zip(processors, bound, strict=True):
                value = values[position]
                try:
                    values[position] = seen[value]
                except KeyError:
                    values[position] = seen[value] = process(value)
            write(values)


@lru_cache(maxsize=64)
def _postgresql_direct_copy_sql(table: Table, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{column}"' for column in columns)
    return f'COPY "{table.name}" ({names}) FROM STDIN'


@lru_cache(maxsize=64)
def _postgresql_copy_sql(table: Table, columns: tuple[str, ...]) -> tuple[str, str, str]:
    """The staging table's creation (once per connection; emptied at each commit), the COPY
    into it and the move into the table."""
    staging = f"incoming_{table.name}"
    names = ", ".join(f'"{column}"' for column in columns)
    return (
        f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" (LIKE "{table.name}") ON COMMIT DELETE ROWS',
        f'COPY "{staging}" ({names}) FROM STDIN',
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}"'  # noqa: S608
        ' ON CONFLICT DO NOTHING RETURNING "id"',
    )


_SQLITE_MAX_PARAMETERS = 32_766  # SQLite 3.32+ (SQLITE_MAX_VARIABLE_NUMBER)


def _insert_sqlite(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> set[str]:
    """`INSERT ... VALUES (...), (...) ON CONFLICT (id) DO NOTHING RETURNING id` through the
    driver: the same statement SQLAlchemy's insertmanyvalues sends, without its per-value
    overhead. Values go through each column type's bind processor, so they are stored exactly
    as SQLAlchemy stores them (datetimes as its text form)."""
    columns = list(rows[0])
    processors = _bind_processors(connection.dialect, table, tuple(columns))
    per_statement = max(1, _SQLITE_MAX_PARAMETERS // len(columns))
    inserted: set[str] = set()
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        values: list[Any] = []
        extend = values.extend
        for row in chunk:
            extend([row[column] for column in columns])
        width = len(columns)
        for position, process in processors:
            # Each distinct value once (a batch's `received_at` is one time for every row).
            column = values[position::width]
            bound = {value: process(value) for value in set(column)}
            values[position::width] = [bound[value] for value in column]
        result = connection.exec_driver_sql(
            _sqlite_insert_sql(table.name, tuple(columns), len(chunk)), tuple(values)
        )
        inserted.update(str(found[0]) for found in result)
    return inserted


@lru_cache(maxsize=64)
def _bind_processors(
    dialect: Dialect, table: Table, columns: tuple[str, ...]
) -> list[tuple[int, Callable[[Any], Any]]]:
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for position, column in enumerate(columns):
        process = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors.append((position, process))
    return processors


@lru_cache(maxsize=64)
def _sqlite_insert_sql(table: str, columns: tuple[str, ...], count: int) -> str:
    names = ", ".join(f'"{column}"' for column in columns)
    marks = "(" + ", ".join("?" for _ in columns) + ")"
    return (
        f'INSERT INTO "{table}" ({names}) VALUES {", ".join([marks] * count)}'  # noqa: S608
        ' ON CONFLICT (id) DO NOTHING RETURNING "id"'
    )


def _owners(session: Session, table: Table, ids: Iterable[str]) -> dict[str, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.connection().execute(
        select(table.c.id, table.c.kiosk_id).where(table.c.id.in_(wanted))
    )
    return {str(i): str(k) for i, k in rows}


@dataclass(frozen=True)
class Rows:
    """The rows a batch would add, by table, keyed by record id (first of each id wins)."""

    passages: dict[str, dict[str, Any]]
    fevers: dict[str, dict[str, Any]]
    overrides: dict[str, dict[str, Any]]
    purchases: dict[str, dict[str, Any]] = field(default_factory=dict)
    clinic_visits: dict[str, dict[str, Any]] = field(default_factory=dict)


def ingest(
    session: Session,
    sender: Sender,
    records: Sequence[UploadRecord | Rejected],
    *,
    cipher: RecordCipher,
    now: datetime,
    window: RecordWindow | None = None,
) -> list[RecordResult | Rejected]:
    """Store what is new, in the caller's transaction; one answer per record, in order. A record
    whose time is outside `window` is refused alone (issue 27)."""
    if window is not None:
        records = within(records, window)
    rows = rows_of(sender, records, cipher=cipher, now=now)
    return _store(session, sender, records, rows)


def rows_of(
    sender: Sender,
    records: Sequence[UploadRecord | Rejected],
    *,
    cipher: RecordCipher,
    now: datetime,
) -> Rows:
    """The rows of a batch: identifying values encrypted, code ids blind-indexed."""
    passages: dict[str, dict[str, Any]] = {}
    fevers: dict[str, dict[str, Any]] = {}
    overrides: dict[str, dict[str, Any]] = {}
    purchases: dict[str, dict[str, Any]] = {}
    clinic_visits: dict[str, dict[str, Any]] = {}
    common = {
        "kiosk_id": sender.kiosk_id,
        "checkpoint_id": sender.checkpoint_id,
        "region_code": sender.region_code,
        "received_at": now,
    }
    seal, code_index = cipher.seal, cipher.code_index  # bound once: called per record
    for record in records:
        if isinstance(record, Rejected):
            continue
        record_id = str(record.record_id)
        if record.passage is not None:
            data = record.passage
            code_ix = (
                code_index(data.issuer, data.code_id)
                if data.issuer is not None and data.code_id is not None
                else None
            )
            if record_id not in passages:
                passages[record_id] = {
                    "id": record_id,
                    **common,
                    "kiosk_seq": data.seq,
                    "at": data.at,
                    "clock_trusted": data.clock_trusted,
                    "operator_id": data.operator_id,
                    "scheme": data.scheme,
                    "issuer": data.issuer,
                    "code_ix": code_ix,
                    "code_enc": seal(data.code_id, record_id, "code"),
                    "name_enc": seal(data.masked_name, record_id, "name"),
                    "id_masked_enc": seal(data.id_number_masked, record_id, "id_masked"),
                    "colour_in_code": data.colour_in_code,
                    "colour_applied": data.colour_applied,
                    "outcome": data.outcome,
                    "reasons": _reasons_json(tuple(data.reasons)),
                    "rejection": data.rejection,
                    "temperature_celsius": data.temperature_celsius,
                    "fever": data.fever,
                    "id_match": data.id_match,
                    "direction": data.direction,
                    "trip_reason": data.trip_reason,
                    "plate_enc": seal(data.vehicle_plate, record_id, "plate"),
                    "policy_version": data.policy_version,
                    "repeat": data.repeat,
                    "full_name_enc": seal(data.full_name, record_id, "full_name"),
                    "phone_enc": seal(data.phone, record_id, "phone"),
                }
            if record.kind is RecordKind.FEVER_REPORT and record_id not in fevers:
                fevers[record_id] = {
                    "id": record_id,
                    **common,
                    "at": data.at,
                    "temperature_celsius": data.temperature_celsius,
                    "issuer": data.issuer,
                    "code_ix": code_ix,
                    "status": "open",
                }
        elif record.purchase is not None or record.clinic is not None:
            wanted = purchases if record.purchase is not None else clinic_visits
            if record_id not in wanted:
                wanted[record_id] = scene_row(record, record_id, common, cipher)
        elif record.override is not None and record_id not in overrides:
            override = record.override
            overrides[record_id] = {
                "id": record_id,
                **common,
                "passage_id": str(override.passage_id),
                "at": override.at,
                "outcome": override.outcome,
                "reason_enc": seal(override.reason, record_id, "reason"),
                "operator_id": override.operator_id,
            }
    return Rows(passages, fevers, overrides, purchases, clinic_visits)


def scene_row(
    record: UploadRecord, record_id: str, common: dict[str, Any], cipher: RecordCipher
) -> dict[str, Any]:
    """A purchase's or clinic visit's row: the code blind-indexed and sealed, the rest sealed
    as one document; what the colour rules and the reports need kept in the clear."""
    data = record.purchase or record.clinic
    assert data is not None  # noqa: S101 - the caller checked
    code_ix = (
        cipher.code_index(data.issuer, data.code_id)
        if data.issuer is not None and data.code_id is not None
        else None
    )
    details = data.model_dump_json(exclude={"code_id"})
    purchase, clinic = record.purchase, record.clinic
    return {
        "id": record_id,
        "kind": record.kind.value,
        **common,
        "at": data.at,
        "issuer": data.issuer,
        "code_ix": code_ix,
        "code_enc": cipher.seal(data.code_id, record_id, "code"),
        "watched": purchase is not None
        and any(line.category != "other" for line in purchase.lines),
        "categories": (
            ",{},".format(",".join(sorted({line.category for line in purchase.lines})))
            if purchase is not None
            else None
        ),
        "visit": clinic.visit if clinic is not None else None,
        "case_type": clinic.case_type if clinic is not None else None,
        "details_enc": cipher.seal(details, record_id, "details"),
        "applied_at": None,
    }


@lru_cache(maxsize=1024)
def _reasons_json(reasons: tuple[str, ...]) -> str:
    """Reason codes come from a small vocabulary: each list is encoded once."""
    return json.dumps(list(reasons))


def tables_of(rows: Rows) -> dict[RecordKind, tuple[Table, dict[str, dict[str, Any]]]]:
    return {
        RecordKind.PASSAGE: (cast(Table, ReceivedPassage.__table__), rows.passages),
        RecordKind.FEVER_REPORT: (cast(Table, FeverCase.__table__), rows.fevers),
        RecordKind.OVERRIDE: (cast(Table, OverrideRecord.__table__), rows.overrides),
        RecordKind.PURCHASE: (cast(Table, SceneRecord.__table__), rows.purchases),
        RecordKind.CLINIC_VISIT: (cast(Table, SceneRecord.__table__), rows.clinic_visits),
    }


def _overrides_of_foreign_passages(session: Session, sender: Sender, rows: Rows) -> set[str]:
    """The overrides of this batch that point at a passage another kiosk recorded: a kiosk
    changes only its own decisions."""
    by_passage: dict[str, list[str]] = {}
    for record_id, row in rows.overrides.items():
        by_passage.setdefault(row["passage_id"], []).append(record_id)
    if not by_passage:
        return set()
    owners = _owners(session, cast(Table, ReceivedPassage.__table__), by_passage.keys())
    return {
        record_id
        for passage_id, owner in owners.items()
        if owner != sender.kiosk_id
        for record_id in by_passage[passage_id]
    }


def _store(
    session: Session, sender: Sender, records: Sequence[UploadRecord | Rejected], rows: Rows
) -> list[RecordResult | Rejected]:
    foreign = _overrides_of_foreign_passages(session, sender, rows)
    for record_id in foreign:
        del rows.overrides[record_id]
    tables = tables_of(rows)
    stored: dict[RecordKind, set[str]] = {}
    owners: dict[RecordKind, dict[str, str]] = {}
    for kind, (table, by_id) in tables.items():
        stored[kind] = _insert(session, table, list(by_id.values()))
        owners[kind] = _owners(session, table, by_id.keys() - stored[kind])
    # the trends' day counters, for the passages this upload added (not its duplicates)
    count_passages(session, (rows.passages[i] for i in stored[RecordKind.PASSAGE]))
    answers: list[RecordResult | Rejected] = []
    answered: set[tuple[RecordKind, str]] = set()
    for record in records:
        if isinstance(record, Rejected):
            answers.append(record)
            continue
        record_id = str(record.record_id)
        key = (record.kind, record_id)
        owner = owners[record.kind].get(record_id)
        if owner is not None and owner != sender.kiosk_id:
            status, reason = RecordStatus.REJECTED, RejectReason.RECORD_ID_TAKEN.value
        elif record.kind is RecordKind.OVERRIDE and record_id in foreign:
            status, reason = RecordStatus.REJECTED, RejectReason.PASSAGE_OF_ANOTHER_KIOSK.value
        elif record_id in stored[record.kind] and key not in answered:
            status, reason = RecordStatus.STORED, None
        else:
            status, reason = RecordStatus.DUPLICATE, None
        answered.add(key)
        answers.append(
            RecordResult(record_id=record.record_id, kind=record.kind, status=status, reason=reason)
        )
    return answers


# ---------------------------------------------------------------- offline files


@dataclass(frozen=True)
class ImportSummary:
    kiosk_id: str
    stored: int
    duplicate: int
    rejected: int


def import_outbox_file(
    session: Session,
    data: bytes,
    *,
    keys_dir: Path,
    now: datetime,
    window: RecordWindow | None = None,
) -> ImportSummary:
    """Ingest an offline outbox file with an upload's guarantees; raise OutboxFileError."""
    document = read_outbox_file(data)
    kiosk = session.get(Kiosk, document.kiosk_id)
    if kiosk is None:
        raise OutboxFileError(f"no kiosk {document.kiosk_id}")
    if kiosk.revoked_at is not None:
        raise OutboxFileError(f"kiosk {document.kiosk_id} is revoked")
    content = open_outbox_file(document, kiosk.signing_public_key, load_transfer_key(keys_dir))
    sender = sender_of(session, kiosk)
    counts = dict.fromkeys(RecordStatus, 0)
    for start in range(0, len(content.records), MAX_UPLOAD_RECORDS):
        chunk = content.records[start : start + MAX_UPLOAD_RECORDS]
        answers = ingest(
            session, sender, chunk, cipher=record_cipher(keys_dir), now=now, window=window
        )
        for answer in answers:
            counts[
                answer.status if isinstance(answer, RecordResult) else RecordStatus.REJECTED
            ] += 1
    return ImportSummary(
        kiosk.id,
        counts[RecordStatus.STORED],
        counts[RecordStatus.DUPLICATE],
        counts[RecordStatus.REJECTED],
    )
