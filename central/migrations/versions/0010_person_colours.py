"""person_colours: a person's colour, its sequence, review time and lock version, apart

Revision ID: 0010_person_colours
Revises: 0009_community_worker
Create Date: 2026-12-07

Re-colouring an area rewrites these columns for every resident. Kept in `people` they made
each update rewrite a wide row and add an entry to each of its nine indexes; in their own
narrow table (primary key and `review_at` only) the same update costs about a quarter as much
on PostgreSQL. The ORM class `Person` spans both tables (central/core/models.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0010_person_colours"
down_revision = "0009_community_worker"
branch_labels = None
depends_on = None

MOVED = ("colour", "colour_seq", "colour_reason", "review_at", "lock_version")


def upgrade() -> None:
    op.create_table(
        "person_colours",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("colour_seq", sa.Integer(), nullable=False),
        sa.Column("colour_reason", sa.String(length=64), nullable=False),
        sa.Column("review_at", central.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.execute(
        "INSERT INTO person_colours (person_id, colour, colour_seq, colour_reason, review_at,"
        " lock_version) SELECT id, colour, colour_seq, colour_reason, review_at, lock_version"
        " FROM people"
    )
    op.create_index("ix_person_colours_review_at", "person_colours", ["review_at"])
    op.drop_index("ix_people_review_at", table_name="people")
    for column in MOVED:  # a plain ALTER TABLE ... DROP COLUMN on both databases
        op.drop_column("people", column)


def downgrade() -> None:
    # Added with defaults so existing rows are valid, then filled from person_colours.
    op.add_column("people", sa.Column("colour", sa.String(8), nullable=False, server_default=""))
    op.add_column(
        "people", sa.Column("colour_seq", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column(
        "people", sa.Column("colour_reason", sa.String(64), nullable=False, server_default="")
    )
    op.add_column(
        "people", sa.Column("review_at", central.core.db.UTCDateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "people", sa.Column("lock_version", sa.Integer(), nullable=False, server_default="0")
    )
    op.execute(
        "UPDATE people SET (colour, colour_seq, colour_reason, review_at, lock_version) = (SELECT"
        " colour, colour_seq, colour_reason, review_at, lock_version FROM person_colours"
        " WHERE person_colours.person_id = people.id)"
    )
    op.create_index("ix_people_review_at", "people", ["review_at"])
    op.drop_index("ix_person_colours_review_at", table_name="person_colours")
    op.drop_table("person_colours")
