"""Recomputing many people's colours: the batches of recompute jobs (the jobs and their
partitions: `central.issuance.recompute_jobs`) and the time sweep.

A batch is set-based: one keyset read of `person_areas` joined to `people` (the primary key of
`person_areas` gives the order), the colour computed in Python over plain tuples once per
distinct (rule set, facts) (a village's residents who went nowhere share one evaluation), the
people's narrow `person_colours` rows written in bulk (the wide `people` rows and their nine
indexes are not touched) and the feed appended in bulk. A million people cost a few hundred
statements, not millions.

Writing: on SQLite the batch's transaction already holds the database's write lock (the lease
update of its partition is its first statement), so one `UPDATE` per outcome with the ids as
one JSON array.
On PostgreSQL the batch reads without row locks and writes with one optimistic `UPDATE ... FROM
unnest(arrays)` guarded by `lock_version` (which every other writer bumps when it locks a
person, `codes.lock_person`): a person changed between the read and the write is skipped by
the guard and re-assessed at once under a row lock (`recompute_people`). Locking a batch's
rows up front cost a write of every row (PostgreSQL marks a locked tuple), a tenth of the time.
The batch adds its own summed rows to `area_colour_counts` (the row trigger, which looks up each
person's residence again, skips its UPDATE: migration 0023) and appends the feed by COPY from
the codes it read (no join back to `people`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from central.core.models import Person, PersonArea
from central.core.regions import prefix_of
from central.issuance import feed
from central.issuance.codes import risk_levels
from central.issuance.feed import MAX_REASON_LENGTH
from central.issuance.rules import Facts, RiskLevel, RuleSet, evaluate, load_ruleset

BATCH_SIZE = 10_000

# What a re-assessment reads of a person, as a plain tuple (no ORM objects, no JSON decoding
# unless the facts were not seen before in the batch).
_PERSON_COLUMNS = (
    Person.id,
    Person.issuer,
    Person.code_id,
    Person.ruleset,
    cast(Person.facts, Text).label("facts_text"),
    Person.colour,
    Person.colour_seq,
    Person.review_at,
    Person.lock_version,
    Person.residence_area,
)


def _upper(prefix: str) -> str | None:
    """The smallest code above every code with this prefix (digits only)."""
    if set(prefix) == {"9"}:
        return None
    return str(int(prefix) + 1).zfill(len(prefix))


def _under(column: Any, prefix: str) -> Any:
    """An index range for 'starts with prefix', for digit-only codes in any collation."""
    upper = _upper(prefix)
    low = column >= prefix
    return low if upper is None else and_(low, column < upper)


def _prefixes(areas: Sequence[str]) -> list[str]:
    """The areas' code prefixes, sorted, without one that another kept prefix already covers."""
    kept: list[str] = []
    for prefix in sorted({prefix_of(code) for code in areas}):
        if not kept or not prefix.startswith(kept[-1]):
            kept.append(prefix)
    return kept


_ABOVE_EVERY_CODE = "9" * 16  # codes have at most 15 digits


@cache
def _area_rows() -> Any:
    """One area's rows with the people's columns (a job of one area: one range read)."""
    position = tuple_(PersonArea.area_code, PersonArea.person_id)
    return (
        select(PersonArea.area_code, *_PERSON_COLUMNS)
        .join(Person, Person.id == PersonArea.person_id)
        .where(
            PersonArea.area_code >= bindparam("low"),
            PersonArea.area_code < bindparam("high"),
            position > tuple_(bindparam("area"), bindparam("after")),
            position <= tuple_(bindparam("end_area"), bindparam("end_after")),
        )
        .order_by(PersonArea.area_code, PersonArea.person_id)
        .limit(bindparam("limit", type_=Integer))
    )


@cache
def _range_keys() -> Any:
    """The (area, person) keys of one range, from `person_areas` alone (its primary key).
    Built and compiled once: building a statement per range cost more than the reads."""
    position = tuple_(PersonArea.area_code, PersonArea.person_id)
    return (
        select(PersonArea.area_code, PersonArea.person_id)
        .where(
            PersonArea.area_code >= bindparam("low"),
            PersonArea.area_code < bindparam("high"),
            position > tuple_(bindparam("area"), bindparam("after")),
            position <= tuple_(bindparam("end_area"), bindparam("end_after")),
        )
        .order_by(PersonArea.area_code, PersonArea.person_id)
        .limit(bindparam("limit", type_=Integer))
    )


