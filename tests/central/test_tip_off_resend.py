"""A liaison's tip-off SMS the provider did not take is resent by the periodic job (issue 25):
against the local fake of the SMS provider answering errors, then success; doubling pauses, a
bounded number of resends, the state on the tip-off page and an alert when it finally fails."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from central.issuance.sms_aliyun import AliyunSmsSender
from central.jobs import ReportWork, run_once
from central.tipoffs.resend import MAX_RESENDS
from tests.central.aliyun_fake import KEY_ID, SECRET, FakeDysmsapi, running_fake
from tests.central.conftest import Central
from tests.central.test_tip_offs import LIAISON_PHONE, _clue, _post, _tip_offs, _world
from tests.central.test_web_rules import _browser


@pytest.fixture
def fake() -> Iterator[FakeDysmsapi]:
    with running_fake() as running:
        yield running


def _provider(central: Central, fake: FakeDysmsapi) -> AliyunSmsSender:
    sender = AliyunSmsSender(
        httpx.Client(timeout=2.0),
        access_key_id=KEY_ID,
        access_key_secret=SECRET,
        sign_name="陕西健康码",
        template_code="SMS_123456789",
        notice_template_code="SMS_987654321",
        endpoint=fake.url,
    )
    central.app.state.sms_sender = sender
    return sender


def _run_jobs(central: Central, sender: AliyunSmsSender) -> None:
    work = ReportWork(central.settings, notices=sender)
    assert run_once(central.app.state.sessions, central.clock, owner="t", reports=work).ran


def test_a_throttled_sms_is_resent_with_doubling_pauses_until_the_provider_takes_it(
    central: Central, fake: FakeDysmsapi
) -> None:
    _, community, _, _ = _world(central)
    sender = _provider(central, fake)
    fake.behaviour = "throttled"
    status, html = _post(central, **_clue())
    assert status == 201, html  # the resident's receipt does not wait for the SMS
    [tip_off] = _tip_offs(central)
    assert tip_off.notify_error == "throttled" and tip_off.notified_at is None
    _run_jobs(central, sender)
    assert len(fake.received) == 1  # not yet: a minute after the failure
    central.clock.advance(minutes=1)
    _run_jobs(central, sender)
    assert len(fake.received) == 2  # the first resend, refused too
    [tip_off] = _tip_offs(central)
    assert tip_off.notify_resends == 1 and tip_off.notify_next_at is not None
    page = _browser(central, community.account_id).get("/admin/tip-offs").text
    assert "发送失败，将自动重发" in page and "已重发 1 次" in page
    fake.behaviour = "ok"
    central.clock.advance(minutes=1)
    _run_jobs(central, sender)
    assert len(fake.received) == 2  # two minutes after the second failure, not one
    central.clock.advance(minutes=1)
    _run_jobs(central, sender)
    [tip_off] = _tip_offs(central)
    assert tip_off.notified_at == central.clock() and tip_off.notify_error is None
    assert [sent["PhoneNumbers"] for sent in fake.received] == [LIAISON_PHONE] * 3
    central.clock.advance(hours=1)
    _run_jobs(central, sender)
    assert len(fake.received) == 3  # taken: never sent again
    english = _browser(central, community.account_id).get("/admin/tip-offs?lang=en").text
    assert "SMS sent" in english and "sms-retrying" not in english


def test_an_sms_refused_every_time_gives_up_after_the_last_resend_and_alerts(
    central: Central, fake: FakeDysmsapi
) -> None:
    xincheng, _, _, _ = _world(central)
    sender = _provider(central, fake)
    fake.behaviour = "bad_phone"
    _post(central, **_clue())
    runs = 8
    for _ in range(runs):  # more runs than resends, far enough apart for every pause
        central.clock.advance(minutes=20)
        _run_jobs(central, sender)
    print(f"{runs} periodic runs")
    assert len(fake.received) == 1 + MAX_RESENDS
    [tip_off] = _tip_offs(central)
    assert tip_off.notify_resends == MAX_RESENDS and tip_off.notify_next_at is None
    alerts = _browser(central, xincheng.account_id).get("/admin/alerts").text
    assert 'id="tip-offs-sms-gave-up"' in alerts and "多次重发仍未送达联络员" in alerts
    page = _browser(central, xincheng.account_id).get("/admin/tip-offs?lang=en").text
    assert "not sent after every resend" in page
