"""The accepted-issuers page (issue 26), in process: it lists the other issuers' trust lists
central has imported (issuer, keys, when signed and imported) and, per checkpoint, which
issuers it accepts; whoever manages a checkpoint changes that (its policy version goes up and
its kiosks' policy carries `accepted_issuers`), others only read it. Audited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import AuditEntry, Checkpoint
from central.kiosks.policy import default_policy
from healthcode.keydir import KeyDir
from healthcode.text import LocalText
from healthcode.trust import Issuer
from kiosk.checkpoint.policy import policy_from_central
from sync.schemas import CheckpointType
from tests.central.areas import (
    create_account,
    load_sample_regions,
    region_admin,
    register_checkpoint,
)
from tests.central.conftest import Central
from tests.central.test_web_rules import _browser, _csrf


def import_sichuan(central: Central, folder: Path) -> None:
    """Sichuan's published list (naming Panzhihua too) imported into central's key folder."""
    now = central.clock()
    panzhihua = KeyDir.create(
        folder / "panzhihua", Issuer("510400", LocalText("攀枝花市", "Panzhihua")), now
    )
    sichuan = KeyDir.create(
        folder / "sichuan", Issuer("510000", LocalText("四川省", "Sichuan")), now
    )
    sichuan.import_trust_list(
        panzhihua.trust_list(now).sign(panzhihua.root()), panzhihua.root_public()
    )
    published = sichuan.trust_list(now + timedelta(minutes=1)).sign(sichuan.root())
    central.app.state.keys.keydir().import_trust_list(published, sichuan.root_public())


def checkpoint_row(central: Central, checkpoint_id: str) -> Checkpoint:
    with session_scope(central.app.state.sessions) as session:
        row = session.get(Checkpoint, checkpoint_id)
        assert row is not None
        session.expunge(row)
        return row


def test_a_county_sees_the_imported_lists_and_sets_what_its_checkpoint_accepts(
    central: Central, tmp_path: Path
) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    county = region_admin(central, xian.headers, "xincheng", "610102")
    gate = register_checkpoint(central, county.headers, name="东关北门", region_code="610102")
    client = _browser(central, county.account_id)
    page = client.get("/admin/issuers?lang=zh")
    assert page.status_code == 200 and "尚未导入其他地区的信任列表" in page.text
    assert "信任列表中的全部签发地区" in page.text

    import_sichuan(central, tmp_path)
    page = client.get("/admin/issuers")
    assert "四川省" in page.text and "攀枝花市" in page.text and "510400" in page.text
    version = checkpoint_row(central, gate).policy_version

    refused = client.post(
        f"/admin/issuers/{gate}", data={"csrf": _csrf(page.text), "mode": "listed"}
    )
    assert refused.status_code == 400 and "请至少选择一个签发地区" in refused.text
    saved = client.post(
        f"/admin/issuers/{gate}",
        data={
            "csrf": _csrf(page.text),
            "mode": "listed",
            "issuer_610000": "1",
            "issuer_510400": "1",
            "issuer_999999": "1",  # not a known issuer: ignored
        },
    )
    assert saved.status_code == 200 and "已保存，卡口下次同步时生效" in saved.text
    row = checkpoint_row(central, gate)
    assert row.accepted_issuers == ["510400", "610000"]
    assert row.policy_version == version + 1

    policy = default_policy(
        CheckpointType(row.checkpoint_type), row.policy_version, row.accepted_issuers
    )
    kiosk = policy_from_central(policy.policy_version, row.checkpoint_type, policy.rules)
    assert kiosk.accepted_issuers == frozenset({"510400", "610000"})

    back = client.post(f"/admin/issuers/{gate}", data={"csrf": _csrf(page.text), "mode": "all"})
    assert back.status_code == 200
    assert checkpoint_row(central, gate).accepted_issuers is None
    with session_scope(central.app.state.sessions) as session:
        changes = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "change", AuditEntry.route.contains("issuers")
            )
        ).all()
    assert len(changes) == 2


def test_a_supervisor_is_refused_and_another_county_cannot_change_the_checkpoint(
    central: Central,
) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    county = region_admin(central, xian.headers, "xincheng", "610102")
    other = region_admin(central, xian.headers, "beilin", "610103")
    gate = register_checkpoint(central, county.headers, name="东关北门", region_code="610102")
    client = _browser(central, other.account_id)
    page = client.get("/admin/issuers?lang=en")
    assert page.status_code == 200 and "东关北门" not in page.text
    answer = client.post(f"/admin/issuers/{gate}", data={"csrf": _csrf(page.text), "mode": "all"})
    assert answer.status_code == 404  # outside its area: as unknown as a missing one
    supervisor = create_account(
        central, county.headers, username="sup", role="supervisor", area_code="610102"
    )
    assert _browser(central, supervisor.account_id).get("/admin/issuers").status_code == 403
