"""login_failures: failed logins and lockouts per user name, for names with no account too

Revision ID: 0011_login_failures
Revises: 0010_person_colours
Create Date: 2026-12-07

An account locked after repeated failures while a name with no account never did, so the
answers told which accounts exist. The count and the lockout move from `administrators` to a
table keyed by the name's SHA-256, kept for any name tried. Counts in progress are not carried
over (a lockout at the moment of the upgrade ends with it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0011_login_failures"
down_revision = "0010_person_colours"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("name_digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", central.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name_digest"),
    )
    op.create_index("ix_login_failures_last_failure_at", "login_failures", ["last_failure_at"])
    for column in ("failed_logins", "locked_until"):  # plain ALTER TABLE ... DROP COLUMN
        op.drop_column("administrators", column)


def downgrade() -> None:
    op.add_column(
        "administrators",
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "administrators",
        sa.Column("locked_until", central.core.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.drop_index("ix_login_failures_last_failure_at", table_name="login_failures")
    op.drop_table("login_failures")
