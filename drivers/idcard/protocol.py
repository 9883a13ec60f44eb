"""SAM serial protocol of second-generation ID-card readers: pure framing and parsing.

Frame: `AA AA AA 96 69 | LEN (2 bytes, big-endian, counts all that follows including CHK) |
CMD PARA [data] | CHK`; replies carry `SW1 SW2 SW3` in place of CMD PARA; CHK = XOR of all
bytes from LEN to the last data byte. 115200 8N1. A `30 01` read reply is 1295 bytes: text
length `0100`, photo length `0400`, 256 bytes of UTF-16LE text, 1024 bytes of WLT photo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from functools import reduce
from operator import xor

from drivers.serialio.events import DeviceFault
from drivers.serialio.framing import (
    FrameDecodeError,
    FrameLayout,
    FrameProblem,
    LayoutDeframer,
)

BAUDRATE = 115200
PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
_MIN_LENGTH = 3  # CMD PARA CHK (a reply has at least SW1 SW2 SW3 CHK)
MAX_LENGTH = 4096  # `30 10` (text, photo and fingerprint) is 2314; anything longer is noise

# Commands (CMD, PARA).
RESET_SAM = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_TEXT_PHOTO = (0x30, 0x01)
READ_TEXT_PHOTO_FINGERPRINT = (0x30, 0x10)
READ_APPENDED_ADDRESS = (0x30, 0x03)

# SW3 values.
SW_OK = 0x90
SW_FIND_OK = 0x9F
SW_FIND_FAILED = 0x80
SW_SELECT_FAILED = 0x81
SW_READ_FAILED = 0x41
SW_CHECKSUM_ERROR = 0x10
SW_LENGTH_ERROR = 0x11
SW_COMMAND_ERROR = 0x21
SW_CARD_AUTH_SAM_FAILED = 0x31
SW_SAM_AUTH_CARD_FAILED = 0x32
SW_INFO_VERIFY_FAILED = 0x33
SW_UNKNOWN_CARD = 0x40
SW_SAM_SELF_TEST_FAILED = 0x60
SW_SAM_UNAUTHORISED = 0x66

TEXT_LENGTH = 256
PHOTO_LENGTH = 1024
READ_REPLY_FRAME_LENGTH = 1295  # 5 + 2 + 3 + 2 + 2 + 256 + 1024 + 1
CARD_TYPE_OFFSET = 248


def checksum(body: bytes) -> int:
    """XOR of LEN through the last data byte."""
    return reduce(xor, body, 0)


def frame_checksum(frame: bytes) -> int:
    """CHK of a whole frame."""
    return checksum(frame[5:-1])


def _frame(head: bytes, data: bytes) -> bytes:
    length = (len(head) + len(data) + 1).to_bytes(2, "big")
    body = length + head + data
    return PREAMBLE + body + bytes([checksum(body)])


def sam_command(command: tuple[int, int], data: bytes = b"") -> bytes:
    """`sam_command(FIND_CARD)` is `AA AA AA 96 69 00 03 20 01 22`."""
    return _frame(bytes(command), data)


def sam_reply(sw3: int, data: bytes = b"", *, sw1: int = 0x00, sw2: int = 0x00) -> bytes:
    """A reader's reply (used by the simulator and the tests)."""
    return _frame(bytes([sw1, sw2, sw3]), data)


def _body(frame: bytes) -> bytes:
    """The bytes between LEN and CHK, after checking preamble, length and checksum."""
    if len(frame) < len(PREAMBLE) + 2 + _MIN_LENGTH or not frame.startswith(PREAMBLE):
        raise FrameDecodeError(FrameProblem.FRAMING, f"not a SAM frame: {frame[:16].hex()}")
    length = int.from_bytes(frame[5:7], "big")
    if length < _MIN_LENGTH or len(frame) != 7 + length:
        raise FrameDecodeError(
            FrameProblem.LENGTH, f"LEN {length} but {len(frame) - 7} bytes follow it"
        )
    if frame_checksum(frame) != frame[-1]:
        raise FrameDecodeError(FrameProblem.CHECKSUM, "bad checksum")
    return frame[7:-1]


