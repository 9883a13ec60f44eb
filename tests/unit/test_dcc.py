"""The EU DCC scheme (`HC1:`): signed test certificates of our own making, the trust file, and
the corpus's valid cases through the whole scheme (the staff decision is the checkpoint's:
tests/kiosk/test_foreign.py)."""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from healthcode import base45, conformance, cose, dcc, jkm
from healthcode.keys import SigningKey
from healthcode.results import (
    ForeignCertificateType,
    ForeignCodeError,
    Rejection,
    RejectReason,
    VerifiedCode,
)
from healthcode.schemes import VerifyContext
from healthcode.trust import TrustList
from tests.interop import DCC_TESTDATA, INTEROP, dcc_cases
from tests.unit.conftest import World

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
VACCINATION: dict[str, Any] = {
    "ver": "1.3.0",
    "nam": {"fn": "Musterfrau", "fnt": "MUSTERFRAU", "gn": "Gabriele", "gnt": "GABRIELE"},
    "dob": "1998-02-26",
    "v": [
        {
            "tg": "840539006",
            "vp": "1119349007",
            "mp": "EU/1/20/1528",
            "ma": "ORG-100030215",
            "dn": 2,
            "sd": 2,
            "dt": "2026-10-01",
            "co": "AT",
            "is": "Ministry of Health, Austria",
            "ci": "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B",
        }
    ],
}
TEST = {
    "ver": "1.3.0",
    "nam": {"fn": "Musterfrau", "fnt": "MUSTERFRAU", "gn": "Gabriele", "gnt": "GABRIELE"},
    "dob": "1998-02-26",
    "t": [
        {
            "tg": "840539006",
            "tt": "LP6464-4",
            "nm": "Roche LightCycler qPCR",
            "sc": "2026-11-22T12:00:00Z",
            "tr": dcc.TEST_NOT_DETECTED,
            "tc": "Testing center Vienna 1",
            "co": "AT",
            "is": "Ministry of Health, Austria",
            "ci": "URN:UVCI:01:AT:B5921A35D6A0D696421B3E2462178297#I",
        }
    ],
}


class Signer:
    """A document signer: an ES256 key and its self-signed certificate."""

    def __init__(self, usages: tuple[str, ...] = (), country: str = "AT") -> None:
        private = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, country)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=365))
            .not_valid_after(NOW + timedelta(days=365))
        )
        if usages:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([x509.ObjectIdentifier(oid) for oid in usages]),
                critical=False,
            )
        certificate = builder.sign(private, hashes.SHA256())
        self.der = certificate.public_bytes(serialization.Encoding.DER)
        self.kid = dcc.kid_of_certificate(self.der)
        base = SigningKey.from_private(private)
        self.key = replace(base, kid=self.kid)
        self.country = country

    def code(
        self,
        payload: dict[str, Any],
        *,
        issued_at: datetime = NOW - timedelta(days=1),
        expires_at: datetime = NOW + timedelta(days=30),
        issuer: str = "AT",
        compress: bool = True,
    ) -> str:
        claims = {
            dcc.CLAIM_ISSUER: issuer,
            dcc.CLAIM_ISSUED_AT: int(issued_at.timestamp()),
            dcc.CLAIM_EXPIRES: int(expires_at.timestamp()),
            dcc.CLAIM_HCERT: {dcc.HCERT_EU_DCC: payload},
        }
        message = cose.sign(cbor2.dumps(claims), self.key)
        return dcc.PREFIX + base45.encode(zlib.compress(message) if compress else message)

    def trust(self) -> dcc.DccTrustList:
        return dcc.DccTrustList.from_certificates([(self.der, self.country)])


def verify(text: str, trust: dcc.DccTrustList, now: datetime = NOW) -> VerifiedCode | Rejection:
    context = VerifyContext(trust=TrustList(1, NOW, (), ()), now=now)
    return jkm.default_registry(trust).verify(text, context)


def reason(result: object) -> RejectReason:
    assert isinstance(result, Rejection), result
    return result.reason


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


