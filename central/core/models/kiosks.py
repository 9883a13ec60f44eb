"""Checkpoints, their kiosks and operators, enrollment codes, trust lists, kiosk releases and
the records kiosks send."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from central.core.models.base import Base, new_id


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
    # The issuers whose codes its kiosks accept (region codes; a province covers its cities and
    # counties): the policy rule `accepted_issuers`. None: every issuer the trust list names.
    accepted_issuers: Mapped[list[str] | None] = mapped_column(JSON)
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


class TrustListRecord(Base):
    """Signed trust lists as distributed; the newest is handed to kiosks."""

    __tablename__ = "trust_lists"

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    signed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


Index("ix_kiosks_last_seen_at", Kiosk.last_seen_at)


# ---------------------------------------------------------------- received records (issue 10)
# Records from kiosks, stored once by the UUID the kiosk made. A code id is kept as a keyed blind
# index (for lookups) plus its ciphertext; masked names, plates and override reasons only as
# ciphertext (central.core.cipher.RecordCipher). The region and checkpoint are copied in at
# ingest, so an area's records are found through one index without a join.


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
    full_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # Hainan 关口信息
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class PassageDay(Base):
    """Passages counted per checkpoint, local day (Asia/Shanghai) and outcome, as they are
    stored (central/kiosks/passage_days.py): the dashboard's and reports' trends read these few
    rows, not a province's million passages."""

    __tablename__ = "passage_days"

    checkpoint_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(32), primary_key=True)
    passages: Mapped[int] = mapped_column(Integer)
    fevers: Mapped[int] = mapped_column(Integer)


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
    status: Mapped[str] = mapped_column(String(16))  # open, confirmed, dismissed
    # The decision: why (a `central.issuance.changes.FeverReason`, no free text), when, by whom.
    decision_reason: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(36))


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


# ---------------------------------------------------------------- kiosk releases (issue 15)
# A published kiosk version (central/kiosks/releases.py): the signed manifest exactly as kiosks
# get it, and the archive's file name under <data_dir>/releases (named by its SHA-256).


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
