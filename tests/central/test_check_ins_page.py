"""The residents' daily check-ins for their area's staff: who checked in on a day (abnormal
first) and who has not, by area (the region picker) and day; names, ID numbers and phones
masked; another area refused; every list audited; both languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import AuditEntry
from tests.central.conftest import Central
from tests.central.issuance_world import API, declaration, declare, id_number
from tests.central.test_colour_changes import check_in
from tests.central.test_task_pages import COMMUNITY, NEIGHBOUR, _world
from tests.central.test_web_rules import _browser


def _residents(central: Central) -> None:
    """Three self-declared residents of Dongxinjie and one of Xiyilu; three check in today,
    the second one coughing."""
    tokens = [
        declare(central, declaration(serial, residence=area))["holder_token"]
        for serial, area in ((1, COMMUNITY), (2, COMMUNITY), (3, COMMUNITY), (4, NEIGHBOUR))
    ]
    check_in(central, tokens[0])
    check_in(central, tokens[1], cough=True)
    check_in(central, tokens[3])


def _rows(html: str) -> list[str]:
    if 'id="check-ins"' not in html:
        return []
    table = html.split('id="check-ins"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", table, re.S)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_county_sees_who_checked_in_today_and_who_has_not_masked(
    central: Central, language: str
) -> None:
    xincheng, _, _ = _world(central)
    _residents(central)
    client = _browser(central, xincheng.account_id)
    page = client.get(f"/admin/check-ins?lang={language}")
    zh = language == "zh"
    assert page.status_code == 200
    rows = _rows(page.text)
    assert len(rows) == 3
    assert ("异常" if zh else "Abnormal") in rows[0]  # abnormal first
    assert ("已打卡 3 人，其中异常 1 人" if zh else "3 checked in, 1 abnormal") in page.text
    main = page.text.split("<main>", 1)[1]
    for serial in (1, 2, 3, 4):  # never a full ID number or phone
        assert id_number(serial) not in main and declaration(serial)["phone"] not in main
    assert "张*丰" in main and id_number(1)[-4:] in main and "********" in main
    assert "139****0001" in main
    narrowed = client.get(f"/admin/check-ins?area={COMMUNITY}")
    assert len(_rows(narrowed.text)) == 2
    assert ("东新街社区" if zh else "Dongxinjie") in narrowed.text
    missing = client.get(f"/admin/check-ins?area={COMMUNITY}&missing=true")
    assert len(_rows(missing.text)) == 1 and id_number(3)[-4:] in missing.text
    assert ("未打卡 1 人" if zh else "1 not checked in") in missing.text
    yesterday = (central.clock() + timedelta(hours=8) - timedelta(days=1)).date()
    before = client.get(f"/admin/check-ins?day={yesterday.isoformat()}")
    assert _rows(before.text) == [] and 'id="no-check-ins"' in before.text
    with session_scope(central.app.state.sessions) as session:
        counts = session.scalars(
            select(AuditEntry.row_count)
            .where(AuditEntry.object_type == "check_in")
            .order_by(AuditEntry.id)
        ).all()
    assert counts == [3, 2, 1, 0]


def test_a_community_worker_sees_its_community_only_and_another_county_nothing(
    central: Central,
) -> None:
    _, worker, baoji = _world(central)
    _residents(central)
    client = _browser(central, worker.account_id)
    own = client.get("/admin/check-ins")
    assert own.status_code == 200 and len(_rows(own.text)) == 2
    nav = own.text.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "/admin/check-ins" in nav
    assert client.get(f"/admin/check-ins?area={NEIGHBOUR}").status_code == 403
    api = central.client.get(f"{API}/check-ins?missing=true", headers=worker.headers)
    assert api.status_code == 200 and len(api.json()) == 1
    assert set(api.json()[0]) >= {"masked_name", "id_number_masked", "phone_masked"}
    other = _browser(central, baoji.account_id)
    assert other.get("/admin/check-ins?area=610102").status_code == 403
    assert _rows(other.get("/admin/check-ins").text) == []