def test_a_signed_vaccination_certificate_verifies_to_a_foreign_summary(signer: Signer) -> None:
    result = verify(signer.code(VACCINATION), signer.trust())
    assert isinstance(result, VerifiedCode)
    assert result.scheme == "HC1" and result.kid == signer.kid and result.is_foreign
    foreign = result.foreign
    assert foreign is not None
    assert foreign.certificate_type is ForeignCertificateType.VACCINATION
    assert foreign.issuing_country == "AT"
    assert foreign.holder_name == "Gabriele Musterfrau"
    assert (foreign.dose_number, foreign.total_doses) == (2, 2)
    assert foreign.vaccination_date is not None and foreign.vaccination_date.isoformat() == (
        "2026-10-01"
    )
    assert foreign.expires_at_utc == NOW + timedelta(days=30)


def test_a_foreign_certificate_has_no_health_code_claims_to_misread(signer: Signer) -> None:
    result = verify(signer.code(VACCINATION), signer.trust())
    assert isinstance(result, VerifiedCode)
    with pytest.raises(ForeignCodeError):
        _ = result.claims
    assert result.as_json()["foreign"]["certificate_type"] == "vaccination"


def test_a_verified_code_has_either_claims_or_a_foreign_certificate() -> None:
    with pytest.raises(ValueError, match="either"):
        VerifiedCode(scheme="HC1", kid=b"k")


def test_our_own_codes_still_verify_in_the_registry_with_the_dcc(world: World) -> None:
    registry = jkm.default_registry(Signer().trust())
    result = registry.verify(world.code(), world.context())
    assert isinstance(result, VerifiedCode) and not result.is_foreign
    assert result.claims.colour.value == "green"


def test_without_a_dcc_trust_list_an_hc1_code_is_an_unknown_scheme(signer: Signer) -> None:
    context = VerifyContext(trust=TrustList(1, NOW, (), ()), now=NOW)
    result = jkm.default_registry().verify(signer.code(VACCINATION), context)
    assert reason(result) is RejectReason.UNKNOWN_SCHEME


def test_a_certificate_by_a_signer_outside_the_trust_list_is_an_unknown_key(
    signer: Signer,
) -> None:
    assert reason(verify(signer.code(VACCINATION), Signer().trust())) is RejectReason.UNKNOWN_KEY


def test_a_signature_by_another_key_under_the_same_key_id_does_not_verify(
    signer: Signer,
) -> None:
    forger = Signer()
    forger.key = replace(forger.key, kid=signer.kid)
    result = verify(forger.code(VACCINATION), signer.trust())
    assert reason(result) is RejectReason.BAD_SIGNATURE


def test_a_changed_payload_does_not_verify(signer: Signer) -> None:
    raw = bytearray(zlib.decompress(base45.decode(signer.code(VACCINATION)[4:])))
    raw[raw.index(b"Gabriele")] ^= 0x01
    text = dcc.PREFIX + base45.encode(zlib.compress(bytes(raw)))
    assert reason(verify(text, signer.trust())) is RejectReason.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (NOW - timedelta(days=2), RejectReason.NOT_YET_VALID),
        (NOW + timedelta(days=31), RejectReason.EXPIRED),
    ],
)
def test_a_certificate_is_checked_against_its_issue_and_expiry_times(
    signer: Signer, now: datetime, expected: RejectReason
) -> None:
    assert reason(verify(signer.code(VACCINATION), signer.trust(), now)) is expected


def test_a_certificate_that_outlives_its_signing_certificate_is_refused(signer: Signer) -> None:
    text = signer.code(VACCINATION, expires_at=NOW + timedelta(days=400))
    assert reason(verify(text, signer.trust())) is RejectReason.SIGNER_VALIDITY


def test_a_signer_restricted_to_tests_may_not_sign_a_vaccination() -> None:
    tests_only = Signer(usages=("1.3.6.1.4.1.1847.2021.1.1",))
    assert verify(tests_only.code(TEST), tests_only.trust()).ok
    result = verify(tests_only.code(VACCINATION), tests_only.trust())
    assert reason(result) is RejectReason.KEY_USAGE_MISMATCH


def test_a_payload_outside_the_schema_is_refused(signer: Signer) -> None:
    broken = {**VACCINATION, "dob": "26.02.1998"}
    assert reason(verify(signer.code(broken), signer.trust())) is RejectReason.SCHEMA_INVALID
    both = {**VACCINATION, "t": TEST["t"]}
    assert reason(verify(signer.code(both), signer.trust())) is RejectReason.SCHEMA_INVALID


