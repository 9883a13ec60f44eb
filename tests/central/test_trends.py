"""Trends on the dashboard and the reports page (issue 24): counted per Shanghai day in the
database, through the account's scope, labelled with the kiosk's own words, drawn by a chart
library central serves itself."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import AuditEntry, Checkpoint
from central.reports.trends import OUTCOMES, outcomes_per_day
from central.web.i18n import TEXT
from kiosk.checkpoint.outcome import Outcome
from tests.central.areas import load_sample_regions, province_account_id, region_admin
from tests.central.conftest import Central
from tests.central.issuance_world import declaration, declare
from tests.central.received import add_checkpoint_and_kiosk, add_passage
from tests.central.test_web_rules import _browser

# 2026-11-22 00:00 in Shanghai
MIDNIGHT = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
DAY = date(2026, 11, 22)
CHART_DATA = re.compile(r'<script type="application/json" id="([a-z]+)-data">(.*?)</script>', re.S)


def _passages(central: Central) -> None:
    add_checkpoint_and_kiosk(central, "cp-east", "k-east", region="610102", name="东关社区北门")
    add_checkpoint_and_kiosk(central, "cp-yanta", "k-yanta", region="610113", name="科技路")
    rows = [
        # (minutes after local midnight of DAY, checkpoint, outcome, fever)
        (-1, "cp-east", "pass", False),  # 23:59 the day before
        (0, "cp-east", "pass", False),
        (9 * 60, "cp-east", "deny", False),
        (10 * 60, "cp-east", "refer", True),
        (11 * 60, "cp-yanta", "manual_check", False),
        (24 * 60 - 1, "cp-yanta", "pass", False),  # 23:59 local
        (24 * 60, "cp-yanta", "pass", False),  # the next day
    ]
    for n, (minutes, checkpoint, outcome, fever) in enumerate(rows, start=1):
        kiosk = "k-east" if checkpoint == "cp-east" else "k-yanta"
        add_passage(
            central,
            f"00000000-0000-4000-8000-{n:012d}",
            kiosk,
            checkpoint,
            MIDNIGHT + timedelta(minutes=minutes),
            region="610102" if checkpoint == "cp-east" else "610113",
            outcome=outcome,
            fever=fever,
            temperature_celsius=38.2 if fever else 36.5,
        )


def test_passages_are_counted_per_shanghai_day_by_the_kiosks_outcome_with_fevers(
    central: Central,
) -> None:
    _passages(central)
    with session_scope(central.app.state.sessions) as session:
        every = select(Checkpoint.id)
        days = outcomes_per_day(session, every, DAY + timedelta(days=1), 3)
        only_east = outcomes_per_day(session, every.where(Checkpoint.id == "cp-east"), DAY, 1)
    assert [d.day for d in days] == [DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)]
    before, day, after = days
    assert before.total == 1 and after.total == 1
    assert dict(zip(OUTCOMES, day.by_outcome, strict=True)) == {
        "pass": 2,
        "deny": 1,
        "refer": 1,
        "manual_check": 1,
    }
    assert day.fevers == 1 and day.total == 5
    (east,) = only_east
    assert east.total == 3  # the other checkpoint is not counted


def test_the_pages_name_each_result_as_the_kiosk_says_it() -> None:
    for outcome in Outcome:
        zh, en = TEXT[f"outcome_{outcome.value}"]
        assert (zh, en) == (outcome.label.zh, outcome.label.en)
    assert set(OUTCOMES) == {o.value for o in Outcome}


def test_the_reports_page_opens_on_today_with_a_chart_of_the_week_or_the_month(
    central: Central,
) -> None:
    _passages(central)
    central.clock.now = MIDNIGHT + timedelta(hours=12)  # noon of DAY, local
    client = _browser(central, province_account_id(central))
    page = client.get("/admin/reports")
    assert page.status_code == 200
    html = page.text
    assert f"当日核验统计 {DAY.isoformat()}" in html and "今日（截至现在）" in html
    assert 'id="day-passages">5<' in html and 'id="day-refer">1<' in html
    for word in ("通行", "禁止通行", "请留观", "请人工核验"):
        assert word in html
    charts = dict(CHART_DATA.findall(html))
    week = json.loads(charts["outcomes"])
    assert len(week["categories"]) == 7 and week["categories"][-1] == DAY.strftime("%m-%d")
    names = [s["name"] for s in week["series"]]
    assert names == ["通行", "禁止通行", "请留观", "请人工核验", "发热"]
    assert week["series"][0]["values"][-1] == 2  # today's passes
    assert '<script src="/static/charts/echarts.common.min.js' in html

    month = json.loads(
        dict(CHART_DATA.findall(client.get("/admin/reports?days=30").text))["outcomes"]
    )
    assert len(month["categories"]) == 30
    english = client.get("/admin/reports?lang=en").text
    week_en = json.loads(dict(CHART_DATA.findall(english))["outcomes"])
    assert [s["name"] for s in week_en["series"]] == [
        "Pass", "No entry", "Observation", "Manual check", "Fevers",
    ]  # fmt: skip


def test_the_dashboards_alerts_count_what_the_alerts_page_lists_fevers_included(
    central: Central,
) -> None:
    add_checkpoint_and_kiosk(central, "cp-east", "k-east", region="610102", name="东关社区北门")
    for n in (1, 2):
        add_passage(
            central,
            f"00000000-0000-4000-8000-00000000000{n}",
            "k-east",
            "cp-east",
            central.clock() - timedelta(minutes=n),
            region="610102",
            code_ix=bytes([n]) * 16,
            fever=True,
            temperature_celsius=38.5,
            outcome="refer",
        )
    client = _browser(central, province_account_id(central))
    html = client.get("/admin").text
    assert 'id="fevers">2<' in html
    assert 'id="alerts">2<' in html  # not "告警 0" beside two fevers


def test_the_province_dashboard_shows_code_colours_by_city(central: Central) -> None:
    load_sample_regions(central)
    declare(central, declaration(1))
    declare(central, declaration(2, symptoms=["dry_cough"]))
    client = _browser(central, province_account_id(central))
    charts = dict(CHART_DATA.findall(client.get("/admin").text))
    colours = json.loads(charts["colours"])
    xian = colours["categories"].index("西安市")
    by_colour = {s["name"]: s["values"][xian] for s in colours["series"]}
    assert sum(by_colour.values()) == 2 and by_colour["绿码"] >= 1
    fleet = json.loads(charts["fleet"])
    assert fleet["pie"] is True


def test_the_dashboard_and_reports_page_log_each_of_their_reads(central: Central) -> None:
    load_sample_regions(central)
    declare(central, declaration(1))
    client = _browser(central, province_account_id(central))
    for page in ("/admin", "/admin/reports"):
        assert client.get(page).status_code == 200
    with session_scope(central.app.state.sessions) as session:
        logged = [
            (entry.route, entry.object_type, entry.row_count)
            for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            if entry.route in ("GET /admin", "GET /admin/reports")
        ]
    assert ("GET /admin", "person", 1) in logged
    assert {kind for route, kind, _n in logged if route == "GET /admin"} == {
        "kiosk", "alert", "region", "person", "passage",
    }  # fmt: skip
    assert {kind for route, kind, _n in logged if route == "GET /admin/reports"} >= {"passage"}


def test_a_county_dashboard_counts_only_its_own_checkpoints(central: Central) -> None:
    load_sample_regions(central)
    _passages(central)
    central.clock.now = MIDNIGHT + timedelta(hours=12)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    county = region_admin(central, xian.headers, "xincheng", "610102")
    client = _browser(central, county.account_id)
    week = json.loads(dict(CHART_DATA.findall(client.get("/admin").text))["outcomes"])
    assert sum(sum(s["values"]) for s in week["series"] if s["name"] != "发热") == 4  # east only


def test_the_chart_library_is_served_by_central_itself_and_cached(central: Central) -> None:
    library = central.client.get("/static/charts/echarts.common.min.js?v=6.1.0")
    assert library.status_code == 200
    assert library.headers["content-type"].startswith("text/javascript")
    assert "max-age" in library.headers["cache-control"]
    assert b"echarts" in library.content[:2000].lower()
    drawer = central.client.get("/static/charts/charts.js")
    assert drawer.status_code == 200 and b"data-chart" in drawer.content
    assert central.client.get("/static/charts/../admin.css").status_code == 404
