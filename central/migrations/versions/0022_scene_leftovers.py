"""scene_leftovers: the medicine categories of a pharmacy purchase, in the clear

Revision ID: 0022_scene_leftovers
Revises: 0021_monthly_passages
Create Date: 2026-12-07

`scene_records.categories` lists the categories a purchase bought (",fever,cough,": not personal,
the rest of the record stays sealed), so the scene report counts purchases per category.
Purchases received before it have none and count in the totals only.

`tip_offs.notify_resends` and `tip_offs.notify_next_at`: the periodic job resends a liaison's
SMS the provider did not take, with doubling pauses, a bounded number of times.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0022_scene_leftovers"
down_revision = "0021_monthly_passages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scene_records") as table:
        table.add_column(sa.Column("categories", sa.String(64), nullable=True))
    with op.batch_alter_table("tip_offs") as table:
        table.add_column(
            sa.Column("notify_resends", sa.Integer(), nullable=False, server_default="0")
        )
        table.add_column(
            sa.Column("notify_next_at", central.core.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("tip_offs") as table:
        table.drop_column("notify_next_at")
        table.drop_column("notify_resends")
    with op.batch_alter_table("scene_records") as table:
        table.drop_column("categories")
