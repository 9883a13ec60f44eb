"""national_risk_areas: the national list of risk areas, imported as a signed document

Revision ID: 0019_national_risk_areas
Revises: 0018_tip_offs_enterprises
Create Date: 2026-12-07

`national_risk_lists` keeps each list imported (its sequence, when it was issued and taken, where
from, how many areas, and the importing province's own area, inside which the province's own
settings win); `national_risk_areas` the areas of the newest one. A recompute job may cover many
areas at once (`recompute_jobs.areas`, a JSON list; empty for a job of one area).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0019_national_risk_areas"
down_revision = "0018_tip_offs_enterprises"
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, central.core.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "national_risk_lists",
        sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
        _time("issued_at"),
        _time("imported_at"),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("areas", sa.Integer(), nullable=False),
        sa.Column("own_area", sa.String(length=15), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("sequence"),
    )
    op.create_table(
        "national_risk_areas",
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("area_code"),
    )
    with op.batch_alter_table("recompute_jobs") as batch:
        batch.add_column(sa.Column("areas", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recompute_jobs") as batch:
        batch.drop_column("areas")
    op.drop_table("national_risk_areas")
    op.drop_table("national_risk_lists")
