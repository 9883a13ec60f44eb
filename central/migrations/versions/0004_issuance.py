"""issuance: people and their codes, area risk levels, recompute jobs, status feed, SMS codes

Revision ID: 0004_issuance
Revises: 0003_regions_accounts_audit
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0004_issuance"
down_revision = "0003_regions_accounts_audit"
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, central.core.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer", sa.String(length=6), nullable=False),
        sa.Column("id_ix", sa.LargeBinary(length=16), nullable=False),
        sa.Column("phone_ix", sa.LargeBinary(length=16), nullable=True),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("id_number_enc", sa.LargeBinary(), nullable=False),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=True),
        sa.Column("workplace_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id_type", sa.String(length=16), nullable=False),
        sa.Column("holder", sa.String(length=16), nullable=False),
        sa.Column("residence_area", sa.String(length=15), nullable=False),
        sa.Column("ruleset", sa.String(length=32), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("code_id", sa.LargeBinary(length=16), nullable=False),
        sa.Column("code_ix", sa.LargeBinary(length=16), nullable=False),
        sa.Column("code_kind", sa.String(length=8), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("colour_seq", sa.Integer(), nullable=False),
        sa.Column("colour_reason", sa.String(length=64), nullable=False),
        _time("review_at", nullable=True),
        sa.Column("holder_token_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_id"),
        sa.UniqueConstraint("holder_token_hash"),
    )
    op.create_index("ix_people_issuer_id", "people", ["issuer", "id_ix"], unique=True)
    op.create_index("ix_people_phone_ix", "people", ["phone_ix"])
    op.create_index("ix_people_residence_area", "people", ["residence_area"])
    op.create_index("ix_people_code_ix", "people", ["code_ix"])
    op.create_index("ix_people_review_at", "people", ["review_at"])

    op.create_table(
        "person_areas",
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("area_code", "person_id"),
    )
    op.create_index("ix_person_areas_person_id", "person_areas", ["person_id"])

    op.create_table(
        "area_risks",
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        _time("changed_at"),
        sa.Column("changed_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("area_code"),
    )

    op.create_table(
        "recompute_jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cursor", sa.String(length=64), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        _time("lease_until", nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        _time("created_at"),
        _time("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recompute_jobs_area_code", "recompute_jobs", ["area_code"])
    op.create_index("ix_recompute_jobs_status", "recompute_jobs", ["status"])

    op.create_table(
        "status_feed",
        sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("issuer", sa.String(length=6), nullable=False),
        sa.Column("code_id", sa.LargeBinary(length=16), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("colour_seq", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        _time("at"),
        sa.Column("actor", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("sequence"),
    )
    op.create_index("ix_status_feed_at", "status_feed", ["at"])
    op.create_index("ix_status_feed_code", "status_feed", ["issuer", "code_id"])

    feed_head = op.create_table(
        "feed_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(feed_head, [{"id": 1, "last_sequence": 0}])

    op.create_table(
        "sms_challenges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("phone_ix", sa.LargeBinary(length=16), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(length=32), nullable=False),
        _time("created_at"),
        _time("expires_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("used_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sms_challenges_phone_ix", "sms_challenges", ["phone_ix"])


def downgrade() -> None:
    op.drop_table("sms_challenges")
    op.drop_table("feed_head")
    op.drop_index("ix_status_feed_code", table_name="status_feed")
    op.drop_index("ix_status_feed_at", table_name="status_feed")
    op.drop_table("status_feed")
    op.drop_table("recompute_jobs")
    op.drop_table("area_risks")
    op.drop_table("person_areas")
    op.drop_table("people")
