"""Issue 26's pages in Debian's headless Chromium, at 1280x800 and 390x844, in Chinese and
English. The national list: the province's administrator sees the list in force, its history
and the polled URL's last result, uploads a file signed by another key and reads why it was
refused beside the form, then uploads a newer signed list and sees it imported. The accepted
issuers: Sichuan's imported list (with Panzhihua) is listed, and a checkpoint is set to accept
Shaanxi and Panzhihua only, then every issuer again. Screenshots in artifacts/web/ (checked
for sideways overflow)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from central.administration.checkpoints import register_checkpoint
from central.app import create_app
from central.core.bootstrap import prepare
from central.core.db import session_scope
from central.core.regions import SAMPLE_FILE, load_region_file
from central.core.scope import Role
from central.core.settings import Settings
from central.issuance import changes
from central.issuance.national_cli import poll
from central.issuance.national_risk import NationalRiskDocument, import_list
from central.issuance.rules import RiskLevel
from healthcode.keys import SigningKey
from sync.schemas import CheckpointType
from tests.central.browser_world import WEB_SHOTS, needs_chromium, new_page, save_fitting, serve
from tests.central.conftest import ADMIN_PASSWORD
from tests.central.test_issuer_pages import import_sichuan
from tests.central.test_national_pages import URL, publisher_file
from tests.central.test_national_risk import PUBLISHER, WUHAN, signed
from tests.central.test_web_pages import _account

pytestmark = needs_chromium
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
WORDS = {
    "zh": ("全国风险地区名单", "名单不是由固定的发布方密钥签名的", "已导入第"),
    "en": ("National list of risk areas", "signed by another key than the pinned", "imported"),
}


@dataclass
class World:
    url: str
    folder: Path
    checkpoint_id: str


@dataclass
class _KeysOnly:
    """What `import_sichuan` needs of a Central: the app and a clock."""

    app: Any
    clock: Any


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("central-national")
    settings = Settings(
        data_dir=folder,
        sms_provider="log",
        login_attempts_per_minute=200,
        national_risk_key_file=publisher_file(folder),
        national_risk_url=URL,
        _env_file=None,  # type: ignore[call-arg]
    )
    now = datetime.now(UTC)
    prepare(settings, now, first_admin="admin")
    app = create_app(settings)
    sessions = app.state.sessions
    with session_scope(sessions) as session:
        load_region_file(session, SAMPLE_FILE)
        _account(session, "shaanxi", Role.REGION_ADMIN, area_code="610000")
        gate = register_checkpoint(
            session,
            name="东关社区北门",
            checkpoint_type=CheckpointType.RESIDENTIAL_COMPOUND,
            region_code="610102",
            address="西安市新城区东关正街1号",
            enterprise=None,
            now=now,
        )
        checkpoint_id = gate.id
    import_sichuan(_KeysOnly(app, lambda: now), folder)  # type: ignore[arg-type]
    first = import_list(
        sessions,
        signed(1, {WUHAN: "high", "110105": "medium"}, now - timedelta(days=1)),
        PUBLISHER.public,
        "610000",
        now - timedelta(hours=20),
        source="national-1.cose",
    )
    assert first.job_id is not None
    changes.run_job(sessions, first.job_id, lambda: now)
    served = {URL: signed(2, {WUHAN: "high"}, now - timedelta(hours=2))}
    poll(sessions, settings, served.__getitem__, now - timedelta(hours=1))
    with serve(app) as url:
        yield World(url, folder, checkpoint_id)


def _log_in(page: Any, world: World, language: str) -> None:
    page.goto(f"{world.url}/admin/login?lang={language}")
    page.fill("#username", "shaanxi")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#login")
    page.wait_for_url(world.url + "/admin")


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_the_province_reads_the_list_in_force_and_uploads_a_signed_file(
    world: World, browser: object, size: str, language: str
) -> None:
    from playwright.sync_api import expect

    title, refused, imported = WORDS[language]
    serial = 10 + list(SIZES).index(size) * 2 + (language == "en")
    page = new_page(browser, SIZES[size], "zh-CN" if language == "zh" else "en-US")
    try:
        _log_in(page, world, language)
        page.click("nav a[href='/admin/national-risk']")
        expect(page.locator("h1")).to_have_text(title)
        in_force = page.locator("#nr-version").inner_text()  # 2, or an earlier walk's upload
        assert int(in_force) in (2, serial - 1, serial - 2)
        expect(page.locator("#nr-list-1")).to_be_visible()
        expect(page.locator("#nr-poll-result")).to_contain_text("2")
        save_fitting(page, WEB_SHOTS / f"national-risk-{size}-{language}.png", "national-risk")

        forged = NationalRiskDocument(serial, datetime.now(UTC), {WUHAN: RiskLevel.LOW})
        bad = world.folder / f"forged-{serial}.cose"
        bad.write_bytes(forged.sign(SigningKey.generate()))
        page.set_input_files("#nr-file", str(bad))
        page.click("#nr-import")
        expect(page.locator("#nr-file-error")).to_contain_text(refused)
        expect(page.locator("#nr-version")).to_have_text(in_force)  # nothing changed
        save_fitting(page, WEB_SHOTS / f"national-risk-refused-{size}-{language}.png", "refused")

        good = world.folder / f"national-{serial}.cose"
        good.write_bytes(signed(serial, {WUHAN: "medium"}, datetime.now(UTC)))
        page.set_input_files("#nr-file", str(good))
        page.click("#nr-import")
        expect(page.locator("#nr-imported")).to_contain_text(imported)
        expect(page.locator("#nr-version")).to_have_text(str(serial))
        save_fitting(page, WEB_SHOTS / f"national-risk-imported-{size}-{language}.png", "imported")
    finally:
        page.context.close()


ISSUER_WORDS = {
    "zh": ("外地健康码互认", "已保存，卡口下次同步时生效", "信任列表中的全部签发地区"),
    "en": ("Other issuers' codes", "Saved: its kiosks take it", "Every issuer on the trust list"),
}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_a_checkpoint_is_set_to_accept_panzhihua_and_back_to_every_issuer(
    world: World, browser: object, size: str, language: str
) -> None:
    from playwright.sync_api import expect

    title, saved, every = ISSUER_WORDS[language]
    page = new_page(browser, SIZES[size], "zh-CN" if language == "zh" else "en-US")
    try:
        _log_in(page, world, language)
        page.click("nav a[href='/admin/issuers']")
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator("#is-import-list")).to_contain_text("510400")
        box = page.locator(f"#is-{world.checkpoint_id}")
        box.locator("input[name=mode][value=listed]").check()
        box.locator("input[name=issuer_610000]").check()
        box.locator("input[name=issuer_510400]").check()
        box.locator("button").click()
        expect(page.locator("#is-saved")).to_contain_text(saved)
        box = page.locator(f"#is-{world.checkpoint_id}")
        expect(box.locator(".is-now")).to_contain_text("510400")
        heights = page.eval_on_selector_all(
            ".is-form label.check, .is-form button",
            "items => items.map(item => item.getBoundingClientRect().height)",
        )
        assert heights and min(heights) >= 44, heights  # a finger, not a mouse
        save_fitting(page, WEB_SHOTS / f"issuers-{size}-{language}.png", "issuers")
        box.locator("input[name=mode][value=all]").check()
        box.locator("button").click()
        expect(page.locator(f"#is-{world.checkpoint_id} .is-now")).to_contain_text(every)
    finally:
        page.context.close()
