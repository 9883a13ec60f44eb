"""passage_days: passages counted per checkpoint, local day and outcome, for the trends

Revision ID: 0013_passage_days
Revises: 0012_region_pinyin
Create Date: 2026-12-07

Kept as passages are stored (central/kiosks/passage_days.py); the passages already stored are
counted here, by their day in Asia/Shanghai.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_passage_days"
down_revision = "0012_region_pinyin"
branch_labels = None
depends_on = None

# The local day of a stored UTC time, as each database writes it.
LOCAL_DAY = {
    "sqlite": "date(at, '+8 hours')",
    "postgresql": "(at AT TIME ZONE 'Asia/Shanghai')::date",
}


def upgrade() -> None:
    op.create_table(
        "passage_days",
        sa.Column("checkpoint_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("passages", sa.Integer(), nullable=False),
        sa.Column("fevers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("checkpoint_id", "day", "outcome"),
    )
    day = LOCAL_DAY[op.get_bind().dialect.name]
    # the day expression is one of the two constants above: nothing from outside
    backfill = "".join(
        (
            "INSERT INTO passage_days (checkpoint_id, day, outcome, passages, fevers) ",
            f"SELECT checkpoint_id, {day}, outcome, COUNT(*), ",
            "SUM(CASE WHEN fever THEN 1 ELSE 0 END) FROM received_passages ",
            f"GROUP BY checkpoint_id, {day}, outcome",
        )
    )
    op.execute(backfill)


def downgrade() -> None:
    op.drop_table("passage_days")
