"""The reasons staff pick from when they change a decision, and the text a change records.

A gloved hand picks a listed reason; a short note is optional. The recorded reason is the
listed reason's Chinese (the language of the kiosk's records), then the note when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from healthcode.text import LocalText


class OverrideReason(StrEnum):
    VALID_PROOF = "valid_proof"
    IDENTITY_CONFIRMED = "identity_confirmed"
    DEVICE_FAULT = "device_fault"
    OTHER = "other"


@dataclass(frozen=True)
class ListedReason:
    reason: OverrideReason
    label: LocalText


OVERRIDE_REASONS: tuple[ListedReason, ...] = (
    ListedReason(
        OverrideReason.VALID_PROOF, LocalText("持有效证明材料", "Holds valid proof documents")
    ),
    ListedReason(
        OverrideReason.IDENTITY_CONFIRMED,
        LocalText("工作人员确认身份", "Identity confirmed by staff"),
    ),
    ListedReason(OverrideReason.DEVICE_FAULT, LocalText("设备故障", "Device fault")),
    ListedReason(OverrideReason.OTHER, LocalText("其他", "Other")),
)

NOTE_MAX_CHARS = 60


def reason_label(reason: OverrideReason) -> LocalText:
    return next(listed.label for listed in OVERRIDE_REASONS if listed.reason is reason)


def recorded_reason(reason: OverrideReason | None, note: str = "") -> str:
    """What the change records: "持有效证明材料", "设备故障：摄像头坏了", or the note alone.
    Empty when nothing was picked and nothing written (the flow refuses that)."""
    note = " ".join(note.split())[:NOTE_MAX_CHARS]
    if reason is None:
        return note
    label = reason_label(reason).zh
    return f"{label}：{note}" if note else label
