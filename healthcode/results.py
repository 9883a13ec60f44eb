"""What verification answers: a verified code or a rejection with a stable reason.

A verified code is either one of our own (`claims`) or a foreign certificate recognised under
mutual recognition (`foreign`, e.g. an EU DCC); exactly one of the two is present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from healthcode.claims import CodeKind, HealthCodeClaims
from healthcode.text import Language, LocalText


class RejectReason(StrEnum):
    """Why a code text was not accepted. Values are stable codes (stored, uploaded, tested)."""

    NOT_A_HEALTH_CODE = "not_a_health_code"
    UNKNOWN_SCHEME = "unknown_scheme"
    UNKNOWN_VERSION = "unknown_version"
    DAMAGED_ENCODING = "damaged_encoding"
    DAMAGED_STRUCTURE = "damaged_structure"
    UNKNOWN_KEY = "unknown_key"
    UNTRUSTED_ISSUER = "untrusted_issuer"
    ISSUER_NOT_IMPORTED = "issuer_not_imported"  # another region's code, its list not imported
    KEY_RETIRED = "key_retired"
    KEY_COMPROMISED = "key_compromised"
    BAD_SIGNATURE = "bad_signature"
    ALGORITHM_NOT_ALLOWED = "algorithm_not_allowed"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    # Foreign certificates (EU DCC): checks our own codes do not have.
    SIGNER_VALIDITY = "signer_validity"
    KEY_USAGE_MISMATCH = "key_usage_mismatch"
    SCHEMA_INVALID = "schema_invalid"
    # The national code (GB/T 38962): recognised, verified online only; staff check it.
    NATIONAL_CODE = "national_code"

    @property
    def text(self) -> LocalText:
        return _REASON_TEXT[self]


_REASON_TEXT = {
    RejectReason.NOT_A_HEALTH_CODE: LocalText("这不是健康码", "This is not a health code"),
    RejectReason.UNKNOWN_SCHEME: LocalText(
        "无法识别的健康码类型", "A kind of health code this kiosk does not know"
    ),
    RejectReason.UNKNOWN_VERSION: LocalText(
        "健康码版本不受支持，请更新设备", "A health-code version this kiosk does not support"
    ),
    RejectReason.DAMAGED_ENCODING: LocalText(
        "健康码编码损坏，请重新出示", "The code's text is damaged: show it again"
    ),
    RejectReason.DAMAGED_STRUCTURE: LocalText("健康码内容损坏", "The code's contents are damaged"),
    RejectReason.UNKNOWN_KEY: LocalText(
        "签发密钥未知，请同步信任列表", "Signed with an unknown key: synchronise the trust list"
    ),
    RejectReason.UNTRUSTED_ISSUER: LocalText(
        "签发地区不在互认范围内", "The issuing region is not recognised here"
    ),
    RejectReason.ISSUER_NOT_IMPORTED: LocalText(
        "外地健康码：签发地区的信任列表未导入，无法核验",
        "Another region's code: its trust list is not imported here",
    ),
    RejectReason.KEY_RETIRED: LocalText("签发密钥已停用", "Signed with a key after it was retired"),
    RejectReason.KEY_COMPROMISED: LocalText(
        "签发密钥已作废，此码无效", "The signing key was revoked: this code is void"
    ),
    RejectReason.BAD_SIGNATURE: LocalText(
        "签名无效，疑似伪造", "The signature does not verify: possibly forged"
    ),
    RejectReason.ALGORITHM_NOT_ALLOWED: LocalText(
        "签名算法不被允许", "The signature algorithm is not allowed"
    ),
    RejectReason.EXPIRED: LocalText("健康码已过期，请刷新", "The code has expired: refresh it"),
    RejectReason.NOT_YET_VALID: LocalText(
        "健康码尚未生效，请核对设备时间", "The code is not valid yet: check the kiosk's clock"
    ),
    RejectReason.SIGNER_VALIDITY: LocalText(
        "签发证书有效期不覆盖此证明",
        "Signed outside the validity of its signing certificate",
    ),
    RejectReason.KEY_USAGE_MISMATCH: LocalText(
        "签发证书无权签发此类证明",
        "The signing certificate may not sign this type of certificate",
    ),
    RejectReason.SCHEMA_INVALID: LocalText(
        "证明内容不符合规范", "The certificate's contents do not follow its schema"
    ),
    RejectReason.NATIONAL_CODE: LocalText(
        "国家码：请人工核验", "National health code: check it by hand"
    ),
}


@dataclass(frozen=True)
class Rejection:
    """A code text that was not accepted. `detail` is English for logs and holds no personal data
    (never a code id or a name)."""

    reason: RejectReason
    detail: str
    scheme: str | None = None
    kind: CodeKind | None = None  # known when the signature verified (an expired code's kind)

    @property
    def ok(self) -> bool:
        return False

    def message(self, language: Language = "zh") -> str:
        return self.reason.text.get(language)

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": False,
            "scheme": self.scheme,
            "reason": self.reason.value,
            "message": self.reason.text.as_dict(),
            "detail": self.detail,
        }


class ForeignCertificateType(StrEnum):
    """What a foreign health certificate states (the EU DCC's `t`, `v` and `r` entries)."""

    TEST = "test"
    VACCINATION = "vaccination"
    RECOVERY = "recovery"

    @property
    def label(self) -> LocalText:
        return _FOREIGN_TYPE_LABELS[self]


_FOREIGN_TYPE_LABELS = {
    ForeignCertificateType.TEST: LocalText("检测证明", "Test certificate"),
    ForeignCertificateType.VACCINATION: LocalText("疫苗接种证明", "Vaccination certificate"),
    ForeignCertificateType.RECOVERY: LocalText("康复证明", "Recovery certificate"),
}


@dataclass(frozen=True)
class ForeignCertificate:
    """What staff need to see of a verified foreign certificate, held in memory for the screen.

    `holder_name` and `date_of_birth` are for display only and are never stored or logged; what
    may be stored is `record_fields()`: no more than our own codes keep (a masked name and a
    16-byte code id, here a hash of the certificate's identifier).
    """

    certificate_type: ForeignCertificateType
    issuing_country: str  # ISO 3166-1 alpha-2, from the certificate entry (else the CWT issuer)
    holder_name: str = field(repr=False)
    date_of_birth: str = field(repr=False)  # as written: YYYY, YYYY-MM or YYYY-MM-DD
    masked_name: str
    code_id: bytes  # first 16 bytes of SHA-256 of the certificate identifier (UVCI)
    issued_at_utc: datetime
    expires_at_utc: datetime
    # The dates that matter for the type, None where the certificate has none:
    vaccination_date: date | None = None
    dose_number: int | None = None
    total_doses: int | None = None
    test_sampled_at_utc: datetime | None = None
    test_detected: bool | None = None  # True: the test found the disease
    test_type: str | None = None  # the value-set code (PCR: LP6464-4, rapid antigen: LP217198-3)
    recovery_first_positive: date | None = None
    recovery_valid_from: date | None = None
    recovery_valid_until: date | None = None
    certificate_issuer: str = ""  # the entry's `is`: the authority that issued it

    @property
    def code_id_hex(self) -> str:
        return self.code_id.hex()

    def record_fields(self) -> dict[str, Any]:
        """What a passage may store: nothing beyond what our own codes keep."""
        return {
            "certificate_type": self.certificate_type.value,
            "issuing_country": self.issuing_country,
            "masked_name": self.masked_name,
            "code_id": self.code_id_hex,
        }

    def as_json(self) -> dict[str, Any]:
        """Everything for the staff's screen (includes the holder's name: do not log it)."""

        def text(value: date | datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "certificate_type": self.certificate_type.value,
            "certificate_type_label": self.certificate_type.label.as_dict(),
            "issuing_country": self.issuing_country,
            "certificate_issuer": self.certificate_issuer,
            "holder_name": self.holder_name,
            "date_of_birth": self.date_of_birth,
            "masked_name": self.masked_name,
            "code_id": self.code_id_hex,
            "issued_at_utc": text(self.issued_at_utc),
            "expires_at_utc": text(self.expires_at_utc),
            "vaccination_date": text(self.vaccination_date),
            "dose_number": self.dose_number,
            "total_doses": self.total_doses,
            "test_sampled_at_utc": text(self.test_sampled_at_utc),
            "test_detected": self.test_detected,
            "test_type": self.test_type,
            "recovery_first_positive": text(self.recovery_first_positive),
            "recovery_valid_from": text(self.recovery_valid_from),
            "recovery_valid_until": text(self.recovery_valid_until),
        }


class ForeignCodeError(AttributeError):
    """Our own claims were asked of a foreign certificate: read `VerifiedCode.foreign`."""


@dataclass(frozen=True, init=False)
class VerifiedCode:
    """A code whose signature, key and times all check out, as of the verification time.

    Our own codes carry `claims`; a foreign certificate (mutual recognition) carries `foreign`
    instead, and reading `claims` of it raises ForeignCodeError rather than inventing a colour.
    Check `foreign is not None` (or `is_foreign`) before reading `claims`.
    """

    scheme: str
    kid: bytes
    own_claims: HealthCodeClaims | None
    foreign: ForeignCertificate | None

    def __init__(
        self,
        scheme: str,
        kid: bytes,
        claims: HealthCodeClaims | None = None,
        foreign: ForeignCertificate | None = None,
    ) -> None:
        if (claims is None) == (foreign is None):
            raise ValueError("a verified code has either our claims or a foreign certificate")
        object.__setattr__(self, "scheme", scheme)
        object.__setattr__(self, "kid", kid)
        object.__setattr__(self, "own_claims", claims)
        object.__setattr__(self, "foreign", foreign)

    @property
    def ok(self) -> bool:
        return True

    @property
    def is_foreign(self) -> bool:
        return self.foreign is not None

    @property
    def claims(self) -> HealthCodeClaims:
        if self.own_claims is None:
            raise ForeignCodeError(f"a {self.scheme} certificate has no health-code claims")
        return self.own_claims

    def as_json(self) -> dict[str, Any]:
        if self.foreign is not None:
            return {
                "valid": True,
                "scheme": self.scheme,
                "kid": self.kid.hex(),
                "foreign": self.foreign.as_json(),
            }
        claims = self.claims
        return {
            "valid": True,
            "scheme": self.scheme,
            "kid": self.kid.hex(),
            "issuer": claims.issuer,
            "code_id": claims.code_id_hex,
            "colour": claims.colour.value,
            "colour_label": claims.colour.label.as_dict(),
            "colour_seq": claims.colour_seq,
            "kind": claims.kind.value,
            "masked_name": claims.masked_name,
            "has_id_binding": claims.id_binding is not None,
            "issued_at_utc": claims.issued_at_utc.isoformat(),
            "not_before_utc": claims.not_before_utc.isoformat(),
            "expires_at_utc": claims.expires_at_utc.isoformat(),
        }


VerificationResult = VerifiedCode | Rejection
