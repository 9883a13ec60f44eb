"""The national code's online check (GB/T 38963), as the passage rules see it: the answer of
a verification service for one scanned national code, or why there is none.

The client that asks (`kiosk.client.national_check`) maps every failure to a
`NationalCheckFailure`; the checkpoint (`kiosk.checkpoint.decision`) turns an answer into the
verdict through the policy's colour outcomes and keeps a failure a manual check.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from healthcode.claims import Colour
from healthcode.text import LocalText


class NationalCheckFailure(StrEnum):
    """Why a national code was not checked online (each a manual check, with these words)."""

    NOT_CONFIGURED = "not_configured"
    OFFLINE = "offline"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    CREDENTIALS_REFUSED = "credentials_refused"
    RATE_LIMITED = "rate_limited"
    CODE_NOT_READ = "code_not_read"  # the service could not read the code's text
    SERVICE_ERROR = "service_error"
    BAD_ANSWER = "bad_answer"

    @property
    def text(self) -> LocalText:
        return _FAILURE_TEXT[self]


_FAILURE_TEXT = {
    NationalCheckFailure.NOT_CONFIGURED: LocalText("未配置联网核验", "no online check set up"),
    NationalCheckFailure.OFFLINE: LocalText("本机离线", "this kiosk is offline"),
    NationalCheckFailure.TIMEOUT: LocalText("联网核验超时", "the online check timed out"),
    NationalCheckFailure.UNREACHABLE: LocalText(
        "无法连接核验服务", "the verification service cannot be reached"
    ),
    NationalCheckFailure.CREDENTIALS_REFUSED: LocalText(
        "核验服务拒绝本机凭据", "the verification service refused this kiosk's credentials"
    ),
    NationalCheckFailure.RATE_LIMITED: LocalText(
        "核验服务繁忙", "the verification service is busy"
    ),
    NationalCheckFailure.CODE_NOT_READ: LocalText(
        "核验服务无法识别此码", "the verification service could not read this code"
    ),
    NationalCheckFailure.SERVICE_ERROR: LocalText(
        "核验服务出错", "the verification service failed"
    ),
    NationalCheckFailure.BAD_ANSWER: LocalText(
        "核验服务应答无法识别", "the verification service's answer was not understood"
    ),
}


@dataclass(frozen=True)
class NationalCheck:
    """The online check of one national code: `valid` and, for a valid code, its `colour`;
    or the `failure` that left it unchecked."""

    valid: bool | None = None
    colour: Colour | None = None
    failure: NationalCheckFailure | None = None

    def __post_init__(self) -> None:
        if self.failure is None and (self.valid is None or (self.valid and self.colour is None)):
            raise ValueError("an answer needs valid, and a colour when valid")

    @property
    def answered(self) -> bool:
        return self.failure is None

    @classmethod
    def failed(cls, failure: NationalCheckFailure) -> NationalCheck:
        return cls(failure=failure)
