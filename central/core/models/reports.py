"""Exports, scheduled pushes, and the lease of the background work that makes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from central.core.models.base import Base, new_id


class JobLease(Base):
    """Who runs the periodic background work (central/jobs.py) until when, and when it last ran:
    the row's conditional update is the lock, so any number of processes may try."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]


class WorkPartition(Base):
    """One partition of a run of partitioned work (central/core/partitions.py, issue 28): which
    worker process holds it until when, how far it got, and whether it is done. `low` and `high`
    bound the partition's keys (exclusive, inclusive; "" for the run's start or end), `cursor`
    is the last key done."""

    __tablename__ = "work_partitions"

    run: Mapped[str] = mapped_column(String(64), primary_key=True)
    partition: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    low: Mapped[str] = mapped_column(String(64))
    high: Mapped[str] = mapped_column(String(64))
    cursor: Mapped[str] = mapped_column(String(64))
    holder: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    done: Mapped[bool] = mapped_column(Boolean)
    processed: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)


# ---------------------------------------------------------------- exports and pushes (issue 14)
# An export asked for by an account (central/reports/exports.py): its filters as JSON (a person
# only as the hex of a keyed blind index), worked inline when small or by the jobs runner in
# batches.


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
