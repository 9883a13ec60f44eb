"""What an export holds: its filters, the rows they select inside a scope, and the fixed columns.

Two kinds, each a fixed column set (docs/reports.md):

- `passages`: received passages, in the daily push's format (`central.reports.daily.PUSH_COLUMNS`);
- `roster`: people of this issuer in Nanning's roster format (`ROSTER_COLUMNS`), each column
  filled from what central keeps (see `roster_cells`).

Every selection is the scope's condition AND the filters' conditions, so no filter can widen
what an account sees. A person is selected by the keyed blind index of their ID number (the
issuance index, `PeopleCipher.id_index`): the number itself is never kept in the filters.
Rows are read in keyset batches (`passage_batch`, `roster_batch`), so a large export is worked
in steps with its progress recorded between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true, tuple_
from sqlalchemy.orm import Session

from central.core.cipher import RecordCipher
from central.core.errors import RefusedError
from central.core.models import Checkpoint, Enterprise, Person, ReceivedPassage, Region
from central.core.regions import RegionCodeError, level_of, parent_of, prefix_of
from central.core.scope import AREA_ROLES, Scope
from central.issuance.people import PeopleCipher
from central.issuance.rules import Facts
from central.reports.daily import DEFAULT_TIME_ZONE, PushRow, day_bounds, escape_cell, row_cells
from healthcode.claims import Colour
from healthcode.identity import IdNumberError, validate_id_number

RETURN_TO_WORK = "return_to_work"  # the kiosk's TripReason.RETURN_TO_WORK

ROSTER_COLUMNS: tuple[str, ...] = (
    "用户",  # user: the person's name
    "健康码颜色",  # code colour
    "住址",  # address: the residence area's names (no street address is kept)
    "电话",  # phone
    "是否返岗",  # returned to work: a passage with the trip reason return_to_work
    "所属企业",  # enterprise: of that passage's checkpoint, else the declared workplace
    "是否外地返回",  # arrived from another city: a declared stop outside the home city
    "哪个城市",  # which city
    "到达时间",  # arrival: the last day declared in that city
)
COLOUR_NAMES = {"green": "绿码", "yellow": "黄码", "red": "红码"}


class ExportKind(StrEnum):
    PASSAGES = "passages"
    ROSTER = "roster"


class ExportError(RefusedError, ValueError):
    """A filter or request that cannot be used; `field` names it, the message never a value."""

    status_code = 422

    def __init__(self, field_name: str, detail: str) -> None:
        super().__init__(f"{field_name}: {detail}")
        self.field = field_name
        self.detail = detail


@dataclass(frozen=True)
class ExportFilters:
    """What to export, inside the account's scope. Times are aware UTC, [from, to)."""

    region_code: str | None = None  # a region of any level: rows inside it
    colour: Colour | None = None
    enterprise_id: str | None = None
    person_ix: bytes | None = None  # `person_index(...)` of an ID number, never the number
    from_at_utc: datetime | None = None
    to_at_utc: datetime | None = None
    fever_only: bool = False

    def __post_init__(self) -> None:
        if self.region_code is not None:
            try:
                level_of(self.region_code)
            except RegionCodeError as error:
                raise ExportError("region_code", str(error)) from None
        for name in ("from_at_utc", "to_at_utc"):
            moment = getattr(self, name)
            if moment is not None and moment.tzinfo is None:
                raise ExportError(name, "an aware time is needed")
        if self.from_at_utc and self.to_at_utc and self.from_at_utc >= self.to_at_utc:
            raise ExportError("to_at_utc", "the end must come after the start")

    def to_json(self) -> dict[str, Any]:
        return {
            "region_code": self.region_code,
            "colour": self.colour.value if self.colour else None,
            "enterprise_id": self.enterprise_id,
            "person_ix": self.person_ix.hex() if self.person_ix else None,
            "from_at_utc": self.from_at_utc.isoformat() if self.from_at_utc else None,
            "to_at_utc": self.to_at_utc.isoformat() if self.to_at_utc else None,
            "fever_only": self.fever_only,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportFilters:
        def moment(key: str) -> datetime | None:
            value = data.get(key)
            return datetime.fromisoformat(value) if value else None

        return cls(
            region_code=data.get("region_code"),
            colour=Colour(data["colour"]) if data.get("colour") else None,
            enterprise_id=data.get("enterprise_id"),
            person_ix=bytes.fromhex(data["person_ix"]) if data.get("person_ix") else None,
            from_at_utc=moment("from_at_utc"),
            to_at_utc=moment("to_at_utc"),
            fever_only=bool(data.get("fever_only")),
        )

    def describe(self) -> str:
        """For the audit log: the filters used, the person only as "one person"."""
        parts = [
            f"region:{self.region_code}" if self.region_code else "",
            f"colour:{self.colour.value}" if self.colour else "",
            f"enterprise:{self.enterprise_id}" if self.enterprise_id else "",
            "person:one" if self.person_ix else "",
            f"from:{self.from_at_utc:%Y-%m-%dT%H:%MZ}" if self.from_at_utc else "",
            f"to:{self.to_at_utc:%Y-%m-%dT%H:%MZ}" if self.to_at_utc else "",
            "fever" if self.fever_only else "",
        ]
        return " ".join(p for p in parts if p) or "all"


def person_index(cipher: PeopleCipher, id_number: str, today: date) -> bytes:
    """The blind index a person filter holds: of a resident ID number, checked first."""
    try:
        number = validate_id_number(id_number, today=today)
    except IdNumberError as error:
        raise ExportError("id_number", f"not a valid resident ID number ({error})") from None
    return cipher.id_index("resident_id", number)


def local_days(
    first: date, last: date, time_zone: str = DEFAULT_TIME_ZONE
) -> tuple[datetime, datetime]:
    """Local calendar days first..last (inclusive), as pages send them, as a UTC [from, to)."""
    if last < first:
        raise ExportError("to", "the last day comes before the first")
    return day_bounds(first, time_zone)[0], day_bounds(last, time_zone)[1]


# ---------------------------------------------------------------- passages


def passage_condition(scope: Scope, filters: ExportFilters) -> ColumnElement[bool]:
    """Scope AND filters, over ReceivedPassage joined to its Checkpoint."""
    parts: list[ColumnElement[bool]] = [scope.checkpoint_filter()]
    if filters.region_code:
        parts.append(Checkpoint.area_code.startswith(prefix_of(filters.region_code)))
    if filters.colour:
        parts.append(ReceivedPassage.colour_applied == filters.colour.value)
    if filters.enterprise_id:
        parts.append(Checkpoint.enterprise_id == filters.enterprise_id)
    if filters.person_ix:
        people = select(Person.code_ix).where(Person.id_ix == filters.person_ix)
        parts.append(ReceivedPassage.code_ix.in_(people))
    if filters.from_at_utc:
        parts.append(ReceivedPassage.at >= filters.from_at_utc)
    if filters.to_at_utc:
        parts.append(ReceivedPassage.at < filters.to_at_utc)
    if filters.fever_only:
        parts.append(ReceivedPassage.fever.is_(True))
    return and_(*parts)


def count_passages(session: Session, scope: Scope, filters: ExportFilters) -> int:
    query = (
        select(func.count())
        .select_from(ReceivedPassage)
        .join(Checkpoint, Checkpoint.id == ReceivedPassage.checkpoint_id)
        .where(passage_condition(scope, filters))
    )
    return int(session.scalar(query) or 0)


def passage_batch(
    session: Session,
    cipher: RecordCipher,
    scope: Scope,
    filters: ExportFilters,
    after: tuple[datetime, str] | None,
    limit: int,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> tuple[list[list[str]], tuple[datetime, str] | None]:
    """The next `limit` rows in time order after the key `after`, and the key of the last."""
    p = ReceivedPassage
    # Columns, not ORM objects: a large export builds no identity map.
    query = (
        select(
            p.id,
            p.at,
            p.region_code,
            p.checkpoint_id,
            Checkpoint.name,
            p.name_enc,
            p.id_masked_enc,
            p.colour_in_code,
            p.colour_applied,
            p.outcome,
            p.temperature_celsius,
            p.fever,
            p.direction,
            p.trip_reason,
            p.clock_trusted,
            p.plate_enc,
            p.full_name_enc,
            p.phone_enc,
        )
        .join(Checkpoint, Checkpoint.id == p.checkpoint_id)
        .where(passage_condition(scope, filters))
        .order_by(p.at, p.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(tuple_(p.at, p.id) > tuple_(*after))
    rows: list[list[str]] = []
    last = after
    for found in session.execute(query):
        row = PushRow(
            record_id=found.id,
            at=found.at,
            region_code=found.region_code,
            checkpoint_id=found.checkpoint_id,
            checkpoint_name=found.name,
            masked_name=_text(cipher.open(found.name_enc, found.id, "name")),
            masked_id_number=_text(cipher.open(found.id_masked_enc, found.id, "id_masked")),
            colour_in_code=found.colour_in_code,
            colour_applied=found.colour_applied,
            outcome=found.outcome,
            temperature_celsius=found.temperature_celsius,
            fever=found.fever,
            direction=found.direction,
            trip_reason=found.trip_reason,
            clock_trusted=found.clock_trusted,
            vehicle_plate=_text(cipher.open(found.plate_enc, found.id, "plate")),
            full_name=_text(cipher.open(found.full_name_enc, found.id, "full_name")),
            phone=_text(cipher.open(found.phone_enc, found.id, "phone")),
        )
        rows.append(row_cells(row, time_zone))
        last = (found.at, found.id)
    return rows, last


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8")


# ---------------------------------------------------------------- roster


def _seen(scope: Scope, filters: ExportFilters, with_filters: bool) -> ColumnElement[bool]:
    """The person's code passed one of the scope's checkpoints (within the filters' times,
    enterprise and fever when `with_filters`)."""
    parts: list[ColumnElement[bool]] = [
        ReceivedPassage.code_ix == Person.code_ix,
        ReceivedPassage.checkpoint_id.in_(scope.visible_checkpoint_ids()),
    ]
    if with_filters:
        if filters.enterprise_id:
            parts.append(
                ReceivedPassage.checkpoint_id.in_(
                    select(Checkpoint.id).where(Checkpoint.enterprise_id == filters.enterprise_id)
                )
            )
        if filters.from_at_utc:
            parts.append(ReceivedPassage.at >= filters.from_at_utc)
        if filters.to_at_utc:
            parts.append(ReceivedPassage.at < filters.to_at_utc)
        if filters.fever_only:
            parts.append(ReceivedPassage.fever.is_(True))
    return exists().where(*parts)


def roster_condition(scope: Scope, filters: ExportFilters) -> ColumnElement[bool]:
    """Area accounts see the people living in their area or seen at their checkpoints; the
    others only people seen at their checkpoints."""
    visible = _seen(scope, filters, with_filters=False)
    prefix = scope.prefix
    if scope.role in AREA_ROLES and prefix is not None:
        visible = or_(Person.residence_area.startswith(prefix), visible)
    parts: list[ColumnElement[bool]] = [visible]
    if filters.enterprise_id or filters.from_at_utc or filters.to_at_utc or filters.fever_only:
        parts.append(_seen(scope, filters, with_filters=True))
    if filters.region_code:
        parts.append(Person.residence_area.startswith(prefix_of(filters.region_code)))
    if filters.colour:
        parts.append(Person.colour == filters.colour.value)
    if filters.person_ix:
        parts.append(Person.id_ix == filters.person_ix)
    return and_(*parts)


def count_roster(session: Session, scope: Scope, filters: ExportFilters) -> int:
    query = select(func.count()).select_from(Person).where(roster_condition(scope, filters))
    return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class ReturnToWork:
    at: datetime
    enterprise: str | None


class RegionNames:
    """Region names, read once per export: '陕西省西安市雁塔区' for 610113."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(Region.code, Region.name_zh))
        self._names: dict[str, str] = {code: name for code, name in rows}

    def full(self, code: str) -> str:
        names: list[str] = []
        current: str | None = code
        while current is not None:
            name = self._names.get(current)
            if name:
                names.append(name)
            try:
                current = parent_of(current)
            except RegionCodeError:
                break
        return "".join(reversed(names)) or code

    def city(self, code: str) -> str:
        try:
            city = code[:4] + "00" if len(code) >= 4 else code
            level_of(city)
        except RegionCodeError:
            return code
        return self.full(city)


def _returns_to_work(
    session: Session, scope: Scope, filters: ExportFilters, codes: Sequence[bytes]
) -> dict[bytes, ReturnToWork]:
    """Each code's latest return-to-work passage at the scope's checkpoints (within the times)."""
    if not codes:
        return {}
    query = (
        select(
            ReceivedPassage.code_ix,
            ReceivedPassage.at,
            func.coalesce(Enterprise.name, Checkpoint.enterprise),
        )
        .join(Checkpoint, Checkpoint.id == ReceivedPassage.checkpoint_id)
        .outerjoin(Enterprise, Enterprise.id == Checkpoint.enterprise_id)
        .where(
            ReceivedPassage.code_ix.in_(codes),
            ReceivedPassage.trip_reason == RETURN_TO_WORK,
            scope.checkpoint_filter(),
            ReceivedPassage.at >= filters.from_at_utc if filters.from_at_utc else true(),
            ReceivedPassage.at < filters.to_at_utc if filters.to_at_utc else true(),
        )
        .order_by(ReceivedPassage.at)
    )
    found: dict[bytes, ReturnToWork] = {}
    for code_ix, at, enterprise in session.execute(query):
        if code_ix is not None:
            found[code_ix] = ReturnToWork(at, enterprise)  # the latest wins
    return found


def roster_cells(
    person: Person,
    cipher: PeopleCipher,
    regions: RegionNames,
    returned: ReturnToWork | None,
) -> list[str]:
    facts = Facts.from_json(person.facts)
    home_city = person.residence_area[:4]
    away = [s for s in facts.travel if s.abroad or (s.area and s.area[:4] != home_city)]
    latest = max(away, key=lambda s: s.last_day, default=None)
    if latest is None:
        city = arrival = ""
    else:
        city = "境外" if latest.abroad or not latest.area else regions.city(latest.area)
        arrival = latest.last_day.isoformat()
    workplace = (
        cipher.open(person.workplace_enc, person.id, "workplace") if person.workplace_enc else ""
    )
    enterprise = (returned.enterprise if returned else None) or workplace
    phone = cipher.open(person.phone_enc, person.id, "phone") if person.phone_enc else ""
    cells = [
        cipher.open(person.name_enc, person.id, "name"),
        COLOUR_NAMES.get(person.colour, person.colour),
        regions.full(person.residence_area),
        phone,
        "是" if returned else "否",
        enterprise,
        "是" if latest else "否",
        city,
        arrival,
    ]
    return [escape_cell(cell) for cell in cells]


RosterKey = tuple[str, datetime, str]


def roster_batch(
    session: Session,
    cipher: PeopleCipher,
    scope: Scope,
    filters: ExportFilters,
    regions: RegionNames,
    after: RosterKey | None,
    limit: int,
) -> tuple[list[list[str]], RosterKey | None]:
    """The next `limit` people by residence area, then declaration time, after the key `after`,
    and the key of the last."""
    order = (Person.residence_area, Person.created_at, Person.id)
    query = select(Person).where(roster_condition(scope, filters)).order_by(*order).limit(limit)
    if after is not None:
        query = query.where(tuple_(*order) > tuple_(*after))
    people = list(session.scalars(query))
    returned = _returns_to_work(session, scope, filters, [p.code_ix for p in people])
    rows = [roster_cells(p, cipher, regions, returned.get(p.code_ix)) for p in people]
    if not people:
        return rows, after
    last = people[-1]
    return rows, (last.residence_area, last.created_at, last.id)


def local_stamp(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y%m%d-%H%M")
