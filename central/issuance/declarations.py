"""A self-declaration (自主申报) and what it does to a person's facts.

A declaration states who the person is, where they live and work, where they were in the
last 14 days, whom they met, their symptoms and temperature. It replaces the declared travel
and contacts; a symptom or a temperature above the rule set's threshold raises an `abnormal`
flag (and restarts the check-in count). Clinical status and earlier flags come from events,
so a declaration never clears them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from central.core.errors import RefusedError
from central.core.regions import RegionCodeError, level_of
from central.issuance.rules import Facts, Flag, FlagKind, RuleSet, Stop, china_day
from healthcode.claims import CodeKind
from healthcode.identity import IdNumberError, validate_id_number

TRAVEL_DAYS = 14
SYMPTOMS = frozenset(
    {"fever", "dry_cough", "cough", "shortness_of_breath", "fatigue", "sore_throat", "diarrhoea"}
)
CONTACT_KINDS = frozenset({"confirmed", "suspected", "asymptomatic", "fever"})


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证, GB 11643
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"


class Holder(StrEnum):
    SELF = "self"
    GUARDIAN = "guardian"  # a parent applying for a child, with the parent's phone
    COMMUNITY = "community"  # a community worker applying for someone without a phone


class DeclarationError(RefusedError, ValueError):
    """A declaration that cannot be accepted; `field` names the input at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name

    @property
    def refusal_detail(self) -> str:
        return f"{self.field}: {self}"


@dataclass(frozen=True)
class TravelItem:
    area: str | None  # a region code, or None with abroad
    abroad: bool
    last_day: date


@dataclass(frozen=True)
class Declaration:
    full_name: str
    id_type: IdType
    id_number: str
    residence: str
    holder: Holder = Holder.SELF
    phone: str | None = None
    workplace: str | None = None
    travel: tuple[TravelItem, ...] = ()
    contacts: frozenset[str] = frozenset()
    symptoms: frozenset[str] = frozenset()
    temperature_celsius: float | None = None
    ruleset: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> CodeKind:
        return CodeKind.APP if self.holder is Holder.SELF else CodeKind.PROXY


def _region(code: str, field_name: str) -> str:
    try:
        level_of(code)
    except RegionCodeError as error:
        raise DeclarationError(field_name, str(error)) from None
    return code


def checked(declaration: Declaration, now: datetime) -> Declaration:
    """The declaration with a normalised ID number; raises DeclarationError."""
    name = declaration.full_name.strip()
    if not 1 <= len(name) <= 50:
        raise DeclarationError("full_name", "a name of 1 to 50 characters")
    number = declaration.id_number.strip()
    if declaration.id_type is IdType.RESIDENT_ID:
        try:
            number = validate_id_number(number, today=china_day(now))
        except IdNumberError as error:
            raise DeclarationError("id_number", error.problem.text.en) from None
    elif not (5 <= len(number) <= 20 and number.isalnum()):
        raise DeclarationError("id_number", "5 to 20 letters and digits")
    if declaration.holder is not Holder.COMMUNITY and not declaration.phone:
        raise DeclarationError("phone", "a verified phone number is needed")
    _region(declaration.residence, "residence")
    today = china_day(now)
    for item in declaration.travel:
        if item.abroad == (item.area is not None):
            raise DeclarationError("travel", "each stop is either an area or abroad")
        if item.area is not None:
            _region(item.area, "travel")
        if item.last_day > today:
            raise DeclarationError("travel", "a stop cannot end in the future")
    if declaration.symptoms - SYMPTOMS:
        raise DeclarationError("symptoms", f"known symptoms: {sorted(SYMPTOMS)}")
    if declaration.contacts - CONTACT_KINDS:
        raise DeclarationError("contacts", f"known contacts: {sorted(CONTACT_KINDS)}")
    temperature = declaration.temperature_celsius
    if temperature is not None and not 30.0 <= temperature <= 45.0:
        raise DeclarationError("temperature_celsius", "between 30 and 45 °C")
    return replace(declaration, full_name=name, id_number=number)


def abnormal(symptoms: frozenset[str], temperature: float | None, ruleset: RuleSet) -> bool:
    return bool(symptoms) or (temperature is not None and temperature > ruleset.fever_celsius)


def facts_after(
    previous: Facts | None, declaration: Declaration, ruleset: RuleSet, now: datetime
) -> Facts:
    today = china_day(now)
    recent = today - timedelta(days=TRAVEL_DAYS)
    travel = tuple(
        Stop(item.area, item.abroad, item.last_day)
        for item in declaration.travel
        if item.last_day > recent
    )
    base = previous or Facts(residence=declaration.residence)
    facts = replace(
        base, residence=declaration.residence, travel=travel, contacts=declaration.contacts
    )
    if abnormal(declaration.symptoms, declaration.temperature_celsius, ruleset):
        facts = replace(
            facts,
            flags=(*facts.flags, Flag(FlagKind.ABNORMAL, now)),
            streak_first=None,
            streak_last=None,
        )
    return facts
