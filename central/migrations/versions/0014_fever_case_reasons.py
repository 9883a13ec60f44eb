"""fever case decisions with their reason, and the holders' daily check-ins

Revision ID: 0014_fever_case_reasons
Revises: 0013_passage_days
Create Date: 2026-12-07

A fever case is confirmed or dismissed for a reason (a `FeverReason`, no free text), at a
time, by an account; cases decided before keep no reason. Check-ins were folded into each
person's facts only; from now on each day's is kept too (`check_ins`), so the area's staff see
who checked in on a day and who did not.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0014_fever_case_reasons"
down_revision = "0013_passage_days"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fever_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("decided_at", central.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("decided_by", sa.String(length=36), nullable=True))
    op.create_table(
        "check_ins",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("residence_area", sa.String(length=15), nullable=False),
        sa.Column("at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("abnormal", sa.Boolean(), nullable=False),
        sa.Column("temperature_celsius", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "day"),
    )
    op.create_index("ix_check_ins_day_area", "check_ins", ["day", "residence_area"])


def downgrade() -> None:
    op.drop_index("ix_check_ins_day_area", table_name="check_ins")
    op.drop_table("check_ins")
    with op.batch_alter_table("fever_cases", schema=None) as batch_op:
        batch_op.drop_column("decided_by")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decision_reason")
