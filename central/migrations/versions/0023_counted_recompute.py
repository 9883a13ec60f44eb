"""counted_recompute: a recompute batch on PostgreSQL counts its own colour moves

Revision ID: 0023_counted_recompute
Revises: 0022_scene_leftovers
Create Date: 2026-12-07

The row trigger `area_colours_changed` (migration 0015) looks up each changed person's
residence and adds two rows to `area_colour_counts`: 30 us a person, a third of a national
list's recompute (issue 26). A recompute batch already read its people's residences, so it
sets `central.colours_counted` for its one UPDATE and adds one summed row per (area, colour)
itself; the trigger skips while the setting is on. Every other writer is counted as before.
SQLite keeps its triggers (in-process, a tenth of the cost).
"""

from __future__ import annotations

from alembic import op

revision = "0023_counted_recompute"
down_revision = "0022_scene_leftovers"
branch_labels = None
depends_on = None

_DROP = "DROP TRIGGER IF EXISTS area_colours_changed ON person_colours"
_COUNTED_BY_TRIGGER = """CREATE TRIGGER area_colours_changed
    AFTER UPDATE OF colour ON person_colours
    FOR EACH ROW WHEN (OLD.colour IS DISTINCT FROM NEW.colour
        AND current_setting('central.colours_counted', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION area_colours_of_colour()"""
_ALWAYS = """CREATE TRIGGER area_colours_changed
    AFTER UPDATE OF colour ON person_colours
    FOR EACH ROW WHEN (OLD.colour IS DISTINCT FROM NEW.colour)
    EXECUTE FUNCTION area_colours_of_colour()"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_DROP)
        op.execute(_COUNTED_BY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_DROP)
        op.execute(_ALWAYS)
