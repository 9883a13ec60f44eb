"""The EU Digital COVID Certificate (DCC), scheme `HC1`: a foreign issuer's codes, verified offline
for mutual recognition (互信互认).

The QR text is `HC1:` + Base45(zlib(COSE_Sign1(CWT))). The COSE message is signed with ES256 or
PS256 by a document signer certificate (DSC), whose key id is the first 8 bytes of the SHA-256 of
the certificate's DER. CWT claims: issuer (1, a country), issued at (6), expiry (4) and the health
certificate (-260), whose key 1 holds the DCC payload (JSON-like: `ver`, `nam`, `dob` and exactly
one of `v`, `t` or `r` with one entry). A DSC may restrict what it signs by extended key usage
OIDs 1.3.6.1.4.1.1847.2021.1.1 (test), .2 (vaccination) and .3 (recovery); a DSC with none of
them may sign every type. The payload is validated against the EU DCC JSON schema shipped in
`healthcode/data/eu-dcc-schema/` (version 1.3.3, Apache-2.0).

A verified DCC is a `VerifiedCode` with `foreign` set, never a pass by itself: `decide_foreign`
turns it into a staff decision (by default a manual check showing type, dates and name).

Each step is a public function so the conformance walk (`healthcode.conformance`) checks the very
code the scheme runs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cbor2
from cryptography import x509

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

from healthcode import base45, cose
from healthcode.identity import mask_name
from healthcode.keys import Algorithm, KeyFormatError, PublicKey
from healthcode.results import (
    ForeignCertificate,
    ForeignCertificateType,
    Rejection,
    RejectReason,
    VerificationResult,
    VerifiedCode,
)
from healthcode.schemes import VerifyContext
from healthcode.text import LocalText

log = logging.getLogger(__name__)

FAMILY = "HC"
VERSION = 1
PREFIX = f"{FAMILY}{VERSION}:"
SCHEME_NAME = f"{FAMILY}{VERSION}"

CLAIM_ISSUER = 1
CLAIM_EXPIRES = 4
CLAIM_ISSUED_AT = 6
CLAIM_HCERT = -260
HCERT_EU_DCC = 1
KID_LENGTH = 8
ALGORITHMS = frozenset({Algorithm.ES256, Algorithm.PS256})
MAX_DECOMPRESSED = 64 * 1024  # a DCC is a few hundred bytes; refuse zlib bombs

# Extended key usage per certificate type; the `.0.` spelling was used by early signers and is
# accepted by the reference test harness too.
KEY_USAGE_OIDS: Mapping[ForeignCertificateType, frozenset[str]] = {
    ForeignCertificateType.TEST: frozenset(
        {"1.3.6.1.4.1.1847.2021.1.1", "1.3.6.1.4.1.0.1847.2021.1.1"}
    ),
    ForeignCertificateType.VACCINATION: frozenset(
        {"1.3.6.1.4.1.1847.2021.1.2", "1.3.6.1.4.1.0.1847.2021.1.2"}
    ),
    ForeignCertificateType.RECOVERY: frozenset(
        {"1.3.6.1.4.1.1847.2021.1.3", "1.3.6.1.4.1.0.1847.2021.1.3"}
    ),
}
DCC_KEY_USAGE_OIDS = frozenset().union(*KEY_USAGE_OIDS.values())
_TYPE_KEYS = {
    "t": ForeignCertificateType.TEST,
    "v": ForeignCertificateType.VACCINATION,
    "r": ForeignCertificateType.RECOVERY,
}
TEST_NOT_DETECTED = "260415000"
TEST_DETECTED = "260373001"
SCHEMA_RESOURCE = ("data", "eu-dcc-schema", "DCC.combined-schema.json")
SCHEMA_VERSION = "1.3.3"  # the `$comment` of the shipped schema; a test holds the two together
_MAX_NAME_LENGTH = 80


class DccError(ValueError):
    """One step of decoding or checking a DCC failed; `reason` is the stable rejection reason."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


# --- the signing certificates -------------------------------------------------------------------


