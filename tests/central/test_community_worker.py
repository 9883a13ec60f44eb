"""A `community_worker` account: proxy and paper codes for the residents of its area, nothing else.

Through the real API, on SQLite and on PostgreSQL (the `central` fixture runs both).
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from central.core.db import session_scope
from central.core.deps import SESSION_COOKIE
from central.core.models import AuditEntry, Person
from central.core.scope import (
    api_routes,
    issuing_page_scope,
    issuing_scope,
    page_scope,
    route_guard,
)
from tests.central.areas import Account, create_account, load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.issuance_world import API, declaration

COMMUNITY = "610102001001"  # 东新街社区, in 西一路街道, Xincheng district
NEIGHBOUR = "610102001002"  # 西一路社区, the same street, another community


def _worker(central: Central, area: str = COMMUNITY) -> tuple[Account, Account]:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    worker = create_account(
        central, xincheng.headers, username="dxj-worker", role="community_worker", area_code=area
    )
    return xincheng, worker


def _resident(serial: int, residence: str = COMMUNITY) -> dict[str, object]:
    body = declaration(serial) | {"residence": residence}
    body.pop("phone")
    return body


def _people(central: Central) -> int:
    with session_scope(central.app.state.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


def _proxy_audits(central: Central, account_id: str) -> list[int]:
    with session_scope(central.app.state.sessions) as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.actor_id == account_id, AuditEntry.object_type == "proxy_code")
            .order_by(AuditEntry.at, AuditEntry.id)
        ).all()
        assert all(r.actor_role == "community_worker" and r.actor_area == COMMUNITY for r in rows)
        return [r.row_count for r in rows]


def test_a_county_administrator_creates_a_community_worker_for_a_town_or_community_only(
    central: Central,
) -> None:
    xincheng, worker = _worker(central)
    me = central.client.get("/api/v1/auth/me", headers=worker.headers)
    assert me.status_code == 200, me.text
    street = create_account(
        central,
        xincheng.headers,
        username="xyl-worker",
        role="community_worker",
        area_code="610102001",
    )
    assert street.account_id
    for area, level in (("610102", 3), ("610102001001001", 6)):
        refused = central.client.post(
            "/api/v1/accounts",
            json={"username": f"worker{level}", "role": "community_worker", "area_code": area},
            headers=xincheng.headers,
        )
        assert refused.status_code == 400, refused.text
        assert f"not a level {level} region" in refused.json()["detail"]
    outside = central.client.post(
        "/api/v1/accounts",
        json={"username": "yanta-w", "role": "community_worker", "area_code": "610113001001"},
        headers=xincheng.headers,
    )
    assert outside.status_code == 403 and outside.json()["error"] == "forbidden"
    # A community worker creates nobody, not even another community worker.
    nested = central.client.post(
        "/api/v1/accounts",
        json={"username": "sub-worker", "role": "community_worker", "area_code": COMMUNITY},
        headers=worker.headers,
    )
    assert nested.status_code == 403 and nested.json()["error"] == "forbidden"


def test_a_community_worker_issues_proxy_codes_singly_and_in_batches_for_its_residents(
    central: Central,
) -> None:
    xincheng, worker = _worker(central)
    made = central.client.post(
        f"{API}/proxy-declarations", json=_resident(31), headers=worker.headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["code"]["kind"] == "proxy" and made.json()["holder_token"] is None

    batch = central.client.post(
        f"{API}/proxy-declarations/batch",
        json={"people": [_resident(32), _resident(33)]},
        headers=worker.headers,
    )
    assert batch.status_code == 200, batch.text
    assert [r["index"] for r in batch.json()["issued"]] == [0, 1]
    assert _people(central) == 3
    assert _proxy_audits(central, worker.account_id) == [1, 2]

    printed = central.client.post(
        f"{API}/paper-batch", json={"area_code": COMMUNITY}, headers=worker.headers
    )
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")

    read_back = central.client.get(f"{API}/proxy-codes", headers=worker.headers)
    assert read_back.status_code == 200, read_back.text
    first_qr = made.json()["code"]["qr_text"]
    assert len(read_back.json()) == 3 and all(c["kind"] == "proxy" for c in read_back.json())
    assert first_qr in {c["qr_text"] for c in read_back.json()}  # the same code, same clock
    # The county administrator issued none itself: it reads back none of the worker's.
    county = central.client.get(f"{API}/proxy-codes", headers=xincheng.headers)
    assert county.status_code == 200 and county.json() == []


def test_a_resident_outside_the_workers_area_is_refused_and_nothing_is_issued(
    central: Central,
) -> None:
    _xincheng, worker = _worker(central)
    single = central.client.post(
        f"{API}/proxy-declarations", json=_resident(41, NEIGHBOUR), headers=worker.headers
    )
    assert single.status_code == 403 and single.json()["error"] == "forbidden"
    batch = central.client.post(
        f"{API}/proxy-declarations/batch",
        json={"people": [_resident(42), _resident(43, NEIGHBOUR)]},
        headers=worker.headers,
    )
    assert batch.status_code == 403 and "people[1]" in batch.json()["detail"]
    paper = central.client.post(
        f"{API}/paper-batch", json={"area_code": NEIGHBOUR}, headers=worker.headers
    )
    assert paper.status_code == 403
    assert _people(central) == 0
    assert _proxy_audits(central, worker.account_id) == []
    read_back = central.client.get(f"{API}/proxy-codes", headers=worker.headers)
    assert read_back.status_code == 200 and read_back.json() == []


def test_a_community_worker_cannot_list_accounts_passages_or_anything_else(
    central: Central,
) -> None:
    _xincheng, worker = _worker(central)
    for path in (
        "/api/v1/accounts",
        "/api/v1/reports/daily",  # the day's passages
        "/api/v1/enterprises",
        "/api/v1/checkpoints",
        "/api/v1/fleet",
        "/api/v1/alerts",
        f"{API}/fever-cases",
    ):
        answer = central.client.get(path, headers=worker.headers)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["error"] == "forbidden"
    passages = central.client.post(
        "/api/v1/exports", json={"kind": "passages"}, headers=worker.headers
    )
    assert passages.status_code == 403 and passages.json()["error"] == "forbidden"


def test_every_scoped_route_but_the_issuing_ones_refuses_a_community_worker(
    central: Central,
) -> None:
    _xincheng, worker = _worker(central)
    token = worker.headers["Authorization"].removeprefix("Bearer ")
    admitted = []
    pages = []
    checked = 0
    for path, route in api_routes(central.app):
        if route_guard(path, route) != "scope":
            continue
        calls, pending = set(), [route.dependant]
        while pending:
            dependant = pending.pop()
            calls.add(dependant.call)
            pending.extend(dependant.dependencies)
        if issuing_scope in calls:
            admitted.append(path)
            continue
        if issuing_page_scope in calls:
            pages.append(path)
            continue
        url = re.sub(r"{\w+}", "x", path)
        for method in sorted(route.methods):
            central.client.cookies.set(SESSION_COOKIE, token)
            answer = central.client.request(
                method, url, json={}, headers=worker.headers, follow_redirects=False
            )
            central.client.cookies.clear()
            if page_scope in calls and method == "GET":  # a page: off to the worker's own
                assert answer.status_code == 303, (method, path, answer.text)
                assert answer.headers["location"] == "/admin/proxy-codes"
            else:
                assert answer.status_code == 403, (method, path, answer.text)
            checked += 1
    assert sorted(admitted) == [
        f"{API}/check-ins",
        f"{API}/paper-batch",
        f"{API}/phone-resets",
        f"{API}/proxy-codes",
        f"{API}/proxy-declarations",
        f"{API}/proxy-declarations/batch",
    ]
    # the pages of the same tasks, the start page, and the region picker's names
    assert sorted(set(pages)) == [
        "/admin/check-ins",
        "/admin/proxy-codes",
        "/admin/proxy-codes/batch",
        "/admin/proxy-codes/paper",
        "/admin/proxy-codes/phone-reset",
        "/admin/regions/children",
        "/admin/regions/path",
        "/admin/regions/search",
        "/admin/start",
    ]
    assert checked >= 20
