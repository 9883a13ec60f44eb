"""The central database, SQLAlchemy 2 typed models. Alembic migrations follow these tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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
