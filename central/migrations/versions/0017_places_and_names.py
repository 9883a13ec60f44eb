"""places_and_names: the passer's full name and phone on a received passage (Hainan 关口信息)

Revision ID: 0017_places_and_names
Revises: 0016_pharmacy_clinic
Create Date: 2026-12-07

Both encrypted like the rest of a passage's identifying values (`central.core.cipher`). The
new checkpoint types (transit, shop, hotel, school, public building) need no change: the type
is a string column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_places_and_names"
down_revision = "0016_pharmacy_clinic"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("received_passages") as table:
        table.add_column(sa.Column("full_name_enc", sa.LargeBinary(), nullable=True))
        table.add_column(sa.Column("phone_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("received_passages") as table:
        table.drop_column("phone_enc")
        table.drop_column("full_name_enc")
