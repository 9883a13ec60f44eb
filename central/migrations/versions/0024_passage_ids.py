"""passage_ids: one narrow row per stored passage id on PostgreSQL, the upload's idempotency check

Revision ID: 0024_passage_ids
Revises: 0023_counted_recompute
Create Date: 2026-12-08

On PostgreSQL `received_passages` is partitioned by month (migration 0021), so its key is
(id, at) and no index says whether an id is stored whatever its time: the upload probed every
month's partition for each record (a quarter of the upload's time at 300,000 passages).
`passage_months.passage_ids` (id primary key, at) is written by the same statement that stores
the passages (`INSERT ... ON CONFLICT DO NOTHING RETURNING id` feeding the partitions' insert),
so one unique index answers, and two uploads of one id at once are ordered by it. Its `at` lets
retention prune it with the partitions (a BRIN index: rows come in roughly in time order).
The existing passages' ids are copied in. SQLite: unchanged (its key is the id).
"""

from __future__ import annotations

from alembic import op

revision = "0024_passage_ids"
down_revision = "0023_counted_recompute"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Frozen here (central/kiosks/passage_months.py names the same table). COLLATE "C": the ids
    # are compared byte by byte, whatever the database's locale.
    op.execute("CREATE SCHEMA IF NOT EXISTS passage_months")
    op.execute(
        "CREATE TABLE passage_months.passage_ids ("
        'id varchar(36) COLLATE "C" PRIMARY KEY, at timestamptz NOT NULL)'
    )
    op.execute(
        "INSERT INTO passage_months.passage_ids (id, at) "
        "SELECT DISTINCT ON (id) id, at FROM received_passages ORDER BY id, at"
    )
    op.execute("CREATE INDEX passage_ids_at ON passage_months.passage_ids USING brin (at)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS passage_months.passage_ids")
