"""The reasons staff pick from when they change a decision, and the text a change records.

A gloved hand picks a listed reason; a short note is optional, made of common phrases (one
touch each, in Chinese whatever the screen's language: the language of the kiosk's records)
and a few letters or digits typed on the on-screen keyboard (a plate, an ID, a short word). The
recorded reason is the listed reason's Chinese, then the note when there is one.
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
NOTE_SEPARATOR = "，"

# What staff most often add to a changed decision at a checkpoint: how the person was checked
# instead (paper proof, a phone call, the community), who they are with, and what failed.
NOTE_PHRASES: tuple[LocalText, ...] = (
    LocalText("持纸质证明", "Paper proof"),
    LocalText("已电话核实", "Phoned to check"),
    LocalText("社区已确认", "Community confirms"),
    LocalText("复测体温正常", "Re-measured normal"),
    LocalText("老人无智能手机", "Elderly, no phone"),
    LocalText("同行家属", "With family"),
    LocalText("工作人员陪同", "Staff escort"),
    LocalText("读卡器故障", "Card reader fault"),
)


def note_with_phrase(note: str, phrase: str) -> str:
    """The note with `phrase` added after a Chinese comma; unchanged when the phrase is already
    there or would not fit in NOTE_MAX_CHARS (a phrase is never cut in half)."""
    note = note.strip()
    if phrase in note:
        return note
    longer = f"{note}{NOTE_SEPARATOR}{phrase}" if note else phrase
    return longer if len(longer) <= NOTE_MAX_CHARS else note


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
