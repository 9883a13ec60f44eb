"""The pharmacy and fever-clinic counts page (issue 25) in Debian's headless Chromium, against
the app served by uvicorn on loopback (SQLite): a city's administrator opens the reports page,
follows its link to the day's counts per county (purchases by category, registrations,
observation visits) and sees the chart drawn. Both languages at 390x844 and 1280x800, saved as
PNG (artifacts/web/) for a person to look at; nothing wider than the screen."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from central.administration.accounts import NewAccount, provision_account
from central.app import create_app
from central.core.admins import set_first_password
from central.core.bootstrap import prepare
from central.core.db import session_scope
from central.core.models import Checkpoint, Kiosk, SceneRecord
from central.core.regions import SAMPLE_FILE, load_region_file
from central.core.scope import Role
from central.core.settings import Settings
from tests.central.browser_world import (  # noqa: F401 - the browser fixture
    WEB_SHOTS,
    browser,
    needs_chromium,
    new_page,
    save_fitting,
    serve,
)
from tests.central.conftest import ADMIN_PASSWORD

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}

# (county, purchases as their categories, registrations, observations with a suspected case)
COUNTIES = (
    ("610102", (("fever",), ("fever", "cough"), ("other",)), 2, 1),
    ("610103", (("antiviral",),), 1, 0),
    ("610113", (("cough",), ("fever",)), 0, 2),
)

pytestmark = needs_chromium


def _seed(session: Any, now: datetime) -> None:
    _, invitation = provision_account(
        session, NewAccount("xian", Role.REGION_ADMIN, area_code="610100"), now, timedelta(days=1)
    )
    set_first_password(session, invitation.token, ADMIN_PASSWORD, now)
    for county, purchases, registrations, observations in COUNTIES:
        checkpoint_id, kiosk_id = str(uuid.uuid4()), str(uuid.uuid4())
        session.add(
            Checkpoint(
                id=checkpoint_id,
                name=f"药店 {county}",
                checkpoint_type="pharmacy",
                region_code=county,
                address="地址",
                area_code=county,
                created_at=now,
            )
        )
        session.flush()
        session.add(
            Kiosk(
                id=kiosk_id,
                checkpoint_id=checkpoint_id,
                signing_public_key=bytes(32),
                encryption_public_key=bytes(32),
                enrolled_at=now,
            )
        )
        session.flush()
        records = [("purchase", ",".join(c), None, None) for c in purchases]
        records += [("clinic_visit", None, "registration", None)] * registrations
        records += [("clinic_visit", None, "observation", "suspected")] * observations
        for kind, categories, visit, case_type in records:
            session.add(
                SceneRecord(
                    id=str(uuid.uuid4()),
                    kind=kind,
                    kiosk_id=kiosk_id,
                    checkpoint_id=checkpoint_id,
                    region_code=county,
                    at=now,
                    received_at=now,
                    watched=categories is not None and categories != "other",
                    visit=visit,
                    case_type=case_type,
                    categories=f",{categories}," if categories else None,
                    details_enc=b"sealed",
                    applied_at=now,
                )
            )


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("central-scene-counts")
    settings = Settings(data_dir=folder, sms_provider="log", _env_file=None)  # type: ignore[call-arg]
    now = datetime.now(UTC)
    prepare(settings, now, first_admin="admin")
    app = create_app(settings)
    with session_scope(app.state.sessions) as session:
        load_region_file(session, SAMPLE_FILE)
        _seed(session, now)
    with serve(app) as served:
        yield served


def _shot(page: Any, name: str) -> None:
    save_fitting(page, WEB_SHOTS / f"{name}.png", name)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_city_reads_the_days_purchases_and_clinic_visits_per_county_in_both_languages(
    url: str,
    browser: object,  # noqa: F811 - the fixture imported above
    viewport: str,
) -> None:
    page = new_page(browser, VIEWPORTS[viewport])
    try:
        page.goto(url + "/admin/login")
        page.fill("#username", "xian")
        page.fill("#password", ADMIN_PASSWORD)
        page.click("#login")
        page.wait_for_url(url + "/admin")
        page.goto(url + "/admin/reports?lang=zh")
        page.click("#scene-counts")
        page.wait_for_url(f"{url}/admin/reports/scenes*")
        page.wait_for_selector("[data-chart=scenes] canvas")  # ECharts drew it
        assert page.text_content("#total-purchases") == "6"
        assert page.text_content("#total-fever") == "3"
        assert page.text_content("#total-registrations") == "3"
        assert page.text_content("#total-observations") == "3"
        row = page.locator("#scene-610102 td.num").all_text_contents()
        assert row == ["3", "2", "1", "0", "1", "2", "1", "1"]
        assert "新城区" in page.text_content("#scene-610102")
        _shot(page, f"scene-counts-zh-{viewport}")
        page.goto(page.url + "&lang=en")
        page.wait_for_selector("[data-chart=scenes] canvas")
        assert "Fever medicine" in page.text_content("#scene-areas")
        assert "Beilin District" in page.text_content("#scene-610103")
        _shot(page, f"scene-counts-en-{viewport}")
        page.goto(url + "/admin/reports?lang=zh")  # the language cookie back to Chinese
    finally:
        page.context.close()
