"""scene_leftovers: the medicine categories of a pharmacy purchase, in the clear

Revision ID: 0022_scene_leftovers
Revises: 0019_national_risk_areas
Create Date: 2026-12-07

`scene_records.categories` lists the categories a purchase bought (",fever,cough,": not personal,
the rest of the record stays sealed), so the scene report counts purchases per category.
Purchases received before it have none and count in the totals only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_scene_leftovers"
down_revision = "0019_national_risk_areas"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scene_records") as table:
        table.add_column(sa.Column("categories", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scene_records") as table:
        table.drop_column("categories")
