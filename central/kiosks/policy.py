"""Default checkpoint policies: what each type of checkpoint lets pass.

The kiosk core interprets `rules`; names say their unit. Regions may override them later.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.core.models import Checkpoint, Region
from central.core.regions import Level, RegionCodeError, level_of
from sync.schemas import CheckpointType, Policy

FEVER_THRESHOLD_CELSIUS = 37.3
MAX_FEED_AGE_S = 24 * 3600

_COMMON: dict[str, Any] = {
    "fever_threshold_celsius": FEVER_THRESHOLD_CELSIUS,
    "green_action": "pass",
    "yellow_action": "deny",
    "red_action": "deny",
    "fever_action": "refer_for_observation",
    "stale_feed_green_action": "manual_check",
    "max_feed_age_s": MAX_FEED_AGE_S,
    "require_id_card": False,
    "require_temperature": True,
    "record_vehicle_plate": False,
    "record_purchase": False,
    # Hainan 关口信息: the passer's full name required, the phone asked (a region turns it on).
    "record_full_name": False,
}

_BY_TYPE: dict[CheckpointType, dict[str, Any]] = {
    CheckpointType.ENTERPRISE_GATE: {"require_id_card": True},
    CheckpointType.RESIDENTIAL_COMPOUND: {},
    CheckpointType.VILLAGE: {},
    CheckpointType.ROAD_JUNCTION: {"record_vehicle_plate": True, "yellow_action": "manual_check"},
    # People with fever or symptoms are the point of a clinic: they are registered, not sent away.
    CheckpointType.CLINIC: {
        "require_id_card": True,
        "yellow_action": "pass",
        "red_action": "manual_check",
        "fever_action": "register",
    },
    # Hainan (004): buyers of fever and cough medicine turn yellow and buy again; the seller
    # checks a yellow code and records the sale, which central's colour rules act on.
    CheckpointType.PHARMACY: {
        "require_id_card": True,
        "record_purchase": True,
        "yellow_action": "manual_check",
    },
    # Places (001, 004): who passes is the same as at a compound; what differs is recorded.
    # On board a vehicle the code is scanned as people get on; no thermometer there.
    CheckpointType.TRANSIT_VEHICLE: {"require_temperature": False},
    CheckpointType.TRANSIT_STATION: {},
    CheckpointType.SHOP: {},
    CheckpointType.HOTEL: {"require_id_card": True},
    CheckpointType.SCHOOL: {},
    CheckpointType.PUBLIC_BUILDING: {},
}


MAX_RESIDENCE_PLACES = 3000  # the kiosk refuses more (kiosk.checkpoint.residence)


def default_policy(
    checkpoint_type: CheckpointType,
    policy_version: int,
    accepted_issuers: list[str] | None = None,
    **more_rules: Any,
) -> Policy:
    """The type's rules, with the checkpoint's accepted issuers when it names them (issue 26:
    `accepted_issuers`, set on the accepted-issuers page), and any more rules given."""
    rules = {**_COMMON, **_BY_TYPE[checkpoint_type], **more_rules}
    if accepted_issuers:
        rules["accepted_issuers"] = sorted(accepted_issuers)
    return Policy(policy_version=policy_version, checkpoint_type=checkpoint_type, rules=rules)


def checkpoint_policy(session: Session, checkpoint: Checkpoint) -> Policy:
    """The policy a checkpoint's kiosks get: its type's rules, its accepted issuers, and at a
    fever clinic the county's towns and villages by name (the residence picker: 住址可修改
    without a keyboard)."""
    kind = CheckpointType(checkpoint.checkpoint_type)
    version, issuers = checkpoint.policy_version, checkpoint.accepted_issuers
    if kind is not CheckpointType.CLINIC:
        return default_policy(kind, version, issuers)
    places = residence_places(session, county_of(checkpoint))
    return default_policy(kind, version, issuers, residence_places=places)


def county_of(checkpoint: Checkpoint) -> str | None:
    """The county (6 digits) the checkpoint sits in, or None when its region is above one."""
    for code in (checkpoint.area_code, checkpoint.region_code):
        try:
            if code and level_of(code) >= Level.COUNTY:
                return code[:6]
        except RegionCodeError:
            continue
    return None


def residence_places(session: Session, county: str | None) -> list[dict[str, str]]:
    """The county, its towns or streets and their villages or communities, in code order."""
    if county is None:
        return []
    rows = session.execute(
        select(Region.code, Region.name_zh, Region.name_en)
        .where(
            Region.code.like(f"{county}%"),
            Region.level.in_((Level.COUNTY, Level.TOWN, Level.VILLAGE)),
        )
        .order_by(Region.code)
        .limit(MAX_RESIDENCE_PLACES)
    ).all()
    return [
        {"code": code, "name_zh": name_zh, "name_en": name_en or ""}
        for code, name_zh, name_en in rows
    ]
