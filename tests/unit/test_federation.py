"""Other issuers' codes (全国互信互认): a published trust list imported into ours, checked against
the publisher's pinned root; only its issuer keys come along; the command line's `trust-list
import`, `imports`, `remove` and `verify --accept`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from healthcode import cli, jkm
from healthcode.claims import CodeKind, Colour
from healthcode.federation import TrustImportError, recognised, region_covers
from healthcode.keydir import KeyDir
from healthcode.keys import SigningKey
from healthcode.results import Rejection, RejectReason, VerifiedCode
from healthcode.schemes import VerifyContext
from healthcode.text import LocalText
from healthcode.trust import Issuer, KeyRole, TrustAnchor, TrustListError, TrustListProblem

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
SHAANXI = Issuer("610000", LocalText("陕西省", "Shaanxi"))
SICHUAN = Issuer("510000", LocalText("四川省", "Sichuan"))
PANZHIHUA = Issuer("510400", LocalText("攀枝花市", "Panzhihua"))


def _code(keydir: KeyDir, colour: Colour = Colour.GREEN) -> str:
    claims = jkm.claims_for_person(
        issuer=keydir.issuer.region_code,
        code_id=bytes(16),
        colour=colour,
        colour_seq=1,
        kind=CodeKind.APP,
        full_name="李四",
        id_number=None,
        binding_key=None,
        now=NOW,
    )
    return jkm.issue(claims, keydir.signing_key(KeyRole.ISSUER))


@pytest.fixture
def regions(tmp_path: Path) -> dict[str, KeyDir]:
    """Shaanxi; Panzhihua's own platform; Sichuan, which has imported Panzhihua's list."""
    made = {
        name: KeyDir.create(tmp_path / name, issuer, NOW - timedelta(days=10))
        for name, issuer in (("shaanxi", SHAANXI), ("sichuan", SICHUAN), ("panzhihua", PANZHIHUA))
    }
    panzhihua_list = made["panzhihua"].trust_list(NOW).sign(made["panzhihua"].root())
    made["sichuan"].import_trust_list(panzhihua_list, made["panzhihua"].root_public())
    return made


def _published(keydir: KeyDir) -> bytes:
    return keydir.trust_list(NOW).sign(keydir.root())


def _kiosk_verify(shaanxi: KeyDir, text: str, accepted: frozenset[str] | None = None):
    """What a Shaanxi kiosk, pinning only Shaanxi's root, makes of a code."""
    anchor = TrustAnchor(shaanxi.root_public())
    trust = anchor.accept(_published(shaanxi))
    context = VerifyContext(trust=trust, now=NOW + timedelta(hours=1), recognised_issuers=accepted)
    return jkm.default_registry().verify(text, context)


def test_a_panzhihua_code_is_refused_as_another_regions_code_before_any_import(
    regions: dict[str, KeyDir],
) -> None:
    result = _kiosk_verify(regions["shaanxi"], _code(regions["panzhihua"]))
    assert isinstance(result, Rejection)
    assert result.reason is RejectReason.ISSUER_NOT_IMPORTED
    assert result.message() == "外地健康码：签发地区的信任列表未导入，无法核验"


def test_once_sichuans_list_is_imported_a_panzhihua_code_verifies_at_a_shaanxi_kiosk(
    regions: dict[str, KeyDir],
) -> None:
    shaanxi, sichuan = regions["shaanxi"], regions["sichuan"]
    imported, previous = shaanxi.import_trust_list(_published(sichuan), sichuan.root_public())
    assert previous is None
    assert {i.region_code for i in imported.issuers} == {"510000", "510400"}
    result = _kiosk_verify(shaanxi, _code(regions["panzhihua"]))
    assert isinstance(result, VerifiedCode) and result.claims.issuer == "510400"
    assert isinstance(_kiosk_verify(shaanxi, _code(shaanxi)), VerifiedCode)


def test_the_policys_accepted_issuers_decide_which_listed_regions_pass(
    regions: dict[str, KeyDir],
) -> None:
    shaanxi, sichuan = regions["shaanxi"], regions["sichuan"]
    shaanxi.import_trust_list(_published(sichuan), sichuan.root_public())
    text = _code(regions["panzhihua"])
    refused = _kiosk_verify(shaanxi, text, frozenset({"610000"}))
    assert isinstance(refused, Rejection) and refused.reason is RejectReason.UNTRUSTED_ISSUER
    assert refused.message() == "签发地区不在互认范围内"
    assert _kiosk_verify(shaanxi, text, frozenset({"610000", "510000"})).ok
    assert _kiosk_verify(shaanxi, text, frozenset({"510400"})).ok
    assert not _kiosk_verify(shaanxi, text, frozenset({"510100"})).ok