@dataclass(frozen=True)
class SamCommand:
    command: tuple[int, int]
    data: bytes


@dataclass(frozen=True)
class SamReply:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = field(repr=False)


def parse_command(frame: bytes) -> SamCommand:
    body = _body(frame)
    return SamCommand((body[0], body[1]), body[2:])


def parse_reply(frame: bytes) -> SamReply:
    body = _body(frame)
    if len(body) < 3:
        raise FrameDecodeError(FrameProblem.LENGTH, "reply shorter than its status words")
    return SamReply(body[0], body[1], body[2], body[3:])


SAM_LAYOUT = FrameLayout(
    name="SAM",
    header=PREAMBLE,
    length_offset=5,
    length_size=2,
    overhead=7,  # preamble and LEN
    checksum=frame_checksum,
    min_length=_MIN_LENGTH,
    max_length=MAX_LENGTH,
    shown_bytes=14,  # a read reply's text (the holder's name) starts at byte 14
)


class SamDeframer(LayoutDeframer):
    """Finds SAM frames in a stream, skipping garbage and surviving split reads."""

    def __init__(self) -> None:
        super().__init__(SAM_LAYOUT)


# --------------------------------------------------------------------------- statuses
class SamStatusError(Exception):
    """A reply whose SW3 is not the one expected; subclasses name each status."""

    status = 0
    fault = DeviceFault.DEVICE_STATUS
    text = "unexpected reader status"

    def __init__(self, status: int | None = None) -> None:
        if status is not None:
            self.status = status
        super().__init__(f"{self.text} (SW3 {self.status:02X})")


class NoCardError(SamStatusError):
    status, text = SW_FIND_FAILED, "no card on the reader"


class SelectCardError(SamStatusError):
    status, text = SW_SELECT_FAILED, "selecting the card failed"


class ReadCardError(SamStatusError):
    status, text = SW_READ_FAILED, "reading the card failed"


class SamChecksumError(SamStatusError):
    status, text = SW_CHECKSUM_ERROR, "the reader saw a bad checksum in our command"


class SamLengthError(SamStatusError):
    status, text = SW_LENGTH_ERROR, "the reader saw a bad length in our command"


class SamCommandError(SamStatusError):
    status, text = SW_COMMAND_ERROR, "the reader does not know our command"


class CardAuthenticationError(SamStatusError):
    status, text = SW_CARD_AUTH_SAM_FAILED, "authentication between card and SAM failed"


class CardAuthenticatesSamError(CardAuthenticationError):
    status, text = SW_CARD_AUTH_SAM_FAILED, "the card did not accept the SAM"


class SamAuthenticatesCardError(CardAuthenticationError):
    status, text = SW_SAM_AUTH_CARD_FAILED, "the SAM did not accept the card (forged?)"


class CardDataVerificationError(CardAuthenticationError):
    status, text = SW_INFO_VERIFY_FAILED, "the card data failed verification"


class UnknownCardError(SamStatusError):
    status, text = SW_UNKNOWN_CARD, "unknown card type"
    fault = DeviceFault.UNSUPPORTED_CARD


class SamSelfTestError(SamStatusError):
    status, text = SW_SAM_SELF_TEST_FAILED, "the SAM failed its self-test"


class SamUnauthorisedError(SamStatusError):
    status, text = SW_SAM_UNAUTHORISED, "the SAM is not authorised"


STATUS_ERRORS: dict[int, type[SamStatusError]] = {
    cls.status: cls
    for cls in (
        NoCardError,
        SelectCardError,
        ReadCardError,
        SamChecksumError,
        SamLengthError,
        SamCommandError,
        CardAuthenticatesSamError,
        SamAuthenticatesCardError,
        CardDataVerificationError,
        UnknownCardError,
        SamSelfTestError,
        SamUnauthorisedError,
    )
}


