"""What a checkpoint lets pass: policy as versioned data, with defaults per checkpoint type.

A policy arrives from central as a JSON document (`Policy.from_document`); until then, and for
anything the document leaves out, the defaults of the checkpoint's type apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

from healthcode.claims import Colour
from healthcode.text import LocalText
from kiosk.checkpoint.foreign import DEFAULT_FOREIGN_POLICY, ForeignPolicy
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.residence import Place, PlacesError, parse_places

DEFAULT_FEVER_THRESHOLD_CELSIUS = 37.3  # above this is abnormal (DOMAIN.md)
MAX_NATIONAL_PREFIXES = 16


class CheckpointType(StrEnum):
    ENTERPRISE_GATE = "enterprise_gate"
    RESIDENTIAL_COMPOUND = "residential_compound"
    VILLAGE = "village"
    ROAD_JUNCTION = "road_junction"
    CLINIC = "clinic"
    PHARMACY = "pharmacy"
    TRANSIT_VEHICLE = "transit_vehicle"
    TRANSIT_STATION = "transit_station"
    SHOP = "shop"
    HOTEL = "hotel"
    SCHOOL = "school"
    PUBLIC_BUILDING = "public_building"

    @property
    def label(self) -> LocalText:
        return _TYPE_LABELS[self]


_TYPE_LABELS = {
    CheckpointType.ENTERPRISE_GATE: LocalText("企业门岗", "Enterprise gate"),
    CheckpointType.RESIDENTIAL_COMPOUND: LocalText("居民小区", "Residential compound"),
    CheckpointType.VILLAGE: LocalText("村庄", "Village"),
    CheckpointType.ROAD_JUNCTION: LocalText("道路卡口", "Road junction"),
    CheckpointType.CLINIC: LocalText("诊所", "Clinic"),
    CheckpointType.PHARMACY: LocalText("药店", "Pharmacy"),
    CheckpointType.TRANSIT_VEHICLE: LocalText("公共交通（车内）", "Public transport (vehicle)"),
    CheckpointType.TRANSIT_STATION: LocalText("公共交通（站点）", "Public transport (station)"),
    CheckpointType.SHOP: LocalText("商场超市", "Shop or supermarket"),
    CheckpointType.HOTEL: LocalText("酒店宾馆", "Hotel"),
    CheckpointType.SCHOOL: LocalText("学校", "School"),
    CheckpointType.PUBLIC_BUILDING: LocalText("公共建筑", "Public building"),
}


class PassageField(StrEnum):
    """Fields of a passage record that staff may be asked for (Hainan 3.1)."""

    DIRECTION = "direction"
    TRIP_REASON = "trip_reason"
    VEHICLE_PLATE = "vehicle_plate"
    # The Hainan checkpoint record (004, 关口信息): the full name is required (from the ID card,
    # else typed by staff) and the phone asked.
    FULL_NAME = "full_name"
    PHONE = "phone"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"

    @property
    def label(self) -> LocalText:
        return LocalText("进", "In") if self is Direction.IN else LocalText("出", "Out")


class TripReason(StrEnum):
    RETURN_TO_WORK = "return_to_work"
    RETURN_HOME = "return_home"
    BUYING_NECESSITIES = "buying_necessities"
    OTHER = "other"

    @property
    def label(self) -> LocalText:
        return _TRIP_LABELS[self]


_TRIP_LABELS = {
    TripReason.RETURN_TO_WORK: LocalText("返岗复工", "Return to work"),
    TripReason.RETURN_HOME: LocalText("返乡回家", "Return home"),
    TripReason.BUYING_NECESSITIES: LocalText("购买生活用品", "Buying necessities"),
    TripReason.OTHER: LocalText("其他", "Other"),
}


class PolicyError(ValueError):
    """A policy document that cannot be used; the previous policy stays in force."""


@dataclass(frozen=True)
class Policy:
    """The rules one checkpoint decides by."""

    version: int
    checkpoint_type: CheckpointType
    colour_outcomes: Mapping[Colour, Outcome] = field(
        default_factory=lambda: {
            Colour.GREEN: Outcome.PASS,
            Colour.YELLOW: Outcome.DENY,
            Colour.RED: Outcome.DENY,
        }
    )
    fever_threshold_celsius: float = DEFAULT_FEVER_THRESHOLD_CELSIUS
    temperature_required: bool = True
    id_match_required: bool = False
    max_feed_age: timedelta = timedelta(hours=24)
    remeasure_fever: bool = True
    passage_fields: frozenset[PassageField] = frozenset()
    arrival_window: timedelta = timedelta(seconds=20)
    max_reading_age: timedelta = timedelta(seconds=10)
    repeat_window: timedelta = timedelta(minutes=30)
    # Recognised foreign certificates: staff check each one unless rules say otherwise.
    foreign: ForeignPolicy = DEFAULT_FOREIGN_POLICY
    # Issue 25: a pharmacy records each sale of watched medicine; a fever clinic registers a
    # person with fever (outcome PASS) where a gate refers them for observation.
    record_purchase: bool = False
    fever_outcome: Outcome = Outcome.REFER
    # Whose health codes this checkpoint accepts (互信互认): region codes, a province's covering
    # its cities and counties (`healthcode.federation.region_covers`); None: every issuer the
    # trust list names.
    accepted_issuers: frozenset[str] | None = None
    # How this deployment's national codes (GB/T 38962) begin; such a code is a manual check
    # ("国家码：请人工核验"). Our sources do not describe its text: empty until configured.
    national_code_prefixes: tuple[str, ...] = ()
    # A clinic's county, its towns and villages by name: the residence picker's choices.
    residence_places: tuple[Place, ...] = ()

    @property
    def passing_colours(self) -> frozenset[Colour]:
        return frozenset(c for c, o in self.colour_outcomes.items() if o is Outcome.PASS)

    def is_fever(self, celsius: float) -> bool:
        return celsius > self.fever_threshold_celsius

    def to_document(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "checkpoint_type": self.checkpoint_type.value,
            "colour_outcomes": {c.value: o.value for c, o in self.colour_outcomes.items()},
            "fever_threshold_celsius": self.fever_threshold_celsius,
            "temperature_required": self.temperature_required,
            "id_match_required": self.id_match_required,
            "max_feed_age_s": int(self.max_feed_age.total_seconds()),
            "remeasure_fever": self.remeasure_fever,
            "passage_fields": sorted(f.value for f in self.passage_fields),
            "arrival_window_s": self.arrival_window.total_seconds(),
            "max_reading_age_s": self.max_reading_age.total_seconds(),
            "repeat_window_s": int(self.repeat_window.total_seconds()),
            "record_purchase": self.record_purchase,
            "fever_outcome": self.fever_outcome.value,
            "accepted_issuers": (
                None if self.accepted_issuers is None else sorted(self.accepted_issuers)
            ),
            "national_code_prefixes": list(self.national_code_prefixes),
            "residence_places": [p.to_document() for p in self.residence_places],
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Policy:
        """A policy from its JSON form; missing fields take the checkpoint type's defaults."""
        try:
            base = default_policy(CheckpointType(document["checkpoint_type"]))
            changes: dict[str, Any] = {"version": _int(document["version"])}
            if "colour_outcomes" in document:
                outcomes = {
                    Colour(c): Outcome(o) for c, o in dict(document["colour_outcomes"]).items()
                }
                if set(outcomes) != set(Colour):
                    raise PolicyError("colour_outcomes must name every colour")
                changes["colour_outcomes"] = outcomes
            if "fever_outcome" in document:
                changes["fever_outcome"] = Outcome(document["fever_outcome"])
            for name in (
                "temperature_required",
                "id_match_required",
                "remeasure_fever",
                "record_purchase",
            ):
                if name in document:
                    changes[name] = _bool(document[name])
            if "fever_threshold_celsius" in document:
                threshold = float(document["fever_threshold_celsius"])
                if not 36.0 <= threshold <= 39.0:
                    raise PolicyError(f"fever threshold {threshold} is outside 36-39 °C")
                changes["fever_threshold_celsius"] = threshold
            for name, attribute in (
                ("max_feed_age_s", "max_feed_age"),
                ("arrival_window_s", "arrival_window"),
                ("max_reading_age_s", "max_reading_age"),
                ("repeat_window_s", "repeat_window"),
            ):
                if name in document:
                    seconds = float(document[name])
                    if seconds <= 0:
                        raise PolicyError(f"{name} must be positive")
                    changes[attribute] = timedelta(seconds=seconds)
            if "passage_fields" in document:
                changes["passage_fields"] = frozenset(
                    PassageField(f) for f in document["passage_fields"]
                )
            if document.get("accepted_issuers") is not None:
                changes["accepted_issuers"] = _regions(document["accepted_issuers"])
            if "national_code_prefixes" in document:
                changes["national_code_prefixes"] = _prefixes(document["national_code_prefixes"])
            if "residence_places" in document:
                changes["residence_places"] = parse_places(document["residence_places"])
            return replace(base, **changes)
        except PolicyError:
            raise
        except PlacesError as error:
            raise PolicyError(str(error)) from None
        except (KeyError, ValueError, TypeError) as error:
            raise PolicyError(f"policy document is not usable: {error}") from None


