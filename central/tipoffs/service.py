"""Tip-offs (issue 25, notice 004): what a resident reports, who it goes to, how it is handled.

Two kinds: a clue (疫情线索: the person's name, the place, one of four health situations) and a
supervision report (群众监督举报: a report type, the place, a description). A tip-off is
dispatched as it is stored to the liaison of the area it names: the grid worker whose area is
the most specific one containing it (the earliest made among equals). The liaison is then sent
an SMS through the configured sender (`NoticeSender`), carrying the tip-off's number, its kind
and its place, never what was written about a person; the sending runs after the resident's
answer, so a slow provider never holds the resident's page. A tip-off with no liaison, or whose
SMS was not taken, stays `received` and shows on the staff page and as an alert.

The liaison records its visit and closes the tip-off with its feedback (status received ->
visited -> closed). One not visited within `visit_within` of its arrival alerts. Reads go through
the account's scope (the area's tip-offs; a grid worker its own) and are audited.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, case, false, func, select
from sqlalchemy.orm import Session

from central.administration.accounts import liaison_phone
from central.core.audit import Action, Auditor
from central.core.cipher import RecordCipher
from central.core.errors import RefusedError
from central.core.models import Administrator, TipOff, new_id
from central.core.regions import PREFIX_DIGITS, Level, RegionCodeError, level_of
from central.core.scope import Role, Scope
from central.issuance.sms import NoticeSender, SmsDeliveryError, mask_phone
from central.tipoffs.writer import TipOffWriter
from sync.schemas import RefusalReason

log = logging.getLogger(__name__)

MAX_PLACE = 200
MAX_NAME = 50
MAX_TEXT = 1000
MAX_ROWS = 500
# Who sees the area's tip-offs on the staff page (a grid worker sees those sent to it).
OVERSEERS = frozenset({Role.REGION_ADMIN, Role.SUPERVISOR})


class Kind(StrEnum):
    CLUE = "clue"  # 疫情线索提供
    SUPERVISION = "supervision"  # 疫情群众监督举报


class Situation(StrEnum):
    """The clue's health situation: the four of notice 004."""

    TRAVEL = "travel"  # lived in or travelled to an area with local spread, two weeks
    CONTACT = "contact"  # unprotected contact with a suspected, confirmed or close contact
    SYMPTOMS = "symptoms"  # fever, dry cough, fatigue, sore throat ... in two weeks
    NONE = "none"  # none of the above


class ReportType(StrEnum):
    MOVEMENT = "movement"  # 可疑人员流动
    GATHERING = "gathering"  # 群众聚集活动
    PRICE_GOUGING = "price_gouging"  # 哄抬物价
    COUNTERFEIT = "counterfeit"  # 制假售假
    REOPENING = "reopening"  # 违规复工复产复课
    OTHER = "other"


class Status(StrEnum):
    RECEIVED = "received"
    VISITED = "visited"
    CLOSED = "closed"


NEXT_STATUS = {Status.RECEIVED: Status.VISITED, Status.VISITED: Status.CLOSED}


class TipOffError(RefusedError, ValueError):
    """Fields the resident or the liaison has to fix: `fields` maps each to what is wrong
    (`field` is the first); safe to show."""

    def __init__(self, field: str, detail: str, more: dict[str, str] | None = None) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.fields = {field: detail, **(more or {})}


@dataclass(frozen=True)
class NewTipOff:
    kind: Kind
    area_code: str
    place: str
    situation: Situation | None = None
    clue_name: str | None = None
    report_type: ReportType | None = None
    description: str | None = None


@dataclass(frozen=True)
class Posted:
    """A stored tip-off and what its SMS needs (sent after the transaction commits)."""

    tip_off_id: str
    number: str
    liaison_id: str | None
    liaison_phone: str | None = field(default=None, repr=False)
    notice: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TipOffView:
    """One tip-off as the staff page shows it (decrypted for an account whose scope holds it)."""

    tip_off_id: str
    number: str
    kind: Kind
    area_code: str
    place: str
    situation: str | None
    report_type: str | None
    clue_name: str | None
    description: str | None
    status: Status
    liaison: str | None  # the liaison's user name
    created_at: datetime
    notified_at: datetime | None
    notify_error: str | None
    visited_at: datetime | None
    closed_at: datetime | None
    feedback: str | None
    overdue: bool
    notify_resends: int = 0  # resends of an SMS not taken (central.tipoffs.resend)
    notify_next_at: datetime | None = None  # the next resend, while one is left


@dataclass(frozen=True)
class AreaCount:
    area_code: str
    received: int
    visited: int
    closed: int
    overdue: int
    unassigned: int


