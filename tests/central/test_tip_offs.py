"""Residents' tip-offs (issue 25, notice 004), in process: the phone-first form for both kinds,
the dispatch to the area's grid worker by SMS, its progress on the staff page, the alert when one
is not visited in time and the county's overview. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import Administrator, AuditEntry, TipOff
from central.core.scope import api_routes, route_guard
from central.issuance.sms import SmsDeliveryError
from central.issuance.sms_aliyun import AliyunSmsSender
from tests.central.aliyun_fake import KEY_ID, SECRET, running_fake
from tests.central.areas import Account, create_account, load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.test_web_rules import _browser, _csrf

STREET = "610102001"  # 西一路街道
COMMUNITY = "610102001001"  # 东新街社区, in that street
OTHER_STREET_COMMUNITY = "610102004001"  # 韩森东路社区
LIAISON_PHONE = "13900001111"
STREET_PHONE = "13900002222"
FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)-error" role="alert">([^<]+)</p>')


@dataclass
class KeptNotices:
    """The SMS sender as the tip-offs use it: codes and notices kept."""

    codes: list[tuple[str, str]] = field(default_factory=list)
    notices: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    sent: threading.Condition = field(default_factory=threading.Condition)

    def send_code(self, phone: str, code: str) -> None:
        self.codes.append((phone, code))

    def send_notice(self, phone: str, params: Mapping[str, str]) -> None:
        with self.sent:
            self.notices.append((phone, dict(params)))
            self.sent.notify_all()

    def wait_for_notice(self, phone: str, number: str, timeout_s: float = 30.0) -> bool:
        """Whether the notice of tip-off `number` reached `phone` within the time (a web page
        sends it after answering the resident)."""
        with self.sent:
            return self.sent.wait_for(
                lambda: any(p == phone and n["number"] == number for p, n in self.notices),
                timeout=timeout_s,
            )


def _world(central: Central) -> tuple[Account, Account, Account, KeptNotices]:
    """Xincheng's administrator, the grid worker of Dongxinjie community and of Xiyilu street."""
    load_sample_regions(central)
    sender = central.app.state.sms_sender = KeptNotices()
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    community = create_account(
        central,
        xincheng.headers,
        username="dxj-grid",
        role="grid_worker",
        area_code=COMMUNITY,
        phone=LIAISON_PHONE,
    )
    street = create_account(
        central,
        xincheng.headers,
        username="xyl-grid",
        role="grid_worker",
        area_code=STREET,
        phone=STREET_PHONE,
    )
    return xincheng, community, street, sender


def _post(central: Central, lang: str = "zh", **fields: str) -> tuple[int, str]:
    central.client.cookies.clear()
    kind = fields.get("kind", "clue")
    form = central.client.get(f"/tip-off?kind={kind}&lang={lang}")
    assert form.status_code == 200
    answer = central.client.post("/tip-off", data={"csrf": _csrf(form.text), **fields})
    return answer.status_code, answer.text


def _clue(area: str = COMMUNITY, **changes: str) -> dict[str, str]:
    return {
        "kind": "clue",
        "clue_name": "李四",
        "area_code": area,
        "place": "东新街12号院3单元",
        "situation": "symptoms",
    } | changes


def _tip_offs(central: Central) -> list[TipOff]:
    with session_scope(central.app.state.sessions) as session:
        rows = session.scalars(select(TipOff).order_by(TipOff.created_at, TipOff.number)).all()
        session.expunge_all()
        return list(rows)


def test_a_clue_goes_to_the_grid_worker_of_its_community_by_sms(central: Central) -> None:
    _, community, _, sender = _world(central)
    status, html = _post(central, **_clue())
    assert status == 201, html
    number = re.search(r'<strong id="number" class="mono">(\d+)</strong>', html)
    assert number, html
    [tip_off] = _tip_offs(central)
    assert tip_off.liaison_id == community.account_id and tip_off.status == "received"
    assert tip_off.notified_at is not None and tip_off.notify_error is None
    [(phone, params)] = sender.notices
    assert phone == LIAISON_PHONE and params["number"] == number[1]
    assert "李四" not in str(params)  # the SMS names no person
    assert b"\xe6\x9d\x8e\xe5\x9b\x9b" not in (tip_off.clue_name_enc or b"")  # kept encrypted