_CENTRAL_ACTIONS = {
    "pass": Outcome.PASS,
    "deny": Outcome.DENY,
    "manual_check": Outcome.MANUAL_CHECK,
    "refer_for_observation": Outcome.REFER,
}
# A fever clinic's `fever_action`: the person is registered there, not sent elsewhere.
_CENTRAL_FEVER_ACTIONS = {**_CENTRAL_ACTIONS, "register": Outcome.PASS}


def policy_from_central(version: int, checkpoint_type: str, rules: Mapping[str, Any]) -> Policy:
    """The policy central sends at enrolment (`sync.schemas.Policy`): its named rules mapped
    onto ours; rules this kiosk does not know are ignored, missing ones keep the defaults."""
    document: dict[str, Any] = {"version": version, "checkpoint_type": checkpoint_type}
    try:
        if all(f"{c.value}_action" in rules for c in Colour):
            document["colour_outcomes"] = {
                c.value: _CENTRAL_ACTIONS[str(rules[f"{c.value}_action"])].value for c in Colour
            }
    except KeyError as error:
        raise PolicyError(f"unknown action {error.args[0]!r}") from None
    for ours, theirs in (
        ("fever_threshold_celsius", "fever_threshold_celsius"),
        ("max_feed_age_s", "max_feed_age_s"),
        ("id_match_required", "require_id_card"),
        ("record_purchase", "record_purchase"),
        ("temperature_required", "require_temperature"),
        ("accepted_issuers", "accepted_issuers"),
        ("national_code_prefixes", "national_code_prefixes"),
        ("residence_places", "residence_places"),
    ):
        if theirs in rules:
            document[ours] = rules[theirs]
    if "fever_action" in rules:
        action = str(rules["fever_action"])
        if action not in _CENTRAL_FEVER_ACTIONS:
            raise PolicyError(f"unknown fever action {action!r}")
        document["fever_outcome"] = _CENTRAL_FEVER_ACTIONS[action].value
    base = default_policy(CheckpointType(checkpoint_type))
    fields = set(base.passage_fields)
    if rules.get("record_vehicle_plate"):
        fields.add(PassageField.VEHICLE_PLATE)
    if rules.get("record_full_name"):
        fields |= {PassageField.FULL_NAME, PassageField.PHONE}
    document["passage_fields"] = sorted(f.value for f in fields)
    return Policy.from_document(document)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PolicyError(f"expected an integer, got {value!r}")
    return value


