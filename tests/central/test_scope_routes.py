"""The whole route table is scoped: no GET route shows an account anything outside its scope.

Every route takes the scope dependency, is a signed kiosk request, or sits on the public
allow-list (`central.core.scope.PUBLIC_ROUTES`). Then every GET route of the OpenAPI document is
called as a city administrator (against another city's data), a county administrator (against
another county and the levels above) and an enterprise administrator (against another
enterprise); none of them gets any of it, and each read leaves an audit entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from central.core.scope import PUBLIC_ROUTES, api_routes, route_guard
from healthcode.identity import check_character
from kiosk.client.enrollment import enroll
from tests.central.areas import (
    audit_count,
    create_account,
    create_enterprise,
    load_sample_regions,
    province_account_id,
    region_admin,
    register_checkpoint,
)
from tests.central.conftest import SERVER, Central

# Path parameter -> the kind of object it names.
PARAMETER_KINDS = {
    "checkpoint_id": "checkpoint",
    "kiosk_id": "kiosk",
    "account_id": "account",
    "enterprise_id": "enterprise",
    "region_code": "region",
    "employee_id": "employee",
    "export_id": "export",
}
# GET routes that need query parameters to read anything -> the query, `{region}` a region code.
QUERY_ROUTES = {
    "/api/v1/issuance/area-risks/preview": "area_code={region}&level=high",
    "/api/v1/issuance/check-ins": "area={region}",
}
# The region picker's searches (reference data: names, not records; not audited).
SEARCH_ROUTES = ("/api/v1/issuance/regions/search", "/api/v1/regions/search")
PICKER_ROUTES = {*SEARCH_ROUTES, "/api/v1/regions/children", "/api/v1/regions/{region_code}/path"}


@dataclass
class Viewer:
    name: str
    headers: dict[str, str]
    foreign: dict[str, list[str]]  # kind -> ids (or region codes) it must never see
    own: set[str]  # ids it must see somewhere, so the walk is not vacuous
    seen: list[str] = field(default_factory=list)


def test_every_route_takes_a_scope_or_is_a_signed_kiosk_request_or_is_public(
    central: Central,
) -> None:
    routes = api_routes(central.app)
    unguarded = [
        f"{sorted(route.methods)} {path}"
        for path, route in routes
        if route_guard(path, route) is None
    ]
    assert unguarded == [], "routes with neither a scope nor a place on the allow-list"
    assert len(routes) >= 15
    paths = {path for path, _route in routes}
    assert {path for _method, path in PUBLIC_ROUTES} <= paths  # the allow-list is not stale


def _kiosk(central: Central, headers: dict[str, str], checkpoint_id: str, folder: Path) -> str:
    response = central.client.post(
        f"/api/v1/checkpoints/{checkpoint_id}/enrollment-codes", headers=headers
    )
    assert response.status_code == 201, response.text
    return enroll(central.client, SERVER, response.json()["code"], folder).response.kiosk_id


def _employee(central: Central, headers: dict[str, str], name: str, digits: str) -> str:
    body = {"name": name, "id_number": digits + check_character(digits), "phone": "13800000000"}
    response = central.client.post("/api/v1/employees", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["employee_id"])


def _export(central: Central, headers: dict[str, str]) -> str:
    response = central.client.post("/api/v1/exports", json={"kind": "passages"}, headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["export_id"])


def _world(central: Central, tmp_path: Path) -> list[Viewer]:
    load_sample_regions(central)
    province = central.admin_headers
    xian = region_admin(central, province, "xian", "610100")
    baoji = region_admin(central, province, "baoji", "610300")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    yanta = region_admin(central, xian.headers, "yanta", "610113")
    baoji_tech = create_account(
        central, baoji.headers, username="tech-baoji", role="technician", area_code="610302"
    )
    ent_a = create_enterprise(central, xincheng.headers, "甲厂", "610102001", "manufacturing")
    ent_b = create_enterprise(central, xincheng.headers, "乙厂", "610102004", "manufacturing")
    ent_yanta = create_enterprise(central, yanta.headers, "雁塔商场", "610113001", "retail")
    ent_baoji = create_enterprise(central, baoji.headers, "宝鸡厂", "610302001", "manufacturing")
    ent_a_admin = create_account(
        central, xincheng.headers, username="boss-a", role="enterprise_admin", enterprise_id=ent_a
    )
    ent_b_admin = create_account(
        central, xincheng.headers, username="boss-b", role="enterprise_admin", enterprise_id=ent_b
    )
    gate = {"checkpoint_type": "enterprise_gate", "region_code": "610102"}
    cp_a = register_checkpoint(
        central,
        ent_a_admin.headers,
        name="甲厂大门",
        area_code="610102001",
        enterprise_id=ent_a,
        **gate,
    )
    cp_b = register_checkpoint(
        central,
        ent_b_admin.headers,
        name="乙厂大门",
        area_code="610102004",
        enterprise_id=ent_b,
        **gate,
    )
    cp_yanta = register_checkpoint(
        central, yanta.headers, name="长延堡社区", region_code="610113", area_code="610113001001"
    )
    cp_baoji = register_checkpoint(
        central, baoji.headers, name="经二路社区", region_code="610302", area_code="610302001001"
    )
    cp_city = register_checkpoint(central, xian.headers, name="西安站", region_code="610100")
    emp_a = _employee(central, ent_a_admin.headers, "张三", "61010219900101001")
    emp_b = _employee(central, ent_b_admin.headers, "李四", "61010219900101002")
    kiosk_b = _kiosk(central, ent_b_admin.headers, cp_b, tmp_path / "b")
    kiosk_yanta = _kiosk(central, yanta.headers, cp_yanta, tmp_path / "yanta")
    kiosk_baoji = _kiosk(central, baoji_tech.headers, cp_baoji, tmp_path / "baoji")
    for account in (xian, baoji, xincheng, yanta, baoji_tech, ent_a_admin, ent_b_admin):
        assert central.client.get("/api/v1/checkpoints", headers=account.headers).status_code == 200
    province_id = province_account_id(central)
    export_baoji = _export(central, baoji.headers)
    export_yanta = _export(central, yanta.headers)
    return [
        Viewer(
            "city administrator of Xi'an",
            xian.headers,
            {
                "checkpoint": [cp_baoji],
                "kiosk": [kiosk_baoji],
                "account": [baoji.account_id, baoji_tech.account_id, province_id],
                "enterprise": [ent_baoji],
                "region": ["610300", "610302", "610302001001", "610000"],
                "employee": [emp_a, emp_b],  # a roster is its enterprise's alone
                "export": [export_baoji],
            },
            {cp_yanta, cp_a, kiosk_yanta, yanta.account_id, ent_yanta, "610113001001"},
        ),
        Viewer(
            "county administrator of Xincheng",
            xincheng.headers,
            {
                "checkpoint": [cp_yanta, cp_city, cp_baoji],
                "kiosk": [kiosk_yanta, kiosk_baoji],
                "account": [yanta.account_id, xian.account_id, province_id, baoji.account_id],
                "enterprise": [ent_yanta, ent_baoji],
                "region": ["610113", "610100", "610000", "610113001"],
                "employee": [emp_a, emp_b],
                "export": [export_baoji, export_yanta],
            },
            {cp_a, cp_b, kiosk_b, ent_a_admin.account_id, ent_a, "610102001001001"},
        ),
        Viewer(
            "administrator of enterprise A",
            ent_a_admin.headers,
            {
                "checkpoint": [cp_b, cp_yanta],
                "kiosk": [kiosk_b, kiosk_yanta],
                "account": [ent_b_admin.account_id, xincheng.account_id, yanta.account_id],
                "enterprise": [ent_b, ent_yanta],
                "region": ["610102004", "610102", "610113"],
                "employee": [emp_b],
                "export": [export_baoji, export_yanta],
            },
            {cp_a, ent_a, ent_a_admin.account_id, emp_a},
        ),
    ]


def _get_routes(central: Central) -> list[tuple[str, str | None]]:
    guards = {
        path: route_guard(path, route)
        for path, route in api_routes(central.app)
        if "GET" in route.methods
    }
    paths = central.client.get("/openapi.json").json()["paths"]
    return [(path, guards.get(path)) for path, item in sorted(paths.items()) if "get" in item]


def test_no_account_reads_data_outside_its_scope_through_any_get_route(
    central: Central, tmp_path: Path
) -> None:
    viewers = _world(central, tmp_path)
    routes = _get_routes(central)
    assert len([r for r in routes if r[1] == "scope"]) >= 8
    for viewer in viewers:
        markers = {value for values in viewer.foreign.values() for value in values if "-" in value}
        for path, guard in routes:
            if guard == "kiosk":
                continue  # answers signed kiosk requests only
            parameters = re.findall(r"{(\w+)}", path)
            if path in QUERY_ROUTES:
                for value in viewer.foreign["region"]:
                    before = audit_count(central)
                    query = QUERY_ROUTES[path].format(region=value)
                    answer = central.client.get(f"{path}?{query}", headers=viewer.headers)
                    assert answer.status_code in (403, 404), (viewer.name, path, answer.text)
                    assert audit_count(central) == before + 1, f"{path} leaves no audit entry"
                continue
            if guard == "public" and parameters:
                continue  # public reference data (the picker's region names), by design
            if path in SEARCH_ROUTES:
                answer = central.client.get(f"{path}?q=xc", headers=viewer.headers)
                assert answer.status_code == 200, (viewer.name, path, answer.text)
                assert [m for m in markers if m in answer.text] == [], (viewer.name, path)
                continue
            if not parameters:
                before = audit_count(central)
                answer = central.client.get(path, headers=viewer.headers)
                assert answer.status_code == 200, (viewer.name, path, answer.text)
                leaked = [m for m in markers if m in answer.text]
                assert leaked == [], f"{viewer.name} reads {leaked} through {path}"
                if guard == "scope" and path not in PICKER_ROUTES:
                    assert audit_count(central) == before + 1, f"{path} leaves no audit entry"
                viewer.seen.append(answer.text)
                continue
            assert len(parameters) == 1, f"teach this test about {path}"
            kind = PARAMETER_KINDS.get(parameters[0])
            assert kind is not None, f"teach this test about the {parameters[0]} of {path}"
            for value in viewer.foreign[kind]:
                before = audit_count(central)
                answer = central.client.get(
                    path.replace(f"{{{parameters[0]}}}", value), headers=viewer.headers
                )
                assert answer.status_code in (403, 404), (viewer.name, path, value, answer.text)
                # The refusal may repeat the id asked for; it must tell nothing else.
                leaked = [m for m in markers - {value} if m in answer.text]
                assert leaked == [], f"{viewer.name} reads {leaked} through {path}"
                if path not in PICKER_ROUTES:
                    assert audit_count(central) == before + 1, f"{path} leaves no audit entry"
        everything = "\n".join(viewer.seen)
        missing = [own for own in viewer.own if own not in everything]
        assert missing == [], f"{viewer.name} does not see its own {missing}"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_logged_out_client_is_refused_by_every_scoped_route(
    central: Central, method: str
) -> None:
    for path, route in api_routes(central.app):
        if route_guard(path, route) != "scope" or method.upper() not in route.methods:
            continue
        answer = central.client.request(method.upper(), re.sub(r"{\w+}", "x", path), json={})
        assert answer.status_code == 401, (method, path, answer.text)