class DccTrustError(ValueError):
    """A DCC trust file or certificate that cannot be used."""


def kid_of_certificate(der: bytes) -> bytes:
    """A DCC key id: the first 8 bytes of the SHA-256 of the signing certificate's DER."""
    return hashlib.sha256(der).digest()[:KID_LENGTH]


@dataclass(frozen=True)
class DccSigner:
    """One document signer certificate (DSC): its key, validity and allowed certificate types."""

    kid: bytes
    public: PublicKey = field(repr=False)
    not_before_utc: datetime
    not_after_utc: datetime
    key_usages: frozenset[str]  # the certificate's extended key usage OIDs (dotted)
    country: str | None = None  # ISO 3166-1 alpha-2 of the issuing country, when known
    der: bytes = field(default=b"", repr=False, compare=False)

    @classmethod
    def from_der(cls, der: bytes, country: str | None = None) -> DccSigner:
        try:
            certificate = x509.load_der_x509_certificate(der)
        except ValueError as error:
            raise DccTrustError(f"not a DER X.509 certificate: {error}") from None
        kid = kid_of_certificate(der)
        try:
            public = PublicKey.from_key(certificate.public_key(), kid=kid)  # type: ignore[arg-type]
        except KeyFormatError as error:
            raise DccTrustError(str(error)) from None
        if public.algorithm not in ALGORITHMS:
            raise DccTrustError(f"a DCC signer key is ES256 or PS256, not {public.algorithm.name}")
        usages = _key_usages(certificate, der)
        return cls(
            kid=kid,
            public=public,
            not_before_utc=certificate.not_valid_before_utc,
            not_after_utc=certificate.not_valid_after_utc,
            key_usages=usages,
            country=country.upper() if country else None,
            der=der,
        )

    def may_sign(self, certificate_type: ForeignCertificateType) -> bool:
        """A signer with any DCC key-usage OID signs only the types it names; other extended key
        usages (e.g. a generic one) restrict it to none of the DCC types, as in the reference
        harness; a signer without the extension signs every type."""
        if not self.key_usages:
            return True
        return bool(self.key_usages & KEY_USAGE_OIDS[certificate_type])


def _key_usages(certificate: x509.Certificate, der: bytes) -> frozenset[str]:
    """The extended key usage OIDs. Some signers wrote an empty extension (\"no OID present\",
    corpus case CO15), which cryptography refuses to parse; then the DER is read directly."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return frozenset()
    except ValueError:
        return _key_usages_from_der(der)
    return frozenset(oid.dotted_string for oid in usage)


_EKU_OID = bytes.fromhex("551d25")  # 2.5.29.37, extended key usage
_DER_SEQUENCE, _DER_OID, _DER_OCTETS, _DER_EXTENSIONS = 0x30, 0x06, 0x04, 0xA3


def _der_items(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The (tag, content) items of concatenated DER; raises DccTrustError when malformed."""
    index = 0
    while index < len(data):
        if index + 2 > len(data):
            raise DccTrustError("truncated DER")
        tag, length = data[index], data[index + 1]
        index += 2
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 4 or index + count > len(data):
                raise DccTrustError("bad DER length")
            length = int.from_bytes(data[index : index + count], "big")
            index += count
        if index + length > len(data):
            raise DccTrustError("truncated DER")
        yield tag, data[index : index + length]
        index += length


