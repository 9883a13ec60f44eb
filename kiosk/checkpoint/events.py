"""What the passage flow is told (events) and what it asks to be done (effects).

Events carry only what was observed; effects are plain data carried out by the composition
root (the Qt bridge, or a test). A full ID number appears only in an ID event, in memory; no
effect and no record ever holds one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from healthcode.claims import Colour
from healthcode.feed import FeedEntry
from healthcode.results import VerificationResult
from kiosk.checkpoint.decision import Decision, IdMatch
from kiosk.checkpoint.national import NationalCheck
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import Direction, TripReason

# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class CodeScanned:
    """A code was read (camera, scanner or typed) and verified; the feed lookup is done by the
    caller, which holds the status-feed copy."""

    result: VerificationResult
    feed_entry: FeedEntry | None = None  # the newest feed entry for this code, if newer
    feed_age: timedelta | None = None
    repeat_since: timedelta | None = None  # this code passed here this long ago
    # A national code's online check (GB/T 38963): None when none was attempted.
    national_check: NationalCheck | None = None
    # The text read, for that online check only (never stored, logged or shown).
    text: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class TemperatureRead:
    body_celsius: float
    measured_at_utc: datetime
    manual: bool = False


@dataclass(frozen=True)
class IdCardRead:
    id_number: str = field(repr=False)
    masked_name: str | None = None
    manual: bool = False  # typed by staff rather than read from the card
    # The holder's full name as the card gives it: kept only where the policy asks for it.
    full_name: str | None = field(default=None, repr=False)
    # The card's address: kept only where a form asks for the residence (a fever clinic).
    address: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PasserDetailsTyped:
    """Staff typed the person's full name (no ID card read) and phone (Hainan 关口信息)."""

    full_name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PassageFieldsChanged:
    """The sticky passage-field form: kept from one person to the next."""

    direction: Direction | None = None
    trip_reason: TripReason | None = None
    vehicle_plate: str | None = field(default=None, repr=False)
    # False: the plate is cleared once a passage is recorded (the next vehicle); True: staff
    # keep it for the people of one vehicle.
    keep_plate: bool = False


@dataclass(frozen=True)
class OperatorSignedIn:
    operator_id: str | None  # None: signed out


@dataclass(frozen=True)
class ClockTrustChanged:
    trusted: bool


@dataclass(frozen=True)
class OverrideRequested:
    outcome: Outcome
    reason: str
    # The passage staff meant (the result they touched 改判 on); None: the last one, whichever.
    record_id: uuid.UUID | None = None


@dataclass(frozen=True)
class CancelRequested:
    """Staff abandon the person in progress; nothing is recorded."""


@dataclass(frozen=True)
class Tick:
    """Time passes: windows end and result screens close."""


Event = (
    CodeScanned
    | TemperatureRead
    | IdCardRead
    | PasserDetailsTyped
    | PassageFieldsChanged
    | OperatorSignedIn
    | ClockTrustChanged
    | OverrideRequested
    | CancelRequested
    | Tick
)

# ---------------------------------------------------------------- effects


class Prompt(StrEnum):
    SCAN = "scan"
    MEASURE = "measure"
    READ_CARD = "read_card"
    REMEASURE = "remeasure"

    @property
    def text(self) -> tuple[str, str]:
        return _PROMPTS[self]


_PROMPTS = {
    Prompt.SCAN: ("请出示健康码", "Please show your health code"),
    Prompt.MEASURE: ("请测量体温", "Please take your temperature"),
    Prompt.READ_CARD: ("请刷身份证", "Please place your ID card on the reader"),
    Prompt.REMEASURE: ("体温偏高，请复测", "Temperature high: please measure again"),
}


@dataclass(frozen=True)
class PassageRecord:
    """One passage as stored: the least data that serves the checkpoint and the upload."""

    record_id: uuid.UUID
    at_utc: datetime
    clock_trusted: bool
    operator_id: str | None
    scheme: str | None
    issuer: str | None
    code_id: bytes | None = field(repr=False)
    masked_name: str | None = field(repr=False)
    id_number_masked: str | None = field(repr=False)  # only for a passage without a code
    colour_in_code: Colour | None
    colour_applied: Colour | None
    outcome: Outcome
    reasons: tuple[str, ...]
    rejection: str | None
    temperature_celsius: float | None
    fever: bool
    id_match: IdMatch
    direction: Direction | None
    trip_reason: TripReason | None
    vehicle_plate: str | None = field(repr=False)
    policy_version: int
    repeat: bool
    # The Hainan checkpoint record: where the policy asks, the full name and phone.
    full_name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ShowPrompt:
    prompt: Prompt
    missing: tuple[Prompt, ...] = ()


@dataclass(frozen=True)
class ShowResult:
    decision: Decision
    record: PassageRecord
    repeat_since: timedelta | None
    # From the ID number read or typed (never stored): a clinic asks a child's guardian.
    birth_date: date | None = field(default=None, repr=False)
    # The ID card's address (never stored here): where a clinic's residence field starts.
    card_address: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PlaySound:
    """The verdict said aloud; `celsius` is an abnormal temperature read out before it."""

    outcome: Outcome
    celsius: float | None = None


@dataclass(frozen=True)
class SavePassage:
    record: PassageRecord


@dataclass(frozen=True)
class ReportFever:
    record: PassageRecord


@dataclass(frozen=True)
class SaveOverride:
    record_id: uuid.UUID
    outcome: Outcome
    reason: str
    operator_id: str
    at_utc: datetime


@dataclass(frozen=True)
class RefuseOverride:
    why: tuple[str, str]  # Chinese, English


@dataclass(frozen=True)
class ReadyForNext:
    """The result screen is done; the scan screen is back."""


Effect = (
    ShowPrompt
    | ShowResult
    | PlaySound
    | SavePassage
    | ReportFever
    | SaveOverride
    | RefuseOverride
    | ReadyForNext
)
