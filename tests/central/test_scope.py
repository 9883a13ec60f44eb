"""Who sees which checkpoints and kiosks, by role and level, and who may register them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from central.core.admins import invite_administrator
from central.core.db import session_scope
from central.core.scope import Role, Scope
from tests.central.areas import (
    bearer,
    create_account,
    create_enterprise,
    load_sample_regions,
    region_admin,
    register_checkpoint,
)
from tests.central.conftest import Central

EXPECTED = {
    "province": {"甲厂大门", "乙厂大门", "雁塔社区", "宝鸡社区"},
    "xian": {"甲厂大门", "乙厂大门", "雁塔社区"},
    "baoji": {"宝鸡社区"},
    "xincheng": {"甲厂大门", "乙厂大门"},
    "manufacturing department of Xi'an": {"甲厂大门"},
    "technician of Xincheng": {"甲厂大门", "乙厂大门"},
    "supervisor of Yanta": {"雁塔社区"},
    "administrator of enterprise A": {"甲厂大门"},
    "epidemic staff of enterprise A": {"甲厂大门"},
    "account without an area": set(),
}
MAY_REGISTER_IN_XINCHENG = {
    "province": 201,
    "xian": 201,
    "baoji": 403,
    "xincheng": 201,
    "manufacturing department of Xi'an": 403,
    "technician of Xincheng": 201,
    "supervisor of Yanta": 403,
    "administrator of enterprise A": 403,
    "epidemic staff of enterprise A": 403,
    "account without an area": 403,
}


@pytest.fixture
def viewers(central: Central) -> dict[str, dict[str, str]]:
    load_sample_regions(central)
    province = central.admin_headers
    xian = region_admin(central, province, "xian", "610100").headers
    baoji = region_admin(central, province, "baoji", "610300").headers
    xincheng = region_admin(central, xian, "xincheng", "610102").headers

    def made(creator: dict[str, str], **body: str) -> dict[str, str]:
        return create_account(central, creator, **body).headers

    ent_a = create_enterprise(central, xincheng, "甲厂", "610102001", "manufacturing")
    ent_b = create_enterprise(central, xincheng, "乙厂", "610102004", "textiles")
    ent_a_admin = made(xincheng, username="boss-a", role="enterprise_admin", enterprise_id=ent_a)
    gate = {"checkpoint_type": "enterprise_gate", "region_code": "610102"}
    register_checkpoint(central, ent_a_admin, name="甲厂大门", enterprise_id=ent_a, **gate)
    register_checkpoint(central, xincheng, name="乙厂大门", enterprise_id=ent_b, **gate)
    register_checkpoint(central, xian, name="雁塔社区", region_code="610113")
    register_checkpoint(central, baoji, name="宝鸡社区", region_code="610302")
    return {
        "province": province,
        "xian": xian,
        "baoji": baoji,
        "xincheng": xincheng,
        "manufacturing department of Xi'an": made(
            xian,
            username="gongxin",
            role="industry_department",
            area_code="610100",
            industry="manufacturing",
        ),
        "technician of Xincheng": made(
            xian, username="tech", role="technician", area_code="610102"
        ),
        "supervisor of Yanta": made(xian, username="super", role="supervisor", area_code="610113"),
        "administrator of enterprise A": ent_a_admin,
        "epidemic staff of enterprise A": made(
            ent_a_admin, username="13900000001", role="epidemic_staff", enterprise_id=ent_a
        ),
        "account without an area": _account_without_area(central),
    }


def _account_without_area(central: Central) -> dict[str, str]:
    """As made before issue 12 without a region: it must see nothing, not everything."""
    with session_scope(central.app.state.sessions) as session:
        invitation = invite_administrator(session, "legacy", central.clock(), timedelta(days=1))
    return bearer(central, invitation.administrator_id)


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
def test_each_role_and_level_sees_the_checkpoints_of_its_own_scope(
    central: Central, viewers: dict[str, dict[str, str]], viewer: str
) -> None:
    response = central.client.get("/api/v1/checkpoints", headers=viewers[viewer])
    assert response.status_code == 200, response.text
    assert {c["name"] for c in response.json()} == EXPECTED[viewer]


@pytest.mark.parametrize("viewer", sorted(MAY_REGISTER_IN_XINCHENG))
def test_only_region_administrators_and_technicians_register_checkpoints_in_their_area(
    central: Central, viewers: dict[str, dict[str, str]], viewer: str
) -> None:
    response = central.client.post(
        "/api/v1/checkpoints",
        json={
            "name": "新门",
            "checkpoint_type": "village",
            "region_code": "610102",
            "area_code": "610102001001",
            "address": "地址",
        },
        headers=viewers[viewer],
    )
    assert response.status_code == MAY_REGISTER_IN_XINCHENG[viewer], response.text


def test_a_checkpoint_area_must_lie_in_its_region(central: Central) -> None:
    response = central.post(
        "/api/v1/checkpoints",
        {
            "name": "x",
            "checkpoint_type": "village",
            "region_code": "610102",
            "area_code": "610113001",
            "address": "x",
        },
    )
    assert response.status_code == 400
    assert "outside" in response.json()["detail"]


@pytest.mark.parametrize(
    ("area", "code", "inside"),
    [
        ("610000", "610302001001001", True),
        ("610100", "610102", True),
        ("610100", "610300", False),
        ("610102", "610102001", True),
        ("610102", "610103001", False),
        ("610102001", "610102001001", True),
        ("610102001", "610102002001", False),
        ("610102001001001", "610102001001001", True),
        ("610102001001001", "610102001001002", False),
    ],
)
def test_an_area_covers_its_own_region_and_everything_below(
    area: str, code: str, inside: bool
) -> None:
    assert Scope("id", Role.REGION_ADMIN, area).covers(code) is inside


def test_an_account_without_an_area_covers_nothing() -> None:
    assert Scope("id", Role.REGION_ADMIN, None).covers("610102") is False
    assert Scope("id", Role.REGION_ADMIN, None).prefix is None
