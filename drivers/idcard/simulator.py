"""SimIdCardReader: a SAM reader with a card that can be placed and removed, and faults.

Runs over a pty (`PtySim(SimIdCardReader(...), baudrate=115200)` paces it like the real
UART) or as the pyserial URL `simidcard://?card=resident` (see `drivers.serialio.urlhandlers`).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import threading
import time
from dataclasses import dataclass, replace

from drivers.idcard.protocol import (
    FIND_CARD,
    PHOTO_LENGTH,
    READ_APPENDED_ADDRESS,
    READ_TEXT_PHOTO,
    READ_TEXT_PHOTO_FINGERPRINT,
    RESET_SAM,
    SAM_ID,
    SAM_STATUS,
    SELECT_CARD,
    SW_CHECKSUM_ERROR,
    SW_COMMAND_ERROR,
    SW_FIND_FAILED,
    SW_FIND_OK,
    SW_LENGTH_ERROR,
    SW_OK,
    SW_READ_FAILED,
    SW_SELECT_FAILED,
    TEXT_LENGTH,
    CardType,
    Gender,
    IdentityRead,
    SamDeframer,
    encode_identity_text,
    encode_read_data,
    parse_command,
    sam_reply,
)
from drivers.serialio.framing import FrameDecodeError, FrameError, FrameProblem
from drivers.serialio.simport import SimPort, SimPortClosedError

# Sample people: made-up names; the numbers are GB 11643 examples with valid check characters.
SAMPLE_RESIDENT = IdentityRead(
    name="王小明",
    gender=Gender.MALE,
    nation="汉",
    birth_date=dt.date(1949, 12, 31),
    address="北京市朝阳区示例路1号",
    id_number="11010519491231002X",
    issuing_authority="北京市公安局朝阳分局",
    valid_from=dt.date(2015, 3, 1),
    valid_to=None,
    photo_wlt=bytes(range(256)) * 4,
)
SAMPLE_HMT_PERMIT = replace(
    SAMPLE_RESIDENT,
    name="陈大文",
    nation=None,
    id_number="810000199408230021",
    birth_date=dt.date(1994, 8, 23),
    valid_to=dt.date(2028, 3, 1),
    card_type=CardType.HMT_RESIDENCE_PERMIT,
)
SAMPLE_FOREIGN = replace(SAMPLE_RESIDENT, card_type=CardType.FOREIGN_PERMANENT_RESIDENT)
SAMPLES = {"resident": SAMPLE_RESIDENT, "hmt": SAMPLE_HMT_PERMIT, "foreign": SAMPLE_FOREIGN}
COMMAND_NAMES = {
    "find": FIND_CARD,
    "select": SELECT_CARD,
    "read": READ_TEXT_PHOTO,
    "reset": RESET_SAM,
    "status": SAM_STATUS,
}
_NOISE_BYTES = bytes(b for b in range(256) if b != 0xAA)


@dataclass(frozen=True)
class SimIdCardSettings:
    """Fault settings: each maps to a `simidcard://` URL option of the same name."""

    card: str = "resident"  # resident, hmt, foreign, or none (no card at the start)
    status: int | None = None  # answer this SW3 ...
    status_on: str = "read"  # ... to this command (find, select, read, reset, status)
    garbage: bool = False  # noise bytes before every reply
    partial: bool = False  # every reply in two writes, `partial_gap_s` apart
    partial_gap_s: float = 0.02
    stall_after: int | None = None  # stop answering after this many replies ...
    stall_s: float = math.inf  # ... for this long
    disconnect_after: int | None = None  # unplug in the middle of reply number N + 1
    corrupt: bool = False  # break the checksum of every read reply
    replace_ms: float | None = None  # a read card is placed again after this long
    seed: int = 0

    def __post_init__(self) -> None:
        if self.card not in (*SAMPLES, "none"):
            raise ValueError(f"unknown card {self.card!r}; use resident, hmt, foreign or none")
        if self.status_on not in COMMAND_NAMES:
            raise ValueError(f"unknown command {self.status_on!r} for status_on")


class SimIdCardReader:
    def __init__(self, settings: SimIdCardSettings | None = None) -> None:
        self.settings = settings or SimIdCardSettings()
        self._lock = threading.Lock()
        self._card: IdentityRead | None = SAMPLES.get(self.settings.card)
        self._card_read = False
        self._selected = False
        self._read_at: float | None = None
        self.replies_sent = 0
        self.commands_seen: list[tuple[int, int]] = []
        self._rng = random.Random(self.settings.seed)  # noqa: S311 - noise, not secrets
        self._stall_until: float | None = None
        self.card_placed = threading.Event()
        self._reads = threading.Condition(self._lock)
        self.reads_served = 0

    def wait_for_reads(self, count: int, timeout_s: float) -> bool:
        """Block until `count` read replies have been served in all (tests, benches)."""
        with self._reads:
            return self._reads.wait_for(lambda: self.reads_served >= count, timeout_s)

    # -- the card ------------------------------------------------------------------------------
    def place_card(self, identity: IdentityRead | None = None) -> None:
        with self._lock:
            self._card = identity or SAMPLES.get(self.settings.card, SAMPLE_RESIDENT)
            self._card_read = False
            self._selected = False
        self.card_placed.set()

    def remove_card(self) -> None:
        with self._lock:
            self._card = None
            self._selected = False

    # -- replies -------------------------------------------------------------------------------
    def _answer(self, command: tuple[int, int], data: bytes) -> bytes:
        forced = self.settings.status
        if forced is not None and command == COMMAND_NAMES[self.settings.status_on]:
            return sam_reply(forced)
        with self._lock:
            replace_s = (self.settings.replace_ms or 0) / 1000
            read_at = self._read_at
            due = read_at is not None and time.monotonic() - read_at >= replace_s
            if replace_s and self._card_read and due:
                self._card_read = False
            card = self._card if not self._card_read else None
            if command == FIND_CARD:
                return sam_reply(SW_FIND_OK, bytes(4)) if card else sam_reply(SW_FIND_FAILED)
            if command == SELECT_CARD:
                self._selected = card is not None
                return sam_reply(SW_OK, bytes(8)) if card else sam_reply(SW_SELECT_FAILED)
            if command in (READ_TEXT_PHOTO, READ_TEXT_PHOTO_FINGERPRINT):
                if card is None or not self._selected:
                    return sam_reply(SW_READ_FAILED)
                self._card_read = True
                self._read_at = time.monotonic()
                self.reads_served += 1
                self._reads.notify_all()
                payload = encode_read_data(card)
                if command == READ_TEXT_PHOTO_FINGERPRINT:
                    payload = payload[:4] + (0).to_bytes(2, "big") + payload[4:]
                reply = sam_reply(SW_OK, payload)
                if self.settings.corrupt:
                    reply = reply[:-1] + bytes([reply[-1] ^ 0xFF])
                return reply
            if command == READ_APPENDED_ADDRESS:
                return sam_reply(SW_OK, " ".encode("utf-16-le") * 35)
            if command in (RESET_SAM, SAM_STATUS):
                return sam_reply(SW_OK)
            if command == SAM_ID:
                return sam_reply(SW_OK, bytes(range(16)))
        return sam_reply(SW_COMMAND_ERROR)

    def send(self, port: SimPort, reply: bytes) -> None:
        s = self.settings
        now = time.monotonic()
        if s.disconnect_after is not None and self.replies_sent >= s.disconnect_after:
            port.write(reply[: len(reply) // 2])
            port.hang_up()
            raise SimPortClosedError
        if s.stall_after is not None and self.replies_sent >= s.stall_after:
            if self._stall_until is None:
                self._stall_until = now + s.stall_s
            if now < self._stall_until:
                return
        self.replies_sent += 1
        if s.garbage:
            count = self._rng.randint(1, 7)
            port.write(bytes(self._rng.choice(_NOISE_BYTES) for _ in range(count)))
        if s.partial:
            half = max(1, len(reply) // 2)
            port.write(reply[:half])
            time.sleep(s.partial_gap_s)
            port.write(reply[half:])
        else:
            port.write(reply)

    def serve(self, port: SimPort, stop: threading.Event) -> None:
        deframer = SamDeframer()
        while not stop.is_set():
            for item in deframer.feed(port.read(0.05)):
                if isinstance(item, FrameError):
                    bad_sum = item.problem is FrameProblem.CHECKSUM
                    self.send(port, sam_reply(SW_CHECKSUM_ERROR if bad_sum else SW_LENGTH_ERROR))
                    continue
                try:
                    command = parse_command(item)
                except FrameDecodeError:
                    self.send(port, sam_reply(SW_LENGTH_ERROR))
                    continue
                self.commands_seen.append(command.command)
                self.send(port, self._answer(command.command, command.data))


def read_reply_length() -> int:
    """Bytes of a `30 01` reply frame: 1295."""
    return 5 + 2 + 3 + 4 + TEXT_LENGTH + PHOTO_LENGTH + 1


__all__ = ["SAMPLES", "SimIdCardReader", "SimIdCardSettings", "encode_identity_text"]
