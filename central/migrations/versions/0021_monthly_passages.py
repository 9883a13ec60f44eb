"""monthly_passages: partitioned work, and passages partitioned by month on PostgreSQL (issue 28)

Revision ID: 0021_monthly_passages
Revises: 0020_national_pages
Create Date: 2026-12-07

`work_partitions` holds the partitions of partitioned work (central/core/partitions.py: a
recompute's ranges of people, claimed by worker processes through leases).

On PostgreSQL `received_passages` becomes a table partitioned by month of `at` (declarative
partitioning; central/kiosks/passage_months.py keeps the partitions): the existing table is
renamed, the partitioned one made with the same columns, a partition for every month that has
rows and the months ahead, and a default one; the rows are copied and the old table dropped. A
partitioned table's primary key must include the partition key: it becomes (id, at). A record
sent twice has the same id and time, so it is still stored once. SQLite: unchanged.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import central.core.db

revision = "0021_monthly_passages"
down_revision = "0020_national_pages"
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_received_passages_region_at": "region_code, at",
    "ix_received_passages_checkpoint_at": "checkpoint_id, at",
    "ix_received_passages_code_at": "code_ix, at",
    "ix_received_passages_at": "at",
    "ix_received_passages_kiosk_seq": "kiosk_id, kiosk_seq",
}


def upgrade() -> None:
    op.create_table(
        "work_partitions",
        sa.Column("run", sa.String(length=64), nullable=False),
        sa.Column("partition", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("low", sa.String(length=64), nullable=False),
        sa.Column("high", sa.String(length=64), nullable=False),
        sa.Column("cursor", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("lease_until", central.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("run", "partition"),
    )
    if op.get_bind().dialect.name == "postgresql":
        _partition_passages()


def _partition_passages() -> None:
    # Frozen here (a migration must not change when the app's code does): the schema, the
    # default partition and one partition per month the existing rows fall in, as
    # central/kiosks/passage_months.py names and bounds them.
    bind = op.get_bind()
    op.execute("ALTER TABLE received_passages RENAME TO received_passages_unpartitioned")
    op.execute(
        "ALTER TABLE received_passages_unpartitioned "
        "RENAME CONSTRAINT received_passages_pkey TO received_passages_unpartitioned_pkey"
    )
    for name in _INDEXES:
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_unpartitioned")
    op.execute(
        "CREATE TABLE received_passages (LIKE received_passages_unpartitioned "
        "INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)"
    )
    op.execute(
        "ALTER TABLE received_passages ADD CONSTRAINT received_passages_kiosk_id_fkey "
        "FOREIGN KEY (kiosk_id) REFERENCES kiosks (id)"
    )
    for name, columns in _INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON received_passages ({columns})")
    op.execute("CREATE SCHEMA IF NOT EXISTS passage_months")
    op.execute(
        "CREATE TABLE IF NOT EXISTS passage_months.received_passages_default "
        "PARTITION OF received_passages DEFAULT"
    )
    months = {
        (at.year, at.month)
        for (at,) in bind.execute(
            sa.text(
                "SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC') "
                "FROM received_passages_unpartitioned"
            )
        )
    }
    for year, month in sorted(months):
        following = (year + month // 12, month % 12 + 1)
        op.execute(
            f"CREATE TABLE passage_months.received_passages_{year:04d}_{month:02d} "
            "PARTITION OF received_passages FOR VALUES FROM "
            f"('{year:04d}-{month:02d}-01 00:00:00+00') "
            f"TO ('{following[0]:04d}-{following[1]:02d}-01 00:00:00+00')"
        )
    op.execute("INSERT INTO received_passages SELECT * FROM received_passages_unpartitioned")
    op.execute("DROP TABLE received_passages_unpartitioned")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE received_passages RENAME TO received_passages_partitioned")
        op.execute(
            "ALTER TABLE received_passages_partitioned "
            "RENAME CONSTRAINT received_passages_pkey TO received_passages_partitioned_pkey"
        )
        op.execute(
            "ALTER TABLE received_passages_partitioned "
            "RENAME CONSTRAINT received_passages_kiosk_id_fkey TO received_passages_partitioned_fk"
        )
        for name in _INDEXES:
            op.execute(f"ALTER INDEX {name} RENAME TO {name}_partitioned")
        op.execute(
            "CREATE TABLE received_passages (LIKE received_passages_partitioned "
            "INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (id))"
        )
        op.execute(
            "ALTER TABLE received_passages ADD CONSTRAINT received_passages_kiosk_id_fkey "
            "FOREIGN KEY (kiosk_id) REFERENCES kiosks (id)"
        )
        for name, columns in _INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON received_passages ({columns})")
        op.execute("INSERT INTO received_passages SELECT * FROM received_passages_partitioned")
        op.execute("DROP TABLE received_passages_partitioned CASCADE")
        op.execute("DROP SCHEMA IF EXISTS passage_months")
    op.drop_table("work_partitions")
