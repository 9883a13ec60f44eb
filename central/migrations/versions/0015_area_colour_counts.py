"""area_colour_counts: code holders by residence and colour, kept by the database's triggers

Revision ID: 0015_area_colour_counts
Revises: 0014_fever_case_reasons
Create Date: 2026-12-07

A dashboard counted an area's people by colour with a join of every person in it (100,000
rows for a province on each render). Triggers on `person_colours` (a colour given, changed,
removed) and `people` (a move, a removal) add a signed row here in the same transaction,
whichever code or statement wrote: the sum of an area's rows is what the join counts. Only
inserts, so no two transactions wait on one counter; the periodic jobs fold the rows
(central/issuance/area_colours.py). The people already stored are counted here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_area_colour_counts"
down_revision = "0014_fever_case_reasons"
branch_labels = None
depends_on = None

SQLITE = (
    """CREATE TRIGGER area_colours_given AFTER INSERT ON person_colours BEGIN
    INSERT INTO area_colour_counts (area_code, colour, people)
    SELECT residence_area, NEW.colour, 1 FROM people WHERE id = NEW.person_id; END""",
    """CREATE TRIGGER area_colours_changed AFTER UPDATE OF colour ON person_colours
    WHEN OLD.colour IS NOT NEW.colour BEGIN
    INSERT INTO area_colour_counts (area_code, colour, people)
    SELECT residence_area, OLD.colour, -1 FROM people WHERE id = OLD.person_id;
    INSERT INTO area_colour_counts (area_code, colour, people)
    SELECT residence_area, NEW.colour, 1 FROM people WHERE id = NEW.person_id; END""",
    """CREATE TRIGGER area_colours_taken AFTER DELETE ON person_colours BEGIN
    INSERT INTO area_colour_counts (area_code, colour, people)
    SELECT residence_area, OLD.colour, -1 FROM people WHERE id = OLD.person_id; END""",
    """CREATE TRIGGER area_colours_moved AFTER UPDATE OF residence_area ON people
    WHEN OLD.residence_area IS NOT NEW.residence_area BEGIN
    INSERT INTO area_colour_counts (area_code, colour, people)
    SELECT OLD.residence_area, colour, -1 FROM person_colours WHERE person_id = OLD.id;
    INSERT INTO area_colour_counts (area_code, colour, people)
    SELECT NEW.residence_area, colour, 1 FROM person_colours WHERE person_id = NEW.id; END""",
    # Before the row goes: its colour row is still there (a cascade removes it after, and
    # `area_colours_taken` then finds no person and adds nothing).
    """CREATE TRIGGER area_colours_removed BEFORE DELETE ON people BEGIN
    INSERT INTO area_colour_counts (area_code, colour, people)
    SELECT OLD.residence_area, colour, -1 FROM person_colours WHERE person_id = OLD.id; END""",
)
SQLITE_DROP = tuple(
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "area_colours_given",
        "area_colours_changed",
        "area_colours_taken",
        "area_colours_moved",
        "area_colours_removed",
    )
)

POSTGRES = (
    """CREATE FUNCTION area_colours_of_colour() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        INSERT INTO area_colour_counts (area_code, colour, people)
    SELECT residence_area, OLD.colour, -1 FROM people WHERE id = OLD.person_id;
      END IF;
      IF TG_OP <> 'DELETE' THEN
        INSERT INTO area_colour_counts (area_code, colour, people)
    SELECT residence_area, NEW.colour, 1 FROM people WHERE id = NEW.person_id;
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE FUNCTION area_colours_of_person() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO area_colour_counts (area_code, colour, people)
    SELECT OLD.residence_area, colour, -1 FROM person_colours WHERE person_id = OLD.id;
      IF TG_OP = 'DELETE' THEN
        RETURN OLD;
      END IF;
      INSERT INTO area_colour_counts (area_code, colour, people)
    SELECT NEW.residence_area, colour, 1 FROM person_colours WHERE person_id = NEW.id;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER area_colours_given AFTER INSERT OR DELETE ON person_colours
    FOR EACH ROW EXECUTE FUNCTION area_colours_of_colour()""",
    """CREATE TRIGGER area_colours_changed AFTER UPDATE OF colour ON person_colours
    FOR EACH ROW WHEN (OLD.colour IS DISTINCT FROM NEW.colour)
    EXECUTE FUNCTION area_colours_of_colour()""",
    """CREATE TRIGGER area_colours_moved AFTER UPDATE OF residence_area ON people
    FOR EACH ROW WHEN (OLD.residence_area IS DISTINCT FROM NEW.residence_area)
    EXECUTE FUNCTION area_colours_of_person()""",
    # Before the row goes (see above): the cascade's removal then finds no person.
    """CREATE TRIGGER area_colours_removed BEFORE DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION area_colours_of_person()""",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS area_colours_given ON person_colours",
    "DROP TRIGGER IF EXISTS area_colours_changed ON person_colours",
    "DROP TRIGGER IF EXISTS area_colours_moved ON people",
    "DROP TRIGGER IF EXISTS area_colours_removed ON people",
    "DROP FUNCTION IF EXISTS area_colours_of_colour()",
    "DROP FUNCTION IF EXISTS area_colours_of_person()",
)


def upgrade() -> None:
    op.create_table(
        "area_colour_counts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_area_colour_counts_area", "area_colour_counts", ["area_code", "colour", "people"]
    )
    op.execute(
        "INSERT INTO area_colour_counts (area_code, colour, people) "
        "SELECT residence_area, colour, COUNT(*) FROM people "
        "JOIN person_colours ON people.id = person_colours.person_id "
        "GROUP BY residence_area, colour"
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES if postgres else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DROP if postgres else SQLITE_DROP:
        op.execute(statement)
    op.drop_index("ix_area_colour_counts_area", table_name="area_colour_counts")
    op.drop_table("area_colour_counts")
