"""community workers: the account that issued a proxy code, so it can read its codes back

Revision ID: 0009_community_worker
Revises: 0008_kiosk_releases
Create Date: 2026-11-23

The `community_worker` role itself needs no change: `administrators.role` is a plain string.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_community_worker"
down_revision = "0008_kiosk_releases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("people", sa.Column("issued_by_id", sa.String(length=36), nullable=True))
    op.create_index("ix_people_issued_by_id", "people", ["issued_by_id"])


def downgrade() -> None:
    op.drop_index("ix_people_issued_by_id", table_name="people")
    op.drop_column("people", "issued_by_id")
