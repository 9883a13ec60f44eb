"""The issuance API's requests and answers (the routes are in central/issuance/routers/)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from central.issuance import changes
from central.issuance.declarations import IdType
from central.issuance.rules import RiskLevel
from sync.bounds import Day

Word = Annotated[str, Field(max_length=64)]  # a contact kind or a symptom: a short code


class TravelIn(BaseModel):
    area: str | None = Field(default=None, pattern=r"^\d{6,15}$")
    abroad: bool = False
    last_day: Day


class DeclarationIn(BaseModel):
    full_name: str = Field(min_length=1, max_length=50)
    id_type: IdType = IdType.RESIDENT_ID
    id_number: str = Field(min_length=5, max_length=24)
    residence: str = Field(pattern=r"^\d{6,15}$", description="region code, any level")
    workplace: str | None = Field(default=None, max_length=200)
    travel: list[TravelIn] = Field(default_factory=list, max_length=30)
    contacts: list[Word] = Field(default_factory=list, max_length=4)
    symptoms: list[Word] = Field(default_factory=list, max_length=7)
    temperature_celsius: float | None = Field(default=None, ge=30, le=45)
    ruleset: str | None = Field(default=None, max_length=32)


class SelfDeclarationIn(DeclarationIn):
    phone: str = Field(max_length=16)
    sms_code: str = Field(min_length=4, max_length=8)
    holder: Literal["self", "guardian"] = "self"
    previous_phone_code: str | None = Field(
        default=None,
        min_length=4,
        max_length=8,
        description="for an ID declared before from another phone: the code sent to that phone "
        "(POST sms-codes/recorded-phone)",
    )


class RecordedPhoneCodeIn(BaseModel):
    """A code to the phone an ID was declared with (one person, one code)."""

    id_type: IdType = IdType.RESIDENT_ID
    id_number: str = Field(min_length=5, max_length=24)


class PhoneResetIn(BaseModel):
    """A community worker's in-person reset: the person showed their ID card and a new phone."""

    id_type: IdType = IdType.RESIDENT_ID
    id_number: str = Field(min_length=5, max_length=24)
    phone: str = Field(max_length=16)


class SmsCodeIn(BaseModel):
    phone: str = Field(max_length=16)


class CodeOut(BaseModel):
    qr_text: str
    colour: str
    colour_label: str
    colour_seq: int
    kind: str
    masked_name: str
    issued_at: str
    expires_at: str
    rule_ids: list[str] = Field(default_factory=list)
    svg: str | None = Field(description="the QR as SVG; null when asked with ?svg=false")


class IssuedOut(BaseModel):
    holder_token: str | None
    code: CodeOut


class LookUpIn(BaseModel):
    """ "My health code" on a new phone: the ID and the phone given when declaring, and that
    phone's SMS code."""

    id_type: IdType = IdType.RESIDENT_ID
    id_number: str = Field(min_length=5, max_length=24)
    phone: str = Field(max_length=16)
    sms_code: str = Field(min_length=4, max_length=8)


class CheckInIn(BaseModel):
    temperature_celsius: float | None = Field(default=None, ge=30, le=45)
    cough: bool = False
    symptoms: list[Word] = Field(default_factory=list, max_length=7)


class ColourOut(BaseModel):
    colour: str | None


class ClinicEventIn(BaseModel):
    id_type: IdType = IdType.RESIDENT_ID
    id_number: str = Field(min_length=5, max_length=24)
    event: changes.ClinicEvent


class AreaRiskIn(BaseModel):
    area_code: str = Field(pattern=r"^\d{6,15}$")
    level: RiskLevel


class AreaRiskOut(BaseModel):
    area_code: str
    level: str
    changed_at: str


class ColourMoveOut(BaseModel):
    from_colour: str
    to_colour: str
    people: int


class AreaRiskPreviewOut(BaseModel):
    """What setting a level would do, before it is set."""

    area_code: str
    level: str
    total: int = Field(description="the people the recomputation would assess")
    changed: int = Field(description="of them, how many would change colour")
    changes: list[ColourMoveOut]


class JobOut(BaseModel):
    job_id: str
    area_code: str
    reason: str
    status: str
    processed: int
    changed: int
    total: int
    created_at: str
    finished_at: str | None


class FeverCaseOut(BaseModel):
    case_id: str
    checkpoint_id: str
    at: str
    temperature_celsius: float | None
    status: str
    decision_reason: changes.FeverReason | None = None  # why it was confirmed or dismissed
    decided_at: str | None = None
    decided_by: str | None = None  # the deciding account's id


class FeverDecisionIn(BaseModel):
    decision: changes.FeverDecision
    # Why (changes.FEVER_REASONS: the reasons that fit the decision); the pages ask for it.
    reason: changes.FeverReason | None = None


HolderName = Literal["community", "guardian", "self"]
PRINTED_HOLDERS: tuple[HolderName, ...] = ("community", "guardian")


class PaperBatchIn(BaseModel):
    area_code: str = Field(pattern=r"^\d{6,15}$")
    holders: list[HolderName] = Field(default_factory=lambda: list(PRINTED_HOLDERS), max_length=8)


MAX_PROXY_BATCH = 500


class ProxyBatchIn(BaseModel):
    people: list[DeclarationIn] = Field(min_length=1, max_length=MAX_PROXY_BATCH)


class BatchIssuedOut(BaseModel):
    index: int
    code: CodeOut


class BatchRefusedOut(BaseModel):
    index: int
    detail: str


class ProxyBatchOut(BaseModel):
    issued: list[BatchIssuedOut]
    refused: list[BatchRefusedOut]