def check(new: NewTipOff) -> NewTipOff:
    """The tip-off with its texts trimmed, or `TipOffError` naming every field at fault."""
    wrong: dict[str, str] = {}
    try:
        level_of(new.area_code)
    except RegionCodeError:
        wrong["area_code"] = "choose the area"
    place = new.place.strip()
    if not place or len(place) > MAX_PLACE:
        wrong["place"] = f"a place of 1 to {MAX_PLACE} characters"
    name = (new.clue_name or "").strip()
    description = (new.description or "").strip()
    if new.kind is Kind.CLUE:
        if not name or len(name) > MAX_NAME:
            wrong["clue_name"] = f"a name of 1 to {MAX_NAME} characters"
        if new.situation is None:
            wrong["situation"] = "choose one"
    else:
        if new.report_type is None:
            wrong["report_type"] = "choose one"
        if not description or len(description) > MAX_TEXT:
            wrong["description"] = f"a description of 1 to {MAX_TEXT} characters"
    if wrong:
        first = next(iter(wrong))
        raise TipOffError(first, wrong[first], wrong)
    if new.kind is Kind.CLUE:
        return NewTipOff(new.kind, new.area_code, place, new.situation, name)
    return NewTipOff(
        new.kind, new.area_code, place, report_type=new.report_type, description=description
    )


def _containing_areas(code: str) -> list[str]:
    """`code` and every region above it, as stored region codes (6, 9, 12 or 15 digits)."""
    level = level_of(code)
    found = [code]
    for upper in (Level.VILLAGE, Level.TOWN):
        if level > upper:
            found.append(code[: PREFIX_DIGITS[upper]])
    found.extend(c for c in (code[:6], code[:4] + "00", code[:2] + "0000") if c not in found)
    return found


def find_liaison(session: Session, area_code: str) -> Administrator | None:
    """The grid worker of the most specific area containing `area_code` with a phone."""
    areas = _containing_areas(area_code)
    candidates = session.scalars(
        select(Administrator)
        .where(
            Administrator.role == Role.GRID_WORKER.value,
            Administrator.area_code.in_(areas),
            Administrator.phone_enc.is_not(None),
        )
        .order_by(Administrator.created_at, Administrator.id)
    ).all()
    if not candidates:
        return None
    return max(candidates, key=lambda a: (len(a.area_code or ""), -areas.index(a.area_code or "")))


def _number(now: datetime) -> str:
    """The day and eight random digits: short enough to read out on the phone."""
    return now.strftime("%y%m%d") + f"{secrets.randbelow(10**8):08d}"


def post(
    session: Session, cipher: RecordCipher, writer: TipOffWriter, new: NewTipOff, now: datetime
) -> Posted:
    """Store a resident's tip-off, dispatched to its liaison: committed when this returns.

    `session` is for reading the liaison only; its transaction ends before the write, which
    `writer` makes together with the other posts of the moment (one commit for them all)."""
    new = check(new)
    liaison = find_liaison(session, new.area_code)
    phone = None if liaison is None else liaison_phone(liaison, cipher)
    liaison_id = None if liaison is None else liaison.id
    session.rollback()  # the read is over: its connection goes back before the write waits
    tip_off_id = new_id()
    row = {
        "id": tip_off_id,
        "number": _number(now),
        "kind": new.kind.value,
        "area_code": new.area_code,
        "place": new.place,
        "situation": None if new.situation is None else new.situation.value,
        "report_type": None if new.report_type is None else new.report_type.value,
        "clue_name_enc": cipher.seal(new.clue_name, tip_off_id, "tip_offs.clue_name"),
        "description_enc": cipher.seal(new.description, tip_off_id, "tip_offs.description"),
        "liaison_id": liaison_id,
        "status": Status.RECEIVED.value,
        "created_at": now,
    }
    writer.store(row, lambda: _number(now))
    notice = {"number": str(row["number"]), "kind": new.kind.value, "place": new.place[:20]}
    return Posted(tip_off_id, str(row["number"]), liaison_id, phone, notice)


def notify(
    sender: object, writer: TipOffWriter, posted: Posted, clock: Callable[[], datetime]
) -> bool:
    """Send the tip-off to its liaison's phone; True when the provider took it. Runs after
    the resident's answer; reads nothing from the database (the post found the phone)."""
    error: str | None = None
    if posted.liaison_phone is None:
        error = "no_phone"
    elif not isinstance(sender, NoticeSender):
        error = "no_sender"
    else:
        try:
            sender.send_notice(posted.liaison_phone, posted.notice)
        except SmsDeliveryError as failure:
            error = failure.failure.value
    writer.record(posted.tip_off_id, clock() if error is None else None, error)
    if error is not None:
        masked = "-" if posted.liaison_phone is None else mask_phone(posted.liaison_phone)
        log.warning("tip-off %s: the SMS to %s failed (%s)", posted.number, masked, error)
    return error is None


# ------------------------------------------------------------------------ the staff's side


def visible(scope: Scope) -> ColumnElement[bool]:
    """The tip-offs an account sees: a grid worker those sent to it, the overseers their area's."""
    if scope.role is Role.GRID_WORKER:
        return TipOff.liaison_id == scope.account_id
    if scope.role in OVERSEERS and scope.prefix is not None:
        return TipOff.area_code.startswith(scope.prefix)
    return false()


def is_overdue(tip_off: TipOff, now: datetime, visit_within: timedelta) -> bool:
    created = tip_off.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=now.tzinfo)
    return tip_off.status == Status.RECEIVED.value and now - created > visit_within


