"""Sending the phone codes through Alibaba Cloud SMS (Dysmsapi `SendSms`, API version 2017-05-25).

One signed HTTPS POST per code over an injected `httpx.Client` (its timeouts set by the caller),
signed with the RPC signature (signature version 1.0, HMAC-SHA1) as the provider documents it:

1. every parameter but `Signature`, sorted by name, each name and value percent-encoded as
   UTF-8 with only `A-Z a-z 0-9 - _ . ~` left as they are (a space is `%20`, `*` is `%2A`,
   `~` stays), joined as `name=value` with `&`: the canonical query;
2. StringToSign = HTTP method + "&" + percentEncode("/") + "&" + percentEncode(canonical query);
3. Signature = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)).

The documented example (AccessKeyId testId, secret testSecret, nonce 45e25e9b-..., 2017-07-12)
gives `zJDF+Lrzhj/ThnlvIToysFRq6t4=`; tests/central/test_sms_aliyun.py checks it.

Every answer is JSON with `Code` ("OK" when sent), `Message` and `RequestId`, with HTTP 200 for
the SMS service's own refusals (`isv.*`) and 4xx for the gateway's (a bad signature, an unknown
key). A failure raises `SmsDeliveryError` with a `SmsFailure` kind; central.issuance.sms turns
it into the resident's refusal. Logs carry the provider's code and request id, the phone masked,
never the secret or the code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from central.issuance.sms import SmsDeliveryError, SmsFailure, mask_phone

log = logging.getLogger(__name__)

API_VERSION = "2017-05-25"
DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
DEFAULT_REGION = "cn-hangzhou"

# The provider's codes (its "API error codes" page) and what they mean for the resident.
THROTTLING_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",  # per-phone limits: 1 a minute, 5 an hour, 10 a day
        "isv.DAY_LIMIT_CONTROL",
        "isv.MONTH_LIMIT_CONTROL",
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
    }
)
BAD_PHONE_CODES = frozenset({"isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT"})
CREDENTIAL_CODES = frozenset(
    {
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive",
        "InvalidTimeStamp.Expired",
        "SignatureNonceUsed",
        "isp.RAM_PERMISSION_DENY",
        "isv.ACCOUNT_NOT_EXISTS",
        "isv.ACCOUNT_ABNORMAL",
    }
)


def percent_encode(text: str) -> str:
    """The provider's encoding: RFC 3986 unreserved characters kept, everything else %XX."""
    return quote(text, safe="-_.~", encoding="utf-8")


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    canonical = "&".join(
        f"{percent_encode(name)}={percent_encode(params[name])}" for name in sorted(params)
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def rpc_signature(method: str, params: Mapping[str, str], access_key_secret: str) -> str:
    digest = hmac.new(
        (access_key_secret + "&").encode(), string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _random_nonce() -> str:
    return str(uuid.uuid4())


class AliyunSmsSender:
    """`SmsSender` through Dysmsapi SendSms: the code goes in the template's `code` parameter."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        template_code: str,
        endpoint: str = DEFAULT_ENDPOINT,
        region_id: str = DEFAULT_REGION,
        template_param: str = "code",
        notice_template_code: str | None = None,
        clock: Callable[[], datetime] = _utc_now,
        nonces: Callable[[], str] = _random_nonce,
    ) -> None:
        self._client = client
        self._access_key_id = access_key_id
        self._secret = access_key_secret
        self._sign_name = sign_name
        self._template_code = template_code
        self._endpoint = endpoint
        self._region_id = region_id
        self._template_param = template_param
        self._notice_template_code = notice_template_code
        self._clock = clock
        self._nonces = nonces

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:  # never the secret
        return f"AliyunSmsSender(endpoint={self._endpoint!r}, key={self._access_key_id!r})"

    def signed_params(
        self,
        phone: str,
        code: str,
        *,
        template_code: str | None = None,
        template_params: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        template = {self._template_param: code} if template_params is None else template_params
        params = {
            "AccessKeyId": self._access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": self._region_id,
            "SignName": self._sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self._nonces(),
            "SignatureVersion": "1.0",
            "TemplateCode": template_code or self._template_code,
            "TemplateParam": json.dumps(dict(template), separators=(",", ":"), ensure_ascii=False),
            "Timestamp": self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
        }
        params["Signature"] = rpc_signature("POST", params, self._secret)
        return params

    def send_code(self, phone: str, code: str) -> None:
        self._send(phone, self.signed_params(phone, code))

    def send_notice(self, phone: str, params: Mapping[str, str]) -> None:
        """A notice to a staff member (a tip-off for its liaison, issue 25): the notice template
        (`sms_notice_template_code`) with `params` as its variables."""
        if not self._notice_template_code:
            log.error("SMS notice to %s: no notice template is set", mask_phone(phone))
            raise SmsDeliveryError(SmsFailure.REFUSED, "no notice template")
        signed = self.signed_params(
            phone, "", template_code=self._notice_template_code, template_params=params
        )
        self._send(phone, signed)

    def _send(self, phone: str, signed: dict[str, str]) -> None:
        masked = mask_phone(phone)
        try:
            answer = self._client.post(self._endpoint, data=signed)
        except httpx.TimeoutException:
            log.warning("SMS to %s: the provider did not answer in time", masked)
            raise SmsDeliveryError(SmsFailure.UNAVAILABLE, "timeout") from None
        except httpx.HTTPError as error:
            log.warning("SMS to %s: the provider could not be reached (%s)", masked, type(error))
            raise SmsDeliveryError(SmsFailure.UNAVAILABLE, "unreachable") from None
        result = _answer_of(answer, masked)
        provider_code = str(result.get("Code", ""))
        request_id = str(result.get("RequestId", ""))[:64]
        if provider_code == "OK" and answer.status_code == httpx.codes.OK:
            log.info("SMS to %s sent (request %s)", masked, request_id)
            return
        kind = _failure_of(provider_code, answer.status_code)
        level = (
            logging.ERROR
            if kind in (SmsFailure.CREDENTIALS, SmsFailure.REFUSED)
            else (logging.WARNING)
        )
        log.log(
            level,
            "SMS to %s refused by the provider: HTTP %s, %s (request %s)",
            masked,
            answer.status_code,
            provider_code[:80] or "no code",
            request_id,
        )
        raise SmsDeliveryError(kind, provider_code[:80] or f"HTTP {answer.status_code}")


def _answer_of(answer: httpx.Response, masked_phone: str) -> dict[str, object]:
    try:
        result = answer.json()
    except ValueError:
        result = None
    if not isinstance(result, dict) or "Code" not in result:
        log.warning(
            "SMS to %s: the provider answered HTTP %s without a JSON Code",
            masked_phone,
            answer.status_code,
        )
        raise SmsDeliveryError(SmsFailure.UNAVAILABLE, "malformed answer")
    return result


def _failure_of(provider_code: str, status: int) -> SmsFailure:
    if provider_code in THROTTLING_CODES:
        return SmsFailure.THROTTLED
    if provider_code in BAD_PHONE_CODES:
        return SmsFailure.BAD_PHONE
    if provider_code in CREDENTIAL_CODES or status in (401, 403, 404):
        return SmsFailure.CREDENTIALS
    if status >= 500 or provider_code in ("InternalError", "ServiceUnavailable"):
        return SmsFailure.UNAVAILABLE
    return SmsFailure.REFUSED  # the sign name, the template, the balance: the operator's to fix
