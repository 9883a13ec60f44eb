"""The six-level region tree with GB/T 2260-style codes, and its loader.

Levels and codes (the code of a region begins with the code prefix of every region above it):

| level | name                       | code            | significant prefix |
|-------|----------------------------|-----------------|--------------------|
| 1     | province                   | `610000`        | 2 digits `61`      |
| 2     | city                       | `610100`        | 4 digits `6101`    |
| 3     | county or district         | `610102`        | 6 digits           |
| 4     | town or street             | `610102001`     | 9 digits           |
| 5     | village or community       | `610102001001`  | 12 digits          |
| 6     | group or estate            | `610102001001001` | 15 digits        |

Levels 1-3 are GB/T 2260 six-digit codes (trailing `0000` a province, `00` a city); levels 4
and 5 follow the statistical division codes (three digits each); level 6 adds three more. A
region contains another when the other's code starts with its significant prefix, so "inside
my area" is a prefix match, cheap in SQL (`LIKE '6101%'`).

The data file is CSV (UTF-8), one region a line, header `code,name_zh,name_en`; `name_en` may
be empty; lines starting with `#` are comments. Levels and parents follow from the codes; a
region whose parent is not in the file (or in the database already) is refused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path

from pypinyin import Style, lazy_pinyin
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from central.core.errors import RefusedError
from central.core.models import Checkpoint, Region

SAMPLE_FILE = Path(__file__).resolve().parent / "data" / "regions_shaanxi_sample.csv"
HEADER = ("code", "name_zh", "name_en")
MAX_CODE_LENGTH = 15


class Level(IntEnum):
    PROVINCE = 1
    CITY = 2
    COUNTY = 3
    TOWN = 4
    VILLAGE = 5
    GROUP = 6


LEVEL_NAMES = {
    Level.PROVINCE: ("省", "province"),
    Level.CITY: ("市", "city"),
    Level.COUNTY: ("县/区", "county or district"),
    Level.TOWN: ("乡镇/街道", "town or street"),
    Level.VILLAGE: ("村/社区", "village or community"),
    Level.GROUP: ("组/小区", "group or estate"),
}
PREFIX_DIGITS = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWN: 9,
    Level.VILLAGE: 12,
    Level.GROUP: 15,
}


class RegionCodeError(RefusedError, ValueError):
    """A code that is not a region code of one of the six levels; the message is safe to show."""


def level_of(code: str) -> Level:
    if not (code.isascii() and code.isdigit()):
        raise RegionCodeError(f"region code {code!r} is not all digits")
    if len(code) == 6:  # GB/T 2260
        if code[:2] == "00":
            raise RegionCodeError(f"region code {code!r} names no province")
        if code.endswith("0000"):
            return Level.PROVINCE
        return Level.CITY if code.endswith("00") else Level.COUNTY
    for level in (Level.TOWN, Level.VILLAGE, Level.GROUP):
        if len(code) == PREFIX_DIGITS[level]:
            if code.endswith("000"):
                raise RegionCodeError(f"region code {code!r}: its last three digits are 000")
            return level
    raise RegionCodeError(f"region code {code!r} has neither 6, 9, 12 nor 15 digits")


def prefix_of(code: str) -> str:
    """The digits every region inside this one begins with."""
    return code[: PREFIX_DIGITS[level_of(code)]]


def contains(area: str, code: str) -> bool:
    """True when `code` is `area` or lies inside it."""
    level_of(code)
    return code.startswith(prefix_of(area))


def parent_of(code: str) -> str | None:
    level = level_of(code)
    if level is Level.PROVINCE:
        return None
    if level is Level.CITY:
        return code[:2] + "0000"
    if level is Level.COUNTY:
        return code[:4] + "00"
    return code[: PREFIX_DIGITS[Level(level - 1)]]


def ascii_folded(text: str) -> str:
    """Lower-case ASCII letters and digits only: what the pinyin search compares."""
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def romanise(name: str) -> tuple[str, str]:
    """(pinyin, initials) of a Chinese name: 碑林区 -> ("beilinqu", "blq"). pypinyin's readings,
    phrase-aware (长安 "chang'an", 长乐 "chang le")."""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return ascii_folded("".join(syllables)), ascii_folded("".join(initials))


@dataclass(frozen=True)
class RegionRow:
    code: str
    name_zh: str
    name_en: str

    @property
    def level(self) -> Level:
        return level_of(self.code)


def parse_regions(text: str) -> list[RegionRow]:
    """Rows of a region file; raises RegionCodeError naming the line of the first problem."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = tuple(next(reader, ()))
    if header != HEADER:
        raise RegionCodeError(f"the first line must be {','.join(HEADER)}, not {','.join(header)}")
    rows: list[RegionRow] = []
    seen: set[str] = set()
    for number, fields in enumerate(reader, start=2):
        if len(fields) != len(HEADER):
            raise RegionCodeError(f"row {number}: expected {len(HEADER)} fields")
        code, name_zh, name_en = (field.strip() for field in fields)
        try:
            level_of(code)
        except RegionCodeError as error:
            raise RegionCodeError(f"row {number}: {error}") from None
        if not name_zh:
            raise RegionCodeError(f"row {number}: region {code} has no Chinese name")
        if code in seen:
            raise RegionCodeError(f"row {number}: region {code} appears twice")
        seen.add(code)
        rows.append(RegionRow(code, name_zh, name_en))
    return rows