def _oid_text(content: bytes) -> str:
    first, *rest = content or b"\x00"
    parts = [str(min(first // 40, 2)), str(first - 40 * min(first // 40, 2))]
    value = 0
    for byte in rest:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(str(value))
            value = 0
    return ".".join(parts)


def _key_usages_from_der(der: bytes) -> frozenset[str]:
    ((_, certificate),) = [item for item in _der_items(der) if item[0] == _DER_SEQUENCE][:1]
    tbs = next(content for tag, content in _der_items(certificate) if tag == _DER_SEQUENCE)
    for tag, wrapped in _der_items(tbs):
        if tag != _DER_EXTENSIONS:
            continue
        for _, extensions in _der_items(wrapped):
            for _, extension in _der_items(extensions):
                fields = list(_der_items(extension))
                if fields and fields[0] == (_DER_OID, _EKU_OID):
                    value = next(content for tag, content in fields if tag == _DER_OCTETS)
                    usages = [
                        _oid_text(oid)
                        for _, sequence in _der_items(value)
                        for tag, oid in _der_items(sequence)
                        if tag == _DER_OID
                    ]
                    return frozenset(usages)
    return frozenset()


@dataclass(frozen=True)
class DccTrustList:
    """The trusted DCC signing certificates by key id (a key id may name several certificates).

    File format (JSON, UTF-8): either a list of entries or an object with a `certificates` list.
    Each entry: `certificate` (required: base64 of the DER X.509 certificate), `country`
    (optional: ISO 3166-1 alpha-2 of the issuing country) and `kid` (optional: base64 of the
    8-byte key id; when present it must equal the first 8 bytes of the certificate's SHA-256).
    An entry that cannot be used makes the whole file refused, so a kiosk keeps its old list.
    """

    signers: tuple[DccSigner, ...] = ()

    def __post_init__(self) -> None:
        index: dict[bytes, tuple[DccSigner, ...]] = {}
        for signer in self.signers:
            index[signer.kid] = (*index.get(signer.kid, ()), signer)
        object.__setattr__(self, "_by_kid", index)

    def signers_for(self, kid: bytes) -> tuple[DccSigner, ...]:
        by_kid: dict[bytes, tuple[DccSigner, ...]] = getattr(self, "_by_kid")  # noqa: B009
        return by_kid.get(kid, ())

    def __len__(self) -> int:
        return len(self.signers)

    @classmethod
    def from_certificates(cls, certificates: Iterable[tuple[bytes, str | None]]) -> DccTrustList:
        """From (DER, country) pairs."""
        return cls(tuple(DccSigner.from_der(der, country) for der, country in certificates))

    @classmethod
    def from_json(cls, data: bytes | str) -> DccTrustList:
        try:
            document = json.loads(data)
        except ValueError as error:
            raise DccTrustError(f"not JSON: {error}") from None
        entries = document.get("certificates") if isinstance(document, dict) else document
        if not isinstance(entries, list):
            raise DccTrustError("expected a list of certificates")
        signers = []
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or not isinstance(entry.get("certificate"), str):
                raise DccTrustError(f"entry {number}: no base64 `certificate`")
            country = entry.get("country")
            if country is not None and not (isinstance(country, str) and len(country) == 2):
                raise DccTrustError(f"entry {number}: `country` is a two-letter code")
            try:
                der = base64.b64decode(entry["certificate"], validate=True)
                kid = base64.b64decode(entry["kid"], validate=True) if "kid" in entry else None
            except (binascii.Error, TypeError) as error:
                raise DccTrustError(f"entry {number}: bad base64: {error}") from None
            try:
                signer = DccSigner.from_der(der, country)
            except DccTrustError as error:
                raise DccTrustError(f"entry {number}: {error}") from None
            if kid is not None and kid != signer.kid:
                raise DccTrustError(f"entry {number}: `kid` is not the certificate's key id")
            signers.append(signer)
        return cls(tuple(signers))

    @classmethod
    def load(cls, path: Path) -> DccTrustList:
        return cls.from_json(path.read_bytes())

    def to_json(self) -> str:
        return json.dumps(
            {
                "certificates": [
                    {
                        "kid": base64.b64encode(signer.kid).decode(),
                        "country": signer.country,
                        "certificate": base64.b64encode(signer.der).decode(),
                    }
                    for signer in self.signers
                ]
            },
            indent=1,
        )


# --- the steps --------------------------------------------------------------------------------


def unprefix(text: str) -> str:
    """The Base45 text after `HC1:`."""
    if not text.startswith(PREFIX):
        raise DccError(RejectReason.NOT_A_HEALTH_CODE, "no HC1: prefix")
    return text[len(PREFIX) :]


def decode_base45(text: str) -> bytes:
    try:
        return base45.decode(text)
    except base45.Base45Error as error:
        raise DccError(RejectReason.DAMAGED_ENCODING, str(error)) from None


def decompress(data: bytes) -> bytes:
    """zlib, as the DCC requires (an uncompressed COSE message is refused)."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_DECOMPRESSED)
    except zlib.error as error:
        raise DccError(RejectReason.DAMAGED_ENCODING, f"not zlib: {error}") from None
    if inflater.unconsumed_tail:
        raise DccError(RejectReason.DAMAGED_ENCODING, "decompresses to more than a DCC holds")
    if not inflater.eof:
        raise DccError(RejectReason.DAMAGED_ENCODING, "zlib stream is truncated")
    return out


def decode_cose(data: bytes) -> cose.Sign1:
    try:
        return cose.decode(data)
    except cose.CoseError as error:
        raise DccError(RejectReason.DAMAGED_STRUCTURE, str(error)) from None


def verify_signature(message: cose.Sign1, signers: Sequence[DccSigner]) -> DccSigner:
    """The signer whose key id (protected header first), algorithm and signature all match."""
    algorithm, kid = message.algorithm, message.kid
    if algorithm is None or kid is None:
        raise DccError(RejectReason.DAMAGED_STRUCTURE, "algorithm or key id missing")
    if algorithm not in ALGORITHMS:
        raise DccError(RejectReason.ALGORITHM_NOT_ALLOWED, f"COSE algorithm {algorithm}")
    candidates = [signer for signer in signers if signer.kid == kid]
    if not candidates:
        raise DccError(RejectReason.UNKNOWN_KEY, "no trusted DCC signer has this key id")
    for signer in candidates:
        if signer.public.algorithm == algorithm and message.verify(signer.public):
            return signer
    raise DccError(RejectReason.BAD_SIGNATURE, "signature does not verify")


@dataclass(frozen=True)
class DccClaims:
    """The CWT claims of a DCC: issuer country, issued-at, expiry and the DCC payload."""

    issuer: str | None
    issued_at_utc: datetime
    expires_at_utc: datetime
    payload: Mapping[str, Any] = field(repr=False)


def decode_claims(payload: bytes) -> DccClaims:
    try:
        claims = cbor2.loads(payload)
    except Exception as error:  # cbor2 raises several types for damaged input
        raise DccError(RejectReason.DAMAGED_STRUCTURE, f"CWT is not CBOR: {error}") from None
    if not isinstance(claims, Mapping):
        raise DccError(RejectReason.DAMAGED_STRUCTURE, "CWT claims are not a map")
    hcert = claims.get(CLAIM_HCERT)
    if not isinstance(hcert, Mapping) or not isinstance(hcert.get(HCERT_EU_DCC), Mapping):
        raise DccError(RejectReason.DAMAGED_STRUCTURE, "no health certificate (-260, 1)")
    issuer = claims.get(CLAIM_ISSUER)
    return DccClaims(
        issuer=issuer if isinstance(issuer, str) else None,
        issued_at_utc=_numeric_date(claims.get(CLAIM_ISSUED_AT), "issued at (6)"),
        expires_at_utc=_numeric_date(claims.get(CLAIM_EXPIRES), "expiry (4)"),
        payload=hcert[HCERT_EU_DCC],
    )


def _numeric_date(value: object, name: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DccError(RejectReason.DAMAGED_STRUCTURE, f"{name} is missing or not a number")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise DccError(RejectReason.DAMAGED_STRUCTURE, f"{name} is out of range") from None


def check_times(
    claims: DccClaims,
    signer: DccSigner,
    now: datetime,
    tolerance: timedelta = timedelta(0),
) -> None:
    """Issued at or before `now`, not expired at `now`, and inside the signer's validity: the
    signer was valid when the certificate was issued and outlives its expiry."""
    if now < claims.issued_at_utc - tolerance:
        raise DccError(RejectReason.NOT_YET_VALID, f"issued at {claims.issued_at_utc.isoformat()}")
    if now > claims.expires_at_utc + tolerance:
        raise DccError(RejectReason.EXPIRED, f"expired at {claims.expires_at_utc.isoformat()}")
    if not (signer.not_before_utc <= claims.issued_at_utc <= signer.not_after_utc):
        raise DccError(RejectReason.SIGNER_VALIDITY, "issued outside the signer's validity")
    if claims.expires_at_utc > signer.not_after_utc:
        raise DccError(RejectReason.SIGNER_VALIDITY, "expires after the signer's validity")


def certificate_type(payload: Mapping[str, Any]) -> ForeignCertificateType:
    """The one type a DCC states: exactly one of `v`, `t`, `r` (that it holds exactly one entry
    is the schema's to check)."""
    present = [key for key in _TYPE_KEYS if key in payload]
    if len(present) != 1:
        raise DccError(RejectReason.SCHEMA_INVALID, f"{len(present)} certificate types, not one")
    return _TYPE_KEYS[present[0]]


def check_key_usage(signer: DccSigner, kind: ForeignCertificateType) -> None:
    if not signer.may_sign(kind):
        raise DccError(
            RejectReason.KEY_USAGE_MISMATCH, f"the signer may not sign a {kind.value} certificate"
        )


@cache
def schema() -> Mapping[str, Any]:
    """The EU DCC JSON schema shipped with this package."""
    resource = resources.files("healthcode").joinpath(*SCHEMA_RESOURCE)
    loaded: Mapping[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return loaded


@cache
def _validator() -> Draft202012Validator:
    # Imported here: jsonschema costs a fifth of a second at start-up, and most kiosks never
    # see a foreign certificate.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def schema_errors(payload: Mapping[str, Any]) -> list[str]:
    """The payload's schema violations (empty when valid), each as `path: message`. Formats are
    not asserted, as in the reference harness; CBOR dates become ISO 8601 text first."""
    errors = []
    for error in _validator().iter_errors(as_json_value(payload)):
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        errors.append(f"{where}: {error.message}"[:200])
    return errors


def validate_schema(payload: Mapping[str, Any]) -> None:
    errors = schema_errors(payload)
    if errors:
        raise DccError(RejectReason.SCHEMA_INVALID, f"{len(errors)} schema violations")
    certificate_type(payload)


def as_json_value(value: object) -> Any:
    """A CBOR-decoded value as the JSON value it stands for (map keys as text, dates as ISO 8601
    with Z); bytes and other non-JSON values are left as they are and fail the schema."""
    if isinstance(value, Mapping):
        return {str(key): as_json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_json_value(item) for item in value]
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- the summary for staff ----------------------------------------------------------------------


def summarise(claims: DccClaims, kind: ForeignCertificateType) -> ForeignCertificate:
    """What staff see; tolerant of odd values (they were already schema-checked)."""
    payload = claims.payload
    entry: Mapping[str, Any] = payload[next(k for k, v in _TYPE_KEYS.items() if v is kind)][0]
    raw_names = payload.get("nam")
    names: Mapping[str, Any] = raw_names if isinstance(raw_names, Mapping) else {}
    given = _text(names.get("gn")) or _text(names.get("gnt"))
    family = _text(names.get("fn")) or _text(names.get("fnt"))
    holder = " ".join(part for part in (given, family) if part)[:_MAX_NAME_LENGTH]
    identifier = _text(entry.get("ci"))
    country = _text(entry.get("co")) or claims.issuer or ""
    detected = None
    if entry.get("tr") in (TEST_DETECTED, TEST_NOT_DETECTED):
        detected = entry.get("tr") == TEST_DETECTED
    return ForeignCertificate(
        certificate_type=kind,
        issuing_country=country.upper()[:2],
        holder_name=holder,
        date_of_birth=_text(payload.get("dob")),
        masked_name=" ".join(mask_name(part) for part in holder.split()),
        code_id=hashlib.sha256(identifier.encode("utf-8")).digest()[:16],
        issued_at_utc=claims.issued_at_utc,
        expires_at_utc=claims.expires_at_utc,
        vaccination_date=_date(entry.get("dt")),
        dose_number=_int(entry.get("dn")),
        total_doses=_int(entry.get("sd")),
        test_sampled_at_utc=_datetime(entry.get("sc")),
        test_detected=detected,
        test_type=_text(entry.get("tt")) or None,
        recovery_first_positive=_date(entry.get("fr")),
        recovery_valid_from=_date(entry.get("df")),
        recovery_valid_until=_date(entry.get("du")),
        certificate_issuer=_text(entry.get("is"))[:_MAX_NAME_LENGTH],
    )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


# --- the scheme ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DccScheme:
    """`HC1:` codes against a DCC trust list. `recognised_countries` limits which issuing
    countries are recognised (None: every country of the trust list). The context's clock and
    tolerance apply; its `allowed_algorithms` and `trust` are for our own codes and are not
    used: a DCC is ES256 or PS256 by its specification, against this scheme's trust list."""

    trust: DccTrustList
    recognised_countries: frozenset[str] | None = None
    family: str = FAMILY
    version: int = VERSION

    def verify(self, body: str, context: VerifyContext) -> VerificationResult:
        try:
            return self._verify(body, context)
        except DccError as error:
            return Rejection(error.reason, error.detail, scheme=SCHEME_NAME)

    def _verify(self, body: str, context: VerifyContext) -> VerifiedCode:
        message = decode_cose(decompress(decode_base45(body)))
        signer = verify_signature(message, self.trust.signers_for(message.kid or b""))
        claims = decode_claims(message.payload)
        country = (claims.issuer or "").upper()
        if signer.country is not None and country and country != signer.country:
            raise DccError(RejectReason.UNTRUSTED_ISSUER, "issuer is not the signer's country")
        recognised = self.recognised_countries
        if recognised is not None and (signer.country or country) not in recognised:
            raise DccError(RejectReason.UNTRUSTED_ISSUER, f"country {country or '?'}")
        check_times(claims, signer, context.now, context.clock_tolerance)
        validate_schema(claims.payload)
        kind = certificate_type(claims.payload)
        check_key_usage(signer, kind)
        return VerifiedCode(scheme=SCHEME_NAME, kid=signer.kid, foreign=summarise(claims, kind))


# --- the decision: a verified DCC is not a pass by itself ----------------------------------------


class ForeignVerdict(StrEnum):
    """What the kiosk does with a verified foreign certificate; values are stable codes."""

    MANUAL_CHECK = "manual_check"
    PASS = "pass"  # noqa: S105  (a verdict, not a password)
    DENY = "deny"

    @property
    def label(self) -> LocalText:
        return _VERDICT_LABELS[self]


_VERDICT_LABELS = {
    ForeignVerdict.MANUAL_CHECK: LocalText("请人工核验", "Manual check"),
    ForeignVerdict.PASS: LocalText("通行", "Pass"),
    ForeignVerdict.DENY: LocalText("禁止通行", "No entry"),
}


@dataclass(frozen=True)
class ForeignPolicy:
    """A checkpoint's rules for foreign certificates. The default asks staff for every one.

    The rules only make the decision stricter: a certificate breaking a rule is denied
    automatically (with the rule's reason); one that keeps every rule is still a manual check
    unless `pass_when_rules_hold` is set. None switches a rule off."""

    accepted_types: frozenset[ForeignCertificateType] = frozenset(ForeignCertificateType)
    deny_detected_tests: bool = False
    test_max_age: timedelta | None = None
    vaccination_complete_series: bool = False
    vaccination_min_age: timedelta | None = None  # e.g. 14 days after the last dose
    vaccination_max_age: timedelta | None = None
    recovery_within_validity: bool = False
    pass_when_rules_hold: bool = False


DEFAULT_FOREIGN_POLICY = ForeignPolicy()


@dataclass(frozen=True)
class ForeignDecision:
    verdict: ForeignVerdict
    reasons: tuple[LocalText, ...]  # why an automatic verdict was reached (empty for the default)
    notes: tuple[LocalText, ...]  # what staff should look at (e.g. a positive test)


def decide_foreign(
    certificate: ForeignCertificate, now: datetime, policy: ForeignPolicy = DEFAULT_FOREIGN_POLICY
) -> ForeignDecision:
    """Pure and Qt-free: the kiosk's checkpoint calls this for a `VerifiedCode` whose `foreign`
    is set and shows `certificate.as_json()` (type, dates, name) with the verdict."""
    broken: list[LocalText] = []
    notes: list[LocalText] = []
    kind = certificate.certificate_type
    if kind not in policy.accepted_types:
        broken.append(LocalText(f"不接受{kind.label.zh}", f"{kind.label.en}s are not accepted"))
    if kind is ForeignCertificateType.TEST:
        _test_rules(certificate, now, policy, broken, notes)
    elif kind is ForeignCertificateType.VACCINATION:
        _vaccination_rules(certificate, now, policy, broken, notes)
    else:
        _recovery_rules(certificate, now, policy, broken, notes)
    if broken:
        return ForeignDecision(ForeignVerdict.DENY, tuple(broken), tuple(notes))
    verdict = ForeignVerdict.PASS if policy.pass_when_rules_hold else ForeignVerdict.MANUAL_CHECK
    return ForeignDecision(verdict, (), tuple(notes))


def _test_rules(
    certificate: ForeignCertificate,
    now: datetime,
    policy: ForeignPolicy,
    broken: list[LocalText],
    notes: list[LocalText],
) -> None:
    if certificate.test_detected is not False:
        note = (
            LocalText("检测结果：阳性", "Test result: detected")
            if certificate.test_detected
            else LocalText("检测结果不明", "Test result unknown")
        )
        notes.append(note)
        if policy.deny_detected_tests:
            broken.append(note)
    sampled = certificate.test_sampled_at_utc
    if sampled is not None and sampled > now:
        notes.append(LocalText("采样时间在未来", "Sample time is in the future"))
        if policy.test_max_age is not None:
            broken.append(LocalText("采样时间在未来", "Sample time is in the future"))
    if policy.test_max_age is not None and (sampled is None or now - sampled > policy.test_max_age):
        hours = int(policy.test_max_age.total_seconds() // 3600)
        broken.append(LocalText(f"检测超过{hours}小时", f"Test older than {hours} hours"))


def _vaccination_rules(
    certificate: ForeignCertificate,
    now: datetime,
    policy: ForeignPolicy,
    broken: list[LocalText],
    notes: list[LocalText],
) -> None:
    dose, total = certificate.dose_number, certificate.total_doses
    complete = dose is not None and total is not None and dose >= total
    if not complete:
        series = f"{dose}/{total}"
        notes.append(LocalText(f"接种未完成（{series}）", f"Incomplete series ({series})"))
        if policy.vaccination_complete_series:
            broken.append(LocalText("接种未完成", "Incomplete vaccination series"))
    when = certificate.vaccination_date
    age = now.date() - when if when is not None else None
    if policy.vaccination_min_age is not None and (age is None or age < policy.vaccination_min_age):
        days = policy.vaccination_min_age.days
        broken.append(LocalText(f"接种未满{days}天", f"Less than {days} days since the dose"))
    if policy.vaccination_max_age is not None and (age is None or age > policy.vaccination_max_age):
        days = policy.vaccination_max_age.days
        broken.append(LocalText(f"接种已超过{days}天", f"More than {days} days since the dose"))


def _recovery_rules(
    certificate: ForeignCertificate,
    now: datetime,
    policy: ForeignPolicy,
    broken: list[LocalText],
    notes: list[LocalText],
) -> None:
    start, end = certificate.recovery_valid_from, certificate.recovery_valid_until
    inside = start is not None and end is not None and start <= now.date() <= end
    if not inside:
        notes.append(LocalText("不在康复证明有效期内", "Outside the recovery certificate's dates"))
        if policy.recovery_within_validity:
            broken.append(LocalText("不在康复证明有效期内", "Outside the recovery dates"))