@pytest.mark.parametrize(
    ("entry", "field", "value", "value_set"),
    [
        ("v", "ma", "ORG-99999999", "vaccine-mah-manf"),
        ("v", "co", "XY", "country-2-codes"),
        ("v", "mp", "Sputnik", "vaccine-medicinal-product"),
        ("v", "vp", "J07BX03-not", "vaccine-prophylaxis"),
        ("t", "tt", "a test", "test-type"),
        ("t", "tr", "positive", "test-result"),
        ("t", "tg", "covid", "disease-agent-targeted"),
    ],
)
def test_a_coded_field_outside_its_official_value_set_is_refused_with_the_field_named(
    signer: Signer, entry: str, field: str, value: str, value_set: str
) -> None:
    base = VACCINATION if entry == "v" else TEST
    payload = {**base, entry: [{**base[entry][0], field: value}]}
    result = verify(signer.code(payload), signer.trust())
    assert isinstance(result, Rejection)
    assert result.reason is RejectReason.SCHEMA_INVALID
    assert result.detail == f"{entry}/0/{field}: {value!r} is not in {value_set}"


def test_a_schema_refusal_names_the_place_and_rule_but_never_the_holders_data(
    signer: Signer,
) -> None:
    result = verify(signer.code({**VACCINATION, "dob": "26.02.1998"}), signer.trust())
    assert isinstance(result, Rejection)
    assert result.detail == "dob: fails pattern"


def test_the_shipped_value_sets_carry_their_licence_and_are_the_shared_release() -> None:
    data = Path(dcc.__file__).parent / "data" / "eu-dcc-valuesets"
    assert "Apache License" in (data / "LICENSE").read_text(encoding="utf-8")
    assert "ORG-100030215" in dcc.value_set("vaccine-mah-manf")
    assert {"AT", "CN", "DE"} <= dcc.value_set("country-2-codes")
    assert "XY" not in dcc.value_set("country-2-codes")


def test_an_uncompressed_certificate_is_damaged_encoding(signer: Signer) -> None:
    result = verify(signer.code(VACCINATION, compress=False), signer.trust())
    assert reason(result) is RejectReason.DAMAGED_ENCODING


def test_a_zlib_bomb_is_refused_without_inflating_it() -> None:
    with pytest.raises(dcc.DccError, match="more than"):
        dcc.decompress(zlib.compress(bytes(10_000_000)))


def test_an_issuer_claim_naming_another_country_than_the_signer_is_untrusted(
    signer: Signer,
) -> None:
    result = verify(signer.code(VACCINATION, issuer="DE"), signer.trust())
    assert reason(result) is RejectReason.UNTRUSTED_ISSUER


def test_only_recognised_countries_are_accepted(signer: Signer) -> None:
    context = VerifyContext(trust=TrustList(1, NOW, (), ()), now=NOW)
    scheme = dcc.DccScheme(signer.trust(), recognised_countries=frozenset({"FR"}))
    body = signer.code(VACCINATION)[len(dcc.PREFIX) :]
    assert reason(scheme.verify(body, context)) is RejectReason.UNTRUSTED_ISSUER


def test_the_trust_file_round_trips_and_carries_the_country(signer: Signer, tmp_path: Path) -> None:
    path = tmp_path / "dcc-trust.json"
    path.write_text(signer.trust().to_json(), encoding="utf-8")
    loaded = dcc.DccTrustList.load(path)
    (entry,) = loaded.signers_for(signer.kid)
    assert entry.country == "AT" and len(loaded) == 1
    assert verify(signer.code(VACCINATION), loaded).ok


def test_a_trust_file_may_be_a_bare_list_without_key_ids(signer: Signer) -> None:
    document = [{"certificate": base64.b64encode(signer.der).decode()}]
    loaded = dcc.DccTrustList.from_json(json.dumps(document))
    assert loaded.signers_for(signer.kid)[0].country is None


