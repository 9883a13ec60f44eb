"""What the screens show in each state they can be in, as plain data: the kiosk's health with
each fault, a result of each kind, a passage log to fill the supervisor's table. The screens
gallery (`kiosk screens`, kiosk/ui/gallery.py) puts every screen in every one of these states.

Results come from the real decision and result view (`result_view`); only the inputs are made
up here. No Qt.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from healthcode.claims import CodeKind, Colour
from healthcode.results import Rejection, RejectReason
from healthcode.text import LocalText
from kiosk.app.viewstate import (
    ResultView,
    StatusItem,
    StatusKind,
    backlog_item,
    clock_item,
    device_item,
    feed_item,
    network_item,
    result_view,
    sync_item,
)
from kiosk.checkpoint.decision import Decision, IdMatch, Reason, rejection_text
from kiosk.checkpoint.events import PassageRecord, ShowResult
from kiosk.checkpoint.national import NationalCheckFailure
from kiosk.checkpoint.outcome import Outcome, ReasonCode
from kiosk.checkpoint.policy import Direction, TripReason
from sync.schemas import TrailAnswer, TrailEntry

FEED_LIMIT = timedelta(hours=24)
FAULTS = ("camera_lost", "thermometer_lost", "stale_feed", "clock_not_trusted", "upload_backlog")


def _device(kind: StatusKind, state: DeviceState) -> StatusItem:
    fault = DeviceFault.NONE if state is DeviceState.CONNECTED else DeviceFault.UNPLUGGED
    event = DeviceStateEvent(kind.value, state, fault, "", datetime(2026, 1, 1, tzinfo=UTC))
    return device_item(kind, event, configured=True)


def health_items(faults: tuple[str, ...] = ()) -> tuple[StatusItem, ...]:
    """The status bar's items of an enrolled, online kiosk, with `faults` (names in FAULTS)."""
    broken = set(faults)
    unknown = broken - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown faults: {sorted(unknown)}")
    camera = DeviceState.DISCONNECTED if "camera_lost" in broken else DeviceState.CONNECTED
    thermometer = DeviceState.ERROR if "thermometer_lost" in broken else DeviceState.CONNECTED
    feed_age = timedelta(days=3) if "stale_feed" in broken else timedelta(minutes=20)
    backlog = (1234, 1234) if "upload_backlog" in broken else (3, 0)
    return (
        _device(StatusKind.CAMERA, camera),
        _device(StatusKind.THERMOMETER, thermometer),
        _device(StatusKind.ID_READER, DeviceState.CONNECTED),
        network_item(enrolled=True, online="upload_backlog" not in broken),
        sync_item(feed_age, FEED_LIMIT),
        backlog_item(*backlog),
        feed_item(feed_age, FEED_LIMIT),
        clock_item(trusted="clock_not_trusted" not in broken),
    )


def _record(
    name: str | None, celsius: float | None, *, fever: bool = False, id_masked: str | None = None
) -> PassageRecord:
    return PassageRecord(
        record_id=uuid.UUID(int=0),
        at_utc=datetime(2026, 1, 1, tzinfo=UTC),
        clock_trusted=True,
        operator_id=None,
        scheme=None,
        issuer=None,
        code_id=None,
        masked_name=name,
        id_number_masked=id_masked,
        colour_in_code=None,
        colour_applied=None,
        outcome=Outcome.PASS,
        reasons=(),
        rejection=None,
        temperature_celsius=celsius,
        fever=fever,
        id_match=IdMatch.NOT_READ,
        direction=None,
        trip_reason=None,
        vehicle_plate=None,
        policy_version=0,
        repeat=False,
    )


@dataclass(frozen=True)
class _Case:
    outcome: Outcome
    reasons: tuple[tuple[ReasonCode, LocalText | None, Outcome | None], ...]
    name: str | None = "欧阳**娜"
    celsius: float | None = 36.6
    colour: Colour | None = Colour.GREEN
    repeat: timedelta | None = None
    id_masked: str | None = None


