"""The central database, SQLAlchemy 2 typed models. Alembic migrations follow these tables."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    insert,
    join,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, column_property, mapped_column

from central.db import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


def new_id() -> str:
    return str(uuid.uuid4())


class Administrator(Base):
    __tablename__ = "administrators"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(Text)
    # One-time setup token (its SHA-256): the administrator sets a password with it.
    setup_token_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    setup_expires_at: Mapped[datetime | None]
    region_code: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[datetime]
    # What the account may see and do (central/scope.py): its role and area (a region code of
    # any level; older rows have only region_code), an industry or an enterprise for those roles.
    role: Mapped[str] = mapped_column(
        String(32), default="region_admin", server_default="region_admin"
    )
    area_code: Mapped[str | None] = mapped_column(String(15), index=True)
    industry: Mapped[str | None] = mapped_column(String(64))
    enterprise_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_by_id: Mapped[str | None] = mapped_column(String(36))
    # Failed logins since the last success, and the lockout they caused: kept in the database
    # so every process counts the same attempts.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None]


class AdminSession(Base):
    __tablename__ = "admin_sessions"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    administrator_id: Mapped[str] = mapped_column(
        ForeignKey("administrators.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime]


class Checkpoint(Base):
    __tablename__ = "checkpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    checkpoint_type: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(Text)
    enterprise: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    # The region the checkpoint sits in, at any of the six levels: what scopes reads of it.
    area_code: Mapped[str] = mapped_column(String(15), index=True, server_default="")
    enterprise_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # Grow with every change, so a kiosk can tell a newer policy or staff roster.
    policy_version: Mapped[int] = mapped_column(Integer, default=1)
    roster_version: Mapped[int] = mapped_column(Integer, default=0)


class EnrollmentCode(Base):
    __tablename__ = "enrollment_codes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    checkpoint_id: Mapped[str] = mapped_column(
        ForeignKey("checkpoints.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    kiosk_id: Mapped[str | None] = mapped_column(String(36))


class Kiosk(Base):
    __tablename__ = "kiosks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    checkpoint_id: Mapped[str] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    signing_public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    encryption_public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    enrolled_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # Health, from the newest signed request.
    last_seen_at: Mapped[datetime | None]
    software_version: Mapped[str | None] = mapped_column(String(64))
    backlog_records: Mapped[int | None] = mapped_column(Integer)
    feed_age_s: Mapped[int | None] = mapped_column(Integer)
    clock_offset_s: Mapped[int | None] = mapped_column(Integer)
    free_disk_bytes: Mapped[int | None] = mapped_column(BigInteger)
    error_counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Operator(Base):
    """A member of a checkpoint's staff roster: logs in at the kiosk with a PIN."""

    __tablename__ = "operators"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    checkpoint_id: Mapped[str] = mapped_column(
        ForeignKey("checkpoints.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    pin_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class RequestNonce(Base):
    """Nonces seen in signed requests, kept until their signature could no longer be accepted.

    The primary key makes a replay fail on insert, whichever process saw the first use.
    """

    __tablename__ = "request_nonces"

    kiosk_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class RateLimitHit(Base):
    """Fixed-window counters shared by every process: (bucket, window start) -> hits."""

    __tablename__ = "rate_limit_hits"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)


class TrustListRecord(Base):
    """Signed trust lists as distributed; the newest is handed to kiosks."""

    __tablename__ = "trust_lists"

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    signed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


Index("ix_kiosks_last_seen_at", Kiosk.last_seen_at)


class Region(Base):
    """The six-level region tree (central/regions.py): GB/T 2260-style codes, 6 to 15 digits."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    parent_code: Mapped[str | None] = mapped_column(String(15), index=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))


class Enterprise(Base):
    """An enterprise, placed in a region and an industry; its accounts are scoped to it."""

    __tablename__ = "enterprises"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    area_code: Mapped[str] = mapped_column(String(15), index=True)
    industry: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    created_by_id: Mapped[str | None] = mapped_column(String(36))


class AuditEntry(Base):
    """Who read what: never the data itself, nor names, ID numbers or code ids.

    The actor's area and enterprise are copied in, so the levels above can review the entries
    of their area with the same prefix match as everything else.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[str] = mapped_column(String(36), index=True)
    actor_role: Mapped[str] = mapped_column(String(32))
    actor_area: Mapped[str] = mapped_column(String(15), index=True)
    actor_enterprise_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(32))
    route: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(100))
    row_count: Mapped[int] = mapped_column(Integer)


