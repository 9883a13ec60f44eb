"""regions, account roles and areas, enterprises, checkpoint areas, audit log

Revision ID: 0003_regions_accounts_audit
Revises: 0002_passage_ingest
Create Date: 2026-11-24

Columns are added with plain ALTER TABLE (no batch copy on SQLite: recreating `checkpoints` or
`administrators` there would cascade-delete their rosters and sessions), so the new reference
columns carry no foreign-key constraint; the code checks them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0003_regions_accounts_audit"
down_revision = "0002_passage_ingest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=15), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent_code", sa.String(length=15), nullable=True),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_regions_parent_code", "regions", ["parent_code"])

    op.create_table(
        "enterprises",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.Column("industry", sa.String(length=64), nullable=False),
        sa.Column("created_at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_enterprises_area_code", "enterprises", ["area_code"])
    op.create_index("ix_enterprises_industry", "enterprises", ["industry"])

    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("actor_area", sa.String(length=15), nullable=False),
        sa.Column("actor_enterprise_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id"])
    op.create_index("ix_audit_log_actor_area", "audit_log", ["actor_area"])
    op.create_index("ix_audit_log_actor_enterprise_id", "audit_log", ["actor_enterprise_id"])

    op.add_column(
        "administrators",
        sa.Column("role", sa.String(length=32), server_default="region_admin", nullable=False),
    )
    op.add_column("administrators", sa.Column("area_code", sa.String(length=15), nullable=True))
    op.add_column("administrators", sa.Column("industry", sa.String(length=64), nullable=True))
    op.add_column("administrators", sa.Column("enterprise_id", sa.String(length=36), nullable=True))
    op.add_column("administrators", sa.Column("created_by_id", sa.String(length=36), nullable=True))
    op.add_column(
        "administrators",
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "administrators",
        sa.Column("locked_until", central.core.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_administrators_area_code", "administrators", ["area_code"])
    op.create_index("ix_administrators_enterprise_id", "administrators", ["enterprise_id"])
    # Administrators before this revision keep the area of their six-digit region code.
    op.execute("UPDATE administrators SET area_code = region_code WHERE area_code IS NULL")

    op.add_column(
        "checkpoints",
        sa.Column("area_code", sa.String(length=15), server_default="", nullable=False),
    )
    op.add_column("checkpoints", sa.Column("enterprise_id", sa.String(length=36), nullable=True))
    op.create_index("ix_checkpoints_area_code", "checkpoints", ["area_code"])
    op.create_index("ix_checkpoints_enterprise_id", "checkpoints", ["enterprise_id"])
    op.execute("UPDATE checkpoints SET area_code = region_code WHERE area_code = ''")


def downgrade() -> None:
    op.drop_index("ix_checkpoints_enterprise_id", table_name="checkpoints")
    op.drop_index("ix_checkpoints_area_code", table_name="checkpoints")
    op.drop_column("checkpoints", "enterprise_id")
    op.drop_column("checkpoints", "area_code")
    op.drop_index("ix_administrators_enterprise_id", table_name="administrators")
    op.drop_index("ix_administrators_area_code", table_name="administrators")
    for column in (
        "locked_until",
        "failed_logins",
        "created_by_id",
        "enterprise_id",
        "industry",
        "area_code",
        "role",
    ):
        op.drop_column("administrators", column)
    op.drop_table("audit_log")
    op.drop_table("enterprises")
    op.drop_table("regions")