LISTED = Signer()
GOOD_ENTRY = {"certificate": base64.b64encode(LISTED.der).decode()}
OTHER_KID = base64.b64encode(b"12345678").decode()


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ({"certificate": "not base64!"}, "base64"),
        ({"certificate": base64.b64encode(b"junk").decode()}, "X.509"),
        ({"kid": OTHER_KID}, "no base64 `certificate`"),
        ({**GOOD_ENTRY, "country": "AUT"}, "two-letter"),
        ({**GOOD_ENTRY, "kid": OTHER_KID}, "key id"),
    ],
)
def test_a_trust_file_with_a_bad_entry_is_refused_whole(
    entry: dict[str, str], complaint: str
) -> None:
    with pytest.raises(dcc.DccTrustError, match=complaint):
        dcc.DccTrustList.from_json(json.dumps({"certificates": [GOOD_ENTRY, entry]}))


def test_what_may_be_stored_is_no_more_than_our_own_codes_keep(signer: Signer) -> None:
    result = verify(signer.code(VACCINATION), signer.trust())
    assert isinstance(result, VerifiedCode) and result.foreign is not None
    fields = result.foreign.record_fields()
    assert fields == {
        "certificate_type": "vaccination",
        "issuing_country": "AT",
        "masked_name": "G******e M********u",
        "code_id": fields["code_id"],
    }
    assert len(bytes.fromhex(fields["code_id"])) == 16
    assert "Gabriele" not in repr(result) and "1998" not in repr(result)


def test_a_rejection_names_no_holder(signer: Signer) -> None:
    result = verify(signer.code(VACCINATION), signer.trust(), NOW + timedelta(days=99))
    assert isinstance(result, Rejection)
    assert "Gabriele" not in json.dumps(result.as_json())


def test_the_shipped_schema_is_the_version_the_code_names_and_carries_its_licence() -> None:
    assert dcc.schema()["$comment"] == f"Schema version {dcc.SCHEMA_VERSION}"
    data = Path(dcc.__file__).parent / "data" / "eu-dcc-schema"
    assert "Apache License" in (data / "LICENSE").read_text(encoding="utf-8")
    shared = INTEROP / "eu-dcc-schema" / "DCC.combined-schema.json"
    assert (data / "DCC.combined-schema.json").read_bytes() == shared.read_bytes()


def _fully_valid_cases() -> list[tuple[str, str, str, datetime]]:
    """Corpus cases whose every verification flag is true, outside the known issues, and whose
    coded fields are inside the EU DCC value sets (the corpus does not hold them to those; a
    few use names, e.g. `tt: "COVID-19 test"`, and are refused: see the test below)."""
    wanted = {
        flag: conformance.FLAGS[flag]
        for flag in (
            "EXPECTEDVERIFY",
            "EXPECTEDEXPIRATIONCHECK",
            "EXPECTEDKEYUSAGE",
            "EXPECTEDSCHEMAVALIDATION",
        )
    }
    known = conformance.load_known_issues(DCC_TESTDATA)
    cases = []
    for name, case in dcc_cases():
        expected = case["EXPECTEDRESULTS"]
        country, test_set = name.split("/")[0], Path(name).stem
        if not case.get("PREFIX") or any(expected.get(flag) is not True for flag in wanted):
            continue
        if any(
            issue.covers(tests, country, test_set) for issue in known for tests in wanted.values()
        ):
            continue
        if conformance.value_set_finding(case):
            continue
        context = case["TESTCTX"]
        clock = conformance.validation_clock(case)
        cases.append((name, case["PREFIX"], context["CERTIFICATE"], clock))
    return cases


VALID_CASES = _fully_valid_cases()


def test_the_corpus_has_fully_valid_cases_from_several_countries() -> None:
    assert len({name.split("/")[0] for name, *_ in VALID_CASES}) >= 10


@pytest.mark.parametrize(
    ("name", "text", "certificate", "clock"), VALID_CASES, ids=[c[0] for c in VALID_CASES]
)
def test_a_fully_valid_corpus_case_verifies_through_the_whole_scheme(
    name: str, text: str, certificate: str, clock: datetime
) -> None:
    trust = dcc.DccTrustList.from_certificates([(base64.b64decode(certificate), None)])
    result = verify(text, trust, clock)
    assert isinstance(result, VerifiedCode), result
    assert result.foreign is not None and result.foreign.holder_name