def load_regions(session: Session, rows: Iterable[RegionRow]) -> int:
    """Insert or update the regions; returns how many rows were written. Safe to run again.
    Each name's pinyin and initials are worked out here, once, for the search."""
    ordered = sorted(rows, key=lambda row: (row.level, row.code))
    known = set(session.scalars(select(Region.code)))
    count = 0
    for row in ordered:
        parent = parent_of(row.code)
        if parent is not None and parent not in known:
            raise RegionCodeError(f"region {row.code} ({row.name_zh}): no parent region {parent}")
        region = session.get(Region, row.code)
        if region is None:
            region = Region(code=row.code)
            session.add(region)
        region.level = int(row.level)
        region.parent_code = parent
        region.name_zh = row.name_zh
        region.name_en = row.name_en or None
        region.pinyin, region.pinyin_initials = romanise(row.name_zh)
        known.add(row.code)
        count += 1
    session.flush()
    _clinics_see_new_places(session, {row.code[:6] for row in ordered if row.level >= Level.COUNTY})
    return count


def _clinics_see_new_places(session: Session, counties: set[str]) -> None:
    """A fever clinic's policy carries its county's towns and villages (the residence picker):
    a new policy version for the clinics of the counties whose places changed, so their kiosks
    download it."""
    if not counties:
        return
    in_county = or_(
        func.substr(Checkpoint.region_code, 1, 6).in_(sorted(counties)),
        func.substr(Checkpoint.area_code, 1, 6).in_(sorted(counties)),
    )
    session.execute(
        update(Checkpoint)
        .where(Checkpoint.checkpoint_type == "clinic", in_county)
        .values(policy_version=Checkpoint.policy_version + 1)
    )


def names_of(session: Session, codes: Iterable[str], *, english: bool = False) -> dict[str, str]:
    """The loaded regions' names by code (English where asked and known, else Chinese); codes
    not loaded are left out, so a page shows the bare code for them."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.execute(
        select(Region.code, Region.name_zh, Region.name_en).where(Region.code.in_(wanted))
    )
    return {code: (name_en if english and name_en else name_zh) for code, name_zh, name_en in rows}


def load_region_file(session: Session, path: Path) -> int:
    return load_regions(session, parse_regions(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- a region file sent by a page


class FileProblem(StrEnum):
    """What is wrong with one line of a region file (the page names each in its words)."""

    HEADER = "header"  # the first line is not `code,name_zh,name_en`
    FIELDS = "fields"  # not three fields
    CODE = "code"  # not a region code of the six levels
    NO_NAME = "no_name"  # no Chinese name
    TWICE = "twice"  # the code is on an earlier line too
    NO_PARENT = "no_parent"  # its parent is neither in the file nor loaded
    OUTSIDE = "outside"  # outside the area of the account that sends it
    EMPTY = "empty"  # no region at all


@dataclass(frozen=True)
class LineProblem:
    line: int  # as numbered in the file, comments and blank lines counted
    problem: FileProblem
    code: str = ""  # the region code of the line, when it has one (no personal data here)


def check_region_file(
    session: Session, text: str, area: str
) -> tuple[list[RegionRow], list[LineProblem]]:
    """A region file's rows and every problem of it, each named by its line: a file with any
    problem is not loaded at all. `area` is the sender's: every region must lie inside it."""
    problems: list[LineProblem] = []
    rows: list[RegionRow] = []
    first_line: dict[str, int] = {}
    header_seen = False
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = next(csv.reader([line]), [])
        if not header_seen:
            header_seen = True
            if tuple(f.strip() for f in fields) != HEADER:
                problems.append(LineProblem(number, FileProblem.HEADER))
            continue
        if len(fields) != len(HEADER):
            problems.append(LineProblem(number, FileProblem.FIELDS))
            continue
        code, name_zh, name_en = (f.strip() for f in fields)
        try:
            inside = contains(area, code)
        except RegionCodeError:
            problems.append(LineProblem(number, FileProblem.CODE))
            continue
        if not name_zh:
            problems.append(LineProblem(number, FileProblem.NO_NAME, code))
        elif code in first_line:
            problems.append(LineProblem(number, FileProblem.TWICE, code))
        elif not inside:
            problems.append(LineProblem(number, FileProblem.OUTSIDE, code))
        else:
            first_line[code] = number
            rows.append(RegionRow(code, name_zh, name_en))
    known = set(session.scalars(select(Region.code).where(Region.code.in_(_parents(rows)))))
    for row in rows:
        parent = parent_of(row.code)
        if parent is not None and parent not in first_line and parent not in known:
            problems.append(LineProblem(first_line[row.code], FileProblem.NO_PARENT, row.code))
    if not rows and not problems:
        problems.append(LineProblem(1, FileProblem.EMPTY))
    return rows, sorted(problems, key=lambda p: p.line)


def _parents(rows: Iterable[RegionRow]) -> set[str]:
    return {parent for row in rows if (parent := parent_of(row.code)) is not None}
