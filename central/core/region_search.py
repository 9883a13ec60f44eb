"""Finding regions by name: by Chinese name, pinyin or pinyin initials, children, and the path.

The pinyin of each name is worked out once, when the region is loaded (`load_regions` calls
`central.core.regions.romanise`), and kept beside it (`regions.pinyin`, `regions.pinyin_initials`),
so a search is one query: "blq" or "beilin" finds 碑林区, "西一路" finds 西一路街道 and
西一路社区, "6101" the regions whose code begins so. The readings are pypinyin's (phrase-aware:
长安 is "chang'an"); only ASCII letters and digits are kept.

Every function takes `area`, the region the caller may see (an account's area, everything in it
included), or None for the whole tree (the public self-declaration page). The routes audit
(central/administration/routers/regions.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from central.core.models import Region
from central.core.regions import (
    LEVEL_NAMES,
    Level,
    RegionCodeError,
    ascii_folded,
    level_of,
    parent_of,
    prefix_of,
)

MAX_QUERY_CHARS = 30
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
MAX_CHILDREN = 2000  # more than any county has towns or any town has villages


@dataclass(frozen=True)
class RegionHit:
    """A region as the picker shows it: its name, the names above it, and whether it has more
    regions below."""

    code: str
    level: int
    level_name_zh: str
    level_name_en: str
    name_zh: str
    name_en: str | None
    path_zh: str  # the names above it, top first: "陕西省 / 西安市"
    path_en: str
    has_children: bool


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _starts_with(column: InstrumentedAttribute[Any], prefix: str) -> ColumnElement[bool]:
    """`column` begins with `prefix` (lower-case ASCII letters and digits) as a range, which
    an index answers on SQLite (whose LIKE ignores case, so no index) and PostgreSQL alike."""
    upper = prefix.rstrip("z")  # "bz" -> "b" -> "c"; digits sort before letters
    if not upper:
        return column >= prefix
    last = upper[-1]
    following = "a" if last == "9" else chr(ord(last) + 1)
    return and_(column >= prefix, column < upper[:-1] + following)


def _within(area: str | None) -> ColumnElement[bool]:
    return true() if area is None else _starts_with(Region.code, prefix_of(area))


def _ancestors(code: str) -> list[str]:
    found: list[str] = []
    parent = parent_of(code)
    while parent is not None:
        found.append(parent)
        parent = parent_of(parent)
    return found[::-1]


def _hits(session: Session, regions: Sequence[Region]) -> list[RegionHit]:
    """The rows as hits, with their paths and children found in two queries for all of them."""
    codes = [r.code for r in regions]
    above = {a for r in regions for a in _ancestors(r.code)}
    names: dict[str, tuple[str, str]] = {}
    if above:
        for code, name_zh, name_en in session.execute(
            select(Region.code, Region.name_zh, Region.name_en).where(Region.code.in_(above))
        ):
            names[code] = (name_zh, name_en or name_zh)
    with_children = (
        set(
            session.scalars(
                select(Region.parent_code).where(Region.parent_code.in_(codes)).distinct()
            )
        )
        if codes
        else set()
    )
    hits = []
    for region in regions:
        path = [names[a] for a in _ancestors(region.code) if a in names]
        level_zh, level_en = LEVEL_NAMES[Level(region.level)]
        hits.append(
            RegionHit(
                code=region.code,
                level=region.level,
                level_name_zh=level_zh,
                level_name_en=level_en,
                name_zh=region.name_zh,
                name_en=region.name_en,
                path_zh=" / ".join(zh for zh, _en in path),
                path_en=" / ".join(en for _zh, en in path),
                has_children=region.code in with_children,
            )
        )
    return hits


def search(
    session: Session, query: str, *, area: str | None, limit: int = DEFAULT_LIMIT
) -> list[RegionHit]:
    """Regions whose name, pinyin, initials or code match `query`, the closest first."""
    text = query.strip()[:MAX_QUERY_CHARS]
    limit = max(1, min(limit, MAX_LIMIT))
    if not text:
        return []
    folded = ascii_folded(text)
    # Walking the (level, code) index stops at the limit: at worst one pass over the regions.
    level: ColumnElement[int] = Region.level  # type: ignore[assignment]
    if text.isascii() and text.isdigit():
        condition = _starts_with(Region.code, text)
        first: ColumnElement[bool] = Region.code == text
    elif folded and text.isascii():
        # Latin letters: pinyin initials or syllables from the start ("Xi'an" is "xian").
        condition = or_(
            _starts_with(Region.pinyin_initials, folded), _starts_with(Region.pinyin, folded)
        )
        first = or_(Region.pinyin_initials == folded, Region.pinyin == folded)
        # Initials match at most a few percent of the regions, mostly groups and villages
        # (the last in level order): their own indexes and a sort of the matches cost less
        # than the walk. `level + 0` keeps the planners (SQLite, PostgreSQL) off that index.
        level = Region.level + 0
    else:
        condition = Region.name_zh.like("%" + _escape(text) + "%", escape="\\")
        first = Region.name_zh == text
    # The exact matches first, then the rest by level and code: two queries, each of which an
    # index answers and stops at `limit` (one ordered by "exact first" sorts every match).
    exact = session.scalars(
        select(Region).where(first, _within(area)).order_by(Region.level, Region.code).limit(limit)
    ).all()
    rest = session.scalars(
        select(Region)
        .where(condition, _within(area))
        .order_by(level, Region.code)
        .limit(limit + len(exact))
    ).all()
    seen = {r.code for r in exact}
    rows = [*exact, *(r for r in rest if r.code not in seen)][:limit]
    return _hits(session, rows)


def children(session: Session, parent: str | None, *, area: str | None) -> list[RegionHit]:
    """The regions one level below `parent`; with no parent, the top of what the caller sees:
    the provinces, or the caller's own area."""
    if parent is None:
        if area is None:
            condition: ColumnElement[bool] = Region.level == int(Level.PROVINCE)
        else:
            condition = Region.code == area
    else:
        condition = and_(Region.parent_code == parent, _within(area))
    rows = session.scalars(
        select(Region).where(condition).order_by(Region.code).limit(MAX_CHILDREN)
    ).all()
    return _hits(session, rows)


def path(session: Session, code: str, *, area: str | None) -> list[RegionHit] | None:
    """The region and every region above it, top first; None when it is unknown or outside.
    An account sees the path from its own area down (the regions above are not its own)."""
    try:
        level_of(code)
        if area is not None and not code.startswith(prefix_of(area)):
            return None
    except RegionCodeError:
        return None
    wanted = [*_ancestors(code), code]
    rows = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(wanted))).all()}
    if code not in rows:
        return None
    shown = [c for c in wanted if c in rows and (area is None or c.startswith(prefix_of(area)))]
    return _hits(session, [rows[c] for c in shown])
