"""Colour rules as data: a rule set (rulesets/*.toml) read by a small engine.

A rule set names a colour for each condition it quotes from its document; the engine checks
every rule against a person's facts and the current area risk levels, and the most severe
matching colour wins (nobody matching a rule is green). The conditions are a fixed, small
vocabulary, so a new region's set is a new file, not new code:

- `travel`: a stop within `within_days` (the residence counts as a stop today) that is
  `abroad`, or in an area whose risk level is in `risk`, or `inside` one of some region
  prefixes, or `outside` all of some prefixes (`except` some).
- `clinical`: the person's current clinical status is one of these.
- `discharged`: discharged (cured) `less_than_days` ago, or at least `at_least_days` ago
  (with a normal follow-up when `followup_normal`).
- `contact`: the person declared contact with one of these kinds of case.
- `unresolved`: a flag of these kinds (abnormal reading, medicine purchase, fever-clinic visit,
  confirmed fever case) not yet followed by `normal_days_to_clear` consecutive normal
  daily check-in days.

`evaluate` is pure: facts and risk levels in, colour, matching rule ids and the next time the
answer may change by time alone (`review_at`) out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from central.core.regions import RegionCodeError, parent_of
from healthcode.claims import Colour

RULESETS_DIR = Path(__file__).resolve().parent / "rulesets"
DEFAULT_RULESET = "shaanxi"
# Days (of check-ins, travel) are counted in China Standard Time, which has no DST.
CHINA_TIME = timezone(timedelta(hours=8), "CST")
SEVERITY = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ClinicalStatus(StrEnum):
    CONFIRMED = "confirmed"
    ASYMPTOMATIC = "asymptomatic"
    SUSPECTED = "suspected"
    CLOSE_CONTACT = "close_contact"
    DISCHARGED = "discharged"


class FlagKind(StrEnum):
    ABNORMAL = "abnormal"  # temperature above the threshold, or a cough / respiratory symptom
    MEDICINE_PURCHASE = "medicine_purchase"  # fever or cough medicine bought (Hainan)
    FEVER_CLINIC = "fever_clinic"  # registered at a fever clinic (Hainan)
    FEVER_CASE = "fever_case"  # a checkpoint's fever report, confirmed by the area's staff


class RuleSetError(ValueError):
    """A rule set file that does not follow the format; the message names the problem."""


def china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_TIME).date()


def day_start(day: date) -> datetime:
    """The UTC instant a China day begins."""
    return datetime.combine(day, time(0), CHINA_TIME).astimezone(UTC)


# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class Stop:
    """Where a person stayed in the last days: an area (region code) or abroad, and the last
    day they were there."""

    area: str | None
    abroad: bool
    last_day: date


@dataclass(frozen=True)
class Flag:
    kind: FlagKind
    at: datetime


@dataclass(frozen=True)
class Facts:
    """What the rules look at; kept per person as JSON (`to_json` / `from_json`)."""

    residence: str
    travel: tuple[Stop, ...] = ()
    contacts: frozenset[str] = frozenset()
    clinical: ClinicalStatus | None = None
    clinical_at: datetime | None = None
    followup_normal: bool = False
    flags: tuple[Flag, ...] = ()
    streak_first: date | None = None  # first and last day of consecutive normal check-ins
    streak_last: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "residence": self.residence,
            "travel": [
                {"area": s.area, "abroad": s.abroad, "last_day": s.last_day.isoformat()}
                for s in self.travel
            ],
            "contacts": sorted(self.contacts),
            "clinical": self.clinical.value if self.clinical else None,
            "clinical_at": self.clinical_at.isoformat() if self.clinical_at else None,
            "followup_normal": self.followup_normal,
            "flags": [{"kind": f.kind.value, "at": f.at.isoformat()} for f in self.flags],
            "streak": [
                self.streak_first.isoformat() if self.streak_first else None,
                self.streak_last.isoformat() if self.streak_last else None,
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Facts:
        streak = data.get("streak") or [None, None]
        clinical_at = data.get("clinical_at")
        return cls(
            residence=str(data["residence"]),
            travel=tuple(
                Stop(s.get("area"), bool(s.get("abroad")), date.fromisoformat(s["last_day"]))
                for s in data.get("travel", ())
            ),
            contacts=frozenset(data.get("contacts", ())),
            clinical=ClinicalStatus(data["clinical"]) if data.get("clinical") else None,
            clinical_at=datetime.fromisoformat(clinical_at) if clinical_at else None,
            followup_normal=bool(data.get("followup_normal")),
            flags=tuple(
                Flag(FlagKind(f["kind"]), datetime.fromisoformat(f["at"]))
                for f in data.get("flags", ())
            ),
            streak_first=date.fromisoformat(streak[0]) if streak[0] else None,
            streak_last=date.fromisoformat(streak[1]) if streak[1] else None,
        )

    def areas(self) -> set[str]:
        """Every region code the colour may depend on (for recomputing after a risk change)."""
        return {self.residence} | {s.area for s in self.travel if s.area}


def risk_of(area: str, levels: Mapping[str, RiskLevel]) -> RiskLevel:
    """The level set on the area or, failing that, its nearest ancestor; low by default."""
    code: str | None = area
    while code is not None:
        level = levels.get(code)
        if level is not None:
            return level
        try:
            code = parent_of(code)
        except RegionCodeError:
            return RiskLevel.LOW
    return RiskLevel.LOW


# ---------------------------------------------------------------- rule sets


@dataclass(frozen=True)
class Rule:
    id: str
    colour: Colour
    when: Mapping[str, Any]
    cites: str


@dataclass(frozen=True)
class RuleSet:
    id: str
    name_zh: str
    name_en: str
    source: str
    fever_celsius: float
    normal_days_to_clear: int
    rules: tuple[Rule, ...]


_CONDITIONS = {"travel", "clinical", "discharged", "contact", "unresolved"}
_TRAVEL_KEYS = {"abroad", "risk", "inside", "outside", "except", "within_days"}


def parse_ruleset(data: Mapping[str, Any]) -> RuleSet:
    try:
        rules = []
        for raw in data["rule"]:
            when = dict(raw["when"])
            unknown = set(when) - _CONDITIONS
            if unknown or not when:
                raise RuleSetError(f"rule {raw.get('id')}: unknown conditions {sorted(unknown)}")
            travel = when.get("travel")
            if travel is not None:
                if set(travel) - _TRAVEL_KEYS or "within_days" not in travel:
                    raise RuleSetError(f"rule {raw['id']}: travel needs within_days and known keys")
                for level in travel.get("risk", ()):
                    RiskLevel(level)
            for status in when.get("clinical", ()):
                ClinicalStatus(status)
            for kind in when.get("unresolved", ()):
                FlagKind(kind)
            if not str(raw.get("cites", "")).strip():
                raise RuleSetError(f"rule {raw['id']}: cite the document's wording")
            rules.append(Rule(str(raw["id"]), Colour(raw["colour"]), when, str(raw["cites"])))
        return RuleSet(
            id=str(data["id"]),
            name_zh=str(data["name_zh"]),
            name_en=str(data["name_en"]),
            source=str(data["source"]),
            fever_celsius=float(data["fever_celsius"]),
            normal_days_to_clear=int(data["normal_days_to_clear"]),
            rules=tuple(rules),
        )
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, RuleSetError):
            raise
        raise RuleSetError(f"rule set: {error!r}") from None


@cache
def load_ruleset(ruleset_id: str) -> RuleSet:
    path = RULESETS_DIR / f"{ruleset_id}.toml"
    if not ruleset_id.isidentifier() or not path.is_file():
        raise RuleSetError(f"no rule set {ruleset_id!r}")
    with path.open("rb") as handle:
        return parse_ruleset(tomllib.load(handle))


def available_rulesets() -> list[str]:
    return sorted(path.stem for path in RULESETS_DIR.glob("*.toml"))


# ---------------------------------------------------------------- the engine


@dataclass(frozen=True)
class Assessment:
    colour: Colour
    rule_ids: tuple[str, ...]
    review_at: datetime | None  # when time alone may change the answer
    reasons: tuple[str, ...] = field(default=())  # the cited wording of the matching rules


def _stops(facts: Facts, today: date) -> list[Stop]:
    return [*facts.travel, Stop(facts.residence, False, today)]


def _travel_matches(
    spec: Mapping[str, Any], facts: Facts, levels: Mapping[str, RiskLevel], today: date
) -> tuple[bool, date | None]:
    """Whether a stop matches, and the last day any matching stop still counts."""
    within = int(spec["within_days"])
    risks = set(spec.get("risk", ()))
    inside = tuple(spec.get("inside", ()))
    outside = tuple(spec.get("outside", ()))
    excepted = tuple(spec.get("except", ()))
    until: date | None = None
    for stop in _stops(facts, today):
        last_counted = stop.last_day + timedelta(days=within - 1)
        if last_counted < today:
            continue
        residence = stop.area == facts.residence and stop.last_day == today
        hit = False
        if stop.abroad:
            hit = bool(spec.get("abroad"))
        elif stop.area:
            if risks and risk_of(stop.area, levels).value in risks:
                hit = True
            if not residence:
                if inside and stop.area.startswith(inside):
                    hit = True
                if outside and not stop.area.startswith(outside + excepted):
                    hit = True
        if hit:
            # The residence keeps counting while the person lives there: no time-out.
            counted = None if residence else last_counted
            if until is None or (counted is not None and counted > until):
                until = counted
            if counted is None:
                return True, None
    return until is not None, until


def _unresolved(kinds: Sequence[str], facts: Facts, clear_days: int) -> bool:
    for flag in facts.flags:
        if flag.kind.value not in kinds:
            continue
        if facts.streak_first is None or facts.streak_last is None:
            return True
        first = max(facts.streak_first, china_day(flag.at) + timedelta(days=1))
        if (facts.streak_last - first).days + 1 < clear_days:
            return True
    return False


def evaluate(
    ruleset: RuleSet, facts: Facts, levels: Mapping[str, RiskLevel], now: datetime
) -> Assessment:
    today = china_day(now)
    colour = Colour.GREEN
    matched: list[Rule] = []
    review: list[datetime] = []
    for rule in ruleset.rules:
        ok = True
        for name, spec in rule.when.items():
            if name == "travel":
                hit, until = _travel_matches(spec, facts, levels, today)
                if hit and until is not None:
                    review.append(day_start(until + timedelta(days=1)))
                ok = ok and hit
            elif name == "clinical":
                ok = ok and facts.clinical is not None and facts.clinical.value in spec
            elif name == "discharged":
                ok = ok and _discharged(spec, facts, now, review)
            elif name == "contact":
                ok = ok and bool(facts.contacts & set(spec))
            elif name == "unresolved":
                ok = ok and _unresolved(spec, facts, ruleset.normal_days_to_clear)
        if ok:
            matched.append(rule)
            if SEVERITY[rule.colour] > SEVERITY[colour]:
                colour = rule.colour
    future = [moment for moment in review if moment > now]
    return Assessment(
        colour,
        tuple(r.id for r in matched if r.colour is colour),
        min(future) if future else None,
        tuple(r.cites for r in matched if r.colour is colour),
    )


def _discharged(
    spec: Mapping[str, Any], facts: Facts, now: datetime, review: list[datetime]
) -> bool:
    if facts.clinical is not ClinicalStatus.DISCHARGED or facts.clinical_at is None:
        return False
    elapsed = now - facts.clinical_at
    if "less_than_days" in spec:
        boundary = facts.clinical_at + timedelta(days=int(spec["less_than_days"]))
        review.append(boundary)
        return elapsed < timedelta(days=int(spec["less_than_days"]))
    if "at_least_days" in spec:
        review.append(facts.clinical_at + timedelta(days=int(spec["at_least_days"])))
        if elapsed < timedelta(days=int(spec["at_least_days"])):
            return False
        if "followup_normal" in spec:
            return facts.followup_normal is bool(spec["followup_normal"])
        return True
    return True