_GREEN = (ReasonCode.COLOUR_GREEN, None, Outcome.PASS)
_NORMAL = (ReasonCode.TEMPERATURE_NORMAL, None, Outcome.PASS)
_EXPIRED_PAPER = rejection_text(Rejection(RejectReason.EXPIRED, "expired", kind=CodeKind.PAPER))
_FEED_OLD = LocalText("3 天", "3 days")
_CASES = {
    "pass": _Case(Outcome.PASS, (_GREEN, _NORMAL, (ReasonCode.ID_MATCHED, None, Outcome.PASS))),
    "deny-red": _Case(
        Outcome.DENY, ((ReasonCode.COLOUR_RED, None, Outcome.DENY), _NORMAL), colour=Colour.RED
    ),
    "refer-fever": _Case(
        Outcome.REFER,
        (_GREEN, (ReasonCode.FEVER, LocalText("38.6 °C", "38.6 °C"), Outcome.REFER)),
        celsius=38.6,
    ),
    "manual-check-stale-feed": _Case(
        Outcome.MANUAL_CHECK,
        (_GREEN, (ReasonCode.FEED_TOO_OLD, _FEED_OLD, Outcome.MANUAL_CHECK), _NORMAL),
    ),
    "pass-repeat": _Case(Outcome.PASS, (_GREEN, _NORMAL), repeat=timedelta(minutes=3)),
    "yellow-code": _Case(
        Outcome.DENY,
        ((ReasonCode.COLOUR_YELLOW, None, Outcome.DENY), _NORMAL),
        colour=Colour.YELLOW,
    ),
    "yellow-code-manual-check": _Case(
        Outcome.MANUAL_CHECK,
        ((ReasonCode.COLOUR_YELLOW, None, Outcome.MANUAL_CHECK), _NORMAL),
        colour=Colour.YELLOW,
    ),
    "id-mismatch": _Case(
        Outcome.DENY,
        (_GREEN, _NORMAL, (ReasonCode.ID_MISMATCHED, None, Outcome.DENY)),
        repeat=timedelta(minutes=12),
    ),
    "expired-paper-code": _Case(
        Outcome.DENY,
        ((ReasonCode.CODE_REJECTED, _EXPIRED_PAPER, Outcome.DENY),),
        name=None,
        celsius=None,
        colour=None,
    ),
    "national-code": _Case(
        Outcome.MANUAL_CHECK,
        ((ReasonCode.NATIONAL_CODE, None, Outcome.MANUAL_CHECK), _NORMAL),
        name=None,
        colour=None,
    ),
    "national-passed-online": _Case(
        Outcome.PASS,
        ((ReasonCode.NATIONAL_CHECKED_ONLINE, Colour.GREEN.label, Outcome.PASS), _NORMAL),
        name=None,
    ),
    "national-refused-online": _Case(
        Outcome.DENY,
        ((ReasonCode.NATIONAL_REFUSED_ONLINE, None, Outcome.DENY), _NORMAL),
        name=None,
        colour=None,
    ),
    "national-manual-check-timeout": _Case(
        Outcome.MANUAL_CHECK,
        (
            (ReasonCode.NATIONAL_CODE, NationalCheckFailure.TIMEOUT.text, Outcome.MANUAL_CHECK),
            _NORMAL,
        ),
        name=None,
        colour=None,
    ),
    "national-manual-check-credentials": _Case(
        Outcome.MANUAL_CHECK,
        (
            (
                ReasonCode.NATIONAL_CODE,
                NationalCheckFailure.CREDENTIALS_REFUSED.text,
                Outcome.MANUAL_CHECK,
            ),
            _NORMAL,
        ),
        name=None,
        colour=None,
    ),
    "code-not-recognised": _Case(
        Outcome.MANUAL_CHECK,
        ((ReasonCode.CODE_NOT_RECOGNISED, None, Outcome.MANUAL_CHECK), _NORMAL),
        name=None,
        colour=None,
    ),
    "timeout": _Case(
        Outcome.MANUAL_CHECK,
        (
            (ReasonCode.NO_CODE, None, Outcome.MANUAL_CHECK),
            (ReasonCode.TEMPERATURE_MISSING, None, Outcome.MANUAL_CHECK),
            (ReasonCode.ID_NOT_READ, None, Outcome.MANUAL_CHECK),
        ),
        name=None,
        celsius=None,
        colour=None,
        id_masked="110105********002X",
    ),
}


