"""SAM reader codec against golden frames (issue 4 facts), every status, and noisy streams.

Sources: issue 4 gives the frame layout, the checksum rule, the find-card OK reply
`AAAAAA9669 0008 00009F 00000000 97`, the command codes, the SW3 codes, the 1295-byte read
reply and its 256-byte UTF-16LE text layout, the 'J'/'I' marker at byte 248, 长期.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from drivers.idcard.nfc import CardSerialRead, parse_uid_response, read_card_serial
from drivers.idcard.protocol import (
    FIND_CARD,
    NATIONS,
    PREAMBLE,
    READ_REPLY_FRAME_LENGTH,
    READ_TEXT_PHOTO,
    SELECT_CARD,
    STATUS_ERRORS,
    SW_FIND_OK,
    SW_OK,
    CardAuthenticatesSamError,
    CardDataVerificationError,
    CardType,
    Gender,
    NoCardError,
    ReadCardError,
    SamAuthenticatesCardError,
    SamChecksumError,
    SamCommandError,
    SamDeframer,
    SamLengthError,
    SamSelfTestError,
    SamStatusError,
    SamUnauthorisedError,
    SelectCardError,
    UnknownCardError,
    UnsupportedCardError,
    check_status,
    encode_identity_text,
    encode_read_data,
    parse_command,
    parse_identity_text,
    parse_read_data,
    parse_reply,
    sam_command,
    sam_reply,
)
from drivers.idcard.simulator import SAMPLE_HMT_PERMIT, SAMPLE_RESIDENT
from drivers.serialio.framing import FrameDecodeError, FrameError, FrameProblem

FIND_OK_REPLY = bytes.fromhex("AAAAAA9669 0008 00009F 00000000 97")  # issue 4, verbatim


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ((0x10, 0xFF), "aaaaaa96690003 10ff ec"),
        ((0x11, 0xFF), "aaaaaa96690003 11ff ed"),
        ((0x12, 0xFF), "aaaaaa96690003 12ff ee"),
        (FIND_CARD, "aaaaaa96690003 2001 22"),
        (SELECT_CARD, "aaaaaa96690003 2002 21"),
        (READ_TEXT_PHOTO, "aaaaaa96690003 3001 32"),
        ((0x30, 0x10), "aaaaaa96690003 3010 23"),
        ((0x30, 0x03), "aaaaaa96690003 3003 30"),
    ],
)
def test_each_command_is_framed_with_len_and_xor_checksum(
    command: tuple[int, int], expected: str
) -> None:
    # CHK = 00 ^ 03 ^ CMD ^ PARA (issue 4: XOR from LEN to the last data byte).
    assert sam_command(command) == bytes.fromhex(expected)
    assert parse_command(bytes.fromhex(expected)).command == command


def test_the_find_card_ok_reply_of_the_issue_is_built_and_parsed_byte_for_byte() -> None:
    assert sam_reply(SW_FIND_OK, bytes(4)) == FIND_OK_REPLY
    reply = parse_reply(FIND_OK_REPLY)
    assert (reply.sw1, reply.sw2, reply.sw3, reply.data) == (0, 0, 0x9F, bytes(4))
    check_status(reply, SW_FIND_OK)


def test_a_read_reply_is_1295_bytes_with_its_text_and_photo_lengths() -> None:
    frame = sam_reply(SW_OK, encode_read_data(SAMPLE_RESIDENT))
    assert len(frame) == READ_REPLY_FRAME_LENGTH == 1295
    assert frame[5:7] == (1288).to_bytes(2, "big")
    assert frame[10:14] == bytes.fromhex("0100 0400")
    identity = parse_read_data(parse_reply(frame).data)
    assert identity == SAMPLE_RESIDENT
    assert identity.photo_wlt == SAMPLE_RESIDENT.photo_wlt


@pytest.mark.parametrize(
    ("sw3", "error_class"),
    [
        (0x80, NoCardError),
        (0x81, SelectCardError),
        (0x41, ReadCardError),
        (0x10, SamChecksumError),
        (0x11, SamLengthError),
        (0x21, SamCommandError),
        (0x31, CardAuthenticatesSamError),
        (0x32, SamAuthenticatesCardError),
        (0x33, CardDataVerificationError),
        (0x40, UnknownCardError),
        (0x60, SamSelfTestError),
        (0x66, SamUnauthorisedError),
    ],
)
def test_each_status_word_becomes_its_own_error(sw3: int, error_class: type) -> None:
    with pytest.raises(error_class) as caught:
        check_status(parse_reply(sam_reply(sw3)))
    assert caught.value.status == sw3
    assert f"SW3 {sw3:02X}" in str(caught.value)


def test_every_status_error_has_a_distinct_text() -> None:
    texts = [cls.text for cls in STATUS_ERRORS.values()]
    assert len(set(texts)) == len(texts) == 12


def test_an_undocumented_status_is_still_an_error_naming_its_code() -> None:
    with pytest.raises(SamStatusError, match="SW3 77"):
        check_status(parse_reply(sam_reply(0x77)))


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        (FIND_OK_REPLY[:-1] + b"\x98", FrameProblem.CHECKSUM),
        (PREAMBLE + bytes.fromhex("0009 00009F 00000000 96"), FrameProblem.LENGTH),
        (PREAMBLE + bytes.fromhex("0003 0000 03"), FrameProblem.LENGTH),
        (bytes.fromhex("AAAAAA9670 0008 00009F 00000000 97"), FrameProblem.FRAMING),
    ],
)
def test_checksum_and_length_errors_are_named(frame: bytes, problem: FrameProblem) -> None:
    with pytest.raises(FrameDecodeError) as caught:
        parse_reply(frame)
    assert caught.value.problem is problem


def test_text_fields_follow_the_256_byte_layout() -> None:
    text = encode_identity_text(SAMPLE_RESIDENT)
    assert len(text) == 256
    assert text[0:6].decode("utf-16-le") == "王小明"
    assert text[30:32].decode("utf-16-le") == "1"
    assert text[32:36].decode("utf-16-le") == "01"
    assert text[36:52].decode("utf-16-le") == "19491231"
    assert text[122:158].decode("utf-16-le") == "11010519491231002X"
    assert text[204:208].decode("utf-16-le") == "长期"


def test_nations_01_to_56_and_97_98_are_named() -> None:
    assert len(NATIONS) == 58
    assert (NATIONS["01"], NATIONS["02"], NATIONS["56"]) == ("汉", "蒙古", "基诺")
    assert (NATIONS["97"], NATIONS["98"]) == ("其他", "外国血统中国籍人士")


@pytest.mark.parametrize("nation", ["蒙古", "维吾尔", "基诺", "外国血统中国籍人士"])
def test_a_nation_code_round_trips_to_its_name(nation: str) -> None:
    identity = replace(SAMPLE_RESIDENT, nation=nation)
    assert parse_identity_text(encode_identity_text(identity)).nation == nation


@pytest.mark.parametrize("gender", list(Gender))
def test_gender_codes_0_1_2_9_are_read(gender: Gender) -> None:
    identity = replace(SAMPLE_RESIDENT, gender=gender)
    assert parse_identity_text(encode_identity_text(identity)).gender is gender


def test_an_unknown_gender_or_nation_code_is_a_content_error() -> None:
    text = bytearray(encode_identity_text(SAMPLE_RESIDENT))
    text[30:32] = "5".encode("utf-16-le")
    with pytest.raises(FrameDecodeError, match="gender"):
        parse_identity_text(bytes(text))
    text = bytearray(encode_identity_text(SAMPLE_RESIDENT))
    text[32:36] = "60".encode("utf-16-le")
    with pytest.raises(FrameDecodeError, match="nation"):
        parse_identity_text(bytes(text))


def test_long_term_validity_has_no_end_and_a_dated_one_has() -> None:
    assert parse_identity_text(encode_identity_text(SAMPLE_RESIDENT)).valid_to is None
    dated = replace(SAMPLE_RESIDENT, valid_to=dt.date(2035, 3, 1))
    parsed = parse_identity_text(encode_identity_text(dated))
    assert parsed.valid_to == dt.date(2035, 3, 1)
    assert parsed.is_valid_on(dt.date(2035, 3, 1))
    assert not parsed.is_valid_on(dt.date(2035, 3, 2))


def test_a_j_at_byte_248_is_a_residence_permit_without_a_nation() -> None:
    text = encode_identity_text(SAMPLE_HMT_PERMIT)
    assert text[248:250] == b"J\x00"
    parsed = parse_identity_text(text)
    assert parsed.card_type is CardType.HMT_RESIDENCE_PERMIT
    assert (parsed.nation, parsed.id_number) == (None, "810000199408230021")


def test_an_i_at_byte_248_is_refused_clearly_as_a_foreign_permanent_resident_card() -> None:
    text = bytearray(encode_identity_text(SAMPLE_RESIDENT))
    text[248:250] = b"I\x00"
    with pytest.raises(UnsupportedCardError, match="foreign permanent resident"):
        parse_identity_text(bytes(text))


def test_the_repr_of_an_identity_shows_no_personal_field() -> None:
    shown = repr(SAMPLE_RESIDENT)
    assert shown == "IdentityRead(card_type=resident_id, personal fields not shown)"
    for value in ("王小明", "王*明", "11010519491231002X", "002X", "朝阳区", "1949", "photo"):
        assert value not in shown


def test_a_text_of_the_wrong_size_or_a_short_read_reply_is_a_length_error() -> None:
    with pytest.raises(FrameDecodeError) as caught:
        parse_identity_text(bytes(100))
    assert caught.value.problem is FrameProblem.LENGTH
    with pytest.raises(FrameDecodeError) as caught:
        parse_read_data(encode_read_data(SAMPLE_RESIDENT)[:600])
    assert caught.value.problem is FrameProblem.LENGTH


# --------------------------------------------------------------------------- streams
def test_a_read_reply_split_into_many_reads_comes_out_once_whole() -> None:
    frame = sam_reply(SW_OK, encode_read_data(SAMPLE_RESIDENT))
    deframer = SamDeframer()
    out: list[bytes | FrameError] = []
    for start in range(0, len(frame), 100):
        out += deframer.feed(frame[start : start + 100])
    assert out == [frame]


def test_replies_joined_in_one_read_come_out_separately() -> None:
    read = sam_reply(SW_OK, encode_read_data(SAMPLE_RESIDENT))
    assert SamDeframer().feed(FIND_OK_REPLY + read + FIND_OK_REPLY) == [
        FIND_OK_REPLY,
        read,
        FIND_OK_REPLY,
    ]


def test_a_frame_with_a_bad_checksum_is_reported_and_the_next_one_still_found() -> None:
    bad = FIND_OK_REPLY[:-1] + b"\x00"
    out = SamDeframer().feed(bad + FIND_OK_REPLY)
    assert out[-1] == FIND_OK_REPLY
    assert any(
        isinstance(item, FrameError) and item.problem is FrameProblem.CHECKSUM for item in out
    )


@settings(max_examples=60, deadline=None)
@given(
    statuses=st.lists(st.sampled_from([0x90, 0x9F, 0x80, 0x41]), min_size=1, max_size=4),
    garbage=st.lists(st.binary(max_size=30), min_size=5, max_size=5),
    cut_every=st.integers(1, 40),
)
def test_sam_frames_survive_random_garbage_between_them_and_any_split(
    statuses: list[int], garbage: list[bytes], cut_every: int
) -> None:
    assume(not any(PREAMBLE in g for g in garbage))
    frames = [sam_reply(sw3, bytes([sw3]) * 4) for sw3 in statuses]
    stream = garbage[0] + b"".join(f + g for f, g in zip(frames, garbage[1:], strict=False))
    deframer = SamDeframer()
    out: list[bytes | FrameError] = []
    for start in range(0, len(stream), cut_every):
        out += deframer.feed(stream[start : start + cut_every])
    assert [item for item in out if isinstance(item, bytes)] == frames


# --------------------------------------------------------------------------- NFC
NOW = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def test_an_nfc_uid_response_gives_a_serial_number_only() -> None:
    assert parse_uid_response([0x04, 0xA2, 0x1B, 0x7F], 0x90, 0x00) == "04A21B7F"
    with pytest.raises(ValueError, match="6A81"):
        parse_uid_response([], 0x6A, 0x81)
    fields = set(CardSerialRead.__dataclass_fields__)
    assert fields == {"serial_hex", "reader", "read_at_utc"}


def test_nfc_reading_through_pyscard_needs_a_reader() -> None:
    pytest.importorskip("smartcard", reason="pyscard is an optional extra")
    from drivers.idcard.nfc import NfcUnavailableError

    try:
        read = read_card_serial(now_utc=NOW)
    except NfcUnavailableError:
        pytest.skip("no PC/SC reader or card present")
    assert read.serial_hex


def test_without_pyscard_nfc_fails_with_a_clear_message() -> None:
    try:
        import smartcard  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("pyscard is installed here")
    from drivers.idcard.nfc import NfcUnavailableError

    with pytest.raises(NfcUnavailableError, match="pyscard"):
        read_card_serial(now_utc=NOW)