def _next_rows(
    session: Session,
    prefixes: Sequence[str],
    area: str,
    after: str,
    limit: int,
    end: tuple[str, str] = (_ABOVE_EVERY_CODE, ""),
) -> tuple[Sequence[Any], Sequence[Any]]:
    """The next `limit` (area, person) keys after the cursor inside any of the prefixes, in key
    order, and their rows with the people's columns. One area: one joined read. Many (a
    national list): index range reads of `person_areas`, one per prefix on SQLite, a group of
    prefixes per statement on PostgreSQL (an OR of thousands of ranges is read as a scan; a
    join per range cost PostgreSQL 6 ms each), skipping the prefixes wholly before the cursor,
    then the people of the batch in one read. Nothing after
    `end` (an area and person key, included: a partition's upper bound)."""
    connection = session.connection()  # plain rows, none of the ORM's per-row loading
    ends = {"end_area": end[0], "end_after": end[1]}
    if len(prefixes) == 1:
        upper = _upper(prefixes[0]) or _ABOVE_EVERY_CODE
        bounds = {"low": prefixes[0], "high": upper, "area": area, "after": after, **ends}
        rows = connection.execute(_area_rows(), {**bounds, "limit": limit}).all()
        return rows, rows
    if connection.dialect.name == "postgresql":
        keys = _range_keys_postgresql(session, prefixes, area, after, limit, end)
    else:
        statement = _range_keys()
        keys = []
        for prefix in prefixes:
            upper = _upper(prefix) or _ABOVE_EVERY_CODE
            if area and upper <= area:
                continue
            if prefix > end[0]:
                break
            bounds = {"low": prefix, "high": upper, "area": area, "after": after, **ends}
            keys += connection.execute(statement, {**bounds, "limit": limit - len(keys)}).all()
            if len(keys) >= limit:
                break
    if not keys:
        return [], []
    ids = list(dict.fromkeys(key[1] for key in keys))
    found = {
        row[0]: tuple(row)
        for row in connection.execute(select(*_PERSON_COLUMNS).where(_ids_match(session, ids)))
    }
    return keys, [(key[0], *found[key[1]]) for key in keys if key[1] in found]


# The keys of many ranges in one statement: each range read through the primary key of
# `person_areas` in turn (a lateral index scan with its own bounds and limit), the first
# `limit` of them kept. A statement per range cost a round trip and a plan each: 8 s of a
# national list's 5,000 areas.
_MANY_RANGE_KEYS = """
SELECT k.area_code, k.person_id
FROM unnest(%(lows)s::varchar[], %(highs)s::varchar[]) AS r(low, high)
CROSS JOIN LATERAL (
    SELECT area_code, person_id FROM person_areas
    WHERE area_code >= r.low AND area_code < r.high
        AND (area_code, person_id) > (%(area)s, %(after)s)
        AND (area_code, person_id) <= (%(end_area)s, %(end_after)s)
    ORDER BY area_code, person_id
    LIMIT %(limit)s
) AS k
ORDER BY k.area_code, k.person_id
LIMIT %(limit)s
"""
# Ranges asked at once: one first, doubled each time they gave too few keys. A big range (a
# whole province on the list) fills a batch alone and nothing is read past it; small ones
# (counties of ~100 travellers) are asked 1, 2, 4, ... at a time, a few statements a batch.
_FIRST_RANGES = 1


def _range_keys_postgresql(
    session: Session,
    prefixes: Sequence[str],
    area: str,
    after: str,
    limit: int,
    end: tuple[str, str],
) -> list[Any]:
    """The next `limit` keys of the prefixes' ranges after the cursor, up to `end`, a few
    statements a batch: ranges are asked in growing groups until enough keys came."""
    ranges = [
        (prefix, _upper(prefix) or _ABOVE_EVERY_CODE)
        for prefix in prefixes
        if not (area and (_upper(prefix) or _ABOVE_EVERY_CODE) <= area) and prefix <= end[0]
    ]
    driver: Any = session.connection().connection.driver_connection  # psycopg's, this transaction
    keys: list[Any] = []
    start, size = 0, _FIRST_RANGES
    with driver.cursor() as cursor:
        while start < len(ranges) and len(keys) < limit:
            group = ranges[start : start + size]
            cursor.execute(
                _MANY_RANGE_KEYS,
                {
                    "lows": [low for low, _ in group],
                    "highs": [high for _, high in group],
                    "area": area,
                    "after": after,
                    "end_area": end[0],
                    "end_after": end[1],
                    "limit": limit - len(keys),
                },
            )
            keys += cursor.fetchall()
            start, size = start + len(group), size * 2
    return keys


SQLITE_MMAP_BYTES = 1 << 30
SQLITE_CACHE_KIB = 256 * 1024


