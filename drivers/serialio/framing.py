"""Pieces shared by the byte-frame codecs: frame errors, the stream-deframer interface, and
the one deframer for header-and-length protocols (GY, AA A5, SAM), parameterised by layout."""

from __future__ import annotations

from collections.abc import Callable
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


@dataclass(frozen=True)
class FrameLayout:
    """How a protocol frames its bytes: `header`, a big-endian length field at
    `length_offset` (`length_size` bytes), then enough bytes that the whole frame is
    `length + overhead` long, a check byte at `checksum_offset` that must equal
    `checksum(frame)`, and optionally fixed closing bytes (`trailer`)."""

    name: str
    header: bytes
    length_offset: int
    overhead: int
    checksum: Callable[[bytes], int]
    length_size: int = 1
    min_length: int = 0
    max_length: int = 255  # anything longer is noise, not a frame to wait for
    checksum_offset: int = -1
    trailer: bytes = b""
    shown_bytes: int = 16  # how much of a bad frame its FrameError keeps (for the log)

    def __post_init__(self) -> None:
        if not self.header or self.length_offset < len(self.header):
            raise ValueError("the length field must follow a non-empty header")
        if self.min_length + self.overhead < self.length_offset + self.length_size + 1:
            raise ValueError("the shortest frame must hold its length field and a check byte")

    @property
    def head_size(self) -> int:
        """Bytes needed to know a frame's length."""
        return self.length_offset + self.length_size

    def length_of(self, head: bytes | bytearray) -> int:
        return int.from_bytes(head[self.length_offset : self.head_size], "big")

    def bad_length(self, length: int, head: bytes) -> FrameError:
        text = f"{self.name}: length {length} outside {self.min_length}-{self.max_length}"
        return FrameError(FrameProblem.LENGTH, text, head)

    def problem(self, frame: bytes) -> FrameError | None:
        """What is wrong with a frame whose header and length are right: its trailer or its
        check byte; None when it is whole."""
        if self.trailer and not frame.endswith(self.trailer):
            return FrameError(
                FrameProblem.FRAMING,
                f"{self.name}: no {self.trailer.hex()} at the end",
                frame[: self.shown_bytes],
            )
        if self.checksum(frame) != frame[self.checksum_offset]:
            return FrameError(
                FrameProblem.CHECKSUM, f"{self.name}: bad checksum", frame[: self.shown_bytes]
            )
        return None


class LayoutDeframer:
    """Finds the frames of one `FrameLayout` in a stream: skips garbage before a header,
    waits for the rest of a split frame, and on a bad length, trailer or checksum reports a
    FrameError and looks again one byte further (a real frame may start inside a bad one)."""

    def __init__(self, layout: FrameLayout) -> None:
        self.layout = layout
        self._buffer = bytearray()
        self.discarded_bytes = 0

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def reset(self) -> None:
        self._buffer.clear()

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        layout, buffer = self.layout, self._buffer
        buffer += data
        out: list[bytes | FrameError] = []
        while True:
            start = buffer.find(layout.header)
            if start < 0:
                keep = _header_prefix_length(buffer, layout.header)
                self.discarded_bytes += len(buffer) - keep
                del buffer[: len(buffer) - keep]
                return out
            self.discarded_bytes += start
            del buffer[:start]
            if len(buffer) < layout.head_size:
                return out
            length = layout.length_of(buffer)
            if not layout.min_length <= length <= layout.max_length:
                out.append(layout.bad_length(length, bytes(buffer[: layout.head_size])))
                del buffer[0]
                continue
            total = length + layout.overhead
            if len(buffer) < total:
                return out
            frame = bytes(buffer[:total])
            error = layout.problem(frame)
            if error is not None:
                out.append(error)
                del buffer[0]
                continue
            out.append(frame)
            del buffer[:total]


def _header_prefix_length(buffer: bytearray, header: bytes) -> int:
    """How many trailing bytes could be the start of a header (kept for the next read)."""
    for size in range(min(len(header) - 1, len(buffer)), 0, -1):
        if buffer.endswith(header[:size]):
            return size
    return 0
