"""Accounts are created top-down: each level creates the level below, within its own area only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.central.areas import (
    Account,
    create_account,
    create_enterprise,
    load_sample_regions,
    region_admin,
)
from tests.central.conftest import ADMIN_PASSWORD, Central


@dataclass
class Tree:
    accounts: dict[str, dict[str, str]]
    enterprises: dict[str, str]


@pytest.fixture
def tree(central: Central) -> Tree:
    load_sample_regions(central)
    province = central.admin_headers
    xian = region_admin(central, province, "xian", "610100").headers
    baoji = region_admin(central, province, "baoji", "610300").headers
    xincheng = region_admin(central, xian, "xincheng", "610102").headers
    town = region_admin(central, xincheng, "xiyilu", "610102001").headers
    village = region_admin(central, town, "dongxinjie", "610102001001").headers
    group = region_admin(central, village, "estate1", "610102001001001").headers
    technician = create_account(
        central, xian, username="tech-xian", role="technician", area_code="610100"
    ).headers
    ent_a = create_enterprise(central, xincheng, "秦川机床厂", "610102001", "manufacturing")
    ent_b = create_enterprise(central, xincheng, "西安纺织厂", "610102004", "textiles")
    ent_a_admin = create_account(
        central, xincheng, username="qinchuan", role="enterprise_admin", enterprise_id=ent_a
    ).headers
    return Tree(
        accounts={
            "province": province,
            "xian": xian,
            "baoji": baoji,
            "xincheng": xincheng,
            "town": town,
            "village": village,
            "group": group,
            "technician": technician,
            "ent_a_admin": ent_a_admin,
        },
        enterprises={"ent_a": ent_a, "ent_b": ent_b},
    )


def _region(area: str) -> dict[str, Any]:
    return {"role": "region_admin", "area_code": area}


CASES = [
    # creator, new account, expected status
    ("province", _region("610100"), 201),
    ("province", _region("610102"), 403),  # skips the city level
    ("province", _region("620100"), 403),  # another province's city
    ("xian", _region("610102"), 201),
    ("xian", _region("610302"), 403),  # a county of Baoji: sideways
    ("xian", _region("610300"), 403),  # another city: beside
    ("xian", _region("610000"), 403),  # the province: above
    ("xian", _region("610100"), 403),  # its own level
    ("xincheng", _region("610102002"), 201),
    ("xincheng", _region("610113001"), 403),  # a street of another district
    ("town", _region("610102001002"), 201),
    ("village", _region("610102001001002"), 201),
    ("group", _region("610102001001001"), 403),  # the lowest level creates no administrators
    ("xian", {"role": "technician", "area_code": "610102"}, 201),
    ("xian", {"role": "technician", "area_code": "610302"}, 403),
    ("xian", {"role": "supervisor", "area_code": "610100"}, 201),
    ("xian", {"role": "industry_department", "area_code": "610100", "industry": "retail"}, 201),
    ("xian", {"role": "industry_department", "area_code": "610100"}, 400),  # no industry
    ("baoji", {"role": "enterprise_admin", "enterprise_id": "{ent_a}"}, 403),
    ("xincheng", {"role": "enterprise_admin", "enterprise_id": "{ent_b}"}, 201),
    ("xincheng", {"role": "epidemic_staff", "enterprise_id": "{ent_a}"}, 403),
    ("technician", {"role": "technician", "area_code": "610102"}, 403),
    ("ent_a_admin", {"role": "epidemic_staff", "enterprise_id": "{ent_a}"}, 201),
    ("ent_a_admin", {"role": "epidemic_staff", "enterprise_id": "{ent_b}"}, 403),
    ("ent_a_admin", {"role": "supervisor", "area_code": "610102001"}, 403),
]


@pytest.mark.parametrize(("creator", "new", "status"), CASES)
def test_accounts_are_created_down_and_refused_up_and_sideways(
    tree: Tree, central: Central, creator: str, new: dict[str, Any], status: int
) -> None:
    body = {k: v.format(**tree.enterprises) if isinstance(v, str) else v for k, v in new.items()}
    username = "13800000000" if new["role"] == "epidemic_staff" else "newcomer"
    response = central.client.post(
        "/api/v1/accounts", json={"username": username} | body, headers=tree.accounts[creator]
    )
    assert response.status_code == status, response.text


def test_epidemic_staff_are_added_by_a_mobile_number(tree: Tree, central: Central) -> None:
    response = central.client.post(
        "/api/v1/accounts",
        json={"username": "zhang", "role": "epidemic_staff", "enterprise_id": "x"},
        headers=tree.accounts["ent_a_admin"],
    )
    assert response.status_code == 400
    made = create_account(
        central,
        tree.accounts["ent_a_admin"],
        username="13912345678",
        role="epidemic_staff",
        enterprise_id=tree.enterprises["ent_a"],
    )
    me = central.client.get("/api/v1/accounts/me", headers=made.headers).json()
    assert me["role"] == "epidemic_staff"
    assert me["enterprise_id"] == tree.enterprises["ent_a"]
    assert me["area_code"] == "610102001"  # the enterprise's region


def test_a_user_name_is_taken_once(tree: Tree, central: Central) -> None:
    response = central.client.post(
        "/api/v1/accounts",
        json={"username": "xincheng", "role": "region_admin", "area_code": "610113"},
        headers=tree.accounts["xian"],
    )
    assert response.status_code == 400
    assert "taken" in response.json()["detail"]


def test_six_levels_chain_down_and_a_new_account_activates_once_with_its_token(
    central: Central,
) -> None:
    load_sample_regions(central)
    creator = central.admin_headers
    made: Account | None = None
    for number, area in enumerate(
        ["610100", "610102", "610102001", "610102001001", "610102001001001"]
    ):
        made = region_admin(central, creator, f"level{number + 2}", area)
        creator = made.headers
    assert made is not None
    listed = central.client.get("/api/v1/accounts/me", headers=made.headers).json()
    assert listed["active"] is False  # no password until activation: no default password

    setup = central.client.post(
        "/api/v1/auth/setup", json={"token": made.activation_token, "password": ADMIN_PASSWORD}
    )
    assert setup.status_code == 200, setup.text
    again = central.client.post(
        "/api/v1/auth/setup", json={"token": made.activation_token, "password": ADMIN_PASSWORD}
    )
    assert again.status_code == 400
    login = central.client.post(
        "/api/v1/auth/login", json={"username": "level6", "password": ADMIN_PASSWORD}
    )
    assert login.status_code == 200, login.text


def test_a_region_administrator_lists_the_accounts_of_its_area_only(
    tree: Tree, central: Central
) -> None:
    def names(viewer: str) -> set[str]:
        response = central.client.get("/api/v1/accounts", headers=tree.accounts[viewer])
        assert response.status_code == 200, response.text
        return {a["username"] for a in response.json()}

    assert names("xincheng") == {"xincheng", "xiyilu", "dongxinjie", "estate1", "qinchuan"}
    assert "baoji" not in names("xian") and "admin" not in names("xian")
    assert names("technician") == {"tech-xian"}
    assert names("ent_a_admin") == {"qinchuan"}
