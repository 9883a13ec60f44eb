"""The kiosk fleet: checkpoints with their kiosks and each kiosk's reported health (issue 14)."""

from __future__ import annotations

from datetime import timedelta

from tests.central.areas import audit_count, load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.received import add_checkpoint_and_kiosk


def _fleet(central: Central) -> None:
    seen = central.clock() - timedelta(minutes=2)
    add_checkpoint_and_kiosk(
        central,
        "cp-east",
        "k-east",
        region="610102",
        name="东关社区北门",
        last_seen_at=seen,
        software_version="1.4.0",
        backlog_records=12,
        feed_age_s=600,
        clock_offset_s=-3,
    )
    add_checkpoint_and_kiosk(central, "cp-south", "k-south", region="610113", name="长延堡")


def test_the_fleet_lists_each_checkpoint_with_its_kiosks_health(central: Central) -> None:
    _fleet(central)
    before = audit_count(central)
    answer = central.get("/api/v1/fleet")
    assert answer.status_code == 200, answer.text
    fleet = {row["checkpoint_id"]: row for row in answer.json()}
    assert fleet.keys() == {"cp-east", "cp-south"}
    east = fleet["cp-east"]
    assert (east["name"], east["region_code"]) == ("东关社区北门", "610102")
    (kiosk,) = east["kiosks"]
    assert kiosk["kiosk_id"] == "k-east"
    assert kiosk["software_version"] == "1.4.0"
    assert kiosk["backlog_records"] == 12
    assert kiosk["feed_age_s"] == 600
    assert kiosk["clock_offset_s"] == -3
    assert kiosk["last_seen_at"] == "2026-11-23T07:58:00Z"
    assert fleet["cp-south"]["kiosks"][0]["last_seen_at"] is None
    assert audit_count(central) == before + 1


def test_a_county_sees_only_its_own_checkpoints_in_the_fleet(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    yanta = region_admin(central, xian.headers, "yanta", "610113")
    _fleet(central)
    answer = central.client.get("/api/v1/fleet", headers=yanta.headers)
    assert [row["checkpoint_id"] for row in answer.json()] == ["cp-south"]
    assert "k-east" not in answer.text
