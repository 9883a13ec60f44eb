"""What verification answers: a verified code or a rejection with a stable reason."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from healthcode.claims import HealthCodeClaims
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
    KEY_RETIRED = "key_retired"
    KEY_COMPROMISED = "key_compromised"
    BAD_SIGNATURE = "bad_signature"
    ALGORITHM_NOT_ALLOWED = "algorithm_not_allowed"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"

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
}


@dataclass(frozen=True)
class Rejection:
    """A code text that was not accepted. `detail` is English for logs and holds no personal data
    (never a code id or a name)."""

    reason: RejectReason
    detail: str
    scheme: str | None = None

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


@dataclass(frozen=True)
class VerifiedCode:
    """A code whose signature, key and times all check out, as of the verification time."""

    scheme: str
    kid: bytes
    claims: HealthCodeClaims

    @property
    def ok(self) -> bool:
        return True

    def as_json(self) -> dict[str, Any]:
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