def list_tip_offs(
    session: Session,
    scope: Scope,
    audit: Auditor,
    cipher: RecordCipher,
    now: datetime,
    visit_within: timedelta,
    status: Status | None = None,
) -> list[TipOffView]:
    query = select(TipOff).where(visible(scope))
    if status is not None:
        query = query.where(TipOff.status == status.value)
    rows = session.scalars(query.order_by(TipOff.created_at.desc()).limit(MAX_ROWS)).all()
    names = dict(
        session.execute(
            select(Administrator.id, Administrator.username).where(
                Administrator.id.in_({r.liaison_id for r in rows if r.liaison_id})
            )
        ).all()
    )
    audit.record(Action.LIST, "tip_off", len(rows))

    def opened(row: TipOff, sealed: bytes | None, column: str) -> str | None:
        plain = cipher.open(sealed, row.id, column)
        return None if plain is None else plain.decode("utf-8")

    return [
        TipOffView(
            tip_off_id=r.id,
            number=r.number,
            kind=Kind(r.kind),
            area_code=r.area_code,
            place=r.place,
            situation=r.situation,
            report_type=r.report_type,
            clue_name=opened(r, r.clue_name_enc, "tip_offs.clue_name"),
            description=opened(r, r.description_enc, "tip_offs.description"),
            status=Status(r.status),
            liaison=names.get(r.liaison_id or ""),
            created_at=r.created_at,
            notified_at=r.notified_at,
            notify_error=r.notify_error,
            visited_at=r.visited_at,
            closed_at=r.closed_at,
            feedback=opened(r, r.feedback_enc, "tip_offs.feedback"),
            overdue=is_overdue(r, now, visit_within),
            notify_resends=r.notify_resends,
            notify_next_at=r.notify_next_at,
        )
        for r in rows
    ]


def advance(
    session: Session,
    scope: Scope,
    cipher: RecordCipher,
    tip_off_id: str,
    to: Status,
    feedback: str,
    now: datetime,
) -> TipOff:
    """The liaison's progress: visited, then closed, with its feedback (required to close)."""
    tip_off = session.scalars(
        select(TipOff).where(TipOff.id == tip_off_id, visible(scope)).with_for_update()
    ).first()
    if tip_off is None:
        error = TipOffError("tip_off", "no such tip-off in your area")
        error.status_code, error.reason = 404, RefusalReason.NOT_FOUND
        raise error
    if scope.role not in (Role.GRID_WORKER, Role.REGION_ADMIN):
        error = TipOffError("status", "your role does not handle tip-offs")
        error.status_code, error.reason = 403, RefusalReason.FORBIDDEN
        raise error
    if NEXT_STATUS.get(Status(tip_off.status)) is not to:
        raise TipOffError("status", f"a {tip_off.status} tip-off is not marked {to.value}")
    feedback = feedback.strip()
    if len(feedback) > MAX_TEXT or (to is Status.CLOSED and not feedback):
        raise TipOffError("feedback", f"feedback of 1 to {MAX_TEXT} characters")
    tip_off.status = to.value
    if to is Status.VISITED:
        tip_off.visited_at = now
    else:
        tip_off.closed_at = now
    if feedback:
        tip_off.feedback_enc = cipher.seal(feedback, tip_off.id, "tip_offs.feedback")
    return tip_off


def overview(
    session: Session, scope: Scope, now: datetime, visit_within: timedelta
) -> list[AreaCount]:
    """Per area below the account's own (its towns for a county): counts by status, overdue and
    not dispatched. Counts only: no personal data, so no audit entry."""
    if scope.role not in OVERSEERS or scope.area is None or scope.prefix is None:
        return []
    child_digits = _child_digits(scope.area)
    area = func.substr(TipOff.area_code, 1, child_digits)
    late = now - visit_within
    rows = session.execute(
        select(
            area,
            func.sum(_when(TipOff.status == Status.RECEIVED.value)),
            func.sum(_when(TipOff.status == Status.VISITED.value)),
            func.sum(_when(TipOff.status == Status.CLOSED.value)),
            func.sum(_when((TipOff.status == Status.RECEIVED.value) & (TipOff.created_at < late))),
            func.sum(_when(TipOff.liaison_id.is_(None))),
        )
        .where(visible(scope))
        .group_by(area)
        .order_by(area)
    ).all()
    return [AreaCount(str(r[0]), *(int(v or 0) for v in r[1:])) for r in rows]


def _when(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _child_digits(area: str) -> int:
    level = level_of(area)
    if level >= Level.GROUP:
        return PREFIX_DIGITS[Level.GROUP]
    if level is Level.PROVINCE:
        return 4
    return PREFIX_DIGITS[Level(level + 1)]


def counts_of(rows: list[AreaCount]) -> Mapping[str, int]:
    total = {"received": 0, "visited": 0, "closed": 0, "overdue": 0, "unassigned": 0}
    for row in rows:
        for key in total:
            total[key] += getattr(row, key)
    return total