# ---------------------------------------------------------------- received records (issue 10)
# Records from kiosks, stored once by the UUID the kiosk made. A code id is kept as a keyed blind
# index (for lookups) plus its ciphertext; masked names, plates and override reasons only as
# ciphertext (central.ingest.RecordCipher). The region and checkpoint are copied in at ingest, so
# an area's records are found through one index without a join.


class ReceivedPassage(Base):
    __tablename__ = "received_passages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    checkpoint_id: Mapped[str] = mapped_column(String(36))
    region_code: Mapped[str] = mapped_column(String(6))
    kiosk_seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime]
    received_at: Mapped[datetime]
    clock_trusted: Mapped[bool] = mapped_column(Boolean)
    operator_id: Mapped[str | None] = mapped_column(String(64))
    scheme: Mapped[str | None] = mapped_column(String(16))
    issuer: Mapped[str | None] = mapped_column(String(16))
    code_ix: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    code_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_masked_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    colour_in_code: Mapped[str | None] = mapped_column(String(16))
    colour_applied: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[str] = mapped_column(Text)  # JSON list of reason codes
    rejection: Mapped[str | None] = mapped_column(String(64))
    temperature_celsius: Mapped[float | None] = mapped_column(Float)
    fever: Mapped[bool] = mapped_column(Boolean)
    id_match: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str | None] = mapped_column(String(16))
    trip_reason: Mapped[str | None] = mapped_column(String(32))
    plate_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    policy_version: Mapped[int] = mapped_column(Integer)
    repeat: Mapped[bool] = mapped_column(Boolean)


class FeverCase(Base):
    """A fever reported by a kiosk (above the threshold, measured twice): to be followed up."""

    __tablename__ = "fever_cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the passage's record id
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    checkpoint_id: Mapped[str] = mapped_column(String(36))
    region_code: Mapped[str] = mapped_column(String(6))
    at: Mapped[datetime]
    received_at: Mapped[datetime]
    temperature_celsius: Mapped[float | None] = mapped_column(Float)
    issuer: Mapped[str | None] = mapped_column(String(16))
    code_ix: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    status: Mapped[str] = mapped_column(String(16))  # open, closed


class OverrideRecord(Base):
    """A staff override of a kiosk decision, with its (encrypted) reason and operator."""

    __tablename__ = "override_records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    passage_id: Mapped[str] = mapped_column(String(36))
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    checkpoint_id: Mapped[str] = mapped_column(String(36))
    region_code: Mapped[str] = mapped_column(String(6))
    at: Mapped[datetime]
    received_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(32))
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)
    operator_id: Mapped[str | None] = mapped_column(String(64))


Index("ix_received_passages_region_at", ReceivedPassage.region_code, ReceivedPassage.at)
Index("ix_received_passages_checkpoint_at", ReceivedPassage.checkpoint_id, ReceivedPassage.at)
Index("ix_received_passages_code_at", ReceivedPassage.code_ix, ReceivedPassage.at)
Index("ix_received_passages_at", ReceivedPassage.at)
Index("ix_received_passages_kiosk_seq", ReceivedPassage.kiosk_id, ReceivedPassage.kiosk_seq)
Index("ix_fever_cases_region_at", FeverCase.region_code, FeverCase.at)
Index("ix_fever_cases_code", FeverCase.code_ix)
Index("ix_override_records_passage", OverrideRecord.passage_id)
Index("ix_override_records_region_at", OverrideRecord.region_code, OverrideRecord.at)


# ---------------------------------------------------------------- issuance (issue 13)
# People who hold a code of this issuer. Full name, ID number and phone only as ciphertext
# (central.issuance.people.PeopleCipher, a key outside the database); ID number and phone are
# found through keyed blind indexes. `facts` is what the colour rules look at.


