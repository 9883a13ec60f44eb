"""The area risk preview (`GET /api/v1/issuance/area-risks/preview`): how many people a level
would change colour, counted by the recomputation's own rules, before anything is saved."""

from __future__ import annotations

from sqlalchemy import func, select

from central.core.db import session_scope
from central.core.models import AreaRisk, Person, RecomputeJob
from tests.central.areas import load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.issuance_world import API
from tests.central.test_colour_changes import _people as add_people


def _stored(central: Central) -> tuple[int, int, dict[str, int]]:
    with session_scope(central.app.state.sessions) as session:
        risks = int(session.scalar(select(func.count()).select_from(AreaRisk)) or 0)
        jobs = int(session.scalar(select(func.count()).select_from(RecomputeJob)) or 0)
        colours = dict(
            session.execute(select(Person.colour, func.count()).group_by(Person.colour)).all()
        )
    return risks, jobs, {str(k): int(v) for k, v in colours.items()}


def test_a_preview_counts_who_would_change_colour_and_the_job_then_changes_exactly_them(
    central: Central,
) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    add_people(central, 40, "610113001001")
    add_people(central, 10, "610102001001")
    before = _stored(central)
    preview = central.client.get(
        f"{API}/area-risks/preview?area_code=610113&level=high", headers=xian.headers
    )
    assert preview.status_code == 200, preview.text
    found = preview.json()
    assert (found["total"], found["changed"]) == (40, 40)
    assert found["changes"] == [{"from_colour": "green", "to_colour": "red", "people": 40}]
    assert _stored(central) == before  # nothing written
    saved = central.client.post(
        f"{API}/area-risks", json={"area_code": "610113", "level": "high"}, headers=xian.headers
    )
    job = central.client.get(
        f"{API}/recompute-jobs?job_id={saved.json()['job_id']}", headers=xian.headers
    ).json()[0]
    assert job["changed"] == found["changed"]
    again = central.client.get(
        f"{API}/area-risks/preview?area_code=610113&level=high", headers=xian.headers
    ).json()
    assert (again["total"], again["changed"]) == (40, 0)
    lift = central.client.get(
        f"{API}/area-risks/preview?area_code=610113&level=low", headers=xian.headers
    ).json()
    assert lift["changes"] == [{"from_colour": "red", "to_colour": "green", "people": 40}]


def test_a_preview_outside_ones_area_or_by_another_role_is_refused(central: Central) -> None:
    load_sample_regions(central)
    baoji = region_admin(central, central.admin_headers, "baoji", "610300")
    refused = central.client.get(
        f"{API}/area-risks/preview?area_code=610113&level=high", headers=baoji.headers
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == "only a region administrator of this area"
    bad = central.client.get(
        f"{API}/area-risks/preview?area_code=610113&level=extreme", headers=baoji.headers
    )
    assert bad.status_code in (400, 422)
