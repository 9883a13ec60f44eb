"""A Shaanxi kiosk and a Panzhihua-signed code (全国互信互认): denied with a clear reason until
Sichuan's trust list is imported, then passed when the checkpoint's policy accepts the region,
denied by the policy when it does not; the policy's accepted issuers reach the code checker
through the trust keeper."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from healthcode import jkm
from healthcode.claims import CodeKind, Colour
from healthcode.feed import FeedCopy
from healthcode.keydir import KeyDir
from healthcode.text import LocalText
from healthcode.trust import Issuer, KeyRole, TrustAnchor
from kiosk.app.scanning import CodeChecker
from kiosk.app.trust import TrustKeeper, TrustState
from kiosk.checkpoint.decision import DecisionInputs, IdMatch, decide
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import (
    CheckpointType,
    Policy,
    PolicyError,
    default_policy,
    policy_from_central,
)

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
GATE = default_policy(CheckpointType.RESIDENTIAL_COMPOUND)


@pytest.fixture
def keydirs(tmp_path: Path) -> dict[str, KeyDir]:
    made = {}
    for name, code, zh in (
        ("shaanxi", "610000", "陕西省"),
        ("sichuan", "510000", "四川省"),
        ("panzhihua", "510400", "攀枝花市"),
    ):
        issuer = Issuer(code, LocalText(zh, name.title()))
        made[name] = KeyDir.create(tmp_path / name, issuer, NOW - timedelta(days=3))
    panzhihua = made["panzhihua"]
    made["sichuan"].import_trust_list(
        panzhihua.trust_list(NOW).sign(panzhihua.root()), panzhihua.root_public()
    )
    return made


def panzhihua_code(keydir: KeyDir) -> str:
    claims = jkm.claims_for_person(
        issuer="510400",
        code_id=bytes(range(16)),
        colour=Colour.GREEN,
        colour_seq=1,
        kind=CodeKind.APP,
        full_name="王五",
        id_number=None,
        binding_key=None,
        now=NOW,
    )
    return jkm.issue(claims, keydir.signing_key(KeyRole.ISSUER))


def gate_decision(shaanxi: KeyDir, text: str, policy: Policy):
    """What a Shaanxi gate decides, from the trust list central distributes to its decision."""
    trust = TrustAnchor(shaanxi.root_public()).accept(shaanxi.trust_list(NOW).sign(shaanxi.root()))
    feed = FeedCopy()
    feed.as_of_utc = NOW
    keeper = TrustKeeper(
        TrustState(trust_list=trust, feed=feed), default_policy(policy.checkpoint_type)
    )
    keeper.swap_policy(policy)
    checker = CodeChecker(jkm.default_registry(), keeper)
    at = NOW + timedelta(minutes=10)
    scanned = checker.check(text, at)
    inputs = DecisionInputs(
        code=scanned.result,
        colour_applied=Colour.GREEN if scanned.result.ok else None,
        colour_changed_by_feed=False,
        feed_age=scanned.feed_age,
        temperature_celsius=36.4,
        fever_confirmed=False,
        id_match=IdMatch.NOT_READ,
    )
    return decide(inputs, keeper.policy)


def test_before_sichuans_list_is_imported_the_code_is_denied_as_another_regions(
    keydirs: dict[str, KeyDir],
) -> None:
    decision = gate_decision(keydirs["shaanxi"], panzhihua_code(keydirs["panzhihua"]), GATE)
    assert decision.outcome is Outcome.DENY
    assert decision.deciding_reasons[0].text() == (
        "健康码无效：外地健康码：签发地区的信任列表未导入，无法核验"
    )


def test_once_imported_and_accepted_by_the_policy_the_code_passes(
    keydirs: dict[str, KeyDir],
) -> None:
    shaanxi, sichuan = keydirs["shaanxi"], keydirs["sichuan"]
    shaanxi.import_trust_list(sichuan.trust_list(NOW).sign(sichuan.root()), sichuan.root_public())
    accepting = replace(GATE, version=2, accepted_issuers=frozenset({"610000", "510000"}))
    decision = gate_decision(shaanxi, panzhihua_code(keydirs["panzhihua"]), accepting)
    assert decision.outcome is Outcome.PASS
    # the default (no list of issuers): every region of the trust list
    assert gate_decision(shaanxi, panzhihua_code(keydirs["panzhihua"]), GATE).outcome is (
        Outcome.PASS
    )


def test_imported_but_not_accepted_by_the_policy_the_code_is_denied_with_the_reason(
    keydirs: dict[str, KeyDir],
) -> None:
    shaanxi, sichuan = keydirs["shaanxi"], keydirs["sichuan"]
    shaanxi.import_trust_list(sichuan.trust_list(NOW).sign(sichuan.root()), sichuan.root_public())
    shaanxi_only = replace(GATE, version=2, accepted_issuers=frozenset({"610000"}))
    decision = gate_decision(shaanxi, panzhihua_code(keydirs["panzhihua"]), shaanxi_only)
    assert decision.outcome is Outcome.DENY
    assert decision.deciding_reasons[0].text() == "健康码无效：签发地区不在互认范围内"
    assert decision.deciding_reasons[0].text("en") == (
        "The code is not valid: The issuing region is not recognised here"
    )


def test_central_policy_rules_name_the_accepted_issuers() -> None:
    policy = policy_from_central(
        3, "village", {"accepted_issuers": ["610000", "510400"], "green_action": "pass"}
    )
    assert policy.accepted_issuers == frozenset({"610000", "510400"})
    assert Policy.from_document(policy.to_document()).accepted_issuers == policy.accepted_issuers
    assert policy_from_central(3, "village", {}).accepted_issuers is None
    with pytest.raises(PolicyError):
        policy_from_central(3, "village", {"accepted_issuers": ["Sichuan"]})
