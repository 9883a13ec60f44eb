"""passage ingest: received passages, fever cases, override records

Revision ID: 0002_passage_ingest
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0002_passage_ingest"
down_revision = "0001"
branch_labels = None
depends_on = None


def _common() -> list[sa.Column[object]]:
    return [
        sa.Column("kiosk_id", sa.String(length=36), nullable=False),
        sa.Column("checkpoint_id", sa.String(length=36), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "received_passages",
        sa.Column("id", sa.String(length=36), nullable=False),
        *_common(),
        sa.Column("kiosk_seq", sa.BigInteger(), nullable=False),
        sa.Column("at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("clock_trusted", sa.Boolean(), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=True),
        sa.Column("scheme", sa.String(length=16), nullable=True),
        sa.Column("issuer", sa.String(length=16), nullable=True),
        sa.Column("code_ix", sa.LargeBinary(length=16), nullable=True),
        sa.Column("code_enc", sa.LargeBinary(), nullable=True),
        sa.Column("name_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id_masked_enc", sa.LargeBinary(), nullable=True),
        sa.Column("colour_in_code", sa.String(length=16), nullable=True),
        sa.Column("colour_applied", sa.String(length=16), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("rejection", sa.String(length=64), nullable=True),
        sa.Column("temperature_celsius", sa.Float(), nullable=True),
        sa.Column("fever", sa.Boolean(), nullable=False),
        sa.Column("id_match", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=True),
        sa.Column("trip_reason", sa.String(length=32), nullable=True),
        sa.Column("plate_enc", sa.LargeBinary(), nullable=True),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("repeat", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("received_passages", schema=None) as batch_op:
        batch_op.create_index("ix_received_passages_region_at", ["region_code", "at"])
        batch_op.create_index("ix_received_passages_checkpoint_at", ["checkpoint_id", "at"])
        batch_op.create_index("ix_received_passages_code_at", ["code_ix", "at"])
        batch_op.create_index("ix_received_passages_at", ["at"])
        batch_op.create_index("ix_received_passages_kiosk_seq", ["kiosk_id", "kiosk_seq"])

    op.create_table(
        "fever_cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        *_common(),
        sa.Column("at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("temperature_celsius", sa.Float(), nullable=True),
        sa.Column("issuer", sa.String(length=16), nullable=True),
        sa.Column("code_ix", sa.LargeBinary(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fever_cases", schema=None) as batch_op:
        batch_op.create_index("ix_fever_cases_region_at", ["region_code", "at"])
        batch_op.create_index("ix_fever_cases_code", ["code_ix"])

    op.create_table(
        "override_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("passage_id", sa.String(length=36), nullable=False),
        *_common(),
        sa.Column("at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("override_records", schema=None) as batch_op:
        batch_op.create_index("ix_override_records_passage", ["passage_id"])
        batch_op.create_index("ix_override_records_region_at", ["region_code", "at"])


def downgrade() -> None:
    op.drop_table("override_records")
    op.drop_table("fever_cases")
    op.drop_table("received_passages")
