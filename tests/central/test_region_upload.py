"""The regions page loads a region file: the province's administrator sends it from a form; a
file with any wrong line loads nothing and lists every problem by line beside the form, in the
page's language; a right one is loaded (an upsert) and audited. Nobody else gets the form, and
the API refuses them too."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import AuditEntry, Region
from tests.central.areas import load_sample_regions, province_account_id, region_admin
from tests.central.conftest import Central
from tests.central.test_web_rules import _browser, _csrf

BAD_FILE = "\n".join(
    [
        "code,name_zh,name_en",  # 1
        "# a comment",  # 2
        "61010200100,短了一位,",  # 3: not a region code
        "610102001090,,Nameless",  # 4: no Chinese name
        "610102001091,新社区甲,",  # 5
        "610102001091,新社区甲,",  # 6: twice
        "620100,兰州市,Lanzhou",  # 7: outside Shaanxi
        "610102999001,无上级社区,",  # 8: town 610102999 is nowhere
        "610102001092,多一列,,x",  # 9: four fields
    ]
)
GOOD_FILE = "code,name_zh,name_en\n610102001099,测试社区,Test Community\n"


def _lines(html: str) -> dict[int, str]:
    return {
        int(n): re.sub(r"<[^>]+>", "", words)
        for n, words in re.findall(r'<li id="region-line-(\d+)">(.*?)</li>', html)
    }


def _send(client: object, token: str, text: str) -> object:
    return client.post(  # type: ignore[attr-defined]
        "/admin/regions/load",
        data={"csrf": token},
        files={"regions": ("regions.csv", text.encode("utf-8"), "text/csv")},
    )


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_province_loads_a_region_file_and_sees_each_wrong_line_beside_the_form(
    central: Central, language: str
) -> None:
    load_sample_regions(central)
    client = _browser(central, province_account_id(central))
    page = client.get(f"/admin/regions?lang={language}")
    assert page.status_code == 200 and 'id="region-load"' in page.text
    token = _csrf(page.text)
    refused = _send(client, token, BAD_FILE)
    assert refused.status_code == 400
    lines = _lines(refused.text)
    zh = language == "zh"
    assert sorted(lines) == [3, 4, 6, 7, 8, 9]
    assert lines[3] == ("第 3 行：区划代码有误" if zh else "Line 3: Not a region code")
    assert lines[6].endswith("610102001091")
    assert ("不在您的辖区内" if zh else "Outside your area") in lines[7]
    assert ("上级区划既不在文件中也未导入" if zh else "neither in the file nor loaded") in lines[8]
    assert ("有 6 处错误，文件未导入" if zh else "6 problems: nothing was loaded") in refused.text
    with session_scope(central.app.state.sessions) as session:
        assert session.get(Region, "610102001091") is None  # nothing of a wrong file
    empty = client.post("/admin/regions/load", data={"csrf": token})
    assert empty.status_code == 400
    assert ("请选择区划文件" if zh else "Choose a region file") in empty.text
    loaded = _send(client, token, GOOD_FILE)
    assert loaded.status_code == 200
    assert ("已导入 1 个行政区划" if zh else "1 regions loaded") in loaded.text
    down = client.get("/admin/regions?parent=610102001")
    assert ("测试社区" if zh else "Test Community") in down.text
    with session_scope(central.app.state.sessions) as session:
        entries = session.scalars(
            select(AuditEntry.row_count).where(
                AuditEntry.action == "import", AuditEntry.object_type == "region"
            )
        ).all()
    assert entries == [0, 1]  # the refused file and the loaded one


def test_nobody_but_the_province_gets_the_form_or_may_load_a_file(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    client = _browser(central, xian.account_id)
    page = client.get("/admin/regions")
    assert page.status_code == 200 and 'id="region-load"' not in page.text
    refused = _send(client, _csrf(page.text), GOOD_FILE)
    assert refused.status_code == 403
    api = central.client.post(
        "/api/v1/regions/load",
        content=GOOD_FILE.encode(),
        headers=xian.headers | {"Content-Type": "text/csv"},
    )
    assert api.status_code == 403
    by_api = central.client.post(
        "/api/v1/regions/load",
        content=BAD_FILE.encode(),
        headers=central.admin_headers | {"Content-Type": "text/csv"},
    )
    assert by_api.status_code == 422
    assert [(e["line"], e["problem"]) for e in by_api.json()["errors"]][:2] == [
        (3, "code"),
        (4, "no_name"),
    ]
    good = central.client.post(
        "/api/v1/regions/load",
        content=GOOD_FILE.encode(),
        headers=central.admin_headers | {"Content-Type": "text/csv"},
    )
    assert good.status_code == 200 and good.json() == {"loaded": 1, "errors": []}


def test_a_region_file_larger_than_an_ordinary_form_is_taken() -> None:
    from central.core.request_guard import DEFAULT_BODY_LIMIT, body_limit

    for path in ("/api/v1/regions/load", "/admin/regions/load", "/admin/proxy-codes/batch"):
        assert body_limit(path) > DEFAULT_BODY_LIMIT, path
