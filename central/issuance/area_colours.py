"""Code holders counted by where they live and their colour (`area_colour_counts`).

The database keeps the counts: triggers on `person_colours` and `people` (migration 0015) add a
signed row whenever a person is given a colour, changes colour, moves or is removed, in the
writing transaction, whichever code wrote (a recompute batch on PostgreSQL adds its own summed
rows and the trigger skips its UPDATE: migration 0023). So a province's dashboard sums a few
rows per village instead of joining every person in it. Rows are only ever added (no
transaction waits on a counter another holds); `fold` (the periodic jobs, central/jobs.py)
replaces each area's rows by their sum.

- `counts_within`: the sums per (leading digits of the area, colour) inside a prefix.
- `fold`: fold the rows of every (area, colour) that has more than one.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, select, text
from sqlalchemy.orm import Session

from central.core.models import AreaColourCount


def _within(prefix: str) -> ColumnElement[bool]:
    """Areas whose code begins with `prefix` (digits), as a range an index answers on
    PostgreSQL too (whose LIKE cannot use it outside the C collation)."""
    column = AreaColourCount.area_code
    head = prefix.rstrip("9")
    if not head:  # "", "9", "99": no upper end
        return column.startswith(prefix)
    following = head[:-1] + str(int(head[-1]) + 1)
    return and_(column >= prefix, column < following, column.startswith(prefix))


def counts_within(session: Session, prefix: str, digits: int) -> dict[tuple[str, str], int]:
    """{(the first `digits` digits of the area, colour): people} for the areas in `prefix`."""
    head = func.substr(AreaColourCount.area_code, 1, digits)
    rows = session.execute(
        select(head, AreaColourCount.colour, func.sum(AreaColourCount.people))
        .where(_within(prefix))
        .group_by(head, AreaColourCount.colour)
    ).all()
    return {(str(area), str(colour)): int(people) for area, colour, people in rows if people}


# PostgreSQL: one statement, so rows added meanwhile by other transactions (not in its
# snapshot) are neither removed nor summed.
_FOLD_POSTGRES = text(
    "WITH gone AS (DELETE FROM area_colour_counts WHERE (area_code, colour) IN ("
    "SELECT area_code, colour FROM area_colour_counts GROUP BY area_code, colour "
    "HAVING COUNT(*) > 1) RETURNING area_code, colour, people) "
    "INSERT INTO area_colour_counts (area_code, colour, people) "
    "SELECT area_code, colour, SUM(people) FROM gone GROUP BY area_code, colour "
    "HAVING SUM(people) <> 0"
)
# SQLite: the first statement takes the database's only write lock, so nothing is added
# between the two; the rows up to `last` are the ones summed (the sums come after).
_FOLD_SQLITE = (
    text(
        "INSERT INTO area_colour_counts (area_code, colour, people) "
        "SELECT area_code, colour, SUM(people) FROM area_colour_counts "
        "WHERE id <= :last AND (area_code, colour) IN ("
        "SELECT area_code, colour FROM area_colour_counts WHERE id <= :last "
        "GROUP BY area_code, colour HAVING COUNT(*) > 1) "
        "GROUP BY area_code, colour HAVING SUM(people) <> 0"
    ),
    text(
        "DELETE FROM area_colour_counts WHERE id <= :last AND (area_code, colour) IN ("
        "SELECT area_code, colour FROM area_colour_counts WHERE id <= :last "
        "GROUP BY area_code, colour HAVING COUNT(*) > 1)"
    ),
)


def fold(session: Session) -> None:
    """Replace the rows of each (area, colour) with more than one by their sum."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_FOLD_POSTGRES)
        return
    last = session.scalar(select(func.max(AreaColourCount.id)))
    if last is not None:
        for statement in _FOLD_SQLITE:
            session.execute(statement, {"last": last})