def _regions(value: object) -> frozenset[str]:
    if not isinstance(value, list | tuple) or not value:
        raise PolicyError("accepted_issuers must be a non-empty list of region codes")
    codes = frozenset(str(code) for code in value)
    if any(len(code) != 6 or not code.isdigit() for code in codes):
        raise PolicyError(f"accepted_issuers must be six-digit region codes, got {sorted(codes)}")
    return codes


def _prefixes(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or len(value) > MAX_NATIONAL_PREFIXES:
        raise PolicyError(f"national_code_prefixes must be a list of at most 16, got {value!r}")
    prefixes = tuple(str(prefix) for prefix in value)
    if any(len(prefix) < 4 for prefix in prefixes):
        raise PolicyError("a national code prefix needs at least 4 characters")
    return prefixes


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(f"expected true or false, got {value!r}")
    return value


def default_policy(checkpoint_type: CheckpointType) -> Policy:
    """Defaults per checkpoint type, version 0 (before central sends one)."""
    return replace(
        Policy(version=0, checkpoint_type=checkpoint_type), **_TYPE_DEFAULTS[checkpoint_type]
    )


_IN_OUT = frozenset({PassageField.DIRECTION})
_IN_OUT_WHY = frozenset({PassageField.DIRECTION, PassageField.TRIP_REASON})
# Clinics and pharmacies serve people who may be unwell: a yellow code is not turned
# away but checked by staff (fever-clinic registration, medicine sales are recorded).
_UNWELL_SERVED = {
    "colour_outcomes": {
        Colour.GREEN: Outcome.PASS,
        Colour.YELLOW: Outcome.MANUAL_CHECK,
        Colour.RED: Outcome.DENY,
    }
}
# What each type records and lets pass beyond the common defaults of `Policy` (green passes,
# yellow and red are denied, the temperature is taken). Central's rules for the same types
# (`central.kiosks.policy`) say the same; a policy central sends overrides these.
_TYPE_DEFAULTS: dict[CheckpointType, dict[str, Any]] = {
    CheckpointType.ENTERPRISE_GATE: {"passage_fields": _IN_OUT},
    CheckpointType.RESIDENTIAL_COMPOUND: {"passage_fields": _IN_OUT_WHY},
    CheckpointType.VILLAGE: {"passage_fields": _IN_OUT_WHY},
    # Road checkpoints register who comes through: identity and vehicle matter.
    CheckpointType.ROAD_JUNCTION: {
        "id_match_required": True,
        "passage_fields": _IN_OUT_WHY | {PassageField.VEHICLE_PLATE},
    },
    # A fever is what a fever clinic is for: registered, not referred away.
    CheckpointType.CLINIC: {**_UNWELL_SERVED, "fever_outcome": Outcome.PASS},
    CheckpointType.PHARMACY: {**_UNWELL_SERVED, "record_purchase": True},
    # On board there is no thermometer and no queue to hold: the code is scanned as people
    # get on (001: 搭乘公共交通工具时 ... 查验), the temperature was taken at the station.
    CheckpointType.TRANSIT_VEHICLE: {"temperature_required": False},
    # Stations take the temperature at the entrance (001: 地铁（轻轨）车站 体温测定).
    CheckpointType.TRANSIT_STATION: {"passage_fields": _IN_OUT},
    # Shops and supermarkets check at the entrance only (001: 商场、超市 ... 入口).
    CheckpointType.SHOP: {},
    # Hotels register their guests by ID card anyway: the code must be the guest's own.
    CheckpointType.HOTEL: {"id_match_required": True, "passage_fields": _IN_OUT},
    CheckpointType.SCHOOL: {"passage_fields": _IN_OUT},
    CheckpointType.PUBLIC_BUILDING: {"passage_fields": _IN_OUT},
}
