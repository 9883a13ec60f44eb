"""A fever case is confirmed or dismissed for a reason: the page asks for it (beside the row,
in the page's language, the choice kept when refused), the API takes it and refuses one that
does not fit the decision, the decided list shows it with when and by whom, and the decision
is in the audit log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import AuditEntry, FeverCase
from tests.central.conftest import Central
from tests.central.issuance_world import API
from tests.central.test_colour_changes import _fever_case
from tests.central.test_task_pages import _world
from tests.central.test_web_rules import _browser, _csrf


def _decide(client: object, case_id: str, token: str, **form: str) -> object:
    return client.post(  # type: ignore[attr-defined]
        f"/admin/fever-cases/{case_id}/decision", data={"csrf": token} | form
    )


def _row_error(html: str, case_id: str) -> str:
    found = re.search(rf'id="reason-{case_id}-error"[^>]*>([^<]+)<', html)
    assert found, html
    return found[1]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_fever_case_is_dismissed_for_a_reason_the_page_asks_for_and_then_shows(
    central: Central, language: str
) -> None:
    xincheng, _, _ = _world(central)
    case_id, _ = _fever_case(central, None, "610000")
    client = _browser(central, xincheng.account_id)
    page = client.get(f"/admin/fever-cases?lang={language}")
    zh = language == "zh"
    assert ("复测体温正常" if zh else "Normal when measured again") in page.text
    token = _csrf(page.text)
    missing = _decide(client, case_id, token, decision="dismiss")
    assert missing.status_code == 400
    assert _row_error(missing.text, case_id) == (
        "请先选择原因，再确认或排除" if zh else "Choose a reason, then confirm or dismiss"
    )
    unfit = _decide(client, case_id, token, decision="dismiss", reason="symptoms")
    assert unfit.status_code == 400
    assert _row_error(unfit.text, case_id) == (
        "所选原因与处理方式不符" if zh else "That reason does not fit this decision"
    )
    assert 'value="symptoms" selected' in unfit.text
    with session_scope(central.app.state.sessions) as session:
        case = session.get(FeverCase, case_id)
        assert case is not None and case.status == "open" and case.decision_reason is None
    done = _decide(client, case_id, token, decision="dismiss", reason="device_fault")
    assert done.status_code == 200
    with session_scope(central.app.state.sessions) as session:
        case = session.get(FeverCase, case_id)
        assert case is not None
        assert (case.status, case.decision_reason, case.decided_by) == (
            "dismissed",
            "device_fault",
            xincheng.account_id,
        )
        assert case.decided_at is not None
        decided = session.scalars(select(AuditEntry).where(AuditEntry.action == "decide")).one()
        assert decided.object_type == "fever_case" and decided.row_count == 1
    listed = client.get("/admin/fever-cases?status=dismissed")
    row = listed.text.split(f'id="case-{case_id}"', 1)[1].split("</tr>", 1)[0]
    assert ("设备测温有误" if zh else "The kiosk measured wrongly") in row
    assert "xincheng" in row and "device_fault" not in row
    audit = client.get("/admin/audit?what=decide")
    assert audit.status_code == 200 and ("处理" if zh else "Decide") in audit.text
    assert "POST /admin/fever-cases/{case_id}/decision" in audit.text


def test_the_api_takes_a_reason_that_fits_and_refuses_one_that_does_not(
    central: Central,
) -> None:
    xincheng, _, _ = _world(central)
    confirmed, _ = _fever_case(central, None, "610000")
    plain, _ = _fever_case(central, None, "610000")
    url = f"{API}/fever-cases/{{}}/decision"
    unfit = central.client.post(
        url.format(confirmed),
        json={"decision": "confirm", "reason": "device_fault"},
        headers=xincheng.headers,
    )
    assert unfit.status_code == 422
    assert unfit.json()["detail"] == "the reason device_fault does not fit a confirm"
    fits = central.client.post(
        url.format(confirmed),
        json={"decision": "confirm", "reason": "referred"},
        headers=xincheng.headers,
    )
    assert fits.status_code == 200
    without = central.client.post(  # programs written before reasons still work
        url.format(plain), json={"decision": "dismiss"}, headers=xincheng.headers
    )
    assert without.status_code == 200
    listed = central.client.get(
        f"{API}/fever-cases?status=confirmed", headers=xincheng.headers
    ).json()
    assert [(c["decision_reason"], c["decided_by"]) for c in listed] == [
        ("referred", xincheng.account_id)
    ]
    dismissed = central.client.get(
        f"{API}/fever-cases?status=dismissed", headers=xincheng.headers
    ).json()
    assert dismissed[0]["decision_reason"] is None and dismissed[0]["decided_at"]
