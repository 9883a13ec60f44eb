"""Our own code (JKM1): issue and verify, every rejection reason, tampering, garbage."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthcode import base45, cose, jkm
from healthcode.claims import ClaimsError, CodeKind, Colour
from healthcode.identity import binding_matches
from healthcode.keys import Algorithm, SigningKey
from healthcode.results import Rejection, RejectReason, VerifiedCode
from healthcode.schemes import SchemeRegistry
from healthcode.trust import KeyRole, TrustList
from tests.unit.conftest import BINDING_KEY, HAINAN, ID_NUMBER, ISSUED_AT, SHAANXI, World, trusted

SCHEME = jkm.JkmScheme()


def reason_of(result: object) -> RejectReason:
    assert isinstance(result, Rejection), result
    return result.reason


def test_an_issued_code_verifies_with_everything_it_was_issued_with(world: World) -> None:
    claims = world.claims(colour=Colour.YELLOW, colour_seq=7, kind=CodeKind.PROXY)
    result = world.verify(jkm.issue(claims, world.issuer_key))
    assert isinstance(result, VerifiedCode)
    assert result.claims == claims
    assert result.kid == world.issuer_key.kid
    assert result.claims.masked_name == "张*丰"
    assert result.claims.id_binding is not None
    assert binding_matches(BINDING_KEY, ID_NUMBER, result.claims.id_binding)


def test_a_code_holds_no_name_or_id_number_in_clear(world: World) -> None:
    text = world.code()
    payload = cose.decode(base45.decode(text.removeprefix(jkm.PREFIX))).payload
    assert "张三丰".encode() not in payload
    assert ID_NUMBER.encode() not in payload and b"19491231" not in payload


def test_an_es256_code_verifies_too(world: World) -> None:
    es256 = SigningKey.generate(Algorithm.ES256)
    world.trust = TrustList(2, ISSUED_AT, (SHAANXI,), (trusted(es256, KeyRole.ISSUER),))
    assert world.verify(world.code(es256)).ok


def test_the_code_text_fits_qr_version_10_at_level_m_with_room_to_spare(world: World) -> None:
    import segno

    text = world.code(masked_name="欧**娜")  # a four-character name, the longest common
    qr = segno.make(text, error="m", micro=False, boost_error=False)
    assert qr.mode == "alphanumeric"
    assert qr.version <= 10
    assert 311 - len(text) >= 20  # version 10-M holds 311 alphanumeric characters


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", RejectReason.NOT_A_HEALTH_CODE),
        ("https://example.org/code?id=1", RejectReason.NOT_A_HEALTH_CODE),
        ("张三丰", RejectReason.NOT_A_HEALTH_CODE),
        ("x" * 10_000, RejectReason.NOT_A_HEALTH_CODE),
        ("HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH", RejectReason.UNKNOWN_SCHEME),
        ("JKM2:RRQT 9P60", RejectReason.UNKNOWN_VERSION),
        ("JKM1:rrqt", RejectReason.DAMAGED_ENCODING),
        ("JKM1:A", RejectReason.DAMAGED_ENCODING),
        ("JKM1:" + base45.encode(b"not a cose message"), RejectReason.DAMAGED_STRUCTURE),
    ],
)
def test_texts_that_are_not_our_codes_are_rejected_with_the_right_reason(
    world: World, text: str, reason: RejectReason
) -> None:
    assert reason_of(world.verify(text)) is reason


def _text_of(message: object) -> str:
    return jkm.PREFIX + base45.encode(cbor2.dumps(message))


def test_a_message_without_a_key_id_is_damaged(world: World) -> None:
    protected = cbor2.dumps({1: -8})
    text = _text_of(cbor2.CBORTag(18, [protected, {}, b"", b"\x00" * 64]))
    assert reason_of(world.verify(text)) is RejectReason.DAMAGED_STRUCTURE


def test_signed_claims_that_make_no_sense_are_damaged(world: World) -> None:
    text = jkm.PREFIX + base45.encode(cose.sign(cbor2.dumps({1: "610000"}), world.issuer_key))
    assert reason_of(world.verify(text)) is RejectReason.DAMAGED_STRUCTURE


def test_an_algorithm_the_checkpoint_does_not_allow_is_refused(world: World) -> None:
    result = world.verify(world.code(), allowed_algorithms=frozenset({Algorithm.ES256}))
    assert reason_of(result) is RejectReason.ALGORITHM_NOT_ALLOWED


def test_a_code_claiming_another_algorithm_than_its_key_fails_its_signature(world: World) -> None:
    claims = world.claims().encode()
    protected = cbor2.dumps({1: int(Algorithm.ES256), 4: world.issuer_key.kid})
    signature = world.issuer_key.sign(cose.sig_structure(protected, claims))
    text = _text_of(cbor2.CBORTag(18, [protected, {}, claims, signature]))
    assert reason_of(world.verify(text)) is RejectReason.BAD_SIGNATURE


def test_a_code_signed_by_an_unknown_key_is_refused(world: World) -> None:
    assert reason_of(world.verify(world.code(SigningKey.generate()))) is RejectReason.UNKNOWN_KEY


def test_a_code_signed_by_the_feed_key_is_refused(world: World) -> None:
    assert reason_of(world.verify(world.code(world.feed_key))) is RejectReason.UNKNOWN_KEY


def test_a_key_cannot_sign_for_another_region(world: World) -> None:
    result = world.verify(world.code(issuer=HAINAN.region_code))
    assert reason_of(result) is RejectReason.UNTRUSTED_ISSUER


def test_a_region_the_checkpoint_does_not_recognise_is_refused(world: World) -> None:
    result = world.verify(world.code(), recognised_issuers=frozenset({HAINAN.region_code}))
    assert reason_of(result) is RejectReason.UNTRUSTED_ISSUER


def test_a_key_whose_issuer_is_not_in_the_trust_list_is_refused(world: World) -> None:
    hainan_key = SigningKey.generate()
    world.trust = TrustList(
        2, ISSUED_AT, (SHAANXI,), (trusted(hainan_key, KeyRole.ISSUER, issuer=HAINAN),)
    )
    result = world.verify(world.code(hainan_key, issuer=HAINAN.region_code))
    assert reason_of(result) is RejectReason.UNTRUSTED_ISSUER


def test_codes_of_two_recognised_regions_both_verify(world: World) -> None:
    hainan_key = SigningKey.generate()
    world.trust = TrustList(
        2,
        ISSUED_AT,
        (SHAANXI, HAINAN),
        (
            trusted(world.issuer_key, KeyRole.ISSUER),
            trusted(hainan_key, KeyRole.ISSUER, issuer=HAINAN),
        ),
    )
    assert world.verify(world.code()).ok
    assert world.verify(world.code(hainan_key, issuer=HAINAN.region_code)).ok


def _with_issuer_key(world: World, **changes: object) -> None:
    key = dataclasses.replace(trusted(world.issuer_key, KeyRole.ISSUER), **changes)
    world.trust = TrustList(2, ISSUED_AT, (SHAANXI,), (key,))


def test_a_retired_key_keeps_its_earlier_codes_valid_to_their_expiry(world: World) -> None:
    earlier = world.code()
    _with_issuer_key(world, signing_ends_at_utc=ISSUED_AT + timedelta(minutes=1))
    assert world.verify(earlier, now=ISSUED_AT + timedelta(hours=23)).ok
    assert reason_of(world.verify(earlier, now=ISSUED_AT + timedelta(hours=25))) is (
        RejectReason.EXPIRED
    )


def test_a_retired_key_signs_no_new_codes(world: World) -> None:
    _with_issuer_key(world, signing_ends_at_utc=ISSUED_AT - timedelta(minutes=1))
    assert reason_of(world.verify(world.code())) is RejectReason.KEY_RETIRED


def test_a_compromised_key_voids_every_code_whatever_its_issued_at(world: World) -> None:
    backdated = world.code(
        issued_at_utc=ISSUED_AT - timedelta(days=3),
        not_before_utc=ISSUED_AT - timedelta(days=3),
        expires_at_utc=ISSUED_AT + timedelta(days=11),
        kind=CodeKind.PAPER,
    )
    assert world.verify(backdated).ok
    _with_issuer_key(world, compromised_at_utc=ISSUED_AT + timedelta(days=1))
    assert reason_of(world.verify(backdated)) is RejectReason.KEY_COMPROMISED


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        (timedelta(hours=24, minutes=5, seconds=1), RejectReason.EXPIRED),
        (timedelta(hours=24, minutes=5), None),  # inside the 5-minute tolerance
        (timedelta(minutes=-5), None),
        (timedelta(minutes=-5, seconds=-1), RejectReason.NOT_YET_VALID),
        (-timedelta(days=365 * 56), RejectReason.NOT_YET_VALID),  # a box that booted in 1970
    ],
)
def test_validity_times_are_checked_with_the_clock_tolerance(
    world: World, offset: timedelta, reason: RejectReason | None
) -> None:
    result = world.verify(world.code(), now=ISSUED_AT + offset)
    if reason is None:
        assert result.ok
    else:
        assert reason_of(result) is reason


def test_the_clock_tolerance_is_configurable(world: World) -> None:
    late = ISSUED_AT + timedelta(hours=24, minutes=1)
    assert world.verify(world.code(), now=late).ok
    result = world.verify(world.code(), now=late, clock_tolerance=timedelta(0))
    assert reason_of(result) is RejectReason.EXPIRED


def test_a_paper_code_lives_fourteen_days_and_an_app_code_one(world: World) -> None:
    paper = world.claims(kind=CodeKind.PAPER, expires_at_utc=ISSUED_AT + timedelta(days=14))
    assert world.verify(jkm.issue(paper, world.issuer_key), ISSUED_AT + timedelta(days=13)).ok
    expired = world.verify(jkm.issue(paper, world.issuer_key), ISSUED_AT + timedelta(days=15))
    assert isinstance(expired, Rejection)  # the kind is told: paper cannot be refreshed
    assert (expired.reason, expired.kind) == (RejectReason.EXPIRED, CodeKind.PAPER)
    with pytest.raises(ClaimsError, match="valid at most"):
        world.claims(kind=CodeKind.APP, expires_at_utc=ISSUED_AT + timedelta(days=2))


def test_every_rejection_has_chinese_and_english_text() -> None:
    for reason in RejectReason:
        assert reason.text.zh and reason.text.en
        assert reason.text.zh != reason.text.en


def test_a_rejection_detail_never_holds_the_code_id(world: World) -> None:
    claims = world.claims()
    text = jkm.issue(claims, world.issuer_key)
    for now in (ISSUED_AT + timedelta(days=3), ISSUED_AT - timedelta(days=3)):
        result = world.verify(text, now=now)
        assert isinstance(result, Rejection)
        assert claims.code_id_hex not in result.detail


def test_changing_any_single_byte_of_a_valid_code_never_verifies(world: World) -> None:
    raw = bytearray(base45.decode(world.code().removeprefix(jkm.PREFIX)))
    for position in range(len(raw)):
        for mask in (0x01, 0x80, 0xFF):
            tampered = bytearray(raw)
            tampered[position] ^= mask
            text = jkm.PREFIX + base45.encode(bytes(tampered))
            assert not SCHEME.verify(text.removeprefix(jkm.PREFIX), world.context()).ok, (
                position,
                mask,
            )


def test_changing_any_single_character_of_a_valid_code_never_verifies(world: World) -> None:
    text = world.code()
    body = text.removeprefix(jkm.PREFIX)
    for position, char in enumerate(body):
        replacement = "0" if char != "0" else "1"
        tampered = body[:position] + replacement + body[position + 1 :]
        assert not SCHEME.verify(tampered, world.context()).ok, position


def test_a_registry_without_our_scheme_does_not_know_our_codes(world: World) -> None:
    result = SchemeRegistry([]).verify(world.code(), world.context())
    assert reason_of(result) is RejectReason.UNKNOWN_SCHEME


cbor_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.binary(max_size=40)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.integers(-70000, 10) | st.text(max_size=3), children, max_size=6)
    ),
    max_leaves=25,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.text(max_size=300))
def test_garbage_text_after_our_prefix_never_raises(world: World, garbage: str) -> None:
    assert not SCHEME.verify(garbage, world.context()).ok


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.binary(max_size=300))
def test_garbage_bytes_behind_valid_base45_never_raise(world: World, garbage: bytes) -> None:
    result = SCHEME.verify(base45.encode(garbage), world.context())
    assert reason_of(result) in {RejectReason.DAMAGED_STRUCTURE, RejectReason.UNKNOWN_KEY}


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claims=cbor_values)
def test_signed_garbage_claims_never_raise_and_never_verify(world: World, claims: object) -> None:
    payload = cbor2.dumps(claims)
    body = base45.encode(cose.sign(payload, world.issuer_key))
    assert reason_of(SCHEME.verify(body, world.context())) is RejectReason.DAMAGED_STRUCTURE


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=cbor_values)
def test_garbage_cose_structures_never_raise(world: World, message: object) -> None:
    for item in (message, cbor2.CBORTag(18, message)):
        assert not SCHEME.verify(base45.encode(cbor2.dumps(item)), world.context()).ok


@pytest.mark.parametrize(
    "reencode",
    [
        pytest.param(lambda raw: raw + b"\x00", id="a byte after the message"),
        pytest.param(lambda raw: raw + cbor2.dumps("more"), id="a second CBOR item"),
        pytest.param(lambda raw: b"\xd8\x12" + raw[1:], id="a longer-than-needed tag"),
    ],
)
def test_the_same_signed_code_in_another_text_is_refused(world: World, reencode: object) -> None:
    text = world.code()
    raw = base45.decode(text.removeprefix(jkm.PREFIX))
    assert raw[0] == 0xD2  # tag 18 in one byte, as jkm.issue writes it
    other = jkm.PREFIX + base45.encode(reencode(raw))  # type: ignore[operator]
    assert other != text
    assert reason_of(world.verify(other)) is RejectReason.DAMAGED_STRUCTURE
