"""The Alibaba Cloud SMS sender against a local fake of its HTTP API: the documented signature,
each answer it maps (sent, throttled, no mobile number, bad credentials, a malformed answer, no
answer in time), the resident's refusal for each, and the settings that choose a sender."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from central.app import create_app
from central.cli import main
from central.core.bootstrap import prepare
from central.core.models import SmsChallenge
from central.core.settings import PlaceholderSecretError, Settings
from central.issuance.sms import (
    LoggingSmsSender,
    SmsConfigurationError,
    SmsDeliveryError,
    SmsFailure,
)
from central.issuance.sms_aliyun import AliyunSmsSender, rpc_signature
from central.issuance.sms_senders import sender_from_settings
from tests.central.aliyun_fake import KEY_ID, SECRET, FakeDysmsapi, provider_signature, running_fake
from tests.central.conftest import START, FakeClock, TestClient

PHONE = "13912345678"
# The provider's documented example ("HTTP protocol and signature" of the SMS API, GET).
DOC_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DOC_SIGNATURE = "zJDF+Lrzhj/ThnlvIToysFRq6t4="
TIMEOUT_S = 0.3


@pytest.fixture
def fake() -> Iterator[FakeDysmsapi]:
    with running_fake() as running:
        yield running


def _sender(fake: FakeDysmsapi, *, key_id: str = KEY_ID, secret: str = SECRET) -> AliyunSmsSender:
    nonces = iter(f"nonce-{n}" for n in range(1000))
    return AliyunSmsSender(
        httpx.Client(timeout=TIMEOUT_S),
        access_key_id=key_id,
        access_key_secret=secret,
        sign_name="陕西健康码",
        template_code="SMS_123456789",
        endpoint=fake.url,
        clock=lambda: START,
        nonces=lambda: next(nonces),
    )


def test_the_signature_matches_the_providers_documented_example() -> None:
    assert rpc_signature("GET", DOC_PARAMS, "testSecret") == DOC_SIGNATURE
    assert provider_signature("GET", DOC_PARAMS, "testSecret") == DOC_SIGNATURE  # the fake's


def test_a_code_is_sent_signed_with_the_template_and_its_parameter(fake: FakeDysmsapi) -> None:
    _sender(fake).send_code(PHONE, "123456")
    (sent,) = fake.received
    assert sent["PhoneNumbers"] == PHONE
    assert json.loads(sent["TemplateParam"]) == {"code": "123456"}
    assert sent["SignName"] == "陕西健康码" and sent["TemplateCode"] == "SMS_123456789"
    assert sent["Timestamp"] == "2026-11-23T08:00:00Z" and sent["SignatureNonce"] == "nonce-0"
    assert sent["Action"] == "SendSms" and sent["Version"] == "2017-05-25"


@pytest.mark.parametrize(
    ("behaviour", "failure"),
    [
        ("throttled", SmsFailure.THROTTLED),
        ("bad_phone", SmsFailure.BAD_PHONE),
        ("malformed", SmsFailure.UNAVAILABLE),
    ],
)
def test_each_refusal_of_the_provider_is_named(
    fake: FakeDysmsapi, behaviour: str, failure: SmsFailure
) -> None:
    fake.behaviour = behaviour
    with pytest.raises(SmsDeliveryError) as raised:
        _sender(fake).send_code(PHONE, "123456")
    assert raised.value.failure is failure


@pytest.mark.parametrize("wrong", ["secret", "key_id"])
def test_wrong_credentials_are_refused_by_the_provider_and_named(
    fake: FakeDysmsapi, wrong: str, caplog: pytest.LogCaptureFixture
) -> None:
    sender = (
        _sender(fake, secret="not-the-secret")  # noqa: S106
        if wrong == "secret"
        else _sender(fake, key_id="x")
    )
    with caplog.at_level(logging.INFO), pytest.raises(SmsDeliveryError) as raised:
        sender.send_code(PHONE, "123456")
    assert raised.value.failure is SmsFailure.CREDENTIALS
    expected = "SignatureDoesNotMatch" if wrong == "secret" else "InvalidAccessKeyId.NotFound"
    assert expected in caplog.text and "ERROR" in {r.levelname for r in caplog.records}


def test_no_answer_within_the_timeout_is_a_failure_not_a_wait(fake: FakeDysmsapi) -> None:
    fake.behaviour = "hang"  # the fake answers only once released, after the client gave up
    try:
        with pytest.raises(SmsDeliveryError) as raised:
            _sender(fake).send_code(PHONE, "123456")
        assert raised.value.failure is SmsFailure.UNAVAILABLE
        assert len(fake.received) == 1  # it was asked, and did not answer in time
    finally:
        fake.release.set()


@pytest.mark.parametrize("behaviour", ["ok", "throttled", "malformed", "hang"])
def test_the_log_holds_no_phone_number_code_or_secret(
    fake: FakeDysmsapi, behaviour: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake.behaviour = behaviour
    with caplog.at_level(logging.DEBUG, logger="central"):
        try:
            _sender(fake).send_code(PHONE, "654321")
        except SmsDeliveryError:
            pass
        finally:
            fake.release.set()
    assert caplog.records  # something was said
    assert PHONE not in caplog.text and "654321" not in caplog.text and SECRET not in caplog.text
    assert "139****5678" in caplog.text
    assert SECRET not in repr(_sender(fake))


# The service with the sender its settings name, the resident's side.


def _aliyun_settings(tmp_path: Path, fake: FakeDysmsapi, **more: Any) -> Settings:
    secret_file = tmp_path / "sms-secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    values: dict[str, Any] = {
        "data_dir": tmp_path / "central",
        "sms_provider": "aliyun",
        "sms_access_key_id": KEY_ID,
        "sms_access_key_secret_file": secret_file,
        "sms_sign_name": "陕西健康码",
        "sms_template_code": "SMS_123456789",
        "sms_endpoint": fake.url,
        "sms_timeout_s": TIMEOUT_S,
    }
    return Settings(**(values | more), _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def served(tmp_path: Path, fake: FakeDysmsapi) -> Iterator[TestClient]:
    settings = _aliyun_settings(tmp_path, fake)
    prepare(settings, START)
    app = create_app(settings, clock=FakeClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC)))
    assert isinstance(app.state.sms_sender, AliyunSmsSender)
    with TestClient(app) as client:
        yield client


def _ask(client: TestClient) -> httpx.Response:
    return client.post("/api/v1/issuance/sms-codes", json={"phone": PHONE})


def _challenges(client: TestClient) -> int:
    app: Any = client.app
    with app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(SmsChallenge)))


def test_a_resident_gets_the_code_through_the_provider(
    served: TestClient, fake: FakeDysmsapi
) -> None:
    assert _ask(served).status_code == 202
    assert json.loads(fake.received[-1]["TemplateParam"])["code"].isdigit()


@pytest.mark.parametrize("behaviour", ["malformed", "hang"])
def test_a_failed_send_is_refused_as_such_and_the_resident_may_ask_again_at_once(
    served: TestClient, fake: FakeDysmsapi, behaviour: str
) -> None:
    fake.behaviour = behaviour
    try:
        refused = _ask(served)
    finally:
        fake.release.set()
    assert refused.status_code == 503
    assert refused.json()["error"] == "unavailable"
    assert refused.json()["detail"] == "the SMS could not be sent; try again later"
    assert _challenges(served) == 0  # no code that never left
    fake.behaviour = "ok"
    assert _ask(served).status_code == 202  # the minute's limit was given back
    assert _challenges(served) == 1


@pytest.mark.parametrize(
    ("behaviour", "status", "error"),
    [("throttled", 429, "rate_limited"), ("bad_phone", 400, "bad_request")],
)
def test_the_providers_limits_and_number_checks_reach_the_resident(
    served: TestClient, fake: FakeDysmsapi, behaviour: str, status: int, error: str
) -> None:
    fake.behaviour = behaviour
    refused = _ask(served)
    assert refused.status_code == status and refused.json()["error"] == error


def test_the_provider_needs_its_settings_and_a_real_secret(
    tmp_path: Path, fake: FakeDysmsapi
) -> None:
    with pytest.raises(ValidationError, match="CENTRAL_SMS_SIGN_NAME"):
        _aliyun_settings(tmp_path, fake, sms_sign_name=None)
    with pytest.raises(ValidationError, match="placeholder"):
        _aliyun_settings(tmp_path, fake, sms_access_key_secret="changeme")  # noqa: S106
    settings = _aliyun_settings(tmp_path, fake)
    assert settings.sms_access_key_secret_file is not None
    settings.sms_access_key_secret_file.write_text("changeme", encoding="utf-8")
    with pytest.raises(SmsConfigurationError):
        sender_from_settings(settings)
    assert issubclass(PlaceholderSecretError, ValueError)


def test_codes_go_to_the_log_only_when_the_settings_say_so(tmp_path: Path) -> None:
    logged = Settings(data_dir=tmp_path, sms_provider="log", _env_file=None)  # type: ignore[call-arg]
    assert isinstance(sender_from_settings(logged), LoggingSmsSender)
    unset = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(SmsConfigurationError, match="CENTRAL_SMS_PROVIDER"):
        create_app(unset)


def test_central_serve_refuses_to_start_without_an_sms_sender(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CENTRAL_SMS_PROVIDER", raising=False)
    monkeypatch.chdir(tmp_path)  # no central.env from the working folder
    assert main(["--data-dir", str(tmp_path), "serve", "--port", "1"]) == 3
    assert "CENTRAL_SMS_PROVIDER" in capsys.readouterr().err
