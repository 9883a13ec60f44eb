"""The national list's page (issue 26), in process: the province's administrator uploads a
signed list file and sees it in force (version, publisher key, when signed and imported, its
areas, how many people changed colour) and in the history; a refused file is told beside the
form in the page's language and changes nothing; the polled URL's last result is shown; any
other account is refused. Reads and imports are audited. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import AuditEntry, NationalRiskList
from central.core.settings import Settings
from central.issuance import changes
from central.issuance.national_cli import poll
from central.issuance.national_risk import NationalRiskDocument
from central.issuance.rules import RiskLevel
from healthcode.keys import SigningKey
from tests.central.areas import load_sample_regions, province_account_id, region_admin
from tests.central.conftest import Central, FakeClock, start_central
from tests.central.test_national_risk import PUBLISHER, WUHAN, colour_of, signed, traveller
from tests.central.test_web_rules import _browser, _csrf

URL = "https://gov.example/national-risk.cose"


def publisher_file(folder: Path) -> Path:
    key_file = folder / "national.pub"
    key_file.write_bytes(
        PUBLISHER.public.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return key_file


@pytest.fixture
def central(settings: Settings, clock: FakeClock, tmp_path: Path) -> Iterator[Central]:
    pinned = settings.model_copy(
        update={"national_risk_key_file": publisher_file(tmp_path), "national_risk_url": URL}
    )
    yield from start_central(pinned, clock)


def upload(central: Central, data: bytes | None, language: str = "zh") -> tuple[int, str]:
    client = _browser(central, province_account_id(central))
    page = client.get(f"/admin/national-risk?lang={language}")
    assert page.status_code == 200, page.text
    files = {"national_list": ("national.cose", data or b"", "application/octet-stream")}
    answer = client.post(
        "/admin/national-risk", data={"csrf": _csrf(page.text)}, files=files if data else None
    )
    return answer.status_code, answer.text


def test_the_province_uploads_a_signed_list_and_sees_it_in_force_and_in_its_history(
    central: Central,
) -> None:
    load_sample_regions(central)
    token = traveller(central, 31, "420102")  # back from Wuchang (Wuhan) two days ago
    page = _browser(central, province_account_id(central)).get("/admin/national-risk?lang=zh")
    assert "尚未导入全国名单" in page.text and "全国风险地区" in page.text  # and in the nav

    status, text = upload(central, signed(1, {WUHAN: "high", "110105": "medium"}, central.clock()))
    assert status == 200, text
    assert "已导入第 1 版：2 个地区，2 个地区等级变化" in text
    assert "正在重新计算" in text  # the job runs with the periodic jobs
    changes.run_pending(central.app.state.sessions, central.clock)
    assert colour_of(central, token) == "red"

    page = _browser(central, province_account_id(central)).get("/admin/national-risk")
    assert 'id="nr-version" class="mono">1<' in page.text
    assert PUBLISHER.public.kid.hex()[:16] in page.text
    assert 'id="nr-areas">2<' in page.text
    assert 'id="nr-people">1<' in page.text  # one traveller turned red
    assert 'id="nr-list-1"' in page.text and "admin" in page.text  # who uploaded it
    with session_scope(central.app.state.sessions) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_type == "national_risk_list")
        ).all()
    assert "import" in actions and "list" in actions


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh", "名单不是由固定的发布方密钥签名的"), ("en", "signed by another key than the pinned")],
)
def test_a_list_signed_by_another_key_is_refused_beside_the_form_in_the_pages_language(
    central: Central, language: str, words: str
) -> None:
    other = SigningKey.generate()
    forged = NationalRiskDocument(1, central.clock(), {WUHAN: RiskLevel.HIGH}).sign(other)
    status, text = upload(central, forged, language)
    assert status == 422
    assert 'id="nr-file-error" role="alert"' in text and words in text
    with session_scope(central.app.state.sessions) as session:
        assert session.scalars(select(NationalRiskList)).all() == []


def test_an_old_list_a_damaged_file_or_no_file_is_refused_with_its_own_words(
    central: Central,
) -> None:
    assert upload(central, signed(2, {WUHAN: "high"}, central.clock()))[0] == 200
    status, text = upload(central, signed(2, {WUHAN: "low"}, central.clock()))
    assert status == 422 and "该版本不新于现行名单，未导入" in text
    status, text = upload(central, b"not a signed list", "en")
    assert status == 422 and "This is not a signed list file" in text
    status, text = upload(central, None)
    assert status == 400 and "请选择名单文件" in text


def test_the_polled_urls_last_result_is_shown(central: Central) -> None:
    sessions, settings = central.app.state.sessions, central.settings
    client = _browser(central, province_account_id(central))
    assert "尚未获取过" in client.get("/admin/national-risk?lang=zh").text
    served = {URL: signed(4, {WUHAN: "high"}, central.clock())}
    assert poll(sessions, settings, served.__getitem__, central.clock()) == 4
    text = client.get("/admin/national-risk").text
    assert URL in text and "已导入第 4 版" in text and "服务器" in text

    def unreachable(url: str) -> bytes:
        raise OSError("no route")

    later = central.clock() + timedelta(hours=2)
    assert poll(sessions, settings, unreachable, later) is None
    assert "无法获取（网络）" in client.get("/admin/national-risk").text
    genuine = signed(5, {WUHAN: "low"}, later)
    forged = genuine[:-1] + bytes([genuine[-1] ^ 1])  # a changed byte, whatever it was
    assert poll(sessions, settings, {URL: forged}.__getitem__, later + timedelta(hours=4)) is None
    text = client.get("/admin/national-risk?lang=en").text
    assert "The list was refused: The signature does not verify" in text


def test_only_the_provinces_administrator_opens_the_page(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    client = _browser(central, xian.account_id)
    assert client.get("/admin/national-risk").status_code == 403
    assert "全国风险地区" not in client.get("/admin").text  # not in its navigation
    refused = client.post("/admin/national-risk", data={"csrf": "x"})
    assert refused.status_code == 403
