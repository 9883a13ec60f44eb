"""exports and scheduled pushes: background exports with progress, push deliveries

Revision ID: 0007_exports
Revises: 0006_job_leases
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0007_exports"
down_revision = "0006_job_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = central.core.db.UTCDateTime(timezone=True)
    op.create_table(
        "exports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("file_path", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", moment, nullable=True),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("finished_at", moment, nullable=True),
        sa.Column("expires_at", moment, nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_exports_account_id", "exports", ["account_id"])
    op.create_index("ix_exports_status", "exports", ["status"])
    op.create_table(
        "push_deliveries",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("file_path", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("written_at", moment, nullable=False),
        sa.Column("delivered_at", moment, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("kind", "period"),
    )


def downgrade() -> None:
    op.drop_table("push_deliveries")
    op.drop_index("ix_exports_status", table_name="exports")
    op.drop_index("ix_exports_account_id", table_name="exports")
    op.drop_table("exports")
