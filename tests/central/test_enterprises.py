"""Enterprises are registered by their own administrator, whom a region administrator invites."""

from __future__ import annotations

from typing import Any

import httpx

from tests.central.areas import Account, bearer, create_account, load_sample_regions, region_admin
from tests.central.conftest import ADMIN_PASSWORD, Central


def _invite(central: Central, creator: dict[str, str], **body: Any) -> httpx.Response:
    return central.client.post("/api/v1/enterprise-invitations", json=body, headers=creator)


def _invited(central: Central, creator: dict[str, str], **body: Any) -> Account:
    answer = _invite(central, creator, **body)
    assert answer.status_code == 201, answer.text
    account_id = answer.json()["account"]["account_id"]
    return Account(account_id, bearer(central, account_id), answer.json()["activation_token"])


def _register(central: Central, account: Account, **changes: Any) -> httpx.Response:
    body = {"name": "秦川机床厂", "area_code": "610102001", "industry": "manufacturing"} | changes
    return central.client.post("/api/v1/enterprises/register", json=body, headers=account.headers)


def _xincheng(central: Central) -> dict[str, str]:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    return region_admin(central, xian.headers, "xincheng", "610102").headers


def test_an_invited_administrator_activates_and_registers_its_enterprise(
    central: Central,
) -> None:
    xincheng = _xincheng(central)
    boss = _invited(central, xincheng, username="qinchuan", area_code="610102")
    activated = central.client.post(
        "/api/v1/auth/setup", json={"token": boss.activation_token, "password": ADMIN_PASSWORD}
    )
    assert activated.status_code == 200, activated.text
    # Before it registers, the invited account sees nothing and may add no one.
    assert central.client.get("/api/v1/enterprises", headers=boss.headers).json() == []
    staff = {"username": "13800000001", "role": "epidemic_staff"}
    refused = central.client.post("/api/v1/accounts", json=staff, headers=boss.headers)
    assert refused.status_code == 403

    registered = _register(central, boss)

    assert registered.status_code == 201, registered.text
    enterprise = registered.json()
    assert enterprise["area_code"] == "610102001"
    assert enterprise["industry"] == "manufacturing"
    me = central.client.get("/api/v1/accounts/me", headers=boss.headers).json()
    assert me["enterprise_id"] == enterprise["enterprise_id"]
    assert me["area_code"] == "610102001"
    mine = central.client.get("/api/v1/enterprises", headers=boss.headers).json()
    assert [e["enterprise_id"] for e in mine] == [enterprise["enterprise_id"]]
    # The region administrator sees it in its area; now the new administrator adds its staff.
    listed = central.client.get("/api/v1/enterprises", headers=xincheng).json()
    assert enterprise["enterprise_id"] in [e["enterprise_id"] for e in listed]
    staff["enterprise_id"] = enterprise["enterprise_id"]
    staff_added = central.client.post("/api/v1/accounts", json=staff, headers=boss.headers)
    assert staff_added.status_code == 201, staff_added.text


def test_an_enterprise_is_registered_once(central: Central) -> None:
    boss = _invited(central, _xincheng(central), username="qinchuan", area_code="610102")
    assert _register(central, boss).status_code == 201
    again = _register(central, boss, name="另一个厂")
    assert again.status_code == 403
    assert again.json()["error"] == "forbidden"


def test_an_enterprise_is_registered_inside_the_invited_area_and_industry_only(
    central: Central,
) -> None:
    boss = _invited(
        central,
        _xincheng(central),
        username="qinchuan",
        area_code="610102001",
        industry="manufacturing",
    )
    outside = _register(central, boss, area_code="610102004")
    assert (outside.status_code, outside.json()["error"]) == (403, "forbidden")
    other_industry = _register(central, boss, industry="retail")
    assert other_industry.status_code == 403
    bad_region = _register(central, boss, area_code="610102001000")
    assert bad_region.status_code == 400
    inside = _register(central, boss, area_code="610102001001")
    assert inside.status_code == 201, inside.text


def test_only_a_region_administrator_invites_and_only_inside_its_area(central: Central) -> None:
    xincheng = _xincheng(central)
    outside = _invite(central, xincheng, username="yanta-boss", area_code="610113")
    assert (outside.status_code, outside.json()["error"]) == (403, "forbidden")
    technician = create_account(
        central, xincheng, username="tech", role="technician", area_code="610102"
    )
    by_technician = _invite(central, technician.headers, username="boss", area_code="610102")
    assert by_technician.status_code == 403
    boss = _invited(central, xincheng, username="qinchuan", area_code="610102")
    by_enterprise = _invite(central, boss.headers, username="boss2", area_code="610102")
    assert by_enterprise.status_code == 403
    taken = _invite(central, xincheng, username="qinchuan", area_code="610102")
    assert taken.status_code == 400


def test_only_an_invited_enterprise_administrator_registers_an_enterprise_this_way(
    central: Central,
) -> None:
    xincheng = _xincheng(central)
    as_region_admin = central.client.post(
        "/api/v1/enterprises/register",
        json={"name": "甲厂", "area_code": "610102001", "industry": "manufacturing"},
        headers=xincheng,
    )
    assert as_region_admin.status_code == 403
    # The region administrator keeps registering enterprises directly.
    direct = central.client.post(
        "/api/v1/enterprises",
        json={"name": "甲厂", "area_code": "610102001", "industry": "manufacturing"},
        headers=xincheng,
    )
    assert direct.status_code == 201, direct.text