def test_another_issuers_feed_keys_are_never_imported(regions: dict[str, KeyDir]) -> None:
    shaanxi, sichuan = regions["shaanxi"], regions["sichuan"]
    shaanxi.import_trust_list(_published(sichuan), sichuan.root_public())
    merged = shaanxi.trust_list(NOW)
    feed_issuers = {key.issuer for key in merged.keys if key.role is KeyRole.FEED}
    assert feed_issuers == {"610000"}
    assert {key.issuer for key in merged.keys if key.role is KeyRole.ISSUER} == {
        "610000",
        "510000",
        "510400",
    }


def test_a_list_not_signed_by_the_pinned_root_is_refused(regions: dict[str, KeyDir]) -> None:
    shaanxi, sichuan = regions["shaanxi"], regions["sichuan"]
    forged = sichuan.trust_list(NOW).sign(SigningKey.generate())
    with pytest.raises(TrustListError) as refused:
        shaanxi.import_trust_list(forged, sichuan.root_public())
    assert refused.value.problem is TrustListProblem.UNKNOWN_ROOT
    assert shaanxi.imported() == []


def test_a_list_speaking_for_our_own_province_is_refused(
    regions: dict[str, KeyDir], tmp_path: Path
) -> None:
    impostor = KeyDir.create(tmp_path / "impostor", SHAANXI, NOW)
    with pytest.raises(TrustImportError, match="610000"):
        regions["shaanxi"].import_trust_list(_published(impostor), impostor.root_public())


def test_an_older_list_of_the_same_publisher_is_refused(regions: dict[str, KeyDir]) -> None:
    shaanxi, sichuan = regions["shaanxi"], regions["sichuan"]
    old = _published(sichuan)
    new = _published(sichuan)
    shaanxi.import_trust_list(new, sichuan.root_public())
    with pytest.raises(TrustListError) as refused:
        shaanxi.import_trust_list(old, sichuan.root_public())
    assert refused.value.problem is TrustListProblem.ROLLBACK


def test_two_publishers_may_not_speak_for_the_same_region(
    regions: dict[str, KeyDir],
) -> None:
    shaanxi = regions["shaanxi"]
    shaanxi.import_trust_list(_published(regions["sichuan"]), regions["sichuan"].root_public())
    panzhihua = regions["panzhihua"]
    with pytest.raises(TrustImportError, match="510400"):
        shaanxi.import_trust_list(_published(panzhihua), panzhihua.root_public())


def test_region_codes_nest_province_city_county() -> None:
    assert region_covers("510000", "510402")
    assert region_covers("510400", "510402")
    assert not region_covers("510400", "510100")
    assert region_covers("510402", "510402") and not region_covers("510402", "510403")
    assert recognised("510400", None)
    assert not recognised("510400", frozenset({"610000"}))


def test_the_command_line_imports_lists_and_removes_another_issuer(
    regions: dict[str, KeyDir], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shaanxi, sichuan = regions["shaanxi"], regions["sichuan"]
    published = tmp_path / "sichuan.trust"
    published.write_bytes(_published(sichuan))
    keys = str(shaanxi.path)
    root = str(sichuan.path / "root.pub")
    assert (
        cli.main(["trust-list", "import", "--keys", keys, "--list", str(published), "--root", root])
        == 0
    )
    out = capsys.readouterr().out
    assert "510000 四川省" in out and "510400 攀枝花市" in out
    assert cli.main(["trust-list", "imports", "--keys", keys]) == 0
    assert "510400 攀枝花市" in capsys.readouterr().out

    signed = tmp_path / "shaanxi.trust"
    assert cli.main(["trust-list", "sign", "--keys", keys, "--out", str(signed)]) == 0
    text = _code(regions["panzhihua"])
    verify = ["--now", (NOW + timedelta(hours=1)).isoformat(), "verify", "--trust", str(signed)]
    verify += ["--root", str(shaanxi.path / "root.pub")]
    assert cli.main([*verify, text]) == cli.EXIT_OK
    assert cli.main([*verify, "--accept", "610000", text]) == cli.EXIT_REJECTED
    assert "untrusted_issuer" in capsys.readouterr().out

    assert cli.main(["trust-list", "remove", "--keys", keys, "--issuer", "510400"]) == 0
    assert shaanxi.imported() == []


def test_the_command_line_refuses_a_list_with_the_wrong_root(
    regions: dict[str, KeyDir], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = tmp_path / "sichuan.trust"
    published.write_bytes(_published(regions["sichuan"]))
    wrong_root = str(regions["panzhihua"].path / "root.pub")
    keys = str(regions["shaanxi"].path)
    command = ["trust-list", "import", "--keys", keys, "--list", str(published)]
    assert cli.main([*command, "--root", wrong_root]) == cli.EXIT_REJECTED
    assert "unknown_root" in capsys.readouterr().err