def check_status(reply: SamReply, expected: int = SW_OK) -> None:
    """Raise the specific SamStatusError for any SW3 other than `expected`."""
    if reply.sw3 == expected:
        return
    error_class = STATUS_ERRORS.get(reply.sw3)
    if error_class is None:
        raise SamStatusError(reply.sw3)
    raise error_class()


# --------------------------------------------------------------------------- identity
class Gender(StrEnum):
    """GB/T 2261.1 codes as the card stores them."""

    UNKNOWN = "0"
    MALE = "1"
    FEMALE = "2"
    UNSPECIFIED = "9"

    @property
    def label(self) -> str:
        return {"0": "未知", "1": "男", "2": "女", "9": "未说明"}[self.value]


class CardType(StrEnum):
    RESIDENT_ID = "resident_id"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"  # byte 248 'J'
    FOREIGN_PERMANENT_RESIDENT = "foreign_permanent_resident"  # byte 248 'I'


# GB 3304 nationality (ethnic group) codes, as the card prints them (民族: 汉).
_NATION_NAMES = (
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
)
NATIONS: dict[str, str] = {
    f"{index:02d}": name for index, name in enumerate(_NATION_NAMES, start=1)
} | {"97": "其他", "98": "外国血统中国籍人士"}

LONG_TERM = "长期"
# (name, byte length) in order; together 256 bytes.
TEXT_FIELDS: tuple[tuple[str, int], ...] = (
    ("name", 30),
    ("gender", 2),
    ("nation", 4),
    ("birth_date", 16),
    ("address", 70),
    ("id_number", 36),
    ("issuing_authority", 30),
    ("valid_from", 16),
    ("valid_to", 16),
    ("reserved", 36),
)


class UnsupportedCardError(ValueError):
    """A card the reader read, but whose layout we do not parse (it is never guessed at)."""

    fault = DeviceFault.UNSUPPORTED_CARD


@dataclass(frozen=True)
class IdentityRead:
    """The text of an ID card as read. The WLT photo stays in memory only.

    repr() shows the card type only, so a logged object leaks nothing; whoever
    displays a card (the kiosk, the CLI) masks the name and number itself.
    """

    name: str
    gender: Gender
    nation: str | None  # None on cards without one (residence permits)
    birth_date: dt.date
    address: str
    id_number: str
    issuing_authority: str
    valid_from: dt.date
    valid_to: dt.date | None  # None: 长期 (no end)
    card_type: CardType = CardType.RESIDENT_ID
    photo_wlt: bytes = field(default=b"", repr=False, compare=False)

    def __repr__(self) -> str:
        return f"IdentityRead(card_type={self.card_type.value}, personal fields not shown)"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _fields(text: bytes) -> dict[str, str]:
    values: dict[str, str] = {}
    offset = 0
    for name, size in TEXT_FIELDS:
        raw = text[offset : offset + size]
        values[name] = raw.decode("utf-16-le", errors="replace").rstrip(" \x00")
        offset += size
    return values


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise FrameDecodeError(FrameProblem.CONTENT, f"{what} is not a date: {value!r}") from None


def card_type_of(text: bytes) -> CardType:
    marker = text[CARD_TYPE_OFFSET : CARD_TYPE_OFFSET + 2]
    if marker == b"J\x00":
        return CardType.HMT_RESIDENCE_PERMIT
    if marker == b"I\x00":
        return CardType.FOREIGN_PERMANENT_RESIDENT
    return CardType.RESIDENT_ID


