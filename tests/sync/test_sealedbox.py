"""Sealed boxes open only with the recipient's key, for the kiosk they were made for."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from sync.sealedbox import SealedBoxError, open_box, raw_public, seal


def test_a_sealed_box_opens_with_the_recipient_key() -> None:
    recipient = X25519PrivateKey.generate()
    box = seal(b"binding keys", raw_public(recipient.public_key()), b"kiosk-1")
    assert b"binding keys" not in box.ciphertext
    assert open_box(box, recipient, b"kiosk-1") == b"binding keys"


def test_two_boxes_of_the_same_bytes_differ() -> None:
    recipient = raw_public(X25519PrivateKey.generate().public_key())
    first, second = seal(b"same", recipient, b"k"), seal(b"same", recipient, b"k")
    assert first.ephemeral_public_key != second.ephemeral_public_key
    assert first.ciphertext != second.ciphertext


def test_a_box_does_not_open_with_another_key() -> None:
    box = seal(b"x", raw_public(X25519PrivateKey.generate().public_key()), b"k")
    with pytest.raises(SealedBoxError):
        open_box(box, X25519PrivateKey.generate(), b"k")


def test_a_box_made_for_another_kiosk_id_does_not_open() -> None:
    recipient = X25519PrivateKey.generate()
    box = seal(b"x", raw_public(recipient.public_key()), b"kiosk-1")
    with pytest.raises(SealedBoxError):
        open_box(box, recipient, b"kiosk-2")


def test_a_changed_ciphertext_does_not_open() -> None:
    recipient = X25519PrivateKey.generate()
    box = seal(b"binding keys", raw_public(recipient.public_key()), b"k")
    changed = box.model_copy(
        update={"ciphertext": bytes([box.ciphertext[0] ^ 1]) + box.ciphertext[1:]}
    )
    with pytest.raises(SealedBoxError):
        open_box(changed, recipient, b"k")