def _large_reads(session: Session) -> None:
    """On SQLite, map the file and keep more pages for this connection: a batch walks tens of
    thousands of rows and index entries, and SQLite's default 2 MB page cache would read
    most of them again through a system call each (measured: a third of a 1,000,000-person
    recompute). PostgreSQL has its shared buffers; nothing to do."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}"))
        session.execute(text(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}"))


_COLOURS = Person.colours_table


def _ids_match(
    session: Session, ids: Sequence[str], column: Any = Person.id
) -> ColumnElement[bool]:
    """`column` (a person's id) among these, as one bound parameter whatever their number."""
    if session.get_bind().dialect.name == "postgresql":
        # unnest, not `= ANY(array)`: a join the planner walks through the primary key (a
        # large array under ANY may be read as a filter over a scan of the whole table).
        array = bindparam("ids", list(ids), type_=ARRAY(String))
        listed = func.unnest(array).table_valued("id").render_derived(name="listed")
        return column.in_(select(listed.c.id))  # type: ignore[no-any-return]
    members = func.json_each(bindparam("ids", json.dumps(list(ids)))).table_valued("value")
    return column.in_(select(members.c.value))  # type: ignore[no-any-return]


class _Assessor:
    """Colours and review times for a batch: the same rule set, facts, levels and time give the
    same outcome, so each distinct (rule set, facts text) is decoded and evaluated once."""

    def __init__(
        self, session: Session, now: datetime, levels: dict[str, RiskLevel] | None = None
    ) -> None:
        self._levels = risk_levels(session) if levels is None else levels
        self._now = now
        self._rulesets: dict[str, RuleSet] = {}
        self._assessed: dict[tuple[str, str], tuple[str, datetime | None]] = {}

    def outcome(self, ruleset_id: str, facts_text: str) -> tuple[str, datetime | None]:
        key = (ruleset_id, facts_text)
        outcome = self._assessed.get(key)
        if outcome is None:
            ruleset = self._rulesets.get(ruleset_id)
            if ruleset is None:
                ruleset = self._rulesets[ruleset_id] = load_ruleset(ruleset_id)
            facts = Facts.from_json(json.loads(facts_text))
            assessment = evaluate(ruleset, facts, self._levels, self._now)
            outcome = self._assessed[key] = (assessment.colour.value, assessment.review_at)
        return outcome


def reassess(
    session: Session,
    people: Sequence[tuple[Any, ...]],
    now: datetime,
    reason: str,
    actor: str,
) -> int:
    """Re-assess these people (`_PERSON_COLUMNS` tuples): update the changed ones and append
    their feed entries; how many changed colour. On SQLite the caller holds the write lock; on
    PostgreSQL anyone changed since the read is re-assessed under a row lock."""
    if not people:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        return _reassess_postgresql(session, people, now, reason, actor)
    assessor = _Assessor(session, now)
    groups: dict[tuple[str, datetime | None], list[str]] = defaultdict(list)
    reviews: dict[datetime | None, list[str]] = defaultdict(list)
    appended: list[tuple[str, bytes, str, int]] = []
    for (
        person_id,
        issuer,
        code_id,
        ruleset_id,
        facts_text,
        colour,
        colour_seq,
        review,
        *_,
    ) in people:
        new_colour, review_at = assessor.outcome(ruleset_id, facts_text)
        if new_colour != colour:
            groups[(new_colour, review_at)].append(person_id)
            appended.append((issuer, code_id, new_colour, colour_seq + 1))
        elif review_at != review:
            reviews[review_at].append(person_id)
    for (new_colour, review_at), members in groups.items():
        session.execute(
            update(_COLOURS)
            .where(_ids_match(session, members, _COLOURS.c.person_id))
            .values(
                colour=new_colour,
                colour_seq=_COLOURS.c.colour_seq + 1,
                colour_reason=reason[:64],
                review_at=review_at,
            )
        )
    for review_at, members in reviews.items():
        session.execute(
            update(_COLOURS)
            .where(_ids_match(session, members, _COLOURS.c.person_id))
            .values(review_at=review_at)
        )
    feed.append_bulk(session, appended, reason, now, actor)
    return len(appended)


# Two statements per batch whatever the outcomes. The new values travel as parallel arrays
# (unnest joined on the primary key), `bump` is 1 for a colour change (sequence and reason
# move) and 0 for a new review time only. Only the narrow `person_colours` rows are written.
# The `lock_version` guard skips anyone written since the batch read them; the bump of
# `lock_version` makes a concurrent recompute of the same person skip in turn. The arrays are
# sent in PostgreSQL's binary format (`%(...)b`): a quarter of the time of quoting 50,000
# values as text.
_GUARDED_UPDATE = """
UPDATE person_colours AS c SET
    colour = t.colour,
    colour_seq = c.colour_seq + t.bump,
    colour_reason = CASE WHEN t.bump = 1 THEN %(reason)s ELSE c.colour_reason END,
    review_at = t.review_at,
    lock_version = c.lock_version + 1
FROM unnest(
    %(ids)b::varchar[], %(versions)b::integer[], %(colours)b::varchar[],
    %(bumps)b::integer[], %(reviews)b::timestamptz[]
) AS t(id, version, colour, bump, review_at)
WHERE c.person_id = t.id AND c.lock_version = t.version
RETURNING c.person_id, c.colour, c.colour_seq, t.bump
"""

# The batch's own count of the colours it moved (what the row trigger `area_colours_changed`
# would add, summed per area and colour): the trigger skips while `central.colours_counted` is on
# (migration 0023), set for the batch's UPDATE alone.
_COUNTED = "SELECT set_config('central.colours_counted', %(on)s, true)"
_ADD_COUNTS = """
INSERT INTO area_colour_counts (area_code, colour, people)
SELECT * FROM unnest(%(areas)b::varchar[], %(colours)b::varchar[], %(people)b::integer[])
"""


def _reassess_postgresql(
    session: Session,
    people: Sequence[tuple[Any, ...]],
    now: datetime,
    reason: str,
    actor: str,
) -> int:
    """Write the batch's outcomes and their area counts, then re-assess anyone changed since
    the read under a row lock, then append the feed under the feed's lock: the locks are always
    taken in that order (people, then the feed), and whoever holds the feed's waits for no
    person's row. Only the feed's append and the commit hold its lock: the workers of a
    partitioned recompute (issue 28) read, assess and write their people at the same time."""
    assessor = _Assessor(session, now)
    ids: list[str] = []
    versions: list[int] = []
    colours: list[str] = []
    bumps: list[int] = []
    reviews: list[datetime | None] = []
    read: dict[str, tuple[str, bytes, str, str]] = {}
    for (
        person_id,
        issuer,
        code_id,
        ruleset_id,
        facts_text,
        colour,
        _,
        review,
        version,
        home,
    ) in people:
        new_colour, review_at = assessor.outcome(ruleset_id, facts_text)
        if new_colour != colour or review_at != review:
            ids.append(person_id)
            versions.append(version)
            colours.append(new_colour)
            bumps.append(int(new_colour != colour))
            reviews.append(review_at)
            read[person_id] = (issuer, code_id, colour, home)
    if not ids:
        return 0
    driver: Any = session.connection().connection.driver_connection  # psycopg's, this transaction
    with driver.cursor() as cursor:
        cursor.execute(_COUNTED, {"on": "on"})
        cursor.execute(
            _GUARDED_UPDATE,
            {
                "reason": reason[:MAX_REASON_LENGTH],
                "ids": ids,
                "versions": versions,
                "colours": colours,
                "bumps": bumps,
                "reviews": reviews,
            },
        )
        written = cursor.fetchall()
        cursor.execute(_COUNTED, {"on": "off"})
        moves: Counter[tuple[str, str]] = Counter()
        for person_id, new_colour, _, bump in written:
            if bump:  # the guard held: the colour before is the one read
                _, _, old_colour, home = read[person_id]
                moves[(home, old_colour)] -= 1
                moves[(home, new_colour)] += 1
        counted = [(area, colour, n) for (area, colour), n in moves.items() if n]
        if counted:
            areas, count_colours, numbers = (list(column) for column in zip(*counted, strict=True))
            cursor.execute(
                _ADD_COUNTS, {"areas": areas, "colours": count_colours, "people": numbers}
            )
    changed = 0
    if len(written) < len(ids):
        done = {row[0] for row in written}
        skipped = [person_id for person_id in ids if person_id not in done]
        changed += recompute_people(session, skipped, now, reason, actor)
    appended = [(*read[row[0]][:2], row[1], row[2]) for row in written if row[3] == 1]
    feed.append_bulk(session, appended, reason, now, actor)
    return changed + len(appended)


def recompute_people(
    session: Session, ids: list[str], now: datetime, reason: str, actor: str
) -> int:
    """Re-assess the people with these ids (their rows locked first); how many changed."""
    if not ids:
        return 0
    rows = session.execute(
        select(*_PERSON_COLUMNS).where(_ids_match(session, ids)).with_for_update()
    ).all()
    return reassess(session, [tuple(row) for row in rows], now, reason, actor)


def sweep_due(sessions: sessionmaker[Session], now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Re-assess everyone whose colour may have changed by time alone (a 14-day window
    passing); the number of colour changes. Safe to run in several processes at once."""
    total = 0
    while True:
        with sessions() as session, session.begin():
            ids = list(  # the narrow table alone: its `review_at` index gives the order
                session.scalars(
                    select(_COLOURS.c.person_id)
                    .where(_COLOURS.c.review_at <= now)
                    .order_by(_COLOURS.c.review_at)
                    .limit(batch_size)
                )
            )
            if not ids:
                return total
            total += recompute_people(session, ids, now, "review", "system")
            # Anyone whose review time did not move (a rule edge in the same instant) is
            # cleared, so the sweep always ends.
            session.execute(
                update(_COLOURS)
                .where(_ids_match(session, ids, _COLOURS.c.person_id), _COLOURS.c.review_at <= now)
                .values(review_at=None)
            )
