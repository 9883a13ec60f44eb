"""The shared header-and-length deframer (`drivers.serialio.framing.LayoutDeframer`), by table,
on the real frames of the three protocols that use it (GY, AA A5, SAM) and on a toy layout.

Frames: issue 4's GY reply `5A5A45040C780D19A7`, AA A5 measure request `AAA503010455`, SAM
find-card reply `AAAAAA9669 0008 00009F 00000000 97`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from drivers.idcard.protocol import SAM_LAYOUT
from drivers.serialio.framing import FrameError, FrameLayout, FrameProblem, LayoutDeframer
from drivers.thermometer.protocol import AAA5_LAYOUT, GY_LAYOUT

GY = bytes.fromhex("5A5A45040C780D19A7")
AAA5 = bytes.fromhex("AAA503010455")
AAA5_BODY = bytes.fromhex("aaa5 08 01 02 0171 00fa 77 55")
SAM = bytes.fromhex("AAAAAA9669 0008 00009F 00000000 97")
LAYOUTS = {"GY": GY_LAYOUT, "AA A5": AAA5_LAYOUT, "SAM": SAM_LAYOUT}


def bad_checksum(frame: bytes, at: int = -1) -> bytes:
    out = bytearray(frame)
    out[at] ^= 0xFF
    return bytes(out)


@dataclass(frozen=True)
class Case:
    layout: str
    reads: tuple[bytes, ...]
    out: tuple[bytes | FrameProblem, ...]  # frames, or the problem of each FrameError
    pending: int = 0


CASES = {
    # garbage before a frame is skipped and counted
    "gy garbage first": Case("GY", (b"\x00\x13\xff" + GY,), (GY,)),
    "aaa5 garbage first": Case("AA A5", (b"\x55\xa5\x01" + AAA5,), (AAA5,)),
    "sam garbage first": Case("SAM", (b"\x96\x69\x00" + SAM,), (SAM,)),
    # a frame split anywhere comes out once, whole, when its last byte arrives
    "gy split in the header": Case("GY", (GY[:1], GY[1:]), (GY,)),
    "gy split after the length": Case("GY", (GY[:4], GY[4:]), (GY,)),
    "aaa5 split before the tail": Case("AA A5", (AAA5[:-1], AAA5[-1:]), (AAA5,)),
    "sam split in the preamble": Case("SAM", (SAM[:3], SAM[3:6], SAM[6:]), (SAM,)),
    "sam split in the length": Case("SAM", (SAM[:6], SAM[6:]), (SAM,)),
    "gy half a frame waits": Case("GY", (GY[:6],), (), pending=6),
    "sam a preamble prefix at the end waits": Case("SAM", (b"\x01\x02" + SAM[:4],), (), pending=4),
    "gy a lone sync byte at the end waits": Case("GY", (b"\x01\x02\x5a",), (), pending=1),
    "aaa5 garbage alone is dropped": Case("AA A5", (b"\x01\x02\x03",), ()),
    # a bad checksum is reported and skipped; the next good frame is still found
    "gy bad checksum then good": Case("GY", (bad_checksum(GY) + GY,), (FrameProblem.CHECKSUM, GY)),
    "aaa5 bad checksum then good": Case(
        "AA A5", (bad_checksum(AAA5, -2) + AAA5_BODY,), (FrameProblem.CHECKSUM, AAA5_BODY)
    ),
    "sam bad checksum then good": Case(
        "SAM", (bad_checksum(SAM) + SAM,), (FrameProblem.CHECKSUM, SAM)
    ),
    "aaa5 missing tail": Case("AA A5", (AAA5[:-1] + b"\x54" + AAA5,), (FrameProblem.FRAMING, AAA5)),
    # a length past the maximum is noise: reported at once, not waited for
    "gy over-long length": Case("GY", (bytes.fromhex("5A5A45FF") + GY,), (FrameProblem.LENGTH, GY)),
    "aaa5 over-long length": Case(
        "AA A5", (bytes.fromhex("AAA521") + AAA5,), (FrameProblem.LENGTH, AAA5)
    ),
    "aaa5 too short a length": Case(
        "AA A5", (bytes.fromhex("AAA502") + AAA5,), (FrameProblem.LENGTH, AAA5)
    ),
    "sam over-long length": Case(
        "SAM", (bytes.fromhex("AAAAAA9669 1001"), SAM), (FrameProblem.LENGTH, SAM)
    ),
    # a real frame that starts inside a truncated one is still found
    "gy truncated frame hides no frame": Case("GY", (GY[:5] + GY,), (FrameProblem.CHECKSUM, GY)),
    "sam frame inside a cut one": Case("SAM", (SAM[:9] + SAM,), (FrameProblem.CHECKSUM, SAM)),
    # frames joined in one read come out one by one
    "gy joined": Case("GY", (GY + GY + GY,), (GY, GY, GY)),
    "sam joined and split": Case("SAM", ((SAM + SAM)[:20], (SAM + SAM)[20:]), (SAM, SAM)),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_layout_deframer_cuts_real_frames_out_of_a_stream(case: Case) -> None:
    deframer = LayoutDeframer(LAYOUTS[case.layout])
    out: list[bytes | FrameError] = []
    for read in case.reads:
        out += deframer.feed(read)
    got = tuple(item.problem if isinstance(item, FrameError) else item for item in out)
    assert got == case.out
    assert deframer.pending == case.pending


def test_bytes_before_a_frame_are_counted_as_discarded() -> None:
    deframer = LayoutDeframer(GY_LAYOUT)
    assert deframer.feed(b"\x00" * 7 + GY) == [GY]
    assert deframer.discarded_bytes == 7


def test_reset_drops_a_half_frame() -> None:
    deframer = LayoutDeframer(SAM_LAYOUT)
    deframer.feed(SAM[:10])
    deframer.reset()
    assert deframer.pending == 0
    assert deframer.feed(SAM[10:] + SAM) == [SAM]


def test_an_error_names_the_protocol_and_keeps_only_the_frame_head() -> None:
    (error,) = LayoutDeframer(SAM_LAYOUT).feed(bad_checksum(SAM))
    assert isinstance(error, FrameError)
    assert error.text == "SAM: bad checksum"
    assert error.frame == bad_checksum(SAM)[:14]  # a read reply's text starts at byte 14
    (error,) = LayoutDeframer(GY_LAYOUT).feed(bytes.fromhex("5A5A45FF"))
    assert isinstance(error, FrameError)
    assert (error.text, error.frame) == ("GY: length 255 outside 0-16", bytes.fromhex("5A5A45FF"))


def xor_of_body(frame: bytes) -> int:
    value = 0
    for byte in frame[4:-1]:
        value ^= byte
    return value


TOY = FrameLayout(
    name="toy",
    header=b"\x7e\x7e",
    length_offset=2,
    length_size=2,
    overhead=5,  # 7E 7E LEN LEN ... CHK
    checksum=xor_of_body,
    min_length=1,
    max_length=8,
)


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        ("7e7e 0001 aa aa", ["7e7e0001aaaa"]),
        # a stray header byte before a frame: a false start, then the frame
        ("00 7e 7e7e 0002 0102 03", [FrameProblem.LENGTH, "7e7e0002010203"]),
        ("7e7e 0000 7e7e 0001 55 55", [FrameProblem.LENGTH, "7e7e00015555"]),
        ("7e7e 0009 7e7e 0001 55 55", [FrameProblem.LENGTH, "7e7e00015555"]),
        ("7e7e 0001 aa ab 7e7e 0001 55 55", [FrameProblem.CHECKSUM, "7e7e00015555"]),
    ],
)
def test_a_two_byte_big_endian_length_and_a_custom_checksum(
    stream: str, expected: list[str | FrameProblem]
) -> None:
    out = LayoutDeframer(TOY).feed(bytes.fromhex(stream))
    assert [i.problem if isinstance(i, FrameError) else i.hex() for i in out] == expected


@pytest.mark.parametrize(
    "bad",
    [
        {"header": b"", "length_offset": 0},
        {"length_offset": 1},  # inside the header
        {"min_length": 0, "overhead": 4},  # the shortest frame would end before its check byte
    ],
)
def test_a_layout_that_cannot_frame_anything_is_refused(bad: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "name": "x",
        "header": b"\x7e\x7e",
        "length_offset": 2,
        "overhead": 5,
        "checksum": xor_of_body,
        "length_size": 2,
    }
    with pytest.raises(ValueError, match=r"length field|header"):
        FrameLayout(**(fields | bad))  # type: ignore[arg-type]
