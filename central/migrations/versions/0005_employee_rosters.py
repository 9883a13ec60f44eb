"""employee rosters: an enterprise's employees, identifying values encrypted or blind-indexed

Revision ID: 0005_employee_rosters
Revises: 0004_issuance
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0005_employee_rosters"
down_revision = "0004_issuance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employees",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("name_ix", sa.LargeBinary(length=16), nullable=False),
        sa.Column("id_ix", sa.LargeBinary(length=16), nullable=False),
        sa.Column("id_masked_enc", sa.LargeBinary(), nullable=False),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=True),
        sa.Column("department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("created_at", central.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_employees_enterprise_id_ix", "employees", ["enterprise_id", "id_ix"], unique=True
    )
    op.create_index("ix_employees_enterprise_name_ix", "employees", ["enterprise_id", "name_ix"])
    op.create_index(
        "ix_employees_enterprise_department", "employees", ["enterprise_id", "department"]
    )


def downgrade() -> None:
    op.drop_index("ix_employees_enterprise_department", table_name="employees")
    op.drop_index("ix_employees_enterprise_name_ix", table_name="employees")
    op.drop_index("ix_employees_enterprise_id_ix", table_name="employees")
    op.drop_table("employees")
