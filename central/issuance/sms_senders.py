"""The SMS sender the settings name, for `create_app` and `central serve`: Alibaba Cloud SMS
(`aliyun`), the log (`log`: development and the demo only), or a refusal to start."""

from __future__ import annotations

import logging

import httpx

from central.core.settings import Settings
from central.issuance.sms import LoggingSmsSender, SmsConfigurationError, SmsSender
from central.issuance.sms_aliyun import AliyunSmsSender

log = logging.getLogger(__name__)


def sender_from_settings(settings: Settings) -> SmsSender:
    """The sender the settings name; `SmsConfigurationError` when they name none."""
    if settings.sms_provider == "log":
        log.warning("SMS codes are written to the log, not sent (CENTRAL_SMS_PROVIDER=log)")
        return LoggingSmsSender()
    if settings.sms_provider == "aliyun":
        try:
            secret = settings.sms_secret()
        except (OSError, ValueError) as error:
            raise SmsConfigurationError(f"the SMS AccessKey secret: {error}") from None
        client = httpx.Client(
            timeout=httpx.Timeout(settings.sms_timeout_s, connect=settings.sms_timeout_s),
            headers={"Accept": "application/json"},
        )
        return AliyunSmsSender(
            client,
            access_key_id=settings.sms_access_key_id or "",
            access_key_secret=secret,
            sign_name=settings.sms_sign_name or "",
            template_code=settings.sms_template_code or "",
            endpoint=settings.sms_endpoint,
            region_id=settings.sms_region_id,
            template_param=settings.sms_template_param,
            notice_template_code=settings.sms_notice_template_code,
        )
    raise SmsConfigurationError(
        "no SMS sender: set CENTRAL_SMS_PROVIDER=aliyun with its CENTRAL_SMS_* settings, "
        "or CENTRAL_SMS_PROVIDER=log for development and the demo (codes written to the log)"
    )
