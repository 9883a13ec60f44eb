"""The signed trust list: tampering, rollback, and rotating the root without touching kiosks."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import cbor2
import pytest

from healthcode import cose
from healthcode.keys import SigningKey
from healthcode.trust import (
    KeyRole,
    TrustAnchor,
    TrustedKey,
    TrustList,
    TrustListError,
    TrustListProblem,
    open_signed_trust_list,
)
from tests.unit.conftest import HAINAN, ISSUED_AT, SHAANXI, World, trusted


def problem_of(anchor: TrustAnchor, data: bytes) -> TrustListProblem:
    with pytest.raises(TrustListError) as caught:
        anchor.accept(data)
    return caught.value.problem


def test_a_signed_list_round_trips_with_every_field(world: World) -> None:
    key = dataclasses.replace(
        trusted(world.issuer_key, KeyRole.ISSUER),
        signing_ends_at_utc=ISSUED_AT + timedelta(days=1),
        compromised_at_utc=ISSUED_AT + timedelta(days=2),
    )
    original = TrustList(
        7,
        ISSUED_AT,
        (SHAANXI, HAINAN),
        (key, trusted(world.feed_key, KeyRole.FEED)),
        next_root=SigningKey.generate().public,
    )
    opened, signer = open_signed_trust_list(original.sign(world.root), [world.root.public])
    assert opened == original
    assert signer == world.root.public
    assert opened.key(world.issuer_key.kid) == key
    assert opened.issuer("460000") == HAINAN


def test_any_tampering_with_a_signed_list_is_detected(world: World) -> None:
    signed = bytearray(world.trust.sign(world.root))
    for position in range(len(signed)):
        tampered = bytearray(signed)
        tampered[position] ^= 0x01
        with pytest.raises(TrustListError):
            open_signed_trust_list(bytes(tampered), [world.root.public])


def test_a_list_that_adds_a_key_without_the_root_is_refused(world: World) -> None:
    message = cose.decode(world.trust.sign(world.root))
    forged_list = dataclasses.replace(
        world.trust, keys=(*world.trust.keys, trusted(SigningKey.generate(), KeyRole.ISSUER))
    )
    forged = cbor2.dumps(
        cbor2.CBORTag(18, [message.protected, {}, forged_list.encode(), message.signature])
    )
    assert problem_of(TrustAnchor(world.root.public), forged) is TrustListProblem.BAD_SIGNATURE


def test_a_list_signed_by_another_root_is_refused(world: World) -> None:
    data = world.trust.sign(SigningKey.generate())
    assert problem_of(TrustAnchor(world.root.public), data) is TrustListProblem.UNKNOWN_ROOT


def test_a_list_signed_by_an_issuer_key_is_refused(world: World) -> None:
    data = world.trust.sign(world.issuer_key)
    assert problem_of(TrustAnchor(world.root.public), data) is TrustListProblem.UNKNOWN_ROOT


def test_garbage_is_refused_as_damaged(world: World) -> None:
    anchor = TrustAnchor(world.root.public)
    assert problem_of(anchor, b"garbage") is TrustListProblem.DAMAGED
    signed_junk = cose.sign(cbor2.dumps({"v": 1, "seq": "x"}), world.root)
    assert problem_of(anchor, signed_junk) is TrustListProblem.DAMAGED


def test_an_older_list_cannot_replace_a_newer_one(world: World) -> None:
    anchor = TrustAnchor(world.root.public)
    old = world.trust.sign(world.root)
    newer = dataclasses.replace(world.trust, sequence=2).sign(world.root)
    anchor.accept(newer)
    assert problem_of(anchor, old) is TrustListProblem.ROLLBACK
    assert problem_of(anchor, newer) is TrustListProblem.ROLLBACK
    assert anchor.current is not None and anchor.current.sequence == 2


def test_the_root_rotates_through_the_next_root_named_in_the_list(world: World) -> None:
    next_root = SigningKey.generate()
    anchor = TrustAnchor(world.root.public)
    anchor.accept(dataclasses.replace(world.trust, next_root=next_root.public).sign(world.root))

    rotated = dataclasses.replace(world.trust, sequence=2).sign(next_root)
    anchor.accept(rotated)
    assert anchor.root == next_root.public

    # The old root is no longer trusted once the pin has moved.
    after = dataclasses.replace(world.trust, sequence=3).sign(world.root)
    assert problem_of(anchor, after) is TrustListProblem.UNKNOWN_ROOT


def test_a_next_root_is_not_trusted_before_a_list_names_it(world: World) -> None:
    next_root = SigningKey.generate()
    data = dataclasses.replace(world.trust, sequence=2).sign(next_root)
    assert problem_of(TrustAnchor(world.root.public), data) is TrustListProblem.UNKNOWN_ROOT


def test_two_keys_with_one_id_are_refused(world: World) -> None:
    key = trusted(world.issuer_key, KeyRole.ISSUER)
    with pytest.raises(ValueError, match="share a key id"):
        TrustList(1, ISSUED_AT, (SHAANXI,), (key, key))


def test_a_key_whose_id_does_not_match_its_public_key_is_refused(world: World) -> None:
    body = cbor2.loads(world.trust.encode())
    body["keys"][0]["kid"] = b"\x00" * 8
    data = cose.sign(cbor2.dumps(body), world.root)
    assert problem_of(TrustAnchor(world.root.public), data) is TrustListProblem.DAMAGED


def test_retiring_and_revoking_give_new_key_states(world: World) -> None:
    key: TrustedKey = trusted(world.issuer_key, KeyRole.ISSUER)
    retired = key.retired(ISSUED_AT)
    assert retired.signed_too_late(ISSUED_AT + timedelta(seconds=1))
    assert not retired.signed_too_late(ISSUED_AT)
    assert key.revoked(ISSUED_AT).compromised and not key.compromised


def test_every_problem_has_chinese_and_english_text() -> None:
    for problem in TrustListProblem:
        assert problem.text.zh and problem.text.en
