"""COSE_Sign1 against RFC 9052's structure and example, and the EU DCC test data."""

from __future__ import annotations

import base64
import hashlib

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from healthcode import cose
from healthcode.keys import Algorithm, PublicKey, SigningKey
from tests.interop import dcc_cases

# RFC 9052, Appendix C.2.1: a COSE_Sign1 with ES256 by key "11" (Appendix C.7.1).
RFC_SIGN1 = bytes.fromhex(
    "D28443A10126A10442313154546869732069732074686520636F6E74656E742E5840"
    "8EB33E4CA31D1C465AB05AAC34CC6B23D58FEF5C083106C4D25A91AEF0B0117E"
    "2AF9A291AA32E14AB834DC56ED2A223444547E01F11D3B0916E5A4C345CACB36"
)
RFC_KEY_11 = ec.EllipticCurvePublicNumbers(
    int("bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff", 16),
    int("20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e", 16),
    ec.SECP256R1(),
).public_key()


def test_the_rfc_9052_example_decodes_and_verifies() -> None:
    message = cose.decode(RFC_SIGN1)
    key = PublicKey.from_key(RFC_KEY_11, kid=b"11")
    assert message.algorithm == Algorithm.ES256
    assert message.kid == b"11"  # from the unprotected header, as in the example
    assert message.payload == b"This is the content."
    assert message.verify(key)


def test_the_rfc_9052_example_fails_with_other_external_data() -> None:
    key = PublicKey.from_key(RFC_KEY_11, kid=b"11")
    assert not cose.decode(RFC_SIGN1).verify(key, external_aad=b"x")


@pytest.mark.parametrize("algorithm", [Algorithm.EDDSA, Algorithm.ES256])
def test_a_signed_message_has_the_rfc_structure(algorithm: Algorithm) -> None:
    key = SigningKey.generate(algorithm)
    data = cose.sign(b"payload", key)
    tagged = cbor2.loads(data)
    assert tagged.tag == 18
    protected, unprotected, payload, signature = tagged.value
    assert cbor2.loads(protected) == {1: int(algorithm), 4: key.kid}
    assert dict(unprotected) == {}
    assert payload == b"payload"
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", b"payload"])
    assert key.public.verify(signature, to_be_signed)
    assert len(signature) == 64


def test_an_untagged_message_is_also_accepted() -> None:
    key = SigningKey.generate()
    message = cose.decode(cose.sign(b"x", key, tagged=False))
    assert message.verify(key.public)


def test_a_signature_by_another_key_does_not_verify() -> None:
    message = cose.decode(cose.sign(b"x", SigningKey.generate()))
    assert not message.verify(SigningKey.generate().public)


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        (b"\xff\x00", "not CBOR"),
        (cbor2.dumps(cbor2.CBORTag(98, [])), "tag 98"),
        (cbor2.dumps([b"", {}, b""]), "four items"),
        (cbor2.dumps(["x", {}, b"", b""]), "protected header must be a byte string"),
        (cbor2.dumps([b"", [], b"", b""]), "unprotected header must be a map"),
        (cbor2.dumps([b"", {}, None, b""]), "attached byte string"),
        (cbor2.dumps([b"", {}, b"", 5]), "signature must be a byte string"),
        (cbor2.dumps([b"\x01", {}, b"", b""]), "protected header must encode a map"),
    ],
)
def test_malformed_messages_are_refused_with_a_specific_reason(data: bytes, complaint: str) -> None:
    with pytest.raises(cose.CoseError, match=complaint):
        cose.decode(data)


def _verify_cases() -> list[tuple[str, str, str, bool]]:
    cases = []
    for name, case in dcc_cases():
        expected = case["EXPECTEDRESULTS"].get("EXPECTEDVERIFY")
        certificate = case.get("TESTCTX", {}).get("CERTIFICATE")
        if expected is None or not certificate or not case.get("COSE"):
            continue
        cases.append((name, case["COSE"], certificate, expected))
    return cases


DCC_VERIFY = _verify_cases()


def test_the_dcc_corpus_has_signatures_that_verify_and_some_that_do_not() -> None:
    outcomes = {expected for *_, expected in DCC_VERIFY}
    assert len(DCC_VERIFY) > 300
    assert outcomes == {True, False}


@pytest.mark.parametrize(
    ("name", "cose_hex", "certificate", "expected"), DCC_VERIFY, ids=[c[0] for c in DCC_VERIFY]
)
def test_dcc_signatures_verify_exactly_when_the_corpus_says_so(
    name: str, cose_hex: str, certificate: str, expected: bool
) -> None:
    der = base64.b64decode(certificate)
    cert = x509.load_der_x509_certificate(der)
    # A DCC key id is the first 8 bytes of the SHA-256 of the signing certificate.
    key = PublicKey.from_key(cert.public_key(), kid=hashlib.sha256(der).digest()[:8])  # type: ignore[arg-type]
    try:
        message = cose.decode(bytes.fromhex(cose_hex))
    except cose.CoseError:
        assert expected is False
        return
    verified = message.kid == key.kid and message.algorithm == key.algorithm and message.verify(key)
    assert verified is expected


def test_bytes_after_the_message_are_refused() -> None:
    message = cose.sign(b"payload", SigningKey.generate(Algorithm.EDDSA))
    assert cose.decode(message).payload == b"payload"
    with pytest.raises(cose.CoseError, match="1 bytes after the COSE_Sign1"):
        cose.decode(message + b"\x00")
