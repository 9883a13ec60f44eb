"""scene_records: pharmacy purchases and clinic visits sent by kiosks (issue 25)

Revision ID: 0016_pharmacy_clinic
Revises: 0015_area_colour_counts
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0016_pharmacy_clinic"
down_revision = "0015_area_colour_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scene_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("kiosk_id", sa.String(length=36), nullable=False),
        sa.Column("checkpoint_id", sa.String(length=36), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issuer", sa.String(length=16), nullable=True),
        sa.Column("code_ix", sa.LargeBinary(length=16), nullable=True),
        sa.Column("code_enc", sa.LargeBinary(), nullable=True),
        sa.Column("watched", sa.Boolean(), nullable=False),
        sa.Column("visit", sa.String(length=16), nullable=True),
        sa.Column("case_type", sa.String(length=16), nullable=True),
        sa.Column("details_enc", sa.LargeBinary(), nullable=False),
        sa.Column("applied_at", central.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_scene_records_region_at", "scene_records", ["region_code", "at"])
    op.create_index("ix_scene_records_pending", "scene_records", ["applied_at"])


def downgrade() -> None:
    op.drop_table("scene_records")
