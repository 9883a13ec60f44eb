"""User-facing text in Chinese first, with English available."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["zh", "en"]


@dataclass(frozen=True)
class LocalText:
    """One message in both languages; `zh` is what the kiosk shows by default."""

    zh: str
    en: str

    def get(self, language: Language = "zh") -> str:
        return self.en if language == "en" else self.zh

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


# Between the items of a list in one sentence: Chinese takes its full-width semicolon.
LIST_SEPARATOR = LocalText("；", "; ")