def parse_identity_text(text: bytes, photo_wlt: bytes = b"") -> IdentityRead:
    if len(text) != TEXT_LENGTH:
        raise FrameDecodeError(FrameProblem.LENGTH, f"text is {len(text)} bytes, not 256")
    card_type = card_type_of(text)
    if card_type is CardType.FOREIGN_PERMANENT_RESIDENT:
        # Its text layout (English name, permit number, nationality ...) differs from the
        # resident card's and is not part of our sources: refuse it rather than misread it.
        raise UnsupportedCardError(
            "foreign permanent resident card (byte 248 'I'): its layout is not supported; "
            "enter the permit number by hand"
        )
    values = _fields(text)
    try:
        gender = Gender(values["gender"])
    except ValueError:
        raise FrameDecodeError(
            FrameProblem.CONTENT, f"gender code {values['gender']!r} is not 0, 1, 2 or 9"
        ) from None
    nation: str | None = None
    if card_type is CardType.RESIDENT_ID:
        nation = NATIONS.get(values["nation"])
        if nation is None:
            raise FrameDecodeError(
                FrameProblem.CONTENT, f"nation code {values['nation']!r} is unknown"
            )
    valid_to_text = values["valid_to"]
    return IdentityRead(
        name=values["name"],
        gender=gender,
        nation=nation,
        birth_date=_date(values["birth_date"], "birth date"),
        address=values["address"],
        id_number=values["id_number"],
        issuing_authority=values["issuing_authority"],
        valid_from=_date(values["valid_from"], "valid-from date"),
        valid_to=None if valid_to_text == LONG_TERM else _date(valid_to_text, "valid-to date"),
        card_type=card_type,
        photo_wlt=photo_wlt,
    )


def parse_read_data(data: bytes, *, with_fingerprint: bool = False) -> IdentityRead:
    """The data of a `30 01` reply (text and photo lengths, text, photo) or, with
    `with_fingerprint`, of a `30 10` reply (a fingerprint length follows the photo length)."""
    header = 6 if with_fingerprint else 4
    if len(data) < header:
        raise FrameDecodeError(FrameProblem.LENGTH, "read reply without its lengths")
    text_length = int.from_bytes(data[0:2], "big")
    photo_length = int.from_bytes(data[2:4], "big")
    if text_length != TEXT_LENGTH or len(data) < header + text_length + photo_length:
        raise FrameDecodeError(
            FrameProblem.LENGTH,
            f"read reply says text {text_length} + photo {photo_length} "
            f"but has {len(data) - header} bytes",
        )
    text = data[header : header + text_length]
    photo = data[header + text_length : header + text_length + photo_length]
    return parse_identity_text(text, photo)


def encode_identity_text(identity: IdentityRead) -> bytes:
    """The 256 text bytes a card holds for `identity` (for the simulator and the tests)."""
    nation_code = next((code for code, name in NATIONS.items() if name == identity.nation), "  ")
    values = {
        "name": identity.name,
        "gender": identity.gender.value,
        "nation": nation_code,
        "birth_date": identity.birth_date.strftime("%Y%m%d"),
        "address": identity.address,
        "id_number": identity.id_number,
        "issuing_authority": identity.issuing_authority,
        "valid_from": identity.valid_from.strftime("%Y%m%d"),
        "valid_to": LONG_TERM
        if identity.valid_to is None
        else identity.valid_to.strftime("%Y%m%d"),
        "reserved": "",
    }
    out = bytearray()
    for name, size in TEXT_FIELDS:
        encoded = values[name].encode("utf-16-le")[:size]
        out += encoded + " ".encode("utf-16-le") * ((size - len(encoded)) // 2)
    marker = {CardType.HMT_RESIDENCE_PERMIT: "J", CardType.FOREIGN_PERMANENT_RESIDENT: "I"}
    if identity.card_type in marker:
        out[CARD_TYPE_OFFSET : CARD_TYPE_OFFSET + 2] = marker[identity.card_type].encode(
            "utf-16-le"
        )
    return bytes(out)


def encode_read_data(identity: IdentityRead) -> bytes:
    photo = identity.photo_wlt.ljust(PHOTO_LENGTH, b"\x00")[:PHOTO_LENGTH]
    return (
        TEXT_LENGTH.to_bytes(2, "big")
        + PHOTO_LENGTH.to_bytes(2, "big")
        + encode_identity_text(identity)
        + photo
    )
