"""kiosk releases: published kiosk versions with their signed manifests (issue 15)

Revision ID: 0008_kiosk_releases
Revises: 0007_exports
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0008_kiosk_releases"
down_revision = "0007_exports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_releases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("archive_file", sa.String(length=200), nullable=False),
        sa.Column("archive_sha256", sa.String(length=64), nullable=False),
        sa.Column("archive_size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("manifest_signed", sa.LargeBinary(), nullable=False),
        sa.Column("release_key_id", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_kiosk_releases_platform_version",
        "kiosk_releases",
        ["platform", "version"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_kiosk_releases_platform_version", table_name="kiosk_releases")
    op.drop_table("kiosk_releases")