def test_a_supervision_report_in_another_community_goes_to_the_street_liaison(
    central: Central,
) -> None:
    _, _, street, sender = _world(central)
    report = {
        "kind": "supervision",
        "report_type": "gathering",
        "area_code": "610102001002",  # 西一路社区: no liaison of its own, its street's has
        "place": "西一路广场",
        "description": "晚上有三十多人聚集跳舞，未戴口罩",
    }
    status, html = _post(central, **report)
    assert status == 201, html
    [tip_off] = _tip_offs(central)
    assert tip_off.liaison_id == street.account_id and tip_off.report_type == "gathering"
    assert [phone for phone, _ in sender.notices] == [STREET_PHONE]


def test_a_tip_off_with_missing_fields_keeps_what_was_typed_with_each_error_beside_it(
    central: Central,
) -> None:
    _world(central)
    status, html = _post(central, **_clue(clue_name="", place="东新街广场"))
    assert status == 400
    assert FIELD_ERROR.findall(html) == [("clue_name", "请填写姓名（最多50字）")]
    assert 'value="东新街广场"' in html and 'value="symptoms" checked' in html
    status, html = _post(central, lang="en", **_clue(situation=""))
    assert status == 400
    assert FIELD_ERROR.findall(html) == [("situation", "Choose one situation")]
    status, html = _post(
        central, kind="supervision", area_code=COMMUNITY, place="x", report_type="other"
    )
    assert FIELD_ERROR.findall(html) == [("description", "请描述情况（最多1000字）")]
    status, html = _post(central, kind="clue")  # nothing filled in: every error at once
    assert [name for name, _ in FIELD_ERROR.findall(html)] == [
        "clue_name",
        "area_code",
        "place",
        "situation",
    ]
    assert _tip_offs(central) == []


def test_a_form_without_its_token_is_refused_and_an_address_is_throttled(
    central: Central,
) -> None:
    _world(central)
    central.client.cookies.clear()
    assert central.client.post("/tip-off", data=_clue()).status_code == 403
    limit = central.settings.tip_offs_per_address_per_minute
    codes = [_post(central, **_clue())[0] for _ in range(limit + 1)]
    print(f"{len(codes)} tip-offs posted from one address")
    assert codes[:limit] == [201] * limit and codes[limit] == 429


def test_the_liaison_records_its_visit_and_closes_with_feedback(central: Central) -> None:
    _, community, _, _ = _world(central)
    _post(central, **_clue())
    [tip_off] = _tip_offs(central)
    browser = _browser(central, community.account_id)
    page = browser.get("/admin/tip-offs")
    assert page.status_code == 200 and "李四" in page.text and "东新街12号院3单元" in page.text
    # navigation: the liaison's page only
    assert 'href="/admin/tip-offs"' in page.text and 'href="/admin/accounts"' not in page.text
    progress = f"/admin/tip-offs/{tip_off.id}/progress"
    visited = browser.post(progress, data={"csrf": _csrf(page.text), "to": "visited"})
    assert visited.status_code == 200 and 'id="saved"' in visited.text
    refused = browser.post(progress, data={"csrf": _csrf(page.text), "to": "closed"})
    assert refused.status_code == 400 and "请填写核查情况" in refused.text
    closed = browser.post(
        progress, data={"csrf": _csrf(page.text), "to": "closed", "feedback": "已上门，已送医"}
    )
    assert closed.status_code == 200 and "已上门，已送医" in closed.text
    [done] = _tip_offs(central)
    assert done.status == "closed" and done.visited_at and done.closed_at
    # another page is not the liaison's: sent back to its own
    other = browser.get("/admin/accounts", follow_redirects=False)
    assert other.status_code == 303 and other.headers["location"] == "/admin/tip-offs"


def test_a_liaison_sees_only_its_own_tip_offs_and_cannot_touch_others(central: Central) -> None:
    _, community, street, _ = _world(central)
    _post(central, **_clue())
    _post(central, **_clue(area=f"{STREET}002", clue_name="王五"))  # 西一路社区: the street's
    [mine] = [t for t in _tip_offs(central) if t.liaison_id == community.account_id]
    [theirs] = [t for t in _tip_offs(central) if t.liaison_id == street.account_id]
    browser = _browser(central, street.account_id)
    page = browser.get("/admin/tip-offs")
    assert "王五" in page.text and "李四" not in page.text
    answer = browser.post(
        f"/admin/tip-offs/{mine.id}/progress", data={"csrf": _csrf(page.text), "to": "visited"}
    )
    assert answer.status_code == 404
    with session_scope(central.app.state.sessions) as session:
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.actor_id == street.account_id, AuditEntry.object_type == "tip_off"
            )
        ).all()
        assert [e.row_count for e in entries] == [1]
    assert theirs.liaison_id == street.account_id and mine.liaison_id == community.account_id


