"""tip_offs_enterprises: residents' tip-offs, the grid workers' phones, employees' codes (issue 25)

The employees' link to their codes (`employees.person_ix`) is made as they are added; the ones
already on a roster keep none (their full ID numbers were never kept to make it).

Revision ID: 0018_tip_offs_enterprises
Revises: 0017_places_and_names
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from central.core.db import UTCDateTime

revision = "0018_tip_offs_enterprises"
down_revision = "0017_places_and_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("administrators", sa.Column("phone_enc", sa.LargeBinary(), nullable=True))
    op.add_column("employees", sa.Column("person_ix", sa.LargeBinary(length=16), nullable=True))
    op.create_index("ix_employees_person_ix", "employees", ["person_ix"])
    op.create_table(
        "tip_offs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("situation", sa.String(length=32), nullable=True),
        sa.Column("report_type", sa.String(length=32), nullable=True),
        sa.Column("clue_name_enc", sa.LargeBinary(), nullable=True),
        sa.Column("description_enc", sa.LargeBinary(), nullable=True),
        sa.Column("liaison_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("notify_error", sa.String(length=32), nullable=True),
        sa.Column("visited_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("feedback_enc", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_tip_offs_area_code", "tip_offs", ["area_code"])
    op.create_index("ix_tip_offs_liaison_id", "tip_offs", ["liaison_id"])
    op.create_index("ix_tip_offs_status_created", "tip_offs", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_tip_offs_status_created", table_name="tip_offs")
    op.drop_index("ix_tip_offs_liaison_id", table_name="tip_offs")
    op.drop_index("ix_tip_offs_area_code", table_name="tip_offs")
    op.drop_table("tip_offs")
    op.drop_index("ix_employees_person_ix", table_name="employees")
    with op.batch_alter_table("employees") as batch:
        batch.drop_column("person_ix")
    with op.batch_alter_table("administrators") as batch:
        batch.drop_column("phone_enc")
