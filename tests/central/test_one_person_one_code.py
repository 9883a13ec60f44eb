"""One person, one code (issue 27): knowing an ID number is not enough to take its code over
from another phone; the recorded phone's SMS code or a community worker's in-person reset is."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import AuditEntry
from tests.central.areas import create_account, load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.issuance_world import API, declaration, declare, holder, id_number, sms_of
from tests.central.test_web_rules import _browser, _csrf

THIEF_PHONE = "13700000001"
NEW_PHONE = "13800000002"


def _take_over(central: Central, phone: str, **extra: Any) -> Any:
    central.clock.advance(seconds=61)
    assert central.client.post(f"{API}/sms-codes", json={"phone": phone}).status_code == 202
    body = declaration(7, full_name="李四", phone=phone) | extra
    return central.client.post(
        f"{API}/declarations", json=body | {"sms_code": sms_of(central).last_code(phone)}
    )


def _recorded_phone_code(central: Central, serial: int) -> None:
    central.clock.advance(seconds=61)
    asked = central.client.post(
        f"{API}/sms-codes/recorded-phone", json={"id_number": id_number(serial)}
    )
    assert asked.status_code == 202, asked.text


def test_another_phone_cannot_take_a_known_id_over_and_the_holder_keeps_their_code(
    central: Central,
) -> None:
    first = declare(central, declaration(7))
    taken = _take_over(central, THIEF_PHONE)
    assert taken.status_code == 403, taken.text
    assert taken.json()["detail"].startswith("previous_phone_code:")
    guessed = _take_over(central, THIEF_PHONE, previous_phone_code="000000")
    assert guessed.status_code == 403
    refreshed = central.client.post(f"{API}/code/refresh", headers=holder(first["holder_token"]))
    assert refreshed.status_code == 200
    assert refreshed.json()["masked_name"] == "张*丰"
    again = declare(central, declaration(7))  # the holder's own phone: as before
    assert again["code"]["masked_name"] == "张*丰"


def test_the_recorded_phones_code_moves_the_id_to_the_new_phone(central: Central) -> None:
    declare(central, declaration(7))
    _recorded_phone_code(central, 7)
    old_phone_code = sms_of(central).last_code(declaration(7)["phone"])
    moved = _take_over(central, NEW_PHONE, previous_phone_code=old_phone_code)
    assert moved.status_code == 201, moved.text
    assert moved.json()["code"]["masked_name"] == "李*"
    nobody = central.client.post(
        f"{API}/sms-codes/recorded-phone", json={"id_number": id_number(9)}
    )
    assert nobody.status_code == 202  # the same answer for an ID with no code


def test_a_community_workers_in_person_reset_lets_the_new_phone_declare_and_is_audited(
    central: Central,
) -> None:
    first = declare(central, declaration(7))
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    worker = create_account(
        central, xincheng.headers, username="dxj", role="community_worker", area_code="610102001001"
    )
    elsewhere = create_account(
        central, xincheng.headers, username="xyl", role="community_worker", area_code="610102001002"
    )
    reset = {"id_number": id_number(7), "phone": NEW_PHONE}
    refused = central.client.post(f"{API}/phone-resets", json=reset, headers=elsewhere.headers)
    assert refused.status_code == 403
    done = central.client.post(f"{API}/phone-resets", json=reset, headers=worker.headers)
    assert done.status_code == 200, done.text
    stale = central.client.post(f"{API}/code/refresh", headers=holder(first["holder_token"]))
    assert stale.status_code == 401
    assert _take_over(central, NEW_PHONE).status_code == 201
    with session_scope(central.app.state.sessions) as session:
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "change", AuditEntry.object_type == "person"
            )
        ).all()
        assert [(e.actor_id, e.row_count) for e in entries] == [(worker.account_id, 1)]


def test_the_proxy_codes_page_resets_a_phone_in_person_and_says_why_it_cannot(
    central: Central,
) -> None:
    first = declare(central, declaration(7))
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    worker = create_account(
        central, xincheng.headers, username="dxj", role="community_worker", area_code="610102001001"
    )
    client = _browser(central, worker.account_id)
    page = client.get("/admin/proxy-codes")
    assert "更换手机号（本人到场）" in page.text
    form = {"csrf": _csrf(page.text), "id_type": "resident_id"}
    unknown = client.post(
        "/admin/proxy-codes/phone-reset",
        data=form | {"id_number": id_number(9), "phone": NEW_PHONE},
    )
    assert unknown.status_code == 404
    assert "该证件号码尚未申领健康码" in unknown.text
    bad_phone = client.post(
        "/admin/proxy-codes/phone-reset", data=form | {"id_number": id_number(7), "phone": "12"}
    )
    assert bad_phone.status_code == 400 and "请填写 11 位手机号码" in bad_phone.text
    done = client.post(
        "/admin/proxy-codes/phone-reset",
        data=form | {"id_number": id_number(7), "phone": NEW_PHONE},
    )
    assert done.status_code == 200, done.text
    assert "已登记新手机号" in done.text
    central.client.cookies.clear()
    stale = central.client.post(f"{API}/code/refresh", headers=holder(first["holder_token"]))
    assert stale.status_code == 401


def _script_words(page: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="words">(.*?)</script>', page)
    assert found is not None
    words: dict[str, str] = json.loads(found[1])
    return words


def test_the_declaration_page_brings_the_old_phone_step_in_its_language(
    central: Central,
) -> None:
    """The page answers central's previous_phone_code refusal itself (static/resident.js): the
    step is in the page, hidden until then, its words and errors in the page's language."""
    declare(central, declaration(7))
    taken = _take_over(central, THIEF_PHONE)  # the refusal the page turns into that step
    assert taken.status_code == 403 and taken.json()["detail"].startswith("previous_phone_code:")
    script = central.client.get("/static/resident/resident.js").text
    assert "/sms-codes/recorded-phone" in script and "previous_phone_code" in script
    for query, shown, wrong in (
        (
            "",
            ("原手机验证", "发送验证码到原手机", "社区工作人员当面更换手机号"),
            "原手机验证码不对",
        ),
        ("?lang=en", ("Your old phone", "Send code to old phone", "a community worker"), "wrong"),
    ):
        page = central.client.get("/issuance" + query)
        assert page.status_code == 200
        assert '<fieldset id="previous-phone" hidden>' in page.text
        for word in shown:
            assert word in page.text, word
        assert wrong in _script_words(page.text)["r_err_previous_phone_code_wrong"]
