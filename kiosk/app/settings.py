"""Settings staff may change on the kiosk itself (behind a supervisor's PIN), kept in the store.

Everything else is configuration (the TOML file) or comes from central (policy, roster)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from kiosk.checkpoint.policy import PassageField

META_KEY = "kiosk_settings"
PASSAGE_FIELDS_KEY = "passage_fields"  # the technician's choice; absent: the policy's fields
MIN_RESULT_S = 0.5
MAX_RESULT_S = 5.0


@dataclass(frozen=True)
class KioskSettings:
    muted: bool = False  # no tones and no voice
    voice: bool = True  # the spoken Mandarin prompt after the tone
    result_seconds: float = 1.0  # how long a result stays on screen

    def __post_init__(self) -> None:
        if not MIN_RESULT_S <= self.result_seconds <= MAX_RESULT_S:
            raise ValueError(f"result_seconds must be {MIN_RESULT_S}-{MAX_RESULT_S}")

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> KioskSettings:
        """Stored settings; anything unreadable falls back to the defaults."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
            return cls(
                muted=bool(data.get("muted", False)),
                voice=bool(data.get("voice", True)),
                result_seconds=float(data.get("result_seconds", 1.0)),
            )
        except (ValueError, TypeError, AttributeError):
            return cls()


def fields_to_json(fields: frozenset[PassageField]) -> str:
    return json.dumps(sorted(f.value for f in fields))


def fields_from_json(text: str | None) -> frozenset[PassageField] | None:
    """The passage fields the technician chose for this checkpoint; None (the policy decides)
    when none were chosen or the stored value is unreadable."""
    if not text:
        return None
    try:
        return frozenset(PassageField(value) for value in json.loads(text))
    except (ValueError, TypeError):
        return None
