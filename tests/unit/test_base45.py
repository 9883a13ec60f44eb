"""Base45 against RFC 9285's examples and the EU DCC test data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthcode import base45
from tests.interop import dcc_cases


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"AB", "BB8"),  # RFC 9285, 4.3
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),  # RFC 9285, 4.4 (decoding example)
        (b"", ""),
        (b"\x00", "00"),
        (b"\xff\xff", "FGW"),  # the largest triplet
    ],
)
def test_rfc_examples_encode_and_decode_both_ways(data: bytes, text: str) -> None:
    assert base45.encode(data) == text
    assert base45.decode(text) == data


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("GGW", "more than two bytes"),  # 65536 does not fit
        ("GGW0", "single character"),
        ("A", "single character"),
        ("ab", "not in the Base45 alphabet"),
        ("FGW:;", "not in the Base45 alphabet"),
        ("GW", "more than one byte"),  # 16 + 32*45 = 1456 > 255
    ],
)
def test_invalid_text_is_refused_with_a_specific_reason(text: str, complaint: str) -> None:
    with pytest.raises(base45.Base45Error, match=complaint):
        base45.decode(text)


@given(st.binary(max_size=400))
def test_any_bytes_survive_a_round_trip(data: bytes) -> None:
    assert base45.decode(base45.encode(data)) == data


@given(st.text(max_size=60))
def test_arbitrary_text_either_decodes_or_raises_base45_error(text: str) -> None:
    try:
        decoded = base45.decode(text)
    except base45.Base45Error:
        return
    assert base45.encode(decoded) == text


def _base45_cases() -> list[tuple[str, str, str]]:
    return [
        (name, case["BASE45"], case["COMPRESSED"])
        for name, case in dcc_cases()
        if "BASE45" in case
        and "COMPRESSED" in case
        and case["EXPECTEDRESULTS"].get("EXPECTEDB45DECODE") is True
    ]


DCC_CASES = _base45_cases()


def test_the_dcc_corpus_has_base45_cases_to_check() -> None:
    assert len(DCC_CASES) > 100


@pytest.mark.parametrize(("name", "text", "compressed"), DCC_CASES, ids=[c[0] for c in DCC_CASES])
def test_dcc_base45_decodes_to_its_compressed_bytes(name: str, text: str, compressed: str) -> None:
    assert base45.decode(text) == bytes.fromhex(compressed)
