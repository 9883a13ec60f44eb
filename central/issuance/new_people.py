"""New people of one transaction, inserted together just before it commits.

A declaration of someone not seen before inserts three rows (`people`, `person_colours`,
`person_areas`). Declarations share transactions (group commit, `batching`), so instead of
three statements each, a transaction's new people go in with one `executemany` per table when
it commits: the statements' own cost was about a sixth of a declaration's time through HTTP.

Nothing is lost whichever way the transaction ends: the rows are inserted by a `before_commit`
listener of the session (so any commit inserts them first, and a refused insert refuses the
commit), and dropped when the transaction rolls back. Reads that must see them come first: a
declaration locking a person by its ID number calls `insert_now` when that person is among
this transaction's new people (`is_new`), so a second declaration of the same person in the
same batch finds the first and updates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, event, insert
from sqlalchemy.orm import Session, SessionTransaction

from central.core.models import Person, PersonArea

_KEY = "new_people"
_INSERT_PEOPLE = insert(Person.people_table)
_INSERT_COLOURS = insert(Person.colours_table)
_INSERT_AREAS = insert(cast(Table, PersonArea.__table__))


@dataclass
class _NewPeople:
    people: list[Mapping[str, Any]] = field(default_factory=list)
    colours: list[Mapping[str, Any]] = field(default_factory=list)
    areas: list[Mapping[str, Any]] = field(default_factory=list)
    id_indexes: set[tuple[str, bytes]] = field(default_factory=set)

    def clear(self) -> None:
        self.people.clear()
        self.colours.clear()
        self.areas.clear()
        self.id_indexes.clear()


def _of(session: Session) -> _NewPeople:
    found: _NewPeople | None = session.info.get(_KEY)
    if found is None:
        found = session.info[_KEY] = _NewPeople()
        event.listen(session, "before_commit", insert_now)
        event.listen(session, "after_transaction_end", _forget_on_end)
    return found


def add(
    session: Session,
    person: Mapping[str, Any],
    colour: Mapping[str, Any],
    areas: list[Mapping[str, Any]],
) -> None:
    """Queue a new person's rows (`people` with its `issuer` and `id_ix`, `person_colours`,
    `person_areas`) for this session's transaction."""
    new = _of(session)
    new.people.append(person)
    new.colours.append(colour)
    new.areas.extend(areas)
    new.id_indexes.add((person["issuer"], person["id_ix"]))


def is_new(session: Session, issuer: str, id_ix: bytes) -> bool:
    """Whether this person is among the transaction's new people not inserted yet."""
    new: _NewPeople | None = session.info.get(_KEY)
    return new is not None and (issuer, id_ix) in new.id_indexes


def insert_now(session: Session) -> None:
    """Insert the queued rows now, in the session's transaction (also run before it commits)."""
    new: _NewPeople | None = session.info.get(_KEY)
    if new is None or not new.people:
        return
    connection = session.connection()
    connection.execute(_INSERT_PEOPLE, new.people)
    connection.execute(_INSERT_COLOURS, new.colours)
    if new.areas:
        connection.execute(_INSERT_AREAS, new.areas)
    new.clear()


def _forget_on_end(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without committing them (rolled back) takes its rows along."""
    if transaction.parent is None:
        new: _NewPeople | None = session.info.get(_KEY)
        if new is not None:
            new.clear()
