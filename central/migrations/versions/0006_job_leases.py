"""job leases: who runs the periodic background work (central/jobs.py), until when

Revision ID: 0006_job_leases
Revises: 0005_employee_rosters
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0006_job_leases"
down_revision = "0005_employee_rosters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", central.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_run_at", central.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("job_leases")
