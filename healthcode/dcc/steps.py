"""The steps of checking a DCC, each a public function so the conformance walk
(`healthcode.conformance`) checks the very code the scheme runs: the `HC1:` prefix, Base45,
zlib, COSE_Sign1, the signature, the CWT claims, the times, the certificate type and its key
usage, and the EU DCC JSON schema.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import cbor2

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

from healthcode import base45, cose
from healthcode.dcc.signers import ALGORITHMS, DccSigner
from healthcode.results import ForeignCertificateType, RejectReason

FAMILY = "HC"
VERSION = 1
PREFIX = f"{FAMILY}{VERSION}:"
SCHEME_NAME = f"{FAMILY}{VERSION}"

CLAIM_ISSUER = 1
CLAIM_EXPIRES = 4
CLAIM_ISSUED_AT = 6
CLAIM_HCERT = -260
HCERT_EU_DCC = 1
MAX_DECOMPRESSED = 64 * 1024  # a DCC is a few hundred bytes; refuse zlib bombs

TYPE_KEYS: Mapping[str, ForeignCertificateType] = {
    "t": ForeignCertificateType.TEST,
    "v": ForeignCertificateType.VACCINATION,
    "r": ForeignCertificateType.RECOVERY,
}
SCHEMA_RESOURCE = ("data", "eu-dcc-schema", "DCC.combined-schema.json")
SCHEMA_VERSION = "1.3.3"  # the `$comment` of the shipped schema; a test holds the two together
VALUE_SETS_FOLDER = ("data", "eu-dcc-valuesets")
# The coded fields of each entry type and the value set (file) each must be in. A test's `ma`
# (the rapid-test device) is left out: its value set is managed on the EU gateway, not shipped.
CODED_FIELDS: Mapping[str, Mapping[str, str]] = {
    "v": {
        "tg": "disease-agent-targeted",
        "vp": "vaccine-prophylaxis",
        "mp": "vaccine-medicinal-product",
        "ma": "vaccine-mah-manf",
        "co": "country-2-codes",
    },
    "t": {
        "tg": "disease-agent-targeted",
        "tt": "test-type",
        "tr": "test-result",
        "co": "country-2-codes",
    },
    "r": {"tg": "disease-agent-targeted", "co": "country-2-codes"},
}


class DccError(ValueError):
    """One step of decoding or checking a DCC failed; `reason` is the stable rejection reason."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


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
    present = [key for key in TYPE_KEYS if key in payload]
    if len(present) != 1:
        raise DccError(RejectReason.SCHEMA_INVALID, f"{len(present)} certificate types, not one")
    return TYPE_KEYS[present[0]]


def check_key_usage(signer: DccSigner, kind: ForeignCertificateType) -> None:
    if not signer.may_sign(kind):
        raise DccError(
            RejectReason.KEY_USAGE_MISMATCH, f"the signer may not sign a {kind.value} certificate"
        )


@cache
def schema() -> Mapping[str, Any]:
    """The EU DCC JSON schema shipped with this package."""
    resource = resources.files("healthcode.dcc").joinpath(*SCHEMA_RESOURCE)
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


def schema_violations(payload: Mapping[str, Any]) -> list[str]:
    """The payload's schema violations as `path: rule` (e.g. `v/0/dn: minimum`), without the
    values: a rejection's detail is logged and must not carry a name or a birth date."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: "
        f"fails {error.validator}"
        for error in _validator().iter_errors(as_json_value(payload))
    ]


def validate_json_schema(payload: Mapping[str, Any]) -> None:
    """The JSON schema alone (what the corpus's schema flag checks); the first violation, where
    and which rule, is the reason."""
    errors = schema_violations(payload)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise DccError(RejectReason.SCHEMA_INVALID, f"{errors[0]}{more}")


@cache
def value_set(name: str) -> frozenset[str]:
    """The codes of one shipped EU DCC value set (e.g. `vaccine-mah-manf`)."""
    resource = resources.files("healthcode.dcc").joinpath(*VALUE_SETS_FOLDER, f"{name}.json")
    loaded = json.loads(resource.read_text(encoding="utf-8"))
    return frozenset(loaded["valueSetValues"])


def value_set_errors(payload: Mapping[str, Any]) -> list[str]:
    """The coded fields outside their official value set, each as `path: value not in set`
    (the part of validity the JSON schema alone does not check)."""
    errors = []
    for kind, fields in CODED_FIELDS.items():
        entries = payload.get(kind)
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                continue
            for name, set_name in fields.items():
                value = entry.get(name)
                if name in entry and (
                    not isinstance(value, str) or value not in value_set(set_name)
                ):
                    shown = value if isinstance(value, str) else type(value).__name__
                    errors.append(f"{kind}/{index}/{name}: {shown[:40]!r} is not in {set_name}")
    return errors


def validate_schema(payload: Mapping[str, Any]) -> None:
    """The JSON schema, the value sets of the coded fields, and exactly one certificate type."""
    validate_json_schema(payload)
    errors = value_set_errors(payload)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise DccError(RejectReason.SCHEMA_INVALID, f"{errors[0]}{more}")
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
