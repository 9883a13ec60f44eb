"""national_pages: national lists' publisher and importer, the poll's last result, accepted issuers

Revision ID: 0020_national_pages
Revises: 0019_national_risk_areas
Create Date: 2026-12-07

The national list's page (issue 26) shows the list in force and its history with the key id of
the publisher key each was verified with (`national_risk_lists.publisher`) and the account that
uploaded it (`imported_by`; empty for the server's own imports), and the polled URL's last
result (`national_risk_polls`, one row per URL). A checkpoint names the issuers its kiosks
accept (`checkpoints.accepted_issuers`, JSON; NULL: every issuer on the trust list), sent as
the policy rule `accepted_issuers`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0020_national_pages"
down_revision = "0019_national_risk_areas"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("national_risk_lists") as batch:
        batch.add_column(sa.Column("publisher", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("imported_by", sa.String(length=36), nullable=True))
    op.create_table(
        "national_risk_polls",
        sa.Column("url", sa.String(length=255), nullable=False),
        sa.Column("polled_at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.String(length=32), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("url"),
    )
    with op.batch_alter_table("checkpoints") as batch:
        batch.add_column(sa.Column("accepted_issuers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkpoints") as batch:
        batch.drop_column("accepted_issuers")
    op.drop_table("national_risk_polls")
    with op.batch_alter_table("national_risk_lists") as batch:
        batch.drop_column("imported_by")
        batch.drop_column("publisher")