def results() -> dict[str, ResultView]:
    """A result of each outcome, with a repeat warning, a yellow code, a fever reading, an ID
    mismatch, an expired paper code, the national code (offline; checked online: passed,
    refused, or a manual check saying why), a code nobody recognises and a timeout: named for
    their pictures."""
    views = {}
    for name, case in _CASES.items():
        reasons = tuple(Reason(code, detail, outcome) for code, detail, outcome in case.reasons)
        decision = Decision(case.outcome, reasons, case.colour, case.colour, frozenset())
        fever = any(r.code is ReasonCode.FEVER for r in reasons)
        record = _record(case.name, case.celsius, fever=fever, id_masked=case.id_masked)
        views[name] = result_view(ShowResult(decision, record, case.repeat))
    return views


def log_records(now: datetime, count: int = 16) -> list[PassageRecord]:
    """Passages of the last hours, every outcome, direction and trip reason, for the log."""
    outcomes = [Outcome.PASS, Outcome.PASS, Outcome.DENY, Outcome.REFER, Outcome.MANUAL_CHECK]
    reasons = {
        Outcome.PASS: ("colour_green", "temperature_normal"),
        Outcome.DENY: ("colour_red", "temperature_normal"),
        Outcome.REFER: ("colour_green", "fever"),
        Outcome.MANUAL_CHECK: ("colour_green", "feed_too_old", "id_not_read"),
    }
    names = ["张*丰", "欧阳**娜", "李*", "王*明"]
    records = []
    for i in range(count):
        outcome = outcomes[i % len(outcomes)]
        colour = Colour.RED if outcome is Outcome.DENY else Colour.GREEN
        fever = outcome is Outcome.REFER
        records.append(
            PassageRecord(
                record_id=uuid.uuid4(),
                at_utc=now - timedelta(minutes=7 * i + 1),
                clock_trusted=True,
                operator_id="op-1" if i % 2 else "op-2",
                scheme="JKM1",
                issuer="demo",
                code_id=bytes([i % 4 + 1]) * 16,
                masked_name=names[i % len(names)],
                id_number_masked=None,
                colour_in_code=colour,
                colour_applied=colour,
                outcome=outcome,
                reasons=reasons[outcome],
                rejection=None,
                temperature_celsius=38.6 if fever else 36.5,
                fever=fever,
                id_match=IdMatch.NOT_READ,
                direction=Direction.IN if i % 3 else Direction.OUT,
                trip_reason=list(TripReason)[i % len(TripReason)],
                vehicle_plate="陕A12345" if i % 4 == 0 else None,
                policy_version=3,
                repeat=False,
            )
        )
    return records


def area_trail(now: datetime) -> TrailAnswer:
    """Central's answer for one code in the kiosk's area (the trail page, online)."""
    places = [
        "东关社区北门",
        "长乐坊东门卡口",
        "西安北站进站口",
        "5 路公交 陕A·D1234",
        "东关社区北门",
    ]
    entries = [
        TrailEntry(
            at=now - timedelta(days=i, hours=i),
            checkpoint_name=name,
            outcome="refer" if i == 3 else "pass",
            colour_applied="green",
            temperature_celsius=38.1 if i == 3 else 36.5,
            fever=i == 3,
            direction="in",
        )
        for i, name in enumerate(places * 2)
    ]
    return TrailAnswer(region_code="610102", since=now - timedelta(days=14), entries=entries)
