"""Pieces shared by the byte-frame codecs: frame errors and the stream-deframer interface."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class FrameProblem(StrEnum):
    CHECKSUM = "checksum"
    LENGTH = "length"
    FRAMING = "framing"
    CONTENT = "content"


@dataclass(frozen=True)
class FrameError:
    """A frame that arrived but cannot be used; returned by deframers (not raised) and logged."""

    problem: FrameProblem
    text: str
    frame: bytes = b""


class FrameDecodeError(ValueError):
    """Raised by the pure parse functions; carries the same problem codes as FrameError."""

    def __init__(self, problem: FrameProblem, text: str) -> None:
        super().__init__(text)
        self.problem = problem


class Deframer(Protocol):
    """Cuts a byte stream into candidate frames, skipping garbage, surviving split reads."""

    def feed(self, data: bytes) -> list[bytes | FrameError]: ...

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        ...

    def reset(self) -> None: ...
