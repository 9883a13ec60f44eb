"""NFC-only readers (PC/SC, through the optional pyscard): a card serial number, nothing more.

A resident ID card's contactless chip only gives its identity to a SAM; a plain NFC reader
sees just the card serial number (UID). That is recorded as a `CardSerialRead` and is never
an identity. pyscard is imported lazily, so the kiosk runs without it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

# PC/SC part 3 pseudo-APDU: GET DATA, UID of the card in the field.
GET_UID_APDU = (0xFF, 0xCA, 0x00, 0x00, 0x00)
_SW_OK = (0x90, 0x00)


class NfcUnavailableError(RuntimeError):
    """pyscard is not installed, or no PC/SC reader or card is there."""


@dataclass(frozen=True)
class CardSerialRead:
    """The serial number (UID) of a contactless card. Not an identity: never match it to one."""

    serial_hex: str
    reader: str
    read_at_utc: dt.datetime


def parse_uid_response(data: list[int], sw1: int, sw2: int) -> str:
    """The UID as upper-case hex from a GET DATA response; ValueError when the card refused."""
    if (sw1, sw2) != _SW_OK:
        raise ValueError(f"card refused GET DATA: SW {sw1:02X}{sw2:02X}")
    if not data:
        raise ValueError("card returned an empty UID")
    return bytes(data).hex().upper()


def _smartcard() -> Any:
    try:
        import smartcard.System  # type: ignore[import-not-found, unused-ignore]
    except ImportError as error:
        raise NfcUnavailableError("NFC needs pyscard (pip install pyscard)") from error
    return smartcard.System


def read_card_serial(reader_index: int = 0, *, now_utc: dt.datetime) -> CardSerialRead:
    """Read the UID of the card on a PC/SC reader (blocking, one attempt)."""
    system = _smartcard()
    readers = system.readers()
    if len(readers) <= reader_index:
        raise NfcUnavailableError("no PC/SC reader found")
    reader = readers[reader_index]
    connection = reader.createConnection()
    try:
        connection.connect()
    except Exception as error:  # pyscard raises its own exception types for "no card"
        raise NfcUnavailableError(f"no card on {reader}: {error}") from error
    try:
        data, sw1, sw2 = connection.transmit(list(GET_UID_APDU))
    finally:
        connection.disconnect()
    return CardSerialRead(parse_uid_response(data, sw1, sw2), str(reader), now_utc)
