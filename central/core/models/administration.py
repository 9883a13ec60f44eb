"""Administrators and their sessions, regions, enterprises, employee rosters, the audit log and
rate limits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from central.core.models.base import Base, new_id


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
    # What the account may see and do (central/core/scope.py): its role and area (a region code of
    # any level; older rows have only region_code), an industry or an enterprise for those roles.
    role: Mapped[str] = mapped_column(
        String(32), default="region_admin", server_default="region_admin"
    )
    area_code: Mapped[str | None] = mapped_column(String(15), index=True)
    industry: Mapped[str | None] = mapped_column(String(64))
    enterprise_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_by_id: Mapped[str | None] = mapped_column(String(36))
    # A grid worker's (liaison's) mobile number, where tip-offs are sent by SMS (issue 25): only
    # as ciphertext (keys/records.key).
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Failed logins and lockouts are kept per user name in `LoginFailures`, for names with no
    # account too.


class LoginFailures(Base):
    """Failed logins of one user name since its last success, and the lockout they caused.

    Kept for every name tried, whether an account has it or not, so a lockout tells nobody which
    accounts exist; in the database, so every process counts the same attempts. The name is kept
    as its SHA-256 only: a name typed by mistake may be a password.
    """

    __tablename__ = "login_failures"

    name_digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime] = mapped_column(index=True)


class AdminSession(Base):
    __tablename__ = "admin_sessions"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    administrator_id: Mapped[str] = mapped_column(
        ForeignKey("administrators.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime]


class RateLimitHit(Base):
    """Fixed-window counters shared by every process: (bucket, window start) -> hits."""

    __tablename__ = "rate_limit_hits"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)


class Region(Base):
    """The six-level region tree (central/core/regions.py): GB/T 2260-style codes, 6-15 digits."""

    __tablename__ = "regions"
    # The picker's search walks regions by level and code and stops at its limit.
    __table_args__ = (Index("ix_regions_level_code", "level", "code"),)

    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    parent_code: Mapped[str | None] = mapped_column(String(15), index=True)
    name_zh: Mapped[str] = mapped_column(String(100), index=True)
    name_en: Mapped[str | None] = mapped_column(String(100))
    # Worked out once at loading (central/core/region_search.py): what a search matches.
    pinyin: Mapped[str | None] = mapped_column(String(400), index=True)
    pinyin_initials: Mapped[str | None] = mapped_column(String(100), index=True)


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


# ---------------------------------------------------------------- employee rosters (issue 12)
# An enterprise's employees (central/administration/employees.py). Name and phone only as
# ciphertext, the name also as a keyed blind index for lookups; the ID number never in full: a
# keyed blind index (one employee once per enterprise) and its masked form, itself encrypted.
# The keys are keys/records.key (central.core.cipher.RecordCipher).


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
    # The issuer's blind index of the ID number (people.id_ix), made when the employee is added:
    # the employee's code, check-in and passages, for its enterprise's roster (issue 25). None
    # for employees added before it was kept (their ID numbers are not kept to make it later).
    person_ix: Mapped[bytes | None] = mapped_column(LargeBinary(16), index=True)


Index("ix_employees_enterprise_id_ix", Employee.enterprise_id, Employee.id_ix, unique=True)
Index("ix_employees_enterprise_name_ix", Employee.enterprise_id, Employee.name_ix)
Index("ix_employees_enterprise_department", Employee.enterprise_id, Employee.department)
