"""Default checkpoint policies: what each type of checkpoint lets pass.

The kiosk core interprets `rules`; names say their unit. Regions may override them later.
"""

from __future__ import annotations

from typing import Any

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


def default_policy(
    checkpoint_type: CheckpointType,
    policy_version: int,
    accepted_issuers: list[str] | None = None,
) -> Policy:
    """The type's rules, with the checkpoint's accepted issuers when it names them (issue 26:
    `accepted_issuers`, set on the accepted-issuers page)."""
    rules = {**_COMMON, **_BY_TYPE[checkpoint_type]}
    if accepted_issuers:
        rules["accepted_issuers"] = sorted(accepted_issuers)
    return Policy(policy_version=policy_version, checkpoint_type=checkpoint_type, rules=rules)