def test_the_county_sees_its_streets_overview_and_an_alert_for_one_not_visited_in_time(
    central: Central,
) -> None:
    xincheng, _, _, _ = _world(central)
    _post(central, **_clue())
    _post(central, **_clue(area=OTHER_STREET_COMMUNITY, clue_name="赵六"))  # no liaison there
    browser = _browser(central, xincheng.account_id)
    page = browser.get("/admin/tip-offs")
    assert page.status_code == 200 and 'id="overdue-alert"' not in page.text
    assert "西一路街道" in page.text and "韩森寨街道" in page.text
    assert "无联络员" in page.text
    central.clock.advance(hours=central.settings.tip_off_visit_within_h + 1)
    browser = _browser(central, xincheng.account_id)  # a new session: the old one expired
    late = browser.get("/admin/tip-offs")
    assert 'id="overdue-alert"' in late.text
    total = re.search(r'<tr id="overview-total">(.*?)</tr>', late.text, re.S)
    assert total
    cells = re.findall(r'class="num">(\d+)</td>', total[1])
    assert cells == ["2", "0", "0", "2", "1"]  # received, visited, closed, overdue, no liaison
    # in English too, and on the alerts page
    assert "Overdue" in browser.get("/admin/tip-offs?lang=en").text
    alerts = browser.get("/admin/alerts?lang=zh").text
    assert 'id="tip-offs-overdue"' in alerts and "有举报超过规定时间仍未上门核查" in alerts


def test_a_grid_worker_is_created_only_with_its_mobile_number(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    answer = central.client.post(
        "/api/v1/accounts",
        json={"username": "nophone", "role": "grid_worker", "area_code": COMMUNITY},
        headers=xian.headers,
    )
    assert answer.status_code == 400 and "mobile number" in answer.text
    with session_scope(central.app.state.sessions) as session:
        assert (
            session.scalars(
                select(Administrator).where(Administrator.username == "nophone")
            ).first()
            is None
        )


def test_the_tip_off_routes_are_guarded(central: Central) -> None:
    guards = {
        (path, method): route_guard(path, route)
        for path, route in api_routes(central.app)
        for method in route.methods or ()
        if "tip-off" in path
    }
    assert guards == {
        ("/tip-off", "GET"): "public",
        ("/tip-off", "POST"): "public",
        ("/admin/tip-offs", "GET"): "scope",
        ("/admin/tip-offs/{tip_off_id}/progress", "POST"): "scope",
    }


def test_alibaba_cloud_sends_a_tip_off_with_the_notice_template_signed_like_a_code() -> None:
    with running_fake() as fake:
        sender = AliyunSmsSender(
            httpx.Client(timeout=2.0),
            access_key_id=KEY_ID,
            access_key_secret=SECRET,
            sign_name="陕西健康码",
            template_code="SMS_123456789",
            notice_template_code="SMS_987654321",
            endpoint=fake.url,
        )
        sender.send_notice(
            LIAISON_PHONE, {"number": "26112312345678", "kind": "clue", "place": "东新街"}
        )
        [sent] = fake.received  # the fake checked the signature: it answered OK
        assert sent["TemplateCode"] == "SMS_987654321"
        assert json.loads(sent["TemplateParam"]) == {
            "number": "26112312345678",
            "kind": "clue",
            "place": "东新街",
        }
        without = AliyunSmsSender(
            httpx.Client(timeout=2.0),
            access_key_id=KEY_ID,
            access_key_secret=SECRET,
            sign_name="陕西健康码",
            template_code="SMS_123456789",
            endpoint=fake.url,
        )
        with pytest.raises(SmsDeliveryError):
            without.send_notice(LIAISON_PHONE, {"number": "1", "kind": "clue", "place": "x"})
        assert len(fake.received) == 1  # nothing sent without a notice template