_people = Table(
    "people",
    Base.metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("issuer", String(6), nullable=False),
    Column("id_ix", LargeBinary(16), nullable=False),
    Column("phone_ix", LargeBinary(16), index=True),
    Column("name_enc", LargeBinary, nullable=False),
    Column("id_number_enc", LargeBinary, nullable=False),
    Column("phone_enc", LargeBinary),
    Column("workplace_enc", LargeBinary),
    Column("id_type", String(16), nullable=False),
    Column("holder", String(16), nullable=False),  # self, guardian, community
    # The account that made a community (proxy) declaration: it reads those codes back.
    Column("issued_by_id", String(36), index=True),
    Column("residence_area", String(15), nullable=False, index=True),
    Column("ruleset", String(32), nullable=False),
    Column("facts", JSON, nullable=False),
    # The code: one id per person and issuer, kept for good.
    Column("code_id", LargeBinary(16), nullable=False, unique=True),
    Column("code_ix", LargeBinary(16), nullable=False, index=True),  # ingest's blind index
    Column("code_kind", String(8), nullable=False),
    Column("holder_token_hash", LargeBinary(32), unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
Index("ix_people_issuer_id", _people.c.issuer, _people.c.id_ix, unique=True)

# What a recompute writes, apart: the colour, its sequence (growing with each change), the
# next time time alone may change it, and the version every writer bumps when it locks the
# person. A narrow row with two indexes: re-colouring a million people rewrites these rows
# only, not the wide `people` rows and their nine indexes (measured on PostgreSQL: 8 us a row
# here, 28 us a row there).
_person_colours = Table(
    "person_colours",
    Base.metadata,
    Column(
        "person_id",
        String(36),
        ForeignKey("people.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("colour", String(8), nullable=False),
    Column("colour_seq", Integer, nullable=False),
    Column("colour_reason", String(64), nullable=False),
    Column("review_at", UTCDateTime(), index=True),
    Column("lock_version", Integer, nullable=False, default=0),
)


class Person(Base):
    """A person with a code: one object over `people` and `person_colours` (one row each, same
    id). The ORM writes each table's row only when one of its columns changed; bulk
    statements name the table they write (`Person.colours_table`)."""

    __table__ = join(_people, _person_colours, _people.c.id == _person_colours.c.person_id)
    people_table: ClassVar[Table] = _people
    colours_table: ClassVar[Table] = _person_colours

    id: Mapped[str] = column_property(_people.c.id, _person_colours.c.person_id)
    issuer: Mapped[str]
    id_ix: Mapped[bytes]
    phone_ix: Mapped[bytes | None]
    name_enc: Mapped[bytes]
    id_number_enc: Mapped[bytes]
    phone_enc: Mapped[bytes | None]
    workplace_enc: Mapped[bytes | None]
    id_type: Mapped[str]
    holder: Mapped[str]
    issued_by_id: Mapped[str | None]
    residence_area: Mapped[str]
    ruleset: Mapped[str]
    facts: Mapped[dict[str, Any]]
    code_id: Mapped[bytes]
    code_ix: Mapped[bytes]
    code_kind: Mapped[str]
    holder_token_hash: Mapped[bytes | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    colour: Mapped[str]
    colour_seq: Mapped[int]
    colour_reason: Mapped[str]
    review_at: Mapped[datetime | None]
    lock_version: Mapped[int]


def insert_people(executor: Session | Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many people at once from rows of `Person` attribute names: each row split into
    its `people` and its `person_colours` row, one statement per table (fixtures, imports)."""
    people_columns = set(_people.c.keys())
    colour_columns = set(_person_colours.c.keys()) - {"person_id"}
    people_rows = [{k: v for k, v in row.items() if k in people_columns} for row in rows]
    colour_rows = [
        {"person_id": row["id"], **{k: v for k, v in row.items() if k in colour_columns}}
        for row in rows
    ]
    executor.execute(insert(_people), people_rows)
    executor.execute(insert(_person_colours), colour_rows)


class PersonArea(Base):
    """The areas a person's colour depends on: who to recompute when an area's level changes."""

    __tablename__ = "person_areas"

    area_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    person_id: Mapped[str] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AreaRisk(Base):
    __tablename__ = "area_risks"

    area_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    level: Mapped[str] = mapped_column(String(8))
    changed_at: Mapped[datetime]
    changed_by: Mapped[str | None] = mapped_column(String(36))


class RecomputeJob(Base):
    """A background recomputation, done in batches by whichever process holds its lease."""

    __tablename__ = "recompute_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    area_code: Mapped[str] = mapped_column(String(15), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, running, done
    # Where the next batch starts: "area code|person id" of the last (area, person) done.
    cursor: Mapped[str] = mapped_column(String(64), default="")
    processed: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class StatusFeedEntry(Base):
    """The status feed, append-only: numbered by `feed_head` so numbers commit in order."""

    __tablename__ = "status_feed"

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    issuer: Mapped[str] = mapped_column(String(6))
    code_id: Mapped[bytes] = mapped_column(LargeBinary(16))
    colour: Mapped[str] = mapped_column(String(8))
    colour_seq: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(36))  # an account id, "holder" or "system"


class FeedHead(Base):
    """One row: the last feed sequence handed out. Its row lock orders concurrent appends."""

    __tablename__ = "feed_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(BigInteger)


class JobLease(Base):
    """Who runs the periodic background work (central/jobs.py) until when, and when it last ran:
    the row's conditional update is the lock, so any number of processes may try."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]


class SmsChallenge(Base):
    """A code sent by SMS to verify a phone number: kept hashed, tried a few times at most."""

    __tablename__ = "sms_challenges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    phone_ix: Mapped[bytes] = mapped_column(LargeBinary(16), index=True)
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None]


Index("ix_status_feed_code", StatusFeedEntry.issuer, StatusFeedEntry.code_id)


# ---------------------------------------------------------------- employee rosters (issue 12)
# An enterprise's employees (central/employees.py). Name and phone only as ciphertext, the name
# also as a keyed blind index for lookups; the ID number never in full: a keyed blind index
# (one employee once per enterprise) and its masked form, itself encrypted. The keys are
# keys/records.key (central.ingest.RecordCipher).


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    name_ix: Mapped[bytes] = mapped_column(LargeBinary(16))
    id_ix: Mapped[bytes] = mapped_column(LargeBinary(16))
    id_masked_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    department: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime]
    created_by_id: Mapped[str | None] = mapped_column(String(36))


Index("ix_employees_enterprise_id_ix", Employee.enterprise_id, Employee.id_ix, unique=True)
Index("ix_employees_enterprise_name_ix", Employee.enterprise_id, Employee.name_ix)
Index("ix_employees_enterprise_department", Employee.enterprise_id, Employee.department)


# ---------------------------------------------------------------- exports and pushes (issue 14)
# An export asked for by an account (central/exports.py): its filters as JSON (a person only as
# the hex of a keyed blind index), worked inline when small or by the jobs runner in batches.


class ExportJob(Base):
    __tablename__ = "exports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(String(36), index=True)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON)
    format: Mapped[str] = mapped_column(String(8))  # csv, xlsx
    kind: Mapped[str] = mapped_column(String(16))  # passages, roster
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued, running, done, failed
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    file_path: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(200))


class PushDelivery(Base):
    """One scheduled push (the daily passages, the weekly statistics) and its delivery: made once
    per period (the primary key), delivered until `delivered_at` is set, then never again."""

    __tablename__ = "push_deliveries"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # daily, weekly
    period: Mapped[str] = mapped_column(String(16), primary_key=True)  # 2026-11-22, 2026-W47
    file_path: Mapped[str] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer)
    written_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))


# ---------------------------------------------------------------- kiosk releases (issue 15)
# A published kiosk version (central/releases.py): the signed manifest exactly as kiosks get it,
# and the archive's file name under <data_dir>/releases (named by its SHA-256).


class KioskRelease(Base):
    __tablename__ = "kiosk_releases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    version: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(32))
    archive_file: Mapped[str] = mapped_column(String(200))
    archive_sha256: Mapped[str] = mapped_column(String(64))
    archive_size_bytes: Mapped[int] = mapped_column(BigInteger)
    manifest_signed: Mapped[bytes] = mapped_column(LargeBinary)
    release_key_id: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


Index(
    "ix_kiosk_releases_platform_version", KioskRelease.platform, KioskRelease.version, unique=True
)
